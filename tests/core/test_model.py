"""The domain model: vocabularies, Record mirroring the store, and the reference-data rows."""

from __future__ import annotations

import csv
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kartoteka.core.dates import PartialDate
from kartoteka.core.errors import KartotekaError
from kartoteka.core.model import (
    FATES,
    RECORD_COLUMNS,
    RECORD_KINDS,
    Camp,
    Decision,
    Estimate,
    Event,
    Person,
    Record,
    Source,
    camp_numbers,
    cli_kind,
    normalize_fate,
    normalize_kind,
)

REFERENCE = Path("/work/shared/reference")


def test_vocabularies_are_the_agreed_ones():
    assert RECORD_KINDS == ("card", "personal_file", "death_roster", "jp_roster", "manifest", "burial")
    assert FATES == ("died", "repatriated", "remained", "transferred_to_china", "unknown")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("card", "card"), ("personal-file", "personal_file"), ("personal_file", "personal_file"),
        ("Personal File", "personal_file"), ("DEATH-ROSTER", "death_roster"), (" jp-roster ", "jp_roster"),
        ("manifest", "manifest"), ("burial", "burial"),
    ],
)
def test_normalize_kind_accepts_hyphens_underscores_and_case(text, kind):
    assert normalize_kind(text) == kind


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_cli_kind_and_normalize_kind_are_inverse(kind):
    assert normalize_kind(cli_kind(kind)) == kind
    assert "_" not in cli_kind(kind)


@pytest.mark.parametrize("text", ["letter", "", "cards", "personal file x"])
def test_an_unknown_kind_lists_the_known_kinds(text):
    with pytest.raises(KartotekaError) as caught:
        normalize_kind(text)
    message = caught.value.message
    assert repr(text) in message
    for kind in ("card", "personal-file", "death-roster", "jp-roster", "manifest", "burial"):
        assert kind in message
    assert caught.value.code.startswith("usage")


@pytest.mark.parametrize(
    ("text", "fate"),
    [("died", "died"), ("Transferred to China", "transferred_to_china"), ("", "unknown"), (None, "unknown")],
)
def test_normalize_fate(text, fate):
    assert normalize_fate(text) == fate


def test_an_unknown_fate_lists_the_fates():
    with pytest.raises(KartotekaError) as caught:
        Person(fate="escaped")
    assert "repatriated" in caught.value.message and "transferred_to_china" in caught.value.message


def test_record_mirrors_the_store_records_table():
    expected = {
        "id", "source_id", "kind", "record_ref", "file_name", "row_number", "row_sha256", "raw_json", "surname",
        "given_name", "patronymic", "name_original", "script", "birth_date", "birth_year", "birth_place",
        "prefecture", "occupation", "rank", "unit", "camp", "lagpunkt", "capture_date", "capture_place",
        "death_date", "death_place", "burial_place", "burial_site", "grave_number", "ship", "departure_port",
        "arrival_port", "event_date", "archive_ref", "scan_ref", "extra_json",
    }
    assert set(RECORD_COLUMNS) == expected


def test_record_columns_match_the_store_schema_when_it_exists():
    schema = pytest.importorskip("kartoteka.store.schema")
    assert set(RECORD_COLUMNS) == {column.name for column in schema.records.columns}


def test_record_round_trips_through_a_row_and_reads_its_dates():
    record = Record(
        kind="personal-file", record_ref="f1:2", file_name="f1.csv", row_number=2, surname="Ямада",
        given_name="Таро", birth_year=1920, death_date="1946-01-21/1946-01-31", capture_date="1945-08",
    )
    assert record.kind == "personal_file"
    row = record.to_row()
    assert "id" not in row
    assert Record.from_row({**row, "not_a_column": 1}) == record
    assert record.birth == PartialDate.of(1920)
    assert record.death.precision == "dekad"
    assert record.capture == PartialDate.of(1945, 8)
    assert record.event is None
    assert record.display_name == "Ямада Таро"
    with pytest.raises(FrozenInstanceError):
        record.surname = "x"  # type: ignore[misc]


def test_record_with_an_unknown_kind_is_rejected():
    with pytest.raises(KartotekaError):
        Record(kind="letter", record_ref="1")


def test_source_normalizes_its_kind():
    source = Source(name="cards", kind="death-roster", file_name="a.csv", file_sha256="0" * 64)
    assert source.kind == "death_roster"


def test_person_display_name_prefers_kanji_then_kana_then_romaji_then_cyrillic():
    assert Person(name_cyrillic="Ямада", name_kana="ヤマダ", name_kanji="山田").display_name == "山田"
    assert Person(name_cyrillic="Ямада", name_kana="ヤマダ").display_name == "ヤマダ"
    assert Person(name_cyrillic="Ямада").display_name == "Ямада"
    assert Person().fate == "unknown"


def test_event_kinds_are_checked_and_normalized():
    event = Event(kind="Transfer to China", date=PartialDate.of(1950, 7))
    assert event.kind == "transfer_to_china"
    with pytest.raises(KartotekaError):
        Event(kind="holiday")


