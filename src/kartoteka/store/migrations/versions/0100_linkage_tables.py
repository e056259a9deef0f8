"""The linkage's tables: link_runs, persons, person_records, match_pairs, decisions.

Revision ID: 0100
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "link_runs",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("backend", sa.Text(), nullable=False),
        sa.Column("model_path", sa.Text()),
        sa.Column("model_version", sa.Text()),
        sa.Column("record_count", sa.Integer()),
        sa.Column("person_count", sa.Integer()),
        sa.Column("pair_count", sa.Integer()),
        sa.Column("threshold", sa.Float()),
        sa.Column("warnings_json", sa.Text()),
        sa.Column("summary_json", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_link_runs"),
    )
    op.create_table(
        "persons",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("run_id", _id(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in ("name_cyrillic", "name_kana", "name_kanji", "name_romaji")],
        sa.Column("birth_year", sa.Integer()),
        *[sa.Column(name, sa.Text()) for name in ("prefecture", "unit", "rank")],
        sa.Column("fate", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in ("death_date", "death_place", "burial_site", "camps_json")],
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
    )
    op.create_index("ix_persons_run_id", "persons", ["run_id"])
    op.create_table(
        "person_records",
        sa.Column("person_id", _id(), nullable=False),
        sa.Column("record_id", _id(), nullable=False),
        sa.Column("run_id", _id(), nullable=False),
        sa.Column("match_probability", sa.Float()),
        sa.PrimaryKeyConstraint("person_id", "record_id", name="pk_person_records"),
    )
    op.create_index("ix_person_records_record_id", "person_records", ["record_id"])
    op.create_table(
        "match_pairs",
        sa.Column("run_id", _id(), nullable=False),
        sa.Column("record_id_l", _id(), nullable=False),
        sa.Column("record_id_r", _id(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("weights_json", sa.Text()),
        sa.Column("in_review", sa.Integer(), nullable=False),
        sa.Column("review_priority", sa.Float()),
    )
    op.create_index("ix_match_pairs_run_id_record_id_l", "match_pairs", ["run_id", "record_id_l"])
    op.create_index("ix_match_pairs_run_id_record_id_r", "match_pairs", ["run_id", "record_id_r"])
    op.create_table(
        "decisions",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("record_id_l", _id(), nullable=False),
        sa.Column("record_id_r", _id(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
    )
    op.create_index("ix_decisions_record_id_l_record_id_r", "decisions", ["record_id_l", "record_id_r"])


def downgrade() -> None:
    op.drop_index("ix_decisions_record_id_l_record_id_r", table_name="decisions")
    op.drop_table("decisions")
    op.drop_index("ix_match_pairs_run_id_record_id_r", table_name="match_pairs")
    op.drop_index("ix_match_pairs_run_id_record_id_l", table_name="match_pairs")
    op.drop_table("match_pairs")
    op.drop_index("ix_person_records_record_id", table_name="person_records")
    op.drop_table("person_records")
    op.drop_index("ix_persons_run_id", table_name="persons")
    op.drop_table("persons")
    op.drop_table("link_runs")
