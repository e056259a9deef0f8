"""`kartoteka backup` and `kartoteka restore`: round trips on both backends and across them, refusals.

The stores are hand-made: every table of the schema (reflected, so tables added by later migrations are filled
too) gets a few rows of awkward values (Unicode of every script, right-to-left marks, a NUL on SQLite, 64-bit
integers, floats that must not round, microseconds, booleans, NULLs, JSON text). The tables the issue names
(records, quarantine, runs, persons, decisions) must have rows, and the comparison is table by table, row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, create_engine, func, insert, select, types
from sqlalchemy.exc import IntegrityError

from kartoteka.core.errors import KartotekaError
from kartoteka.store import alembic_config, open_store, sources
from kartoteka.store.backup import backup
from kartoteka.store.restore import restore

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

NAMED_TABLES = ("sources", "records", "quarantine", "meta", "link_runs", "persons", "person_records",
                "match_pairs", "decisions", "record_places")
TEXTS = ["Ямада Таро 山田太郎 やまだ", "\u202eRTL override\u202c and עברית", "emoji 🎌🙂 and 𠮷", "",
         '{"json": ["text", 1, null], "quote": "\\""}', "a" * 3000]
FLOATS = [0.1, -2.5e-300, 1.7976931348623157e308, 1 / 3]
BIG = 2**53 + 1  # not exact as a double: JSON through floats would lose it


@pytest.fixture
def other_url(request: pytest.FixtureRequest, tmp_path: Path, pg_admin_url: str) -> Iterator[str]:
    """A second empty store (beside `store_url`), on the backend the test's parameter names."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    import psycopg

    name = f"kt_test_{uuid.uuid4().hex}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(conn: Any) -> list[Table]:
    reflected = MetaData()
    reflected.reflect(conn)
    return [table for table in reflected.sorted_tables if table.name != "alembic_version"]


def _value(column: Any, row: int, text_of: list[str], model: Path) -> Any:
    kind = column.type
    if column.name == "model_path":
        return str(model)
    if isinstance(kind, types.Boolean):
        return row % 2 == 0
    if isinstance(kind, types.Integer):
        if column.primary_key or column.foreign_keys or row < 3:
            return row
        return BIG + row if isinstance(kind, types.BigInteger) else 2**31 - row  # 32-bit columns: their limit
    if isinstance(kind, types._Binary):  # every byte value, NUL included
        return bytes(range(256)) + bytes([row])
    if isinstance(kind, types.Float):
        return FLOATS[row % len(FLOATS)]
    if isinstance(kind, types.DateTime):
        return dt.datetime(2026, 12, 7, 9, row, 5, 123456 + row, tzinfo=dt.UTC)
    if isinstance(kind, types.Date):
        return dt.date(1945, 8, row + 1)
    return f"{text_of[row % len(text_of)]} #{row} {column.name}"


def fill(url: str, model: Path, nul: bool) -> dict[str, int]:
    """A few rows in every table of the store's schema; NULL in every nullable column of the last row; a foreign
    key takes the value of the row it refers to. A table added later whose own rules (a CHECK) refuse these rows
    is left empty (in a savepoint), but the tables the issue names must all be filled."""
    store = open_store(url)
    text_of = [f"{text} NUL \x00 inside" for text in TEXTS] if nul else TEXTS
    counts: dict[str, int] = {}
    made: dict[str, list[dict[str, Any]]] = {}
    try:
        with store.engine.begin() as conn:
            for table in _tables(conn):
                rows = [{column.name: _filled(column, row, text_of, model, made) for column in table.columns}
                        for row in range(1, 5)]
                try:
                    with conn.begin_nested():
                        conn.execute(insert(table), rows)
                except IntegrityError:
                    continue
                counts[table.name] = len(rows)
                made[table.name] = rows
            # and the rows the store's triggers wrote (migration 0170's change marks in meta)
            counts = {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                      for table in _tables(conn) if (name := table.name) in counts}
    finally:
        store.close()
    assert set(NAMED_TABLES) <= set(counts)
    return counts


def _filled(column: Any, row: int, text_of: list[str], model: Path, made: dict[str, list[dict[str, Any]]]) -> Any:
    for key in column.foreign_keys:
        parent = made.get(key.column.table.name)
        if parent:
            return parent[row - 1][key.column.name]
    if row == 4 and column.nullable and not column.primary_key:
        return None
    return _value(column, row, text_of, model)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, with time zones folded to UTC wall time (SQLite keeps no zone)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: sorted((tuple(_plain(v) for v in row) for row in conn.execute(select(table))),
                                       key=repr)
                    for table in _tables(conn)}
    finally:
        engine.dispose()


def _model(folder: Path) -> Path:
    model = folder / "runs" / "run-1-model.json"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_text(json.dumps({"m": [0.1, 0.9], "simulated": True}), encoding="utf-8")
    (model.parent / "readings-cache.json").write_text('{"ヤマダ": ["yamada"]}', encoding="utf-8")
    (model.parent / "scratch.partial").write_text("a file being written: not kept", encoding="utf-8")
    return model


