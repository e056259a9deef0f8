"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

The Alembic migrations under ``migrations/versions`` create exactly these tables; this module is what the
code queries with. A change here needs a new migration.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

# Names for constraints, so migrations on both backends agree on them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
IdType = BigInteger().with_variant(Integer(), "sqlite")

#: The normalized text fields of a record, in export order (see docs/reference/columns.md).
RECORD_FIELDS: tuple[str, ...] = (
    "surname", "given_name", "patronymic", "name_original", "script",
    "birth_date", "birth_year", "birth_place", "prefecture", "occupation", "rank", "unit", "camp", "lagpunkt",
    "capture_date", "capture_place", "death_date", "death_place", "burial_place", "burial_site", "grave_number",
    "ship", "departure_port", "arrival_port", "event_date", "archive_ref", "scan_ref",
)

sources = Table(
    "sources",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("encoding", Text),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False, default=0),
    Column("quarantined_count", Integer, nullable=False, default=0),
    Column("simulated", Boolean, nullable=False, default=False),
    # Line accounting (migration 0110): line_count = header_lines + blank_lines + the lines of the records
    # + the lines of the quarantined rows. NULL for sources imported before 0110.
    Column("line_count", Integer),
    Column("header_lines", Integer),
    Column("blank_lines", Integer),
    Column("warning_count", Integer, nullable=False, default=0, server_default="0"),
    # A follow-up (a corrected file of quarantined rows) names the source whose rows it completes.
    Column("follow_up_of", IdType),
    # A source is its file's bytes: the same file imported twice is the same source.
    UniqueConstraint("file_sha256"),
)

records = Table(
    "records",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("source_id", IdType, ForeignKey("sources.id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("record_ref", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("row_sha256", Text, nullable=False),
    Column("raw_json", Text, nullable=False),
    *[Column(name, Integer if name == "birth_year" else Text) for name in RECORD_FIELDS],
    Column("extra_json", Text),
    UniqueConstraint("source_id", "record_ref"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("source_id", IdType, ForeignKey("sources.id"), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("row_number", Integer),
    Column("column_name", Text),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    Column("raw_json", Text),
    # Migration 0110: a stable reason code (kartoteka.ingest.reasons); "error" rows are not imported,
    # "warning" rows flag a kept record (record_ref); the physical lines the entry takes and their text;
    # the follow-up source that imported the corrected row (resolved rows are kept, not deleted).
    Column("code", Text),
    Column("severity", Text, nullable=False, default="error", server_default="error"),
    Column("line_count", Integer, nullable=False, default=1, server_default="1"),
    Column("raw_text", Text),
    Column("record_ref", Text),
    Column("resolved_by", IdType),
    Index(None, "source_id"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text),
)
