"""The map and the numbers under load (issue 17, section 7): /map pages and /api/v1/stats at 20 concurrent clients.

    .venv/bin/python bench/bench_map.py --database URL [--workers 2] [--clients 20] [--seconds 30] [--runs 3]
    .venv/bin/python bench/bench_map.py --persons 20000     # the portal benchmark's store (bench/out/, kept)

Uses the load driver of bench_portal_load.py with this mix: half `/map` pages (ja, en or ru; half of them with a
year between 1945 and 1956, which filters the camps in use), a quarter `/api/v1/camps?year=` (what the page's
script asks for) and a quarter `/api/v1/stats`. Each worker answers one of each first, unmeasured (the camps'
counts and the figures are made once per process and run). Writes the section "map-<backend>" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_portal_load as load
from _report import write_section
from bench_stats import LANGUAGES, store_facts

PAGE, CAMPS, STATS = "GET /map (page)", "GET /api/v1/camps", "GET /api/v1/stats"
YEARS = range(1945, 1957)


def map_plan(workload: load.Workload, rng: random.Random, api: bool) -> tuple[str, str]:
    del workload, api
    draw = rng.random()
    if draw < 0.5:
        year = f"&year={rng.choice(YEARS)}" if rng.random() < 0.5 else ""
        return PAGE, f"/map?lang={rng.choice(LANGUAGES)}{year}"
    if draw < 0.75:
        return CAMPS, f"/api/v1/camps?year={rng.choice(YEARS)}"
    return STATS, "/api/v1/stats"


def _warm(url: str, workers: int) -> None:
    import urllib.request

    for _ in range(3 * workers):
        for path in ("/map", "/api/v1/camps", "/api/v1/stats"):
            with urllib.request.urlopen(url + path, timeout=600) as answer:
                answer.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="the store (SQLite or PostgreSQL URL), linked")
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.database is None:
        args.database = load.make_store(args.persons, 16)
    runs = []
    for number in range(1, args.runs + 1):
        workload, _ = store_facts(args.database)
        url, process = load.start_server(args.database, args.workers, Path(f"/tmp/bench_map_serve_{number}.log"))
        try:
            _warm(url, args.workers)
            runs.append(load.run_load(url, workload, args.clients, args.seconds, args.warmup, args.seed + number,
                                      api=False, plan=map_plan))
        finally:
            process.terminate()
            process.wait(timeout=30)
        overall = runs[-1]["all"]
        print(f"run {number}: {overall['count']:.0f} requests, p50 {overall['p50']:.1f} ms, p95 {overall['p95']:.1f} "
              f"ms, p99 {overall['p99']:.1f} ms, {overall['errors']:.0f} errors")
    result = load.medians(runs)
    met = load.targets_met(result)
    lines = [
        f"`bench/bench_map.py --database <{workload.backend}> --workers {args.workers} --clients {args.clients} "
        f"--seconds {args.seconds:g} --runs {args.runs}`: {workload.persons:,} persons, {workload.records:,} records "
        f"({workload.backend}, SIMULATED); {args.clients} clients on the same machine, each sending its next request "
        f"as soon as the last is answered: half `/map` pages (ja, en, ru; half with a year), a quarter "
        f"`/api/v1/camps?year=`, a quarter `/api/v1/stats`; {args.seconds:g} s per run after {args.warmup:g} s of "
        f"warm-up. Medians of {args.runs} runs (errors: summed).",
        "",
        *load.latency_table(result),
        "",
        f"Targets (the portal's: p95 <= {load.TARGET_P95_MS:.0f} ms, p99 <= {load.TARGET_P99_MS:.0f} ms, 0 errors): "
        f"{'met' if met else 'NOT met'}.",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section(f"map-{workload.backend}", f"The map and the numbers under load ({workload.backend}, "
                                                 f"{workload.persons:,} persons)", body)


if __name__ == "__main__":
    main()