@pytest.mark.parametrize("other_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True, ids=["to-sqlite", "to-postgresql"])
def test_round_trip_gives_back_every_table_row_by_row(store_url, other_url, tmp_path):
    model = _model(tmp_path)
    counts = fill(store_url, model, nul=store_url.startswith("sqlite") and other_url.startswith("sqlite"))
    out = tmp_path / "store.zip"
    source = open_store(store_url)
    # PostgreSQL gives times in the session's zone: the backup writes UTC whatever the zone of its connection
    tokyo = store_url if store_url.startswith("sqlite") else store_url + "?options=-c%20timezone%3DAsia/Tokyo"
    try:  # once the backup has begun its snapshot, another writer commits a row to a later table (meta)
        written = backup(tokyo, out, progress=lambda _message: source.get_meta("meanwhile") or source.set_meta(
            "meanwhile", "committed while the backup ran: not in it"))
        assert source.get_meta("meanwhile") is not None
    finally:
        source.close()
    counts["meta"] += 1
    assert written.tables == {**counts, "meta": counts["meta"] - 1}  # one snapshot
    assert written.files == 2 and written.missing_files == []  # the model and the reading cache beside it

    summary = restore(other_url, out, runs_dir=tmp_path / "restored-runs")
    assert summary.tables == written.tables
    if other_url.startswith("postgresql"):  # statistics for the planner of every table that holds rows
        restored = open_store(other_url)
        try:
            with restored.engine.connect() as conn:
                analyzed = set(conn.exec_driver_sql("SELECT DISTINCT tablename FROM pg_stats "
                                                    "WHERE schemaname = current_schema()").scalars())
        finally:
            restored.close()
        assert {name for name, rows in written.tables.items() if rows} <= analyzed
    before, after = dump(store_url), dump(other_url)
    before["meta"] = [row for row in before["meta"] if row[0] != "meanwhile"]
    assert before.keys() == after.keys()
    moved = tmp_path / "restored-runs" / model.name
    assert moved.read_bytes() == model.read_bytes()
    assert sorted(path.name for path in moved.parent.iterdir()) == ["readings-cache.json", "run-1-model.json"]
    for name in before:
        if name == "link_runs":  # the model moved with the store: model_path names its new place
            column = [c.name for c in _tables_by_name(other_url)["link_runs"].columns].index("model_path")
            assert {row[column] for row in after[name]} == {str(moved), None}
            after[name] = sorted(((*row[:column], row[column] and str(model), *row[column + 1:])
                                  for row in after[name]), key=repr)
        assert after[name] == before[name], name

    # the same data backs up to the same checksums, whichever backend holds it
    again = tmp_path / "again.zip"
    backup(other_url, again)
    first, second = _manifest(out), _manifest(again)
    sums = {entry["name"]: entry["sha256"] for entry in second["tables"] if entry["name"] != "link_runs"}
    assert {e["name"]: e["sha256"] for e in first["tables"] if e["name"] != "link_runs"} == sums

    # new rows continue past the restored ids (PostgreSQL's sequences were advanced)
    store = open_store(other_url)
    try:
        with store.engine.begin() as conn:
            new_id = conn.execute(insert(sources).values(
                name="new", kind="x", file_name="f", file_sha256="new", imported_at=dt.datetime.now(dt.UTC),
                row_count=0, quarantined_count=0, simulated=True).returning(sources.c.id)).scalar_one()
            assert new_id == conn.execute(select(func.max(sources.c.id))).scalar_one() == counts["sources"] + 1
    finally:
        store.close()


def _tables_by_name(url: str) -> dict[str, Table]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: table for table in _tables(conn)}
    finally:
        engine.dispose()


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def _rewrite(source: Path, target: Path, change: Any) -> None:
    """Copy a backup, passing each member's bytes through change(name, data) (a valid ZIP, CRCs and all)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))


def _nothing_there(url: str) -> None:
    if url.startswith("sqlite"):
        assert not Path(url.split("///", 1)[1]).exists()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert _tables(conn) == []
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def a_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of a filled SQLite store, made once for the module (the tests below only read it)."""
    folder = tmp_path_factory.mktemp("a-backup")
    url = f"sqlite:///{folder / 'source.sqlite'}"
    fill(url, _model(folder), nul=False)
    out = folder / "store.zip"
    backup(url, out)
    return out


