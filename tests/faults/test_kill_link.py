"""kill -9 of `kartoteka link` at random points (seeded): its workers die with it, the store is as before the
run (or as after it), the next link marks the killed run interrupted, removes its staging file, and links
every record into exactly one person."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from kartoteka.linkage.tables import link_runs, person_records, persons
from kartoteka.store import open_store, records

from .injection import LINK_POINTS, integrity, kill_link, run, staging_files

pytestmark = pytest.mark.slow
KILLS = 2  # per backend here; bench/bench_faults.py injects many more


def linked_state(store_url: str) -> dict[str, object]:
    """What a reader of the store sees of the persons: which run they are from, and how records are covered."""
    with open_store(store_url, create=False) as store, store.engine.connect() as conn:
        record_count = conn.execute(select(func.count()).select_from(records)).scalar_one()
        members = conn.execute(select(func.count(), func.count(person_records.c.record_id.distinct()))).one()
        person_runs = {run for (run,) in conn.execute(select(persons.c.run_id).distinct())}
        statuses = dict(conn.execute(select(link_runs.c.id, link_runs.c.status)).all())
    return {"records": record_count, "members": tuple(members), "person_runs": person_runs, "statuses": statuses}


def assert_whole(state: dict[str, object]) -> None:
    """Every record in exactly one person, all persons from one finished run."""
    count = state["records"]
    assert state["members"] == (count, count)
    (run_id,) = state["person_runs"]  # type: ignore[misc]
    assert state["statuses"][run_id] == "done"  # type: ignore[index]


def test_kill_9_during_a_link_leaves_the_store_whole(store_url, archive):
    imported = run(store_url, "--quiet", "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    first = run(store_url, "link")
    assert first.returncode == 0, first.stderr
    rng = random.Random(f"link-{store_url.split(':')[0]}")
    killed_runs = []
    for point in rng.sample(LINK_POINTS, KILLS):
        before = linked_state(store_url)
        outcome = kill_link(store_url, rng, point)
        assert outcome.children_left == [], f"workers outlived the link killed at {point}"
        assert integrity(store_url) == "ok"
        after = linked_state(store_url)
        assert_whole(after)
        # As before the run (its row, if it got one, left "running"), or as after it (its persons, run done).
        new_runs = set(after["statuses"]) - set(before["statuses"])  # type: ignore[arg-type]
        if after["person_runs"] == before["person_runs"]:
            assert all(after["statuses"][r] == "running" for r in new_runs), f"killed at {point}"  # type: ignore[index]
            killed_runs += new_runs
        else:
            assert after["person_runs"] == new_runs, f"killed at {point}: persons of an unknown run"
    again = run(store_url, "link")
    assert again.returncode == 0, again.stderr
    final = linked_state(store_url)
    assert_whole(final)
    assert all(final["statuses"][r] == "interrupted" for r in killed_runs)  # type: ignore[index]
    assert "running" not in final["statuses"].values()  # type: ignore[attr-defined]
    assert staging_files(store_url) == []
