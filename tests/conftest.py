"""Shared fixtures for every test folder.

``store_url``: a SQLAlchemy URL of an empty, throwaway kartoteka database, parametrized over both backends
(test ids ``[sqlite]`` and ``[postgresql]``). Use it in every test that touches the store, so that test runs
on SQLite and on PostgreSQL::

    def test_something(store_url):
        store = open_store(store_url)
        ...

- sqlite: a file in the test's ``tmp_path``.
- postgresql: a new database ``kt_test_<uuid>`` on 127.0.0.1:5432 (user postgres), created through the
  ``postgres`` database and dropped ``WITH (FORCE)`` after the test. Override the server with
  ``KARTOTEKA_TEST_PG`` (a postgresql:// URL of the maintenance database). If the server is down the test
  FAILS with a message saying how to start it: a silent skip would hide that half the suite did not run.
  These tests carry the ``postgres`` marker (deselect them with ``-m "not postgres"`` if you must).

``store``: ``open_store(store_url)``, closed after the test.

``pg_admin_url``: the maintenance URL, for tests that create their own databases.

Property tests (hypothesis) are repeatable by default; ``KARTOTEKA_HYPOTHESIS=explore`` draws new examples.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run of `make test` (and in CI), so that a suite that
# passed once passes again; KARTOTEKA_HYPOTHESIS=explore draws new examples each run, to hunt for bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True, max_examples=500)
hypothesis_settings.load_profile(os.environ.get("KARTOTEKA_HYPOTHESIS", "repeatable"))

PG_ADMIN_URL = os.environ.get("KARTOTEKA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {url} ({exc}).\n"
            "Start it (e.g. `pg_ctlcluster 15 main start`) or point KARTOTEKA_TEST_PG at a server; "
            "the store tests must run on both backends.",
            pytrace=False,
        )


def _sqlalchemy_url(admin_url: str, dbname: str) -> str:
    base = admin_url.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+psycopg://", 1) + "/" + dbname


@pytest.fixture
def pg_admin_url() -> str:
    """The postgresql:// URL of the maintenance database of the test server."""
    return PG_ADMIN_URL


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database (SQLAlchemy URL), dropped after the test."""
    name = f"kt_test_{uuid.uuid4().hex}"
    with _pg_connect(PG_ADMIN_URL) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _sqlalchemy_url(PG_ADMIN_URL, name)
    finally:
        with _pg_connect(PG_ADMIN_URL) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty throwaway database, on SQLite and on PostgreSQL (see the module docstring)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kartoteka.sqlite'}"
    else:
        yield request.getfixturevalue("pg_database")


@pytest.fixture
def store(store_url: str):  # type: ignore[no-untyped-def]
    """``open_store(store_url)``, closed after the test."""
    from kartoteka.store import open_store

    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()
