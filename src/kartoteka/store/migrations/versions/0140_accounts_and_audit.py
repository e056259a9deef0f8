"""Accounts, roles, sessions, API tokens, access requests and the append-only audit log (kartoteka.accounts.tables, kartoteka.audit.tables).

Reserved in session 10's contract: empty until the capability's own change fills it.

Revision ID: 0140
Revises: 0130
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0140"
down_revision = "0130"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
