"""The reviewers' side of `bench_portal_load.py --mix review` (issue 18, 8): accounts, browsers, decisions counted.

Each reviewer is a real account made with `kartoteka user add NAME --role reviewer --password-stdin` (the store's
first account, if it has none, is an admin made the same way, since a store's first account must be one). A
reviewer client behaves as a browser without JavaScript: it keeps its cookies, reads the CSRF token from the
forms, sends Origin with its form posts, and signs in at /login (GET the form, POST it); then it takes the first
pair of its review queue (/review), opens the pair (/review/pairs/L/R), pauses as a reader does, posts an answer
(/review/decide, answered 303 with the next pair), opens that pair, and so on; every `session_seconds` it signs
out (/logout) and in again. Its answer on a pair is drawn from the pair's ids (same or not the same), so that two
reviewers who take the same pair give the same answer and neither is refused as a conflict: the answers are
arbitrary, which is why the benchmark works on a copy of the store (`scratch_copy`).

Every client sends X-Forwarded-For with an address of its own (TEST-NET ranges), as a reverse proxy does; the
server started by the benchmark trusts the benchmark's address as a proxy (`--forwarded-allow-ips 127.0.0.1`), so
the rate limits and the lockout count per client, at the limits the settings give.

No decision lost: `told` counts the decisions whose post was answered 303 (warm-up included), and
`count_decisions` counts the decisions of the benchmark's reviewers in the store after the run.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PAIR = re.compile(r'href="/review/pairs/(\d+)/(\d+)"')
NEXT_PAIR = re.compile(r"/review/pairs/(\d+)/(\d+)$")
REVIEW_KINDS = ("login form", "login", "review queue", "review pair", "decision", "logout")
REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Reviewers:
    """The benchmark's reviewer accounts (one password for all: they are throwaway accounts on a copy)."""

    names: list[str]
    password: str


def add_reviewers(database: str, count: int, root: Path) -> Reviewers:
    """`count` reviewer accounts made through `kartoteka user add` (an admin first if the store has none)."""
    tag = secrets.token_hex(3)
    password = secrets.token_urlsafe(18)
    names = [f"load-{tag}-r{number:02d}" for number in range(1, count + 1)]
    listed = _kartoteka(root, database, "user", "list", "--json")
    if '"users": []' in listed:
        _kartoteka(root, database, "user", "add", f"load-{tag}-admin", "--role", "admin", "--no-password")
    for name in names:
        _kartoteka(root, database, "user", "add", name, "--role", "reviewer", "--password-stdin", stdin=password)
    return Reviewers(names, password)


def _kartoteka(root: Path, database: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "kartoteka", "--database", database, *args], cwd=root,
                          input=(stdin + "\n") if stdin is not None else None, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kartoteka {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def count_decisions(database: str, reviewers: list[str]) -> int:
    """The decisions of these reviewers in the store (undone ones too: each was told it succeeded once)."""
    from sqlalchemy import func, select

    from kartoteka.linkage.tables import decisions
    from kartoteka.store import open_store

    store = open_store(database, create=False)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)
                                    .where(decisions.c.reviewer.in_(reviewers))).scalar_one())
    finally:
        store.close()


@contextlib.contextmanager
def scratch_copy(database: str, keep: bool = False) -> Iterator[str]:
    """A copy of the store for the decisions of the benchmark (PostgreSQL: CREATE DATABASE ... TEMPLATE, which
    needs no other session on the store; SQLite: the backup API), removed afterwards unless `keep`."""
    from sqlalchemy.engine import make_url

    url = make_url(database)
    if url.get_backend_name() == "sqlite":
        import sqlite3

        source = Path(url.database or "")
        copy = source.with_name(f"{source.stem}-load{source.suffix}")
        copy.unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        try:
            yield f"sqlite:///{copy}"
        finally:
            if not keep:
                for path in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
                    path.unlink(missing_ok=True)
        return
    import psycopg

    name = f"{url.database}_load"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        try:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
        except psycopg.errors.ObjectInUse as exc:
            raise SystemExit(f"cannot copy {url.database}: other sessions use it ({exc}); stop them, or serve "
                             "nothing on it while the benchmark copies it") from exc
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ConnectionWatch:
    """The most client connections to a PostgreSQL database seen in pg_stat_activity (autovacuum's workers, which
    visit a database its writes made due, left out), sampled every `every` seconds."""

    def __init__(self, database: str, every: float = 0.25) -> None:
        from sqlalchemy.engine import make_url

        url = make_url(database)
        self.most = 0
        self._name = url.database
        self._admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            while not self._stop.is_set():
                row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = "
                                   "'client backend'", (self._name,))  # not autovacuum's workers
                self.most = max(self.most, int(row.fetchone()[0]))  # type: ignore[index]
                self._stop.wait(self._every)

    def __enter__(self) -> ConnectionWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@dataclass
