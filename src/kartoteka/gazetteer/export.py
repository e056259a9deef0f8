"""The gazetteer's exports: GeoJSON (RFC 7946), Linked Places Format (LPF v1.2.2, the World Historical Gazetteer's
GeoJSON-LD) and CSV with sources, of the camps and burial sites with their counts in the store.

A camp whose place has no coordinate (unresolved, see `kartoteka gazetteer unresolved`) is exported without a
geometry (GeoJSON ``"geometry": null``; LPF leaves it out), never at a guessed point."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer.service import camp_markers, places
from kartoteka.gazetteer.types import CampMarker
from kartoteka.store import Store

LPF_CONTEXT = "https://raw.githubusercontent.com/LinkedPasts/linked-places/master/linkedplaces-context-v1.1.jsonld"
BASE_URI = "urn:kartoteka:gazetteer:"  # no public server hosts the ids: a URN names them without promising one
LANGUAGE_OF = {"ru": "ru", "ja": "ja", "en": "en"}
COUNTRY = {"kazakh": "KZ", "uzbek": "UZ", "mongolia": "MN", "north_korea": "KP", "liaoning": "CN"}
CSV_COLUMNS = ("id", "key", "kind", "name_ru", "name_ja", "name_en", "numbers", "region", "place", "place_name_ru",
               "place_name_ja", "place_name_en", "place_historic", "lat", "lon",
               "coordinate_source", "coordinate_confidence", "years_from", "years_to", "held_in_store",
               "died_in_store", "published", "died_published", "source_url", "reference_row", "simulated")
FORMATS = ("geojson", "lpf", "csv")


def _numbers_text(marker: CampMarker) -> str:
    parts = []
    for number in marker.numbers:
        span = "" if not (number["from"] or number["to"]) else f" [{number['from'] or ''}..{number['to'] or ''}]"
        parts.append(f"{number['system']} {number['number']}{span}")
    return "; ".join(parts)


def _place_names(store: Store) -> dict[str, dict[str, Any]]:
    """Each place's names in each script, with its former names ("historic": Suchan for Partizansk)."""
    return {p["key"]: {**p["names"], "historic": p["historic"]} for p in places(store)}


def geojson(store: Store) -> dict[str, Any]:
    """The camps and burial sites as a GeoJSON FeatureCollection (longitude first, WGS 84)."""
    simulated = store.is_simulated()
    place_names = _place_names(store)
    features = []
    for marker in camp_markers(store):
        c = marker.coordinate
        features.append({
            "type": "Feature",
            "id": marker.id,
            "geometry": None if c is None else {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "key": marker.key, "kind": marker.kind, "names": marker.names, "numbers": marker.numbers,
                "region": marker.region, "place": marker.place_key,
                "place_names": place_names.get(marker.place_key or "", None),
                "coordinate_source": c.source if c else None, "coordinate_confidence": c.confidence if c else None,
                "years_from": marker.years_from, "years_to": marker.years_to,
                "held_in_store": marker.held, "died_in_store": marker.died,
                "published": marker.published, "died_published": marker.died_published,
                "source_url": marker.source_url, "reference": f"camps_sources.tsv row {marker.reference_row}",
                "parent": marker.parent_id, "simulated": simulated,
            },
        })
    return {"type": "FeatureCollection", "features": features,
            "kartoteka": {"counts": "persons in the store" + (" (SIMULATED data)" if simulated else ""),
                          "simulated": simulated}}


def _timespan(marker: CampMarker) -> dict[str, Any] | None:
    if marker.years_from is None and marker.years_to is None:
        return None
    # LPF wants a start: where only the end is known, the start is at the latest that year
    span: dict[str, Any] = {"start": {"in": str(marker.years_from)} if marker.years_from else
                            {"latest": str(marker.years_to)}}
    if marker.years_to:
        span["end"] = {"in": str(marker.years_to)}
    return {"timespans": [span]}


