"""The public-field policy: every kind x field is decided, restricted fields never come out, unknown is denied."""

from __future__ import annotations

import json

import pytest

from kartoteka.access.policy import (
    COLUMN_RULES,
    EXTRA_RULES,
    PROVENANCE_FIELDS,
    RESTRICTED_EXAMPLES,
    is_public,
    public_extra_fields,
    public_record,
    public_record_fields,
)
from kartoteka.core.model import RECORD_KINDS
from kartoteka.ingest.mappings import bundled_names, load_bundled
from kartoteka.store import RECORD_FIELDS
from kartoteka.store.schema import records

MINISTRY_PUBLISHES = ("surname", "given_name", "name_original", "birth_year", "death_date", "death_place",
                      "burial_site", "burial_place", "grave_number", "camp", "archive_ref", "scan_ref")
NEVER = ("raw_json", "row_sha256", "extra_json", "birth_date", "birth_place", "occupation")


def test_every_column_of_the_records_table_is_decided():
    undecided = [c.name for c in records.columns if c.name not in COLUMN_RULES and c.name not in PROVENANCE_FIELDS]
    assert undecided == []
    assert set(RECORD_FIELDS) <= set(COLUMN_RULES)


def test_every_extra_field_a_bundled_mapping_writes_is_decided():
    targets = {target for name in bundled_names() for target in load_bundled(name).columns.values()}
    extras = targets - set(RECORD_FIELDS) - {"record_ref", "extra_json"}
    assert extras, "the bundled mappings write extra fields"
    assert sorted(extras - set(EXTRA_RULES)) == []


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_what_the_ministry_publishes_is_public_and_the_rest_is_not(kind):
    fields = public_record_fields(kind)
    assert fields[:len(PROVENANCE_FIELDS)] == PROVENANCE_FIELDS
    assert set(MINISTRY_PUBLISHES) <= set(fields)
    assert not set(NEVER) & set(fields)


@pytest.mark.parametrize("kind", RECORD_KINDS)
@pytest.mark.parametrize("field", [*RECORD_FIELDS, *EXTRA_RULES, "raw_json", "row_sha256", "extra_json"])
def test_each_kind_and_field_has_one_answer(kind, field):
    rule = COLUMN_RULES.get(field) or EXTRA_RULES[field]
    assert rule.reason
    expected = kind in rule.public_in and not (kind == "personal_file" and field in EXTRA_RULES)
    assert is_public(kind, field) is expected


def test_a_personal_files_extra_fields_are_all_restricted_even_the_ones_public_elsewhere():
    assert public_extra_fields("personal_file") == ()
    row = {"extra_json": json.dumps({"card_number": "7", "name_kanji": "山田", "relatives": "жена"})}
    assert public_record("personal_file", row) == {}
    assert public_record("card", row) == {"card_number": "7"}


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_planted_restricted_values_never_come_out(kind):
    planted = RESTRICTED_EXAMPLES[kind]
    row = {"id": 1, "kind": kind, "surname": "Ямада", "raw_json": json.dumps(planted, ensure_ascii=False),
           "row_sha256": "abc", **{k: v for k, v in planted.items() if k in RECORD_FIELDS},
           "extra_json": json.dumps({k: v for k, v in planted.items() if k not in RECORD_FIELDS}, ensure_ascii=False)}
    shown = public_record(kind, row)
    assert shown == {"id": 1, "kind": kind, "surname": "Ямада"}
    text = json.dumps(shown, ensure_ascii=False)
    assert not [value for value in planted.values() if value in text]


def test_unknown_kinds_and_fields_are_denied():
    assert public_record_fields("diary") == ()
    assert public_record("diary", {"surname": "Ямада", "id": 1}) == {}
    assert not is_public("card", "shoe_size")
    assert public_record("card", {"extra_json": json.dumps({"shoe_size": "42", "column_7": "x"})}) == {}


def test_bad_extra_json_is_ignored_not_shown():
    assert public_record("card", {"extra_json": "{not json", "camp": "7"}) == {"camp": "7"}
    assert public_record("card", {"extra_json": "[1, 2]"}) == {}
