"""A store too busy to answer a request now is a 503 in the one error shape with Retry-After, logged in one line
(no traceback per request): a PostgreSQL connection pool whose every connection is in use past pool_timeout
("store.overloaded"), and a SQLite store another process is writing past the busy timeout ("store.busy").

The pool is made tiny and its connections really held; the SQLite lock is really taken by another connection
(BEGIN IMMEDIATE, as an import holds it). Only the busy timeout is shortened, so that the test does not wait 60 s."""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from tests.web.conftest import cli

from kartoteka.store import ConnectionPool
from kartoteka.store.database import sqlite_path
from kartoteka.web import create_app


def web_log(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith("kartoteka.web")]


@pytest.mark.postgres
def test_an_exhausted_connection_pool_is_503_with_retry_after_logged_in_one_line(
        cards_url: str, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(cards_url, ConnectionPool(size=2, overflow=0, timeout=1))
    client = TestClient(app, raise_server_exceptions=False)
    caplog.set_level(logging.WARNING)
    held = [app.state.store.engine.connect() for _ in range(2)]  # every connection of the pool in use
    try:
        api = client.get("/api/v1/search", params={"q": "Кавасаки"})
        page = client.get("/search", params={"q": "Кавасаки", "lang": "ja"})
        # the bearer token is checked in a middleware, before the handlers: that one too
        token = client.get("/api/v1/sources", headers={"Authorization": "Bearer not-a-token"})
    finally:
        for connection in held:
            connection.close()
    for answer in (api, token):
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "5"
        error = answer.json()["error"]
        assert error["code"] == "store.overloaded"
        assert error["details"] == {"retry_after": 5} and "Try again in 5 seconds" in error["hint"]
        assert "QueuePool" not in answer.text  # the driver's words go to the log, not to the reader
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert page.headers["Retry-After"] == "5"
    assert '<html lang="ja">' in page.text and "ただいまサーバーが混み合っています" in page.text
    records = web_log(caplog)
    assert [record.levelno for record in records] == [logging.WARNING] * 3  # one line a request, none an error
    assert all(record.exc_info is None and "store.overloaded" in record.getMessage() for record in records)
    assert "QueuePool limit of size 2 overflow 0 reached" in records[0].getMessage()
    assert client.get("/api/v1/search", params={"q": "Кавасаки"}).status_code == 200  # freed: answered again
    app.state.store.close()


def test_a_sqlite_store_locked_by_another_writer_is_503_with_retry_after(
        tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'locked.sqlite'}"
    cli("-d", url, "init")
    app = create_app(url)
    engine = app.state.store.engine

    @event.listens_for(engine, "connect")
    def wait_briefly(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 200")  # the store's own is 60 s

    engine.dispose()  # the connections opened so far had the long timeout
    client = TestClient(app, raise_server_exceptions=False)
    caplog.set_level(logging.WARNING)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf is not None
    writer = sqlite3.connect(str(sqlite_path(url)), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as an import holds the store
    try:
        # a failed sign-in writes to the audit log
        answer = client.post("/login?lang=ru", data={"name": "nobody", "password": "wrong" * 3,
                                                     "csrf_token": csrf.group(1)})
    finally:
        writer.rollback()
        writer.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "30"
    assert '<html lang="ru">' in answer.text and "Записи сейчас обновляются" in answer.text
    assert "store.busy" in answer.text
    records = web_log(caplog)
    assert len(records) == 1 and records[0].levelno == logging.WARNING and records[0].exc_info is None
    assert "store.busy" in records[0].getMessage() and "database is locked" in records[0].getMessage()
    app.state.store.close()
