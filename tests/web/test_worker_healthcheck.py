"""uvicorn's worker health check under `kartoteka serve --workers N`: a worker that takes longer than uvicorn's
own 5 s to start is not killed (kartoteka's default is 60 s), and --timeout-worker-healthcheck sets the limit.

A real server with two workers on PostgreSQL, told to replace its workers (SIGHUP); each new worker's start-up
is held back by the store's migration lock, taken by the test as a schema upgrade in another process would hold
it, and released once the new worker has waited on it longer than 5 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import _pg_connect
from tests.web.test_serve import free_port, wait_for

from kartoteka.store.database import MIGRATION_LOCK_KEY

NOT_READY = "was not ready in time"


def workers_of(pid: int) -> set[int]:
    """The uvicorn workers (multiprocessing's spawned children) of the server process `pid` (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = set()
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:  # gone since it was listed
            continue
        if b"spawn_main" in command:
            found.add(int(child))
    return found


def waiting_on_the_migration_lock(admin) -> int:  # type: ignore[no-untyped-def]
    return int(admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                             "wait_event_type = 'Lock' AND wait_event = 'advisory'").fetchone()[0])


def until(condition, limit: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the server did not get there in time"
        time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.parametrize("option", [None, "2"])
def test_a_worker_slower_to_start_than_five_seconds_is_kept(cards_url: str, tmp_path: Path,
                                                            option: str | None) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    extra = ["--timeout-worker-healthcheck", option] if option else []
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "kartoteka", "-d", cards_url, "serve", "--port", str(port),
                                    "--workers", "2", *extra], stdout=subprocess.DEVNULL, stderr=stderr,
                                   text=True, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/openapi.json", process)
        until(lambda: len(workers_of(process.pid)) == 2)
        first = workers_of(process.pid)
        with _pg_connect(cards_url.replace("postgresql+psycopg://", "postgresql://")) as upgrade:
            upgrade.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
            process.send_signal(signal.SIGHUP)  # replace the workers, one by one
            if option:  # 2 s: the new worker is killed (perhaps before it even reached the lock), the old one kept
                until(lambda: NOT_READY in log.read_text())
            else:
                until(lambda: waiting_on_the_migration_lock(upgrade) == 1)
                time.sleep(7)  # the new worker has been starting for longer than uvicorn's own 5 s
            upgrade.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
        if option:
            assert workers_of(process.pid) == first
        else:
            until(lambda: NOT_READY in log.read_text() or not workers_of(process.pid) & first)
            until(lambda: len(workers_of(process.pid)) == 2)
        assert b"/api/v1/search" in wait_for(f"{base}/api/v1/openapi.json", process)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
    stderr_text = log.read_text()
    if option:
        assert NOT_READY in stderr_text and "aborting the restart" in stderr_text
    else:
        assert NOT_READY not in stderr_text, stderr_text
        assert process.returncode == 0, stderr_text
