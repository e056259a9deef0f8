"""A full disk during an import or a link: a clear error (store.full), exit 1, and the store as before.

The disk is a small tmpfs mounted for the test (Linux, as root); where mounting is not permitted the test is
skipped and says so. PostgreSQL is not tried: its data directory is the server's, not a test's to fill.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kartoteka.store import open_store, records

from .injection import card_file, integrity, run

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB file system of its own (tmpfs), unmounted after the test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill ({mounted.stderr.strip() or 'not permitted'})")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _records(store_url: str) -> int:
    with open_store(store_url, create=False) as store, store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(records)).scalar_one())


def _fill(disk: Path) -> Path:
    """Fill the disk to the last byte with one file."""
    filler = disk / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (65536, 512, 1):  # unbuffered: the last few bytes too
            try:
                while True:
                    os.write(handle, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(handle)
    return filler


def _assert_full_error(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 1, done.stderr
    assert "error [store.full]: the disk holding the store" in done.stderr
    assert "the store is as it was before" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_import_that_fills_the_disk_is_a_clear_error_and_keeps_the_store(small_disk, tmp_path):
    store_url = f"sqlite:///{small_disk / 'kartoteka.sqlite'}"
    small = run(store_url, "import", "card", str(card_file(tmp_path / "small.csv", 2000, "s")), "--quiet")
    assert small.returncode == 0, small.stderr
    big = card_file(tmp_path / "big.csv", 200_000, "b")  # far more than 24 MB in the store
    _assert_full_error(run(store_url, "import", "card", str(big), "--quiet"))
    assert integrity(store_url) == "ok"
    assert _records(store_url) == 2000


@pytest.mark.parametrize("room", [0, 1 << 20], ids=["full-before", "fills-during"])
def test_a_link_on_a_full_disk_is_a_clear_error_and_keeps_the_store(small_disk, archive, room):
    store_url = f"sqlite:///{small_disk / 'kartoteka.sqlite'}"
    imported = run(store_url, "--quiet", "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    count = _records(store_url)
    filler = _fill(small_disk)
    os.truncate(filler, filler.stat().st_size - room)  # with 1 MiB left the link starts, and fills it
    done = run(store_url, "link")
    _assert_full_error(done)
    if room:
        assert "link: reading records" in done.stderr  # it started, and the disk filled on the way
    os.unlink(filler)
    assert integrity(store_url) == "ok"
    assert _records(store_url) == count
    again = run(store_url, "link")  # with room again, the same store links
    assert again.returncode == 0, again.stderr
    assert not list(small_disk.glob(".*.staging.sqlite*"))
