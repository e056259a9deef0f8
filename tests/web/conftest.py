"""Stores for the portal's tests, made the way a user makes them (the CLI, in a subprocess), once per module
or session because linking takes a while:

- ``empty_url``: an initialised store with nothing in it, on SQLite and PostgreSQL;
- ``imported_url``: the hostile cards below imported, no link run (each record is its own candidate), on both;
- ``portal_url``: a small simulated archive imported and linked, plus the hostile cards (SQLite).

The hostile cards: import refuses such names (a name with '<' or a right-to-left override is quarantined), so
the hostile text goes where import keeps free text as written: places, burial sites, units, references."""

from __future__ import annotations

import csv
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import PG_ADMIN_URL, _pg_connect, _sqlalchemy_url

SCRIPT = "<script>alert(1)</script>"
RTL = "Тайшет\u202eкладбище"
LONG = "Ю" * 10_000
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
HOSTILE_CARDS = [
    {"record_ref": "h-<b>1</b>", "surname": "Кавасаки", "given_name": "Тиро", "birth_year": "1920",
     "death_date": "1946-03-01", "death_place": SCRIPT, "burial_site": RTL, "unit": LONG,
     "archive_ref": ATTRIBUTE, "camp": "7"},
    {"record_ref": "h-2", "surname": "Кавасима", "given_name": "Дзиро", "birth_year": "1921",
     "death_date": "1946-02-11", "death_place": RTL, "burial_site": SCRIPT, "camp": LONG[:500]},
]


def cli(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "kartoteka", *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"kartoteka {' '.join(args)} failed:\n{done.stderr}"
    return done


def write_hostile_cards(folder: Path) -> Path:
    path = folder / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HOSTILE_CARDS[0]))
        writer.writeheader()
        writer.writerows(HOSTILE_CARDS)
    return path


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An initialised, empty store on each backend (one per test module)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'empty.sqlite'}"
        cli("-d", url, "init")
        yield url
        return
    name = f"kt_test_{uuid.uuid4().hex}"
    with _pg_connect(PG_ADMIN_URL) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _sqlalchemy_url(PG_ADMIN_URL, name)
        cli("-d", url, "init")
        yield url
    finally:
        with _pg_connect(PG_ADMIN_URL) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def imported_url(empty_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The hostile cards imported into the module's store, no link run."""
    cli("-d", empty_url, "import", "card", str(write_hostile_cards(tmp_path_factory.mktemp("cards"))))
    return empty_url


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small simulated archive (SIMULATED), imported and linked, with the hostile cards (SQLite)."""
    folder = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{folder / 'portal.sqlite'}"
    cli("simulate", str(folder / "archive"), "--persons", "120", "--seed", "3", "--profile", "realistic")
    cli("-d", url, "--quiet", "import", str(folder / "archive"))
    cli("-d", url, "import", "card", str(write_hostile_cards(folder)))
    cli("-d", url, "link", "--runs-dir", str(folder / "runs"))
    return url


def client_of(url: str) -> Iterator[TestClient]:
    from kartoteka.web import create_app

    app = create_app(url)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def portal(portal_url: str) -> Iterator[TestClient]:
    """An in-process client of the linked simulated store's portal."""
    yield from client_of(portal_url)


@pytest.fixture(scope="module")
def imported(imported_url: str) -> Iterator[TestClient]:
    """An in-process client of the imported (not linked) store's portal, on each backend."""
    yield from client_of(imported_url)


@pytest.fixture
def cards_url(pg_database: str, tmp_path: Path) -> str:
    """A PostgreSQL store holding the test cards (no link run: each record is its own search candidate)."""
    cli("-d", pg_database, "import", "card", str(write_hostile_cards(tmp_path)))
    return pg_database
