"""Clusters from scored pairs, with human decisions and the constraints of a life as hard rules.

Links are taken strongest first (a union-find); a link that would put into one person two records that a
reviewer said are not the same, or make one person be in two camps on the same day, or come home after
dying, or give one person two records of a kind a person has only once (ONE_PER_PERSON: one personal file,
one repatriation, one grave), or join two records the model itself scores as two different men (a chain of
namesakes: each link alone likely, the two ends plainly apart), is refused, so the cluster stays split where
the evidence is weakest.
Refusals are kept as flags. A reviewer's "same" is taken before any model link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

LIFE_COLUMNS = ("record_id", "death", "alive", "day", "camp")
# Only a clear contradiction counts: a sign of life more than a year and a month after a recorded death. Death
# dates are often a few weeks off between sources, and one clerk's slip moves a date by up to a year: the last digit
# of the year misread (1945 and 1946, the years most died in, differ by one stroke: 5/6) or the day and month
# exchanged (05.03 for 03.05). With 31 days the slips split true persons: on the harsh profile (10,000 SIMULATED
# persons, tuning seeds 11 and 12) cluster F1 0.9647 -> 0.9670 and 0.9592 -> 0.9618, card <-> death roster
# 0.9634 -> 0.9693 and 0.9534 -> 0.9608; realistic seed 11 cluster 0.9929 -> 0.9947. A namesake who came home in
# 1947 or later is still kept apart from a man who died in the first winter.
DEATH_SLACK = dt.timedelta(days=397)
# Kinds of record a person has at most once: the NKVD opened one personal file per prisoner, a man came home
# on one ship, and lies in one grave. (Cards are one per camp; rosters and the death roster have duplicates.)
ONE_PER_PERSON = ("personal_file", "manifest", "burial")
_KIND_WORDS = {"personal_file": "two personal files", "manifest": "two repatriations", "burial": "two graves"}
_DECIDED_APART = "a reviewer decided these records are not the same person"
_SCORED_APART = "the model scores two of its records as different men"


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

    cluster_of: pd.Series  # cluster label (a member's record id) indexed by record id
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

    def __init__(self, ids: list[int], facts: Mapping[int, LifeFacts], once: Mapping[int, str]) -> None:
        self.position = {rid: i for i, rid in enumerate(ids)}
        self.parent = list(range(len(ids)))
        self.size = [1] * len(ids)
        self.life: dict[int, _Life] = {}
        for rid, fact in facts.items():
            if rid in self.position:
                self.life[self.position[rid]] = _Life(fact.death, fact.alive, dict(fact.camp_days))
        self.cannot: dict[int, list[tuple[int, int, str]]] = {}
        # the ONE_PER_PERSON kinds a group already holds
        self.once: dict[int, frozenset[str]] = {
            self.position[rid]: frozenset([kind]) for rid, kind in once.items() if rid in self.position}

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def forbid(self, i: int, j: int, why: str = _DECIDED_APART) -> None:
        for k in (i, j):
            self.cannot.setdefault(k, []).append((i, j, why))

    def conflict(self, ra: int, rb: int) -> str | None:
        for i, j, why in self.cannot.get(ra, []) + self.cannot.get(rb, []):
            if {self.find(i), self.find(j)} == {ra, rb}:
                return why
        twice = self.once.get(ra, frozenset()) & self.once.get(rb, frozenset())
        if twice:
            return _KIND_WORDS.get(min(twice), f"two records of kind {min(twice)}, which a person has once")
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
        kinds = self.once.pop(rb, None)
        if kinds is not None:
            self.once[ra] = self.once.get(ra, frozenset()) | kinds
        return ra, rb


def life_frame(facts: Mapping[int, LifeFacts]) -> pd.DataFrame:
    """LifeFacts as a frame (one row per record and camp day), the form the component check reads."""
    rows = []
    for rid, fact in facts.items():
        days: list[tuple[object, object]] = list(fact.camp_days.items()) if fact.camp_days else [(None, None)]
        rows += [(rid, fact.death, fact.alive, day, camp) for day, camp in days]
    return _life_columns(pd.DataFrame(rows, columns=list(LIFE_COLUMNS)))


def _life_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for name in ("death", "alive", "day"):
        frame[name] = pd.to_datetime(frame[name], errors="coerce")
    return frame


def _facts_of(life: pd.DataFrame) -> dict[int, LifeFacts]:
    """LifeFacts back from the frame, for the few records whose components need the careful union-find."""
    facts: dict[int, LifeFacts] = {}
    for rid, death, alive, day, camp in life[list(LIFE_COLUMNS)].itertuples(index=False, name=None):
        fact = facts.get(rid)
        if fact is None:
            fact = facts[rid] = LifeFacts(death=None if pd.isna(death) else death.date(),
                                          alive=None if pd.isna(alive) else alive.date())
        if not pd.isna(day) and camp is not None:
            fact.camp_days[day.date()] = camp
    return facts


def _components(size: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components: each position's label is the smallest position in its component."""
    label = np.arange(size)
    while True:  # min-label propagation with pointer jumping; clusters are small, so few rounds
        before = label.copy()
        low = np.minimum(label[left], label[right])
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        while not np.array_equal(label, jumped := label[label]):
            label = jumped
        if np.array_equal(label, before):
            return label


