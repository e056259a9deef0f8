"""Loading the bundled data into a store, and the curators' fixes.

``ensure_loaded`` is what every gazetteer function calls first: a store whose loaded data version differs from
the bundled one (or that has none) is (re)loaded in one transaction, which takes well under a second. The
curators' fixes (``gazetteer_fixes``) are never touched by a reload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, text

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer.data_files import bundled_rows, data_version
from kartoteka.gazetteer.tables import (
    TABLES,
    gazetteer_camp_numbers,
    gazetteer_camp_places,
    gazetteer_camps,
    gazetteer_fixes,
    gazetteer_names,
    gazetteer_places,
)
from kartoteka.store import Store
from kartoteka.store.database import set_meta_in
from kartoteka.store.schema import meta

VERSION_KEY = "gazetteer_data_version"
GENERATION_KEY = "gazetteer_generation"  # changes with every load and fix: the resolver's caches key on it
LOAD_LOCK_KEY = 0x67617A65  # "gaze": PostgreSQL advisory lock held while the bundled data is loaded
LOCAL_CHANGES = [0]  # loads and fixes made by this process: its caches are stale at once, others' within seconds


def loaded_version(store: Store) -> str | None:
    """The data version loaded into the store, or None."""
    return store.get_meta(VERSION_KEY)


def state(store: Store) -> tuple[str | None, str | None]:
    """The loaded data version and the generation, in one query."""
    with store.engine.connect() as conn:
        values = dict(conn.execute(select(meta.c.key, meta.c.value).where(meta.c.key.in_((VERSION_KEY,
                                                                                           GENERATION_KEY)))).all())
    return values.get(VERSION_KEY), values.get(GENERATION_KEY)


def ensure_loaded(store: Store) -> str | None:
    """Load the bundled data unless the store already holds this version of it; the generation."""
    version, generation = state(store)
    if version != data_version():
        load(store)
        version, generation = state(store)
    return generation


def load(store: Store, force: bool = False) -> dict[str, Any]:
    """Replace the store's bundled gazetteer data with this version's (the fixes stay); a summary of what was
    loaded. Several processes may call it at once: the first loads, the others find it done."""
    rows = bundled_rows()
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOAD_LOCK_KEY})
        else:
            # write first, so that a second loader waits here for the first (a read first would fail on commit)
            set_meta_in(conn, GENERATION_KEY, _generation())
        current = conn.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar_one_or_none()
        if current != data_version() or force:
            for table in reversed(TABLES):
                conn.execute(delete(table))
            for table, values in ((gazetteer_places, rows.places), (gazetteer_camps, rows.camps),
                                  (gazetteer_camp_numbers, rows.numbers), (gazetteer_camp_places, rows.camp_places),
                                  (gazetteer_names, rows.names)):
                if values:
                    conn.execute(insert(table), values)
            set_meta_in(conn, VERSION_KEY, data_version())
            set_meta_in(conn, "gazetteer_loaded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        set_meta_in(conn, GENERATION_KEY, _generation())
    LOCAL_CHANGES[0] += 1
    return {"version": data_version(), "places": len(rows.places), "camps": len(rows.camps),
            "numbers": len(rows.numbers), "names": len(rows.names)}


def _generation() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def fix_place(store: Store, place_key: str, lat: float, lon: float, source: str, note: str) -> dict[str, Any]:
    """A curator's coordinate for a place, with its source and note (outranks GeoNames; kept on reloads)."""
    ensure_loaded(store)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise KartotekaError("gazetteer.coordinate", f"{lat}, {lon} is not a coordinate",
                             hint="latitude in [-90, 90], longitude in [-180, 180], in decimal degrees (WGS 84)")
    if not source.strip() or not note.strip():
        raise KartotekaError("gazetteer.fix_source", "a fix needs its source and a note",
                             hint="--source names where the coordinate comes from (a map sheet, a survey, a URL); "
                                  "--note says why")
    with store.engine.begin() as conn:
        found = conn.execute(select(gazetteer_places.c.key).where(gazetteer_places.c.key == place_key)).first()
        if found is None:
            raise place_not_found(conn, place_key)
        conn.execute(delete(gazetteer_fixes).where(gazetteer_fixes.c.place_key == place_key))
        fixed_at = dt.datetime.now(dt.UTC)
        row = {"place_key": place_key, "lat": lat, "lon": lon, "source": source.strip(), "note": note.strip()}
        conn.execute(insert(gazetteer_fixes).values(**row, fixed_at=fixed_at))
        set_meta_in(conn, GENERATION_KEY, _generation())
    LOCAL_CHANGES[0] += 1
    return {**row, "fixed_at": fixed_at.isoformat(timespec="seconds")}


def place_not_found(conn: Any, place_key: str) -> KartotekaError:
    """The error for a place key the gazetteer does not have, with the nearest keys as a hint."""
    from difflib import get_close_matches

    keys = [k for (k,) in conn.execute(select(gazetteer_places.c.key))]
    close = get_close_matches(place_key, keys, n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "`kartoteka gazetteer list --places` lists the places"
    return KartotekaError("gazetteer.not_found", f"no place {place_key!r} in the gazetteer", hint=hint,
                          details={"place": place_key})