class Counts:
    """What the clients of one run saw: latencies and errors per kind after the warm-up, and every decision
    whose post was answered 303 (warm-up included, as the store counts them all)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    told: int = 0
    empty_queue: int = 0


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One reviewer's kept-alive connection, cookies and address; each request timed and judged."""

    def __init__(self, host: str, port: int, address: str, counts: Counts, warmup_until: float) -> None:
        self.host, self.port, self.address = host, port, address
        self.cookies: dict[str, str] = {}
        self.counts, self.warmup_until = counts, warmup_until
        self.conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)

    def send(self, kind: str, method: str, path: str, form: dict[str, Any] | None = None,
             expect: int = 200) -> Answer | None:
        """The answer, or None when it failed (a status other than `expect`, or no answer)."""
        headers = {"X-Forwarded-For": self.address, "Accept-Language": "ja"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.host}:{self.port}"
        started = time.perf_counter()
        answer: Answer | None = None
        problem = ""
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            answer = Answer(response.status, response.headers.get("Location", ""), text)
            if response.status != expect:
                problem = f"{response.status} {method} {path[:100]}"
        except (OSError, http.client.HTTPException) as exc:
            problem = f"{type(exc).__name__}: {exc} {method} {path[:100]}"
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - started
        if started >= self.warmup_until:
            self.counts.latencies[kind].append(elapsed)
            if problem:
                self.counts.errors[kind] += 1
        if problem and len(self.counts.samples) < 5:
            self.counts.samples.append(problem)
        return None if problem else answer

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        self.conn.close()


def answer_for(left: int, right: int) -> str:
    """The answer every reviewer gives on this pair (drawn from its ids: the same for all, so never a conflict)."""
    return "same" if random.Random(left * 1_000_003 + right).random() < 0.5 else "not_same"


def _token(text: str) -> str:
    found = TOKEN.search(text)
    return found.group(1) if found else ""


@dataclass
class ReviewerPlan:
    """One reviewer client's part: its account, its address and how it paces itself."""

    name: str
    password: str
    address: str
    think: float
    session_seconds: float


def reviewer_client(host: str, port: int, plan: ReviewerPlan, seed: int, warmup_until: float, stop_at: float,
                    counts: Counts, lock: threading.Lock) -> None:
    """Sign in, decide pair after pair from the review queue, sign out and in again every session_seconds."""
    rng = random.Random(seed)
    local = Counts()
    browser = Browser(host, port, plan.address, local, warmup_until)

    def pause() -> None:
        if plan.think:
            time.sleep(min(rng.uniform(0, 2 * plan.think), max(0.0, stop_at - time.perf_counter())))

    signed_at: float | None = None
    token = ""
    pair: tuple[int, int] | None = None
    while time.perf_counter() < stop_at:
        if signed_at is None:
            form = browser.send("login form", "GET", "/login?next=/review")
            signed = form and browser.send("login", "POST", "/login", {
                "name": plan.name, "password": plan.password, "csrf_token": _token(form.body), "next": "/review"},
                expect=303)
            if not signed:
                pause()
                continue
            signed_at, token, pair = time.perf_counter(), "", None
        elif time.perf_counter() - signed_at > plan.session_seconds and token:
            browser.send("logout", "POST", "/logout", {"csrf_token": token}, expect=303)
            browser.cookies.pop("kt_session", None)
            signed_at = None
            continue
        if pair is None:
            queue = browser.send("review queue", "GET", "/review")
            found = PAIR.search(queue.body) if queue else None
            if queue and not found:
                local.empty_queue += 1
            if not found:
                pause()
                continue
            token = _token(queue.body) or token  # type: ignore[union-attr]
            pair = (int(found.group(1)), int(found.group(2)))
        shown = browser.send("review pair", "GET", f"/review/pairs/{pair[0]}/{pair[1]}")
        if shown is None:
            pair = None
            pause()
            continue
        token = _token(shown.body) or token
        pause()  # reading the two records
        decided = browser.send("decision", "POST", "/review/decide", {
            "left": pair[0], "right": pair[1], "answer": answer_for(*pair), "csrf_token": token}, expect=303)
        if decided is not None:
            local.told += 1
            following = NEXT_PAIR.search(decided.location)
            pair = (int(following.group(1)), int(following.group(2))) if following else None
        else:
            pair = None
    browser.close()
    with lock:
        for kind, values in local.latencies.items():
            counts.latencies[kind].extend(values)
        for kind, number in local.errors.items():
            counts.errors[kind] += number
        counts.samples.extend(local.samples[: max(0, 5 - len(counts.samples))])
        counts.told += local.told
        counts.empty_queue += local.empty_queue


