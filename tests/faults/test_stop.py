"""Ctrl-C (SIGINT) and SIGTERM stop a command cleanly: it says so, exits 130 or 143, and the store is as before."""

from __future__ import annotations

import signal
import time

import pytest

from .injection import (
    alive,
    card_file,
    descendants,
    integrity,
    run,
    staging_files,
    start,
    store_size,
    wait_for,
)
from .test_kill_link import assert_whole, linked_state

pytestmark = pytest.mark.slow
EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}
SAYS = "the unfinished work was rolled back and the store is as it was before it"


def _stop(child, signum: int) -> list[int]:  # type: ignore[no-untyped-def]
    family = descendants(child.pid)
    child.send_signal(signum)
    child.wait(timeout=600)
    deadline = time.monotonic() + 60
    while [pid for pid in family if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in family if alive(pid)]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stopped_import_says_so_and_keeps_nothing(tmp_path, signum):
    store_url = f"sqlite:///{tmp_path / 'kartoteka.sqlite'}"
    cards = card_file(tmp_path / "cards.csv", 60_000, "c")
    child = start(store_url, "import", "card", str(cards), "--quiet")
    assert wait_for(lambda: store_size(store_url, ("records",)) > 500_000, child, "the import writing")
    assert _stop(child, signum) == []
    assert child.returncode == EXIT[signum]
    assert SAYS in "".join(child.seen)  # type: ignore[attr-defined]
    status = run(store_url, "status", "--json")
    assert status.returncode == 0 and '"records": 0' in status.stdout
    assert integrity(store_url) == "ok"


def test_a_stopped_link_says_so_marks_its_run_and_stops_its_workers(store_url, archive):
    signum = signal.SIGINT if store_url.startswith("sqlite") else signal.SIGTERM  # one of each, to save time
    imported = run(store_url, "--quiet", "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    child = start(store_url, "link")
    assert wait_for(lambda: any("link: building features" in line for line in list(child.seen)), child,  # type: ignore[attr-defined]
                    "the link to build features")
    assert _stop(child, signum) == [], "workers outlived the stopped link"
    assert child.returncode == EXIT[signum]
    assert SAYS in "".join(child.seen)  # type: ignore[attr-defined]
    state = linked_state(store_url)
    if state["person_runs"]:  # the signal came after the write had committed: the run is whole and done
        assert_whole(state)
    else:
        assert list(state["statuses"].values()) == ["interrupted"]  # type: ignore[attr-defined]
    assert staging_files(store_url) == []
    assert integrity(store_url) == "ok"
