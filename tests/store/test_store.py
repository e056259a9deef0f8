"""The store: schema, migrations, meta, and refusal of a newer schema, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kartoteka.core.errors import KartotekaError
from kartoteka.store import RECORD_FIELDS, metadata, open_store, records, sources

CONTRACT_RECORD_COLUMNS = {
    "id", "source_id", "kind", "record_ref", "file_name", "row_number", "row_sha256", "raw_json",
    "surname", "given_name", "patronymic", "name_original", "script", "birth_date", "birth_year",
    "birth_place", "prefecture", "occupation", "rank", "unit", "camp", "lagpunkt", "capture_date",
    "capture_place", "death_date", "death_place", "burial_place", "burial_site", "grave_number", "ship",
    "departure_port", "arrival_port", "event_date", "archive_ref", "scan_ref", "extra_json",
}


def test_open_store_creates_the_contract_tables(store):
    inspector = sa.inspect(store.engine)
    assert {"sources", "records", "quarantine", "meta", "alembic_version"} <= set(inspector.get_table_names())
    assert {c["name"] for c in inspector.get_columns("records")} == CONTRACT_RECORD_COLUMNS
    assert {c["name"] for c in inspector.get_columns("sources")} == {
        "id", "name", "kind", "file_name", "file_sha256", "encoding", "imported_at", "row_count",
        "quarantined_count", "simulated", "line_count", "header_lines", "blank_lines", "warning_count",
        "follow_up_of"}
    assert {c["name"] for c in inspector.get_columns("quarantine")} == {
        "id", "source_id", "file_name", "row_number", "column_name", "value", "reason", "raw_json", "code", "severity",
        "line_count", "raw_text", "record_ref", "resolved_by"}
    assert set(RECORD_FIELDS) < CONTRACT_RECORD_COLUMNS


@pytest.mark.parametrize("declared", ["store", "linkage", "catalog", "search", "gazetteer", "accounts", "audit"])
def test_migrations_match_the_table_declarations(store, declared):
    """The declared tables (what the code queries) and the migrations (what creates them) must not drift apart:
    store/schema.py against 0001, linkage/tables.py against 0100, catalog/tables.py against 0120,
    search/tables.py against 0121, gazetteer/tables.py against 0130, accounts/tables.py and audit/tables.py
    against 0140."""
    from kartoteka.accounts.tables import accounts_metadata
    from kartoteka.audit.tables import audit_metadata
    from kartoteka.catalog.tables import catalog_metadata
    from kartoteka.gazetteer.tables import gazetteer_metadata
    from kartoteka.linkage.tables import linkage_metadata
    from kartoteka.search.tables import search_metadata

    declared_metadata = {"store": metadata, "linkage": linkage_metadata, "catalog": catalog_metadata,
                         "search": search_metadata, "gazetteer": gazetteer_metadata,
                         "accounts": accounts_metadata, "audit": audit_metadata}[declared]
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), declared_metadata)
    own_tables = set(declared_metadata.tables)
    relevant = [d for d in diff if _table_of(d) in own_tables]
    assert relevant == []


def _table_of(diff_item) -> str | None:
    item = diff_item[0] if isinstance(diff_item, list) else diff_item
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else part
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if isinstance(name, str):
            return name
    return None


def test_reopening_is_idempotent_and_keeps_data(store_url):
    first = open_store(store_url)
    first.set_meta("greeting", "здравствуйте 今日は")
    first.close()
    again = open_store(store_url)
    assert again.get_meta("greeting") == "здравствуйте 今日は"
    again.set_meta("greeting", "replaced")
    assert again.get_meta("greeting") == "replaced"
    assert again.get_meta("missing") is None
    again.close()


def test_simulated_flag_comes_from_meta(store):
    assert store.is_simulated() is False
    store.set_meta("simulated", "true")
    assert store.is_simulated() is True


def test_a_simulated_store_stays_simulated_and_another_process_s_flag_is_seen_after_the_recheck(
        store_url, monkeypatch):
    from kartoteka.store import database

    reader, writer = open_store(store_url), open_store(store_url)  # a server's store and an importer's
    try:
        monkeypatch.setattr(database, "SIMULATED_RECHECK_SECONDS", 3600.0)
        assert not reader.is_simulated()
        writer.set_meta("simulated", "true")
        assert not reader.is_simulated()  # believed for the recheck time (a page asks on every request)
        monkeypatch.setattr(database, "SIMULATED_RECHECK_SECONDS", 0.0)
        assert reader.is_simulated()
        monkeypatch.setattr(database, "SIMULATED_RECHECK_SECONDS", 3600.0)
        with writer.engine.begin() as conn:  # nothing unsets it in the code: a yes is kept whatever happens
            conn.execute(sa.text("DELETE FROM meta WHERE key = 'simulated'"))
        assert reader.is_simulated()
    finally:
        reader.close()
        writer.close()


def test_a_transaction_that_reads_then_writes_holds_the_write_lock_from_its_start(tmp_path):
    # Two reviewers answering at once on SQLite: a plain transaction that read first failed at once ("database is
    # locked", a 503) when the other committed meanwhile; Store.writing takes the lock first and the other waits.
    import sqlite3

    path = tmp_path / "k.sqlite"
    store = open_store(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        with store.engine.begin() as conn:  # a plain transaction: another writer may still commit
            conn.execute(sa.select(sa.func.count()).select_from(sources)).scalar_one()
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO meta (key, value) VALUES ('other', '1')")
            other.execute("COMMIT")
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('mine', '1')"))
        with store.writing() as conn:
            conn.execute(sa.select(sa.func.count()).select_from(sources)).scalar_one()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # the other writer waits (here: gives up after 50 ms)
            conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('mine', '1')"))
        assert store.get_meta("mine") == "1" and store.get_meta("other") == "1"
    finally:
        other.close()
        store.close()


def test_two_transactions_setting_one_meta_key_at_once_both_succeed(store):
    # Two first imports into a new PostgreSQL store both set the places' mark: with delete-then-insert the
    # second failed on the key when the first committed, and its import said "another import of this same file".
    import threading
    import time

    from kartoteka.store.database import set_meta_in

    failures: list[BaseException] = []

    def second() -> None:
        try:
            with store.engine.begin() as conn:
                set_meta_in(conn, "mark", "second")
        except BaseException as exc:  # the test reports it below
            failures.append(exc)

    with store.engine.begin() as conn:
        set_meta_in(conn, "mark", "first")
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second is waiting on the first's row (PostgreSQL) or for the write lock (SQLite)
    other.join(timeout=60)
    assert not failures, failures
    assert store.get_meta("mark") == "second"


def test_record_ref_is_unique_within_a_source(store):
    with store.engine.begin() as conn:
        source_id = conn.execute(sources.insert().values(
            name="a.csv", kind="card", file_name="a.csv", file_sha256="x" * 64, encoding="utf-8",
            imported_at=dt.datetime.now(dt.UTC), row_count=1, quarantined_count=0, simulated=False,
        )).inserted_primary_key[0]
    row = dict(source_id=source_id, kind="card", record_ref="r1", file_name="a.csv", row_number=1,
               row_sha256="0" * 64, raw_json="{}", surname="Иванов")
    with store.engine.begin() as conn:
        conn.execute(records.insert().values(**row))
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(records.insert().values(**row))
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one() == 1


def test_a_store_newer_than_the_code_is_refused(store_url):
    open_store(store_url).close()
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(KartotekaError) as info:
        open_store(store_url)
    assert info.value.code == "store.too_new"
    assert "9999_from_the_future" in info.value.message
    assert "upgrade kartoteka" in info.value.hint


def test_sqlite_store_uses_wal(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'k.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16384
    store.close()


def test_unreachable_database_is_a_clear_error(tmp_path):
    with pytest.raises(KartotekaError) as info:
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'k.sqlite'}")
    assert info.value.code == "store.connect"
    assert "KARTOTEKA_DATABASE" in info.value.hint


def test_password_is_not_shown_in_errors():
    with pytest.raises(KartotekaError) as info:
        open_store("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nowhere")
    assert "s3cret" not in str(info.value)
    assert info.value.code == "store.connect"


def test_concurrent_first_opens_of_a_postgresql_store_all_succeed(pg_database):
    from concurrent.futures import ThreadPoolExecutor

    def open_and_count(_: int) -> int:
        store = open_store(pg_database)
        try:
            return len(sa.inspect(store.engine).get_table_names())
        finally:
            store.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        tables = list(pool.map(open_and_count, range(4)))
    assert all(count >= 5 for count in tables)
