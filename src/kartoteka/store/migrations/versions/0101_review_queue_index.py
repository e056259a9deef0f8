"""An index for the review queue: the pairs in review, those whose decision changes the most first.

Revision ID: 0101
Revises: 0100
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Partial: only the pairs in review (half a million of 4.5 million at full scale).
    op.create_index("ix_match_pairs_review", "match_pairs", ["review_priority", "record_id_l"],
                    sqlite_where=sa.text("in_review = 1"), postgresql_where=sa.text("in_review = 1"))


def downgrade() -> None:
    op.drop_index("ix_match_pairs_review", table_name="match_pairs")
