"""Millions of rows in and out of a SQLite store at the speed of C, through Arrow (ADBC's SQLite driver).

Python's sqlite3 module turns every value into a Python object and back: at full scale (2.3 million records
read, 7 million rows written per link run) that was most of a minute each way. The ADBC driver moves whole
Arrow columns instead.

    sqlite_file(store)                    the store's file, or None (PostgreSQL, or an in-memory SQLite)
    read_batches(path, sql, text_columns) the query's rows as Arrow record batches (read in a child process:
                                          one copy of SQLite per store file in a process, see bulk_reader)
    staged(path, tables)                  the frames written to a staging SQLite file, attached to a
                                          connection so that one INSERT ... SELECT per table copies them
                                          inside the caller's own transaction (the staging file is
                                          another file: the driver may write it in this process)
    copy_frame(conn, table, frame)        a frame's rows into a PostgreSQL table by COPY (CSV made by pandas in C,
                                          not row by row in Python)
"""

from __future__ import annotations

import contextlib
import glob
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from kartoteka.core.errors import KartotekaError
from kartoteka.store.database import Store
from kartoteka.store.locks import flock

STAGING_SCHEMA = "kartoteka_staging"
STAGING_SUFFIX = ".staging.sqlite"
_READER = Path(__file__).with_name("bulk_reader.py")


def sqlite_file(store: Store) -> Path | None:
    """The SQLite file behind `store`, or None when there is none to open a second connection on."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def read_batches(path: Path, sql: str, text_columns: Sequence[str], batch_rows: int = 100_000
                 ) -> Iterator[pa.RecordBatch]:
    """The rows of `sql` on the SQLite file `path`, `batch_rows` at a time, read in a child process.

    The driver runs in a process of its own (see ``bulk_reader``): in this process it would be a second copy
    of SQLite beside kartoteka's own connection, and closing it lost that connection's later commits.
    The driver guesses each column's type from its first batch, and a text column that is blank all through
    that batch would be guessed as integer (then fail on the first text). So `sql` must write each of
    `text_columns` as ``coalesce(column, '') AS column``; the blanks are turned back into nulls (an empty
    string reads as missing, which is how the importer stores a blank)."""
    command = [sys.executable, str(_READER), str(os.getpid()), str(path), str(batch_rows), ",".join(text_columns)]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(sql.encode())
            child.stdin.close()
            try:
                yield from pa.ipc.open_stream(child.stdout)
            except (pa.ArrowInvalid, OSError) as exc:
                # The stream ended early: the child failed (and says why on stderr) or was killed; cut inside a
                # message, Arrow says "Expected to be able to read N bytes" (an OSError).
                child.wait()
                errors.seek(0)
                raise _reader_failed(path, child.returncode, errors.read()) from exc
            if child.wait() != 0:
                errors.seek(0)
                raise _reader_failed(path, child.returncode, errors.read())
        finally:
            if child.poll() is None:  # the caller stopped early (an error, Ctrl-C): stop the reader
                child.kill()
                child.wait()
            child.stdout.close()  # type: ignore[union-attr]


def _reader_failed(path: Path, returncode: int, stderr: bytes) -> KartotekaError:
    stopped = f"killed by signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
    last = stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"the reader process stopped ({stopped})"]
    return KartotekaError("store.read", f"cannot read the records of {path}: {last[0]}",
                          hint="check the file with `sqlite3 FILE 'pragma integrity_check'`; "
                               "if it is damaged, restore it from a backup", file=str(path))


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table the driver can store: a column with no values at all is written as text."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for position, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(position, field.name, table.column(position).cast(pa.string()))
    return table


@contextlib.contextmanager
def staged(path: Path, driver_connection: Any, tables: dict[str, pd.DataFrame]) -> Iterator[str]:
    """Write `tables` (name -> frame) to a staging SQLite file beside `path` and attach it to the sqlite3
    `driver_connection` as STAGING_SCHEMA; yield the schema name. The file is detached and removed on exit.

    Attach before the caller's transaction begins (SQLite refuses ATTACH inside one); then
    ``INSERT INTO t (...) SELECT ... FROM kartoteka_staging.t`` copies each table within that transaction.
    The file is locked (flock) while in use, so that the next run can tell a killed run's leftover, which it
    removes, from the staging file of a run still going."""
    import adbc_driver_sqlite.dbapi

    remove_stale_staging(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=STAGING_SUFFIX, dir=path.parent)
    staging = Path(name)
    attached = False
    try:
        flock(handle)
        with adbc_driver_sqlite.dbapi.connect(str(staging)) as conn, conn.cursor() as cursor:
            for table, frame in tables.items():
                cursor.adbc_ingest(table, _arrow(frame), mode="create")
            conn.commit()
        driver_connection.execute(f"ATTACH DATABASE ? AS {STAGING_SCHEMA}", (str(staging),))
        attached = True
        yield STAGING_SCHEMA
    finally:
        try:
            if attached:
                driver_connection.execute(f"DETACH DATABASE {STAGING_SCHEMA}")
        finally:
            _remove(staging)
            os.close(handle)


def copy_frame(conn: Any, table: str, frame: pd.DataFrame, chunk_rows: int = 200_000) -> None:
    """COPY `frame`'s rows into `table` on a PostgreSQL connection (SQLAlchemy, inside the caller's transaction).

    Missing values (None, NaN, pandas' NA) are NULL, and so is an empty string; integer columns with gaps must be nullable integers
    ("Int64"), not floats, which COPY refuses for an integer column."""
    import csv

    if frame.empty:
        return
    columns = ", ".join(frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(frame), chunk_rows):
                text = frame.iloc[start:start + chunk_rows].to_csv(header=False, index=False, na_rep="",
                                                                    quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
                copy.write(text.encode())
    finally:
        cursor.close()


def remove_stale_staging(path: Path) -> list[Path]:
    """Remove the staging files beside the store `path` that no live run holds (a killed run's); return them."""
    removed = []
    for candidate in path.parent.glob(f".{glob.escape(path.stem)}-*{STAGING_SUFFIX}"):
        try:
            handle = os.open(candidate, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile
        try:
            if flock(handle, wait=False):
                _remove(candidate)
                removed.append(candidate)
        finally:
            os.close(handle)
    return removed


def _remove(staging: Path) -> None:
    for leftover in (staging, staging.with_name(staging.name + "-journal")):
        leftover.unlink(missing_ok=True)
