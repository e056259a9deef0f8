"""Two commands on one store at once: each finishes, or waits, or is refused with a clear message; nothing corrupt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kartoteka.store import open_store, records, sources

from .injection import card_file, integrity, run, start, wait_for

pytestmark = pytest.mark.slow


def _counts(store_url: str) -> tuple[int, int]:
    with open_store(store_url, create=False) as store, store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(sources)).scalar_one(),
                conn.execute(select(func.count()).select_from(records)).scalar_one())


def test_two_imports_into_a_store_that_does_not_exist_yet(store_url, tmp_path):
    files = [card_file(tmp_path / f"cards-{tag}.csv", 3000, tag) for tag in "ab"]
    children = [start(store_url, "import", "card", str(path), "--quiet") for path in files]
    for child in children:
        child.wait(timeout=600)
    for child in children:
        assert child.returncode == 0, "".join(child.seen)  # type: ignore[attr-defined]
    assert _counts(store_url) == (2, 6000)
    assert integrity(store_url) == "ok"


def test_an_import_while_link_runs_both_finish(store_url, archive, tmp_path):
    imported = run(store_url, "--quiet", "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    before = _counts(store_url)
    link = start(store_url, "link")
    # Once its run is logged the link holds records in memory and will write its persons meanwhile.
    wait_for(lambda: any("link: building features" in line for line in list(link.seen)), link,  # type: ignore[attr-defined]
             "the link to start")
    extra = run(store_url, "import", "card", str(card_file(tmp_path / "more.csv", 2000, "m")), "--quiet")
    link.wait(timeout=900)
    assert extra.returncode == 0, extra.stderr
    assert link.returncode == 0, "".join(link.seen)  # type: ignore[attr-defined]
    assert _counts(store_url) == (before[0] + 1, before[1] + 2000)
    assert integrity(store_url) == "ok"

