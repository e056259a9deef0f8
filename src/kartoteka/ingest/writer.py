"""Batch writes of records and quarantine rows inside one open transaction.

SQLite gets ``executemany`` on the driver's cursor; PostgreSQL gets ``COPY ... FROM STDIN`` through psycopg,
several times faster than INSERTs. Both run inside the caller's transaction, so a failure or a kill leaves
nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from kartoteka.gazetteer.record_places import TextCollector
from kartoteka.ingest.normalize import FILE_COLUMNS, QuarantineEntry
from kartoteka.store.schema import quarantine


class BatchWriter:
    """Buffers records and quarantine entries of one source and writes them in batches."""

    def __init__(self, conn: Connection, file_values: tuple[int, str, str], columns: Sequence[str],
                 batch_size: int = 5000) -> None:
        """``file_values``: (source_id, kind, file_name), the same for every row; ``columns``: of each row tuple."""
        self.conn = conn
        # the distinct place texts of the records written, for the gazetteer's resolution after the last batch
        self.place_texts = TextCollector(columns)
        self.file_values = file_values
        self.source_id, _, self.file_name = file_values
        self.batch_size = batch_size
        self.records: list[tuple[Any, ...]] = []
        self.quarantined: list[QuarantineEntry] = []
        self.written = 0
        self.quarantined_total = 0
        self._driver: Any = conn.connection.driver_connection
        self._postgres = conn.dialect.name == "postgresql"
        names = ", ".join((*FILE_COLUMNS, *columns))
        self._copy_sql = f"COPY records ({names}) FROM STDIN"
        # SQLite: the file's constants are literals in the statement, so only the row's values are bound.
        constants = ", ".join(_sql_literal(value) for value in file_values)
        self._insert_sql = f"INSERT INTO records ({names}) VALUES ({constants}, {', '.join('?' for _ in columns)})"

    def add(self, record: tuple[Any, ...]) -> None:
        """Queue one record tuple (in the order of ``columns``); writes when the batch is full."""
        self.records.append(record)
        if len(self.records) >= self.batch_size:
            self.flush()

    def add_quarantine(self, entry: QuarantineEntry) -> None:
        """Queue one rejected row."""
        self.quarantined.append(entry)
        if len(self.quarantined) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write everything queued."""
        if self.records:
            self._write_records(self.records)
            self.place_texts.add(self.records)
            self.written += len(self.records)
            self.records = []
        if self.quarantined:
            self.conn.execute(quarantine.insert(), [
                {"source_id": self.source_id, "file_name": self.file_name, "row_number": q.row_number,
                 "column_name": q.column,
                 "value": None if q.value is None else q.value.replace("\x00", "\\x00"), "reason": q.reason,
                 "raw_json": q.raw_json.replace("\x00", "\\u0000"), "code": q.code, "severity": q.severity,
                 "line_count": q.line_count, "record_ref": q.record_ref,
                 "raw_text": None if q.raw_text is None else q.raw_text.replace("\x00", "\\x00")}
                for q in self.quarantined
            ])
            self.quarantined_total += len(self.quarantined)
            self.quarantined = []

    def _write_records(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if self._postgres:
            constants = self.file_values
            with self._driver.cursor() as cursor, cursor.copy(self._copy_sql) as copy:
                for row in rows:
                    copy.write_row(constants + row)
        else:
            cursor = self._driver.cursor()
            try:
                cursor.executemany(self._insert_sql, rows)
            finally:
                cursor.close()


def _sql_literal(value: int | str) -> str:
    """A SQL literal for an id or a text (quotes doubled; NUL cannot occur in a kind or a file name)."""
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"
