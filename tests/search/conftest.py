"""One small simulated archive, imported and linked once per backend for the whole folder (module-scoped stores
take a minute to make; every test reads them and only the index tests write, to a copy of their own)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import PG_ADMIN_URL, _pg_connect, _sqlalchemy_url

PERSONS = 400
SEED = 3


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kartoteka", *args], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-sim") / "archive"
    done = cli("simulate", str(out), "--persons", str(PERSONS), "--seed", str(SEED), "--profile", "realistic")
    assert done.returncode == 0, done.stderr
    return out


def new_url(backend: str, folder: Path, created: list[str]) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'store-{uuid.uuid4().hex[:8]}.sqlite'}"
    name = f"kt_test_{uuid.uuid4().hex}"
    with _pg_connect(PG_ADMIN_URL) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    created.append(name)
    return _sqlalchemy_url(PG_ADMIN_URL, name)


@pytest.fixture(scope="session")
def databases():
    created: list[str] = []
    yield created
    for name in created:
        with _pg_connect(PG_ADMIN_URL) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def linked_url(request, archive, databases, tmp_path_factory) -> str:
    """A store of the archive, imported and linked through the CLI (which writes the search index)."""
    folder = tmp_path_factory.mktemp(f"search-{request.param}")
    url = new_url(request.param, folder, databases)
    for args in (("import", str(archive)), ("link", "--runs-dir", str(folder / "runs"))):
        done = cli("-d", url, "-q", *args)
        assert done.returncode == 0, done.stderr
    return url


@pytest.fixture(scope="session")
def truth(archive) -> dict[str, set[str]]:
    """person_id -> the record_refs of its records."""
    frame = pd.read_csv(archive / "truth.csv", dtype=str)
    return {person: set(group["record_ref"]) for person, group in frame.groupby("person_id")}


@pytest.fixture(scope="session")
def people(archive) -> pd.DataFrame:
    return pd.read_csv(archive / "persons.csv", dtype=str).set_index("person_id")
