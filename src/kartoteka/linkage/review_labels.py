"""The reviewers' decisions as labels: what the "same" pairs teach the m values, and the model measured on them.

    learn_m_from_labels(table, model, features, same_pairs, weights) -> LabelReport   (changes `model`)
    model_on_reviewed_pairs(labels, scored, threshold) -> precision, recall, F1 and the counts

Splink estimates a comparison's m values from pairs known to be one person
(`linker.training.estimate_m_from_pairwise_labels`): the share of those pairs that falls in each level. Reviewed
pairs are not a random sample of true pairs: they come from the review queue, the pairs the model was unsure
of, so they disagree more often than one man's records do on the whole. Their m values are therefore not taken
as they are but pooled with the model's own, as counts: each comparison's labelled m values weigh as many pairs
as reviewers decided "same" on it (both records holding the field), the model's EM values as LABEL_WEIGHT_OF_EM
pairs (its prior values, for a comparison no EM block trained, as training.PRIOR_MATCHES). So a handful of
labels moves a weight a little, a thousand move it most of the way; and below MIN_LABEL_PAIRS "same" pairs the
labels are not used at all (too few to tell a pattern from a reviewer's one-off). "Not the same" decisions
teach no m (u comes from random pairs, which they are not): they count in the precision and recall only.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from kartoteka.linkage.checks import level_problems
from kartoteka.linkage.model import comparison_columns

# Fewer "same" decisions than this teach the model nothing: EM's values stand.
MIN_LABEL_PAIRS = 30
# The m values EM learned from a block count as this many reviewed pairs when pooled with the labels'.
LABEL_WEIGHT_OF_EM = 200


@dataclass
class LabelReport:
    """What the reviewed pairs did to the model: how many were used and each comparison's weights before/after."""

    same_pairs: int
    not_same_pairs: int
    used: bool
    why: str
    comparisons: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    def moves(self) -> list[dict[str, Any]]:
        """Every level whose weight the labels moved, the largest move first."""
        found = [{"comparison": c["name"], **level} for c in self.comparisons for level in c["levels"]
                 if level["weight_before"] is not None and level["weight_after"] is not None]
        found = [move for move in found if abs(move["weight_after"] - move["weight_before"]) >= 0.005]
        return sorted(found, key=lambda move: -abs(move["weight_after"] - move["weight_before"]))

    def lines(self, shown: int = 3) -> list[str]:
        """The report as `link` prints it."""
        if not self.used:
            return [f"labels: {self.why}"]
        out = [f"labels: {self.same_pairs:,} reviewed 'same' pairs taught the m values ({self.why})"]
        for move in self.moves()[:shown]:
            out.append(f"  {move['comparison']} '{move['label']}': weight {move['weight_before']:+.2f} -> "
                       f"{move['weight_after']:+.2f}")
        return out


def _levels(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]


def _weight(level: dict[str, Any]) -> float | None:
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u or m <= 0 or u <= 0:
        return None
    return round(math.log2(m / u), 3)


def compared_pairs(features: pd.DataFrame, pairs: pd.DataFrame, name: str) -> int:
    """How many of `pairs` (unique_id_l, unique_id_r) a comparison compares: both records hold its first column
    (and, for the camp, they are not two cards: model.camp_comparison)."""
    column = comparison_columns(name)[0]
    if column not in features.columns:
        return 0
    by_id = features.set_index("unique_id")
    held = by_id[column].notna()
    both = held.reindex(pairs["unique_id_l"]).fillna(False).to_numpy(bool) & \
        held.reindex(pairs["unique_id_r"]).fillna(False).to_numpy(bool)
    if name == "camp":
        card = by_id["kind"].eq("card")
        both &= ~(card.reindex(pairs["unique_id_l"]).fillna(False).to_numpy(bool)
                  & card.reindex(pairs["unique_id_r"]).fillna(False).to_numpy(bool))
    return int(both.sum())


