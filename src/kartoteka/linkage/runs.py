"""Reading records and decisions from the store, and writing a run's persons in one transaction.

The new persons replace the previous ones inside a single transaction: a run that is interrupted or fails
before the commit leaves the previous persons intact and usable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, update

from kartoteka.linkage import person_ids
from kartoteka.linkage.tables import link_runs, match_pairs, person_records, persons
from kartoteka.store import Store, bulk, records
from kartoteka.store.database import analyze, set_meta_in

RECORD_COLUMNS = (
    "id", "kind", "record_ref", "surname", "given_name", "patronymic", "name_original", "script", "birth_year",
    "birth_place",
    "prefecture", "rank", "unit", "camp", "lagpunkt", "capture_date", "death_date", "death_place",
    "burial_site", "event_date",
)
_INTEGER_COLUMNS = ("id", "birth_year")
_BATCH = 50_000
# The catalog's table of retired person ids (catalog.tables; named here, since linkage does not import catalog).
REDIRECTS_TABLE = "person_redirects"
_READ_BATCH = 100_000


def needs_name_search(store: Store) -> bool:
    """Whether any record's name is written in another script than Cyrillic (kanji, kana, Latin): only then is
    the names decoder's search worth its time (it reads a Cyrillic spelling as the names those records hold)."""
    with store.engine.connect() as conn:
        found = conn.execute(select(records.c.id).where(records.c.script.is_not(None),
                                                        records.c.script != "cyrillic").limit(1)).first()
    return found is not None


def record_count_estimate(store: Store) -> int:
    """About how many records the store holds, at once (the largest record id: ids are never reused)."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.max(records.c.id))).scalar() or 0)


def load_records(store: Store, on_chunk: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """The records the linkage reads, as a DataFrame (one row per record; text as compact string columns).

    ``on_chunk`` sees each chunk of records as it is read (`link` hands their new names to the reading
    workers, so the names are read while the rest of the records load)."""
    chunks = []
    for chunk in record_chunks(store):
        chunks.append(_typed(chunk))
        if on_chunk is not None:
            on_chunk(chunks[-1])
    if not chunks:
        return _typed(pd.DataFrame(columns=list(RECORD_COLUMNS)))
    return pd.concat(chunks, ignore_index=True)


def record_chunks(store: Store, columns: tuple[str, ...] = RECORD_COLUMNS,
                  batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The records' ``columns`` in record order, chunk by chunk: Arrow batches (ADBC, in a child process) from a
    SQLite file, with blank text as ''; the driver's cursor on PostgreSQL. The search index reads through it too."""
    path = bulk.sqlite_file(store)
    rows = batch_rows or _READ_BATCH  # read when called (a test makes the batches small)
    return _sqlite_chunks(path, columns, rows) if path is not None else _driver_chunks(store, columns, rows)


def _sqlite_chunks(path: Path, columns: tuple[str, ...], batch_rows: int) -> Iterator[pd.DataFrame]:
    """The records as Arrow batches (ADBC): several times faster than Python's sqlite3 at millions of rows."""
    text = [name for name in columns if name not in _INTEGER_COLUMNS]
    selected = ", ".join(name if name in _INTEGER_COLUMNS else f"coalesce({name}, '') AS {name}" for name in columns)
    for batch in bulk.read_batches(path, f"SELECT {selected} FROM {records.name} ORDER BY id", text,
                                   batch_rows=batch_rows):
        yield batch.to_pandas()


def _driver_chunks(store: Store, columns: tuple[str, ...], batch_rows: int) -> Iterator[pd.DataFrame]:
    """The records through the database driver's cursor (PostgreSQL), chunk by chunk."""
    sql = f"SELECT {', '.join(columns)} FROM {records.name} ORDER BY id"
    with store.engine.connect() as conn:
        # Chunks turned into string columns at once: two million records as Python objects would take 4 GB.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch_rows):
                yield pd.DataFrame.from_records(rows, columns=list(columns))
        finally:
            cursor.close()


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types = {name: "str" for name in RECORD_COLUMNS} | {"id": "int64", "birth_year": "Int64"}
    return frame.astype(types)


def active_decisions(store: Store) -> list[tuple[int, int, str]]:
    """The reviewers' decisions in force (latest per pair; undone, unsure, skipped and stale ones left out: a
    decision whose records changed since it was taken goes back to the queue), oldest first."""
    from kartoteka.linkage.review_store import standing

    return [(d.record_id_l, d.record_id_r, d.decision) for d in standing(store)]


