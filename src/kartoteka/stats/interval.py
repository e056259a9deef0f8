"""How many distinct persons the linkage finds: the current run's count, with an interval from the match
probabilities (see docs/reference/statistics.md, "The number of distinct persons").

The run's persons are the point, N. Two kinds of events would change it, each treated as an independent
Bernoulli trial with the model's probability:

- a split: a link holding a person together is wrong. Each record of a person came in by its best link
  (``person_records.match_probability``, p); per person, the records other than the one with the strongest link
  are its links, each wrong with probability 1 - p. A record a reviewer decided "same" as another record of the
  same person is held for certain; a "not the same" decided inside a person is one certain split (pending the
  next `kartoteka link`);
- a merge: two persons are one. Each pair still open in the review queue (``match_pairs.in_review``, not yet
  decided) whose records lie in two persons merges them with its match probability p, and so does each pair the
  model linked (p >= the review band's top) that the constraints refused (a constraint rests on dates a clerk
  may have written wrong); per pair of persons the likeliest pair counts once. A "same" decided across two
  persons is one certain merge (pending the next run).

The splits S and merges M are each a sum of independent Bernoulli trials (a Poisson binomial). The interval is
[N - M_q, N + S_q], with M_q and S_q their ``level`` quantiles (0.975 by default): the true number lies below the
low end only if M > M_q, above the high end only if S > S_q, so under the model's independence the interval
holds it with probability at least 1 - 2 (1 - level) (95 %). It always contains N, and it narrows as the review
queue is decided (a decided pair is no longer a trial). The quantiles are exact (the distribution computed term
by term) up to ``EXACT_TERMS`` trials, and from the normal approximation with continuity correction beyond.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from kartoteka.linkage import runs
from kartoteka.linkage.service import REVIEW_BAND
from kartoteka.linkage.tables import match_pairs, person_records, persons
from kartoteka.store import Store

LEVEL = 0.975  # each side's quantile: the two together hold the true number with probability >= 95 %
EXACT_TERMS = 20_000
NEGLIGIBLE = 1e-9  # a trial this unlikely cannot move a quantile


@dataclass(frozen=True)
class PersonsInterval:
    """The number of distinct persons: the run's point, the interval, and what went into it."""

    point: int
    low: int
    high: int
    expected: float  # N + E[splits] - E[merges]
    confidence: float  # the probability the interval holds the number, under the model (0.95)
    split_trials: int  # links that could be wrong (probability above NEGLIGIBLE)
    merge_trials: int  # pairs of persons an open review pair or a refused link could merge
    refused_links: int  # pairs the model linked that the constraints refused, counted as merge trials
    certain_splits: int  # "not the same" decided inside a person, pending the next run
    certain_merges: int  # "same" decided across two persons, pending the next run
    open_review_pairs: int  # pairs in the review band not yet decided
    method: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


METHOD = ("splits: each record's best link into its person (all but the strongest per person) wrong with "
          "probability 1 - p; merges: each undecided review-queue pair, and each link refused by the constraints, "
          "across two persons, with probability p (the likeliest per pair of persons); independent trials; "
          "interval [N - merges at 0.975, N + splits at 0.975]")


def poisson_binomial_quantile(probabilities: np.ndarray, level: float) -> int:
    """The smallest k with P(sum of independent Bernoulli(p_i) <= k) >= level."""
    probs = probabilities[probabilities > NEGLIGIBLE]
    if probs.size == 0:
        return 0
    mean = float(probs.sum())
    sd = math.sqrt(float((probs * (1 - probs)).sum()))
    if probs.size > EXACT_TERMS:
        return max(0, min(probs.size, math.ceil(mean + NormalDist().inv_cdf(level) * sd - 0.5)))
    # Exact, term by term, on the support that can matter (beyond mean + 12 sd the mass is negligible).
    width = min(probs.size, math.ceil(mean + 12 * sd) + 20) + 1
    dist = np.zeros(width)
    dist[0] = 1.0
    for p in probs:
        shifted = np.empty_like(dist)
        shifted[0] = 0.0
        shifted[1:] = dist[:-1]
        dist = dist * (1 - p) + shifted * p
    return int(np.searchsorted(np.cumsum(dist), level - 1e-12))


def _members(conn: Any) -> pd.DataFrame:
    """person_id, record_id, match_probability of the records of persons with more than one record."""
    query = (select(person_records.c.person_id, person_records.c.record_id, person_records.c.match_probability)
             .join(persons, persons.c.id == person_records.c.person_id).where(persons.c.record_count > 1))
    return _frame(conn.execute(query), ["person_id", "record_id", "p"])


