"""The portal under load: concurrent clients mixing searches in every script and person pages.

    .venv/bin/python bench/bench_portal_load.py --database sqlite:///demo-output/kartoteka.sqlite \\
        [--workers 2] [--clients 20] [--seconds 60] [--runs 3] [--reindex] [--api] [--url http://...] [--no-write]
    .venv/bin/python bench/bench_portal_load.py --persons 20000    # a store made for it (bench/out/, kept)

Without --database, a SQLite store of `--persons` simulated persons (SIMULATED) is simulated, imported and linked
into bench/out/portal-load-<persons>.sqlite, once (a later run reuses it).

Starts `kartoteka serve --workers N` on the store on a free port (or uses a server already running at --url),
draws the queries from the store itself (kanji, katakana and romaji names of its persons, the Cyrillic of its
cards and personal files as the clerks wrote them; half with the birth year, some with the prefecture too) and
the person ids of the current run, then runs `--clients` threads for `--seconds`, each sending one request after
another over a kept-alive connection (`--think S`: with a pause of S seconds on average): 70% searches (the four
scripts equally often), 30% person pages. Latency is the wall time from sending a request to reading its whole
body; an error is any status >= 400 or a failed connection. Reports p50/p95/p99 and errors per kind of request, medians of `--runs` runs (each after a short
warm-up; before it, one request of each kind is sent to each server process in turn, so that the run does not
measure the first loading of the name data). `--reindex` also times `kartoteka search --reindex` (once per run, before the load).

Targets (issue 16): p95 <= 100 ms, p99 <= 250 ms, 0 errors at full scale on SQLite and PostgreSQL; index build
<= 60 s. Writes the section "portal-load-<backend>" of BENCHMARKS.md. The portal mix turns the search rate limit
off (every client is 127.0.0.1 there).

`--mix review` (issue 18, 8: 50 clients, 0 errors, p99 <= 300 ms, no decision lost) works on a copy of the store
(PostgreSQL: CREATE DATABASE ... TEMPLATE; dropped after) and adds reviewers to the readers: `--reviewers` of the
`--clients` are accounts made by `kartoteka user add` that sign in through the login form, take the next pair of
their review queue and post a decision, and sign out and in again every `--session-seconds`; each client has an
address of its own (X-Forwarded-For, the server trusting the benchmark as its proxy), so the rate limits and the
lockout apply per client at the settings' limits; clients pause `--think` seconds (default 1) between requests.
After each run the decisions in the store are counted against those the clients were told succeeded; on
PostgreSQL the most connections the server held is reported. Writes "portal-load-review-<backend>"
(bench/_load_review.py).

    .venv/bin/python bench/bench_portal_load.py --mix review \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/kartoteka --workers 2 --runs 3

The clients run on the same machine as the server and take their share of its cores: the figures are an upper
bound of what a server alone would answer in.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load_review as review  # noqa: E402
from _report import median, write_section  # noqa: E402

SCRIPTS = ("kanji", "katakana", "romaji", "cyrillic")
PERSON = "person page"
SEARCH_SHARE = 0.7
TARGET_P95_MS, TARGET_P99_MS = 100.0, 250.0
CYRILLIC_KINDS = ("card", "personal_file")
REQUEST_TIMEOUT = 60.0  # seconds; a request that takes longer counts as an error


@dataclass
class Workload:
    """What the clients ask: queries per script (text, filters) and person ids, drawn from the store."""

    queries: dict[str, list[dict[str, str]]]
    person_ids: list[int]
    persons: int
    records: int
    backend: str


def draw_workload(database: str, sample: int, seed: int) -> Workload:
    """Queries in the four scripts and person ids, drawn at random from the store's own persons and records."""
    from sqlalchemy import func, select

    from kartoteka.linkage.tables import link_runs, persons
    from kartoteka.store import open_store
    from kartoteka.store.schema import records

    rng = random.Random(seed)
    store = open_store(database, create=False)
    try:
        with store.engine.connect() as conn:
            n_records = conn.execute(select(func.count()).select_from(records)).scalar_one()
            # the current run: the last that finished (as the search index and the pages take it)
            run_id = conn.execute(select(func.max(link_runs.c.id)).where(link_runs.c.status == "done")).scalar()
            n_persons = 0
            person_rows: list = []
            if run_id is not None:
                current = persons.c.run_id == run_id
                n_persons = conn.execute(select(func.count()).select_from(persons).where(current)).scalar_one()
                person_rows = list(conn.execute(
                    select(persons.c.id, persons.c.name_kanji, persons.c.name_kana, persons.c.name_romaji,
                           persons.c.birth_year, persons.c.prefecture)
                    .where(current).order_by(func.random()).limit(sample)))
            cards = list(conn.execute(
                select(records.c.surname, records.c.given_name, records.c.birth_year)
                .where(records.c.kind.in_(CYRILLIC_KINDS), records.c.surname.is_not(None))
                .order_by(func.random()).limit(sample)))
        backend = store.backend
    finally:
        store.close()
    if not person_rows:
        raise SystemExit("the store has no persons: run `kartoteka link` first (the load mixes in person pages)")

    queries: dict[str, list[dict[str, str]]] = {script: [] for script in SCRIPTS}
    columns = {"kanji": 1, "katakana": 2, "romaji": 3}
    for row in person_rows:
        for script, column in columns.items():
            if row[column]:
                queries[script].append(_with_filters({"q": row[column]}, row[4], row[5], rng))
    for surname, given, birth_year in cards:
        queries["cyrillic"].append(_with_filters({"q": f"{surname} {given or ''}".strip()}, birth_year, None, rng))
    empty = [script for script, drawn in queries.items() if not drawn]
    if empty:
        raise SystemExit(f"no names in {', '.join(empty)} in the store to query by")
    return Workload(queries, [int(row[0]) for row in person_rows], n_persons, n_records, backend)


