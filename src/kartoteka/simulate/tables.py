"""The bundled tables the simulator draws from (camps, regions, prefectures, ranks, ships, repatriation by year).

Each table lives in ``simulate/data/*.tsv`` with a comment header that says where its numbers come from; the
sourced ones copy their columns from ``../shared/reference``. Loaded once and cached.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np


def _read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a bundled TSV, skipping the '#' comment lines at its head."""
    text = resources.files("kartoteka.simulate").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@dataclass(frozen=True)
class Camp:
    """A camp the simulator places people in."""

    key: str
    number: str
    name_ru: str
    name_ja: str
    region: str
    town_ru: str
    weight: float
    role: str


@dataclass(frozen=True)
class Region:
    """A region of camps, its names, and the regions a transfer may lead to."""

    key: str
    name_ru: str
    name_ja: str
    neighbours: tuple[str, ...]


@dataclass(frozen=True)
class Prefecture:
    """A prefecture (本籍) with its kanji, kana, Cyrillic and population weight."""

    kanji: str
    kana: str
    cyrillic: str
    weight: float


@dataclass(frozen=True)
class Rank:
    """A rank in Japanese and in the Russian of a Soviet card, with its class and share."""

    ja: str
    ru: str
    rank_class: str
    weight: float


@dataclass(frozen=True)
class RepatriationYear:
    """One row of the repatriation table: the year, how many came home, the sailing months and ports."""

    year: int
    released: int
    first_month: int
    last_month: int
    ports: tuple[tuple[str, float], ...]


@functools.cache
def camps() -> tuple[Camp, ...]:
    """The camps, in the order of the bundled table."""
    return tuple(
        Camp(r["camp_key"], r["camp_number"], r["name_ru"], r["name_ja"], r["region"], r["town_ru"],
             float(r["weight"]), r["role"])
        for r in _read_tsv("camps.tsv")
    )


@functools.cache
def regions() -> dict[str, Region]:
    """The regions by key."""
    return {
        r["region"]: Region(r["region"], r["name_ru"], r["name_ja"], tuple(filter(None, r["neighbours"].split(","))))
        for r in _read_tsv("regions.tsv")
    }


@functools.cache
def prefectures() -> tuple[Prefecture, ...]:
    """The 47 prefectures."""
    return tuple(
        Prefecture(r["kanji"], r["kana"], r["cyrillic"], float(r["weight"])) for r in _read_tsv("prefectures.tsv")
    )


@functools.cache
def ranks() -> tuple[Rank, ...]:
    """Military ranks with their shares."""
    return tuple(Rank(r["rank_ja"], r["rank_ru"], r["class"], float(r["weight"])) for r in _read_tsv("ranks.tsv"))


@functools.cache
def capture_places() -> tuple[tuple[str, str, float], ...]:
    """(Russian name, Japanese name, weight) of the places people were taken."""
    return tuple((r["name_ru"], r["name_ja"], float(r["weight"])) for r in _read_tsv("capture_places.tsv"))


@functools.cache
def repatriation_years() -> tuple[RepatriationYear, ...]:
    """The repatriation table, one row per year."""
    rows = []
    for r in _read_tsv("repatriation.tsv"):
        ports = tuple((name, float(w)) for name, w in (p.split(":") for p in r["ports"].split(",")))
        rows.append(RepatriationYear(int(r["year"]), int(r["released"]), int(r["first_month"]),
                                     int(r["last_month"]), ports))
    return tuple(rows)


@functools.cache
def named_ships() -> dict[int, tuple[str, ...]]:
    """Real ship names from the reference files, by the years they sailed in the simulation."""
    by_year: dict[int, list[str]] = {}
    for r in _read_tsv("ships.tsv"):
        if r["ship"] == "GENERIC":
            continue
        for year in r["years"].split(","):
            by_year.setdefault(int(year), []).append(r["ship"])
    return {year: tuple(names) for year, names in by_year.items()}


def normalized(weights: list[float] | np.ndarray) -> np.ndarray:
    """Weights scaled to sum to one."""
    array = np.asarray(weights, dtype=float)
    return array / array.sum()