def start_run(store: Store, backend: str) -> int:
    """Record the start of a run (committed at once, in its own short transaction, so that other processes
    see it running and a failed run is visible as failed). The caller holds the store's link lock."""
    with store.engine.begin() as conn:
        # A run still "running" now was killed without a chance to say so (kill -9, out of memory, power
        # cut): the link lock, held by every live run, is ours.
        conn.execute(update(link_runs).where(link_runs.c.status == "running").values(status="interrupted"))
        result = conn.execute(insert(link_runs).values(
            started_at=dt.datetime.now(dt.UTC), status="running", backend=backend))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def fail_run(store: Store, run_id: int, reason: str, status: str = "failed") -> None:
    """Mark a run failed or interrupted (Ctrl-C, SIGTERM): its persons were never committed."""
    with store.engine.begin() as conn:
        conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
            status=status, finished_at=dt.datetime.now(dt.UTC), warnings_json=json.dumps([reason])))


def remove_leftovers(store: Store) -> None:
    """Remove the staging files that killed runs left beside a SQLite store."""
    path = bulk.sqlite_file(store)
    if path is not None:
        bulk.remove_stale_staging(path)


def running_runs(store: Store) -> list[dict[str, Any]]:
    """The runs marked running (a live link's, or a killed one's until the next link marks it interrupted)."""
    query = select(link_runs.c.id, link_runs.c.started_at, link_runs.c.backend).where(
        link_runs.c.status == "running").order_by(link_runs.c.id)
    with store.engine.connect() as conn:
        return [{"run_id": row.id, "started_at": str(row.started_at), "backend": row.backend}
                for row in conn.execute(query)]


def _bulk_insert(conn: Any, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame's rows with the driver's executemany on plain tuples (dicts cost 3x at 2M rows)."""
    if frame.empty:
        return
    columns = list(frame.columns)
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join([marker] * len(columns))})")
    cursor = conn.connection.driver_connection.cursor()
    try:
        # Batch by batch, so only one batch of Python values exists at a time (millions of pairs); each column
        # is turned into Python values at once, not value by value.
        for start in range(0, len(frame), _BATCH):
            batch = frame.iloc[start:start + _BATCH]
            cursor.executemany(sql, list(zip(*(_python_values(batch[name]) for name in columns), strict=True)))
    finally:
        cursor.close()


def _python_values(column: pd.Series) -> list[Any]:
    """A column as Python values with None for missing (the drivers take only Python types)."""
    kind = column.dtype.kind
    if kind in "iub":
        return column.tolist()
    if kind == "f":
        values = column.tolist()
        return [None if v != v else v for v in values] if column.hasnans else values
    values = column.astype(object).where(column.notna(), None).tolist()
    if any(isinstance(v, np.generic) for v in values):
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
    return values


def _without_indexes(conn: Any, tables: list[Any]) -> list[Any]:
    """Drop the secondary indexes of `tables` (rebuilding them after a bulk load is several times faster than
    keeping them up to date row by row); return them for _recreate. Inside the run's transaction."""
    dropped = [index for table in tables for index in table.indexes]
    for index in dropped:
        index.drop(conn)
    return dropped


def write_run(store: Store, run_id: int, person_frame: pd.DataFrame, members: pd.DataFrame,
              pairs: pd.DataFrame, run_values: dict[str, Any],
              also_write: Callable[[Any, dict[int, int]], None] | None = None) -> dict[int, int]:
    """Replace all persons with this run's, in one transaction; return cluster label -> person id.

    ``also_write(connection, cluster label -> person id)`` writes more inside the same transaction (the search
    index of `kartoteka link`), so the persons and what is derived from them change together or not at all.
    Its ``staged_tables`` (name -> frame), if it has them, are written to the staging file with the run's rows
    (attached as bulk.STAGING_SCHEMA while it runs, on a SQLite file); it copies them in itself.

    On a SQLite file the rows are first written to a staging file through Arrow and copied in by SQL inside
    the transaction (seconds, where Python's executemany took most of a minute at full scale)."""
    slot = pd.Series(np.arange(len(person_frame), dtype=np.int64), index=person_frame.index)
    member_slot = members["cluster"].map(slot).astype("int64")
    # Person ids that last (person_ids): read the previous run's memberships before the write (the caller holds
    # the link lock, so they cannot change meanwhile), keep the ids of persons whose records mostly stay together.
    assignment = person_ids.assign_ids(
        _old_memberships(store), pd.Series(member_slot.to_numpy(), index=members["record_id"].astype("int64")),
        len(person_frame), int(store.get_meta(person_ids.HIGH_WATER_KEY) or 0))
    ids = assignment.ids
    # Rows come in the order of the keys the indexes are rebuilt on (a sorted index build is several times faster).
    tables = {
        persons.name: person_frame.reset_index(drop=True).assign(id=ids, run_id=run_id).sort_values("id"),
        person_records.name: pd.DataFrame({
            "person_id": ids[member_slot.to_numpy()], "record_id": members["record_id"].astype("int64"),
            "run_id": run_id, "match_probability": members["match_probability"]}).sort_values(["person_id", "record_id"]),
        match_pairs.name: pairs.assign(run_id=run_id).sort_values(["record_id_l", "record_id_r"]),
    }
    path = bulk.sqlite_file(store)
    # The writer's own rows (the search index) go through the same staging file; it copies them itself.
    more: dict[str, pd.DataFrame] = getattr(also_write, "staged_tables", {})
    with store.engine.connect() as conn:
        driver = conn.connection.driver_connection
        with (bulk.staged(path, driver, tables | more) if path else nullcontext(None)) as staging, conn.begin():
            conn.execute(delete(person_records))
            conn.execute(delete(persons))
            conn.execute(delete(match_pairs))
            if conn.dialect.name == "sqlite":  # room for the index builds below to sort in memory (512 MiB)
                conn.exec_driver_sql("PRAGMA cache_size=-524288")
            dropped = _without_indexes(conn, [persons, person_records, match_pairs])
            for table, frame in tables.items():
                if staging is None:
                    _bulk_insert(conn, table, frame)
                else:
                    columns = ", ".join(frame.columns)
                    conn.exec_driver_sql(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}.{table}")
            for index in dropped:
                index.create(conn)
            _bulk_insert(conn, REDIRECTS_TABLE, assignment.redirects.assign(run_id=run_id))
            set_meta_in(conn, person_ids.HIGH_WATER_KEY, str(assignment.high_water))
            person_of = {int(c): int(i) for c, i in zip(slot.index, ids[slot.to_numpy()], strict=True)}
            if also_write is not None:
                also_write(conn, person_of)
            analyze(conn, [persons, person_records, match_pairs, REDIRECTS_TABLE])
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size=-2000")
            conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
                status="done", finished_at=dt.datetime.now(dt.UTC), **run_values))
    return person_of


