"""The gazetteer's service functions: what the CLI, the web, the map and the numbers call.

Every function loads the bundled data into the store first when the store holds none or an older version
(``loading.ensure_loaded``), then reads one in-memory index per store and generation (``resolver.Index``)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer import loading, record_places
from kartoteka.gazetteer.counts import camp_counts, unresolved_texts
from kartoteka.gazetteer.data_files import read_tsv
from kartoteka.gazetteer.loading import LOCAL_CHANGES, ensure_loaded, place_not_found
from kartoteka.gazetteer.resolver import Index, in_use
from kartoteka.gazetteer.tables import gazetteer_camps, gazetteer_fixes, gazetteer_names, gazetteer_places
from kartoteka.gazetteer.tables import record_places as record_places_table
from kartoteka.gazetteer.types import CampMarker, PlaceResolution
from kartoteka.store import Store

RECHECK_SECONDS = 2.0  # how long an index is used before the store is asked again whether it changed
_lock = threading.Lock()
# an open store -> its index, generation, this process's changes and when the store was last asked
_indexes: dict[tuple[str, int], tuple[Index, str | None, int, float]] = {}
# the markers of the last (index, counts) asked for, with each camp's years (the year filter is applied on them)
_markers: list[tuple[Index, dict[int, int], dict[int, int], list[tuple[Any, Any, CampMarker]]] | None] = [None]
# an open store -> when its stored resolutions were last found current, and this process's changes then
_resolved: dict[tuple[str, int], tuple[float, int]] = {}


def index_of(store: Store) -> Index:
    """The store's gazetteer in memory (loaded first if needed; rebuilt when a load or a fix changed it: at once
    in this process, within ``RECHECK_SECONDS`` when another process made the change)."""
    now = time.monotonic()
    which = (store.label, id(store.engine))
    with _lock:
        cached = _indexes.get(which)
    if cached and cached[2] == LOCAL_CHANGES[0] and now - cached[3] < RECHECK_SECONDS:
        return cached[0]
    generation = ensure_loaded(store)
    with _lock:
        cached = _indexes.get(which)
        if cached and cached[1] == generation and cached[2] == LOCAL_CHANGES[0]:
            _indexes[which] = (cached[0], generation, LOCAL_CHANGES[0], now)
            return cached[0]
        with store.engine.connect() as conn:
            index = Index(conn)
        for old in [key for key in _indexes if key[0] == store.label]:
            del _indexes[old]
        _indexes[which] = (index, generation, LOCAL_CHANGES[0], now)
    return index


def resolved_index(store: Store) -> Index:
    """The store's gazetteer in memory, once the records' stored resolutions (``record_places``) are current:
    what every reader of those rows calls first. Stale rows (the bundled data or the resolution changed) are
    made again, and records added without the importer are resolved; checked at most every
    ``RECHECK_SECONDS``."""
    index = index_of(store)
    which = (store.label, id(store.engine))
    now = time.monotonic()
    with _lock:
        checked = _resolved.get(which)
    if checked and checked[1] == LOCAL_CHANGES[0] and now - checked[0] < RECHECK_SECONDS:
        return index
    if not record_places.is_current(store):
        record_places.bring_up_to_date(store, index)
    with _lock:
        _resolved[which] = (now, LOCAL_CHANGES[0])
    return index


def load(store: Store, force: bool = False) -> dict[str, Any]:
    """Load the bundled data (``force``: even when the store holds this version), then resolve the records'
    place texts again where they are stale or missing (all of them with ``force``); a summary of both."""
    summary = loading.load(store, force=force)
    resolved = record_places.bring_up_to_date(store, index_of(store), force=force)
    return {**summary, "records_resolved": resolved["records"], "all_records": resolved["all"]}


def fix(store: Store, place_key: str, lat: float, lon: float, source: str, note: str) -> dict[str, Any]:
    """A curator's coordinate for a place (``loading.fix_place``). The records' stored resolutions hold place
    and camp ids, not coordinates: every reader takes the coordinate from the gazetteer, so the fix shows at once;
    the stored rows are only brought up to date (records added without the importer)."""
    row = loading.fix_place(store, place_key, lat, lon, source, note)
    record_places.bring_up_to_date(store, index_of(store))
    return row


def stored_resolutions(store: Store, wanted: list[tuple[str, str, list[int]]]) -> list[PlaceResolution | None]:
    """For each (field, text as written, record ids): the stored resolution of the text in that field of those
    records (the earliest dated first; a burial's stored text is its site and place joined, so it is found by
    either), or None when none of them holds it. ``field``: "camp", "death_place" or "burial"."""
    index = resolved_index(store)
    ids = sorted({record_id for _field, _text, record_ids in wanted for record_id in record_ids})
    t = record_places_table.c
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(t.record_id, t.field, t.text, t.on_date, t.place_id, t.camp_id,
                                        t.confidence, t.method).where(t.record_id.in_(ids)))) if ids else []
    found: list[PlaceResolution | None] = []
    for field, text, record_ids in wanted:
        members = set(record_ids)
        matching = [row for row in rows if row.record_id in members and row.field == field and (
            row.text == text or row.text.startswith(f"{text}, ") or row.text.endswith(f", {text}"))]
        matching.sort(key=lambda row: (row.on_date is None, row.on_date or "", row.record_id))
        found.append(_stored(index, text, matching[0]) if matching else None)
    return found


def _stored(index: Index, text: str, row: Any) -> PlaceResolution:
    place = index.places.get(row.place_id) if row.place_id is not None else None
    camp = index.camps.get(row.camp_id) if row.camp_id is not None else None
    return PlaceResolution(
        text=text, place_id=row.place_id, camp_id=row.camp_id, name=place.name_en if place else None,
        coordinate=place.coordinate if place else None, confidence=float(row.confidence),
        on=dt.date.fromisoformat(row.on_date) if row.on_date else None, place_key=place.key if place else None,
        camp_key=camp.key if camp else None, camp_name=camp.name if camp else None, method=row.method,
        reasons=[f"stored: {row.method}" + (f" on {row.on_date}" if row.on_date else "")])


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """The regions of the bundled data by key, each with its English name ("irkutsk" -> "Irkutsk oblast")."""
    return {row["region"]: row["name_en"] for row in read_tsv("regions.tsv")}


def resolve(store: Store, text: str, on: dt.date | None = None) -> PlaceResolution:
    """The place and camp ``text`` names (any script, with or without a camp number), ``on`` deciding which camp a
    number meant at that date. Nothing resolved is a resolution with confidence 0, never an error."""
    return index_of(store).resolve(text, on)


def camp_markers(store: Store, year: int | None = None) -> list[CampMarker]:
    """Every camp and burial site with its counts in the store; ``year``: only those in use that year (a camp
    whose years the sources do not give is kept)."""
    index = resolved_index(store)
    held, died = camp_counts(store, index)
    with _lock:  # the same index and the same memoised counts (held by the entry, compared by identity): the same markers
        last = _markers[0]
    known = last[3] if last is not None and last[0] is index and last[1] is held and last[2] is died else None
    if known is None:
        with store.engine.connect() as conn:
            rows = list(conn.execute(select(gazetteer_camps).order_by(gazetteer_camps.c.id)))
        known = [(row.years_from, row.years_to, _marker(index, row, held.get(row.id, 0), died.get(row.id, 0)))
                 for row in rows]
        with _lock:
            _markers[0] = (index, held, died, known)
    return [marker for first, last, marker in known
            if year is None or in_use(str(first) if first else None, str(last) if last else None,
                                      dt.date(year, 7, 1))]


def camp_marker(store: Store, camp_id: int) -> CampMarker:
    """One camp or burial site with its counts; KartotekaError "gazetteer.not_found" when there is none."""
    for marker in camp_markers(store):
        if marker.id == camp_id:
            return marker
    raise KartotekaError("gazetteer.not_found", f"no camp or burial site {camp_id} in the gazetteer",
                         hint="GET /api/v1/camps (or `kartoteka gazetteer list`) lists them",
                         details={"camp_id": camp_id})


def _marker(index: Index, row: Any, held: int, died: int) -> CampMarker:
    camp = index.camps[row.id]
    place = index.camp_place(camp, None)
    numbers = [{"system": n.system, "number": n.number, "from": n.valid_from, "to": n.valid_to, "basis": n.basis}
               for n in camp.numbers]
    years = (row.years_from, row.years_to) if row.years_from and row.years_to else None
    return CampMarker(
        id=row.id, kind=row.kind, names={"ru": row.name_ru, "ja": row.name_ja, "en": row.name_en}, numbers=numbers,
        coordinate=place.coordinate if place else None, held=0 if row.kind == "burial_site" else held, died=died,
        published=row.published, source_url=row.source_url, years=years, key=row.key, region=row.region,
        died_published=row.died_published, parent_id=row.parent_id, place_key=place.key if place else None,
        reference_row=row.reference_row, years_from=row.years_from, years_to=row.years_to)


def places(store: Store) -> list[dict[str, Any]]:
    """Every place with its names, coordinate (a curator's fix outranks GeoNames) and how it was matched."""
    index = index_of(store)
    with store.engine.connect() as conn:
        rows = list(conn.execute(select(gazetteer_places).order_by(gazetteer_places.c.id)))
    found = []
    for row in rows:
        coordinate = index.places[row.id].coordinate
        found.append({"id": row.id, "key": row.key, "region": row.region,
                      "names": {"en": row.name_en, "ru": row.name_ru, "ja": row.name_ja},
                      "historic": row.historic.split(";") if row.historic else [],
                      "coordinate": None if coordinate is None else coordinate.__dict__,
                      "match": row.match_note, "note": row.note})
    return found


def unresolved(store: Store) -> list[dict[str, Any]]:
    """The places without a coordinate (no GeoNames match and no curator's fix), with why and the camps there."""
    index = index_of(store)
    users: dict[int, list[str]] = {}
    for camp in index.camps.values():
        for place in camp.places:
            users.setdefault(place.place_id, []).append(camp.key)
    return [{**place, "camps": sorted(set(users.get(place["id"], [])))}
            for place in places(store) if place["coordinate"] is None]


def unresolved_in_store(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The camp, death-place and burial texts of the store's records whose stored resolution names no camp, most
    frequent first (a curator's list of what the gazetteer does not know yet, or what a clerk's slip made
    unreadable), with how many records hold each."""
    return unresolved_texts(store, resolved_index(store), limit)


def show(store: Store, key: str, what: str | None = None) -> dict[str, Any]:
    """A camp (by key or id) or a place (by key): everything the gazetteer holds on it, with its sources. A key
    that names both (a place and the one camp there) is the camp unless ``what`` is "place"."""
    index = index_of(store)
    with store.engine.connect() as conn:
        camp = None if what == "place" else conn.execute(select(gazetteer_camps).where(
            (gazetteer_camps.c.key == key) | (gazetteer_camps.c.id == (int(key) if key.isdigit() else -1)))).first()
        if camp is not None:
            marker = camp_marker(store, camp.id)
            names = [r.name for r in conn.execute(select(gazetteer_names.c.name).where(
                gazetteer_names.c.camp_id == camp.id))]
            return {"camp": marker.to_dict(), "names": names,
                    "places": [{"place": index.places[p.place_id].key, "role": p.role, "from": p.valid_from,
                                "to": p.valid_to} for p in index.camps[camp.id].places],
                    "reference": json.loads(camp.reference_json)}
        place = conn.execute(select(gazetteer_places.c.id).where(gazetteer_places.c.key == key)).first()
        if place is None:
            raise place_not_found(conn, key)
        names = [{"name": r.name, "script": r.script, "kind": r.kind, "source": r.source} for r in conn.execute(
            select(gazetteer_names).where(gazetteer_names.c.place_id == place.id).order_by(gazetteer_names.c.id))]
        fix = conn.execute(select(gazetteer_fixes).where(gazetteer_fixes.c.place_key == key)).first()
    found = next(p for p in places(store) if p["key"] == key)
    camps = sorted({c.key for c in index.camps.values() for p in c.places if p.place_id == place.id})
    return {"place": found, "names": names, "camps": camps,
            "fix": None if fix is None else {"lat": fix.lat, "lon": fix.lon, "source": fix.source, "note": fix.note,
                                             "fixed_at": fix.fixed_at.isoformat()}}
