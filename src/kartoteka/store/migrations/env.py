"""Alembic environment for kartoteka. Run programmatically by kartoteka.store (there is no alembic.ini).

The caller passes an open SQLAlchemy connection in ``config.attributes["connection"]``; migrations run
inside its transaction, so a failed upgrade leaves the store as it was (PostgreSQL and SQLite both have
transactional DDL).
"""

from __future__ import annotations

from alembic import context

from kartoteka.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through the alembic CLI, which we do not ship
    raise RuntimeError("kartoteka migrations run through kartoteka.store.open_store(url)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
