"""Opening a store: engine set-up for SQLite and PostgreSQL, and schema upgrades with Alembic.

A command opens PostgreSQL without a pool (NullPool: it opens few connections, and tests drop their databases right
after); a server process passes a ``ConnectionPool`` (settings pool_size, pool_overflow, pool_timeout), so that it
keeps its connections and never holds more than ``pool.most`` of them: ``workers x pool.most`` is the server's
budget, which ``connection_limit`` lets ``kartoteka serve`` check against the server's max_connections.

Alembic runs programmatically (no alembic.ini): the configuration is built here and points at the
``migrations`` folder beside this module. ``open_store`` upgrades an older store to the code's head and
refuses a store whose schema is newer than the code.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from kartoteka.core.errors import KartotekaError
from kartoteka.store.faults import store_fault
from kartoteka.store.locks import file_lock, lock_file
from kartoteka.store.schema import meta

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SERVER_APPLICATION = "kartoteka serve"  # application_name of a server process's connections, in pg_stat_activity
MIGRATION_LOCK_KEY = 0x6B617274  # "kart": the advisory lock held while a PostgreSQL store is migrated


@dataclass(frozen=True)
class ConnectionPool:
    """A server process's PostgreSQL connections: `size` kept open, up to `overflow` more at a peak; a request
    waits up to `timeout` seconds for a free one. Each connection is checked before use (pre-ping), so one the
    server closed (a restart, an idle timeout) is replaced instead of failing a request."""

    size: int = 10
    overflow: int = 0
    timeout: float = 10.0

    def __post_init__(self) -> None:
        # SQLAlchemy reads a pool_size of 0 as "no limit": refuse it rather than let a server open without end
        # A search that rebuilds a stale index holds the index's lock on one connection and works on another.
        if self.size < 1 or self.overflow < 0 or self.size + self.overflow < 2 or self.timeout <= 0:
            raise KartotekaError(
                "usage.setting", f"a connection pool of pool_size {self.size}, pool_overflow {self.overflow} and "
                                 f"pool_timeout {self.timeout:g} cannot serve",
                hint="pool_size must be at least 1, pool_overflow at least 0, the two together at least 2 (a search "
                     "that rebuilds the index needs two connections at once), and pool_timeout more than 0 seconds")

    @property
    def most(self) -> int:
        """The most connections one process holds at once."""
        return self.size + self.overflow


WRITE_FIRST = "kartoteka_write_first"  # the execution option Store.writing sets (SQLite: BEGIN IMMEDIATE)
# how long a store's "not simulated" is believed before it is asked again (Store.is_simulated)
SIMULATED_RECHECK_SECONDS = 1.0


class Store:
    """An open kartoteka database: its engine and its key/value meta table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._simulated_asked: float | None = None  # when the store last said it was not simulated
        self._simulated = False

    @property
    def label(self) -> str:
        """Which store this is, for people: the SQLite file's path, or the URL without its password."""
        return store_label(self.engine.url.render_as_string(hide_password=False))

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def get_meta(self, key: str) -> str | None:
        """The value stored under ``key`` in the meta table, or None."""
        with self.engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (replacing any earlier value)."""
        with self.engine.begin() as conn:
            set_meta_in(conn, key, value)
        self._simulated_asked = None

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that reads, then writes what it read decided (a reviewer's answer, an undo): on SQLite it
        takes the write lock at its start (BEGIN IMMEDIATE). A plain transaction that read first fails at once
        ("database is locked") when another writer committed meanwhile; this one waits its turn."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_FIRST: True})
            with conn.begin():
                yield conn

    def is_simulated(self) -> bool:
        """True when the store holds simulated data (every output made from it must say SIMULATED).

        A store never stops being simulated, so a yes is kept; a no is asked again after
        SIMULATED_RECHECK_SECONDS (every page asks: a round trip to the database each time, on a busy server)."""
        if self._simulated:
            return True
        now = time.monotonic()
        if self._simulated_asked is None or now - self._simulated_asked >= SIMULATED_RECHECK_SECONDS:
            self._simulated = (self.get_meta("simulated") or "").lower() == "true"
            self._simulated_asked = now
        return self._simulated

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def set_meta_in(conn: Any, key: str, value: str) -> None:
    """Upsert a meta value inside an open transaction (INSERT ... ON CONFLICT DO UPDATE on both backends: two
    transactions setting one key at once, as two first imports into a new PostgreSQL store do, both succeed and
    the later commit's value stays; a delete then insert made the second fail on the key)."""
    insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(meta).values(key=key, value=value)
    conn.execute(statement.on_conflict_do_update(index_elements=[meta.c.key], set_={"value": value}))


def analyze(conn: Any, tables: Iterable[Any]) -> None:
    """Refresh PostgreSQL's planner statistics of `tables` (Tables or names), just written in bulk, inside the
    caller's transaction (ANALYZE counts the transaction's own new rows). A server with autovacuum off, or slow
    to get to it, otherwise plans the portal's queries on a table it believes empty: after a restore of the full
    scale, 35 requests/s with p99 3 s. SQLite plans by its indexes alone: nothing to do there."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        name = table if isinstance(table, str) else table.name
        conn.exec_driver_sql(f'ANALYZE "{name}"')


def open_store(url: str, create: bool = True, pool: ConnectionPool | None = None) -> Store:
    """Open the database at ``url`` (SQLAlchemy URL), upgrading its schema to the code's head; with `create`,
    make the store if there is none yet (a new SQLite file, or the tables in an empty PostgreSQL database),
    else refuse, naming the store and how to make one. ``pool``: keep PostgreSQL connections in a pool of
    that size (a server process); without it each connection is closed when returned (a command)."""
    path = sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise _missing(store_label(url))
    engine = _create_engine(url, pool)
    try:
        if path is None:
            _upgrade(engine, url, create)
        else:
            # Two imports into a store not there yet: the second waits here while the first creates it
            # (SQLite's busy timeout does not cover the switch to WAL of a file being created).
            with file_lock(lock_file(path, "open")):
                _upgrade(engine, url, create)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (PostgreSQL, or SQLite in memory)."""
    if not url.startswith("sqlite"):
        return None
    database = url.split("://", 1)[1][1:] if "://" in url else ""
    return None if database in ("", ":memory:") else Path(database)


def store_label(url: str) -> str:
    """A store as people name it: the path of a SQLite file, or the URL without its password."""
    path = sqlite_path(url)
    return str(path) if path is not None else _safe(url)


def _missing(label: str) -> KartotekaError:
    return KartotekaError(
        "store.missing", f"there is no kartoteka store at {label}",
        hint="check the path (--database or KARTOTEKA_DATABASE); to make a store, import into it "
             "(`kartoteka import DIR`) or run `kartoteka init`")


def connection_limit(store: Store) -> int | None:
    """How many connections the PostgreSQL server lets ordinary roles open (max_connections less those kept for
    superusers), or None for SQLite (no server)."""
    if store.backend != "postgresql":
        return None
    with store.engine.connect() as conn:
        most = int(conn.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    return most - reserved


def _create_engine(url: str, pool: ConnectionPool | None = None) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 60})
            _configure_sqlite(engine)
            return engine
        if pool is None:  # a command: few connections, and tests drop their databases right after
            return create_engine(url, poolclass=NullPool)
        return create_engine(url, pool_size=pool.size, max_overflow=pool.overflow, pool_timeout=pool.timeout,
                             pool_pre_ping=True, connect_args={"application_name": SERVER_APPLICATION})
    except (ArgumentError, ImportError) as exc:
        raise KartotekaError(
            "store.url", f"cannot use database URL {url!r}: {exc}",
            hint="give a SQLite file path or a postgresql://user@host/dbname URL",
        ) from exc