def _risky_components(label: np.ndarray, life: pd.DataFrame, forbidden: list[tuple[int, int]],
                      once: np.ndarray, once_kind: np.ndarray) -> np.ndarray:
    """Components whose records together could break a constraint; only these need the careful union-find.

    In any other component no link can be refused (a conflict between two parts is a conflict of the whole),
    so the component is the cluster.
    """
    comp = label[life["position"].to_numpy()]
    per = pd.DataFrame({"comp": comp, "death": life["death"].to_numpy(), "alive": life["alive"].to_numpy(),
                        "day": life["day"].to_numpy(), "camp": life["camp"].to_numpy()})
    span = per.groupby("comp").agg(death=("death", "min"), alive=("alive", "max"))
    late = span.index[(span["alive"] > span["death"] + DEATH_SLACK).to_numpy()]
    days = per.dropna(subset=["day", "camp"]).groupby(["comp", "day"])["camp"].nunique()
    two_camps = days[days > 1].index.get_level_values("comp")
    refused = [label[i] for i, j in forbidden if label[i] == label[j]]
    kinds = pd.DataFrame({"comp": label[once], "kind": once_kind}).value_counts()
    repeated = kinds[kinds > 1].index.get_level_values("comp")
    return np.unique(np.concatenate([late.to_numpy(), two_camps.to_numpy(), np.array(refused, dtype=int),
                                     repeated.to_numpy()]))


