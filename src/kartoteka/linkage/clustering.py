"""Clusters from scored pairs, with human decisions and the constraints of a life as hard rules.

Links are taken strongest first (a union-find); a link that would put into one person two records that a
reviewer said are not the same, or make one person be in two camps on the same day, or come home after
dying, is refused, so the cluster stays split where the evidence is weakest. Refusals are kept as flags.
A reviewer's "same" is taken before any model link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Death dates are often a few weeks off between sources; only a clear contradiction counts.
DEATH_SLACK = dt.timedelta(days=31)


@dataclass
class LifeFacts:
    """What one record says about the person's life, for the constraints."""

    death: dt.date | None = None
    alive: dt.date | None = None  # seen alive on this date (repatriation, a card written in a camp)
    camp_days: dict[dt.date, str] = field(default_factory=dict)


@dataclass
class _Life:
    """What a group of records says about one life: earliest death, latest sign of life, camp by day."""

    death: dt.date | None
    alive: dt.date | None
    camp_days: dict[dt.date, str]


@dataclass
class Clustering:
    """A cluster label per record id, the flags per cluster and how many links were refused."""

    cluster_of: dict[int, int]
    flags: dict[int, list[str]]
    refused: int


def _life_conflict(a: _Life, b: _Life) -> str | None:
    for dead, alive in ((a.death, b.alive), (b.death, a.alive)):
        if dead is not None and alive is not None and alive > dead + DEATH_SLACK:
            return "records after death"
    if a.camp_days and b.camp_days:
        small, big = sorted((a.camp_days, b.camp_days), key=len)
        for day, camp in small.items():
            if big.get(day, camp) != camp:
                return f"two camps on {day.isoformat()}"
    return None


def _merge_life(a: _Life, b: _Life) -> _Life:
    deaths = [d for d in (a.death, b.death) if d is not None]
    alives = [d for d in (a.alive, b.alive) if d is not None]
    camp_days = {**a.camp_days, **b.camp_days} if b.camp_days else a.camp_days
    return _Life(min(deaths) if deaths else None, max(alives) if alives else None, camp_days)


class _Groups:
    """Union-find over record positions; constraint data is kept only for groups that have some."""

    def __init__(self, ids: list[int], facts: Mapping[int, LifeFacts]) -> None:
        self.position = {rid: i for i, rid in enumerate(ids)}
        self.parent = list(range(len(ids)))
        self.size = [1] * len(ids)
        self.life: dict[int, _Life] = {}
        for rid, fact in facts.items():
            if rid in self.position:
                self.life[self.position[rid]] = _Life(fact.death, fact.alive, dict(fact.camp_days))
        self.cannot: dict[int, list[tuple[int, int]]] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def forbid(self, i: int, j: int) -> None:
        for k in (i, j):
            self.cannot.setdefault(k, []).append((i, j))

    def conflict(self, ra: int, rb: int) -> str | None:
        for i, j in self.cannot.get(ra, []) + self.cannot.get(rb, []):
            if {self.find(i), self.find(j)} == {ra, rb}:
                return "a reviewer decided these records are not the same person"
        a, b = self.life.get(ra), self.life.get(rb)
        return _life_conflict(a, b) if a is not None and b is not None else None

    def union(self, ra: int, rb: int) -> tuple[int, int]:
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        moved = self.life.pop(rb, None)
        if moved is not None:
            self.life[ra] = _merge_life(self.life[ra], moved) if ra in self.life else moved
        if rb in self.cannot:
            self.cannot.setdefault(ra, []).extend(self.cannot.pop(rb))
        return ra, rb


def cluster(record_ids: Iterable[int], edges: pd.DataFrame, threshold: float,
            facts: Mapping[int, LifeFacts] | None = None,
            decisions: Iterable[tuple[int, int, str]] = ()) -> Clustering:
    """Cluster `record_ids` on the `edges` (unique_id_l, unique_id_r, match_probability) at `threshold`."""
    ids = list(record_ids)
    groups = _Groups(ids, facts or {})
    position = groups.position
    must: list[tuple[int, int]] = []
    for left, right, decision in decisions:
        if left in position and right in position:
            if decision == "same":
                must.append((position[left], position[right]))
            else:
                groups.forbid(position[left], position[right])
    strong = edges[edges["match_probability"] >= threshold]
    order = np.argsort(-strong["match_probability"].to_numpy(), kind="stable")
    known = pd.Series(range(len(ids)), index=ids)
    lefts = strong["unique_id_l"].map(known).to_numpy()[order]
    rights = strong["unique_id_r"].map(known).to_numpy()[order]
    usable = ~(np.isnan(lefts.astype(float)) | np.isnan(rights.astype(float)))
    links = zip(lefts[usable].astype(int).tolist(), rights[usable].astype(int).tolist(), strict=True)
    flags: dict[int, list[str]] = {}
    refused = 0
    for number, (i, j) in enumerate([*must, *links]):
        ra, rb = groups.find(i), groups.find(j)
        if ra == rb:
            continue
        problem = groups.conflict(ra, rb)
        if problem and number >= len(must):
            refused += 1
            for root in (ra, rb):
                flags.setdefault(root, []).append(f"split: {problem}")
            continue
        kept, gone = groups.union(ra, rb)
        if problem:  # a reviewer's "same" outranks the constraint; keep the contradiction visible
            flags.setdefault(kept, []).append(f"kept by decision despite: {problem}")
        if gone in flags:
            flags.setdefault(kept, []).extend(flags.pop(gone))
    roots = [groups.find(i) for i in range(len(ids))]
    cluster_of = dict(zip(ids, (ids[r] for r in roots), strict=True))
    return Clustering(cluster_of=cluster_of, flags={ids[root]: sorted(set(f)) for root, f in flags.items()},
                      refused=refused)