def reader_address(number: int) -> str:
    """The address of anonymous client `number` (TEST-NET-2, 198.51.100.0/24, then further /24s)."""
    return f"198.51.{100 + number // 250}.{number % 250 + 1}"


def reviewer_address(number: int) -> str:
    """The address of reviewer `number` (TEST-NET-3, 203.0.113.0/24)."""
    return f"203.0.113.{number % 250 + 1}"


TARGET_P99_MS = 300.0  # issue 18, 8: 0 errors, p99 <= 300 ms, no decision lost


@dataclass
class RunResult:
    summary: dict[str, dict[str, float]]
    told: int
    stored: int
    connections: int | None
    empty_queue: int


def main(args: Any, load: Any) -> None:
    """The review mix (`--mix review`): accounts, `--runs` runs on a copy of the store, the report."""
    from kartoteka.core.settings import load_settings

    if args.url:
        raise SystemExit("--mix review starts its own server on a copy of the store: leave out --url")
    if not 0 < args.reviewers < args.clients:
        raise SystemExit(f"--reviewers must be between 1 and {args.clients - 1} (the rest are anonymous)")
    settings = load_settings(None)  # the server is started with this environment: the same settings
    with scratch_copy(args.database, keep=args.keep_copy) as copy:
        workload = load.draw_workload(copy, args.sample, args.seed)
        print(f"{workload.backend} (a copy of the store: {copy.rsplit('/', 1)[-1]}): {workload.persons:,} persons, "
              f"{workload.records:,} records")
        accounts = add_reviewers(copy, args.reviewers, load.ROOT)
        plans = [ReviewerPlan(name, accounts.password, reviewer_address(i), args.think, args.session_seconds)
                 for i, name in enumerate(accounts.names)]
        runs = [_one_run(args, load, copy, workload, plans, number) for number in range(1, args.runs + 1)]
    body = report(args, load, workload, runs, settings)
    print(body)
    if not args.no_write:
        load.write_section(f"portal-load-review-{workload.backend}",
                           f"Portal under load with reviewers ({workload.backend}, {workload.persons:,} persons)",
                           body)


def _one_run(args: Any, load: Any, copy: str, workload: Any, plans: list[ReviewerPlan], number: int) -> RunResult:
    before = count_decisions(copy, [plan.name for plan in plans])
    url, process = load.start_server(copy, args.workers, Path(f"/tmp/bench_portal_review_serve_{number}.log"),
                                     env={}, flags=("--forwarded-allow-ips", "127.0.0.1"))
    watch = ConnectionWatch(copy) if workload.backend == "postgresql" else None
    try:
        print(f"run {number}: primed the server in {load.prime(url, workload, args.workers, False):.1f} s")
        with watch or contextlib.nullcontext():
            summary, counts = load.run_review_load(url, workload, args.clients, plans, args.seconds, args.warmup,
                                                   args.seed + number, args.think)
    finally:
        process.terminate()
        process.wait(timeout=30)
    stored = count_decisions(copy, [plan.name for plan in plans]) - before
    if "all" not in summary:
        raise SystemExit(f"run {number}: no request was answered after the warm-up")
    overall = summary["all"]
    print(f"run {number}: {overall['count']:.0f} requests, p50 {overall['p50']:.1f} ms, p95 {overall['p95']:.1f} "
          f"ms, p99 {overall['p99']:.1f} ms, {overall['errors']:.0f} errors; decisions told {counts.told}, "
          f"stored {stored}" + (f"; at most {watch.most} PostgreSQL connections" if watch else ""))
    return RunResult(summary, counts.told, stored, watch.most if watch else None, counts.empty_queue)


