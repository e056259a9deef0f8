"""Search: the query parsed and read (kartoteka.names), candidates from the index, ranked, explained.

    search(store, query) -> SearchPage        a page of persons (records before any link), best first
    reindex(store, progress) -> IndexSummary  the index rebuilt alone (`kartoteka search --reindex`)
    index_writer(features, cluster_of)        what `kartoteka link` passes as also_write (the index with the persons)
    warm_up(store)                            load the names tables and the store's known readings (web start-up)

A store whose index is missing or behind (records imported since, or persons of a later run: a `link` called
without the writer) gets its index built by the first search when it holds at most AUTO_REINDEX_RECORDS records;
a larger one is told to run `kartoteka search --reindex` (a minute at full scale, not a web request's work).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.search.hits import page_hits
from kartoteka.search.index import Freshness, freshness, index_writer, rebuild
from kartoteka.search.query import ReadQuery, read_query
from kartoteka.search.rank import candidates, rank
from kartoteka.search.types import IndexSummary, SearchPage, SearchQuery
from kartoteka.store.database import Store
from kartoteka.store.locks import store_lock

__all__ = ["AUTO_REINDEX_RECORDS", "index_state", "index_writer", "reindex", "search", "warm_up"]

AUTO_REINDEX_RECORDS = 100_000  # a store this small gets its index built by the first search (seconds)
_WIDER_TOLERANCE = 5
_WARM_UP_NAMES = ("山田 太郎", "渡邊 清", "ヤマダ タロウ", "やまだ", "Yamada Tarō", "Ямада Таро", "Кирибаси Сюнъити")


def warm_up(store: Store | None = None, runs_dir: Path | None = None) -> dict[str, float]:
    """Load what the first search would otherwise load (the names engine's tables, a query in every script) and,
    given a store, the readings its link made of the Cyrillic spellings it holds (its run folder's reading cache),
    so that no request pays for them. ``runs_dir``: the store's run folder when `kartoteka link` was given
    another than the default. For a web server's start-up; returns the seconds each part took."""
    clock: dict[str, float] = {}
    started = time.perf_counter()
    for text in _WARM_UP_NAMES:
        read_query(SearchQuery(text=text))
    clock["names"] = round(time.perf_counter() - started, 2)
    if store is not None:
        started = time.perf_counter()
        clock["known_readings"] = float(_remember_store_readings(store, runs_dir))
        clock["store"] = round(time.perf_counter() - started, 2)
    return clock


def _remember_store_readings(store: Store, runs_dir: Path | None) -> int:
    from kartoteka.linkage.reading_cache import ReadingCache
    from kartoteka.linkage.service import default_runs_dir
    from kartoteka.search.query import remember_readings

    folder = runs_dir or _latest_run_folder(store) or default_runs_dir(store)
    cache = ReadingCache.in_folder(folder, search=True)  # the query reads with the search too
    try:
        return remember_readings(cache.entries)
    finally:
        cache.close()


def _latest_run_folder(store: Store) -> Path | None:
    """The folder of the latest finished run's model (where `kartoteka link --runs-dir` put its reading cache)."""
    from sqlalchemy import select

    from kartoteka.linkage.tables import link_runs

    query = (select(link_runs.c.model_path).where(link_runs.c.status == "done")
             .order_by(link_runs.c.id.desc()).limit(1))
    with store.engine.connect() as conn:
        model_path = conn.execute(query).scalar()
    folder = Path(model_path).parent if model_path else None
    return folder if folder is not None and folder.is_dir() else None


def reindex(store: Store, progress: Callable[[str], None] | None = None) -> IndexSummary:
    """Rebuild the search index from the records and the current persons (one transaction)."""
    with store_lock(store.engine, "search-index", wait=True):
        return rebuild(store, progress)


def index_state(store: Store) -> Freshness:
    """Whether the index matches the records and the last link run (and, if not, why)."""
    return freshness(store)


def _ensure_index(store: Store) -> None:
    state = freshness(store)
    if state.fresh:
        return
    if state.last_record == 0:
        raise KartotekaError("search.no_records", f"the store {store.label} holds no records to search",
                             hint="import sources first: kartoteka import DIR")
    if state.last_record > AUTO_REINDEX_RECORDS:
        raise KartotekaError("search.stale_index", f"{state.why_stale()}: search would miss or misplace records",
                             hint="rebuild it with `kartoteka search --reindex` (or link with `kartoteka link`, "
                                  "which writes it)", details={"index_run": state.index_run,
                                                               "last_run": state.last_run})
    with store_lock(store.engine, "search-index", wait=True):
        if not freshness(store).fresh:  # another search may have built it while this one waited
            rebuild(store)


def _run(conn: Any, query: SearchQuery, read: ReadQuery | None = None) -> SearchPage:
    read = read or read_query(query)
    ranking = rank(conn, read, candidates(conn, read), top=query.offset + query.limit)
    hits = page_hits(conn, ranking.entries[query.offset:query.offset + query.limit])
    linked = ranking.persons or _linked(conn)
    return SearchPage(query=query, total=ranking.total, hits=hits, readings=read.shown,
                      candidates="persons" if linked else "records")


def _linked(conn: object) -> bool:
    from kartoteka.search.index import last_run

    return last_run(conn) is not None


def _looser(query: SearchQuery) -> list[SearchQuery]:
    """Looser queries, least loose first: the filters dropped (birth year kept with a wider tolerance), then no
    filters, then the surname alone."""
    out = []
    filtered = any(v is not None for v in (query.prefecture, query.camp, query.fate, query.death_year))
    if query.birth_year is not None and query.birth_year_tolerance < _WIDER_TOLERANCE:
        out.append(dataclasses.replace(query, prefecture=None, camp=None, fate=None, death_year=None,
                                       birth_year_tolerance=_WIDER_TOLERANCE, offset=0))
    if filtered or query.birth_year is not None:
        out.append(dataclasses.replace(query, birth_year=None, prefecture=None, camp=None, fate=None,
                                       death_year=None, offset=0))
    words = query.text.split()
    if len(words) > 1:
        out.append(SearchQuery(text=words[0], limit=query.limit))
    return out


def search(store: Store, query: SearchQuery) -> SearchPage:
    """Persons ranked for the query. Raises KartotekaError "search.*" for a query that cannot be searched
    (empty, too long, no letters, unknown prefecture or fate, bad year)."""
    read = read_query(query)  # bad input is refused before the store is touched
    with store.engine.connect() as conn:  # the index is fresh (the usual case): one connection for it all
        if freshness(store, conn).fresh:
            return _answer(conn, query, read)
    _ensure_index(store)
    with store.engine.connect() as conn:
        return _answer(conn, query, read)


def _answer(conn: Any, query: SearchQuery, read: ReadQuery) -> SearchPage:
    found = _run(conn, query, read)
    if found.total or query.offset:
        return found
    for looser in _looser(query):
        if _run(conn, dataclasses.replace(looser, limit=1)).total:
            return dataclasses.replace(found, looser=looser)
    return found
