"""Review queue benchmark (issue 18, 7b): the persons put right by decisions taken from the top of the queue.

A simulated archive is linked (or an existing linked store is read); the queue's pairs are decided in the queue's
order by an oracle that knows the simulation's truth (same when the two records are one person), and the persons
are clustered again from the run's own scored pairs, with those decisions, exactly as the next `kartoteka link`
would cluster them. A true person is wrong when its records are not exactly one of the persons.

    .venv/bin/python bench/bench_review_queue.py --persons 20000                  # simulate, import, link
    .venv/bin/python bench/bench_review_queue.py --database DB --truth T.csv      # a linked store at any scale

Figures: errors (wrong persons) put right by the first 1,000 decisions, and the decisions it takes to put right
half of the wrong persons, for the queue's order and for the order it replaced (uncertainty x records moved).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from _report import write_section
from kartoteka.linkage import runs
from kartoteka.linkage.clustering import ONE_PER_PERSON, cluster
from kartoteka.linkage.features import _day_date, _map_distinct
from kartoteka.linkage.service import _life_facts
from kartoteka.linkage.tables import link_runs, match_pairs
from kartoteka.linkage.vocabulary import first_number
from kartoteka.store import open_store, records

KARTOTEKA = [sys.executable, "-m", "kartoteka"]
FIRST = 1_000
TOPS = (25, 50, 100, 250, 1_000)


def _run(*args: str) -> None:
    subprocess.run([*KARTOTEKA, *args], check=True)


def prepare(workdir: Path, persons: int, seed: int) -> tuple[str, Path]:
    """Simulate, import and link an archive of `persons` (SIMULATED); the store's URL and its truth.csv."""
    archive, db = workdir / f"archive-{persons}-{seed}", workdir / f"review-{persons}-{seed}.sqlite"
    if not db.exists():
        _run("simulate", str(archive), "--persons", str(persons), "--seed", str(seed), "--profile", "realistic")
        _run("-q", "-d", str(db), "import", str(archive))
        _run("-q", "-d", str(db), "link", "--runs-dir", str(workdir / "runs"))
    return f"sqlite:///{db}", archive / "truth.csv"