def _verdict(told: int, stored: int) -> str:
    if told == stored:
        return "none lost"
    if told > stored:
        return f"{told - stored:,} LOST"
    return (f"none lost, and {stored - told:,} stored whose answer did not reach the client (counted as errors "
            "above)")


def report(args: Any, load: Any, workload: Any, runs: list[RunResult], settings: Any) -> str:
    """The section of BENCHMARKS.md: what ran, the latency table (medians of the runs), the targets' verdict,
    the decisions told and stored, the connections the server held."""
    result = load.medians([run.summary for run in runs])
    told, stored = sum(run.told for run in runs), sum(run.stored for run in runs)
    lost = told > stored
    met = load.targets_met(result, p95=None, p99=TARGET_P99_MS) and not lost
    readers = args.clients - args.reviewers
    limits = (f"search {settings.search_rate_limit or 'no limit'} and sign-in {settings.login_rate_limit or 'no limit'}"
              " a minute per address and server process")
    lines = [
        f"`bench/bench_portal_load.py --mix review --database <{workload.backend}> --workers {args.workers} "
        f"--clients {args.clients} --reviewers {args.reviewers} --seconds {args.seconds:g} --runs {args.runs} "
        f"--think {args.think:g} --session-seconds {args.session_seconds:g}`: {workload.persons:,} persons, "
        f"{workload.records:,} records ({workload.backend}; the runs decide on a copy of the store, dropped after). "
        f"{args.clients} clients on the same machine, each with an address of its own (X-Forwarded-For through "
        f"the benchmark as a trusted proxy, `serve --forwarded-allow-ips 127.0.0.1`), each pausing "
        f"{args.think:g} s on average between requests: {readers} anonymous readers ({load.SEARCH_SHARE:.0%} "
        f"searches in the four scripts, {1 - load.SEARCH_SHARE:.0%} person pages, HTML) and {args.reviewers} "
        f"reviewers, each with an account of its own (`kartoteka user add --role reviewer`), signing in through "
        f"the login form (CSRF token, session cookie), taking the first pair of its review queue, opening it and "
        f"posting an answer (same / not the same), then the next pair; signing out and in again every "
        f"{args.session_seconds:g} s. Rate limits at the settings: {limits}; connection pool per server process "
        f"{settings.pool_size} + {settings.pool_overflow}. {args.seconds:g} s per run after {args.warmup:g} s of "
        f"warm-up; " + ("one run." if args.runs == 1 else f"medians of {args.runs} runs (errors: summed over the runs)."),
        "",
        *load.latency_table(result),
        "",
        f"Targets (issue 18, 8: 0 errors, p99 <= {TARGET_P99_MS:.0f} ms over all requests, no decision lost): "
        f"{'met' if met else 'NOT met'}.",
        f"Decisions: the reviewers were told {told:,} succeeded (a 303 answer, warm-up included); the store holds "
        f"{stored:,} decisions of theirs after the runs (per run: "
        f"{', '.join(f'{run.told}/{run.stored}' for run in runs)}): "
        f"{_verdict(told, stored)}.",
    ]
    held = [run.connections for run in runs if run.connections is not None]
    if held:
        lines.append(f"PostgreSQL connections held by the server (pg_stat_activity, sampled every 0.25 s): at most "
                     f"{max(held)}; its budget {args.workers} workers x "
                     f"{settings.pool_size + settings.pool_overflow} = "
                     f"{args.workers * (settings.pool_size + settings.pool_overflow)}.")
    empty = sum(run.empty_queue for run in runs)
    if empty:
        lines.append(f"The review queue was empty {empty} times when a reviewer asked for it.")
    return "\n".join(lines)
