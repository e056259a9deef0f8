"""The reader process of a SQLite store (store.bulk.read_batches): a reader that dies is a clear error."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.store import bulk


def _reader_pid() -> int:
    """The pid of this process's bulk_reader child."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"bulk_reader" in command:
            return int(entry.name)
    raise AssertionError("no reader process found")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the reader through /proc")
def test_a_reader_killed_midway_is_a_clear_error_not_a_short_read(tmp_path):
    path = tmp_path / "store.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", ((i, "Ямада Таро " * 8) for i in range(200_000)))
    batches = bulk.read_batches(path, "SELECT id, coalesce(name, '') AS name FROM t ORDER BY id", ["name"],
                                batch_rows=1_000)
    first = next(batches)
    assert first.num_rows == 1_000
    os.kill(_reader_pid(), signal.SIGKILL)  # the reader is blocked on a full pipe: far from its end
    with pytest.raises(KartotekaError) as caught:
        for _ in batches:
            pass
    assert caught.value.code == "store.read"
    assert "killed by signal 9" in caught.value.message and str(path) in caught.value.message