def _old_memberships(store: Store) -> pd.DataFrame:
    """The current persons' (person_id, record_id) rows, in one query (ADBC on a SQLite file)."""
    sql = f"SELECT person_id, record_id FROM {person_records.name}"
    none = pd.DataFrame({"person_id": np.empty(0, np.int64), "record_id": np.empty(0, np.int64)})
    with store.engine.connect() as conn:  # the first run: no reader to start
        if conn.execute(select(person_records.c.person_id).limit(1)).first() is None:
            return none
    path = bulk.sqlite_file(store)
    if path is not None:
        batches = list(bulk.read_batches(path, sql, []))
        return pd.concat([batch.to_pandas() for batch in batches], ignore_index=True) if batches else none
    # PostgreSQL: the driver's fetchall (COPY TO STDOUT was slower: the server sends each row as a message)
    with store.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            values = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        finally:
            cursor.close()
    return pd.DataFrame({"person_id": values[:, 0], "record_id": values[:, 1]})


def current_assignment(store: Store) -> pd.DataFrame:
    """record_id, record_ref, kind, person_id for every record in the current persons."""
    query = select(records.c.id.label("record_id"), records.c.record_ref, records.c.kind,
                   person_records.c.person_id).join(person_records, person_records.c.record_id == records.c.id)
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(), columns=["record_id", "record_ref", "kind", "person_id"])


def current_pairs(store: Store) -> pd.DataFrame:
    """The scored pairs kept by the last finished run."""
    query = select(match_pairs.c.record_id_l, match_pairs.c.record_id_r, match_pairs.c.match_weight,
                   match_pairs.c.match_probability)
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(),
                            columns=["record_id_l", "record_id_r", "match_weight", "match_probability"])


def list_runs(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """The latest `limit` runs, newest first: status, counts, and what the reviewed pairs taught each run and the
    model's precision and recall on them (from the run's summary; None for runs before they were recorded)."""
    query = select(link_runs.c.id, link_runs.c.started_at, link_runs.c.finished_at, link_runs.c.status,
                   link_runs.c.backend, link_runs.c.record_count, link_runs.c.person_count, link_runs.c.threshold,
                   link_runs.c.model_path, link_runs.c.summary_json).order_by(link_runs.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        rows = list(conn.execute(query).mappings())
    listed = []
    for row in rows:
        summary = json.loads(row["summary_json"]) if row["summary_json"] else {}
        listed.append({**{key: row[key] for key in row if key != "summary_json"},
                       "started_at": str(row["started_at"]), "finished_at": str(row["finished_at"] or ""),
                       "labels": (summary.get("training") or {}).get("labels"), "reviewed": summary.get("reviewed")})
    return listed
