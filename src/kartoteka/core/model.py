"""The domain model: plain frozen dataclasses for what the records describe.

    Source ─< Record >─ Person          a source file holds records; linkage groups records into persons
                 │         │
                 │         └── Fate     died | repatriated | remained | transferred_to_china | unknown
                 └── Event              capture, transfer, death, burial, repatriation ... with a PartialDate
    Camp ─< BurialSite, Place           the gazetteer: camps (several numbering systems), places, burial sites
    Decision                            a reviewer's verdict on two records; it outranks the model
    Estimate                            a published figure with its source (reference/estimates.tsv)

``Record`` mirrors the store's ``records`` table column for column (dates as ``PartialDate.iso()`` text); the
store, ingest and linkage pass rows in and out with ``Record.from_row`` / ``Record.to_row``. Kinds and fates
are the vocabulary used everywhere: the store writes kinds with underscores, the CLI with hyphens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from kartoteka.core.dates import PartialDate, parse_partial_date
from kartoteka.core.errors import KartotekaError

RECORD_KINDS: tuple[str, ...] = ("card", "personal_file", "death_roster", "jp_roster", "manifest", "burial")
FATES: tuple[str, ...] = ("died", "repatriated", "remained", "transferred_to_china", "unknown")
DECISIONS: tuple[str, ...] = ("same", "not_same")
EVENT_KINDS: tuple[str, ...] = (
    "capture", "arrival", "transfer", "hospital", "death", "burial", "repatriation", "release",
    "transfer_to_china", "card_written",
)
SCRIPTS: tuple[str, ...] = ("cyrillic", "katakana", "hiragana", "kanji", "latin", "mixed")

RECORD_KIND_DESCRIPTIONS: dict[str, str] = {
    "card": "Soviet registration card (учётная карточка), Cyrillic by ear; a new card at each camp transfer",
    "personal_file": "Soviet personal file (учётное дело): questionnaire, medical chart, death certificate",
    "death_roster": "the Japanese ministry's published death list, katakana transcribed from the Cyrillic",
    "jp_roster": "Japanese-side roster (unit roster, family report, returnee report), in kanji",
    "manifest": "repatriation manifest: ship, ports, date, name, prefecture, unit",
    "burial": "burial register or site survey: cemetery, site and grave number, name on the marker",
}
FATE_DESCRIPTIONS: dict[str, str] = {
    "died": "died in captivity (death date and place, burial site where known)",
    "repatriated": "returned to Japan (ship and date where known)",
    "remained": "stayed in the Soviet Union or Mongolia after the repatriations ended",
    "transferred_to_china": "handed over to the People's Republic of China (971 people by the seed article's figures)",
    "unknown": "no record says what became of the person",
}


def _vocabulary_word(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def normalize_kind(text: str) -> str:
    """The store's spelling of a record kind: "personal-file", "Personal file" -> "personal_file"."""
    kind = _vocabulary_word(text) if isinstance(text, str) else ""
    if kind not in RECORD_KINDS:
        known = ", ".join(k.replace("_", "-") for k in RECORD_KINDS)
        raise KartotekaError(
            code="usage.kind",
            message=f"unknown record kind {text!r}; the known kinds are: {known}",
            hint="Hyphens and underscores are both accepted (personal-file or personal_file).",
            details={"value": text, "known": list(RECORD_KINDS)},
        )
    return kind


def cli_kind(kind: str) -> str:
    """The command line's spelling of a record kind: "personal_file" -> "personal-file"."""
    return normalize_kind(kind).replace("_", "-")


def normalize_fate(text: str | None) -> str:
    """One of FATES from "Died", "transferred to China", "transferred-to-china"; blank means "unknown"."""
    if text is None or not text.strip():
        return "unknown"
    fate = _vocabulary_word(text)
    if fate not in FATES:
        raise KartotekaError(
            code="input.fate",
            message=f"unknown fate {text!r}; the known fates are: {', '.join(FATES)}",
            details={"value": text, "known": list(FATES)},
        )
    return fate


