"""The portal load benchmark's accounting: percentiles by nearest rank, medians over runs, and the errors counted
per kind of request against a real HTTP server (a stdlib one that fails every person page)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_portal_load.py"


@cache
def bench() -> ModuleType:
    """bench/bench_portal_load.py as a module (bench/ is not a package)."""
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("bench_portal_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_percentiles_are_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert bench().percentile(values, 50) == 50.0
    assert bench().percentile(values, 95) == 95.0
    assert bench().percentile(values, 99) == 99.0
    assert bench().percentile([7.0], 99) == 7.0


def test_medians_take_the_middle_run_and_sum_the_errors() -> None:
    runs = [{"all": {"count": c, "rate": c / 10, "p50": p, "p95": p * 2, "p99": p * 3, "errors": e}}
            for c, p, e in ((100, 10.0, 0), (300, 30.0, 2), (200, 20.0, 1))]
    result = bench().medians(runs)["all"]
    assert (result["count"], result["p50"], result["p99"]) == (200, 20.0, 60.0)
    assert result["errors"] == 3


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = 500 if self.path.startswith("/persons/") else 200
        body = b"SIMULATED"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_every_failed_request_is_counted_against_its_kind(server: str) -> None:
    module = bench()
    workload = module.Workload(
        queries={script: [{"q": "山田"}, {"q": "Ямада", "birth_year": "1920"}] for script in module.SCRIPTS},
        person_ids=[1, 2, 3], persons=3, records=6, backend="sqlite")
    result = module.run_load(server, workload, clients=3, seconds=1.0, warmup=0.2, seed=1, api=False)

    persons = result[module.PERSON]
    assert persons["count"] > 0 and persons["errors"] == persons["count"]
    searches = [figures for kind, figures in result.items() if kind.startswith("search")]
    assert searches and all(figures["errors"] == 0 for figures in searches)
    assert result["all"]["errors"] == persons["errors"]
    assert result["all"]["count"] == sum(f["count"] for kind, f in result.items() if kind != "all")


# --mix review (issue 18, 8) on the session's small linked store (SIMULATED), a few seconds of load: reviewers sign
# in through the login form and decide pairs from the review queue on a copy of the store, while anonymous readers
# search; the decisions the clients were told succeeded are those the copy holds after the run.
from tests.web.conftest import portal_url  # noqa: E402,F401  (the fixture, for the test below)

TOLD = re.compile(r"the reviewers were told (\d+) succeeded .*? the store holds (\d+) decisions of theirs")


def _decisions_and_accounts(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from kartoteka.accounts.tables import users
    from kartoteka.linkage.tables import decisions
    from kartoteka.store import open_store

    with open_store(url, create=False) as store, store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(decisions)).scalar_one(),
                conn.execute(select(func.count()).select_from(users)).scalar_one())


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_review_mix_counts_every_decision_and_leaves_the_store_alone(
        backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = portal = request.getfixturevalue("portal_url")
    if backend == "postgresql":  # the same store, moved to PostgreSQL as an operator would (backup, restore)
        url = request.getfixturevalue("pg_database")
        for args in (["-d", portal, "backup", str(tmp_path / "portal.zip")],
                     ["-d", url, "restore", str(tmp_path / "portal.zip"), "--runs-dir", str(tmp_path / "runs")]):
            subprocess.run([sys.executable, "-m", "kartoteka", *args], check=True, capture_output=True, timeout=600)
    before = _decisions_and_accounts(url)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--mix", "review", "--database", url, "--workers", "1", "--clients", "5",
         "--reviewers", "2", "--seconds", "3", "--warmup", "0", "--runs", "1", "--think", "0.05",
         "--session-seconds", "1.5", "--sample", "50", "--no-write"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    told, stored = (int(n) for n in TOLD.search(done.stdout).groups())  # type: ignore[union-attr]
    assert told > 0 and told == stored
    assert "none lost" in done.stdout
    rows = {line.split("|")[1].strip(): line.split("|")[2:] for line in done.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| request")}
    # no warm-up, so every request is in the table: a small store's queue can run dry early on a slow machine
    # (CI, stop 22: every decision had fallen in the warm-up second and the table had none)
    assert {"login", "review queue", "review pair", "decision", "person page"} <= set(rows), sorted(rows)
    assert rows["**all**"][4].strip() == "0", done.stdout  # no error of any kind, rate limits on
    if backend == "postgresql":
        assert "PostgreSQL connections held by the server" in done.stdout
    assert _decisions_and_accounts(url) == before  # the decisions and accounts went to the copy, since removed
    assert not list(Path(portal.removeprefix("sqlite:///")).parent.glob("*-load.sqlite"))
