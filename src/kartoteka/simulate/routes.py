"""Each person's way through the camps: the first camp, then transfers within a region or to a neighbouring one.

A stay is (person, camp, lagpunkt, arrival date); a Soviet card was written at each arrival, so stays are
what cards are made from. Most people stayed in one camp; the longer someone was held, the likelier a
transfer (on average about 0.2 transfers per person, giving about 1.2 cards per person). Officers were
often moved to the officers' camp at Elabuga (No. 97), generals to the generals' camp at Cherntsy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kartoteka.simulate import tables
from kartoteka.simulate.fates import Fates
from kartoteka.simulate.population import Population, stream

TRANSFERS_PER_YEAR = 0.085  # Poisson rate of transfers per year held (tuned for ~1.2 cards per person)
SAME_REGION_SHARE = 0.6
OFFICERS_TO_ELABUGA = 0.6
GENERALS_TO_CHERNTSY = 0.8
PEOPLE_PER_LAGPUNKT = 1500


@dataclass
class Stays:
    """Every stay in a camp, grouped by person (person numbers ascending; `offsets` indexes the groups)."""

    person: np.ndarray
    camp: np.ndarray  # index into tables.camps()
    lagpunkt: np.ndarray
    arrival: np.ndarray  # datetime64[D]
    offsets: np.ndarray  # stays of person i are offsets[i]:offsets[i+1]

    def of(self, person: int) -> range:
        """The indices of a person's stays, in order."""
        return range(int(self.offsets[person]), int(self.offsets[person + 1]))


class _CampChooser:
    """Weighted choices of camps, overall and by region."""

    def __init__(self) -> None:
        self.camps = tables.camps()
        self.labour = np.array([i for i, c in enumerate(self.camps) if c.role == "labour"])
        self.labour_p = tables.normalized([self.camps[i].weight for i in self.labour])
        self.by_region: dict[str, list[int]] = {}
        for i in self.labour:
            self.by_region.setdefault(self.camps[i].region, []).append(int(i))
        self.index = {c.key: i for i, c in enumerate(self.camps)}

    def next_camp(self, current: int, rng: np.random.Generator) -> int:
        """A camp to transfer to from `current`: the same region, else a neighbouring one."""
        region = self.camps[current].region
        same = [i for i in self.by_region.get(region, []) if i != current]
        neighbours = [i for r in tables.regions()[region].neighbours for i in self.by_region.get(r, [])]
        pool = same if same and (rng.random() < SAME_REGION_SHARE or not neighbours) else neighbours or same
        if not pool:
            return current
        weights = tables.normalized([self.camps[i].weight for i in pool])
        return pool[int(rng.choice(len(pool), p=weights))]


def sample_stays(population: Population, fates: Fates, seed: int) -> Stays:
    """Draw everyone's camps and transfer dates."""
    chooser = _CampChooser()
    rng = stream(seed, "routes")
    n = population.size
    first = chooser.labour[rng.choice(chooser.labour.size, size=n, p=chooser.labour_p)]
    rank_class = population.rank_class()
    first[rank_class == "general"] = chooser.index["16"]
    arrival = population.capture + rng.integers(15, 75, n)
    arrival = np.minimum(arrival, fates.end - 1)
    held_years = (fates.end - arrival).astype(int) / 365.25
    transfers = np.minimum(rng.poisson(TRANSFERS_PER_YEAR * np.maximum(held_years, 0)), 4)
    transfers[(fates.end - arrival).astype(int) < 30] = 0
    movers = np.flatnonzero((transfers > 0) | np.isin(rank_class, ("officer", "general")))
    extra: dict[int, list[tuple[int, np.datetime64]]] = {}
    for person in movers:
        extra[int(person)] = _transfers(int(person), int(first[person]), arrival[person], fates.end[person],
                                        int(transfers[person]), str(rank_class[person]), chooser, rng)
    return _flatten(n, first, arrival, extra, seed)


def _transfers(person: int, camp: int, arrival: np.datetime64, end: np.datetime64, count: int,
               rank_class: str, chooser: _CampChooser, rng: np.random.Generator) -> list[tuple[int, np.datetime64]]:
    """The later stays of one person: (camp, arrival) after the first camp."""
    span = int((end - arrival).astype(int))
    if span < 30:
        return []
    special = None
    if rank_class == "officer" and rng.random() < OFFICERS_TO_ELABUGA:
        special = chooser.index["97"]
    elif rank_class == "general" and rng.random() < GENERALS_TO_CHERNTSY:
        special = chooser.index["CHERNTSY"]
    count += special is not None
    days = np.sort(rng.choice(np.arange(10, span - 5), size=min(count, span - 15), replace=False))
    stays, current = [], camp
    for k, day in enumerate(days):
        current = special if special is not None and k == 0 else chooser.next_camp(current, rng)
        stays.append((current, arrival + int(day)))
    return stays


def _flatten(n: int, first: np.ndarray, arrival: np.ndarray, extra: dict[int, list[tuple[int, np.datetime64]]],
             seed: int) -> Stays:
    counts = np.ones(n, dtype=int)
    for mover, later in extra.items():
        counts[mover] += len(later)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    person = np.repeat(np.arange(n), counts)
    camp = np.empty(offsets[-1], dtype=int)
    when = np.empty(offsets[-1], dtype="datetime64[D]")
    camp[offsets[:-1]], when[offsets[:-1]] = first, arrival
    for p, later in extra.items():
        for k, (c, d) in enumerate(later, start=1):
            camp[offsets[p] + k], when[offsets[p] + k] = c, d
    sizes = np.array([max(2, int(c.weight // PEOPLE_PER_LAGPUNKT)) for c in tables.camps()])
    lagpunkt = 1 + (stream(seed, "lagpunkt").random(camp.size) * sizes[camp]).astype(int)
    return Stays(person, camp, lagpunkt, when, offsets)
