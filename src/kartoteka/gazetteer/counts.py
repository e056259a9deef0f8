"""How many persons the store holds at each camp (``held``) and how many died or lie there (``died``).

Each record's camp, death place and burial fields are resolved as written (each distinct text once); a record
counts for its person when the last finished linkage run grouped it into one, else on its own. A text whose
camp a date decides (an ambiguous number) is resolved again with the record's own date. A death counts at the
camp its death place names, else at the camp of the record; a burial at the burial site its fields name.

The linkage's tables are read by name here (person_records, link_runs): the gazetteer may not import the linkage
package, and needs only which person each record belongs to."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from typing import Any

from sqlalchemy import column, func, inspect, or_, select, table

from kartoteka.gazetteer.resolver import Index
from kartoteka.gazetteer.types import PlaceResolution
from kartoteka.store import Store, records

_person_records = table("person_records", column("person_id"), column("record_id"), column("run_id"))
_link_runs = table("link_runs", column("id"), column("status"))
_ISO = re.compile(r"(1[89]\d\d|20\d\d)-(\d\d)(?:-(\d\d))?")
_lock = threading.Lock()
_computing = threading.Lock()  # twenty requests of a cold map page count once, not twenty times
_memo: dict[tuple[Any, ...], tuple[dict[int, int], dict[int, int]]] = {}


def record_date(*texts: str | None) -> dt.date | None:
    """The first ISO date (or month) among a record's date fields, as the resolver takes it."""
    for text in texts:
        match = _ISO.search(text or "")
        if match:
            year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 15)
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def _current_run(conn: Any) -> int | None:
    if not inspect(conn).has_table("link_runs"):
        return None
    found = conn.execute(select(func.max(_link_runs.c.id)).where(_link_runs.c.status == "done")).scalar()
    return None if found is None else int(found)


class _Resolutions:
    """Each distinct text resolved once (and once more per date where a date decides)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.plain: dict[str, PlaceResolution] = {}
        self.dated: dict[tuple[str, dt.date], PlaceResolution] = {}

    def camp(self, text: str | None, dates: tuple[str | None, ...]) -> int | None:
        """The camp a text names; the record's ``dates`` are read only when the text's camp depends on one."""
        if not text or not text.strip():
            return None
        found = self.plain.get(text)
        if found is None:
            found = self.plain[text] = self.index.resolve(text)
        on = record_date(*dates) if found.camp_id is None and found.candidates else None
        if on is not None:
            dated = self.dated.get((text, on))
            if dated is None:
                dated = self.dated[(text, on)] = self.index.resolve(text, on)
            return dated.camp_id
        return found.camp_id


def camp_counts(store: Store, index: Index) -> tuple[dict[int, int], dict[int, int]]:
    """Persons held at and died at each camp id, as the store's records say (memoised until the store changes)."""
    with store.engine.connect() as conn:
        run = _current_run(conn)
        # records are only ever added (an import appends, a follow-up import too): the highest id says whether the
        # records changed, in one index seek (a count would read every record on each request)
        last = conn.execute(select(func.max(records.c.id))).scalar()
    key = (store.label, id(index), run, last)
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
        c = records.c
        rows = conn.execute(select(c.id, c.camp, c.death_date, c.death_place, c.burial_place, c.burial_site,
                                   c.event_date).where(or_(c.camp.is_not(None), c.death_date.is_not(None),
                                                           c.burial_place.is_not(None), c.burial_site.is_not(None))))
        held, died = _count(rows, person_of, _Resolutions(index), index)
        result = ({k: len(v) for k, v in held.items()}, {k: len(v) for k, v in died.items()})
        with _lock:
            _memo.clear()
            _memo[key] = result
    return result


def _count(rows: Any, person_of: dict[int, int], resolutions: _Resolutions,
           index: Index) -> tuple[dict[int, set[Any]], dict[int, set[Any]]]:
    held: dict[int, set[Any]] = defaultdict(set)
    died: dict[int, set[Any]] = defaultdict(set)
    for record_id, camp, death_date, death_place, burial_place, burial_site, event_date in rows:
        person = person_of.get(record_id, ("record", record_id))
        dates = (event_date, death_date)
        camp_id = resolutions.camp(camp, dates)
        if camp_id is not None:
            held[camp_id].add(person)
        if death_date and death_date.strip():
            where = resolutions.camp(death_place, dates) or camp_id
            if where is not None:
                died[where].add(person)
        burial = ", ".join(t for t in (burial_site, burial_place) if t and t.strip())
        site = resolutions.camp(burial, dates) if burial else None
        if site is not None and index.camps[site].kind == "burial_site":
            died[site].add(person)
    return held, died


def unresolved_texts(store: Store, index: Index, limit: int = 100) -> list[dict[str, Any]]:
    """The texts of the store's camp, death place and burial fields that name no camp of the gazetteer, the most
    frequent first, with how many records hold each and why (the resolver's reasons)."""
    found = []
    with store.engine.connect() as conn:
        for name in ("camp", "death_place", "burial_place", "burial_site"):
            column = records.c[name]
            query = select(column, func.count()).where(column.is_not(None)).group_by(column)
            for text, count in conn.execute(query):
                if not text.strip():
                    continue
                resolution = index.resolve(text)
                if resolution.camp_id is None:
                    found.append({"field": name, "text": text, "records": int(count),
                                  "place": resolution.place_key, "reasons": resolution.reasons})
    found.sort(key=lambda item: (-item["records"], item["field"], item["text"]))
    return found[:limit]
