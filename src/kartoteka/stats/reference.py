"""The published figures kartoteka shows beside its own counts: bundled copies of the project's reference files.

``data/estimates.tsv`` and ``data/repatriation_by_year.tsv`` are copies of ``shared/reference/`` (every column
kept, every row kept, also the rows marked NOT VERIFIED or without a figure: they are shown as they are).
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

ESTIMATES_FILE = "estimates.tsv"
REPATRIATION_FILE = "repatriation_by_year.tsv"
ESTIMATE_COLUMNS = ("quantity", "value_low", "value_high", "as_of", "source", "source_url", "note")
REPATRIATION_COLUMNS = ("year", "released", "note", "source")


def reference_source(name: str) -> str:
    """How a figure from a bundled reference file names its source."""
    return f"reference file {name} (bundled copy of the project's shared/reference/{name})"


@dataclass(frozen=True)
class Estimate:
    """One published estimate as the reference file states it; a blank figure is None, never 0."""

    quantity: str
    value_low: int | None
    value_high: int | None
    as_of: str | None
    source: str | None
    source_url: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PublishedRepatriation:
    """One row of repatriation_by_year.tsv: the year, the number released, a note and the source."""

    year: int
    released: int | None
    note: str | None
    source: str | None


def _number(text: str | None) -> int | None:
    """A whole number as the file writes it ("575000", "575,000"); blank or anything else is None."""
    cleaned = re.sub(r"[,\s]", "", text or "")
    return int(cleaned) if cleaned.isdigit() else None


def _blank_as_none(text: str | None) -> str | None:
    stripped = (text or "").strip()
    return stripped or None


def _rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    text = resources.files("kartoteka.stats").joinpath("data", name).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = set(columns) - set(reader.fieldnames or ())
    if missing:  # a packaging mistake, not a user's: fail loudly
        raise RuntimeError(f"bundled {name} lacks the column(s) {', '.join(sorted(missing))}")
    return list(reader)


@lru_cache(maxsize=1)
def estimates() -> tuple[Estimate, ...]:
    """Every published estimate of estimates.tsv, in the file's order."""
    return tuple(Estimate(quantity=row["quantity"].strip(), value_low=_number(row["value_low"]),
                          value_high=_number(row["value_high"]), as_of=_blank_as_none(row["as_of"]),
                          source=_blank_as_none(row["source"]), source_url=_blank_as_none(row["source_url"]),
                          note=_blank_as_none(row["note"]))
                 for row in _rows(ESTIMATES_FILE, ESTIMATE_COLUMNS) if row["quantity"].strip())


@lru_cache(maxsize=1)
def repatriation_by_year() -> tuple[PublishedRepatriation, ...]:
    """The published number released per year (repatriation_by_year.tsv), in the file's order."""
    return tuple(PublishedRepatriation(year=int(row["year"]), released=_number(row["released"]),
                                       note=_blank_as_none(row["note"]), source=_blank_as_none(row["source"]))
                 for row in _rows(REPATRIATION_FILE, REPATRIATION_COLUMNS) if (row["year"] or "").strip().isdigit())
