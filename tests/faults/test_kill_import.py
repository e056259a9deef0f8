"""kill -9 of `kartoteka import` at random points (seeded): the store as before, a re-run imports every row once."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from kartoteka.store import open_store, records, sources

from .injection import IMPORT_POINTS, card_file, integrity, kill_import, run

ROWS = 60_000
pytestmark = pytest.mark.slow


def _counts(store_url: str) -> tuple[int, int] | None:
    """(sources, records) of the store, or None if the killed import had not yet made the store."""
    try:
        store = open_store(store_url, create=False)
    except Exception as exc:
        assert getattr(exc, "code", None) == "store.missing", exc  # the only acceptable way not to open
        return None
    with store, store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(sources)).scalar_one(),
                conn.execute(select(func.count()).select_from(records)).scalar_one())


def test_kill_9_during_an_import_leaves_the_store_as_before_and_a_rerun_imports_every_row_once(store_url, tmp_path):
    rng = random.Random(f"import-{store_url.split(':')[0]}")
    cards = card_file(tmp_path / "cards.csv", ROWS, "k")
    # First into a store that is not there yet (SQLite: killed while it is being created), then while writing.
    for point in IMPORT_POINTS:
        outcome = kill_import(store_url, cards, rng, point)
        assert outcome.children_left == []
        assert integrity(store_url) == "ok"
        counts = _counts(store_url)
        if outcome.landed:
            assert counts in (None, (0, 0)), f"killed {point}: a half-written import is visible: {counts}"
    done = run(store_url, "import", "card", str(cards), "--quiet")
    assert done.returncode == 0, done.stderr
    assert _counts(store_url) == (1, ROWS)
    again = run(store_url, "import", "card", str(cards), "--quiet")
    assert again.returncode == 0 and "already imported" in again.stdout
    assert _counts(store_url) == (1, ROWS) and integrity(store_url) == "ok"
