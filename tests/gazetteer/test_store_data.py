"""The bundled data in the store: every reference row and source kept, the data version recorded, counts of
persons per camp from the records, unresolved places listed, a curator's fix kept with its note."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer import service
from kartoteka.gazetteer.data_files import DATA, data_version, read_tsv
from kartoteka.gazetteer.loading import VERSION_KEY, fix_place, load
from kartoteka.gazetteer.tables import gazetteer_camps, gazetteer_fixes

pytestmark = pytest.mark.xdist_group("gazetteer")


def test_every_row_and_column_of_the_reference_is_kept(hand_made):
    reference = read_tsv("camps_sources.tsv")
    with (DATA / "camps_sources.tsv").open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
    service.index_of(hand_made)
    assert hand_made.get_meta(VERSION_KEY) == data_version()
    with hand_made.engine.connect() as conn:
        rows = list(conn.execute(select(gazetteer_camps)))
    assert {row.reference_row for row in rows} == set(range(1, len(reference) + 1)), "a reference row is unused"
    for row in rows:
        kept = json.loads(row.reference_json)
        assert list(kept) == header and kept == reference[row.reference_row - 1]
        assert row.source_url == (kept["source_url"] or None)


def test_every_camp_number_names_a_camp_and_a_reference_wording():
    camps = {row["camp"] for row in read_tsv("camps.tsv")}
    numbers = read_tsv("camp_numbers.tsv")
    assert {row["camp"] for row in numbers} <= camps
    assert all(row["basis"] for row in numbers)
    # the two numbering systems that share numbers are both there, apart
    assert {("taishet_7", "soviet", "7"), ("posyet_7", "japanese_1947", "7")} <= {
        (row["camp"], row["system"], row["number"]) for row in numbers}


def test_places_say_where_their_coordinates_come_from():
    with (DATA / "places.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    located = [row for row in rows if row["geonames_id"]]
    assert len(located) >= 40
    for row in located:
        assert row["lat"] and row["lon"] and 0 < float(row["confidence"]) <= 1 and row["match"]
    wanted = read_tsv("places_in.tsv")  # places.tsv is built from it: rebuilt after every change to it
    assert [(r["place"], r["region"]) for r in rows] == [(r["place"], r["region"]) for r in wanted]
    assert [r["name_en"] for r in rows] == [r["names_en"].split(";")[0] for r in wanted]
    for row in rows:
        if not row["geonames_id"]:
            assert not row["lat"] and row["match"].startswith(("no GeoNames entry", "ambiguous"))


def test_counts_are_persons_from_the_records(hand_made):
    markers = {m.key: m for m in service.camp_markers(hand_made)}
    # c1, c2, c3 and c10 name Taishet; c1 and c10 are one person: 3 persons; c2 died there
    assert markers["taishet_7"].held == 3 and markers["taishet_7"].died == 1
    assert markers["vladivostok_13"].held == 1
    assert markers["suchan_11"].held == 1 and markers["suchan_11"].died == 1
    assert markers["posyet_7"].held == 1  # c6: 第7地区 in 1948; c7 (no date) counts nowhere
    assert markers["kivda_6011"].died == 1 and markers["kivda_6011"].held == 0
    assert markers["camp_5"].held == 1 and markers["camp_5"].died == 0  # c8 died at its sub-camp in Kivda
    assert markers["kivda_19"].died == 1
    assert markers["taishet_7"].coordinate is not None
    assert markers["taishet_7"].numbers[0] == {"system": "soviet", "number": "7", "from": None, "to": "1947",
                                                "basis": "under Angarlag from 1947"}
    # the year filter keeps the camps in use that year and those whose years the sources do not give
    in_1949 = {m.key for m in service.camp_markers(hand_made, year=1949)}
    assert "magadan_855" in in_1949 and "bukachacha_23" not in in_1949 and "vladivostok_13" in in_1949


def test_unresolved_places_are_listed_and_a_curators_fix_is_kept(hand_made):
    unresolved = {p["key"]: p for p in service.unresolved(hand_made)}
    assert "krasnaya_zarya" in unresolved and "taishet" not in unresolved
    zarya = unresolved["krasnaya_zarya"]
    assert zarya["coordinate"] is None and "buryat_6" in zarya["camps"]
    assert "geonames:542561" in zarya["match"]  # the Krasnaya Zarya GeoNames has is in another region
    assert service.resolve(hand_made, "Красная Заря").coordinate is None
    fix_place(hand_made, "krasnaya_zarya", 53.1, 119.2, "map sheet N-50 (test)", "SIMULATED fix for a test")
    assert "krasnaya_zarya" not in {p["key"] for p in service.unresolved(hand_made)}
    coordinate = service.resolve(hand_made, "Красная Заря").coordinate
    assert coordinate is not None and coordinate.source.startswith("curator:map sheet N-50 (test)")
    assert "SIMULATED fix for a test" in coordinate.source
    with hand_made.engine.begin() as conn:  # the other tests read Krasnaya Zarya unresolved: put it back
        conn.execute(gazetteer_fixes.delete())
    load(hand_made, force=True)
    fix_place(hand_made, "boguzey", 52.5, 117.0, "map sheet M-50 (test)", "SIMULATED fix for a test")
    load(hand_made, force=True)  # a reload of the bundled data keeps the fix
    shown = service.show(hand_made, "boguzey", "place")
    assert shown["fix"]["note"] == "SIMULATED fix for a test" and shown["fix"]["lat"] == 52.5
    assert "boguzey" not in {p["key"] for p in service.unresolved(hand_made)}
    with pytest.raises(KartotekaError) as wrong:
        fix_place(hand_made, "krasnaya_zaria", 53.1, 119.2, "x", "y")
    assert wrong.value.code == "gazetteer.not_found" and "krasnaya_zarya" in wrong.value.hint
    with pytest.raises(KartotekaError) as bad:
        fix_place(hand_made, "kivda", 95.0, 10.0, "x", "y")
    assert bad.value.code == "gazetteer.coordinate"
    with pytest.raises(KartotekaError):
        fix_place(hand_made, "kivda", 50.0, 10.0, "x", " ")


def test_the_record_texts_that_name_no_camp_are_listed(hand_made):
    texts = {(row["field"], row["text"]): row for row in service.unresolved_in_store(hand_made)}
    assert ("camp", "Какой-то лагерь") in texts and ("camp", "第7地区") in texts  # undated, it stays ambiguous
    assert "ambiguous" in " ".join(texts[("camp", "第7地区")]["reasons"])
    # c7 only: c6 gives 1948, when the number can only be the Japanese district 7 (Posyet), and is resolved
    assert texts[("camp", "第7地区")]["records"] == 1
    assert not any(field == "camp" and "Тайшет" in text for field, text in texts)


def test_a_load_is_idempotent_and_loads_once(hand_made):
    first = load(hand_made)
    with hand_made.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(gazetteer_camps)).scalar()
    again = load(hand_made)
    with hand_made.engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(gazetteer_camps)).scalar()
    assert first == again and before == after == first["camps"]
