"""The index's name keys over whole columns (search.keys) are the linkage's, spelling by spelling: fold_romaji and
blocking_key of every reading, and the five keys search.build used to make one spelling at a time."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kartoteka.linkage.features import blocking_key, fold_romaji
from kartoteka.search.keys import coarse_column, fold_column, spelling_keys

# Romaji as the names engine writes them (macrons, capitals, apostrophes, hyphens), and anything at all.
_ROMAJI = st.text(alphabet="aeioukgsztdnhbpmyrwjcfvAEIOUKSTNHMYRWāīūēōĀĪŪĒŌ'- ", max_size=14)
_ANY = st.text(max_size=12)
_READING = st.one_of(_ROMAJI, _ROMAJI, _ANY)


def _one_at_a_time(found: list[str], literal: str | None) -> tuple[str | None, ...]:
    """search.build's keys of one spelling before they were computed over columns (as linkage.features makes
    them)."""
    r1 = found[0].lower() if found else None
    r2 = found[1].lower() if len(found) > 1 else None
    key1 = blocking_key(r1)
    folded = sorted({f for f in (fold_romaji(r) for r in found) if f})
    lit = fold_romaji(literal)
    words = folded + ([lit] if lit and lit not in folded else [])
    return key1, blocking_key(r2) or key1, blocking_key(lit), fold_romaji(r1), " ".join(words) or None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _READING), max_size=20))
@example(
    ["Ōno", "shinnya", "İzumi", "ﬀuji", "ſato", "", None, "---", "Kōō", "aaab", "Ｔａｎａｋａ", "ǅ", "ß"]
)
def test_a_column_folds_as_fold_romaji_and_blocking_key_each_string(values):
    folded = fold_column(pa.array(values, type=pa.string())).to_pylist()
    assert folded == [fold_romaji(v) for v in values]
    assert coarse_column(pa.array(folded, type=pa.string())).to_pylist() == [blocking_key(v) for v in values]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(_READING, max_size=5), st.one_of(st.none(), _READING)), max_size=12))
@example(
    [
        (["Yō", "Yo", "Yō", "Ei", "Eii"], "yo"),
        ([], None),
        ([], "kiribashi"),
        (["", "x"], "ab"),
        (["Saitō", "Saito"], "saito"),
        (["Ōno"], "ōno"),
        (["Sato"], None),
    ]
)
def test_the_keys_of_many_spellings_are_those_of_each_spelling_alone(spellings):
    found = [readings for readings, _ in spellings]
    literal = [lit for _, lit in spellings]
    columns = spelling_keys(found, literal)
    assert all(len(column) == len(spellings) for column in columns)
    for row, (readings, lit) in enumerate(spellings):
        assert tuple(column[row] for column in columns) == _one_at_a_time(readings, lit), (readings, lit)
