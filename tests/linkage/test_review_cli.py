"""`kartoteka review --decisions` and `--flagged` say so when there is nothing to list (issue 16, 5b)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

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
