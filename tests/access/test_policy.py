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


# --- by role (issue 18) --------------------------------------------------------------------------------------

def test_the_possibly_living_are_those_without_a_death_record_born_after_1920():
    from kartoteka.access.policy import possibly_living

    assert possibly_living(1921, died=False) and possibly_living(None, died=False)
    assert not possibly_living(1920, died=False) and not possibly_living(1925, died=True)


def test_each_role_gets_its_level_of_access():
    from kartoteka.access.policy import Access, Viewer, record_access
    from kartoteka.core.roles import Role

    public, family, researcher = Viewer(), Viewer(Role.FAMILY, frozenset({7})), Viewer(Role.RESEARCHER)
    reviewer = Viewer(Role.REVIEWER)
    assert record_access(public, "personal_file", 7, living=False) == Access.WITHHELD
    assert record_access(public, "personal_file", 7, living=True) == Access.WITHHELD
    assert record_access(public, "card", 7, living=True) == Access.LIST
    assert record_access(public, "card", 7, living=False) == Access.PUBLIC
    assert record_access(researcher, "personal_file", 7, living=False) == Access.PUBLIC
    assert record_access(researcher, "personal_file", 7, living=True) == Access.LIST
    assert record_access(family, "personal_file", 7, living=True) == Access.FULL  # the granted person
    assert record_access(family, "personal_file", 8, living=False) == Access.PUBLIC  # anyone else
    assert record_access(Viewer(Role.RESEARCHER, frozenset({7})), "card", 7, living=True) == Access.FULL
    assert record_access(reviewer, "card", None, living=True) == Access.FULL
    assert record_access(reviewer, "no_such_kind", 7, living=False) == Access.WITHHELD


def test_the_levels_show_what_they_say():
    from kartoteka.access.policy import Access, visible_record

    row = {"id": 1, "kind": "card", "source_id": 1, "record_ref": "c-1", "file_name": "cards.csv", "row_number": 2,
           "surname": "Кавасаки", "birth_year": 1923, "camp": "7", "occupation": "столяр", "raw_json": "{...}",
           "row_sha256": "ab", "archive_ref": "ГА РФ 1/2/3", "extra_json": '{"relatives": "жена", "card_number": "5"}'}
    public = visible_record("card", row, Access.PUBLIC)
    listed = visible_record("card", row, Access.LIST)
    full = visible_record("card", row, Access.FULL)
    assert "camp" in public and "occupation" not in public and public["card_number"] == "5"
    assert set(listed) == {"id", "kind", "source_id", "record_ref", "file_name", "row_number", "surname",
                           "birth_year"}
    assert full["occupation"] == "столяр" and full["relatives"] == "жена"
    assert not {"raw_json", "row_sha256", "extra_json"} & set(full)
    assert visible_record("card", row, Access.WITHHELD) == {}
