"""Every line of a source accounted for, and a quarantine one can work with.

sources: how many physical lines the file has, how many of them are header/comment and blank lines, how many
records carry a warning, and which source a follow-up (a corrected file of quarantined rows) completes.
quarantine: a stable reason code, a severity ("error": the row is not imported; "warning": the record is kept
and flagged), the physical lines the entry takes and their raw text, the record a warning is about, and the
follow-up source that resolved the row (resolved rows stay, so the history of a correction is kept).

Revision ID: 0110
Revises: 0102
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0102"
branch_labels = None
depends_on = None

IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("line_count", sa.Integer()))
        batch.add_column(sa.Column("header_lines", sa.Integer()))
        batch.add_column(sa.Column("blank_lines", sa.Integer()))
        batch.add_column(sa.Column("warning_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("follow_up_of", IdType))
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("code", sa.Text()))
        batch.add_column(sa.Column("severity", sa.Text(), nullable=False, server_default="error"))
        batch.add_column(sa.Column("line_count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("raw_text", sa.Text()))
        batch.add_column(sa.Column("record_ref", sa.Text()))
        batch.add_column(sa.Column("resolved_by", IdType))


def downgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        for name in ("resolved_by", "record_ref", "raw_text", "line_count", "severity", "code"):
            batch.drop_column(name)
    with op.batch_alter_table("sources") as batch:
        for name in ("follow_up_of", "warning_count", "blank_lines", "header_lines", "line_count"):
            batch.drop_column(name)