def cluster(record_ids: Iterable[int], edges: pd.DataFrame, threshold: float,
            facts: Mapping[int, LifeFacts] | pd.DataFrame | None = None,
            decisions: Iterable[tuple[int, int, str]] = (), kinds: Mapping[int, str] | pd.Series | None = None,
            one_per_person: Collection[str] = ONE_PER_PERSON,
            apart: Iterable[tuple[int, int]] = ()) -> Clustering:
    """Cluster `record_ids` on the `edges` (unique_id_l, unique_id_r, match_probability) at `threshold`.

    `facts` is a LifeFacts per record id, or the same as a frame with LIFE_COLUMNS (dates as datetime64).
    `kinds` is the kind of each record (by id); a person gets at most one record of each `one_per_person` kind.
    `apart` are pairs the model scored as plainly two men (scoring.SCORED_APART): no person holds both, unless a
    reviewer's "same" joins them.
    Components without a possible conflict are taken whole (numpy); the others go link by link, strongest first.
    """
    ids = np.asarray(list(record_ids), dtype=np.int64)
    known = pd.Series(np.arange(len(ids)), index=ids)
    must: list[tuple[int, int]] = []
    forbidden: list[tuple[int, int]] = []
    for left, right, decision in decisions:
        if left in known.index and right in known.index:
            (must if decision == "same" else forbidden).append((int(known[left]), int(known[right])))
    apart_pairs = np.asarray(list(apart), dtype=np.int64).reshape(-1, 2)
    apart_l = known.reindex(apart_pairs[:, 0]).to_numpy(dtype=float)
    apart_r = known.reindex(apart_pairs[:, 1]).to_numpy(dtype=float)
    held = ~(np.isnan(apart_l) | np.isnan(apart_r))
    scored_apart = list(zip(apart_l[held].astype(np.int64).tolist(), apart_r[held].astype(np.int64).tolist(),
                            strict=True))
    strong = edges[edges["match_probability"] >= threshold]
    # Strongest first; ties (many pairs share a probability) by record ids, not by the order the backend
    # returned the pairs in (DuckDB's varies between runs), so the same pairs always give the same persons.
    order = np.lexsort((strong["unique_id_r"].to_numpy(), strong["unique_id_l"].to_numpy(),
                        -strong["match_probability"].to_numpy()))
    lefts = strong["unique_id_l"].map(known).to_numpy(dtype=float)[order]
    rights = strong["unique_id_r"].map(known).to_numpy(dtype=float)[order]
    usable = ~(np.isnan(lefts) | np.isnan(rights))
    lefts, rights = lefts[usable].astype(np.int64), rights[usable].astype(np.int64)
    must_l = np.array([i for i, _ in must], dtype=np.int64)
    must_r = np.array([j for _, j in must], dtype=np.int64)
    label = _components(len(ids), np.concatenate([must_l, lefts]), np.concatenate([must_r, rights]))
    if facts is None:
        facts = _life_columns(pd.DataFrame(columns=list(LIFE_COLUMNS)))
    life = facts if isinstance(facts, pd.DataFrame) else life_frame(facts)
    life = life[life["record_id"].isin(known.index)]
    life = life.assign(position=life["record_id"].map(known).to_numpy())
    kind_of = pd.Series(kinds if kinds is not None else {}, dtype=object)
    kind_of = kind_of[kind_of.isin(list(one_per_person)) & kind_of.index.isin(known.index)]
    once = known.reindex(kind_of.index).to_numpy(dtype=np.int64)
    risky = _risky_components(label, life, forbidden + scored_apart, once, kind_of.to_numpy())
    cluster_of = ids[label]
    flags: dict[int, list[str]] = {}
    refused = 0
    if len(risky):
        in_risk = np.isin(label, risky)
        members = np.flatnonzero(in_risk)
        keep = in_risk[lefts]
        sub = _careful(ids[members], list(zip(ids[must_l].tolist(), ids[must_r].tolist(), strict=True)),
                       ids[lefts[keep]], ids[rights[keep]], _facts_of(life[in_risk[life["position"].to_numpy()]]),
                       [(int(ids[i]), int(ids[j]), _DECIDED_APART) for i, j in forbidden]
                       + [(int(ids[i]), int(ids[j]), _SCORED_APART) for i, j in scored_apart],
                       dict(zip(kind_of.index[in_risk[once]].tolist(), kind_of.to_numpy()[in_risk[once]].tolist(),
                                strict=True)))
        cluster_of[members] = sub.cluster_of.reindex(ids[members]).to_numpy()
        flags, refused = sub.flags, sub.refused
    return Clustering(cluster_of=pd.Series(cluster_of, index=ids), flags=flags, refused=refused)


def _careful(ids: np.ndarray, must: list[tuple[int, int]], lefts: np.ndarray, rights: np.ndarray,
             facts: Mapping[int, LifeFacts], forbidden: list[tuple[int, int, str]],
             once: Mapping[int, str]) -> Clustering:
    """Link by link, strongest first (edges come sorted), refusing the links that break a constraint."""
    id_list = ids.tolist()
    groups = _Groups(id_list, facts, once)
    position = groups.position
    for left, right, why in forbidden:
        if left in position and right in position:
            groups.forbid(position[left], position[right], why)
    must_pos = [(position[a], position[b]) for a, b in must if a in position and b in position]
    links = zip([position[i] for i in lefts.tolist()], [position[j] for j in rights.tolist()], strict=True)
    flags: dict[int, list[str]] = {}
    refused = 0
    for number, (i, j) in enumerate([*must_pos, *links]):
        ra, rb = groups.find(i), groups.find(j)
        if ra == rb:
            continue
        problem = groups.conflict(ra, rb)
        if problem and number >= len(must_pos):
            refused += 1
            for root in (ra, rb):
                flags.setdefault(root, []).append(f"split: {problem}")
            continue
        kept, gone = groups.union(ra, rb)
        if problem:  # a reviewer's "same" outranks the constraint; keep the contradiction visible
            flags.setdefault(kept, []).append(f"kept by decision despite: {problem}")
        if gone in flags:
            flags.setdefault(kept, []).extend(flags.pop(gone))
    roots = [groups.find(i) for i in range(len(id_list))]
    return Clustering(cluster_of=pd.Series([id_list[r] for r in roots], index=ids),
                      flags={id_list[root]: sorted(set(f)) for root, f in flags.items()}, refused=refused)
