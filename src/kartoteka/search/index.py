"""The search index: its rows from the linkage's features, written with the persons or rebuilt alone.

    index_frame(features)                 one row per record: name keys, birth year, prefecture, camp, fate
    index_writer(features, cluster_of)    the RunWriter `kartoteka link` passes to linkage.service.link
    rebuild(store, progress)              the index of the records and the current persons (one transaction)
    freshness(store)                      whether the index is there and matches the records and the last run
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import runs
from kartoteka.linkage.features import blocking_key, build_features
from kartoteka.linkage.reading_cache import ReadingCache
from kartoteka.linkage.tables import link_runs, person_records
from kartoteka.search.tables import META_LAST_RECORD, META_RUN, SECONDARY_INDEXES, search_index
from kartoteka.search.types import IndexSummary
from kartoteka.store import Store, records
from kartoteka.store.database import set_meta_in

INDEX_COLUMNS = tuple(column.name for column in search_index.columns)
_DIED_KINDS = ("death_roster", "burial")
_BATCH = 50_000


def _joined(values: pd.Series, extra: pd.Series) -> list[str | None]:
    """Every folded reading of a name part (the reading set and the literal reading), space-separated."""
    out: list[str | None] = []
    for found, literal in zip(values.tolist(), extra.tolist(), strict=True):
        words = list(found) if found is not None else []
        if isinstance(literal, str) and literal and literal not in words:
            words.append(literal)
        out.append(" ".join(words) if words else None)
    return out


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
    """One index row per record of a features frame (linkage.features.build_features); no person yet."""
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
        "birth_year": features["birth_year"].astype("Int64").to_numpy(),
        "pref": features["pref"].astype("Int64").to_numpy(),
        "camp": _text(features["camp"]).to_numpy(),
        "fate": _record_fate(features),
        "death_year": pd.array(death_year, dtype="Int64"),
    })
    return frame.sort_values(["sn_key", "gn_key"], kind="stable", na_position="first").reset_index(drop=True)


def index_writer(features: pd.DataFrame, cluster_of: pd.Series) -> Callable[[Any, dict[int, int]], None]:
    """The RunWriter of `kartoteka link`: the rows are built now (the link drops its features before writing),
    and written inside the run's transaction with the persons' ids."""
    frame = index_frame(features)
    clusters = frame["record_id"].map(cluster_of)

    def write(conn: Any, person_of: dict[int, int]) -> None:
        person = clusters.map(person_of).astype("Int64")
        run_id = conn.execute(select(func.max(link_runs.c.id)).where(link_runs.c.status == "running")).scalar()
        write_rows(conn, frame.assign(person_id=person.to_numpy(), run_id=run_id), run_id)

    return write


def write_rows(conn: Any, frame: pd.DataFrame, run_id: int | None) -> None:
    """Replace the index with `frame`'s rows inside the caller's transaction, and record whose index it is."""
    conn.execute(delete(search_index))
    for index in SECONDARY_INDEXES:
        index.drop(conn)
    _insert(conn, frame[list(INDEX_COLUMNS)])
    for index in SECONDARY_INDEXES:
        index.create(conn)
    last = int(frame["record_id"].max()) if len(frame) else 0
    set_meta_in(conn, META_RUN, "none" if run_id is None else str(run_id))
    set_meta_in(conn, META_LAST_RECORD, str(last))


_INTEGERS = frozenset({"record_id", "person_id", "run_id", "birth_year", "pref", "death_year"})


def _values(column: pd.Series) -> list[Any]:
    """Python values for the driver: None for missing, ints for the integer columns (a column with gaps may come
    as floats, which PostgreSQL's COPY refuses as integers)."""
    values = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else
              (v.item() if isinstance(v, np.generic) else v) for v in column.astype(object).tolist()]
    if column.name in _INTEGERS:
        return [None if v is None else int(v) for v in values]
    return values


def _insert(conn: Any, frame: pd.DataFrame) -> None:
    """The rows through the driver: COPY on PostgreSQL, executemany on SQLite (a few seconds a million rows)."""
    if frame.empty:
        return
    columns = list(frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        for start in range(0, len(frame), _BATCH):
            batch = frame.iloc[start:start + _BATCH]
            rows = list(zip(*(_values(batch[name]) for name in columns), strict=True))
            if conn.dialect.name == "postgresql":
                with cursor.copy(f"COPY {search_index.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
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


def freshness(store: Store) -> Freshness:
    """The index's run and last record against the store's (three small queries, index seeks only)."""
    from kartoteka.store import meta

    with store.engine.connect() as conn:
        stored = dict(conn.execute(select(meta.c.key, meta.c.value).where(
            meta.c.key.in_([META_RUN, META_LAST_RECORD]))).all())
        last_record = conn.execute(select(func.max(records.c.id))).scalar() or 0
        run = last_run(conn)
    index_last = stored.get(META_LAST_RECORD)
    return Freshness(stored.get(META_RUN), run, int(index_last) if index_last is not None else None,
                     int(last_record))


# ------------------------------------------------------------------------------------------ rebuild
def _runs_dir(store: Store) -> Any:
    from kartoteka.linkage.service import default_runs_dir

    return default_runs_dir(store)


def _person_of_records(conn: Any) -> pd.DataFrame:
    rows = conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all()
    return pd.DataFrame(rows, columns=["record_id", "person_id"])


def rebuild(store: Store, progress: Callable[[str], None] | None = None) -> IndexSummary:
    """The index of every record, each mapped to its current person (none before any link), in one transaction.

    The names are read as `kartoteka link` reads them, through the run folder's reading cache (a reindex after a
    link reads no name again)."""
    say = progress or (lambda _stage: None)
    started = time.perf_counter()
    say("reading records")
    frame_records = runs.load_records(store)
    if frame_records.empty:
        raise KartotekaError("search.no_records", f"the store {store.label} holds no records to search",
                             hint="import sources first: kartoteka import DIR")
    say(f"reading the names of {len(frame_records):,} records")
    cache = ReadingCache.in_folder(_runs_dir(store), runs.needs_name_search(store))
    try:
        features = build_features(frame_records, cache)
        cache.save()
    finally:
        cache.close()
    del frame_records
    frame = index_frame(features)
    del features
    say(f"writing {len(frame):,} index rows")
    with store.engine.begin() as conn:
        run = last_run(conn)
        if run is not None:
            members = _person_of_records(conn)
            person = frame["record_id"].map(pd.Series(members["person_id"].to_numpy(),
                                                      index=members["record_id"].to_numpy()))
            frame = frame.assign(person_id=person.astype("Int64").to_numpy(), run_id=run)
        else:
            frame = frame.assign(person_id=pd.array([None] * len(frame), dtype="Int64"), run_id=None)
        write_rows(conn, frame, run)
        candidates = int(frame["person_id"].nunique()) if run is not None else len(frame)
    return IndexSummary(entries=len(frame), persons=candidates, run_id=run,
                        seconds=round(time.perf_counter() - started, 2))

