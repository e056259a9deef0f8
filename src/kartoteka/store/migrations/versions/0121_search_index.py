"""The search index: one row per record with the name keys a query seeks on (kartoteka.search.tables).

Revision ID: 0121
Revises: 0120
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0121"
down_revision = "0120"
branch_labels = None
depends_on = None

IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_INDEXES = {
    "ix_search_index_name": ["sn_key", "gn_key"],
    "ix_search_index_name2": ["sn_key2", "gn_key2"],
    "ix_search_index_literal": ["sn_lkey", "gn_lkey"],
    "ix_search_index_surname": ["sn_fold"],
    "ix_search_index_person": ["person_id"],
}


def upgrade() -> None:
    op.create_table(
        "search_index",
        sa.Column("record_id", IdType, nullable=False),
        sa.Column("person_id", IdType),
        sa.Column("run_id", IdType),
        sa.Column("kind", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in ("sn_key", "gn_key", "sn_key2", "gn_key2", "sn_lkey", "gn_lkey",
                                                  "sn_fold", "sn_set", "gn_set")],
        sa.Column("birth_year", sa.Integer()),
        sa.Column("pref", sa.Integer()),
        sa.Column("camp", sa.Text()),
        sa.Column("fate", sa.Text(), nullable=False),
        sa.Column("death_year", sa.Integer()),
        sa.PrimaryKeyConstraint("record_id", name="pk_search_index"),
    )
    for name, columns in _INDEXES.items():
        op.create_index(name, "search_index", columns)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="search_index")
    op.drop_table("search_index")
