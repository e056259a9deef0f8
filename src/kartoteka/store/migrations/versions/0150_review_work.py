"""Review work: reviewers' answers beyond same/not same (unsure, notes, who), decisions coming back when their records change (kartoteka.linkage.tables).

Reserved in session 10's contract: empty until the capability's own change fills it.

Revision ID: 0150
Revises: 0140
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0150"
down_revision = "0140"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
