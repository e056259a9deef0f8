"""The numbers under load: /api/v1/stats and the statistics page (/stats) at 20 concurrent clients.

    .venv/bin/python bench/bench_stats.py --persons 20000          # the portal benchmark's store (bench/out/, kept)
    .venv/bin/python bench/bench_stats.py --database URL [--workers 2] [--clients 20] [--seconds 30] [--runs 3]

Uses the load driver of bench_portal_load.py (its store, server, clients and percentiles) with this request mix:
half `/api/v1/stats`, half `/stats` pages (the clients ask in Japanese, English and Russian in turn). Before the
load it times what the first reader after a `kartoteka link` waits for: the figures computed from the store
(``stats.service.compute``, in this process), and on a fresh server whose kept figures were removed, the first
`/api/v1/stats` (computed, then kept per run in the process and in the store's meta table) and the first page in
each language (its four charts drawn). The load then measures the cached answers: the figures are made once per
run and review state, never per request. Writes the section "stats-<backend>" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_portal_load as load
from _report import median, write_section

API, PAGE = "GET /api/v1/stats", "GET /stats (page)"
LANGUAGES = ("ja", "en", "ru")


def stats_plan(workload: load.Workload, rng: random.Random, api: bool) -> tuple[str, str]:
    """Half the API answer, half the page (in a language chosen at random)."""
    del workload, api
    if rng.random() < 0.5:
        return API, "/api/v1/stats"
    return PAGE, f"/stats?lang={rng.choice(LANGUAGES)}"


def store_facts(database: str) -> tuple[load.Workload, float]:
    """The store's size (as a Workload the driver carries) and the seconds `compute` takes on it; the kept
    figures are removed so that the server's first request computes them."""
    from sqlalchemy import delete, func, select

    from kartoteka.linkage.tables import persons
    from kartoteka.stats import service
    from kartoteka.store import meta, open_store, records

    store = open_store(database, create=False)
    try:
        with store.engine.begin() as conn:
            n_records = conn.execute(select(func.count()).select_from(records)).scalar_one()
            n_persons = conn.execute(select(func.count()).select_from(persons)).scalar_one()
            conn.execute(delete(meta).where(meta.c.key == service.CACHE_META_KEY))
        started = time.perf_counter()
        service.compute(store, service.current_run(store))
        seconds = time.perf_counter() - started
        backend = store.backend
    finally:
        store.close()
    return load.Workload({}, [], n_persons, n_records, backend), seconds


def first_requests(url: str) -> dict[str, float]:
    """Seconds of the first /api/v1/stats and of the first page in each language, one after another."""
    parsed = urllib.parse.urlsplit(url)
    timed: dict[str, float] = {}
    for name, path in [("api", "/api/v1/stats"), *((f"page {lang}", f"/stats?lang={lang}") for lang in LANGUAGES)]:
        conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port or 80, timeout=600)
        started = time.perf_counter()
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        timed[name] = time.perf_counter() - started
        conn.close()
        if answer.status != 200:
            raise SystemExit(f"{path}: {answer.status}")
    return timed


def report(args: argparse.Namespace, workload: load.Workload, compute: list[float], first: list[dict[str, float]],
           result: dict[str, dict[str, float]]) -> str:
    met = load.targets_met(result)
    firsts = {name: median([run[name] for run in first]) for name in first[0]}
    lines = [
        f"`bench/bench_stats.py --database <{workload.backend}> --workers {args.workers} --clients {args.clients} "
        f"--seconds {args.seconds:g} --runs {args.runs}`: {workload.persons:,} persons, {workload.records:,} records "
        f"({workload.backend}, SIMULATED); {args.clients} clients on the same machine, each sending its next request "
        f"as soon as the last is answered: half `/api/v1/stats`, half `/stats` pages (ja, en, ru); {args.seconds:g} s "
        f"per run after {args.warmup:g} s of warm-up. Medians of {args.runs} runs (errors: summed).",
        "",
        f"Once per run (what the first reader after a `kartoteka link` waits for, then kept per run and review "
        f"state): the figures computed from the store {median(compute):.1f} s (in-process `stats.service.compute`); "
        f"on a fresh server with no kept figures the first `/api/v1/stats` {firsts['api']:.1f} s, the first page "
        + ", ".join(f"{lang} {firsts[f'page {lang}']:.1f} s" for lang in LANGUAGES)
        + " (each language draws its four charts once).",
        "",
        *load.latency_table(result),
    ]
    lines += ["", f"Targets (the portal's: p95 <= {load.TARGET_P95_MS:.0f} ms, p99 <= {load.TARGET_P99_MS:.0f} ms, "
                  f"0 errors): {'met' if met else 'NOT met'}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="the store (SQLite or PostgreSQL URL), linked")
    parser.add_argument("--persons", type=int, default=20_000,
                        help="without --database: the portal benchmark's store of this many simulated persons")
    parser.add_argument("--workers", type=int, default=2, help="`kartoteka serve --workers`")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load not counted, before the run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    if args.database is None:
        args.database = load.make_store(args.persons, 16)
    compute: list[float] = []
    first: list[dict[str, float]] = []
    runs: list[dict[str, dict[str, float]]] = []
    for number in range(1, args.runs + 1):
        workload, seconds = store_facts(args.database)
        compute.append(seconds)
        url, process = load.start_server(args.database, args.workers, Path(f"/tmp/bench_stats_serve_{number}.log"))
        try:
            first.append(first_requests(url))
            # every worker process computes or reads the kept figures and draws its charts once, before the load
            for _ in range(2 * args.workers):
                first_requests(url)
            runs.append(load.run_load(url, workload, args.clients, args.seconds, args.warmup, args.seed + number,
                                      api=False, plan=stats_plan))
        finally:
            process.terminate()
            process.wait(timeout=30)
        overall = runs[-1]["all"]
        print(f"run {number}: compute {seconds:.1f} s, first answers "
              + ", ".join(f"{k} {v:.1f} s" for k, v in first[-1].items())
              + f"; {overall['count']:.0f} requests, p50 {overall['p50']:.1f} ms, p95 {overall['p95']:.1f} ms, "
                f"p99 {overall['p99']:.1f} ms, {overall['errors']:.0f} errors")
    body = report(args, workload, compute, first, load.medians(runs))
    print(body)
    if not args.no_write:
        write_section(f"stats-{workload.backend}", f"Statistics under load ({workload.backend}, "
                                                   f"{workload.persons:,} persons)", body)


if __name__ == "__main__":
    main()
