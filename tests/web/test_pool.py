"""The server's PostgreSQL connections: each worker keeps a pool (settings pool_size, pool_overflow, pool_timeout),
so a server never holds more than workers x (pool_size + pool_overflow) connections, however many requests come
at once; `kartoteka serve` refuses a budget the database server cannot hold; a connection the database closed is
replaced before a request uses it (pre-ping). Real uvicorn, real PostgreSQL, counted in pg_stat_activity."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from fastapi.testclient import TestClient
from tests.conftest import PG_ADMIN_URL, _pg_connect
from tests.web.test_serve import free_port, wait_for

from kartoteka.core.errors import KartotekaError
from kartoteka.store import ConnectionPool
from kartoteka.web import create_app


def connections_to(url: str) -> int:
    """The clients' sessions open on the database of `url` now (not autovacuum's; the test's own admin session is
    on another database)."""
    name = url.rsplit("/", 1)[1]
    with _pg_connect(PG_ADMIN_URL) as admin:
        return int(admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = "
                                 "'client backend'", (name,)).fetchone()[0])


class Watch:
    """The most sessions on a database, sampled every 20 ms while it runs."""

    def __init__(self, url: str) -> None:
        self.url, self.most, self.stop = url, 0, threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stop.is_set():
            self.most = max(self.most, connections_to(self.url))
            time.sleep(0.02)


def serve(url: str, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kartoteka", "-d", url, "serve", "--port", str(port),
                                "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, **env})
    return process, port


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    return str(stderr)


@pytest.mark.postgres
def test_many_concurrent_requests_stay_within_the_connection_budget(cards_url: str) -> None:
    # 2 workers x 3 = 6 connections at most, for 24 clients at once, each asking searches and record pages (no
    # overflow: a connection closed after a peak may show in pg_stat_activity a moment after the next one opens)
    env = {"KARTOTEKA_POOL_SIZE": "3", "KARTOTEKA_POOL_OVERFLOW": "0", "KARTOTEKA_POOL_TIMEOUT": "20",
           "KARTOTEKA_SEARCH_RATE_LIMIT": "0"}
    process, port = serve(cards_url, 2, env)
    base = f"http://127.0.0.1:{port}"
    statuses: list[int] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        for step in range(12):
            path = (f"/search?{urllib.parse.urlencode({'q': 'Кавасаки'})}" if (number + step) % 2
                    else f"/api/v1/search?{urllib.parse.urlencode({'q': 'Кавасима Дзиро'})}")
            if step % 3 == 0:
                path = f"/records/{1 + step % 2}"
            try:
                with urllib.request.urlopen(base + path, timeout=60) as answer:
                    status = answer.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            with lock:
                statuses.append(status)

    try:
        wait_for(f"{base}/api/v1/openapi.json", process)
        watch = Watch(cards_url)
        watch.thread.start()
        clients = [threading.Thread(target=client, args=(number,)) for number in range(24)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        watch.stop.set()
        watch.thread.join()
        held_after = connections_to(cards_url)
    finally:
        stderr = stop(process)
    assert len(statuses) == 24 * 12
    assert set(statuses) == {200}, sorted(set(statuses))  # none timed out waiting for a connection
    assert 2 <= watch.most <= 6, watch.most
    assert 2 <= held_after <= 6  # the pools keep their connections open
    assert "at most 6 PostgreSQL connections (2 x 3; the server allows" in stderr
    assert connections_to(cards_url) == 0  # stopped: every connection closed


@pytest.mark.postgres
def test_serve_refuses_a_budget_the_database_server_cannot_hold(cards_url: str) -> None:
    done = subprocess.run([sys.executable, "-m", "kartoteka", "-d", cards_url, "serve", "--port", str(free_port()),
                           "--workers", "4"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KARTOTEKA_POOL_SIZE": "30", "KARTOTEKA_POOL_OVERFLOW": "0"})
    assert done.returncode != 0
    assert "4 workers x 30 connections each" in done.stderr and "max_connections" in done.stderr
    assert "serving" not in done.stderr


@pytest.mark.postgres
def test_a_connection_the_database_closed_is_replaced_before_use(cards_url: str) -> None:
    app = create_app(cards_url, ConnectionPool(size=2, overflow=0, timeout=5))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/search", params={"q": "Кавасаки"}).status_code == 200
        assert 1 <= connections_to(cards_url) <= 2  # kept in the pool
        name = cards_url.rsplit("/", 1)[1]
        with _pg_connect(PG_ADMIN_URL) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        answer = client.get("/api/v1/search", params={"q": "Кавасаки"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["total"] >= 1


@pytest.mark.parametrize(("size", "overflow", "timeout"), [(0, 5, 10.0), (-1, 3, 10.0), (5, -1, 10.0), (1, 0, 10.0), (5, 0, 0.0)])
def test_a_pool_that_cannot_work_is_refused(size: int, overflow: int, timeout: float) -> None:
    with pytest.raises(KartotekaError) as refused:
        ConnectionPool(size, overflow, timeout)
    assert refused.value.code == "usage.setting" and "pool_size must be at least 1" in (refused.value.hint or "")
