"""Millions of rows in and out of a SQLite store at the speed of C, through Arrow (ADBC's SQLite driver).

Python's sqlite3 module turns every value into a Python object and back: at full scale (2.3 million records
read, 7 million rows written per link run) that was most of a minute each way. The ADBC driver moves whole
Arrow columns instead.

    sqlite_file(store)                    the store's file, or None (PostgreSQL, or an in-memory SQLite)
    read_batches(path, sql, text_columns) the query's rows as Arrow record batches
    staged(path, tables)                  the frames written to a staging SQLite file, attached to a
                                          connection so that one INSERT ... SELECT per table copies them
                                          inside the caller's own transaction
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kartoteka.store.database import Store

STAGING_SCHEMA = "kartoteka_staging"


def sqlite_file(store: Store) -> Path | None:
    """The SQLite file behind `store`, or None when there is none to open a second connection on."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def read_batches(path: Path, sql: str, text_columns: Sequence[str], batch_rows: int = 100_000
                 ) -> Iterator[pa.RecordBatch]:
    """The rows of `sql` on the SQLite file `path`, `batch_rows` at a time.

    The driver guesses each column's type from its first batch, and a text column that is blank all through
    that batch would be guessed as integer (then fail on the first text). So `sql` must write each of
    `text_columns` as ``coalesce(column, '') AS column``; the blanks are turned back into nulls here (an empty
    string reads as missing, which is how the importer stores a blank)."""
    import adbc_driver_sqlite.dbapi

    with adbc_driver_sqlite.dbapi.connect(str(path)) as conn, conn.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(batch_rows)})
        cursor.execute(sql)
        for batch in cursor.fetch_record_batch():
            yield _blank_to_null(batch, text_columns)


def _blank_to_null(batch: pa.RecordBatch, text_columns: Sequence[str]) -> pa.RecordBatch:
    columns = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name in text_columns:
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


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
    ``INSERT INTO t (...) SELECT ... FROM kartoteka_staging.t`` copies each table within that transaction."""
    import adbc_driver_sqlite.dbapi

    handle, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".staging.sqlite", dir=path.parent)
    os.close(handle)
    staging = Path(name)
    attached = False
    try:
        with adbc_driver_sqlite.dbapi.connect(str(staging)) as conn, conn.cursor() as cursor:
            for table, frame in tables.items():
                cursor.adbc_ingest(table, _arrow(frame), mode="create")
            conn.commit()
        driver_connection.execute(f"ATTACH DATABASE ? AS {STAGING_SCHEMA}", (str(staging),))
        attached = True
        yield STAGING_SCHEMA
    finally:
        if attached:
            driver_connection.execute(f"DETACH DATABASE {STAGING_SCHEMA}")
        for leftover in (staging, staging.with_name(staging.name + "-journal")):
            leftover.unlink(missing_ok=True)
