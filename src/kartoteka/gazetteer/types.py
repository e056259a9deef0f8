"""The gazetteer's plain data, as the map, the person pages and the numbers read it (session 10's contract).

A coordinate always carries where it came from (``coordinate_source``: "geonames:<id>", "reference:<file>",
"curator:<note>") and how sure the match was; a place that could not be resolved has no coordinate, never a
guess."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Coordinate:
    lat: float
    lon: float
    source: str  # "geonames:2014927", "reference:camps_sources.tsv", "curator:<who, note>"
    confidence: float  # in [0, 1]: how sure the name match behind it is


@dataclass(frozen=True)
class CampMarker:
    """One camp or burial site on the map: names in each script, where, and how many the store holds there."""

    id: int
    kind: str  # "camp" | "subcamp" | "hospital" | "transit" | "burial_site" | "area" (a regional total)
    names: dict[str, str | None]  # "ru", "ja", "en"
    numbers: list[dict[str, Any]]  # [{"system": "soviet"|"japanese_1947", "number": "7", "from": date|None, "to": ...}]
    coordinate: Coordinate | None
    held: int  # persons in the store recorded at this camp (0 for a burial site)
    died: int  # persons in the store who died here (or lie here, for a burial site)
    published: str | None  # the published figure as its source states it ("40,000"), with `source_url`
    source_url: str | None
    years: tuple[int, int] | None  # first and last year the camp was in use, where known
    key: str = ""  # the gazetteer's stable key ("taishet_7")
    region: str | None = None
    died_published: str | None = None  # the published deaths as the source states them
    parent_id: int | None = None  # the camp a sub-camp, hospital or burial site belongs to
    place_key: str | None = None  # the place the marker stands on (camps with several: the headquarters)
    reference_row: int | None = None  # the data row of camps_sources.tsv it comes from
    years_from: int | None = None  # each bound alone, where only one is known ("closed March 1946")
    years_to: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PlaceResolution:
    """What a place or camp text as written ("Тайшетский лагерь № 7", "第7地区", "Taishet") resolves to."""

    text: str
    place_id: int | None
    camp_id: int | None
    name: str | None  # the resolved place's name in English, for display
    coordinate: Coordinate | None
    confidence: float  # 0 when nothing was resolved
    reasons: list[str] = field(default_factory=list)
    on: dt.date | None = None  # the date that decided which camp a number meant
    place_key: str | None = None  # the gazetteer's stable keys ("taishet", "taishet_7")
    camp_key: str | None = None
    camp_name: str | None = None  # the camp's name in English ("Komsomolsk GUPVI camp No.1"): one place, many camps
    candidates: list[int] = field(default_factory=list)  # the camps an ambiguous text may mean (camp_id is None)
    # how it was resolved (kept in the store's record_places): "number", "number+name" (a number and a name that
    # agree), "name" (a camp's or place's name alone), "only camp" (the one camp at the place named), "place" (a
    # place, no camp), "ambiguous" (several camps equally likely: none chosen), "unresolved" (nothing)
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["on"] = self.on.isoformat() if self.on else None
        return data