def _with_filters(params: dict[str, str], birth_year: int | None, prefecture: str | None,
                  rng: random.Random) -> dict[str, str]:
    """Half the queries carry the birth year, a quarter also the prefecture, as a family may know them."""
    draw = rng.random()
    if birth_year and draw < 0.5:
        params["birth_year"] = str(birth_year)
        if prefecture and draw < 0.25:
            params["prefecture"] = prefecture
    return params


@dataclass
class Tally:
    """Latencies (seconds) and errors per kind of request, from every client of one run."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, latencies: dict[str, list[float]], errors: dict[str, int], samples: list[str]) -> None:
        with self.lock:
            for kind, values in latencies.items():
                self.latencies[kind].extend(values)
            for kind, count in errors.items():
                self.errors[kind] += count
            self.error_samples.extend(samples[: max(0, 5 - len(self.error_samples))])


def _request_plan(workload: Workload, rng: random.Random, api: bool) -> tuple[str, str]:
    """(kind, path) of the next request a client sends."""
    prefix = "/api/v1" if api else ""
    if rng.random() < SEARCH_SHARE:
        script = rng.choice(SCRIPTS)
        params = rng.choice(workload.queries[script])
        kind = f"search, {script}" + (" + filters" if len(params) > 1 else "")
        return kind, f"{prefix}/search?{urllib.parse.urlencode(params)}"
    return PERSON, f"{prefix}/persons/{rng.choice(workload.person_ids)}"


#: What a client asks next: (kind, path) from the workload, its random draw and whether the API is asked.
RequestPlan = Callable[[Workload, random.Random, bool], tuple[str, str]]


def _client(host: str, port: int, workload: Workload, seed: int, warmup_until: float, stop_at: float,
            api: bool, think: float, tally: Tally, plan: RequestPlan = _request_plan,
            address: str | None = None) -> None:
    """One anonymous reader; with `address`, sent as X-Forwarded-For (the client's own, through a proxy)."""
    rng = random.Random(seed)
    forwarded = {"X-Forwarded-For": address} if address else {}
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    samples: list[str] = []
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    while True:
        kind, path = plan(workload, rng, api)
        started = time.perf_counter()
        if started >= stop_at:
            break
        try:
            conn.request("GET", path, headers={"Accept-Language": rng.choice(["ja", "en", "ru"]), **forwarded})
            answer = conn.getresponse()
            answer.read()
            failed = answer.status >= 400
            if failed and len(samples) < 5:
                samples.append(f"{answer.status} {path[:120]}")
        except (OSError, http.client.HTTPException) as exc:
            failed = True
            if len(samples) < 5:
                samples.append(f"{type(exc).__name__}: {exc} {path[:120]}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - started
        if started >= warmup_until:
            latencies[kind].append(elapsed)
            if failed:
                errors[kind] += 1
        if think:
            time.sleep(rng.uniform(0, 2 * think))  # a reader's pause, think seconds on average
    conn.close()
    tally.merge(latencies, errors, samples)


def prime(url: str, workload: Workload, workers: int, api: bool) -> float:
    """Send one request of each kind, one after another, on fresh connections, `2 * workers` times, so that every
    server process has loaded its name data before the clients start. Returns the seconds it took."""
    parsed = urllib.parse.urlsplit(url)
    rng = random.Random(0)
    prefix = "/api/v1" if api else ""
    started = time.perf_counter()
    for _ in range(2 * workers):
        paths = [f"{prefix}/search?{urllib.parse.urlencode(rng.choice(workload.queries[script]))}"
                 for script in SCRIPTS] + [f"{prefix}/persons/{rng.choice(workload.person_ids)}"]
        for path in paths:
            conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port or 80, timeout=300)
            try:
                conn.request("GET", path)
                conn.getresponse().read()
            finally:
                conn.close()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by the nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def _tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, pending, seen = 0.0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def _sample_at(moment: float, read: Callable[[], float], into: list[float]) -> threading.Thread:
    """A thread that appends ``read()`` to ``into`` at the perf_counter ``moment``."""
    def sample() -> None:
        time.sleep(max(0.0, moment - time.perf_counter()))
        into.append(read())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    return thread


def run_load(url: str, workload: Workload, clients: int, seconds: float, warmup: float, seed: int,
             api: bool, think: float = 0.0, plan: RequestPlan = _request_plan,
             server_pid: int | None = None) -> dict[str, dict[str, float]]:
    """One run: `clients` threads for warm-up + `seconds`. Per kind (and "all"): count, p50/p95/p99 ms, errors.
    ``plan`` chooses each request (the portal's mix by default; bench_stats.py passes its own). Given the
    server's process id, "all" also carries the server's CPU milliseconds per answered request ("cpu_ms", its
    processes' user + system time over the measured seconds), the clients' own ("client_cpu_ms") and the
    machine's 1-minute load average at the end ("load")."""
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    tally = Tally()
    now = time.perf_counter()
    warmup_until, stop_at = now + warmup, now + warmup + seconds
    threads = [threading.Thread(target=_client, args=(host, port, workload, seed * 1000 + i, warmup_until,
                                                      stop_at, api, think, tally, plan)) for i in range(clients)]
    server_cpu: list[float] = []
    client_cpu: list[float] = []
    samplers = []
    if server_pid is not None:
        samplers = [_sample_at(moment, read, into) for moment in (warmup_until, stop_at)
                    for read, into in ((lambda: _tree_cpu_seconds(server_pid), server_cpu),
                                       (time.process_time, client_cpu))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for sampler in samplers:
        sampler.join()
    summary = summarise(tally, seconds)
    if "all" in summary and len(server_cpu) == 2 and len(client_cpu) == 2:
        answered = summary["all"]["count"]
        summary["all"]["cpu_ms"] = (server_cpu[1] - server_cpu[0]) / answered * 1000
        summary["all"]["client_cpu_ms"] = (client_cpu[1] - client_cpu[0]) / answered * 1000
        summary["all"]["load"] = os.getloadavg()[0]
    return summary


def summarise(tally: Tally, seconds: float) -> dict[str, dict[str, float]]:
    """Per kind (and "all"): count, requests/s, p50/p95/p99 ms, errors; the error samples printed."""
    for sample in tally.error_samples:
        print(f"  error: {sample}", file=sys.stderr)
    summary: dict[str, dict[str, float]] = {}
    every = [value for values in tally.latencies.values() for value in values]
    kinds = {**tally.latencies, "all": every}
    for kind, values in sorted(kinds.items()):
        if not values:
            continue
        summary[kind] = {
            "count": len(values), "rate": len(values) / seconds,
            "p50": percentile(values, 50) * 1000, "p95": percentile(values, 95) * 1000,
            "p99": percentile(values, 99) * 1000,
            "errors": sum(tally.errors.values()) if kind == "all" else tally.errors.get(kind, 0),
        }
    return summary


def run_review_load(url: str, workload: Workload, clients: int, reviewers: list[review.ReviewerPlan],
                    seconds: float, warmup: float, seed: int, think: float) -> tuple[dict[str, dict[str, float]],
                                                                                    review.Counts]:
    """One run of the review mix: `clients - len(reviewers)` anonymous readers (the portal's mix, each with its own
    address) and the reviewers, together for warm-up + `seconds`. Returns the summary and the reviewers' counts
    (how many decisions they were told succeeded)."""
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    tally, counts, lock = Tally(), review.Counts(), threading.Lock()
    now = time.perf_counter()
    warmup_until, stop_at = now + warmup, now + warmup + seconds
    readers = clients - len(reviewers)
    threads = [threading.Thread(target=_client, args=(host, port, workload, seed * 1000 + i, warmup_until, stop_at,
                                                      False, think, tally, _request_plan, review.reader_address(i)))
               for i in range(readers)]
    threads += [threading.Thread(target=review.reviewer_client, args=(host, port, plan, seed * 1000 + readers + i,
                                                                      warmup_until, stop_at, counts, lock))
                for i, plan in enumerate(reviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.merge(counts.latencies, counts.errors, counts.samples)
    return summarise(tally, seconds), counts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


NO_SEARCH_LIMIT = {"KARTOTEKA_SEARCH_RATE_LIMIT": "0"}  # the portal mix: every client is 127.0.0.1


def start_server(database: str, workers: int, log: Path, env: dict[str, str] | None = None,
                 flags: tuple[str, ...] = ()) -> tuple[str, subprocess.Popen[bytes]]:
    """`kartoteka serve` on a free port (`env`: settings for it, by default no search rate limit; `flags`: more
    flags of `serve`); returns its URL once it answers."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kartoteka", "--database", database, "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers), *flags], stdout=out, stderr=subprocess.STDOUT,
            cwd=ROOT, env={**os.environ, **(NO_SEARCH_LIMIT if env is None else env)})
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"kartoteka serve exited {process.returncode}; its log: {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return url, process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"kartoteka serve did not answer in 300 s; its log: {log}")


def make_store(persons: int, seed: int) -> str:
    """A linked SQLite store of `persons` simulated persons in bench/out/ (made once, then reused)."""
    out = ROOT / "bench" / "out"
    database = out / f"portal-load-{persons}.sqlite"
    if not database.exists():
        archive = out / f"portal-load-{persons}-archive"
        staging = database.with_suffix(".partial.sqlite")
        staging.unlink(missing_ok=True)
        url = f"sqlite:///{staging}"
        for args in (["simulate", str(archive), "--persons", str(persons), "--seed", str(seed), "--profile",
                      "realistic"], ["--database", url, "--quiet", "import", str(archive)],
                     ["--database", url, "link", "--runs-dir", str(out / f"portal-load-{persons}-runs")]):
            print("kartoteka " + " ".join(args), flush=True)
            subprocess.run([sys.executable, "-m", "kartoteka", *args], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
        staging.rename(database)  # only a finished store is reused
    return f"sqlite:///{database}"


def time_reindex(database: str) -> float:
    """Wall seconds of `kartoteka search --reindex` (a fresh process, as an operator runs it)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kartoteka", "--database", database, "--quiet", "search", "--reindex"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def medians(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Per kind and figure, the median over the runs (errors: the sum over the runs)."""
    kinds = sorted({kind for run in runs for kind in run}, key=lambda k: (k == "all", k))
    out: dict[str, dict[str, float]] = {}
    for kind in kinds:
        present = [run[kind] for run in runs if kind in run]
        out[kind] = {figure: median([r[figure] for r in present]) for figure in ("count", "rate", "p50", "p95", "p99")}
        out[kind]["errors"] = sum(r["errors"] for r in present)
        for figure in ("cpu_ms", "client_cpu_ms", "load"):
            if all(figure in r for r in present):
                out[kind][figure] = median([r[figure] for r in present])
    return out


def targets_met(result: dict[str, dict[str, float]], p95: float | None = TARGET_P95_MS,
                p99: float = TARGET_P99_MS) -> bool:
    """The targets over all requests: p95 (unless None) and p99 within bounds and no error (by default the
    portal's, issue 16)."""
    overall = result["all"]
    return (p95 is None or overall["p95"] <= p95) and overall["p99"] <= p99 and overall["errors"] == 0


def latency_table(result: dict[str, dict[str, float]]) -> list[str]:
    """The Markdown table of requests/s and percentiles per kind of request (the medians of the runs)."""
    lines = ["| request | requests/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
    for kind, figures in result.items():
        name = "**all**" if kind == "all" else kind
        lines.append(f"| {name} | {figures['rate']:.1f} | {figures['p50']:.1f} | {figures['p95']:.1f} | "
                     f"{figures['p99']:.1f} | {figures['errors']:.0f} |")
    return lines


def report(args: argparse.Namespace, workload: Workload, result: dict[str, dict[str, float]],
           reindex: list[float]) -> str:
    met = targets_met(result)
    lines = [
        f"`bench/bench_portal_load.py --database <{workload.backend}> --workers {args.workers} --clients "
        f"{args.clients} --seconds {args.seconds:g} --runs {args.runs}{' --api' if args.api else ''}"
        f"{f' --think {args.think:g}' if args.think else ''}`: "
        f"{workload.persons:,} persons, {workload.records:,} records ({workload.backend}); "
        f"{args.clients} clients on the same machine"
        f"{f' (each pausing {args.think:g} s on average between requests)' if args.think else ', each sending its next request as soon as the last is answered'}, "
        f"{SEARCH_SHARE:.0%} searches (kanji, katakana, romaji, "
        f"Cyrillic equally often; half with the birth year, a quarter also with the prefecture) and "
        f"{1 - SEARCH_SHARE:.0%} person pages, {'API answers' if args.api else 'HTML pages'}; "
        f"{args.seconds:g} s per run after {args.warmup:g} s of warm-up. Medians of {args.runs} runs "
        f"(errors: summed over the runs).",
        "",
        *latency_table(result),
    ]
    overall = result["all"]
    if "cpu_ms" in overall:
        lines += ["", f"Server CPU per answered request: {overall['cpu_ms']:.1f} ms (its processes' user + system "
                      f"time over the measured seconds; the clients took {overall['client_cpu_ms']:.1f} ms a "
                      f"request more); 1-minute load average at the end: {overall['load']:.1f}."]
    lines += ["", f"Targets (p95 <= {TARGET_P95_MS:.0f} ms, p99 <= {TARGET_P99_MS:.0f} ms, 0 errors): "
                  f"{'met' if met else 'NOT met'}."]
    if reindex:
        lines.append(f"Index build (`kartoteka search --reindex`, a fresh process): {median(reindex):.1f} s "
                     f"(median of {len(reindex)}: {', '.join(f'{s:.1f}' for s in reindex)}; target <= 60 s).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="the store (SQLite or PostgreSQL URL), linked")
    parser.add_argument("--persons", type=int, default=20_000,
                        help="without --database: simulate this many persons into a store of its own")
    parser.add_argument("--url", help="a server already running on that store (else one is started)")
    parser.add_argument("--workers", type=int, default=2, help="`kartoteka serve --workers`")
    parser.add_argument("--mix", choices=("portal", "review"), default="portal",
                        help="portal: searches and person pages (issue 16); review: also reviewers who sign in and "
                             "decide pairs, on a copy of the store (issue 18, 8)")
    parser.add_argument("--clients", type=int, help="concurrent clients (default 20; --mix review 50)")
    parser.add_argument("--reviewers", type=int, default=10, help="--mix review: how many of the clients review")
    parser.add_argument("--session-seconds", type=float, default=15.0,
                        help="--mix review: a reviewer signs out and in again after this many seconds")
    parser.add_argument("--keep-copy", action="store_true", help="--mix review: keep the copy of the store")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load not counted, before the run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000, help="persons and cards to draw queries from")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--think", type=float,
                        help="mean seconds a client pauses between requests (default 0: one after another; "
                             "--mix review 1, as readers and reviewers do)")
    parser.add_argument("--api", action="store_true", help="the JSON API instead of the HTML pages")
    parser.add_argument("--reindex", action="store_true", help="also time `kartoteka search --reindex`")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    review_mix = args.mix == "review"
    args.clients = args.clients if args.clients is not None else (50 if review_mix else 20)
    args.think = args.think if args.think is not None else (1.0 if review_mix else 0.0)
    if args.database is None:
        args.database = make_store(args.persons, args.seed)
    if review_mix:
        review.main(args, sys.modules[__name__])
        return

    workload = draw_workload(args.database, args.sample, args.seed)
    print(f"{workload.backend}: {workload.persons:,} persons, {workload.records:,} records; "
          + ", ".join(f"{len(q)} {script} queries" for script, q in workload.queries.items()))
    reindex: list[float] = []
    runs: list[dict[str, dict[str, float]]] = []
    for number in range(1, args.runs + 1):
        if args.reindex:
            reindex.append(time_reindex(args.database))
            print(f"run {number}: reindex {reindex[-1]:.1f} s")
        process = None
        url = args.url
        if url is None:
            url, process = start_server(args.database, args.workers, Path(f"/tmp/bench_portal_serve_{number}.log"))
        try:
            print(f"run {number}: primed the server in {prime(url, workload, args.workers, args.api):.1f} s")
            runs.append(run_load(url, workload, args.clients, args.seconds, args.warmup, args.seed + number,
                                 args.api, args.think, server_pid=process.pid if process is not None else None))
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        if "all" not in runs[-1]:
            raise SystemExit(f"run {number}: no request was answered after the warm-up")
        overall = runs[-1]["all"]
        cpu = (f", server CPU {overall['cpu_ms']:.1f} ms a request, load {overall['load']:.1f}"
               if "cpu_ms" in overall else "")
        print(f"run {number}: {overall['count']:.0f} requests, p50 {overall['p50']:.1f} ms, p95 "
              f"{overall['p95']:.1f} ms, p99 {overall['p99']:.1f} ms, {overall['errors']:.0f} errors{cpu}")
    body = report(args, workload, medians(runs), reindex)
    print(body)
    if not args.no_write:
        scale = f"{workload.persons:,} persons"
        write_section(f"portal-load-{workload.backend}", f"Portal under load ({workload.backend}, {scale})", body)


if __name__ == "__main__":
    main()
