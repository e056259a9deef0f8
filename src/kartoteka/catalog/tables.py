"""The catalog's tables (migration 0120): where a retired person id's records went, and readers' corrections."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text

from kartoteka.store.schema import NAMING_CONVENTION

catalog_metadata = MetaData(naming_convention=NAMING_CONVENTION)
_Id = BigInteger().with_variant(Integer(), "sqlite")

# A person id that a run retired (its records merged into another person, or split among several): each row
# says where some of its records went, so a permalink never dies.
person_redirects = Table(
    "person_redirects", catalog_metadata,
    Column("old_person_id", _Id, primary_key=True),
    Column("new_person_id", _Id, primary_key=True),
    Column("run_id", _Id, nullable=False),
    Column("reason", Text, nullable=False),  # merged | split | removed
    Column("records_moved", Integer, nullable=False),
)

corrections = Table(
    "corrections", catalog_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("person_id", _Id),
    Column("record_id", _Id),
    Column("text", Text, nullable=False),
    Column("contact", Text),
    Column("language", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False, default="new", server_default="new"),
    Index(None, "person_id"),
)
