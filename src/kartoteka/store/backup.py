"""`kartoteka backup OUT`: a whole store in one file, read from one consistent snapshot.

The file is a ZIP archive:

- ``manifest.json``: the format, the kartoteka version, the schema revision (Alembic), the backend, when it
  was made, whether the store holds simulated data, and per table its columns (with their kind), its row
  count and the SHA-256 of its data; the run files with their SHA-256.
- ``tables/NAME.jsonl``: one JSON array per row, deflated. JSON keeps every value exactly: text with any
  Unicode (NUL included), integers of any size, floats (``repr`` round-trips), booleans and NULLs; dates and
  times are ISO 8601 text (UTC wall time, the same on both backends), bytes are base64.
- ``files/N-NAME``: the files the store points to (each link run's model, ``link_runs.model_path``), so that a
  restored store can score again with the same model, and the other files of their run folder (the reading
  cache).

The tables are not listed in this code: every table of the store's schema (reflected from the database, at
whatever revision it is) goes into the backup, except Alembic's own ``alembic_version``, whose revision the
manifest records. Rows are streamed in chunks (a full-scale store has millions of records and pairs) in the
order of each table's primary key (or of all its columns), so that the same data gives the same checksums on
SQLite and on PostgreSQL. The snapshot: one read transaction (SQLite in WAL mode reads one snapshot; on
PostgreSQL a REPEATABLE READ, READ ONLY transaction), so a backup taken while the server runs is consistent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, select, types
from sqlalchemy.exc import OperationalError

from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import _create_engine, sqlite_path, store_label

FORMAT = "kartoteka-backup/1"
MANIFEST = "manifest.json"
SKIPPED_TABLES = frozenset({"alembic_version"})
CHUNK_ROWS = 5000
#: deflate level: 1 writes a full-scale store in about half the time of the default 6, for ~15% more bytes
COMPRESS_LEVEL = 1

Progress = Callable[[str], None]


@dataclass
class BackupSummary:
    """What `backup` wrote."""

    path: str
    store: str
    backend: str
    revision: str
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing_files: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0


# ---- the value encoding, shared with restore --------------------------------------------------------------

def column_kind(column_type: types.TypeEngine[Any]) -> str:
    """How a column's values are written: int, float, bool, datetime, date, time, bytes, json, text."""
    checks: tuple[tuple[type, str], ...] = (
        (types.Boolean, "bool"), (types.Integer, "int"), (types.Float, "float"), (types.Numeric, "decimal"),
        (types.DateTime, "datetime"), (types.Date, "date"), (types.Time, "time"),
        (types.LargeBinary, "bytes"), (types._Binary, "bytes"), (types.JSON, "json"),
    )
    for kind_type, kind in checks:
        if isinstance(column_type, kind_type):
            return kind
    return "text"


def encode(kind: str, value: Any) -> Any:
    """A column's value as JSON (see column_kind); None stays None."""
    if value is None:
        return None
    if kind == "datetime":
        if value.tzinfo is not None:  # PostgreSQL's timestamptz: the UTC wall time, as SQLite stores it
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if kind in ("date", "time"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "decimal":
        return str(value)
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    return value


def decode(kind: str, value: Any, aware: bool = False) -> Any:
    """The value back from JSON for an insert; `aware`: the target column keeps time zones (PostgreSQL)."""
    if value is None:
        return None
    if kind == "datetime":
        moment = dt.datetime.fromisoformat(value)
        return moment.replace(tzinfo=dt.UTC) if aware else moment
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "decimal":
        from decimal import Decimal

        return Decimal(value)
    return value


PASS_THROUGH = frozenset({"int", "float", "bool", "text", "json"})  # values JSON writes as they come
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode


def user_tables(conn: Connection) -> list[Table]:
    """Every table of the store's schema (reflected), in an order that inserts parents before children."""
    reflected = MetaData()
    reflected.reflect(conn)
    return [table for table in reflected.sorted_tables if table.name not in SKIPPED_TABLES]


def current_revision(conn: Connection) -> str | None:
    """The store's Alembic revision (None: no kartoteka schema there)."""
    heads = sorted(MigrationContext.configure(conn).get_current_heads())
    if len(heads) > 1:
        raise KartotekaError("backup.revision", f"the store has several schema heads ({', '.join(heads)})",
                             hint="open it once with this version of kartoteka (`kartoteka status`) to upgrade it")
    return heads[0] if heads else None


def kartoteka_version() -> str:
    """The installed kartoteka's version."""
    try:
        return importlib_metadata.version("kartoteka")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# ---- writing a backup -------------------------------------------------------------------------------------

def backup(url: str, out: Path, progress: Progress | None = None) -> BackupSummary:
    """Write the store at `url` into the file `out` (a new file: an existing one is refused).

    The file appears only when it is complete (written as OUT.partial, then renamed)."""
    say = progress or (lambda _message: None)
    started = dt.datetime.now(dt.UTC)
    out = Path(out)
    if out.exists():
        raise KartotekaError("backup.exists", f"{out} exists already",
                             hint="give a new file name (e.g. with the date in it) or remove the old file first")
    label = store_label(url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise KartotekaError("store.missing", f"there is no kartoteka store at {label}",
                             hint="check the path (--database or KARTOTEKA_DATABASE)")
    partial = out.with_name(out.name + ".partial")
    engine = _create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin(), zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED,
                                               compresslevel=COMPRESS_LEVEL) as archive:
                summary = _write(conn, archive, label, str(out), started, say)
        os.replace(partial, out)
    except OperationalError as exc:
        raise KartotekaError("store.connect", f"cannot read the store at {label}: {exc.orig}",
                             hint="check the path or URL (KARTOTEKA_DATABASE / --database)") from exc
    except OSError as exc:
        raise KartotekaError("backup.write", f"cannot write the backup {out}: {exc}",
                             hint="check the folder exists, is writable and has room") from exc
    finally:
        engine.dispose()
        partial.unlink(missing_ok=True)
    summary.bytes = out.stat().st_size
    summary.seconds = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 2)
    return summary


