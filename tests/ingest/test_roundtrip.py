"""Export then import reproduces the same records, for any Unicode text (hypothesis), on both backends."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer.tables import record_places
from kartoteka.ingest import EXPORT_COLUMNS, export_records, import_file
from kartoteka.ingest.name_checks import odd_character
from kartoteka.names import detect_script
from kartoteka.store import Store, meta, open_store, quarantine, records, sources

TEXT_COLUMNS = ("surname", "given_name", "patronymic", "birth_place", "rank", "unit", "camp", "burial_place",
                "archive_ref", "note")
DATES = ["", "1946", "1946-01", "20.01.1946", "3-я декада января 1946", "昭和20年8月", "winter 1945"]

rows_strategy = st.lists(
    st.fixed_dictionaries({
        **{column: st.text(max_size=12) for column in TEXT_COLUMNS},
        # A line break in a name is a parse fault (a stray quote; tests/ingest/test_bad_inputs.py): names here
        # have none, the other columns may.
        **{column: st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12)
           for column in ("surname", "given_name", "patronymic")},
        "ref": st.text(max_size=6),
        "birth_year": st.one_of(st.just(""), st.integers(1860, 1945).map(str)),
        "death_date": st.sampled_from(DATES),
    }),
    min_size=1, max_size=12,
)


def _write_input(path: Path, fmt: str, rows: list[dict[str, str]]) -> Path:
    header = ["record_ref", *TEXT_COLUMNS, "birth_year", "death_date"]
    lines = [[f"{n}-{row['ref']}", *[row[c] for c in TEXT_COLUMNS], row["birth_year"], row["death_date"]]
             for n, row in enumerate(rows)]
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(lines)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(dict(zip(header, line, strict=True)), ensure_ascii=False) + "\n")
    return path


def _stored(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        query = select(*[records.c[c] for c in EXPORT_COLUMNS]).order_by(records.c.id)
        return [tuple(row) for row in conn.execute(query)]


def _wipe(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in (record_places, quarantine, records, sources, meta):
            conn.execute(table.delete())


def _expected_outcome(row: dict[str, str]) -> str:
    values = [row[c] for c in TEXT_COLUMNS] + [row["ref"]]
    if any("\x00" in value for value in values):
        return "quarantined"
    if not any(row[c].strip() for c in ("surname", "given_name")):
        return "quarantined"
    name = " ".join(row[c].strip() for c in ("surname", "given_name", "patronymic") if row[c].strip())
    try:
        detect_script(name)
    except KartotekaError:
        return "quarantined"  # no letters: not a name
    odd = odd_character(name)
    if odd is not None and not odd.isdigit():
        return "quarantined"  # a symbol no name has
    return "imported"


def _check_round_trip(store: Store, workdir: Path, rows: list[dict[str, str]], in_fmt: str, out_fmt: str) -> None:
    _wipe(store)
    source = _write_input(workdir / f"input.{in_fmt}", in_fmt, rows)
    result = import_file(store, "card", source)
    expected = [_expected_outcome(row) for row in rows]
    assert result.rows_imported == expected.count("imported")
    assert result.rows_quarantined == expected.count("quarantined")
    first = _stored(store)
    kept = [row for row, outcome in zip(rows, expected, strict=True) if outcome == "imported"]
    for stored, row in zip(first, kept, strict=True):
        got = dict(zip(EXPORT_COLUMNS, stored, strict=True))
        assert got["surname"] == (row["surname"].strip() or None)
        assert got["birth_place"] == (row["birth_place"].strip() or None)
        note = json.loads(got["extra_json"]).get("note") if got["extra_json"] else None
        assert note == (row["note"].strip() or None)
    out = workdir / f"export.{out_fmt}"
    assert export_records(store, "card", out_fmt, out) == len(first)
    if not first:
        return  # an export with no rows has nothing to read back (import refuses empty files)
    _wipe(store)
    again = import_file(store, "card", out)
    assert again.rows_quarantined == 0
    assert _stored(store) == first


@pytest.mark.slow
def test_export_then_import_reproduces_the_records_for_any_unicode(store_url):
    store = open_store(store_url)
    examples = 150 if store.backend == "sqlite" else 60

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=rows_strategy, in_fmt=st.sampled_from(["csv", "jsonl"]), out_fmt=st.sampled_from(["csv", "jsonl"]))
    def round_trip(rows, in_fmt, out_fmt):
        with tempfile.TemporaryDirectory() as workdir:
            _check_round_trip(store, Path(workdir), rows, in_fmt, out_fmt)

    try:
        round_trip()
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_exports_of_a_simulated_store_say_so_and_import_back_as_simulated(store_url, tmp_path, ru_cards, fmt):
    store = open_store(store_url)
    import_file(store, "card", ru_cards)
    store.set_meta("simulated", "true")
    out = tmp_path / f"export.{fmt}"
    export_records(store, "card", fmt, out)
    store.close()
    first_line = out.read_text(encoding="utf-8").splitlines()[0]
    assert "SIMULATED" in first_line
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = import_file(fresh, "card", out)
    assert result.rows_imported == 3 and result.simulated
    assert fresh.is_simulated()
    fresh.close()