def test_decision_vocabulary_and_two_records():
    decision = Decision(record_id_l=1, record_id_r=2, decision="same", decided_at=datetime.now(UTC))
    assert decision.active
    with pytest.raises(KartotekaError):
        Decision(record_id_l=1, record_id_r=2, decision="maybe")
    with pytest.raises(KartotekaError):
        Decision(record_id_l=3, record_id_r=3, decision="not_same")


@pytest.mark.parametrize(
    ("label", "numbers"),
    [
        ("7", [("gupvi", "7")]),
        ("32 (ex-255)", [("gupvi", "32"), ("gupvi_former", "255")]),
        ("JP-district 12", [("jp_district", "12")]),
        ("379 (repatriation)", [("gupvi", "379")]),
        ("", []),
    ],
)
def test_camp_numbers_reads_the_numbering_systems(label, numbers):
    assert [(n.system, n.number) for n in camp_numbers(label)] == numbers


def test_camp_is_active_only_within_its_validity():
    camp = Camp(number="7", valid_from=PartialDate.of(1945, 9), valid_to=PartialDate.of(1948))
    assert camp.active_on(PartialDate.of(1946, 1, 20))
    assert not camp.active_on(PartialDate.of(1949, 3))
    assert not camp.active_on(PartialDate.of(1945, 8, 15))
    assert Camp(number="1").active_on(PartialDate.of(1956))


def _reference_rows(name: str) -> list[dict[str, str]]:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} not present on this machine")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_estimate_row_reads_with_its_source_kept():
    rows = _reference_rows("estimates.tsv")
    estimates = [Estimate.from_reference_row(row) for row in rows]
    assert len(estimates) == len(rows) > 20
    mhlw = next(e for e in estimates if e.quantity == "interned_total (MHLW estimate)")
    assert (mhlw.low, mhlw.high, mhlw.is_range) == (575000, 575000, False)
    assert mhlw.source_url == "https://www.mhlw.go.jp/topics/bukyoku/syakai/soren/j1.html"
    wiki = next(e for e in estimates if e.quantity.startswith("interned_total (range used by en-Wikipedia)"))
    assert (wiki.low, wiki.high, wiki.is_range) == (560000, 760000, True)
    petrov = next(e for e in estimates if e.as_of == "1945-12-07")
    assert petrov.as_of_date == PartialDate.of(1945, 12, 7)
    assert all(e.source_url for e in estimates if e.low is not None and e.source != "NOT VERIFIED")


def test_estimate_as_of_reads_dates_where_it_can():
    def as_of(text):
        return Estimate("q", 1, 1, text, "s", "u").as_of_date

    assert as_of("1950 (updated data)") == PartialDate.of(1950)
    assert as_of("2009-12..2010-05").iso() == "2009-12-01/2010-05-31"
    assert as_of("(current MHLW wording)") is None
    assert as_of(None) is None


def test_every_camp_row_reads_with_its_source_kept():
    rows = _reference_rows("camps_sources.tsv")
    camps = [Camp.from_reference_row(row) for row in rows]
    assert len(camps) == len(rows)
    taishet = next(c for c in camps if c.number == "7")
    assert taishet.name_ru.startswith("Тайшетский")
    assert taishet.region == "Irkutsk obl."
    assert taishet.source_url.startswith("https://")
    assert [(n.system, n.number) for n in taishet.numbers] == [("gupvi", "7")]


# Two rows copied verbatim from reference/estimates.tsv, so the reader is tested on a fresh clone too.
ESTIMATE_TSV = (
    "quantity\tvalue_low\tvalue_high\tas_of\tsource\tsource_url\tnote\n"
    "deaths (GUPVI figure)\t61855\t61855\t\tShirai Hisaya 『検証シベリア抑留』 table 5 (via NDL reference); "
    "Tomita 2016\thttp://crd.ndl.go.jp/reference/modules/d3ndlcrdentry/index.php?page=ref_view&id=1000191722\t\n"
    "remains returned\t20000\t21000\t2013-2024\tSankei 2013 / TBS 2024\t"
    "https://newsdig.tbs.co.jp/articles/rkb/1355360?page=5\t2013: ~21,000 incl. carried home\n"
)


def test_estimate_reads_tsv_rows_with_blanks_and_ranges():
    rows = list(csv.DictReader(ESTIMATE_TSV.splitlines(), delimiter="\t"))
    gupvi, remains = (Estimate.from_reference_row(row) for row in rows)
    assert (gupvi.low, gupvi.high, gupvi.as_of, gupvi.note) == (61855, 61855, None, None)
    assert gupvi.source.startswith("Shirai Hisaya")
    assert (remains.low, remains.high, remains.is_range) == (20000, 21000, True)
    assert remains.as_of_date.iso() == "2013-01-01/2024-12-31"
    assert remains.source_url == "https://newsdig.tbs.co.jp/articles/rkb/1355360?page=5"
