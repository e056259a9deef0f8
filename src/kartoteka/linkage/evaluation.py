"""Score a linkage against the truth of a simulated archive (truth.csv: record_ref, person_id, kind).

Pairwise figures count record pairs put in one person (predicted) against pairs of one true person; cluster
figures count persons reproduced exactly. Tasks restrict the pairs to kinds of record: `card_dedupe` pairs
within the Soviet cards and personal files, `card_roster` pairs between those and the Japanese kanji rosters.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd

SOVIET = ("card", "personal_file")
TASKS: dict[str, tuple[Collection[str], Collection[str] | None]] = {
    "card_dedupe": (SOVIET, None),
    "card_roster": (SOVIET, ("jp_roster",)),
    "card_death_roster": (SOVIET, ("death_roster",)),
    "card_manifest": (SOVIET, ("manifest",)),
    "card_burial": (SOVIET, ("burial",)),
    "roster_death_roster": (("jp_roster",), ("death_roster",)),
    "death_roster_dedupe": (("death_roster",), None),
}


def _prf(tp: float, predicted: float, actual: float) -> dict[str, Any]:
    """Precision, recall and F1, each None (n/a) where there is nothing to score: a task with no true pairs
    has no recall and no F1, one with no predicted pairs no precision (a figure for nothing is not 1.0)."""
    precision = round(tp / predicted, 4) if predicted else None
    recall = round(tp / actual, 4) if actual else None
    f1: float | None = None
    if actual and not predicted:
        f1 = 0.0
    elif precision is not None and recall is not None:
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "true_positives": int(tp), "predicted": int(predicted), "actual": int(actual)}


def _within_pairs(counts: pd.Series) -> float:
    return float((counts * (counts - 1) // 2).sum())


def pairwise_scores(frame: pd.DataFrame, left: Collection[str] | None = None,
                    right: Collection[str] | None = None) -> dict[str, Any]:
    """Pairwise precision/recall/F1 over `frame` (columns predicted, truth, kind), optionally by kinds."""
    if left is not None and right is None:
        frame = frame[frame["kind"].isin(list(left))]
    if left is None or right is None:
        tp = _within_pairs(frame.groupby(["predicted", "truth"]).size())
        return _prf(tp, _within_pairs(frame.groupby("predicted").size()),
                    _within_pairs(frame.groupby("truth").size()))
    side = pd.Series(None, index=frame.index, dtype=object)
    side[frame["kind"].isin(list(left))] = "a"
    side[frame["kind"].isin(list(right))] = "b"
    frame = frame.assign(side=side).dropna(subset=["side"])

    def cross(keys: list[str]) -> float:
        table = frame.groupby([*keys, "side"]).size().unstack("side", fill_value=0)
        if "a" not in table or "b" not in table:
            return 0.0
        return float((table["a"] * table["b"]).sum())

    return _prf(cross(["predicted", "truth"]), cross(["predicted"]), cross(["truth"]))


def cluster_scores(frame: pd.DataFrame) -> dict[str, Any]:
    """Share of predicted persons that are exactly a true person (precision), and of true persons found."""
    predicted = frame.groupby("predicted")["record_ref"].apply(frozenset)
    actual = frame.groupby("truth")["record_ref"].apply(frozenset)
    exact = len(set(predicted) & set(actual))
    return _prf(exact, len(predicted), len(actual))


def identification_recall_at_k(frame: pd.DataFrame, pairs: pd.DataFrame, died: set[str],
                                k: int = 5) -> float | None:
    """For each person who died and has a kanji-roster record: is one of his Soviet records in its top k?
    None (n/a) when no such person is in the store."""
    by_id = frame.set_index("record_id")
    roster = frame[(frame["kind"] == "jp_roster") & frame["truth"].isin(died)]
    soviet_people = set(frame.loc[frame["kind"].isin(SOVIET), "truth"])
    roster = roster[roster["truth"].isin(soviet_people)].sort_values("record_id").drop_duplicates("truth")
    if roster.empty:
        return None
    both = pd.concat([
        pairs.rename(columns={"record_id_l": "query", "record_id_r": "candidate"}),
        pairs.rename(columns={"record_id_r": "query", "record_id_l": "candidate"}),
    ])[["query", "candidate", "match_weight"]]
    both = both[both["query"].isin(set(roster["record_id"]))]
    kinds = by_id["kind"]
    both = both[both["candidate"].map(kinds).isin(SOVIET)]
    top = both.sort_values("match_weight", ascending=False).groupby("query").head(k)
    top = top.assign(candidate_truth=top["candidate"].map(by_id["truth"]),
                     query_truth=top["query"].map(by_id["truth"]))
    hits = set(top.loc[top["candidate_truth"] == top["query_truth"], "query"])
    return round(len(hits & set(roster["record_id"])) / len(roster), 4)


def evaluate_frame(frame: pd.DataFrame, pairs: pd.DataFrame, died: set[str]) -> dict[str, Any]:
    """All the figures for one linkage: `frame` has record_id, record_ref, kind, predicted and truth."""
    return {
        "pairs": pairwise_scores(frame),
        "clusters": cluster_scores(frame),
        "tasks": {name: pairwise_scores(frame, left, right) for name, (left, right) in TASKS.items()},
        "identification_recall_at_5": identification_recall_at_k(frame, pairs, died, 5),
        "records": len(frame),
    }
