"""kartoteka.store: the database (SQLite by default, PostgreSQL for many users), its schema and migrations.

    >>> store = open_store("sqlite:///kartoteka.sqlite")
    >>> store.is_simulated()
"""

from kartoteka.store.database import ConnectionPool, Store, alembic_config, connection_limit, open_store
from kartoteka.store.schema import RECORD_FIELDS, meta, metadata, quarantine, records, sources

__all__ = [
    "RECORD_FIELDS",
    "ConnectionPool",
    "Store",
    "alembic_config",
    "connection_limit",
    "meta",
    "metadata",
    "open_store",
    "quarantine",
    "records",
    "sources",
]