def _write(conn: Connection, archive: zipfile.ZipFile, label: str, out: str, started: dt.datetime,
           say: Progress) -> BackupSummary:
    revision = current_revision(conn)
    if revision is None:
        raise KartotekaError("store.missing", f"there is no kartoteka store at {label}",
                             hint="check the path or URL (--database or KARTOTEKA_DATABASE)")
    summary = BackupSummary(path=out, store=label, backend=conn.dialect.name, revision=revision)
    tables = []
    for table in sorted(user_tables(conn), key=lambda t: t.name):
        say(f"table {table.name}")
        entry = _write_table(conn, archive, table)
        tables.append(entry)
        summary.tables[table.name] = entry["rows"]
    files = _write_files(conn, archive, summary)
    simulated = _simulated(conn)
    manifest = {
        "format": FORMAT, "kartoteka_version": kartoteka_version(), "schema_revision": revision,
        "backend": conn.dialect.name, "created_at": started.isoformat(timespec="seconds"),
        "simulated": simulated, "tables": tables, "files": files,
    }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return summary


def _write_table(conn: Connection, archive: zipfile.ZipFile, table: Table) -> dict[str, Any]:
    kinds = [column_kind(column.type) for column in table.columns]
    converted = [(at, kind) for at, kind in enumerate(kinds) if kind not in PASS_THROUGH]
    order = list(table.primary_key.columns) or list(table.columns)
    query = select(*table.columns).order_by(*order)
    digest = hashlib.sha256()
    rows = 0
    member = f"tables/{table.name}.jsonl"
    with archive.open(member, "w", force_zip64=True) as handle:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(query)
        for chunk in result.partitions(CHUNK_ROWS):
            if converted:
                rows_out: list[Any] = []
                for row in chunk:
                    values = list(row)
                    for at, kind in converted:
                        values[at] = encode(kind, values[at])
                    rows_out.append(values)
            else:
                rows_out = [list(row) for row in chunk]
            lines = "".join(_to_json(values) + "\n" for values in rows_out).encode("utf-8")
            digest.update(lines)
            handle.write(lines)
            rows += len(chunk)
    return {"name": table.name, "member": member, "rows": rows, "sha256": digest.hexdigest(),
            "columns": [{"name": column.name, "kind": kind} for column, kind in zip(table.columns, kinds,
                                                                                   strict=True)]}


def run_file_paths(conn: Connection) -> list[str]:
    """The files the store points to: each link run's model (link_runs.model_path), if the table is there."""
    reflected = MetaData()
    reflected.reflect(conn, only=lambda name, _meta: name == "link_runs")
    table = reflected.tables.get("link_runs")
    if table is None or "model_path" not in table.c:
        return []
    query = select(table.c.model_path).where(table.c.model_path.is_not(None)).distinct()
    return sorted(str(value) for value in conn.execute(query).scalars())


def run_folder_files(conn: Connection) -> list[tuple[Path, bool]]:
    """The run files to keep: each model the store points to (True), then the other files of the folders they
    are in (False: the reading cache, which spares a restored store reading every name again)."""
    models = [Path(path) for path in run_file_paths(conn)]
    found = {path for path in models if path.is_file()}
    extras: set[Path] = set()
    for folder in {path.parent for path in found}:
        extras |= {path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")
                   and not path.name.endswith((".partial", ".tmp", ".lock")) and path not in found}
    return [(path, True) for path in models] + [(path, False) for path in sorted(extras)]


def _write_files(conn: Connection, archive: zipfile.ZipFile, summary: BackupSummary) -> list[dict[str, Any]]:
    files = []
    for number, (source, referenced) in enumerate(run_folder_files(conn), start=1):
        if not source.is_file():
            summary.missing_files.append(str(source))
            continue
        member = f"files/{number}-{source.name}"
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as reader, archive.open(member, "w", force_zip64=True) as writer:
            for block in _blocks(reader):
                digest.update(block)
                writer.write(block)
                size += len(block)
        files.append({"path": str(source), "member": member, "sha256": digest.hexdigest(), "bytes": size,
                      "model": referenced})
        summary.files += 1
    return files


def _blocks(reader: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while block := reader.read(size):
        yield block


def _simulated(conn: Connection) -> bool:
    reflected = MetaData()
    reflected.reflect(conn, only=lambda name, _meta: name == "meta")
    table = reflected.tables.get("meta")
    if table is None:
        return False
    value = conn.execute(select(table.c.value).where(table.c.key == "simulated")).scalar()
    return (value or "").lower() == "true"
