"""`kartoteka restore IN`: a backup (kartoteka.store.backup) back into a new or empty store, on either backend.

All in one transaction: the schema is made at the backup's revision, every table's rows are inserted in
chunks and checked against the manifest (row count and SHA-256 of the data), PostgreSQL's sequences are set
past the restored ids, the run files are put back (and link_runs.model_path pointed at them), and then the
schema is upgraded to this version's head. Any failure rolls all of it back; a SQLite file or run files the
restore created are removed again. A store that holds anything is refused: a restore never merges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, func, select, text, types, update
from sqlalchemy.exc import DBAPIError

from kartoteka.core.errors import KartotekaError
from kartoteka.store.backup import (
    CHUNK_ROWS,
    FORMAT,
    MANIFEST,
    PASS_THROUGH,
    SKIPPED_TABLES,
    current_revision,
    decode,
    user_tables,
)
from kartoteka.store.database import (
    MIGRATION_LOCK_KEY,
    _create_engine,
    alembic_config,
    analyze,
    sqlite_path,
    store_label,
)
from kartoteka.store.faults import store_fault

Progress = Callable[[str], None]


@dataclass
class RestoreSummary:
    """What `restore` put back."""

    store: str
    backend: str
    backup_backend: str
    backup_revision: str
    revision: str
    tables: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _corrupt(path: Path, why: str) -> KartotekaError:
    return KartotekaError("backup.corrupt", f"the backup {path} is damaged: {why}",
                          hint="nothing was restored; use another copy of the backup (and check how it was copied)")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the backup file, checked for its format and for the members it names."""
    path = Path(path)
    if not path.is_file():
        raise KartotekaError("backup.missing", f"there is no backup file at {path}",
                             hint="give the file `kartoteka backup OUT` wrote")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names:
                raise _corrupt(path, f"it has no {MANIFEST} (is it a kartoteka backup?)")
            manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(path, f"not a readable backup file ({exc}); a truncated copy looks like this") from exc
    if manifest.get("format") != FORMAT:
        raise KartotekaError("backup.format", f"{path} is in format {manifest.get('format')!r}, not {FORMAT!r}",
                             hint="restore it with the kartoteka version that wrote it")
    missing = [entry["member"] for entry in [*manifest["tables"], *manifest["files"]] if entry["member"] not in names]
    if missing:
        raise _corrupt(path, f"members missing: {', '.join(missing)}")
    return manifest


def restore(url: str, backup_file: Path, runs_dir: Path | None = None,
            progress: Progress | None = None) -> RestoreSummary:
    """Restore the backup into the store at `url` (a new SQLite file, an empty database, or an empty store).

    `runs_dir`: where the run files (models) go; link_runs.model_path is pointed at them there. None keeps
    them at their recorded paths (refused if another file is there)."""
    say = progress or (lambda _message: None)
    started = dt.datetime.now(dt.UTC)
    backup_file = Path(backup_file)
    manifest = read_manifest(backup_file)
    script = ScriptDirectory.from_config(alembic_config())
    revision = manifest["schema_revision"]
    if _unknown(script, revision):
        raise KartotekaError(
            "backup.too_new", f"the backup {backup_file} has schema revision {revision}, newer than this version "
            f"of kartoteka knows (it was written by kartoteka {manifest['kartoteka_version']})",
            hint="restore it with that version of kartoteka or a newer one (pip install -U kartoteka)")
    label = store_label(url)
    sqlite_file = sqlite_path(url)
    created_file = sqlite_file is not None and not sqlite_file.exists()
    written: list[Path] = []
    engine = _create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            summary = RestoreSummary(store=label, backend=conn.dialect.name, backup_backend=manifest["backend"],
                                     backup_revision=revision, revision=revision)
            _schema_at(conn, script, revision, label)
            tables = {table.name: table for table in user_tables(conn)}
            _check_tables(manifest, tables, backup_file)
            with zipfile.ZipFile(backup_file) as archive:
                for table in tables.values():  # parents before children
                    entry = next((e for e in manifest["tables"] if e["name"] == table.name), None)
                    if entry is not None:
                        say(f"table {table.name}")
                        if table.name == "meta":  # the backup's values, not the change marks that triggers wrote
                            conn.execute(table.delete())
                        summary.tables[table.name] = _restore_table(conn, archive, table, entry, backup_file)
                if conn.dialect.name == "postgresql":
                    _advance_sequences(conn, tables.values())
                    say("statistics for the planner")
                    analyze(conn, tables.values())
                summary.files = _restore_files(conn, archive, manifest, runs_dir, tables, backup_file, written)
            say("upgrading the schema")
            config = alembic_config(conn)
            command.upgrade(config, "heads")
            summary.revision = current_revision(conn) or revision
    except BaseException as exc:
        engine.dispose()
        for path in written:
            path.unlink(missing_ok=True)
        if created_file and sqlite_file is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        if isinstance(exc, DBAPIError):
            raise _database_error(exc, label) from exc
        raise
    engine.dispose()
    summary.seconds = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 2)
    return summary


