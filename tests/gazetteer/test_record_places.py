"""The stored resolution of each record's camp, death place and burial texts (``record_places``): written by the
importer in its transaction, made again by `kartoteka gazetteer load` for a store that predates it or whose
resolutions are stale, read by the counts and the route; on SQLite and PostgreSQL.

Every row here is SIMULATED (hand-written cards, not real people)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, update

from kartoteka.gazetteer import record_places, service
from kartoteka.gazetteer.resolver import Index
from kartoteka.gazetteer.tables import record_places as record_places_table
from kartoteka.ingest import import_file
from kartoteka.store import Store, meta, open_store, records, sources

COLUMNS = ["record_ref", "surname", "given_name", "camp", "event_date", "capture_date", "death_date", "death_place",
           "burial_site", "burial_place"]
# record_ref, camp, event_date, capture_date, death_date, death_place, burial_site, burial_place
CARDS = [
    ("t46", "Тайшетский лагерь № 7", "1946-02-01", "", "", "", "", ""),
    ("t48", "Тайшетский лагерь № 7", "1948-05-01", "", "", "", "", ""),  # camp 7 was under Angarlag from 1947
    ("d48", "第7地区", "1948-05-01", "", "", "", "", ""),
    ("d46", "第7地区", "1946-02-01", "", "", "", "", ""),
    ("d00", "第7地区", "", "", "", "", "", ""),
    ("x", "Какой-то лагерь", "", "", "", "", "", ""),
    ("died", "7", "", "1945-08", "1946-01-20", "Тайшет", "кладбище № 2", "Тайшет"),
    ("c8a", "лагерь № 8", "", "1945-09", "", "", "", ""),  # camp 8 closed March 1946
    ("c8b", "лагерь № 8", "1947", "", "", "", "", ""),
    ("none", "   ", "", "", "", "", "", ""),
]


def _write(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for ref, camp, event, capture, death, death_place, site, place in rows:
            writer.writerow([ref, "Ямада", "Таро", camp, event, capture, death, death_place, site, place])
    return path


def _stored(store: Store) -> dict[tuple[str, str], Any]:
    """(record_ref, field) -> the stored row, with the camp's and the place's keys."""
    index = service.index_of(store)
    t = record_places_table.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(records.c.record_ref, t.field, t.text, t.on_date, t.place_id, t.camp_id,
                                   t.confidence, t.method)
                            .join(records, records.c.id == t.record_id))
        return {(row.record_ref, row.field): {
            "text": row.text, "on": row.on_date, "method": row.method, "confidence": row.confidence,
            "camp": index.camps[row.camp_id].key if row.camp_id is not None else None,
            "place": index.places[row.place_id].key if row.place_id is not None else None} for row in rows}


@pytest.fixture
def imported(store_url: str, tmp_path: Path) -> Store:
    store = open_store(store_url)
    result = import_file(store, "card", _write(tmp_path / "cards.csv", CARDS))
    assert result.rows_imported == len(CARDS) and result.place_texts == 11
    yield store
    store.close()


def test_the_importer_keeps_each_text_beside_what_it_resolved_to_on_its_date(imported):
    stored = _stored(imported)
    assert stored[("t46", "camp")] == {"text": "Тайшетский лагерь № 7", "on": "1946-02-01", "method": "number+name",
                                       "confidence": stored[("t46", "camp")]["confidence"], "camp": "taishet_7",
                                       "place": "taishet"}
    # in 1948 the number 7 was no longer the Taishet camp's: the town's name alone decides
    assert (stored[("t48", "camp")]["camp"], stored[("t48", "camp")]["method"]) == ("taishet_7", "name")
    # 第7地区 is the Japanese 1947 district 7, Posyet (camps_sources.tsv), never the Soviet camp 7: when the Soviet
    # number was no longer in use the date decides; before, or without a date, it stays unresolved (both named)
    assert stored[("d48", "camp")] | {"confidence": 0} == {
        "text": "第7地区", "on": "1948-05-01", "method": "number", "confidence": 0, "camp": "posyet_7",
        "place": "posyet"}
    for ref, on in (("d46", "1946-02-01"), ("d00", None)):
        assert stored[(ref, "camp")] == {"text": "第7地区", "on": on, "method": "ambiguous", "confidence": 0.0,
                                         "camp": None, "place": None}
    assert not any(row["camp"] == "taishet_7" for row in stored.values() if row["text"] == "第7地区")
    assert stored[("x", "camp")] == {"text": "Какой-то лагерь", "on": None, "method": "unresolved",
                                     "confidence": 0.0, "camp": None, "place": None}
    # the camp's date: the card's, else the capture's, else the death's; death place and burial: the death's
    assert stored[("died", "camp")]["on"] == "1945-08-01" and stored[("died", "camp")]["camp"] == "taishet_7"
    assert stored[("died", "death_place")] | {"confidence": 0} == {
        "text": "Тайшет", "on": "1946-01-20", "method": "name", "confidence": 0, "camp": "taishet_7",
        "place": "taishet"}
    assert stored[("died", "burial")]["text"] == "кладбище № 2, Тайшет"
    assert stored[("c8a", "camp")]["camp"] == "camp_8" and stored[("c8b", "camp")]["camp"] is None
    assert ("none", "camp") not in stored  # blanks are no text
    assert len(stored) == 11


def test_the_text_as_written_stays_in_the_record(imported):
    with imported.engine.connect() as conn:
        kept = {row.record_ref: (row.camp, row.death_place, row.burial_site, row.burial_place)
                for row in conn.execute(select(records))}
    for ref, camp, _event, _capture, _death, death_place, site, place in CARDS:
        # (the importer stores a blank cell as NULL, as it always did)
        assert kept[ref] == tuple((value.strip() and value) or None for value in (camp, death_place, site, place)), ref


def test_unresolved_texts_are_listed_with_how_many_records_hold_them(imported):
    texts = {(row["field"], row["text"]): row for row in service.unresolved_in_store(imported)}
    assert texts[("camp", "第7地区")]["records"] == 2  # d46 and d00; d48 resolved
    assert "ambiguous" in " ".join(texts[("camp", "第7地区")]["reasons"])
    assert texts[("camp", "Какой-то лагерь")]["records"] == 1
    assert texts[("camp", "лагерь № 8")]["records"] == 1
    assert "closed March 1946" in " ".join(texts[("camp", "лагерь № 8")]["reasons"])  # at c8b's date
    assert ("camp", "Тайшетский лагерь № 7") not in texts


def test_each_text_is_resolved_once_per_span_of_days_not_per_record(store_url, tmp_path, monkeypatch):
    calls: list[tuple[str, dt.date | None]] = []
    real = Index.resolve

    def counted(self: Index, text: str, on: dt.date | None = None) -> Any:
        calls.append((text, on))
        return real(self, text, on)

    monkeypatch.setattr(Index, "resolve", counted)
    days = [dt.date(1946, 1, 1) + dt.timedelta(days=n) for n in range(200)]  # all before any 1946-03 change
    rows = [(f"r{n}", "лагерь № 7", day.isoformat(), "", "", "", "", "") for n, day in enumerate(days)]
    rows += [(f"s{n}", "лагерь № 8", day.isoformat(), "", "", "", "", "") for n, day in enumerate(days)]
    with open_store(store_url) as store:
        result = import_file(store, "card", _write(tmp_path / "many.csv", rows))
        assert result.place_texts == 400
        stored = _stored(store)
        spans = len({service.index_of(store).period(day) for day in days})
    # each text once per span of days between two changes in the gazetteer's dates (camp 8 closed in March
    # 1946: at least two spans), not once per record or per day
    assert 2 <= spans <= 6
    assert sorted(text for text, _on in calls) == ["лагерь № 7"] * spans + ["лагерь № 8"] * spans
    assert {stored[(f"s{n}", "camp")]["camp"] for n, day in enumerate(days) if day <= dt.date(1946, 3, 31)} \
        == {"camp_8"}
    assert {stored[(f"s{n}", "camp")]["camp"] for n, day in enumerate(days) if day > dt.date(1946, 3, 31)} == {None}
    assert stored[("s5", "camp")]["on"] == days[5].isoformat()  # each record keeps its own date


def _insert_without_the_importer(store: Store, rows: list[tuple[str, str, str | None]],
                                 death_place: str | None = None) -> None:
    """Records written straight into the table (as a store made before the gazetteer was, or a test)."""
    with store.engine.begin() as conn:
        source = conn.execute(insert(sources).values(
            name="hand (SIMULATED)", kind="card", file_name="hand.csv", file_sha256=f"hand-{rows[0][0]}",
            imported_at=dt.datetime.now(dt.UTC), row_count=len(rows), quarantined_count=0, simulated=True,
        )).inserted_primary_key[0]
        conn.execute(insert(records), [{
            "source_id": source, "kind": "card", "record_ref": ref, "file_name": "hand.csv", "row_number": n,
            "row_sha256": ref, "raw_json": "{}", "surname": "Ямада", "camp": camp, "event_date": when,
            "death_place": death_place}
            for n, (ref, camp, when) in enumerate(rows)])


def test_gazetteer_load_resolves_a_store_made_before_it_and_what_is_stale(store_url):
    with open_store(store_url) as store:
        _insert_without_the_importer(store, [("a", "лагерь № 8", "1946-01-10"), ("b", "Сучан", None)])
        assert _stored(store) == {}
        summary = service.load(store)
        assert summary["all_records"] and summary["records_resolved"] == 2
        assert _stored(store)[("a", "camp")]["camp"] == "camp_8"
        # a record added without the importer: the next load resolves it alone, each of its fields
        _insert_without_the_importer(store, [("c", "Тайшет", None)], death_place="Сучан")
        summary = service.load(store)
        assert (summary["all_records"], summary["records_resolved"]) == (False, 2)
        assert _stored(store)[("c", "death_place")]["camp"] == "suchan_11"
        # rows made by another version of the data or the resolver are made again, whatever they said
        with store.engine.begin() as conn:
            conn.execute(update(record_places_table).values(camp_id=None, method="unresolved"))
            conn.execute(update(meta).where(meta.c.key == record_places.META_KEY).values(value="0ld0ld0ld0ld 99"))
        assert service.load(store)["all_records"]
        stored = _stored(store)
        assert {key: row["camp"] for key, row in stored.items()} == {
            ("a", "camp"): "camp_8", ("b", "camp"): "suchan_11", ("c", "camp"): "taishet_7",
            ("c", "death_place"): "suchan_11"}
        summary = service.load(store, force=True)
        assert (summary["all_records"], summary["records_resolved"]) == (True, 4)
        assert _stored(store) == stored


def test_the_readers_bring_the_rows_up_to_date_themselves(store_url):
    with open_store(store_url) as store:
        _insert_without_the_importer(store, [("a", "Тайшетский лагерь № 7", "1946-02-01")])
        markers = {m.key: m for m in service.camp_markers(store)}
        assert markers["taishet_7"].held == 1
        assert record_places.is_current(store)


def test_a_record_written_between_two_imports_is_not_skipped(store_url, tmp_path):
    with open_store(store_url) as store:
        import_file(store, "card", _write(tmp_path / "one.csv", CARDS[:1]))
        assert record_places.is_current(store)
        _insert_without_the_importer(store, [("between", "Сучан", None)])
        import_file(store, "card", _write(tmp_path / "two.csv", CARDS[1:2]))
        assert not record_places.is_current(store)  # the mark stays before the record in between
        assert service.load(store)["records_resolved"] == 1
        assert set(_stored(store)) == {("t46", "camp"), ("between", "camp"), ("t48", "camp")}


def test_an_import_into_an_older_store_leaves_its_records_to_the_next_load(store_url, tmp_path):
    with open_store(store_url) as store:
        _insert_without_the_importer(store, [("old", "Сучан", None)])
        import_file(store, "card", _write(tmp_path / "cards.csv", CARDS[:1]))
        assert set(_stored(store)) == {("t46", "camp")}  # the import resolved its own records only
        assert not record_places.is_current(store)
        service.load(store)
        assert set(_stored(store)) == {("t46", "camp"), ("old", "camp")}
        assert record_places.is_current(store)


def test_a_curators_fix_shows_through_the_stored_resolution(store_url, tmp_path):
    rows = [("k", "№ 5", "", "", "1946-02-10", "Кивда", "", "")]
    with open_store(store_url) as store:
        import_file(store, "card", _write(tmp_path / "kivda.csv", rows))
        with store.engine.connect() as conn:
            record_id = conn.execute(select(records.c.id)).scalar_one()
        before = service.stored_resolutions(store, [("death_place", "Кивда", [record_id])])[0]
        assert before is not None and before.place_key == "kivda" and before.coordinate is None
        service.fix(store, "kivda", 51.7, 131.2, "test sheet (SIMULATED)", "a test")
        after = service.stored_resolutions(store, [("death_place", "Кивда", [record_id])])[0]
        assert after is not None and after.coordinate is not None and after.coordinate.lat == 51.7
        assert after.coordinate.source.startswith("curator:test sheet")
        assert service.stored_resolutions(store, [("camp", "Кивда", [record_id])]) == [None]


def test_the_count_of_rows_is_the_count_of_texts(imported):
    with imported.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(record_places_table)).scalar()
        texts = sum(conn.execute(select(func.count()).where(column.is_not(None), func.trim(column) != ""))
                    .scalar() for column in (records.c.camp, records.c.death_place))
        burials = conn.execute(select(func.count()).where(
            (records.c.burial_site.is_not(None)) | (records.c.burial_place.is_not(None)))).scalar()
    assert rows == texts + burials


TEXTS = ["лагерь № 7", "第7地区", "лагерь 53", "лагерь № 8", "№ 16", "Тайшет", "Находка", "лагерь № 255",
         "Kivda burial site No.6011", "Сучан", "лагерь № 31"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.sampled_from(TEXTS), first=st.dates(dt.date(1944, 1, 1), dt.date(1957, 12, 31)),
       offset=st.integers(0, 4000))
def test_two_days_of_one_span_resolve_alike(imported, text, first, offset):
    index = service.index_of(imported)
    period = index.period(first)
    last = index.boundaries[period] - dt.timedelta(days=1) if period < len(index.boundaries) else dt.date(1999, 1, 1)
    start = index.boundaries[period - 1] if period > 0 else dt.date(1900, 1, 1)
    other = start + dt.timedelta(days=offset % ((last - start).days + 1))
    assert index.period(other) == period

    def what(found: Any) -> tuple[Any, ...]:
        return found.place_id, found.camp_id, found.confidence, found.method, found.candidates

    assert what(index.resolve(text, first)) == what(index.resolve(text, other))


def test_rows_of_records_deleted_by_other_means_give_way_to_the_records_that_take_their_ids(store_url, tmp_path):
    with open_store(store_url) as store:
        import_file(store, "card", _write(tmp_path / "one.csv", CARDS[:2]))
        with store.engine.begin() as conn:  # nothing in kartoteka deletes records: a hand at the database does
            conn.execute(records.delete())
            conn.execute(sources.delete())
        import_file(store, "card", _write(tmp_path / "two.csv", CARDS[2:4]))
        assert set(_stored(store)) == {("d48", "camp"), ("d46", "camp")}


PIECES = st.sampled_from(["Тайшет", "лагерь № 7", "第7地区", "кладбище № 2", "Kivda", " ", "a, b", "Сучан", "7"])
DATES_AS_WRITTEN = st.sampled_from(["", "1946", "1946-03", "1946-03-31", "1946-04-01", "1948-05-01",
                                    "1950-10-19", "1950-10-20", "1945-12-01/1946-02-28"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(PIECES, DATES_AS_WRITTEN, DATES_AS_WRITTEN, DATES_AS_WRITTEN, PIECES, PIECES,
                               PIECES), min_size=1, max_size=12))
def test_the_importers_texts_are_those_the_store_finds_again(store_url, tmp_path_factory, rows):
    """The importer gathers the texts as it writes them (in Python); `gazetteer load --force` reads them from the
    records (in SQL): the same rows either way."""
    folder = tmp_path_factory.mktemp("same")
    cards = [(f"r{n}", *row) for n, row in enumerate(rows)]
    with open_store(store_url) as store:
        import_file(store, "card", _write(folder / "cards.csv", cards))
        by_import = _stored(store)
        service.load(store, force=True)
        assert _stored(store) == by_import
        with store.engine.begin() as conn:
            for table in (record_places_table, records, sources, meta):
                conn.execute(table.delete())
