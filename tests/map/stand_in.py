"""A stand-in for the gazetteer's ``camp_markers``, ``resolve`` and ``stored_resolutions`` (test code only): markers whose every figure a
test can name, for the tests of how the map's pages render them (tests/web/test_map_pages.py). The tests of the
map with the store's real camps use the real gazetteer.

The camps are the simulator's input (src/kartoteka/simulate/data/camps.tsv: names and numbers), the counts are
made up here, and the coordinates are SYNTHETIC: a grid over Siberia, not where any camp was
(``coordinate.source`` says "test:synthetic"). One camp has a hostile name, one has no coordinate."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from kartoteka.gazetteer.types import CampMarker, Coordinate, PlaceResolution

CAMPS_TSV = Path(__file__).resolve().parents[2] / "src" / "kartoteka" / "simulate" / "data" / "camps.tsv"
HOSTILE_NAME = '<script>alert("camp")</script>\u202eлагерь'
SYNTHETIC = "test:synthetic (not the camp's place)"


def _camps() -> list[dict[str, str]]:
    lines = [line for line in CAMPS_TSV.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def markers() -> list[CampMarker]:
    """Every stand-in marker: the even ones in use 1945-1949, the odd ones 1945-1947; the last has no
    coordinate; the first is a burial site; one camp's English name is hostile."""
    made = []
    rows = _camps()
    for index, row in enumerate(rows):
        kind = "burial_site" if index == 0 else "camp"
        coordinate = None if index == len(rows) - 1 else Coordinate(
            lat=48.0 + (index % 4) * 3.0, lon=70.0 + index * 3.5, source=SYNTHETIC, confidence=1.0)
        made.append(CampMarker(
            id=index + 1, kind=kind,
            names={"ru": row["name_ru"], "ja": row["name_ja"], "en": HOSTILE_NAME if index == 3 else None},
            numbers=[{"system": "soviet", "number": row["camp_number"], "from": dt.date(1945, 9, 1), "to": None}],
            coordinate=coordinate, held=0 if kind == "burial_site" else 10 * (index + 1), died=index,
            published=f"{int(float(row['weight'])):,}", source_url=row["source_url"],
            years=(1945, 1949) if index % 2 == 0 else (1945, 1947)))
    return made


def camp_markers(store: object, year: int | None = None) -> list[CampMarker]:
    del store
    return [m for m in markers() if year is None or (m.years and m.years[0] <= year <= m.years[1])]


def resolve(store: object, text: str, on: dt.date | None = None) -> PlaceResolution:
    """A camp text naming one of the simulator's camp numbers resolves to that camp's stand-in marker."""
    del store
    numbers = re.findall(r"\d+", text)
    for marker in markers():
        if numbers and marker.numbers[0]["number"] == numbers[0] and marker.kind == "camp":
            name = marker.names["ru"]
            return PlaceResolution(text=text, place_id=marker.id, camp_id=marker.id, name=name,
                                   coordinate=marker.coordinate, confidence=0.9, reasons=["stand-in"], on=on)
    return PlaceResolution(text=text, place_id=None, camp_id=None, name=None, coordinate=None, confidence=0.0, on=on)


def stored_resolutions(store: object, wanted: list[tuple[str, str, list[int]]]) -> list[PlaceResolution | None]:
    """The route's stored resolutions, as the stand-in's ``resolve`` would have made them."""
    return [resolve(store, text) for _field, text, _records in wanted]


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch the gazetteer's service functions (the web modules call them through the module)."""
    from kartoteka.gazetteer import service

    monkeypatch.setattr(service, "camp_markers", camp_markers)
    monkeypatch.setattr(service, "resolve", resolve)
    monkeypatch.setattr(service, "stored_resolutions", stored_resolutions)
