"""Gazetteer: places, camps with their numbers and dates, burial sites, coordinates with their source (kartoteka.gazetteer.tables).

Reserved in session 10's contract: empty until the capability's own change fills it.

Revision ID: 0130
Revises: 0121
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0130"
down_revision = "0121"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
