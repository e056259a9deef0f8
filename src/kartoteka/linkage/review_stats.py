"""The model against the reviewers: its precision and recall on the pairs reviewers decided.

Each standing same / not same is a label. The model's answer on the pair is its match probability in the latest
run at that run's threshold (a pair the run did not keep scored below 0.01: the model's answer is "not the
same"). The persons themselves always follow the decisions (they are hard rules), so the model is what is
measured: how often it would have been right without the reviewers.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, select, tuple_

from kartoteka.linkage import review_store
from kartoteka.linkage.review_labels import model_on_reviewed_pairs
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
    figures = model_on_reviewed_pairs(labels, scored, threshold)
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
            "model": {key: value for key, value in figures.items() if key not in ("reviewed_pairs", "threshold")},
            "last_run": _last_run_labels(store)}


def _last_run_labels(store: Store) -> dict[str, Any] | None:
    """What the reviewed pairs taught the latest finished run (review_labels.LabelReport), and the model's figures
    on the pairs reviewed then; None before any run that recorded them."""
    with store.engine.connect() as conn:
        row = conn.execute(select(link_runs.c.id, link_runs.c.summary_json).where(link_runs.c.status == "done")
                           .order_by(link_runs.c.id.desc()).limit(1)).first()
    if row is None or not row.summary_json:
        return None
    summary = json.loads(row.summary_json)
    labels = (summary.get("training") or {}).get("labels")
    if labels is None and "reviewed" not in summary:
        return None
    return {"run_id": int(row.id), "labels": labels, "reviewed": summary.get("reviewed")}
