"""What lasting person ids add to the write of a link run (issue 16), on SQLite; medians of several runs.

    .venv/bin/python bench/bench_person_ids.py [--records 2300000] [--runs 3]

A store of SIMULATED card records (bench_store_stages.make_store) gets a first run's persons (4 records each);
then each measured run writes persons where 1% of the records moved to another cluster (merges and splits),
so the previous run's memberships are read, the ids assigned (person_ids.assign_ids) and redirects written.
The added cost is the read of the old memberships plus the assignment (timed apart); the whole write is timed
too. Results go to the "person-ids" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section
from bench_store_stages import make_store


def _frames(count: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cluster = np.arange(count) // 4
    if seed:  # 1% of the records move to a random other cluster
        moved = rng.choice(count, size=count // 100, replace=False)
        cluster[moved] = rng.integers(0, count // 4, size=len(moved))
    labels = np.unique(cluster)
    persons = pd.DataFrame({"name_cyrillic": "Танака Итиро", "birth_year": 1920, "fate": "unknown",
                            "record_count": 4, "camps_json": '["7"]'}, index=pd.Index(labels, name="cluster"))
    members = pd.DataFrame({"record_id": np.arange(1, count + 1), "cluster": cluster, "match_probability": 0.97})
    left = np.arange(1, count + 1)
    pairs = pd.DataFrame({"record_id_l": left, "record_id_r": left + 1, "match_weight": 3.5, "match_probability": 0.9,
                          "in_review": (left % 20 == 0).astype(int), "review_priority": 0.5, "weights_json": None})
    return persons, members, pairs


def measure(path: Path, count: int, seed: int) -> dict[str, float]:
    from kartoteka.linkage import person_ids, runs
    from kartoteka.store import open_store

    store = open_store(f"sqlite:///{path}")
    persons, members, pairs = _frames(count, seed)
    started = time.perf_counter()
    old = runs._old_memberships(store)
    read = time.perf_counter() - started
    slot = pd.Series(np.arange(len(persons)), index=persons.index)
    started = time.perf_counter()
    assignment = person_ids.assign_ids(old, pd.Series(members["cluster"].map(slot).to_numpy(),
                                                      index=members["record_id"]), len(persons), 0)
    assign = time.perf_counter() - started
    run_id = runs.start_run(store, "duckdb")
    started = time.perf_counter()
    runs.write_run(store, run_id, persons, members, pairs, {})
    write = time.perf_counter() - started
    store.close()
    return {"read": read, "assign": assign, "write": write, "kept": assignment.kept,
            "redirects": len(assignment.redirects), "persons": len(persons)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-report", action="store_true", help="print only, leave BENCHMARKS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kt-bench-ids-") as tmp:
        path = Path(tmp) / "bench.sqlite"
        make_store(path, args.records)
        first = measure(path, args.records, 0)
        print("first run (no previous persons):", first, flush=True)
        figures = [measure(path, args.records, seed) for seed in range(1, args.runs + 1)]
        for figure in figures:
            print(figure, flush=True)
    med = {key: median([f[key] for f in figures]) for key in ("read", "assign", "write")}
    if args.no_report:
        return
    write_section("person-ids", "Lasting person ids: the added cost in a link run's write (issue 16)", f"""
{args.records:,} SIMULATED card records, {args.records // 4:,} persons; each measured run moves 1% of the records
to another cluster ({figures[0]['redirects']:,} redirects, {figures[0]['kept']:,} ids kept of
{figures[0]['persons']:,}). Median of {args.runs} (seconds). `bench/bench_person_ids.py --records {args.records}`.

| step | median s |
|---|---|
| read the previous run's memberships (one query, ADBC) | {med['read']:.2f} |
| assign the ids (numpy/pandas) | {med['assign']:.2f} |
| added in all | {med['read'] + med['assign']:.2f} ({100 * (med['read'] + med['assign']) / med['write']:.0f}% of the write) |
| the whole write of the run (ids, persons, memberships, pairs, redirects) | {med['write']:.2f} |
| the first run's write (no previous persons) | {first['write']:.2f} |
""")


if __name__ == "__main__":
    main()