def _open_pairs(conn: Any) -> pd.DataFrame:
    """The pairs of the review band, and the pairs the model linked, with the persons each record is in (the
    pairs the constraints refused are those of the second kind that lie across two persons)."""
    left, right = person_records.alias("l"), person_records.alias("r")
    query = (select(match_pairs.c.record_id_l, match_pairs.c.record_id_r, match_pairs.c.match_probability,
                    left.c.person_id.label("person_l"), right.c.person_id.label("person_r"))
             .join(left, left.c.record_id == match_pairs.c.record_id_l)
             .join(right, right.c.record_id == match_pairs.c.record_id_r)
             .where((match_pairs.c.in_review == 1) | (match_pairs.c.match_probability >= REVIEW_BAND[1])))
    return _frame(conn.execute(query), ["record_id_l", "record_id_r", "p", "person_l", "person_r"])


def _frame(result: Any, columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame, through plain tuples (pandas probes each SQLAlchemy Row's attributes: seconds at
    hundreds of thousands of rows)."""
    return pd.DataFrame.from_records([tuple(row) for row in result], columns=columns)


def _person_of(conn: Any, record_ids: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    ids = sorted(record_ids)
    for start in range(0, len(ids), 5_000):
        query = select(person_records.c.record_id, person_records.c.person_id).where(
            person_records.c.record_id.in_(ids[start:start + 5_000]))
        found.update({int(r): int(p) for r, p in conn.execute(query)})
    return found


def distinct_persons(store: Store, level: float = LEVEL) -> PersonsInterval:
    """The current run's number of distinct persons with its interval (see the module's docstring)."""
    decided = runs.active_decisions(store)
    with store.engine.connect() as conn:
        point = int(conn.execute(select(func.count()).select_from(persons)).scalar_one())
        members = _members(conn)
        pairs = _open_pairs(conn)
        person_of = _person_of(conn, {r for left, right, _ in decided for r in (left, right)})
    held: set[int] = set()  # records whose link into their person a reviewer confirmed
    split_persons: set[int] = set()
    merged: set[tuple[int, int]] = set()
    for left, right, decision in decided:
        a, b = person_of.get(left), person_of.get(right)
        if a is None or b is None:
            continue
        if a == b and decision == "same":
            held.update((left, right))
        elif a == b:
            split_persons.add(a)
        elif decision == "same":
            merged.add((min(a, b), max(a, b)))
    # splits: every member's link but the strongest per person; a confirmed or unscored link is certain
    q = 1.0 - members["p"].astype(float).fillna(1.0).clip(0.0, 1.0)
    q[members["record_id"].isin(held)] = 0.0
    members = members.assign(q=q.to_numpy())
    strongest = members.sort_values(["person_id", "q"], kind="stable").drop_duplicates("person_id").index
    split_q = members.drop(index=strongest)["q"].to_numpy(dtype=float)
    # merges: undecided review pairs across two persons, the likeliest per pair of persons
    decided_pairs = {(left, right) for left, right, _ in decided}
    key = list(zip(pairs["record_id_l"].clip(upper=pairs["record_id_r"]),
                   pairs["record_id_r"].clip(lower=pairs["record_id_l"]), strict=True))
    undecided = pairs[[k not in decided_pairs for k in key]] if len(pairs) else pairs
    across = undecided[undecided["person_l"] != undecided["person_r"]]
    open_pairs = undecided[undecided["p"] < REVIEW_BAND[1]]
    by_persons = across.assign(a=across[["person_l", "person_r"]].min(axis=1),
                               b=across[["person_l", "person_r"]].max(axis=1)).groupby(["a", "b"])["p"].max()
    by_persons = by_persons[[pair not in merged for pair in by_persons.index]] if len(by_persons) else by_persons
    merge_p = by_persons.to_numpy(dtype=float)
    splits_q = poisson_binomial_quantile(split_q, level) + len(split_persons)
    merges_q = poisson_binomial_quantile(merge_p, level) + len(merged)
    expected = point + float(split_q.sum()) + len(split_persons) - float(merge_p.sum()) - len(merged)
    return PersonsInterval(
        point=point, low=max(0, point - merges_q), high=point + splits_q, expected=round(expected, 1),
        confidence=round(1 - 2 * (1 - level), 4), split_trials=int((split_q > NEGLIGIBLE).sum()),
        merge_trials=int((merge_p > NEGLIGIBLE).sum()),
        refused_links=int((across["p"] >= REVIEW_BAND[1]).sum()), certain_splits=len(split_persons),
        certain_merges=len(merged), open_review_pairs=len(open_pairs), method=METHOD)
