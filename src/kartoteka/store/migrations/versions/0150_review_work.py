"""Review work: reviewers' answers beyond same/not same (unsure, notes, who), decisions coming back when their records change (kartoteka.linkage.tables).

The decisions get the fingerprint of their two records (a decision whose records changed comes back to the
queue), the act they belong to (a person split or merged, a file imported: undone together) and who undid them.

Revision ID: 0150
Revises: 0140
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0150"
down_revision = "0140"
branch_labels = None
depends_on = None


COLUMNS = ("fingerprint", "action", "undone_by")


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