def _labelled_m(table: Any, model: dict[str, Any], pairs: pd.DataFrame) -> dict[str, list[float | None]]:
    """Splink's m values from the labelled pairs, per comparison (None: no labelled pair in that level)."""
    import logging

    from splink import Linker

    blank = copy.deepcopy(model)
    for comparison in blank["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("m_probability", None)  # a level no label falls in then stays without m (not the old one)
    linker = Linker(table, blank, log_level=None, validate_settings=False)
    labels = linker.table_management.register_table(pairs, "__kartoteka_labels", overwrite=True)
    quiet = logging.getLogger("splink").level
    logging.getLogger("splink").setLevel(logging.ERROR)  # it warns of every level no label falls in
    try:
        linker.training.estimate_m_from_pairwise_labels(labels)
    finally:
        logging.getLogger("splink").setLevel(quiet)
    learned = linker.misc.save_model_to_json()
    return {c["output_column_name"]: [lv.get("m_probability") for lv in _levels(c)] for c in learned["comparisons"]}


def learn_m_from_labels(table: Any, model: dict[str, Any], features: pd.DataFrame,
                        same_pairs: Iterable[tuple[int, int]], weights: Mapping[str, float],
                        not_same_pairs: int = 0) -> LabelReport:
    """Pool the m values of `model`'s comparisons with those of the reviewed "same" pairs (module docstring).

    `weights` gives, for each comparison the labels may teach, how many pairs its present m values count as
    (those left out, neutral ones, are not touched). Changes `model` in place; returns what it did."""
    from kartoteka.linkage.training import monotone_bayes_factors

    ids = set(features["unique_id"].tolist())
    pairs = pd.DataFrame([(min(a, b), max(a, b)) for a, b in same_pairs if a in ids and b in ids],
                         columns=["unique_id_l", "unique_id_r"], dtype="int64").drop_duplicates()
    report = LabelReport(same_pairs=len(pairs), not_same_pairs=not_same_pairs, used=False, why="")
    if len(pairs) < MIN_LABEL_PAIRS:
        report.why = (f"{len(pairs)} reviewed 'same' pair(s), fewer than {MIN_LABEL_PAIRS}: EM's m values stand"
                      if len(pairs) else "no reviewed pairs: EM's m values stand")
        return report
    learned = _labelled_m(table, model, pairs)
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        compared = compared_pairs(features, pairs, name)
        if name not in weights or compared == 0:
            continue
        was = copy.deepcopy(comparison)
        monotone_bayes_factors(was)  # as training leaves it without labels: the moves are the labels' alone
        before = _levels(was)
        candidate = copy.deepcopy(comparison)
        prior_weight = weights[name]
        for level, labelled in zip(_levels(candidate), learned[name], strict=True):
            share = 0.0 if labelled is None or math.isnan(labelled) else float(labelled)
            level["m_probability"] = (compared * share + prior_weight * level["m_probability"]) / \
                (compared + prior_weight)
        monotone_bayes_factors(candidate)
        problems = level_problems(candidate)
        entry: dict[str, Any] = {"name": name, "pairs": compared, "model_counts_as": prior_weight,
                                 "kept": bool(problems), "why": "; ".join(problems)}
        if not problems:
            comparison["comparison_levels"] = candidate["comparison_levels"]
        entry["levels"] = [{"label": old.get("label_for_charts"), "m_before": round(old["m_probability"], 6),
                            "m_after": round(new["m_probability"], 6), "weight_before": _weight(old),
                            "weight_after": _weight(new)} for old, new in zip(before, _levels(comparison),
                                                                            strict=True)]
        report.comparisons.append(entry)
    report.used = True
    report.why = (f"pooled with the model's own, which count as {LABEL_WEIGHT_OF_EM} pairs where EM trained "
                  "them")
    return report


def model_on_reviewed_pairs(labels: Mapping[tuple[int, int], str], scored: Mapping[tuple[int, int], float],
                            threshold: float) -> dict[str, Any]:
    """The model's precision, recall and F1 on the reviewed pairs (key: the two record ids, lower first; value:
    "same" or "not_same"), its answer being its match probability at `threshold` (a pair it did not keep: "not
    the same"). None for a figure with nothing to count (n/a)."""
    tp = fp = fn = tn = 0
    for key, answer in labels.items():
        said_same = scored.get(key, 0.0) >= threshold
        same = answer == "same"
        tp, fp, fn, tn = (tp + (said_same and same), fp + (said_same and not same),
                          fn + (not said_same and same), tn + (not said_same and not same))
    precision = round(tp / (tp + fp), 4) if tp + fp else None
    recall = round(tp / (tp + fn), 4) if tp + fn else None
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
    return {"reviewed_pairs": len(labels), "threshold": threshold, "precision": precision, "recall": recall,
            "f1": f1, "true_positives": tp, "false_positives": fp, "false_negatives": fn, "true_negatives": tn,
            "not_scored": sum(1 for key in labels if key not in scored)}