class Oracle:
    """The linked store's records, pairs and persons, the truth, and a way to cluster again with decisions."""

    def __init__(self, url: str, truth_path: Path) -> None:
        with open_store(url, create=False) as store, store.engine.connect() as conn:
            query = select(records.c.id, records.c.record_ref, records.c.kind, records.c.camp, records.c.death_date,
                           records.c.event_date)
            frame = pd.DataFrame(conn.execute(query).fetchall(),
                                 columns=["unique_id", "record_ref", "kind", "camp", "death_date", "event_date"])
            pairs = pd.DataFrame(conn.execute(select(
                match_pairs.c.record_id_l, match_pairs.c.record_id_r, match_pairs.c.match_probability,
                match_pairs.c.in_review, match_pairs.c.review_priority)).fetchall(),
                columns=["unique_id_l", "unique_id_r", "match_probability", "in_review", "review_priority"])
            self.threshold = float(conn.execute(select(link_runs.c.threshold).where(link_runs.c.status == "done")
                                                .order_by(link_runs.c.id.desc()).limit(1)).scalar() or 0.5)
            assigned = runs.current_assignment(store)
        truth = pd.read_csv(truth_path, dtype=str, usecols=["record_ref", "person_id"])
        frame = frame.merge(truth, on="record_ref", how="left")
        frame["person_id"] = frame["person_id"].fillna("?" + frame["unique_id"].astype(str))
        self.truth = pd.Series(pd.factorize(frame["person_id"])[0], index=frame["unique_id"].to_numpy())
        self.kinds = pd.Series(frame["kind"].to_numpy(), index=frame["unique_id"].to_numpy())
        facts = frame.assign(camp=_map_distinct(frame["camp"], first_number),
                             death_date=_map_distinct(frame["death_date"], _day_date),
                             event_date=_map_distinct(frame["event_date"], _day_date))
        self.facts = _life_facts(facts)
        self.ids = frame["unique_id"].tolist()
        self.pairs = pairs
        self.stored = pd.Series(assigned["person_id"].to_numpy(), index=assigned["record_id"].to_numpy())

    def cluster_of(self, decided: pd.DataFrame | None = None) -> pd.Series:
        """The persons the next run makes with these decisions (unique_id_l, unique_id_r; the oracle answers)."""
        decisions: list[tuple[int, int, str]] = []
        if decided is not None and len(decided):
            left, right = decided["unique_id_l"].to_numpy(), decided["unique_id_r"].to_numpy()
            same = self.truth.reindex(left).to_numpy() == self.truth.reindex(right).to_numpy()
            decisions = [(int(a), int(b), "same" if s else "not_same")
                         for a, b, s in zip(left.tolist(), right.tolist(), same.tolist(), strict=True)]
        return cluster(self.ids, self.pairs, self.threshold, self.facts, decisions, kinds=self.kinds,
                       one_per_person=ONE_PER_PERSON).cluster_of

    def wrong_persons(self, cluster_of: pd.Series) -> int:
        """True persons whose records are not exactly one of the persons."""
        frame = pd.DataFrame({"truth": self.truth.reindex(cluster_of.index).to_numpy(),
                              "predicted": cluster_of.to_numpy()})
        by_truth = frame.groupby("truth")["predicted"].nunique()
        size_pred = frame.groupby("predicted").size()
        size_both = frame.groupby(["truth", "predicted"]).size()
        whole = size_both[size_both.index.get_level_values("predicted").map(size_pred).to_numpy()
                          == size_both.to_numpy()]
        exact = set(whole.index.get_level_values("truth")) & set(by_truth.index[by_truth == 1])
        return int(frame["truth"].nunique() - len(exact))


def previous_priority(pairs: pd.DataFrame, cluster_of: pd.Series) -> pd.Series:
    """The order the queue had before (session 9): uncertainty x log2 of the records a decision moves."""
    p = pairs["match_probability"].to_numpy(dtype=float).clip(1e-6, 1 - 1e-6)
    uncertainty = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    sizes = cluster_of.value_counts()
    left, right = pairs["unique_id_l"].map(cluster_of), pairs["unique_id_r"].map(cluster_of)
    size_l, size_r = left.map(sizes).fillna(1).to_numpy(float), right.map(sizes).fillna(1).to_numpy(float)
    moved = np.where(left.to_numpy() != right.to_numpy(), size_l + size_r, size_l)
    return pd.Series(uncertainty * np.log2(np.maximum(moved, 2)), index=pairs.index)


