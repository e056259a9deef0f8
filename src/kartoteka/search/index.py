"""The search index: its rows from the linkage's features, written with the persons or rebuilt alone.

    index_frame(features)                 one row per record: name keys, birth year, prefecture, camp, fate
    index_writer(features, cluster_of)    the RunWriter `kartoteka link` passes to linkage.service.link (its rows
                                          travel in the run's staging file on SQLite, by COPY on PostgreSQL)
    rebuild(store, progress)              the index of the records and the current persons (one transaction)
    freshness(store)                      whether the index is there and matches the records and the last run
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, func, select

from kartoteka.core.bulk_work import collector_paused
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import runs
from kartoteka.linkage.features import blocking_key
from kartoteka.linkage.reading_cache import ReadingCache
from kartoteka.linkage.tables import link_runs, person_records
from kartoteka.search.build import index_rows, load_index_records
from kartoteka.search.tables import META_LAST_RECORD, META_RUN, SECONDARY_INDEXES, search_index
from kartoteka.search.types import IndexSummary
from kartoteka.store import Store, bulk
from kartoteka.store.database import analyze, set_meta_in

INDEX_COLUMNS = tuple(column.name for column in search_index.columns)
_DIED_KINDS = ("death_roster", "burial")
_BATCH = 50_000


def _joined(values: pd.Series, extra: pd.Series) -> np.ndarray:
    """Every folded reading of a name part (the reading set and the literal reading), space-separated; None for
    none. Column by column in Arrow: a Python loop over two million records took most of the index's build."""
    sets = _list_array(values)
    literal = pa.array(extra.astype(object).where(extra.notna(), None).to_numpy(), type=pa.string())
    # whether the literal reading is one of the set's (then it is not added again)
    parents = pc.list_parent_indices(sets).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(sets)
    equal = pc.equal(flat, pc.take(literal, pa.array(parents))).fill_null(False).to_numpy(zero_copy_only=False)
    present = np.zeros(len(literal), dtype=bool)
    present[parents[equal]] = True
    joined = pc.binary_join(sets, " ")  # null where the set is null, "" where it is empty
    adds = pc.and_(pc.invert(pa.array(present)), pc.greater(pc.utf8_length(literal), 0)).fill_null(False)
    with_literal = pc.if_else(pc.greater(pc.utf8_length(joined), 0).fill_null(False),
                              pc.binary_join_element_wise(joined, literal, " "), literal)
    out = pc.if_else(adds, with_literal, joined)
    out = pc.if_else(pc.equal(out, "").fill_null(True), pa.scalar(None, pa.string()), out)
    return out.to_numpy(zero_copy_only=False)


def _list_array(values: pd.Series) -> pa.Array:
    """A column of lists of strings (Arrow-backed or Python lists) as one Arrow list array."""
    if isinstance(values.array, pd.arrays.ArrowExtensionArray):
        arrow = pa.array(values.array)  # its Arrow data (__arrow_array__), without a copy
        combined = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
        return combined.cast(pa.list_(pa.string()))
    return pa.array([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else list(v)
                     for v in values.tolist()], type=pa.list_(pa.string()))


def _coarse(values: pd.Series) -> pd.Series:
    """The coarse key (linkage.features.blocking_key) of each folded literal reading, once per distinct value."""
    codes, distinct = pd.factorize(values.astype(object), use_na_sentinel=True)
    lookup = np.array([blocking_key(v) for v in distinct.tolist()] + [None], dtype=object)
    return pd.Series(lookup[codes], index=values.index, dtype=object)


def _record_fate(features: pd.DataFrame) -> np.ndarray:
    """What one record says of the fate (as linkage.persons does for a person): a death, a return, or nothing."""
    kind = features["kind"].astype(object)
    died = features["death_date"].notna() | features["death_month"].notna() | kind.isin(_DIED_KINDS)
    home = kind.eq("manifest")
    return np.where(died.to_numpy(), "died", np.where(home.to_numpy(), "repatriated", "unknown"))


def _text(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), None)


