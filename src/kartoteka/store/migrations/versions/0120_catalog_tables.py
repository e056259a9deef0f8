"""The catalog's tables: where a retired person id's records went (permalinks that last), readers' corrections.

Revision ID: 0120
Revises: 0110
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0120"
down_revision = "0110"
branch_labels = None
depends_on = None

IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "person_redirects",
        sa.Column("old_person_id", IdType, nullable=False),
        sa.Column("new_person_id", IdType, nullable=False),
        sa.Column("run_id", IdType, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("records_moved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("old_person_id", "new_person_id", name="pk_person_redirects"),
    )
    op.create_table(
        "corrections",
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("person_id", IdType),
        sa.Column("record_id", IdType),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text()),
        sa.Column("language", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="new"),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
    )
    op.create_index("ix_corrections_person_id", "corrections", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_corrections_person_id", table_name="corrections")
    op.drop_table("corrections")
    op.drop_table("person_redirects")
