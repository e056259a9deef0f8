"""How many persons the store holds at each camp (``held``) and how many died or lie there (``died``).

Each record's camp, death place and burial texts are read as the store keeps them resolved (``record_places``:
each resolved once, with the record's date deciding which camp a number meant); a record counts for its person
when the last finished linkage run grouped it into one, else on its own. A death counts at the camp its death
place names, else at the camp of the record; a burial at the burial site its fields name.

The linkage's tables are read by name here (person_records, link_runs): the gazetteer may not import the linkage
package, and needs only which person each record belongs to."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from sqlalchemy import column, func, inspect, select, table

from kartoteka.gazetteer.record_places import META_KEY, day_of
from kartoteka.gazetteer.resolver import Index
from kartoteka.gazetteer.tables import record_places
from kartoteka.store import Store, meta, records

_person_records = table("person_records", column("person_id"), column("record_id"), column("run_id"))
_link_runs = table("link_runs", column("id"), column("status"))
_lock = threading.Lock()
_computing = threading.Lock()  # twenty requests of a cold map page count once, not twenty times
_memo: dict[tuple[Any, ...], tuple[dict[int, int], dict[int, int]]] = {}


def _current_run(conn: Any) -> int | None:
    if not inspect(conn).has_table("link_runs"):
        return None
    found = conn.execute(select(func.max(_link_runs.c.id)).where(_link_runs.c.status == "done")).scalar()
    return None if found is None else int(found)


def camp_counts(store: Store, index: Index) -> tuple[dict[int, int], dict[int, int]]:
    """Persons held at and died at each camp id, as the store's records say (memoised until the store changes)."""
    with store.engine.connect() as conn:
        run = _current_run(conn)
        # records are only ever added (an import appends, a follow-up import too): the highest id says whether the
        # records changed, in one index seek (a count would read every record on each request); the stored
        # resolutions' mark, whether they were made again
        last = conn.execute(select(func.max(records.c.id))).scalar()
        mark = conn.execute(select(meta.c.value).where(meta.c.key == META_KEY)).scalar_one_or_none()
    key = (store.label, id(index), run, last, mark)
    with _lock:
        if key in _memo:
            return _memo[key]
    with _computing, store.engine.connect() as conn:
        with _lock:
            if key in _memo:
                return _memo[key]
        person_of: dict[int, int] = {}
        if run is not None:
            person_of = {int(r): int(p) for r, p in conn.execute(
                select(_person_records.c.record_id, _person_records.c.person_id)
                .where(_person_records.c.run_id == run))}
        p, died_on = record_places.c, records.c.death_date
        dead = (died_on.is_not(None) & (func.trim(died_on) != "")).label("dead")
        rows = conn.execute(select(p.record_id, p.field, p.camp_id, dead)
                            .select_from(record_places.join(records, records.c.id == p.record_id))
                            .where(p.camp_id.is_not(None)))
        held, died = _count(rows, person_of, index)
        result = ({k: len(v) for k, v in held.items()}, {k: len(v) for k, v in died.items()})
        with _lock:
            _memo.clear()
            _memo[key] = result
    return result


def _count(rows: Any, person_of: dict[int, int], index: Index) -> tuple[dict[int, set[Any]], dict[int, set[Any]]]:
    """(record, field, camp, died) rows: held at the record's camp; died at the camp its death place names,
    else at its camp; lies at the burial site its burial fields name."""
    held: dict[int, set[Any]] = defaultdict(set)
    died: dict[int, set[Any]] = defaultdict(set)
    death_places: dict[int, int] = {}
    camps: dict[int, int] = {}
    dead: set[int] = set()
    for record_id, field, camp_id, is_dead in rows:
        person = person_of.get(record_id, ("record", record_id))
        if field == "camp":
            held[camp_id].add(person)
            camps[record_id] = camp_id
        elif field == "death_place":
            death_places[record_id] = camp_id
        elif index.camps[camp_id].kind == "burial_site":
            died[camp_id].add(person)
        if is_dead:
            dead.add(record_id)
    for record_id in dead:
        where = death_places.get(record_id) or camps.get(record_id)
        if where is not None:
            died[where].add(person_of.get(record_id, ("record", record_id)))
    return held, died


def unresolved_texts(store: Store, index: Index, limit: int = 100) -> list[dict[str, Any]]:
    """The texts of the store's camp, death place and burial fields whose stored resolution names no camp, the
    most frequent first, with how many records hold each and why (the resolver's reasons, at the earliest date
    a record gives it)."""
    p = record_places.c
    query = (select(p.field, p.text, func.count(), func.min(p.on_date), func.max(p.place_id))
             .where(p.camp_id.is_(None)).group_by(p.field, p.text)
             .order_by(func.count().desc(), p.field, p.text).limit(limit))
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
    found = []
    for field, text, count, on_date, place_id in rows:
        resolution = index.resolve(text, day_of(on_date or ""))
        place = index.places.get(place_id) if place_id is not None else None
        found.append({"field": field, "text": text, "records": int(count), "place": place.key if place else None,
                      "reasons": resolution.reasons})
    return found
