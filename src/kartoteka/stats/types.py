"""What the numbers are: tables of counts, each with where it comes from, and the whole set of figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kartoteka.stats.interval import PersonsInterval
from kartoteka.stats.reference import Estimate


@dataclass(frozen=True)
class CountTable:
    """One table of counts: its columns, its rows (dicts keyed by the columns), its source and a note."""

    name: str  # by_camp | by_region | by_prefecture | deaths_by_month | by_year | repatriation_by_year | fates
    columns: list[str]
    rows: list[dict[str, Any]]
    source: str  # "this store, run 3, 2026-12-07" or a reference file
    note: str = ""
    totals: dict[str, Any] = field(default_factory=dict)  # counts that belong to no row (not dated to the month)

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]


@dataclass(frozen=True)
class RunInfo:
    """The linkage run whose persons are counted."""

    id: int
    finished_at: str | None  # ISO date of the run's end
    persons: int
    records: int


@dataclass(frozen=True)
class Statistics:
    """Every figure of the statistics page, `kartoteka stats --json` and /api/v1/stats."""

    simulated: bool
    run: RunInfo | None  # None: the store has no linked persons yet (only the published figures are shown)
    source: str  # where the store's counts come from
    persons: PersonsInterval | None
    persons_source: str
    counts: dict[str, CountTable]
    estimates: list[Estimate]
    estimates_source: str
    first_winter: dict[str, Any]  # the share of the dated deaths in the first winter, beside the published share
    key: str = ""  # what the figures were computed for (service.cache_key): charts drawn from them are kept by it

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the API's and the CLI's answer)."""
        return {
            "simulated": self.simulated,
            "run": asdict(self.run) if self.run else None,
            "source": self.source,
            "persons": {**self.persons.to_dict(), "source": self.persons_source} if self.persons else None,
            "counts": {name: {"columns": table.columns, "rows": table.rows, "source": table.source,
                              "note": table.note, "totals": table.totals} for name, table in self.counts.items()},
            "first_winter": self.first_winter,
            "estimates": [estimate.to_dict() for estimate in self.estimates],
            "estimates_source": self.estimates_source,
        }