def _damaged(kind: str, good: Path, bad: Path) -> str:
    """Make a damaged copy; return the words the refusal must contain."""
    data = good.read_bytes()
    if kind == "truncated":
        bad.write_bytes(data[: len(data) // 2])
        return "truncated"
    if kind == "flipped":  # a byte inside the records' compressed data
        with zipfile.ZipFile(good) as archive:
            info = archive.getinfo("tables/records.jsonl")
        at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
        bad.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:])
        return "records"
    if kind == "edited":  # a valid archive whose data no longer matches the manifest's checksum
        _rewrite(good, bad, lambda name, body: body.replace(b"RTL override", b"LTR override")
                 if name == "tables/records.jsonl" else body)
        return "SHA-256"
    _rewrite(good, bad, lambda name, body: body.replace(b'"rows": 4', b'"rows": 3', 1)  # "missing row"
             if name == "manifest.json" else body)
    return "rows"


def test_refusals_leave_the_store_as_it_was(store_url, a_backup, tmp_path):
    """A damaged backup (truncated, a flipped byte, edited data, a wrong count) and one from a newer schema are
    refused with nothing written; then a store that holds anything is refused and keeps what it holds."""
    for kind in ("truncated", "flipped", "edited", "miscounted"):
        bad = tmp_path / f"{kind}.zip"
        words = _damaged(kind, a_backup, bad)
        with pytest.raises(KartotekaError) as caught:
            restore(store_url, bad, runs_dir=tmp_path / "runs-out")
        assert caught.value.code == "backup.corrupt", kind
        assert words in str(caught.value) and "nothing was restored" in caught.value.hint, kind
        _nothing_there(store_url)
        assert not (tmp_path / "runs-out" / "run-1-model.json").exists()

    newer = tmp_path / "newer.zip"
    _rewrite(a_backup, newer, lambda name, body: body.replace(b'"schema_revision": "', b'"schema_revision": "9', 1)
             if name == "manifest.json" else body)
    with pytest.raises(KartotekaError) as caught:
        restore(store_url, newer)
    assert caught.value.code == "backup.too_new"
    _nothing_there(store_url)

    store = open_store(store_url)
    store.set_meta("greeting", "hello")
    store.close()
    with pytest.raises(KartotekaError) as caught:
        restore(store_url, a_backup, runs_dir=tmp_path / "runs-out")
    assert caught.value.code == "backup.not_empty"
    assert "meta" in str(caught.value) and "new" in caught.value.hint
    store = open_store(store_url)
    assert store.get_meta("greeting") == "hello"
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sources)).scalar_one() == 0
    store.close()


def test_an_older_backup_is_restored_then_migrated(store_url, tmp_path):
    """A backup of a store at revision 0120 (before the search index) into an empty store at head: the empty
    store is taken back to 0120, the rows go in, and the schema is upgraded again."""
    old_url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(old_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0120")
    engine.dispose()
    engine = create_engine(old_url)
    with engine.begin() as conn:
        conn.execute(insert(sources), [{"name": "old", "kind": "card", "file_name": "a.csv", "file_sha256": "s",
                                        "imported_at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "row_count": 0,
                                        "quarantined_count": 0, "simulated": True}])
    engine.dispose()
    out = tmp_path / "old.zip"
    assert backup(old_url, out).revision == "0120"
    open_store(store_url).close()  # an empty store at this version's head
    summary = restore(store_url, out)
    assert (summary.backup_revision, summary.tables["sources"]) == ("0120", 1)
    assert summary.revision != "0120" and "search_index" in _tables_by_name(store_url)
    assert open_store(store_url).is_simulated() is False


def test_cli_backup_and_restore(tmp_path, capsys):
    from kartoteka.cli import main

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    fill(url, _model(tmp_path), nul=False)
    main(["--quiet", "--database", str(tmp_path / "cli.sqlite"), "backup", str(tmp_path / "cli.zip")])
    assert "backup written" in capsys.readouterr().out
    main(["--quiet", "restore", str(tmp_path / "cli.zip"), "--database", str(tmp_path / "back.sqlite")])
    output = capsys.readouterr().out
    assert "restored" in output and "sqlite" in output
    assert (tmp_path / "back-runs" / "run-1-model.json").exists()  # beside the store, where `link` puts runs
    with pytest.raises(SystemExit):
        main(["restore", str(tmp_path / "cli.zip"), "--database", str(tmp_path / "back.sqlite")])
    assert "backup.not_empty" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_failing_insert_rolls_everything_back(tmp_path, pg_database):
    """A NUL in a text (SQLite keeps it, PostgreSQL cannot): the restore fails on PostgreSQL, and rolls back."""
    url = f"sqlite:///{tmp_path / 'nul.sqlite'}"
    fill(url, _model(tmp_path), nul=True)
    backup(url, tmp_path / "nul.zip")
    with pytest.raises(KartotekaError) as caught:
        restore(pg_database, tmp_path / "nul.zip", runs_dir=tmp_path / "runs-out")
    assert caught.value.code == "backup.restore_failed" and "NUL" in str(caught.value)
    _nothing_there(pg_database)
    assert not (tmp_path / "runs-out" / "run-1-model.json").exists()