def _dataclass_from_mapping(cls: type, row: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``row`` that are fields of ``cls`` (other keys, such as a query's extra columns, are dropped)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in row.items() if key in names}


# --- sources and records ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One imported file: a row of the store's ``sources`` table."""

    name: str
    kind: str
    file_name: str
    file_sha256: str
    encoding: str | None = None
    imported_at: datetime | None = None
    row_count: int = 0
    quarantined_count: int = 0
    simulated: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", normalize_kind(self.kind))


@dataclass(frozen=True)
class Record:
    """One source row with its provenance and normalized fields; mirrors the store's ``records`` table.

    Dates are text in ``PartialDate.iso()`` form (as stored); ``birth``, ``capture``, ``death`` and ``event``
    read them back as PartialDate.
    """

    kind: str
    record_ref: str
    file_name: str = ""
    row_number: int = 0
    source_id: int | None = None
    id: int | None = None
    row_sha256: str = ""
    raw_json: str = ""
    surname: str | None = None
    given_name: str | None = None
    patronymic: str | None = None
    name_original: str | None = None
    script: str | None = None
    birth_date: str | None = None
    birth_year: int | None = None
    birth_place: str | None = None
    prefecture: str | None = None
    occupation: str | None = None
    rank: str | None = None
    unit: str | None = None
    camp: str | None = None
    lagpunkt: str | None = None
    capture_date: str | None = None
    capture_place: str | None = None
    death_date: str | None = None
    death_place: str | None = None
    burial_place: str | None = None
    burial_site: str | None = None
    grave_number: str | None = None
    ship: str | None = None
    departure_port: str | None = None
    arrival_port: str | None = None
    event_date: str | None = None
    archive_ref: str | None = None
    scan_ref: str | None = None
    extra_json: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", normalize_kind(self.kind))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Record:
        """A Record from a database row or dict (keys that are not columns are ignored)."""
        return cls(**_dataclass_from_mapping(cls, row))

    def to_row(self) -> dict[str, Any]:
        """The column values, for an insert into ``records`` (``id`` left out when not yet assigned)."""
        row = asdict(self)
        if row["id"] is None:
            del row["id"]
        return row

    @property
    def birth(self) -> PartialDate | None:
        """The birth date, or the birth year when only that is known."""
        if self.birth_date:
            return PartialDate.from_iso(self.birth_date)
        return PartialDate.of(self.birth_year) if self.birth_year else None

    @property
    def capture(self) -> PartialDate | None:
        """The capture date."""
        return PartialDate.from_iso(self.capture_date) if self.capture_date else None

    @property
    def death(self) -> PartialDate | None:
        """The death date."""
        return PartialDate.from_iso(self.death_date) if self.death_date else None

    @property
    def event(self) -> PartialDate | None:
        """The record's own date (a card's date, a manifest's sailing)."""
        return PartialDate.from_iso(self.event_date) if self.event_date else None

    @property
    def display_name(self) -> str:
        """The name as a person would read it: the original if kept, else surname, given name, patronymic."""
        if self.name_original:
            return self.name_original
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)


RECORD_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Record))


# --- persons, events, decisions --------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A cluster of records that linkage (or a reviewer) holds to be one person, with the best-known facts."""

    id: int | None = None
    name_cyrillic: str | None = None
    name_kana: str | None = None
    name_kanji: str | None = None
    name_romaji: str | None = None
    birth_year: int | None = None
    prefecture: str | None = None
    unit: str | None = None
    rank: str | None = None
    fate: str = "unknown"
    death_date: str | None = None
    death_place: str | None = None
    burial_site: str | None = None
    camps: tuple[str, ...] = ()
    record_ids: tuple[int, ...] = ()
    flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fate", normalize_fate(self.fate))

    @property
    def display_name(self) -> str:
        """Kanji if identified, else katakana, else romaji, else the Cyrillic of the Soviet records."""
        for name in (self.name_kanji, self.name_kana, self.name_romaji, self.name_cyrillic):
            if name:
                return name
        return ""


@dataclass(frozen=True)
class Event:
    """Something that happened to a person on a (partial) date: captured, transferred, died, repatriated."""

    kind: str
    date: PartialDate | None = None
    place: str | None = None
    camp: str | None = None
    lagpunkt: str | None = None
    record_id: int | None = None
    person_id: int | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        kind = _vocabulary_word(self.kind)
        if kind not in EVENT_KINDS:
            raise KartotekaError(
                code="input.event",
                message=f"unknown event kind {self.kind!r}; the known kinds are: {', '.join(EVENT_KINDS)}",
            )
        object.__setattr__(self, "kind", kind)


@dataclass(frozen=True)
class Decision:
    """A reviewer's verdict that two records are (or are not) the same person; it outranks the model."""

    record_id_l: int
    record_id_r: int
    decision: str
    reviewer: str | None = None
    note: str | None = None
    decided_at: datetime | None = None
    undone_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise KartotekaError(
                code="usage.decision",
                message=f"unknown decision {self.decision!r}; use one of: {', '.join(DECISIONS)}",
            )
        if self.record_id_l == self.record_id_r:
            raise KartotekaError(code="usage.decision", message="a decision needs two different records")

    @property
    def active(self) -> bool:
        """Whether the decision still stands (it has not been undone)."""
        return self.undone_at is None


# --- the gazetteer ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CampNumber:
    """A camp's number in one numbering system, valid for a time (camps were renumbered and merged)."""

    system: str  # "gupvi" (Soviet NKVD/MVD), "gupvi_former", "jp_district" (the Japanese ministry's map) ...
    number: str
    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None