def index_frame(features: pd.DataFrame) -> pd.DataFrame:
    """One index row per record of a features frame (linkage.features.build_features); no person yet. In record
    order (the table's own order: its key is the record id)."""
    death_year = pd.to_numeric(features["death_month"].astype(object).str[:4], errors="coerce")
    frame = pd.DataFrame({
        "record_id": features["unique_id"].astype("int64").to_numpy(),
        "kind": _text(features["kind"]).to_numpy(),
        "sn_key": _text(features["sn_key"]).to_numpy(), "gn_key": _text(features["gn_key"]).to_numpy(),
        "sn_key2": _text(features["sn_key2"]).to_numpy(), "gn_key2": _text(features["gn_key2"]).to_numpy(),
        "sn_lkey": _coarse(features["sn_lit"]).to_numpy(), "gn_lkey": _coarse(features["gn_lit"]).to_numpy(),
        "sn_fold": _text(features["sn_fold"]).to_numpy(),
        "sn_set": _joined(features["sn_set"], features["sn_lit"]),
        "gn_set": _joined(features["gn_set"], features["gn_lit"]),
        "birth_year": features["birth_year"].astype("Int64").array,
        "pref": features["pref"].astype("Int64").array,
        "camp": _text(features["camp"]).to_numpy(),
        "fate": _record_fate(features),
        "death_year": pd.array(death_year, dtype="Int64"),
    })
    return frame.sort_values("record_id", kind="stable").reset_index(drop=True)


class IndexWriter:
    """The RunWriter of `kartoteka link`: the rows are built from the features now (the link drops them before
    writing) and written inside the run's transaction. On a SQLite file they travel in the run's staging file
    (``staged_tables``, see linkage.runs.write_run) and each takes its person from the run's person_records."""

    def __init__(self, features: pd.DataFrame, cluster_of: pd.Series) -> None:
        self.frame = index_frame(features)
        self.clusters = self.frame["record_id"].map(cluster_of)
        self.staged_tables = {search_index.name: self.frame}

    def __call__(self, conn: Any, person_of: dict[int, int]) -> None:
        run_id = conn.execute(select(func.max(link_runs.c.id)).where(link_runs.c.status == "running")).scalar()
        if _staged(conn):
            write_rows(conn, self.frame, run_id, staged=True)
            return
        person = self.clusters.map(person_of).astype("Int64")
        write_rows(conn, self.frame.assign(person_id=person.array), run_id)


def index_writer(features: pd.DataFrame, cluster_of: pd.Series) -> Callable[[Any, dict[int, int]], None]:
    """What `kartoteka link` passes as also_write: the index written with the persons (IndexWriter)."""
    return IndexWriter(features, cluster_of)


def _staged(conn: Any) -> bool:
    """Whether the index rows wait in a staging file attached to this SQLite connection."""
    if conn.dialect.name != "sqlite":
        return False
    found = conn.exec_driver_sql(f"SELECT 1 FROM pragma_database_list WHERE name = '{bulk.STAGING_SCHEMA}'").first()
    if found is None:
        return False
    return conn.exec_driver_sql(f"SELECT 1 FROM {bulk.STAGING_SCHEMA}.sqlite_master WHERE type = 'table' AND "
                                f"name = '{search_index.name}'").first() is not None


def write_rows(conn: Any, frame: pd.DataFrame, run_id: int | None, staged: bool = False) -> None:
    """Replace the index with `frame`'s rows inside the caller's transaction, and record whose index it is.

    ``staged``: the rows (without person) wait in the attached staging file; each takes its person from
    person_records (written before, in the same transaction). Otherwise `frame` carries person_id (or not,
    before any link) and goes in by COPY on PostgreSQL, executemany on an in-memory SQLite. The secondary
    indexes are built after the load (several times faster than keeping them up to date)."""
    with _bulk_settings(conn):
        _write_rows(conn, frame, run_id, staged)
    analyze(conn, [search_index])


