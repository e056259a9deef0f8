"""What each record's camp, death place and burial texts resolve to in the gazetteer (kartoteka.gazetteer.tables.record_places).

The rows are written by the importer and by `kartoteka gazetteer load` (which resolves the records of a store made
before this migration), not here: the migration only makes the table.

Revision ID: 0160
Revises: 0150
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0160"
down_revision = "0150"
branch_labels = None
depends_on = None

IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "record_places",
        sa.Column("record_id", IdType, nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("on_date", sa.Text()),
        sa.Column("place_id", IdType),
        sa.Column("camp_id", IdType),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "field", name="pk_record_places"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("record_places")
