"""Reviewed pairs as labels (issue 18, 4): the persons before and after a re-run that learns from the decisions.

A simulated archive is simulated, imported and linked; the first N pairs of the review queue are decided by an
oracle that knows the simulation's truth (same when the two records are one person), exactly as a reviewer
would with `kartoteka review --same A B` / `--not-same A B`; then the store is linked again twice: with the
decisions as rules only (`link --no-labels`, as before this change) and with them as rules and labels (`link`).
Each run is scored with `kartoteka evaluate` against the truth.

    .venv/bin/python bench/bench_review_labels.py --persons 10000 --seed 404 --profile harsh --tops 200 1000

Figures: cluster F1, card dedupe F1 and card <-> death roster F1 for each run; the labels used, the largest
weight moves, and the model's precision and recall on the reviewed pairs (link --json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from _report import write_section
from kartoteka.linkage import review
from kartoteka.store import open_store, records

KARTOTEKA = [sys.executable, "-m", "kartoteka"]


def _run(*args: str) -> str:
    return subprocess.run([*KARTOTEKA, *args], check=True, capture_output=True, text=True).stdout


def prepare(workdir: Path, persons: int, seed: int, profile: str) -> tuple[Path, Path]:
    """Simulate, import and link an archive (SIMULATED); the store's file and its truth.csv."""
    archive, db = workdir / "archive", workdir / "base.sqlite"
    if not (archive / "truth.csv").exists():
        _run("simulate", str(archive), "--persons", str(persons), "--seed", str(seed), "--profile", profile)
    if not db.exists():
        _run("-q", "-d", str(db), "import", str(archive))
        _run("-q", "-d", str(db), "link", "--runs-dir", str(workdir / "runs"))
    return db, archive / "truth.csv"


def decide_top(db: Path, truth_path: Path, top: int) -> dict[str, int]:
    """Answer the first `top` pairs of the review queue from the truth; the counts of each answer."""
    truth = pd.read_csv(truth_path, dtype=str, usecols=["record_ref", "person_id"])
    person_of = dict(zip(truth["record_ref"], truth["person_id"], strict=True))
    answers = {"same": 0, "not_same": 0}
    with open_store(f"sqlite:///{db}", create=False) as store:
        items = review.review_queue(store, limit=top)
        ids = [i for item in items for i in (item.record_id_l, item.record_id_r)]
        with store.engine.connect() as conn:
            ref_of = dict(conn.execute(select(records.c.id, records.c.record_ref).where(records.c.id.in_(ids))).all())
        for item in items:
            left, right = person_of.get(ref_of[item.record_id_l]), person_of.get(ref_of[item.record_id_r])
            answer = "same" if left is not None and left == right else "not_same"
            review.decide(store, item.record_id_l, item.record_id_r, answer, reviewer="oracle (SIMULATED truth)")
            answers[answer] += 1
    return answers


def link_and_evaluate(db: Path, truth: Path, runs_dir: Path, *extra: str) -> dict[str, Any]:
    """One `link --json` (with `extra` options) and `evaluate --json`: the figures of the run."""
    summary = json.loads(_run("-q", "-d", str(db), "link", "--json", "--runs-dir", str(runs_dir), *extra))
    figures = json.loads(_run("-q", "-d", str(db), "evaluate", "--json", str(truth)))
    return {"summary": summary, "cluster": figures["clusters"]["f1"],
            "card_dedupe": figures["tasks"]["card_dedupe"]["f1"],
            "card_death": figures["tasks"].get("card_death_roster", {}).get("f1"), "persons": summary["persons"]}


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _row(label: str, run: dict[str, Any]) -> str:
    reviewed = run["summary"].get("reviewed") or {}
    labels = run["summary"].get("labels") or {}
    used = f"{labels['same_pairs']:,}" if labels.get("used") else "none"
    return (f"| {label} | {run['persons']:,} | {_f(run['cluster'])} | {_f(run['card_dedupe'])} | "
            f"{_f(run['card_death'])} | {used} | {_f(reviewed.get('precision'))} / {_f(reviewed.get('recall'))} |")


def _moves(run: dict[str, Any], shown: int = 4) -> str:
    labels = run["summary"].get("labels") or {}
    moves = [{"comparison": c["name"], **level} for c in labels.get("comparisons", []) for level in c["levels"]
             if level["weight_before"] is not None and level["weight_after"] is not None]
    moves.sort(key=lambda m: -abs(m["weight_after"] - m["weight_before"]))
    return "; ".join(f"{m['comparison']} '{m['label']}' {m['weight_before']:+.2f} -> {m['weight_after']:+.2f}"
                     for m in moves[:shown]) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=404)
    parser.add_argument("--profile", default="harsh")
    parser.add_argument("--tops", type=int, nargs="+", default=[200, 1_000])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--write", action="store_true", help="write the section of BENCHMARKS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-labels-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base, truth = prepare(workdir, args.persons, args.seed, args.profile)
    figures = json.loads(_run("-q", "-d", str(base), "evaluate", "--json", str(truth)))
    before = {"summary": {}, "cluster": figures["clusters"]["f1"], "card_dedupe": figures["tasks"]["card_dedupe"]["f1"],
              "card_death": figures["tasks"].get("card_death_roster", {}).get("f1"), "persons": 0}
    with open_store(f"sqlite:///{base}", create=False) as store:
        from kartoteka.linkage.runs import current_assignment

        before["persons"] = int(current_assignment(store)["person_id"].nunique())
    rows = ["| run | persons | cluster F1 | card dedupe F1 | card <-> death roster F1 | 'same' labels used | "
            "model P / R on reviewed pairs |", "|---|---|---|---|---|---|---|",
            _row("no decisions", before)]
    notes = []
    for top in args.tops:
        db = workdir / f"top-{top}.sqlite"
        shutil.copyfile(base, db)
        answers = decide_top(db, truth, top)
        print(f"top {top}: {answers}", flush=True)
        rules = link_and_evaluate(db, truth, workdir / f"runs-{top}", "--no-labels")
        print(_row(f"{top} decisions, rules only", rules), flush=True)
        learned = link_and_evaluate(db, truth, workdir / f"runs-{top}")
        print(_row(f"{top} decisions, rules and labels", learned), flush=True)
        rows += [_row(f"first {top:,} of the queue ({answers['same']:,} same, {answers['not_same']:,} not): "
                      "rules only (`--no-labels`)", rules),
                 _row("the same: rules and labels (`link`)", learned)]
        notes.append(f"first {top:,}: largest weight moves {_moves(learned)}")
    body = "\n".join([
        f"{args.persons:,} SIMULATED persons (seed {args.seed}, profile {args.profile}); the decisions are an "
        "oracle's (the simulation's truth) on the first N pairs of the review queue of the first run. The model's "
        "precision and recall on the reviewed pairs are its own answers (match probability at the threshold) in "
        "that run, against the oracle's; the labels taught that run, so they are measured on the pairs it learned "
        "from.", "", *rows, "", *(f"- {note}" for note in notes), "",
        f"{time.perf_counter() - started:.0f} s. Command: `.venv/bin/python bench/bench_review_labels.py "
        f"{' '.join(sys.argv[1:])}`."])
    print(body)
    if args.write:
        write_section("review-labels", "Reviewed pairs as labels (issue 18, 4)", body)


if __name__ == "__main__":
    main()
