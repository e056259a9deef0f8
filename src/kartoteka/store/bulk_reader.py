"""The child process that reads a SQLite store through ADBC and streams Arrow batches to its parent.

Run by ``kartoteka.store.bulk.read_batches`` as ``python bulk_reader.py PARENT_PID PATH BATCH_ROWS TEXT_COLUMNS``
with the query on stdin; it writes one Arrow IPC stream to stdout. It runs by its path (not ``-m``), so that
it loads pyarrow and the driver and nothing else of kartoteka but its process helpers.

Why a process of its own: ADBC's SQLite driver is a second copy of SQLite. Two copies on one file in one
process break each other's POSIX locks, and closing the driver's connection deleted the store's -wal and
-shm files under kartoteka's own connection: its later commits were lost on exit (issue 15). In a process
of its own the driver is one more reader among others, as SQLite's locking expects.
"""

from __future__ import annotations

import signal
import sys


def main(argv: list[str]) -> None:
    """Read the query on stdin against the SQLite file argv[2]; stream the batches to stdout."""
    from kartoteka.core.processes import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops this reader
    die_with_parent(int(argv[1]))
    path, batch_rows = argv[2], argv[3]
    text_columns = set(filter(None, argv[4].split(",")))
    sql = sys.stdin.read()

    import adbc_driver_sqlite.dbapi
    import pyarrow as pa
    import pyarrow.compute as pc

    uri = f"file:{path}?mode=ro"  # a reader never writes; it must not create a store either
    with adbc_driver_sqlite.dbapi.connect(uri) as conn, conn.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": batch_rows})
        cursor.execute(sql)
        reader = cursor.fetch_record_batch()
        with pa.ipc.new_stream(sys.stdout.buffer, reader.schema) as out:
            for batch in reader:
                columns = [pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
                           if name in text_columns else column
                           for name, column in zip(batch.schema.names, batch.columns, strict=True)]
                out.write_batch(pa.RecordBatch.from_arrays(columns, names=batch.schema.names))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
