"""The true persons of a simulated archive: names, birth, home prefecture, rank, unit, capture (numpy arrays).

Sampling is vectorized; each attribute has its own random stream (``streams(seed, name)``) so that adding an
attribute does not change the others.
"""

from __future__ import annotations

import datetime as dt
import functools
import zlib
from dataclasses import dataclass

import numpy as np

from kartoteka.names.kanji import name_tables
from kartoteka.simulate import tables, units

FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 1890, 1928
CIVILIAN_SHARE = 0.04  # civilians among the interned (an assumption)
WOMEN_SHARE_OF_CIVILIANS = 0.15  # nurses, telephonists, ... (an assumption)
CAPTURE_START = dt.date(1945, 8, 9)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for one attribute of one simulation."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


@dataclass
class NamePool:
    """Real names to draw from: kanji and katakana columns with sampling weights."""

    kanji: tuple[str, ...]
    katakana: tuple[str, ...]
    weight: np.ndarray

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Indices drawn in proportion to the weights."""
        return rng.choice(len(self.kanji), size=size, p=self.weight)


@functools.cache
def name_pools() -> tuple[NamePool, NamePool, NamePool]:
    """Surnames, men's given names and women's given names from kartoteka.names.kanji.name_tables()."""
    surnames, given = name_tables()

    def pool(table, keep: set[str]) -> NamePool:
        rows = [i for i, sex in enumerate(table.sex) if sex in keep]
        weight = np.array([table.weight[i] for i in rows], dtype=float)
        return NamePool(tuple(table.kanji[i] for i in rows), tuple(table.katakana[i] for i in rows),
                        weight / weight.sum())

    return pool(surnames, {"u", "m", "f"}), pool(given, {"m", "u"}), pool(given, {"f", "u"})


def birth_year_weights(kind: str) -> np.ndarray:
    """Weights of the birth years 1890..1928 for 'soldier', 'officer', 'general' or 'civilian' (assumption).

    Soldiers: the 1945 Kwantung Army was mostly men of 19-30 (born 1915-1926), plus older reservists called
    up in the summer of 1945. Officers are some ten years older, generals born before 1897.
    """
    years = np.arange(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
    if kind == "general":
        return tables.normalized((years <= 1896).astype(float))
    if kind == "officer":
        return tables.normalized(np.exp(-0.5 * ((years - 1914) / 7.0) ** 2))
    if kind == "civilian":
        return tables.normalized(np.exp(-0.5 * ((years - 1910) / 10.0) ** 2))
    weight = np.select(
        [years < 1900, years < 1910, years < 1915, years < 1920, years <= 1925, years == 1926, years == 1927],
        [0.3, 1.0, 2.5, 5.0, 9.0, 6.0, 1.5], 0.5,
    )
    return tables.normalized(weight)


@dataclass
class Population:
    """The true persons, one array element each (index = person number - 1)."""

    size: int
    surname: np.ndarray  # index into the surname pool
    given: np.ndarray  # index into the men's or women's given-name pool (see `female`)
    father_given: np.ndarray  # index into the men's given-name pool
    female: np.ndarray
    civilian: np.ndarray
    birth: np.ndarray  # datetime64[D]
    prefecture: np.ndarray  # index into tables.prefectures()
    rank: np.ndarray  # index into tables.ranks(); len(tables.ranks()) for a civilian
    division: np.ndarray  # index into units.DIVISIONS
    branch: np.ndarray  # index into units.BRANCHES
    occupation: np.ndarray  # index into units.OCCUPATIONS
    capture: np.ndarray  # datetime64[D]
    capture_place: np.ndarray  # index into tables.capture_places()

    def rank_class(self) -> np.ndarray:
        """'private', 'nco', 'officer', 'general' or 'civilian' for each person."""
        classes = np.array([r.rank_class for r in tables.ranks()] + ["civilian"])
        return classes[self.rank]


def sample_population(size: int, seed: int) -> Population:
    """Draw `size` true persons for the simulation with this seed."""
    surname_pool, men_pool, women_pool = name_pools()
    civilian = stream(seed, "civilian").random(size) < CIVILIAN_SHARE
    female = civilian & (stream(seed, "female").random(size) < WOMEN_SHARE_OF_CIVILIANS)
    given = men_pool.sample(stream(seed, "given"), size)
    women = np.flatnonzero(female)
    given[women] = women_pool.sample(stream(seed, "given-f"), women.size)
    rank = _sample_ranks(size, civilian, seed)
    return Population(
        size=size,
        surname=surname_pool.sample(stream(seed, "surname"), size),
        given=given,
        father_given=men_pool.sample(stream(seed, "father"), size),
        female=female,
        civilian=civilian,
        birth=_sample_births(rank, seed),
        prefecture=stream(seed, "prefecture").choice(
            len(tables.prefectures()), size=size, p=tables.normalized([p.weight for p in tables.prefectures()])
        ),
        rank=rank,
        division=stream(seed, "division").integers(0, len(units.DIVISIONS), size),
        branch=stream(seed, "branch").choice(
            len(units.BRANCHES), size=size, p=tables.normalized([b[2] for b in units.BRANCHES])
        ),
        occupation=_sample_occupations(female, seed),
        capture=_sample_capture_dates(size, seed),
        capture_place=stream(seed, "capture-place").choice(
            len(tables.capture_places()), size=size, p=tables.normalized([c[2] for c in tables.capture_places()])
        ),
    )


def _sample_ranks(size: int, civilian: np.ndarray, seed: int) -> np.ndarray:
    ranks = tables.ranks()
    rank = stream(seed, "rank").choice(len(ranks), size=size, p=tables.normalized([r.weight for r in ranks]))
    rank[civilian] = len(ranks)  # the "civilian" slot after the military ranks
    return rank


def _sample_births(rank: np.ndarray, seed: int) -> np.ndarray:
    classes = np.array([r.rank_class for r in tables.ranks()] + ["civilian"])[rank]
    kinds = np.where(np.isin(classes, ("private", "nco")), "soldier", classes)
    years = np.empty(rank.size, dtype=int)
    rng = stream(seed, "birth-year")
    for kind in ("soldier", "officer", "general", "civilian"):
        members = np.flatnonzero(kinds == kind)
        years[members] = FIRST_BIRTH_YEAR + rng.choice(
            LAST_BIRTH_YEAR - FIRST_BIRTH_YEAR + 1, size=members.size, p=birth_year_weights(kind)
        )
    starts = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    ends = (years - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    offsets = (stream(seed, "birth-day").random(rank.size) * (ends - starts).astype(int)).astype(int)
    return starts + offsets


def _sample_occupations(female: np.ndarray, seed: int) -> np.ndarray:
    rng = stream(seed, "occupation")
    men = tables.normalized([o[2] for o in units.OCCUPATIONS])
    women = tables.normalized([o[3] for o in units.OCCUPATIONS])
    occupation = rng.choice(len(men), size=female.size, p=men)
    members = np.flatnonzero(female)
    occupation[members] = rng.choice(len(women), size=members.size, p=women)
    return occupation


def _sample_capture_dates(size: int, seed: int) -> np.ndarray:
    """Capture dates, 9 August - 20 September 1945, most in the mass surrender after 17 August."""
    rng = stream(seed, "capture")
    days = np.where(rng.random(size) < 0.1, rng.integers(0, 8, size), 8 + rng.gamma(2.0, 5.0, size).astype(int))
    return np.datetime64(CAPTURE_START) + np.minimum(days, 42)
