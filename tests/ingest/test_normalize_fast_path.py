"""The hot path of ``RowNormalizer.normalize`` (a fixed header: CSV, XLSX) gives what the general path gives.

A row of a fixed header is encoded by a per-file template instead of the JSON encoder, and its columns go where
a per-header plan says: the raw JSON (and so each record's row_sha256) and every value must be the same as the
general path's (a JSON source's rows, or a CSV row with values past the header), for any text.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.ingest.normalize import RAW_JSON, RowNormalizer

# Values past the header, an extra column with JSON's and %'s special characters in its name: the plan's loop.
HEADERS = ["record_ref", "surname", "given_name", "Год рождения", 'a "quoted" % header\\', "(column 9)", "note"]
# Every column a field, the record_ref or ignored (script is computed): the one-comprehension path.
PLAIN = ["record_ref", "surname", "given_name", "birth_year", "death_date", "script", "name_original"]
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
name_text = st.one_of(st.sampled_from(["Сато", "Ямада", "山田", "", " Като ", "asdf;;"]), any_text)


def _both(row: dict[str, str], headers: list[str] = HEADERS) -> tuple[object, object]:
    fixed = RowNormalizer("card", "f.csv", headers, None, fixed_headers=True)
    assert (fixed._fixed_keys is not None) == (headers == PLAIN)
    general = RowNormalizer("card", "f.csv", headers, None, fixed_headers=True)
    general._fixed_plan = None  # the general path, as a row with values past the header (or a JSON row) takes
    return fixed.normalize(7, dict(row)), general.normalize(7, dict(row))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([HEADERS, PLAIN]),
       st.tuples(any_text, name_text, name_text, st.sampled_from(["1920", "", "19x0", "1700"]),
                 st.one_of(st.sampled_from(["12.03.1946", "1946", "31.02.1946"]), any_text), any_text, name_text))
def test_the_fixed_header_path_gives_what_the_general_path_gives(headers, values):
    row = dict(zip(headers, values, strict=True))
    fixed, general = _both(row, headers)
    assert fixed == general
    record, entry = fixed  # type: ignore[misc]
    raw_json = record[3] if record is not None else entry.raw_json
    assert raw_json == RAW_JSON(row)
    assert json.loads(raw_json) == row


@pytest.mark.parametrize("headers", [HEADERS, PLAIN])
def test_a_nul_and_the_escaped_characters_on_the_fixed_path(headers):
    row = dict(zip(headers, ["r1", "Са\x00то", "Ита\"ро\\", "1920", "\n", "", "\t"], strict=True))
    fixed, general = _both(row, headers)
    assert fixed == general
    assert fixed[1] is not None and fixed[1].code == "row.nul"  # type: ignore[index]
