"""The model against the reviewers: its precision and recall on the pairs reviewers decided.

Each standing same / not same is a label. The model's answer on the pair is its match probability in the latest
run at that run's threshold (a pair the run did not keep scored below 0.01: the model's answer is "not the
same"). The persons themselves always follow the decisions (they are hard rules), so the model is what is
measured: how often it would have been right without the reviewers.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from kartoteka.linkage import review_state, review_store
from kartoteka.linkage.review_labels import model_on_reviewed_pairs
from kartoteka.linkage.tables import link_runs
from kartoteka.store import Store


def review_stats(store: Store) -> dict[str, Any]:
    """Counts of decisions by answer, and the model's precision, recall and F1 on the decided pairs."""
    with store.engine.connect() as conn:
        state = review_state.current(conn)
        run = conn.execute(select(link_runs.c.id, link_runs.c.threshold).where(link_runs.c.status == "done")
                           .order_by(link_runs.c.id.desc()).limit(1)).first()
        labels = {(d.record_id_l, d.record_id_r): d.decision for d in state.active if d.stands}
        scored = {pair: p for pair, p in review_state.scored(conn, run.id if run else None, sorted(labels)).items()
                  if p is not None}
    threshold = 0.5 if run is None or run.threshold is None else float(run.threshold)
    figures = model_on_reviewed_pairs(labels, scored, threshold)
    counts: dict[str, int] = {"undone": state.undone} if state.undone else {}
    reviewers: dict[str, int] = {}
    for d in state.active:
        answer = "stale" if d.stale and d.decision in review_store.LINKING else d.decision
        counts[answer] = counts.get(answer, 0) + 1
        reviewers[d.reviewer or "(unnamed)"] = reviewers.get(d.reviewer or "(unnamed)", 0) + 1
    return {"decisions": counts, "reviewers": reviewers, "labelled_pairs": len(labels), "threshold": threshold,
            "model": {key: value for key, value in figures.items() if key not in ("reviewed_pairs", "threshold")},
            "last_run": _last_run_labels(store, run.id if run else None)}


def _last_run_labels(store: Store, run_id: int | None) -> dict[str, Any] | None:
    """What the reviewed pairs taught the latest finished run (review_labels.LabelReport), and the model's figures
    on the pairs reviewed then; None before any run that recorded them."""
    if run_id is None:
        return None
    with store.engine.connect() as conn:
        text = conn.execute(select(link_runs.c.summary_json).where(link_runs.c.id == run_id)).scalar()
    summary = json.loads(text) if text else {}
    labels = (summary.get("training") or {}).get("labels")
    if labels is None and "reviewed" not in summary:
        return None
    return {"run_id": run_id, "labels": labels, "reviewed": summary.get("reviewed")}
