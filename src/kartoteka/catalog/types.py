"""The catalog's plain data: public fields only (kartoteka.access.policy decides which)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class StoreInfo:
    simulated: bool  # every page and export says SIMULATED when true
    records: int
    persons: int  # 0 before any link
    dead: int  # persons (or, before a link, death records) with fate "died"
    sources: int
    run_id: int | None  # the current linkage run
    run_finished_at: str | None
    model_version: str | None


@dataclass(frozen=True)
class NameForm:
    script: str  # cyrillic | katakana | kanji | romaji | ...
    text: str
    readings: list[str]  # the best readings of it (romaji with the katakana), best first
    record_ids: list[int]  # the records that spell the name this way


@dataclass(frozen=True)
class Citation:
    """Where a record comes from, and a line to cite it by."""

    source_id: int
    source_name: str
    file_name: str
    line: int  # as an editor shows it
    record_ref: str
    archive_ref: str | None
    scan_ref: str | None
    text: str  # the citation line ("Soviet registration card, cards.csv line 12, ref РГВА 1/2/3; kartoteka record 45")


@dataclass(frozen=True)
class RecordView:
    id: int
    kind: str
    fields: dict[str, Any]  # the public fields of this kind, as stored (dates as written)
    citation: Citation
    person_id: int | None  # the person it belongs to in the current run
    simulated: bool
    access: str = "public"  # full | public | list | withheld (kartoteka.access.policy.Access)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TimelineEvent:
    date: str | None  # ISO, possibly partial ("1946", "1946-03")
    kind: str  # birth | capture | camp | transfer | death | burial | repatriation
    place: str | None
    detail: str | None  # a ship and port, a camp and lagpunkt, a site and grave number
    record_ids: list[int]


@dataclass(frozen=True)
class Grouping:
    """How sure the grouping of the person's records is, and who made it."""

    made_by: str  # "model" | "reviewer" | "single record"
    model_version: str | None
    run_id: int | None
    weakest_link: float | None  # the lowest match probability that holds a record in the person
    decisions: int  # reviewer decisions that touch the person's records
    flags: list[str]  # constraint problems found in the cluster


@dataclass(frozen=True)
class PersonView:
    id: int
    names: dict[str, str | None]  # cyrillic, kana, kanji, romaji (the best of each)
    name_forms: list[NameForm]  # every spelling of the name in the records
    birth_year: int | None
    prefecture: str | None
    unit: str | None
    rank: str | None
    fate: str
    death_date: str | None
    death_place: str | None
    burial_site: str | None
    timeline: list[TimelineEvent]
    records: list[RecordView]
    grouping: Grouping
    citation: str  # how to cite this person page
    simulated: bool
    access: str = "public"  # full | public | list (the possibly living, below reviewer)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Moved:
    """A person id that no longer exists: its records now belong to these persons (merged: one; split: several)."""

    person_id: int
    now: list[int]
    reason: str  # merged | split | removed


@dataclass(frozen=True)
class MemorialRow:
    row: str  # ア カ サ タ ナ ハ マ ヤ ラ ワ, and "他" for names without a kana reading
    label: str  # "ア行"
    count: int


@dataclass(frozen=True)
class MemorialEntry:
    person_id: int
    kana: str | None  # the name in katakana, the key of the 50-on order
    kanji: str | None
    cyrillic: str | None
    birth_year: int | None
    prefecture: str | None
    death_date: str | None
    death_place: str | None
    burial_site: str | None


@dataclass(frozen=True)
class MemorialPage:
    row: str | None
    prefecture: str | None
    total: int
    entries: list[MemorialEntry] = field(default_factory=list)


@dataclass(frozen=True)
class SourceView:
    id: int
    name: str
    kind: str
    file_name: str
    imported_at: str
    records: int
    quarantined: int
    simulated: bool


@dataclass(frozen=True)
class Correction:
    id: int
    person_id: int | None
    record_id: int | None
    text: str
    contact: str | None  # never shown on a public page
    created_at: str
    status: str  # new | done
