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
class _Component:
    members: list[int]
    death: dt.date | None
    alive: dt.date | None
    camp_days: dict[dt.date, str]
    forbidden: set[int]


@dataclass
class Clustering:
    """A cluster label per record id, the flags per cluster and how many links were refused."""

    cluster_of: dict[int, int]
    flags: dict[int, list[str]]
    refused: int


def _conflict(a: _Component, b: _Component) -> str | None:
    if (a.forbidden and not a.forbidden.isdisjoint(b.members)) or (
            b.forbidden and not b.forbidden.isdisjoint(a.members)):
        return "a reviewer decided these records are not the same person"
    for dead, alive in ((a.death, b.alive), (b.death, a.alive)):
        if dead is not None and alive is not None and alive > dead + DEATH_SLACK:
            return "records after death"
    if a.camp_days and b.camp_days:
        small, big = sorted((a.camp_days, b.camp_days), key=len)
        for day, camp in small.items():
            if big.get(day, camp) != camp:
                return f"two camps on {day.isoformat()}"
    return None


def _merge(a: _Component, b: _Component) -> _Component:
    big, small = (a, b) if len(a.members) >= len(b.members) else (b, a)
    big.members.extend(small.members)
    big.death = min(d for d in (a.death, b.death) if d is not None) if (a.death or b.death) else None
    big.alive = max(d for d in (a.alive, b.alive) if d is not None) if (a.alive or b.alive) else None
    if small.camp_days:
        big.camp_days = {**big.camp_days, **small.camp_days}
    if small.forbidden:
        big.forbidden = big.forbidden | small.forbidden
    return big


def cluster(record_ids: Iterable[int], edges: pd.DataFrame, threshold: float,
            facts: Mapping[int, LifeFacts] | None = None,
            decisions: Iterable[tuple[int, int, str]] = ()) -> Clustering:
    """Cluster `record_ids` on the `edges` (unique_id_l, unique_id_r, match_probability) at `threshold`."""
    facts = facts or {}
    ids = list(record_ids)
    parent = {rid: rid for rid in ids}
    comps: dict[int, _Component] = {}
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for left, right, decision in decisions:
        if left in parent and right in parent:
            (must if decision == "same" else cannot).append((left, right))

    def component(rid: int) -> _Component:
        if rid not in comps:
            f = facts.get(rid)
            comps[rid] = _Component([rid], f.death if f else None, f.alive if f else None,
                                    dict(f.camp_days) if f else {}, set())
        return comps[rid]

    for left, right in cannot:
        component(left).forbidden.add(right)
        component(right).forbidden.add(left)

    def find(rid: int) -> int:
        root = rid
        while parent[root] != root:
            root = parent[root]
        while parent[rid] != root:
            parent[rid], rid = root, parent[rid]
        return root

    flags: dict[int, list[str]] = {}
    refused = 0
    strong = edges[edges["match_probability"] >= threshold]
    order = np.argsort(-strong["match_probability"].to_numpy(), kind="stable")
    lefts = strong["unique_id_l"].to_numpy()[order].tolist()
    rights = strong["unique_id_r"].to_numpy()[order].tolist()
    for position, (left, right) in enumerate([*must, *zip(lefts, rights, strict=True)]):
        if left not in parent or right not in parent:
            continue
        ra, rb = find(left), find(right)
        if ra == rb:
            continue
        a, b = component(ra), component(rb)
        problem = _conflict(a, b)
        if problem and position >= len(must):
            refused += 1
            for root in (ra, rb):
                flags.setdefault(root, []).append(f"split: {problem}")
            continue
        merged = _merge(a, b)
        new_root, old_root = (ra, rb) if merged is a else (rb, ra)
        parent[old_root] = new_root
        comps[new_root] = merged
        comps.pop(old_root, None)
        if problem:  # a reviewer's "same" outranks the constraint; keep the contradiction visible
            flags.setdefault(new_root, []).append(f"kept by decision despite: {problem}")
        if old_root in flags:
            flags.setdefault(new_root, []).extend(flags.pop(old_root))
    cluster_of = {rid: find(rid) for rid in ids}
    return Clustering(cluster_of=cluster_of, flags={root: sorted(set(f)) for root, f in flags.items()},
                      refused=refused)