@contextmanager
def _bulk_settings(conn: Any) -> Iterator[None]:
    """The connection's settings for replacing millions of rows, restored after.

    SQLite: the old rows are dropped without zeroing their pages first (Python's SQLite, as Debian's, is built
    with secure_delete on; the index is derived from the records, which stay). PostgreSQL: room for the index
    builds to sort in memory (SET LOCAL: until the transaction ends)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        yield
        return
    if conn.dialect.name != "sqlite":
        yield
        return
    secure = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    conn.exec_driver_sql("PRAGMA secure_delete=0")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA secure_delete={int(secure or 0)}")


def _write_rows(conn: Any, frame: pd.DataFrame, run_id: int | None, staged: bool) -> None:
    if conn.dialect.name == "postgresql":
        # TRUNCATE, not DELETE: no dead row versions to write and vacuum. The index drops below lock the table
        # against readers until the commit anyway, so it costs the readers nothing more.
        conn.exec_driver_sql(f"TRUNCATE {search_index.name}")
    else:
        conn.execute(delete(search_index))
    for index in SECONDARY_INDEXES:
        index.drop(conn)
    frame = frame.assign(run_id=run_id)
    if "person_id" not in frame.columns and not staged:
        frame = frame.assign(person_id=pd.array([None] * len(frame), dtype="Int64"))
    # Integer columns with gaps stay integers (a float 1915.0 is refused by COPY for an integer column).
    frame = frame.astype({name: "Int64" for name in _INTEGERS if name in frame.columns})
    if staged:
        _copy_staged(conn, [c for c in INDEX_COLUMNS if c not in ("person_id", "run_id")], run_id)
    elif conn.dialect.name == "postgresql":
        bulk.copy_frame(conn, search_index.name, frame[list(INDEX_COLUMNS)])
    else:
        _insert(conn, frame[list(INDEX_COLUMNS)])
    for index in SECONDARY_INDEXES:
        index.create(conn)
    last = int(frame["record_id"].max()) if len(frame) else 0
    set_meta_in(conn, META_RUN, "none" if run_id is None else str(run_id))
    set_meta_in(conn, META_LAST_RECORD, str(last))


def _copy_staged(conn: Any, columns: list[str], run_id: int | None) -> None:
    """INSERT ... SELECT from the staging file, each row's person from person_records (by its record_id index).

    In the staging file's own order (its rowid): the frames are staged in record order, so the rows arrive in
    the order of the table's key without sorting two million rows first (any order would be right, only slower)."""
    listed = ", ".join(f"s.{c}" for c in columns)
    person = "pr.person_id" if run_id is not None else "NULL"
    join = (f" LEFT JOIN {person_records.name} pr ON pr.record_id = s.record_id" if run_id is not None else "")
    conn.exec_driver_sql(
        f"INSERT INTO {search_index.name} ({', '.join(columns)}, person_id, run_id) "
        f"SELECT {listed}, {person}, {'NULL' if run_id is None else int(run_id)} "
        f"FROM {bulk.STAGING_SCHEMA}.{search_index.name} s{join} ORDER BY s.rowid")


_INTEGERS = frozenset({"record_id", "person_id", "run_id", "birth_year", "pref", "death_year"})


def _values(column: pd.Series) -> list[Any]:
    """Python values for the driver: None for missing, ints for the integer columns."""
    values = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else
              (v.item() if isinstance(v, np.generic) else v) for v in column.astype(object).tolist()]
    if column.name in _INTEGERS:
        return [None if v is None else int(v) for v in values]
    return values


