"""`kartoteka review --decisions` and `--flagged` say so when there is nothing to list (issue 16, 5b)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from kartoteka.linkage.tables import link_runs, match_pairs
from kartoteka.store import open_store, records


def kartoteka(database: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([sys.executable, "-m", "kartoteka", "--database", database, *args],
                         capture_output=True, text=True, timeout=300, cwd=cwd)
    assert out.returncode == 0, out.stderr
    return out


def _database(store_url: str) -> str:
    return store_url.removeprefix("sqlite:///").replace("postgresql+psycopg://", "postgresql://")


def test_review_decisions_says_there_are_none_then_lists_them(store_url, tmp_path):
    database = _database(store_url)
    kartoteka(database, "init", cwd=tmp_path)
    empty = kartoteka(database, "review", "--decisions", cwd=tmp_path)
    assert empty.stdout.splitlines() == [
        "no decisions yet",
        "decide a pair of records with `kartoteka review --same A B` or `--not-same A B` (record ids; "
        "`kartoteka review` lists the pairs to decide)",
    ]
    assert json.loads(kartoteka(database, "review", "--decisions", "--json", cwd=tmp_path).stdout)["items"] == []
    flagged = kartoteka(database, "review", "--flagged", cwd=tmp_path)
    assert flagged.stdout.startswith("no flagged persons: no person of the latest `kartoteka link` broke")

    cards = tmp_path / "cards.csv"
    cards.write_text("Фамилия,Имя,Год рождения\nСато,Итиро,1920\nКато,Дзиро,1921\n", encoding="utf-8")
    kartoteka(database, "import", "card", str(cards), cwd=tmp_path)
    store = open_store(store_url)
    with store.engine.connect() as conn:
        first, second = sorted(conn.execute(select(records.c.id)).scalars())
    store.close()
    kartoteka(database, "review", "--same", str(first), str(second), cwd=tmp_path)
    listed = kartoteka(database, "review", "--decisions", cwd=tmp_path)
    assert listed.stdout.splitlines() == [f"1: {first} same {second} (active)"]
    answer = json.loads(kartoteka(database, "review", "--decisions", "--json", cwd=tmp_path).stdout)  # JSON alone
    assert [(item["record_id_l"], item["decision"]) for item in answer["items"]] == [(first, "same")]



@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)  # the service's own tests cover both backends
def test_review_answers_notes_steps_files_and_stats_from_the_terminal(store, capsys, tmp_path, write_archive):
    """In-process (tests.ingest.test_cli.run): answers with a note, undo by steps, a file out and in, --stats."""
    from tests.ingest.test_cli import run

    write_archive(store, persons=3)
    with store.engine.connect() as conn:
        a, b, c = sorted(conn.execute(select(records.c.id)).scalars())[:3]
    database = _database(str(store.engine.url.render_as_string(hide_password=False)))

    def review(*args: str) -> str:
        code, out, err = run(capsys, "--database", database, "review", *args)
        assert code == 0, err
        return out

    review("--same", str(a), str(b), "--reviewer", "aiko", "--note", "один полк")
    review("--unsure", str(b), str(c), "--reviewer", "aiko")
    review("--export", str(tmp_path / "out.jsonl"))
    assert len(review("--undo", "--steps", "2", "--reviewer", "aiko").splitlines()) == 2
    assert review("--import", str(tmp_path / "out.jsonl")).startswith("2 decision(s) loaded")
    stats = json.loads(review("--stats", "--json"))
    assert stats["decisions"] == {"same": 1, "unsure": 1, "undone": 2}
    assert stats["model"]["false_negatives"] == 1 and stats["model"]["recall"] == 0.0  # no run scored the pair
    assert "один полк" in review("--decisions", "--json")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_review_lists_pairs_of_equal_priority_by_their_record_ids(store, capsys, write_archive):
    """Equal priorities are common (review_priority is rounded to 5 places; repeats share a value): the queue
    breaks their ties by (record_id_l, record_id_r), whatever order the pairs were written in, so a page of the
    web queue and the next never show a pair twice or skip one."""
    from tests.ingest.test_cli import run

    write_archive(store, persons=3)
    with store.engine.connect() as conn:
        ids = sorted(conn.execute(select(records.c.id)).scalars())[:4]
    written = [(ids[0], ids[1]), (ids[1], ids[2]), (ids[0], ids[2]), (ids[0], ids[3])]
    with store.engine.begin() as conn:
        run_id = conn.execute(insert(link_runs).values(started_at=dt.datetime.now(dt.UTC), status="done",
                                                       backend="duckdb", threshold=0.5)).inserted_primary_key[0]
        conn.execute(insert(match_pairs), [dict(run_id=run_id, record_id_l=left, record_id_r=right,
                                                match_weight=0.0, match_probability=0.5, in_review=1,
                                                review_priority=0.25, weights_json=None) for left, right in written])
    database = _database(str(store.engine.url.render_as_string(hide_password=False)))
    code, out, err = run(capsys, "--database", database, "review", "--json")
    assert code == 0, err
    listed = [(item["record_id_l"], item["record_id_r"]) for item in json.loads(out)["items"]]
    assert listed == sorted(written)
