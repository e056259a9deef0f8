"""Which store a command opened, and never a store made by accident (issue 15, point 3), on both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kartoteka.linkage import runs
from kartoteka.linkage.service import default_runs_dir, link
from kartoteka.store import Store, open_store
from kartoteka.store.database import store_label
from kartoteka.store.locks import store_lock


def kartoteka(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kartoteka", "--database", database, *args],
                          capture_output=True, text=True, timeout=300)


def _database(store_url: str) -> str:
    """The --database value a user would give for the fixture's store."""
    return store_url.removeprefix("sqlite:///").replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["export", "card", "out.csv"], ["review"],
                                     ["link"], ["evaluate", "truth.csv"]])
def test_a_command_that_reads_refuses_a_store_that_is_not_there(store_url, tmp_path, command):
    out = kartoteka(_database(store_url), *command)
    assert out.returncode == 1, out.stderr
    label = store_label(store_url)
    assert out.stderr.splitlines()[0] == f"store: {label}"
    assert "Traceback" not in out.stderr
    if "--json" in command:
        error = json.loads(out.stderr.splitlines()[-1])["error"]
        assert error["code"] == "store.missing" and label in error["message"] and "kartoteka init" in error["hint"]
    else:
        assert f"error [store.missing]: there is no kartoteka store at {label}" in out.stderr
        assert "kartoteka init" in out.stderr and "kartoteka import" in out.stderr
    if store_url.startswith("sqlite"):
        assert not Path(label).exists()  # nothing was created
    assert out.stdout == ""


def test_init_makes_a_store_that_every_command_then_names(store_url):
    database = _database(store_url)
    made = kartoteka(database, "init")
    assert made.returncode == 0, made.stderr
    assert made.stderr.splitlines()[0] == f"store: {store_label(store_url)}"
    again = kartoteka(database, "init", "--json")  # an existing store is left as it is
    assert json.loads(again.stdout)["store"] == store_label(store_url)
    status = kartoteka(database, "status", "--json")
    assert status.returncode == 0, status.stderr
    answer = json.loads(status.stdout)  # stdout is the JSON alone: the store's name went to stderr
    assert (answer["store"], answer["records"], answer["running_links"]) == (store_label(store_url), 0, [])


def test_the_password_of_a_store_url_is_never_shown():
    assert store_label("postgresql+psycopg://kt:s3cret@db.example:5433/archive") == (
        "postgresql+psycopg://kt@db.example:5433/archive")


def test_status_shows_a_running_link(store_url):
    store = open_store(store_url)
    run_id = runs.start_run(store, "duckdb")  # committed at once: other processes see it
    store.close()
    out = kartoteka(_database(store_url), "status")
    assert out.returncode == 0, out.stderr
    assert f"link run {run_id} running since" in out.stdout


def test_a_second_link_on_the_same_store_is_refused_while_one_runs(store):
    with store_lock(store.engine, "link") as held:
        assert held
        with pytest.raises(Exception) as info:
            link(store)
    assert getattr(info.value, "code", None) == "store.busy"
    assert "another `kartoteka link` is running" in str(info.value)


def test_each_postgresql_database_has_its_own_runs_folder():
    first = Store(_engine("postgresql+psycopg://postgres@127.0.0.1:5432/one"))
    second = Store(_engine("postgresql+psycopg://postgres@127.0.0.1:5432/two"))
    assert default_runs_dir(first) == Path("kartoteka-runs/127.0.0.1-5432-one")
    assert default_runs_dir(first) != default_runs_dir(second)


def _engine(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(url)  # not connected: only its URL is read