def _insert(conn: Any, frame: pd.DataFrame) -> None:
    """The rows through executemany (a SQLite store with no file to stage beside: in memory, small)."""
    if frame.empty:
        return
    columns = list(frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        for start in range(0, len(frame), _BATCH):
            batch = frame.iloc[start:start + _BATCH]
            rows = list(zip(*(_values(batch[name]) for name in columns), strict=True))
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {search_index.name} ({', '.join(columns)}) VALUES ({marks})", rows)
    finally:
        cursor.close()


# ------------------------------------------------------------------------------------------ freshness
@dataclass(frozen=True)
class Freshness:
    """Whether the index answers for the store as it is: the run it belongs to and the last record it holds."""

    index_run: str | None  # "none" (built before any link), a run id, or None (never built)
    last_run: int | None  # the last finished link run
    index_last_record: int | None
    last_record: int  # the highest record id in the store

    @property
    def fresh(self) -> bool:
        run = None if self.last_run is None else str(self.last_run)
        return (self.index_run is not None and self.index_run == (run or "none")
                and self.index_last_record == self.last_record)

    def why_stale(self) -> str:
        if self.index_run is None:
            return "the search index has not been built"
        if self.index_run != (str(self.last_run) if self.last_run is not None else "none"):
            built = "before any link" if self.index_run == "none" else f"for link run {self.index_run}"
            return f"the search index was built {built}, but the persons are of run {self.last_run}"
        return "records were imported after the search index was built"


def last_run(conn: Any) -> int | None:
    """The last link run that finished (its persons are the current ones)."""
    found = conn.execute(select(func.max(link_runs.c.id)).where(link_runs.c.status == "done")).scalar()
    return int(found) if found is not None else None


_FRESHNESS_SQL = (f"SELECT (SELECT value FROM meta WHERE key = '{META_RUN}'), "
                  f"(SELECT value FROM meta WHERE key = '{META_LAST_RECORD}'), (SELECT max(id) FROM records), "
                  f"(SELECT max(id) FROM link_runs WHERE status = 'done')")


def freshness(store: Store, conn: Any = None) -> Freshness:
    """The index's run and last record against the store's: one statement of four index seeks (every search
    asks it, on its own connection when it gives one)."""
    if conn is None:
        with store.engine.connect() as own:
            return freshness(store, own)
    index_run, index_last, last_record, run = conn.exec_driver_sql(_FRESHNESS_SQL).one()
    return Freshness(index_run, None if run is None else int(run), int(index_last) if index_last is not None
                     else None, int(last_record or 0))


# ------------------------------------------------------------------------------------------ rebuild
def _runs_dir(store: Store) -> Any:
    from kartoteka.linkage.service import default_runs_dir

    return default_runs_dir(store)


def _person_of_records(conn: Any) -> pd.Series:
    """record_id -> person_id of the current persons; on PostgreSQL by COPY (two million rows as Python tuples
    took seconds)."""
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY (SELECT record_id, person_id FROM {person_records.name}) TO STDOUT "
                             "(FORMAT csv)") as copy:
                data = b"".join(bytes(block) for block in copy)
        finally:
            cursor.close()
        frame = pd.read_csv(io.BytesIO(data), header=None, names=["record_id", "person_id"], dtype="int64")
    else:
        rows = conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all()
        frame = pd.DataFrame(rows, columns=["record_id", "person_id"])
    return pd.Series(frame["person_id"].to_numpy(), index=frame["record_id"].to_numpy())


@collector_paused()  # millions of objects (the reading cache, the rows): collections would walk them again and again
def rebuild(store: Store, progress: Callable[[str], None] | None = None) -> IndexSummary:
    """The index of every record, each mapped to its current person (none before any link), in one transaction.

    Only the columns the index needs are read (search.build), and the names through the run folder's reading
    cache (readings and literal readings): a reindex after a link reads no name again."""
    say = progress or (lambda _stage: None)
    started = time.perf_counter()
    say("reading records")
    search_names = runs.needs_name_search(store)
    # The reading cache (tens of megabytes of JSON) is loaded in a thread while the records arrive from the
    # reader process: this process mostly waits for them meanwhile.
    with ThreadPoolExecutor(1) as loader:
        loading = loader.submit(ReadingCache.in_folder, _runs_dir(store), search_names)
        frame_records = load_index_records(store)
        cache = loading.result()
    if frame_records.empty:
        raise KartotekaError("search.no_records", f"the store {store.label} holds no records to search",
                             hint="import sources first: kartoteka import DIR")
    say(f"reading the names of {len(frame_records):,} records")
    try:
        frame = index_rows(frame_records, cache)
        cache.save()
    finally:
        cache.close()
    del frame_records
    say(f"writing {len(frame):,} index rows")
    path = bulk.sqlite_file(store)
    with store.engine.connect() as conn:
        staged = bulk.staged(path, conn.connection.driver_connection, {search_index.name: frame}) if path else None
        with staged if staged is not None else nullcontext(None), conn.begin():
            run = last_run(conn)
            if path is None and run is not None:
                frame = frame.assign(person_id=frame["record_id"].map(_person_of_records(conn)).astype("Int64").array)
            if path is not None:
                conn.exec_driver_sql("PRAGMA cache_size=-524288")  # the index builds sort in memory (512 MiB)
            write_rows(conn, frame, run, staged=path is not None)
            if path is not None:
                conn.exec_driver_sql("PRAGMA cache_size=-2000")
            candidates = _candidate_count(conn, run, len(frame))
    return IndexSummary(entries=len(frame), persons=candidates, run_id=run,
                        seconds=round(time.perf_counter() - started, 2))


def _candidate_count(conn: Any, run: int | None, records_count: int) -> int:
    if run is None:
        return records_count
    from kartoteka.linkage.tables import persons

    return int(conn.execute(select(func.count()).select_from(persons)).scalar() or 0)  # every record has one
