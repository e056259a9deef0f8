"""One SQLite library per store file in a process: the bulk reader and writer never cost a commit.

The bulk paths (`kartoteka.store.bulk`) move Arrow columns through ADBC's SQLite driver, a second copy of
SQLite. Two copies of the library on one file in one process break each other's POSIX locks: when the
second one closed its connection it deleted the store's -wal and -shm files under the first, and every
later commit of that process went where no other process looked, to be lost at exit or a kill (issue 15).
Each test runs the path in a child process that writes, runs it, writes and commits again, and leaves
with ``os._exit`` (as a kill would: no clean close); then the committed writes must be in the store.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent("""
    import os, sys
    import pandas as pd
    from kartoteka.store import open_store, bulk
    from kartoteka.linkage import runs

    store = open_store("sqlite:///" + sys.argv[1])
    store.set_meta("before", "1")
    if sys.argv[2] == "read":
        runs.load_records(store)
    else:
        path = bulk.sqlite_file(store)
        frame = pd.DataFrame({"key": ["staged"], "value": ["1"]})
        with store.engine.connect() as conn:
            driver = conn.connection.driver_connection
            with bulk.staged(path, driver, {"meta": frame}) as staging, conn.begin():
                conn.exec_driver_sql(f"INSERT INTO meta (key, value) SELECT key, value FROM {staging}.meta")
    store.set_meta("after", "1")  # committed: it must survive the exit below
    sys.stdout.flush()
    os._exit(0)
""")


@pytest.mark.parametrize("path_taken", ["read", "write"])
def test_commits_after_a_bulk_read_or_write_survive_an_abrupt_exit(tmp_path: Path, path_taken: str) -> None:
    store_file = tmp_path / "kartoteka.sqlite"
    done = subprocess.run([sys.executable, "-c", CHILD, str(store_file), path_taken],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(store_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        keys = {key for (key,) in conn.execute("SELECT key FROM meta")}
    expected = {"before", "after"} | ({"staged"} if path_taken == "write" else set())
    assert expected <= keys
    assert not list(tmp_path.glob("*.staging.sqlite*"))


def test_a_killed_runs_staging_file_is_removed_and_a_live_one_kept(tmp_path: Path) -> None:
    from kartoteka.store.bulk import remove_stale_staging

    store_file = tmp_path / "kartoteka.sqlite"
    stale = tmp_path / ".kartoteka-dead1234.staging.sqlite"
    stale.write_bytes(b"left by a killed run")
    live = tmp_path / ".kartoteka-live5678.staging.sqlite"
    live.write_bytes(b"in use")
    other_store = tmp_path / ".other-dead1234.staging.sqlite"
    other_store.write_bytes(b"another store's")
    # A live run holds its staging file's lock; here another process holds it, as a live run would.
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys; h = os.open(sys.argv[1], os.O_RDONLY); "
                               "fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()",
                               str(live)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert remove_stale_staging(store_file) == [stale]
        assert not stale.exists() and live.exists() and other_store.exists()
    finally:
        holder.communicate("")
    assert remove_stale_staging(store_file) == [live]