def lpf_feature(marker: CampMarker, simulated: bool, parent_key: str | None = None) -> dict[str, Any]:
    """One camp as a Linked Places feature: names per language with their source, type, when, geometry, links."""
    citation = [{"label": "camps_sources.tsv (kartoteka)", "@id": marker.source_url.split(" ; ")[0]}] \
        if marker.source_url else [{"label": "camps_sources.tsv (kartoteka)"}]
    names = [{"toponym": name, "lang": LANGUAGE_OF[lang], "citations": citation}
             for lang, name in marker.names.items() if name]
    feature: dict[str, Any] = {
        "@id": f"{BASE_URI}{marker.key}", "type": "Feature",
        "properties": {"title": marker.names.get("en") or marker.names.get("ru") or marker.key,
                       "ccodes": [COUNTRY.get(marker.region or "", "RU")]},
        "names": names or [{"toponym": marker.key, "lang": None}],
        "types": [{"label": marker.kind.replace("_", " "), "sourceLabel": marker.kind}],
        "descriptions": [{"value": _description(marker, simulated), "lang": "en"}],
    }
    when = _timespan(marker)
    if when:
        feature["when"] = when
    c = marker.coordinate
    if c is not None:
        feature["geometry"] = {"type": "GeometryCollection", "geometries": [{
            "type": "Point", "coordinates": [c.lon, c.lat], "source": c.source,
            "certainty": "certain" if c.confidence >= 0.9 else "less-certain"}]}
        if c.source.startswith("geonames:"):
            feature["links"] = [{"type": "closeMatch", "identifier": "gn:" + c.source.split(":", 1)[1]}]
    if parent_key is not None:
        feature["relations"] = [{"relationType": "gvp:broaderPartitive", "relationTo": f"{BASE_URI}{parent_key}",
                                 "label": "part of"}]
    return feature


def _description(marker: CampMarker, simulated: bool) -> str:
    numbers = _numbers_text(marker) or "no number"
    published = f"published: {marker.published}" if marker.published else "no published figure"
    counted = f"in this store{' (SIMULATED)' if simulated else ''}: {marker.held} held, {marker.died} died"
    return f"{numbers}; {published}; {counted}"


def lpf(store: Store) -> dict[str, Any]:
    """The camps and burial sites as a Linked Places FeatureCollection."""
    simulated = store.is_simulated()
    markers = camp_markers(store)
    keys = {m.id: m.key for m in markers}
    features = [lpf_feature(m, simulated, keys.get(m.parent_id) if m.parent_id else None) for m in markers]
    return {"type": "FeatureCollection", "@context": LPF_CONTEXT, "features": features}


def csv_rows(store: Store) -> list[dict[str, Any]]:
    """One row per camp and burial site, with every source (CSV_COLUMNS)."""
    simulated = store.is_simulated()
    place_names = _place_names(store)
    rows = []
    for marker in camp_markers(store):
        c = marker.coordinate
        names = place_names.get(marker.place_key or "", {})
        rows.append({
            "id": marker.id, "key": marker.key, "kind": marker.kind, "name_ru": marker.names.get("ru") or "",
            "name_ja": marker.names.get("ja") or "", "name_en": marker.names.get("en") or "",
            "numbers": _numbers_text(marker), "region": marker.region or "", "place": marker.place_key or "",
            "place_name_ru": names.get("ru") or "", "place_name_ja": names.get("ja") or "",
            "place_name_en": names.get("en") or "", "place_historic": "; ".join(names.get("historic") or []),
            "lat": c.lat if c else "", "lon": c.lon if c else "", "coordinate_source": c.source if c else "",
            "coordinate_confidence": c.confidence if c else "", "years_from": marker.years_from or "",
            "years_to": marker.years_to or "", "held_in_store": marker.held, "died_in_store": marker.died,
            "published": marker.published or "", "died_published": marker.died_published or "",
            "source_url": marker.source_url or "", "reference_row": marker.reference_row or "",
            "simulated": "SIMULATED" if simulated else "",
        })
    return rows


def export(store: Store, fmt: str, out: Path) -> int:
    """Write the camps and burial sites to ``out`` as ``fmt`` (geojson, lpf or csv); the number of features."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise KartotekaError("usage", f"unknown gazetteer export format {fmt!r}",
                             hint=f"one of {', '.join(FORMATS)}")
    if fmt == "csv":
        rows = csv_rows(store)
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)
    document = geojson(store) if fmt == "geojson" else lpf(store)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(document["features"])
