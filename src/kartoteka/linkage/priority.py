"""The review queue's order: each pair by the persons its decision is expected to put right (issue 18, 7b).

A person is wrong when its records are split over several persons or mixed with another's. A decision on a pair
only helps where the model is likely wrong *and* the answer changes persons:

- a pair between two persons (the model did not link it) is a missed link with the model's own probability p;
  "same" then joins the two persons into one. Only the strongest pair between two persons is worth asking: the
  others between the same two ask the same question again, and wait far down the queue.
- a pair inside one person is a wrong link with the probability that the records are *not* joined by any
  stronger path of links: 1 - b, where b is the weakest link on the strongest path between them (the
  bottleneck; for the links that hold the person together it is their own p). "not the same" then splits the
  person there, and a person made of two men's records puts two persons right. A pair held together by a
  stronger path is asked only after the others.

A link the model wanted but a constraint of a life refused, and the links inside a person, are wrong far less
often than their probability says (REFUSED_FACTOR, INSIDE_DISCOUNT). The priority is that expectation, in persons: P(the model is wrong) x the persons put right. Measured against
a simulation's truth by bench/bench_review_queue.py (BENCHMARKS.md, "Review queue").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Persons put right by a "not the same" that splits a person of two men's records (both become right), and by
# a "same" that joins two parts of one man (he becomes right).
SPLIT_FIXES = 2.0
JOIN_FIXES = 1.0
# A question already asked by a stronger pair between the same two persons, or settled by a stronger path
# inside one: kept in the queue, after the pairs that ask something new.
REPEAT_FACTOR = 0.01
# A pair between two persons that the model would have linked was refused by a constraint of a life (two
# personal files, records after death, two camps on one day): the constraint is the stronger evidence.
REFUSED_FACTOR = 0.1
# Inside a person the pair's own probability under-states the evidence (the person's other links vouch for its
# records too): measured on a simulated archive of 20,000 persons, pairs inside a person with p 0.5-0.6 were one
# man in 156 of 156, and 3,251 of 3,266 inside pairs of the queue were. Their chance of being wrong is discounted.
INSIDE_DISCOUNT = 0.1
# Two persons of several records each are rarely one man (each is already most of a life's records); a single
# record or a pair joining a person often is. Measured on a simulated archive of 20,000 persons: among the
# queue's first 300 pairs between two persons, 31 of 31 whose smaller person was one record were one man, 8 of 14
# of two records, 1 of 60 of three. The chance of a missed link is divided by the smaller person's size to this
# power (2 put the most persons right in the first 100 decisions, on that archive and on another seed's).
SIZE_EXPONENT = 2.0


def _bottlenecks(left: np.ndarray, right: np.ndarray, prob: np.ndarray, cluster: np.ndarray,
                 strong: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """For each asked pair inside a person: the weakest link on the strongest path between its two records
    (Kruskal's order over the persons' links above the threshold); NaN where no such path exists.

    One pass over the links of every person that has an asked pair, strongest first (persons are disjoint, so
    one union-find serves them all). When two parts join, the asked pairs of the smaller part whose other
    record lies in the larger one are answered with that link's probability: the first link that connects two
    records is the weakest on their strongest path. Each record is on the smaller side at most log2(n) times.
    """
    out = np.full(len(left), np.nan)
    ask = np.flatnonzero(asked)
    if not len(ask):
        return out
    queries: dict[int, list[tuple[int, int]]] = {}
    for i, a, b in zip(ask.tolist(), left[ask].tolist(), right[ask].tolist(), strict=True):
        queries.setdefault(a, []).append((b, i))
        queries.setdefault(b, []).append((a, i))
    links = np.flatnonzero(strong & np.isin(cluster, np.unique(cluster[ask])))
    links = links[np.lexsort((links, -prob[links]))]  # strongest first; ties in the pairs' order
    answer = out.tolist()
    root: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for a, b, p in zip(left[links].tolist(), right[links].tolist(), prob[links].tolist(), strict=True):
        ra, rb = root.setdefault(a, a), root.setdefault(b, b)
        if ra == rb:
            continue
        side_a, side_b = members.setdefault(ra, [ra]), members.setdefault(rb, [rb])
        if len(side_a) < len(side_b):
            ra, rb, side_a, side_b = rb, ra, side_b, side_a
        for x in side_b:
            for y, i in queries.get(x, ()):
                if root.get(y, y) == ra:
                    answer[i] = p
        for y in side_b:
            root[y] = ra
        side_a.extend(side_b)
        del members[rb]
    return np.asarray(answer, dtype=float)


def review_priority(pairs: pd.DataFrame, cluster_of: pd.Series, threshold: float = 0.5,
                    band: tuple[float, float] = (0.2, 0.98)) -> pd.Series:
    """The expected persons put right by deciding each pair (unique_id_l, unique_id_r, match_probability) given
    the persons `cluster_of` (record id -> person label); 0 outside the review `band`. A pair's value does not
    depend on the order of the rows; equal values are common (the queue breaks their ties by the record ids)."""
    p = pairs["match_probability"].to_numpy(dtype=float)
    left = pairs["unique_id_l"].to_numpy(dtype=np.int64)
    right = pairs["unique_id_r"].to_numpy(dtype=np.int64)
    label_l = pairs["unique_id_l"].map(cluster_of).to_numpy()
    label_r = pairs["unique_id_r"].map(cluster_of).to_numpy()
    in_band = (p >= band[0]) & (p < band[1])
    inside = label_l == label_r
    value = np.zeros(len(pairs))
    # between two persons: the strongest pair of each two asks; the rest repeat the question
    across = in_band & ~inside
    if across.any():
        sizes = cluster_of.value_counts()
        smaller = np.minimum(pd.Series(label_l[across]).map(sizes).fillna(1).to_numpy(),
                             pd.Series(label_r[across]).map(sizes).fillna(1).to_numpy())
        frame = pd.DataFrame({"a": np.minimum(label_l, label_r)[across], "b": np.maximum(label_l, label_r)[across],
                              "p": p[across], "l": left[across], "r": right[across], "i": np.flatnonzero(across),
                              "smaller": smaller})
        # of equally strong pairs between the same two, the first by record ids asks (not the first Splink wrote:
        # its order varies between runs, and the queue would ask a different pair of the same two persons)
        frame = frame.sort_values(["p", "l", "r"], ascending=[False, True, True], kind="stable")
        first = ~frame.duplicated(["a", "b"])
        chance = frame["p"].to_numpy() * JOIN_FIXES * frame["smaller"].to_numpy() ** -SIZE_EXPONENT
        chance = np.where(frame["p"].to_numpy() >= threshold, chance * REFUSED_FACTOR, chance)
        value[frame["i"].to_numpy()] = np.where(first.to_numpy(), chance, chance * REPEAT_FACTOR)
    # inside one person: wrong with the chance that no stronger path holds the two records together
    within = in_band & inside
    if within.any():
        held = _bottlenecks(left, right, p, label_l, inside & (p >= threshold), within)
        bottleneck = np.where(np.isnan(held), p, np.maximum(held, p))
        chance = (1 - bottleneck) * INSIDE_DISCOUNT * SPLIT_FIXES
        # the link that holds the records (its p is the bottleneck) asks; a pair held by a stronger path repeats
        asks = np.isclose(bottleneck, p) & (p >= threshold)
        value[within] = np.where(asks[within], chance[within], chance[within] * REPEAT_FACTOR)
    return pd.Series(np.round(value, 5), index=pairs.index)
