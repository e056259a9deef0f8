"""kill -9 in the middle of an import leaves the store as it was, and a rerun finishes the job."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kartoteka.ingest import import_file
from kartoteka.store import open_store

from .conftest import counts

ROWS = 150_000


def _big_card_file(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_ref", "surname", "given_name", "birth_year", "camp", "note"])
        for n in range(ROWS):
            writer.writerow([f"k{n}", "Танака" + "абвгдежзик"[n % 10], "Итиро", str(1900 + n % 40), str(n % 50), "x" * 40])
    return path


def _bytes_written(store_url: str) -> int:
    """How much the running import has written so far (uncommitted): WAL size or the table's size."""
    if store_url.startswith("sqlite"):
        wal = Path(store_url.removeprefix("sqlite:///") + "-wal")
        return wal.stat().st_size if wal.exists() else 0
    import psycopg

    with psycopg.connect(store_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        return conn.execute("SELECT pg_relation_size('records')").fetchone()[0]


@pytest.mark.slow
def test_kill_9_mid_import_leaves_the_store_as_before_and_a_rerun_completes(store_url, tmp_path, ru_cards):
    store = open_store(store_url)
    import_file(store, "card", ru_cards)
    before = counts(store)
    store.close()
    big = _big_card_file(tmp_path / "big.csv")
    baseline = _bytes_written(store_url)
    env = {**os.environ, "KARTOTEKA_BATCH_SIZE": "1000"}
    command = [sys.executable, "-m", "kartoteka", "--database", store_url, "import", "card", str(big), "--quiet"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _bytes_written(store_url) < baseline + 2_000_000:
        assert child.poll() is None, "the import finished before it could be killed: make the file bigger"
        assert time.monotonic() < deadline, "the import wrote nothing in two minutes"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    store = open_store(store_url)
    assert counts(store) == before  # not one row of the killed import is visible
    result = import_file(store, "card", big)
    assert (result.already_imported, result.rows_imported, result.rows_quarantined) == (False, ROWS, 0)
    assert counts(store) == {**before, "records": before["records"] + ROWS, "sources": before["sources"] + 1}
    store.close()