def measure(oracle: Oracle, order: pd.DataFrame, label: str, say: Callable[[str], None]) -> dict[str, object]:
    """Errors put right by the first FIRST decisions of `order`, and the decisions that put right half."""
    base = oracle.wrong_persons(oracle.cluster_of())
    everything = base - oracle.wrong_persons(oracle.cluster_of(order))
    fixed: dict[int, int] = {}

    def fixed_by(n: int) -> int:
        if n not in fixed:
            fixed[n] = base - oracle.wrong_persons(oracle.cluster_of(order.iloc[:n]))
            say(f"{label}: {n:,} decisions put right {fixed[n]:,}")
        return fixed[n]

    tops = {n: fixed_by(min(n, len(order))) for n in TOPS}

    def decisions_for(goal: float) -> int | None:
        """The decisions from the top that put right at least `goal` persons (to 2 %), None if the queue cannot."""
        if everything < goal:
            return None
        low, high = 0, min(FIRST, len(order))
        while high < len(order) and fixed_by(high) < goal:
            low, high = high, min(high * 2, len(order))
        while high - low > max(10, high // 50):
            middle = (low + high) // 2
            low, high = (middle, high) if fixed_by(middle) < goal else (low, middle)
        return high

    return {"label": label, "tops": tops, "half": decisions_for(base / 2),
            "half_reachable": decisions_for(everything / 2) if everything else None,
            "everything": everything, "queue": len(order)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=818)
    parser.add_argument("--database", help="a linked store (SQLite path or URL) instead of simulating one")
    parser.add_argument("--truth", type=Path, help="the truth.csv of the store's simulated archive")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--no-write", action="store_true", help="print, do not write BENCHMARKS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.database:
        if args.truth is None:
            parser.error("--database needs --truth (the simulated archive's truth.csv)")
        url = args.database if "://" in args.database else f"sqlite:///{Path(args.database).resolve()}"
        truth, scale = args.truth, "the store given"
    else:
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-review-"))
        workdir.mkdir(parents=True, exist_ok=True)
        url, truth = prepare(workdir, args.persons, args.seed)
        scale = f"{args.persons:,} simulated persons (seed {args.seed}, realistic profile)"
    oracle = Oracle(url, truth)
    base_clusters = oracle.cluster_of()
    base = oracle.wrong_persons(base_clusters)
    drift = int((base_clusters.groupby(oracle.stored.reindex(base_clusters.index).to_numpy()).nunique() > 1).sum())
    queue = oracle.pairs[oracle.pairs["in_review"] == 1]
    queue = queue.assign(before=previous_priority(queue, base_clusters).to_numpy())
    ours = queue.sort_values(["review_priority", "unique_id_l"], ascending=[False, True], kind="stable")
    theirs = queue.sort_values(["before", "unique_id_l"], ascending=[False, True], kind="stable")
    wrong_pairs = int((oracle.truth.reindex(queue["unique_id_l"]).to_numpy()
                       == oracle.truth.reindex(queue["unique_id_r"]).to_numpy()).sum())
    results = [measure(oracle, ours, "by persons put right (now)", print),
               measure(oracle, theirs, "uncertainty x records moved (before)", print)]
    rows = ["| queue order | put right by the first 25 / 50 / 100 / 250 / 1,000 decisions | decisions to put right half the "
            "wrong persons | decisions to put right half of what the queue can | put right by the whole queue |",
            "|---|---|---|---|---|"]
    for r in results:
        half = f"{r['half']:,}" if r["half"] is not None else "not reached (the queue cannot put right half)"
        reachable = f"{r['half_reachable']:,}" if r["half_reachable"] is not None else "n/a"
        tops = " / ".join(f"{value:,}" for value in r["tops"].values())  # type: ignore[attr-defined]
        rows.append(f"| {r['label']} | {tops} | {half} | {reachable} | {r['everything']:,} of {base:,} |")
    body = "\n".join([
        f"{scale}: {len(oracle.ids):,} records, {base:,} wrong persons (true persons not exactly one person) at "
        f"the threshold {oracle.threshold}; {len(queue):,} pairs in the queue, of which {wrong_pairs:,} are one "
        f"person. SIMULATED archive; the decisions are an oracle's (the simulation's truth), taken from the top "
        f"of the queue and applied as the next `kartoteka link` applies them (clustering of the run's scored "
        f"pairs). Persons clustered again without decisions differ from the stored ones in {drift:,} "
        f"person(s).", "", *rows, "",
        "As a rate, per 1,000 decisions from the top of the queue (now): "
        + ", ".join(f"{1000 * fixed / n:,.0f} over the first {n:,}"
                    for n, fixed in results[0]["tops"].items())  # type: ignore[attr-defined]
        + ". The wrong persons the whole queue cannot put right are not put right by any answer on its pairs.", "",
        "Target (issue 18, 7b): at least 500 errors put right per 1,000 decisions at the top of the queue. "
        f"{time.perf_counter() - started:.0f} s. Command: `.venv/bin/python bench/bench_review_queue.py "
        f"{' '.join(sys.argv[1:])}`."])
    print(body)
    if not args.no_write:
        write_section("review-queue", "Review queue: persons put right per decision (issue 18, 7b)", body)


if __name__ == "__main__":
    main()
