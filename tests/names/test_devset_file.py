"""Checks on the development set of real Japanese names with their Cyrillic spellings.

The file tests/data/names_dev.tsv is evidence collected from public Russian-language sources; these
tests keep its shape honest so the names evaluation can rely on it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

DEVSET_PATH = Path(__file__).resolve().parents[1] / "data" / "names_dev.tsv"

EXPECTED_COLUMNS = [
    "kanji_surname",
    "kanji_given",
    "kana_surname",
    "kana_given",
    "romaji",
    "cyrillic",
    "cyrillic_order",
    "standard",
    "source_url",
    "source_note",
    "category",
]
CATEGORIES = {
    "military",
    "politician",
    "writer",
    "athlete",
    "internee",
    "scholar",
    "artist",
    "business",
    "other",
}
MIN_PERSONS = 150
MIN_ROWS = 180
MIN_NON_STANDARD_SHARE = 0.30

KATAKANA_ONLY = re.compile(r"^[\u30A1-\u30FA\u30FC]+$")
CYRILLIC_NAME = re.compile(r"^[\u0400-\u04FF]+(?:[ \-][\u0400-\u04FF]+)*$")
KANJI_ONLY = re.compile(r"^[\u3005\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0002FFFF]+$")
HEPBURN = re.compile(r"^[A-Za-zĀāĒēĪīŌōŪū' \-]+$")


def load_rows() -> list[dict[str, str]]:
    """Read the dev set as a list of dicts keyed by the header row."""
    with DEVSET_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == EXPECTED_COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return load_rows()


def person_key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return (row["kanji_surname"], row["kanji_given"], row["kana_surname"], row["kana_given"])


def test_header_and_row_width() -> None:
    lines = DEVSET_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == EXPECTED_COLUMNS
    bad = [
        number
        for number, line in enumerate(lines[1:], start=2)
        if line.count("\t") != len(EXPECTED_COLUMNS) - 1
    ]
    assert bad == [], f"lines with the wrong number of columns: {bad}"


def test_file_is_nfc_without_stray_whitespace(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, value in row.items():
            assert value == value.strip(), (column, value)
            assert value, f"empty {column} in {row}"
            assert unicodedata.normalize("NFC", value) == value, (column, value)


def test_enough_rows_and_persons(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= MIN_ROWS
    assert len({person_key(row) for row in rows}) >= MIN_PERSONS


def test_every_row_cites_a_web_source(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert re.match(r"^https?://[^\s/]+\.[^\s/]+/?\S*$", row["source_url"]), row["source_url"]
        assert len(row["source_note"]) >= 5, row


def test_kana_columns_are_katakana(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert KATAKANA_ONLY.match(row["kana_surname"]), row["kana_surname"]
        assert KATAKANA_ONLY.match(row["kana_given"]), row["kana_given"]


def test_kanji_columns_are_kanji(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert KANJI_ONLY.match(row["kanji_surname"]), row["kanji_surname"]
        assert KANJI_ONLY.match(row["kanji_given"]), row["kanji_given"]


def test_cyrillic_column_is_cyrillic(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert CYRILLIC_NAME.match(row["cyrillic"]), row["cyrillic"]
        assert len(row["cyrillic"].split()) >= 2, row["cyrillic"]


def test_romaji_is_hepburn_letters(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert HEPBURN.match(row["romaji"]), row["romaji"]


def test_closed_vocabularies(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert row["cyrillic_order"] in {"surname-first", "given-first"}, row
        assert row["standard"] in {"yes", "no"}, row
        assert row["category"] in CATEGORIES, row


def test_no_duplicate_rows(rows: list[dict[str, str]]) -> None:
    counts = Counter(tuple(row.values()) for row in rows)
    duplicates = [key for key, count in counts.items() if count > 1]
    assert duplicates == []


def test_one_reading_per_person(rows: list[dict[str, str]]) -> None:
    """A kanji name keeps one kana reading and one romaji across its rows."""
    readings: dict[tuple[str, str], set[tuple[str, str, str]]] = {}
    for row in rows:
        key = (row["kanji_surname"], row["kanji_given"])
        readings.setdefault(key, set()).add((row["kana_surname"], row["kana_given"], row["romaji"]))
    assert {key: value for key, value in readings.items() if len(value) > 1} == {}


def test_share_of_non_standard_spellings(rows: list[dict[str, str]]) -> None:
    non_standard = sum(row["standard"] == "no" for row in rows)
    assert non_standard / len(rows) >= MIN_NON_STANDARD_SHARE


def test_both_name_orders_occur(rows: list[dict[str, str]]) -> None:
    orders = Counter(row["cyrillic_order"] for row in rows)
    assert orders["surname-first"] >= 20
    assert orders["given-first"] >= 20
