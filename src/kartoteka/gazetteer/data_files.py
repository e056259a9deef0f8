"""The bundled gazetteer data (kartoteka/gazetteer/data), read into rows for the store.

- ``camps_sources.tsv``: the reference file as it is (every column, every URL);
- ``camps.tsv``, ``camp_numbers.tsv``: the camps of its rows, their numbers and dates (hand-made from it);
- ``regions.tsv``, ``places_in.tsv``: the places it names; ``places.tsv``: those places matched against GeoNames
  (scripts/build_gazetteer_places.py).

The version of the data is the digest of these files: a store whose loaded version differs is reloaded."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer.match import name_key, script_of

DATA = Path(__file__).resolve().parent / "data"
FILES = ("camps_sources.tsv", "camps.tsv", "camp_numbers.tsv", "regions.tsv", "places_in.tsv", "places.tsv")
REFERENCE = "reference:camps_sources.tsv"


def read_tsv(name: str) -> list[dict[str, str]]:
    """The rows of one bundled file (lines starting with # are its notes)."""
    with (DATA / name).open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines, delimiter="\t")]


@lru_cache(maxsize=1)
def data_version() -> str:
    """The digest of the bundled files (12 hex digits)."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((DATA / name).read_bytes())
    # the name keys stored with the data are match.py's: a change to it reloads the data too
    digest.update((Path(__file__).resolve().parent / "match.py").read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class BundledRows:
    """The bundled data as rows of the gazetteer's tables."""

    places: list[dict[str, Any]]
    camps: list[dict[str, Any]]
    numbers: list[dict[str, Any]]
    camp_places: list[dict[str, Any]]
    names: list[dict[str, Any]]


def _years(text: str) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    start, _, end = text.partition("..") if ".." in text else text.partition("-")
    return (int(start) if start else None), (int(end) if end else None)


def _split_place(spec: str) -> tuple[str, str, str | None, str | None]:
    """"hungnam:site@..1947-04" -> ("hungnam", "site", None, "1947-04")."""
    spec, _, dates = spec.partition("@")
    key, _, role = spec.partition(":")
    start, _, end = dates.partition("..")
    return key, role or "site", start or None, end or None


class _Names:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._seen: set[tuple[Any, ...]] = set()

    def add(self, name: str, kind: str, source: str, place_id: int | None = None, camp_id: int | None = None) -> None:
        key = name_key(name)
        if not key or (place_id, camp_id, key) in self._seen:
            return
        self._seen.add((place_id, camp_id, key))
        self.rows.append({"id": len(self.rows) + 1, "place_id": place_id, "camp_id": camp_id, "name": name,
                          "name_key": key, "script": script_of(name), "kind": kind, "source": source})


def _place_rows(names: _Names) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rows, ids = [], {}
    for number, row in enumerate(read_tsv("places.tsv"), start=1):
        geonames = f"geonames:{row['geonames_id']}" if row["geonames_id"] else None
        ids[row["place"]] = number
        rows.append({
            "id": number, "key": row["place"], "region": row["region"], "name_en": row["name_en"],
            "name_ru": row["name_ru"] or None, "name_ja": row["name_ja"].split(";")[0] or None,
            "historic": row["historic"] or None, "geonames_id": int(row["geonames_id"]) if geonames else None,
            "lat": float(row["lat"]) if geonames else None, "lon": float(row["lon"]) if geonames else None,
            "coordinate_source": geonames, "confidence": float(row["confidence"]) if geonames else None,
            "match_note": row["match"], "note": row["note"] or None,
        })
        source = geonames or REFERENCE
        names.add(row["name_en"], "current", REFERENCE, place_id=number)
        for name in row["name_ja"].split(";"):
            names.add(name, "current", REFERENCE, place_id=number)
        if row["name_ru"]:
            names.add(row["name_ru"], "current", source, place_id=number)
        for name in row["historic"].split(";"):
            names.add(name, "historic", REFERENCE, place_id=number)
        for name in row["alternates"].split("|"):
            names.add(name, "alternate", source, place_id=number)
    for row in read_tsv("places_in.tsv"):
        for name in row["names_en"].split(";"):
            names.add(name, "current", REFERENCE, place_id=ids[row["place"]])
    return rows, ids


def _camp_rows(place_ids: dict[str, int], names: _Names) -> tuple[list[dict[str, Any]], ...]:
    reference = read_tsv("camps_sources.tsv")
    camps, camp_places = [], []
    ids = {row["camp"]: number for number, row in enumerate(read_tsv("camps.tsv"), start=1)}
    for number, row in enumerate(read_tsv("camps.tsv"), start=1):
        source_row = reference[int(row["row"]) - 1]
        whole = row["part"] == "row"
        start, end = _years(row["years"])
        camp = {
            "id": number, "key": row["camp"], "kind": row["kind"], "parent_id": ids.get(row["parent"]),
            "region": row["region"],
            "name_ru": row["name_ru"] or (source_row["name_ru"] if whole else "") or None,
            "name_ja": row["name_ja"] or (source_row["name_ja"] if whole else "") or None,
            "name_en": row["name_en"] or (source_row["name_en"] if whole else "") or None,
            "published": row["published"] or (source_row["size_class_or_count"] if whole else "") or None,
            "died_published": row["died_published"] or (source_row["deaths"] if whole else "") or None,
            "years_from": start, "years_to": end, "years_basis": row["years_basis"] or None,
            "source_url": source_row["source_url"] or None, "reference_row": int(row["row"]),
            "reference_json": json.dumps(source_row, ensure_ascii=False),
        }
        camps.append(camp)
        for script in ("name_ru", "name_ja", "name_en"):
            value = camp[script]
            if isinstance(value, str) and value:
                names.add(value, "camp", REFERENCE, camp_id=number)
        for spec in row["places"].split(";"):
            key, role, valid_from, valid_to = _split_place(spec)
            if key not in place_ids:
                raise KartotekaError("gazetteer.data", f"camps.tsv: camp {row['camp']} names unknown place {key!r}",
                                     hint="add the place to places_in.tsv and rebuild places.tsv")
            camp_places.append({"camp_id": number, "place_id": place_ids[key], "role": role,
                                "valid_from": valid_from, "valid_to": valid_to})
    numbers = []
    for number, row in enumerate(read_tsv("camp_numbers.tsv"), start=1):
        numbers.append({"id": number, "camp_id": ids[row["camp"]], "system": row["system"], "number": row["number"],
                        "valid_from": row["valid_from"] or None, "valid_to": row["valid_to"] or None,
                        "basis": row["basis"]})
    return camps, numbers, camp_places


@lru_cache(maxsize=1)
def bundled_rows() -> BundledRows:
    """Every table's rows from the bundled files (ids: the rows' order, so they last across reloads)."""
    names = _Names()
    places, place_ids = _place_rows(names)
    camps, numbers, camp_places = _camp_rows(place_ids, names)
    return BundledRows(places=places, camps=camps, numbers=numbers, camp_places=camp_places, names=names.rows)