def _unknown(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is None
    except Exception:  # alembic raises several kinds of "no such revision" errors
        return True


def _schema_at(conn: Connection, script: ScriptDirectory, revision: str, label: str) -> None:
    """Make the store's schema the backup's revision: created in a new store; an empty store moved to it."""
    current = current_revision(conn)
    config = alembic_config(conn)
    if current is None:
        if any(table.name not in SKIPPED_TABLES for table in _reflect(conn)):
            raise KartotekaError("backup.not_empty", f"the database at {label} holds tables that are not a "
                                 "kartoteka store", hint="restore into a new, empty database")
        command.upgrade(config, revision)
        return
    if _unknown(script, current):
        raise KartotekaError("store.too_new", f"the store at {label} has schema revision {current}, newer than "
                             "this version of kartoteka knows", hint="upgrade kartoteka or use another database")
    full = [table.name for table in user_tables(conn)
            if conn.execute(select(text("1")).select_from(table).limit(1)).first() is not None]
    if full:
        raise KartotekaError(
            "backup.not_empty", f"the store at {label} is not empty (rows in {', '.join(sorted(full))}): "
            "a restore never merges into a store",
            hint="restore into a new store: a new SQLite file (--database NEW.sqlite) or a new, empty PostgreSQL "
                 "database (createdb NAME, then --database postgresql://.../NAME)")
    if current != revision:
        older = {rev.revision for rev in script.iterate_revisions(current, "base")}
        if revision in older:  # the empty store is newer than the backup: take it back to the backup's revision
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def _reflect(conn: Connection) -> list[Table]:
    reflected = MetaData()
    reflected.reflect(conn)
    return list(reflected.tables.values())


def _check_tables(manifest: dict[str, Any], tables: dict[str, Table], path: Path) -> None:
    for entry in manifest["tables"]:
        table = tables.get(entry["name"])
        columns = [column["name"] for column in entry["columns"]]
        if table is None or any(name not in table.c for name in columns):
            raise _corrupt(path, f"its table {entry['name']} ({', '.join(columns)}) does not match the schema "
                                 f"at revision {manifest['schema_revision']}")


def _restore_table(conn: Connection, archive: zipfile.ZipFile, table: Table, entry: dict[str, Any],
                   path: Path) -> int:
    names = [column["name"] for column in entry["columns"]]
    converters = [_converter(conn, column["kind"], table.c[column["name"]].type) for column in entry["columns"]]
    changed = [(at, convert) for at, convert in enumerate(converters) if convert is not None]
    write = _copy_writer(conn, table, names) if conn.dialect.name == "postgresql" else _insert_writer(conn, table,
                                                                                                      names)
    digest = hashlib.sha256()
    rows = 0
    try:
        with archive.open(entry["member"]) as handle:
            for chunk in _chunks(handle, digest):
                for row in chunk:
                    for at, convert in changed:
                        row[at] = convert(row[at])
                write(chunk)
                rows += len(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, TypeError, IndexError) as exc:
        raise _corrupt(path, f"the data of table {table.name} cannot be read ({exc})") from exc
    if rows != entry["rows"] or digest.hexdigest() != entry["sha256"]:
        raise _corrupt(path, f"table {table.name} has {rows:,} rows with SHA-256 {digest.hexdigest()[:12]}…, "
                             f"the manifest says {entry['rows']:,} rows with {entry['sha256'][:12]}…")
    return rows


def _converter(conn: Connection, kind: str, column_type: types.TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """JSON value -> what the driver takes for this column (None: as it is), SQLAlchemy's bind processing included
    (on SQLite a datetime becomes SQLAlchemy's text form, as the code writes it)."""
    aware = isinstance(column_type, types.DateTime) and bool(column_type.timezone)
    bind = column_type.bind_processor(conn.dialect) if conn.dialect.name == "sqlite" else None
    if kind == "json" and conn.dialect.name == "postgresql":  # COPY takes the JSON document as its text
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    if kind in PASS_THROUGH:
        return bind
    if bind is None:
        return lambda value: decode(kind, value, aware)
    return lambda value: bind(decode(kind, value, aware))


def _insert_writer(conn: Connection, table: Table, names: list[str]) -> Callable[[list[list[Any]]], None]:
    """SQLite: one prepared INSERT, executed for a chunk of rows at once."""
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
           f"VALUES ({', '.join('?' for _ in names)})")

    def write(chunk: list[list[Any]]) -> None:
        conn.exec_driver_sql(sql, [tuple(row) for row in chunk])

    return write


def _copy_writer(conn: Connection, table: Table, names: list[str]) -> Callable[[list[list[Any]]], None]:
    """PostgreSQL: COPY FROM STDIN on the transaction's own connection (several times faster than INSERTs)."""
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    driver = conn.connection.driver_connection
    assert driver is not None

    def write(chunk: list[list[Any]]) -> None:
        try:
            with driver.cursor() as cursor, cursor.copy(sql) as copy:
                for row in chunk:
                    copy.write_row(row)
        except Exception as exc:
            if not type(exc).__module__.startswith("psycopg"):
                raise
            raise KartotekaError(
                "backup.restore_failed", f"the restore of table {table.name} failed and was rolled back: {exc}",
                hint="nothing was restored; a SQLite store can hold text PostgreSQL cannot (a NUL character): "
                     "restore that backup into SQLite, or correct the value in the SQLite store and back it up "
                     "again") from exc

    return write


def _chunks(handle: Any, digest: Any, block_size: int = 1 << 20) -> Iterator[list[list[Any]]]:
    """The rows of a table's data file, CHUNK_ROWS at a time, read in large blocks (each chunk parsed by one
    json.loads: a row's line never holds a newline, JSON escapes it); `digest` sees every byte."""
    rest = b""
    pending: list[bytes] = []
    while block := handle.read(block_size):
        digest.update(block)
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        pending.extend(lines)
        while len(pending) >= CHUNK_ROWS:
            yield json.loads(b"[" + b",".join(pending[:CHUNK_ROWS]) + b"]")
            del pending[:CHUNK_ROWS]
    if rest:  # the last line lacks its newline: the checksum will say so, the rows are read all the same
        pending.append(rest)
    if pending:
        yield json.loads(b"[" + b",".join(pending) + b"]")


def _advance_sequences(conn: Connection, tables: Any) -> None:
    """PostgreSQL: every sequence behind a restored column continues past the largest restored value."""
    for table in tables:
        for column in table.columns:
            if not isinstance(column.type, types.Integer):
                continue
            sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, column.name))).scalar()
            if sequence is None:
                continue
            conn.execute(select(func.setval(sequence, func.coalesce(select(func.max(column)).scalar_subquery() + 1,
                                                                    1), False)))


