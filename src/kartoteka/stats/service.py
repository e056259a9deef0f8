"""``statistics(store)``: every figure of the statistics page, computed once per run and review state.

The counts read every person of the run (millions of rows at full scale), so they are computed once and kept:
in the process (keyed by the store, the run id and the state of the review decisions) and in the store's
``meta`` table (key ``stats.cache``), so that another server process, or the CLI, finds them made. A new
`kartoteka link` (a new run id) or a review decision (a new decision id, or an undo) makes them again.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import suppress
from dataclasses import replace
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.exc import SQLAlchemyError

from kartoteka.gazetteer import service as gazetteer
from kartoteka.gazetteer.record_places import META_KEY as PLACES_META_KEY
from kartoteka.linkage.tables import decisions, link_runs
from kartoteka.stats import counts, interval
from kartoteka.stats.interval import PersonsInterval
from kartoteka.stats.reference import ESTIMATES_FILE, Estimate, estimates, reference_source
from kartoteka.stats.types import CountTable, RunInfo, Statistics
from kartoteka.store import Store, meta

CACHE_META_KEY = "stats.cache"
CACHE_VERSION = 2  # bump when what is computed changes: a kept answer of another version is made again
_cache: dict[tuple[Any, ...], Statistics] = {}
_locks: dict[tuple[Any, ...], threading.Lock] = {}
_checked: dict[str, tuple[float, Statistics]] = {}  # store URL -> (when the run and decisions were last read, figures)
_guard = threading.Lock()


def store_source(run: RunInfo) -> str:
    """How a count from the store names its source."""
    return f"this store, run {run.id}, {run.finished_at or 'date unknown'}"


def current_run(store: Store) -> RunInfo | None:
    """The run whose persons the store holds (the last finished one), or None before the first link."""
    with store.engine.connect() as conn:
        row = conn.execute(select(link_runs.c.id, link_runs.c.finished_at, link_runs.c.record_count,
                                  link_runs.c.person_count)
                           .where(link_runs.c.status == "done").order_by(desc(link_runs.c.id)).limit(1)).first()
    if row is None:
        return None
    finished = str(row.finished_at)[:10] if row.finished_at is not None else None
    return RunInfo(id=int(row.id), finished_at=finished, persons=int(row.person_count or 0),
                   records=int(row.record_count or 0))


def cache_key(store: Store, run: RunInfo | None) -> tuple[Any, ...]:
    """What the figures depend on: the run, the review decisions (the latest id and how many were undone), and
    the mark of the records' stored place resolutions (brought up to date first: the counts read them)."""
    gazetteer.resolved_index(store)
    with store.engine.connect() as conn:
        latest, undone = conn.execute(select(func.max(decisions.c.id), func.count(decisions.c.undone_at))).one()
        places = conn.execute(select(meta.c.value).where(meta.c.key == PLACES_META_KEY)).scalar_one_or_none()
    return (CACHE_VERSION, run.id if run else None, int(latest or 0), int(undone or 0), places or "")


def statistics(store: Store, max_age: float = 0.0) -> Statistics:
    """Every figure, from the cache when the run and the decisions have not changed since it was made.

    ``max_age``: seconds for which the last check of the run and the decisions is trusted without asking the
    store again (the portal passes 1 s: under load the two small queries per request were most of its work)."""
    url = str(store.engine.url)
    with _guard:
        checked = _checked.get(url)
    if checked is not None and time.monotonic() - checked[0] < max_age:
        return checked[1]
    run = current_run(store)
    key = cache_key(store, run)
    where = (url, *key)
    with _guard:
        found = _cache.get(where)
        lock = _locks.setdefault(where, threading.Lock())
    if found is not None:
        with _guard:
            _checked[url] = (time.monotonic(), found)
        return found
    with lock:  # twenty clients asking at once: one computes, the others wait for it
        found = _cache.get(where)
        if found is None:
            found = _from_meta(store, key) or _remember(store, key, compute(store, run))
            found = replace(found, key=f"{where[0]}|{'|'.join(map(str, key))}")
            with _guard:
                for old in [k for k in _cache if k[0] == where[0]]:
                    del _cache[old]
                _cache[where] = found
                _checked[url] = (time.monotonic(), found)
    return found


def compute(store: Store, run: RunInfo | None) -> Statistics:
    """Every figure, computed from the store now (no cache)."""
    published = list(estimates())
    published_source = reference_source(ESTIMATES_FILE)
    if run is None:
        return Statistics(simulated=store.is_simulated(), run=None, source="no linked persons yet "
                          "(run `kartoteka link`)", persons=None, persons_source="", counts={},
                          estimates=published, estimates_source=published_source, first_winter={})
    source = store_source(run)
    people = counts.read_persons(store)
    manifests = counts.first_manifests(store)
    by_camp, by_region = counts.camp_tables(store, people, counts.camp_stays(store, run.id), source)
    by_month, first_winter = counts.deaths_by_month(people, source)
    tables = [counts.fate_table(people, source), by_camp, by_region, counts.prefecture_table(people, source),
              by_month, counts.year_table(people, manifests, source), counts.repatriation_table(manifests, source)]
    return Statistics(
        simulated=store.is_simulated(), run=run, source=source, persons=interval.distinct_persons(store),
        persons_source=f"{source}: the persons of the run and the match probabilities of its links and of the "
                       "review queue", counts={table.name: table for table in tables},
        estimates=published, estimates_source=published_source, first_winter=first_winter)


def _remember(store: Store, key: tuple[Any, ...], figures: Statistics) -> Statistics:
    """Keep the figures in the store for other processes; a store that cannot be written is no error."""
    with suppress(SQLAlchemyError):  # a read-only or busy store: the figures are still right, just not kept
        store.set_meta(CACHE_META_KEY, json.dumps({"key": list(key), "figures": figures.to_dict()},
                                                  ensure_ascii=False))
    return figures


def _from_meta(store: Store, key: tuple[Any, ...]) -> Statistics | None:
    text = store.get_meta(CACHE_META_KEY)
    if not text:
        return None
    try:
        kept = json.loads(text)
        if tuple(kept["key"]) != key:
            return None
        return from_dict(kept["figures"])
    except (ValueError, KeyError, TypeError):
        return None


def from_dict(data: dict[str, Any]) -> Statistics:
    """The figures back from their JSON form (``Statistics.to_dict``)."""
    run = RunInfo(**data["run"]) if data.get("run") else None
    persons_data = dict(data["persons"]) if data.get("persons") else None
    persons_source = persons_data.pop("source", "") if persons_data else ""
    return Statistics(
        simulated=bool(data["simulated"]), run=run, source=data["source"],
        persons=PersonsInterval(**persons_data) if persons_data else None, persons_source=persons_source,
        counts={name: CountTable(name=name, **table) for name, table in data["counts"].items()},
        estimates=[Estimate(**row) for row in data["estimates"]], estimates_source=data["estimates_source"],
        first_winter=data["first_winter"])
