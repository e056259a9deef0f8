"""The search's plain data: what is asked (SearchQuery) and what is answered (SearchPage of SearchHit).

Every field of a hit is a public field (kartoteka.access.policy): the web, the API, the CLI and exports show them
as they are."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_QUERY_LENGTH = 200  # characters of a name query; longer is search.too_long
MAX_LIMIT = 100


@dataclass(frozen=True)
class SearchQuery:
    """A name in any script (kanji, kana, romaji with or without macrons, Cyrillic), with optional filters."""

    text: str
    birth_year: int | None = None
    birth_year_tolerance: int = 2
    prefecture: str | None = None  # kanji (山形県 or 山形), romaji (Yamagata) or JIS code (6); unknown: search.prefecture
    camp: str | None = None  # a camp number or name as written ("7", "Тайшет")
    fate: str | None = None  # died | repatriated | unknown
    death_year: int | None = None
    limit: int = 20
    offset: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SearchHit:
    """One candidate person (or, before any link, one record standing for its person)."""

    person_id: int | None  # None before any link has run: then record_id is the candidate
    record_id: int | None
    score: float  # in [0, 1]: name similarity combined with the filters; higher is better
    names: dict[str, str | None]  # "cyrillic", "kana", "kanji", "romaji": the person's names in every script
    birth_year: int | None
    prefecture: str | None
    fate: str
    death_date: str | None
    record_count: int
    sources: dict[str, int]  # record kind -> how many of the person's records are of it
    record_refs: list[str]  # the source record_ref of each of the person's records
    reasons: list[str]  # why it matched: which reading of the query met which spelling (names.explain)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SearchPage:
    """A page of results: the query as understood, the total, the hits, and a looser query when none matched."""

    query: SearchQuery
    total: int
    hits: list[SearchHit]
    readings: list[str] = field(default_factory=list)  # how the query text was read (romaji), best first
    looser: SearchQuery | None = None  # offered when nothing was found (filters dropped, tolerance widened)
    candidates: str = "persons"  # "persons" (of the current run) or "records" (no link has run yet)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query.to_dict(), "total": self.total, "results": [h.to_dict() for h in self.hits],
                "readings": self.readings, "looser": self.looser.to_dict() if self.looser else None,
                "candidates": self.candidates}


@dataclass(frozen=True)
class IndexSummary:
    entries: int  # rows written (one per record)
    persons: int  # candidates: persons of the run, or records when no link has run
    run_id: int | None
    seconds: float