def _restore_files(conn: Connection, archive: zipfile.ZipFile, manifest: dict[str, Any], runs_dir: Path | None,
                   tables: dict[str, Table], path: Path, written: list[Path]) -> list[str]:
    """Write the run files; with `runs_dir`, point link_runs.model_path at their new place."""
    placed = []
    for entry in manifest["files"]:
        original = Path(entry["path"])
        target = (runs_dir / original.name) if runs_dir is not None else original
        try:
            data = archive.read(entry["member"])
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _corrupt(path, f"the file {entry['member']} cannot be read ({exc})") from exc
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise _corrupt(path, f"the file {entry['member']} does not match its SHA-256")
        if target.exists():
            if target.read_bytes() != data:
                if not entry.get("model", True):  # a cache from another run folder: the first one stays
                    continue
                raise KartotekaError("backup.file_exists", f"{target} exists with other contents",
                                     hint="restore with another --runs-dir, or move that file away")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
        if str(target) != entry["path"] and "link_runs" in tables:
            runs = tables["link_runs"]
            conn.execute(update(runs).where(runs.c.model_path == entry["path"]).values(model_path=str(target)))
        placed.append(str(target))
    return placed


def _database_error(exc: DBAPIError, label: str) -> KartotekaError:
    fault = store_fault(exc, label) if hasattr(exc, "orig") else None
    if fault is not None:
        return fault
    return KartotekaError("backup.restore_failed", f"the restore into {label} failed and was rolled back: "
                          f"{exc.orig}", hint="nothing was restored; the message above says which row or table")
