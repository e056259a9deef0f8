"""The accounts' tables (migration 0140): users, their sessions and API tokens, and access requests.

Secrets are never stored: a password as its argon2 hash, a session id and an API token as their SHA-256 (a
leaked table signs nobody in). A request's proof file is kept for the reviewer who decides it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
)

from kartoteka.store.schema import NAMING_CONVENTION

accounts_metadata = MetaData(naming_convention=NAMING_CONVENTION)
_Id = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users", accounts_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("password_hash", Text),  # argon2id; None: the account signs in with tokens only
    Column("role", Text, nullable=False),  # family | researcher | reviewer | admin
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("disabled_at", DateTime(timezone=True)),  # revoked: no login, no token, sessions ended
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("last_login_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions", accounts_metadata,
    Column("id_hash", Text, primary_key=True),  # SHA-256 of the cookie's value
    Column("user_id", _Id, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("client", Text),
    Column("ended_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

api_tokens = Table(
    "api_tokens", accounts_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("user_id", _Id, ForeignKey("users.id"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),  # SHA-256 of the token
    Column("role", Text, nullable=False),  # at most the user's role
    Column("label", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Index(None, "user_id"),
)

# A family member's request for a person's file; "granted" lets that user see the person's restricted fields.
access_requests = Table(
    "access_requests", accounts_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("user_id", _Id, ForeignKey("users.id"), nullable=False),
    Column("person_id", _Id, nullable=False),
    Column("requester", Text),  # who they say they are
    Column("relationship", Text),
    Column("proof_name", Text),
    Column("proof_type", Text),
    Column("proof_size", Integer),
    Column("proof", LargeBinary),
    Column("status", Text, nullable=False),  # requested | granted | refused | withdrawn
    Column("reason", Text),  # the reviewer's reason
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Text),
    Index(None, "user_id", "status"),
    Index(None, "person_id"),
)
