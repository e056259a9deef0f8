"""The model against the reviewers: its precision and recall on the pairs reviewers decided.

Each standing same / not same is a label. The model's answer on the pair is its match probability in the latest
run at that run's threshold (a pair the run did not keep scored below 0.01: the model's answer is "not the
same"). The persons themselves always follow the decisions (they are hard rules), so the model is what is
measured: how often it would have been right without the reviewers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select, tuple_

from kartoteka.linkage import review_store
from kartoteka.linkage.tables import link_runs, match_pairs
from kartoteka.store import Store


def review_stats(store: Store) -> dict[str, Any]:
    """Counts of decisions by answer, and the model's precision, recall and F1 on the decided pairs."""
    with store.engine.connect() as conn:
        every = review_store.load(conn)
        threshold = conn.execute(select(link_runs.c.threshold).where(link_runs.c.status == "done")
                                 .order_by(link_runs.c.id.desc()).limit(1)).scalar()
        labels = {(d.record_id_l, d.record_id_r): d.decision for d in every if d.stands}
        scored: dict[tuple[int, int], float] = {}
        keys = sorted(labels)
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            query = select(match_pairs.c.record_id_l, match_pairs.c.record_id_r, match_pairs.c.match_probability)
            for left, right, p in conn.execute(query.where(and_(
                    tuple_(match_pairs.c.record_id_l, match_pairs.c.record_id_r).in_(chunk)))):
                scored[(min(left, right), max(left, right))] = float(p)
    threshold = 0.5 if threshold is None else float(threshold)
    tp = fp = fn = tn = 0
    for key, answer in labels.items():
        said_same = scored.get(key, 0.0) >= threshold
        same = answer == "same"
        tp, fp, fn, tn = tp + (said_same and same), fp + (said_same and not same), \
            fn + (not said_same and same), tn + (not said_same and not same)
    precision = round(tp / (tp + fp), 4) if tp + fp else None
    recall = round(tp / (tp + fn), 4) if tp + fn else None
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
    counts: dict[str, int] = {}
    for d in every:
        state = "undone" if not d.active else "stale" if d.stale and d.decision in review_store.LINKING \
            else d.decision
        counts[state] = counts.get(state, 0) + 1
    reviewers: dict[str, int] = {}
    for d in every:
        if d.active:
            reviewers[d.reviewer or "(unnamed)"] = reviewers.get(d.reviewer or "(unnamed)", 0) + 1
    return {"decisions": counts, "reviewers": reviewers, "labelled_pairs": len(labels), "threshold": threshold,
            "model": {"precision": precision, "recall": recall, "f1": f1, "true_positives": tp,
                      "false_positives": fp, "false_negatives": fn, "true_negatives": tn,
                      "not_scored": sum(1 for key in labels if key not in scored)}}
