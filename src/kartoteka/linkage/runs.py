"""Reading records and decisions from the store, and writing a run's persons in one transaction.

The new persons replace the previous ones inside a single transaction: a run that is interrupted or fails
before the commit leaves the previous persons intact and usable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, update

from kartoteka.linkage.tables import decisions, link_runs, match_pairs, person_records, persons
from kartoteka.store import Store, records

RECORD_COLUMNS = (
    "id", "kind", "record_ref", "surname", "given_name", "name_original", "script", "birth_year", "birth_place",
    "prefecture", "rank", "unit", "camp", "lagpunkt", "capture_date", "death_date", "death_place",
    "burial_site", "event_date",
)
_BATCH = 50_000
_READ_BATCH = 100_000


def load_records(store: Store, on_chunk: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    """The records the linkage reads, as a DataFrame (one row per record; text as compact string columns).

    ``on_chunk`` sees each chunk of records as it is read (`link` hands their new names to the reading
    workers, so the names are read while the rest of the records load)."""
    sql = f"SELECT {', '.join(RECORD_COLUMNS)} FROM {records.name} ORDER BY id"
    chunks = []
    with store.engine.connect() as conn:
        # The driver's cursor, in chunks turned into string columns at once: two million records as Python
        # objects would take 4 GB, as string columns a fraction of it.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(_READ_BATCH):
                chunks.append(_typed(pd.DataFrame.from_records(rows, columns=list(RECORD_COLUMNS))))
                if on_chunk is not None:
                    on_chunk(chunks[-1])
        finally:
            cursor.close()
    if not chunks:
        return _typed(pd.DataFrame(columns=list(RECORD_COLUMNS)))
    return pd.concat(chunks, ignore_index=True)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types = {name: "str" for name in RECORD_COLUMNS} | {"id": "int64", "birth_year": "Int64"}
    return frame.astype(types)


def active_decisions(store: Store) -> list[tuple[int, int, str]]:
    """The reviewers' decisions in force (latest per pair, undone ones left out), oldest first."""
    query = select(decisions.c.record_id_l, decisions.c.record_id_r, decisions.c.decision).where(
        decisions.c.undone_at.is_(None)).order_by(decisions.c.id)
    latest: dict[tuple[int, int], str] = {}
    with store.engine.connect() as conn:
        for left, right, decision in conn.execute(query):
            latest[(min(left, right), max(left, right))] = decision
    return [(left, right, decision) for (left, right), decision in latest.items()]


def start_run(store: Store, backend: str) -> int:
    """Record the start of a run (committed at once, so a failed run is visible as failed)."""
    with store.engine.begin() as conn:
        # A run still "running" now was killed without a chance to say so (out of memory, power cut).
        conn.execute(update(link_runs).where(link_runs.c.status == "running").values(status="interrupted"))
        result = conn.execute(insert(link_runs).values(
            started_at=dt.datetime.now(dt.UTC), status="running", backend=backend))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def fail_run(store: Store, run_id: int, reason: str) -> None:
    """Mark a run failed (its persons were never committed)."""
    with store.engine.begin() as conn:
        conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
            status="failed", finished_at=dt.datetime.now(dt.UTC), warnings_json=json.dumps([reason])))


def _bulk_insert(conn: Any, table: Any, frame: pd.DataFrame) -> None:
    """Insert a DataFrame's rows with the driver's executemany on plain tuples (dicts cost 3x at 2M rows)."""
    if frame.empty:
        return
    columns = list(frame.columns)
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
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
              pairs: pd.DataFrame, run_values: dict[str, Any]) -> dict[int, int]:
    """Replace all persons with this run's, in one transaction; return cluster label -> person id."""
    with store.engine.begin() as conn:
        first_id = int(conn.execute(select(func.coalesce(func.max(persons.c.id), 0))).scalar_one()) + 1
        person_ids = {int(c): first_id + i for i, c in enumerate(person_frame.index)}
        conn.execute(delete(person_records))
        conn.execute(delete(persons))
        conn.execute(delete(match_pairs))
        if conn.dialect.name == "sqlite":  # room for the index builds below (the default cache is 2 MB)
            conn.exec_driver_sql("PRAGMA cache_size=-131072")
        dropped = _without_indexes(conn, [persons, person_records, match_pairs])
        rows = person_frame.reset_index(drop=True)
        rows.insert(0, "id", [person_ids[int(c)] for c in person_frame.index])
        rows.insert(1, "run_id", run_id)
        _bulk_insert(conn, persons, rows)
        _bulk_insert(conn, person_records, pd.DataFrame({
            "person_id": members["cluster"].map(person_ids).astype("int64"),
            "record_id": members["record_id"].astype("int64"), "run_id": run_id,
            "match_probability": members["match_probability"]}))
        _bulk_insert(conn, match_pairs, pairs.assign(run_id=run_id))
        for index in dropped:
            index.create(conn)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-2000")
        conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(
            status="done", finished_at=dt.datetime.now(dt.UTC), **run_values))
    return person_ids


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
