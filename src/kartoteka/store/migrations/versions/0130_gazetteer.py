"""Gazetteer: places, camps with their numbers and dates, burial sites, coordinates with their source (kartoteka.gazetteer.tables).

The bundled data is loaded by the gazetteer itself (`kartoteka gazetteer load`, and on first use), not here: the
migration only makes the tables.

Revision ID: 0130
Revises: 0121
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0130"
down_revision = "0121"
branch_labels = None
depends_on = None

IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "gazetteer_places",
        sa.Column("id", IdType, autoincrement=False, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_ru", sa.Text()),
        sa.Column("name_ja", sa.Text()),
        sa.Column("historic", sa.Text()),
        sa.Column("geonames_id", IdType),
        sa.Column("lat", sa.Float()),
        sa.Column("lon", sa.Float()),
        sa.Column("coordinate_source", sa.Text()),
        sa.Column("confidence", sa.Float()),
        sa.Column("match_note", sa.Text(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_gazetteer_places"),
        sa.UniqueConstraint("key", name="uq_gazetteer_places_key"),
    )
    op.create_table(
        "gazetteer_camps",
        sa.Column("id", IdType, autoincrement=False, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("parent_id", IdType),
        sa.Column("region", sa.Text(), nullable=False),
        *[sa.Column(name, sa.Text()) for name in ("name_ru", "name_ja", "name_en", "published", "died_published")],
        sa.Column("years_from", sa.Integer()),
        sa.Column("years_to", sa.Integer()),
        sa.Column("years_basis", sa.Text()),
        sa.Column("source_url", sa.Text()),
        sa.Column("reference_row", sa.Integer(), nullable=False),
        sa.Column("reference_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gazetteer_camps"),
        sa.UniqueConstraint("key", name="uq_gazetteer_camps_key"),
    )
    op.create_table(
        "gazetteer_camp_numbers",
        sa.Column("id", IdType, autoincrement=False, nullable=False),
        sa.Column("camp_id", IdType, nullable=False),
        sa.Column("system", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Text()),
        sa.Column("valid_to", sa.Text()),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gazetteer_camp_numbers"),
    )
    op.create_index("ix_gazetteer_camp_numbers_number", "gazetteer_camp_numbers", ["number"])
    op.create_table(
        "gazetteer_camp_places",
        sa.Column("camp_id", IdType, nullable=False),
        sa.Column("place_id", IdType, nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Text()),
        sa.Column("valid_to", sa.Text()),
        sa.PrimaryKeyConstraint("camp_id", "place_id", "role", name="pk_gazetteer_camp_places"),
    )
    op.create_table(
        "gazetteer_names",
        sa.Column("id", IdType, autoincrement=False, nullable=False),
        sa.Column("place_id", IdType),
        sa.Column("camp_id", IdType),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gazetteer_names"),
    )
    op.create_index("ix_gazetteer_names_name_key", "gazetteer_names", ["name_key"])
    op.create_table(
        "gazetteer_fixes",
        sa.Column("place_key", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("place_key", name="pk_gazetteer_fixes"),
    )


def downgrade() -> None:
    op.drop_table("gazetteer_fixes")
    op.drop_index("ix_gazetteer_names_name_key", table_name="gazetteer_names")
    op.drop_table("gazetteer_names")
    op.drop_table("gazetteer_camp_places")
    op.drop_index("ix_gazetteer_camp_numbers_number", table_name="gazetteer_camp_numbers")
    op.drop_table("gazetteer_camp_numbers")
    op.drop_table("gazetteer_camps")
    op.drop_table("gazetteer_places")
