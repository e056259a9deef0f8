"""The initial store: sources, records, quarantine, meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# A frozen copy of the record fields at this revision (the live list in schema.py may grow later).
_RECORD_FIELDS = (
    "surname", "given_name", "patronymic", "name_original", "script",
    "birth_date", "birth_year", "birth_place", "prefecture", "occupation", "rank", "unit", "camp", "lagpunkt",
    "capture_date", "capture_place", "death_date", "death_place", "burial_place", "burial_site", "grave_number",
    "ship", "departure_port", "arrival_port", "event_date", "archive_ref", "scan_ref",
)


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.Text(), nullable=False),
        sa.Column("encoding", sa.Text()),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("quarantined_count", sa.Integer(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.UniqueConstraint("file_sha256", name="uq_sources_file_sha256"),
    )
    op.create_table(
        "records",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("source_id", _id(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("record_ref", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("row_sha256", sa.Text(), nullable=False),
        sa.Column("raw_json", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Integer() if name == "birth_year" else sa.Text()) for name in _RECORD_FIELDS],
        sa.Column("extra_json", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_records_source_id_sources"),
        sa.UniqueConstraint("source_id", "record_ref", name="uq_records_source_id_record_ref"),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("source_id", _id(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer()),
        sa.Column("column_name", sa.Text()),
        sa.Column("value", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw_json", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_quarantine_source_id_sources"),
    )
    op.create_index("ix_quarantine_source_id", "quarantine", ["source_id"])
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text()),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_index("ix_quarantine_source_id", table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_table("records")
    op.drop_table("sources")
