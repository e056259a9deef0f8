"""The audit log's table (migration 0140): append-only. No code updates or deletes a row, and the migration
adds triggers that refuse UPDATE and DELETE on both backends (and TRUNCATE on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text

from kartoteka.store.schema import NAMING_CONVENTION

audit_metadata = MetaData(naming_convention=NAMING_CONVENTION)
_Id = BigInteger().with_variant(Integer(), "sqlite")

audit_log = Table(
    "audit_log", audit_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", Text, nullable=False),  # an account's name, "os:USER" for the CLI, "anonymous"
    Column("user_id", _Id),
    Column("action", Text, nullable=False),  # see kartoteka.audit.core.ACTIONS
    Column("target", Text),  # "record 12", "person 5", "user ana", a file path
    Column("client", Text),  # the client's address, or "cli"
    Column("outcome", Text, nullable=False, default="ok", server_default="ok"),
    Column("detail", Text),  # JSON: what else says what happened
    Index(None, "at"),
    Index(None, "who"),
)