def _configure_sqlite(engine: Engine) -> None:
    """16 KiB pages, WAL and synchronous=NORMAL for speed; explicit BEGIN so a whole import is one transaction."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; SQLAlchemy emits BEGIN below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # page_size only takes on a new, empty file (before WAL is switched on); 16 KiB pages made a
        # million-row import about 8% faster than the default 4 KiB (fewer page splits, a shorter commit).
        for pragma in ("page_size=16384", "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                       "temp_store=MEMORY", "cache_size=-16000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Store.writing: the write lock first, so a transaction that reads before it writes waits for another
        # writer (the busy timeout) instead of failing at once when that writer committed after its reads.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_FIRST) else "BEGIN")


def alembic_config(connection: Any = None) -> Config:
    """An Alembic configuration built in code, pointing at the bundled migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(engine: Engine, url: str, create: bool) -> None:
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several servers or workers may open a fresh database at once: migrate one at a time.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            current = set(MigrationContext.configure(conn).get_current_heads())
            if not current and not create:
                raise _missing(store_label(url))
            unknown = {rev for rev in current if _revision_unknown(script, rev)}
            if unknown:
                raise KartotekaError(
                    "store.too_new",
                    f"the database at {_safe(url)} has schema revision {', '.join(sorted(unknown))}, "
                    "newer than this version of kartoteka knows",
                    hint="upgrade kartoteka (pip install -U kartoteka) or use another database",
                )
            if current != heads:
                config.attributes["connection"] = conn
                command.upgrade(config, "heads")
    except OperationalError as exc:
        fault = store_fault(exc, store_label(url))
        if fault is not None:
            raise fault from exc
        server = "" if url.startswith("sqlite") else " and that the server is running"
        raise KartotekaError(
            "store.connect", f"cannot open the database at {store_label(url)}: {exc.orig}",
            hint=f"check the path or URL (KARTOTEKA_DATABASE / --database){server}",
        ) from exc


def _revision_unknown(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is None
    except Exception:  # alembic raises several kinds of "no such revision" errors
        return True


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url