@dataclass(frozen=True)
class Camp:
    """A camp (лагерь) with its names in three languages and its numbers in several systems."""

    number: str
    name_ru: str | None = None
    name_ja: str | None = None
    name_en: str | None = None
    region: str | None = None
    nearest_town: str | None = None
    lat: float | None = None
    lon: float | None = None
    numbers: tuple[CampNumber, ...] = ()
    valid_from: PartialDate | None = None
    valid_to: PartialDate | None = None
    size_note: str | None = None
    deaths_note: str | None = None
    source_url: str | None = None

    @classmethod
    def from_reference_row(cls, row: Mapping[str, str]) -> Camp:
        """A Camp from a row of reference/camps_sources.tsv (its source_url kept)."""
        number = (row.get("camp_number") or "").strip()
        return cls(
            number=number,
            name_ru=_blank_to_none(row.get("name_ru")),
            name_ja=_blank_to_none(row.get("name_ja")),
            name_en=_blank_to_none(row.get("name_en")),
            region=_blank_to_none(row.get("region")),
            nearest_town=_blank_to_none(row.get("nearest_town")),
            lat=_float_or_none(row.get("lat")),
            lon=_float_or_none(row.get("lon")),
            numbers=camp_numbers(number),
            size_note=_blank_to_none(row.get("size_class_or_count")),
            deaths_note=_blank_to_none(row.get("deaths")),
            source_url=_blank_to_none(row.get("source_url")),
        )

    def active_on(self, day: PartialDate) -> bool:
        """Whether the camp may have existed on that date (unknown validity counts as possible)."""
        starts_after = self.valid_from is not None and self.valid_from.earliest > day.latest
        ended_before = self.valid_to is not None and self.valid_to.latest < day.earliest
        return not (starts_after or ended_before)


def camp_numbers(text: str) -> tuple[CampNumber, ...]:
    """The numbers in a camp label: "32 (ex-255)" -> gupvi 32 and gupvi_former 255; "JP-district 12"."""
    text = text.strip()
    district = re.fullmatch(r"jp-district\s+(\d+)", text, flags=re.IGNORECASE)
    if district:
        return (CampNumber("jp_district", district.group(1)),)
    numbers: list[CampNumber] = []
    main = re.match(r"(\d+)", text)
    if main:
        numbers.append(CampNumber("gupvi", main.group(1)))
    numbers.extend(CampNumber("gupvi_former", former) for former in re.findall(r"ex-(\d+)", text))
    return tuple(numbers)


@dataclass(frozen=True)
class Place:
    """A place with its historic and current names in Russian, Japanese and English."""

    name_ru: str | None = None
    name_ja: str | None = None
    name_en: str | None = None
    historic_names: tuple[str, ...] = ()
    kind: str | None = None  # town, station, settlement, port, region
    region: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class BurialSite:
    """A burial ground: its site number, the camp it served, graves, and what surveys found."""

    site_number: str
    name: str | None = None
    camp_number: str | None = None
    lagpunkt: str | None = None
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    graves: int | None = None
    surveyed: PartialDate | None = None
    remains_recovered: int | None = None
    status: str | None = None  # e.g. collectable, recovered, unlocatable
    source_url: str | None = None


# --- published figures ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Estimate:
    """A published figure (a count or a range) with where it comes from; a row of reference/estimates.tsv."""

    quantity: str
    low: int | None
    high: int | None
    as_of: str | None
    source: str | None
    source_url: str | None
    note: str | None = None

    @classmethod
    def from_reference_row(cls, row: Mapping[str, str]) -> Estimate:
        """An Estimate from a row of reference/estimates.tsv (columns value_low and value_high)."""
        return cls(
            quantity=(row.get("quantity") or "").strip(),
            low=_int_or_none(row.get("value_low")),
            high=_int_or_none(row.get("value_high")),
            as_of=_blank_to_none(row.get("as_of")),
            source=_blank_to_none(row.get("source")),
            source_url=_blank_to_none(row.get("source_url")),
            note=_blank_to_none(row.get("note")),
        )

    @property
    def is_range(self) -> bool:
        """Whether the source gives a range (low and high differ) rather than one figure."""
        return self.low is not None and self.high is not None and self.low != self.high

    @property
    def as_of_date(self) -> PartialDate | None:
        """``as_of`` read as a date where it is one ("1945-12-07", "1950 (updated data)" -> 1950), else None."""
        if not self.as_of:
            return None
        for candidate in (self.as_of, re.sub(r"\s*\(.*\)\s*$", "", self.as_of)):
            try:
                return parse_partial_date(candidate.replace("..", "/"))
            except KartotekaError:
                continue
        return None


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else value


def _int_or_none(value: str | None) -> int | None:
    text = (value or "").strip().replace(",", "")
    return int(text) if text.isdigit() else None


def _float_or_none(value: str | None) -> float | None:
    text = (value or "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None
