"""Readers: CSV/TSV with a sniffed delimiter, XLSX, JSON arrays and JSON Lines, all streamed."""

from __future__ import annotations

import json

import openpyxl
import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.readers import open_table, sniff_delimiter

from .conftest import write_csv


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed_from_the_header(tmp_path, delimiter):
    path = write_csv(tmp_path / "x.csv", ["surname", "given_name", "unit"],
                     [["Иванов", "Пётр", "в/ч 1, рота 2; взвод|3"]], delimiter=delimiter)
    table = open_table(path, "utf-8")
    assert table.headers == ["surname", "given_name", "unit"]
    assert list(table.rows) == [(2, 1, {"surname": "Иванов", "given_name": "Пётр", "unit": "в/ч 1, рота 2; взвод|3"})]
    table.close()


def test_sniffing_ignores_delimiters_inside_quotes():
    assert sniff_delimiter('"a;b;c",d,e\n') == ","


def test_tsv_uses_tabs_and_quoted_newlines_stay_in_their_cell(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text('surname\tnote\nИванов\t"two\nlines"\n\nПетров\t, ; |\n', encoding="utf-8")
    table = open_table(path, "utf-8")
    assert list(table.rows) == [(2, 2, {"surname": "Иванов", "note": "two\nlines"}),
                                (5, 1, {"surname": "Петров", "note": ", ; |"})]
    counts = table.counts()
    assert (counts.total, counts.header, counts.blank) == (5, 1, 1)
    table.close()


def test_short_rows_are_padded_and_values_past_the_header_are_flagged(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("surname,given_name\nИванов\nПетров,Иван,лишнее\n", encoding="utf-8")
    table = open_table(path, "utf-8")
    rows = list(table.rows)
    table.close()
    assert rows[0] == (2, 1, {"surname": "Иванов", "given_name": ""})
    assert rows[1][2]["(column 3)"] == "лишнее"


def test_xlsx_first_sheet_is_read_with_dates_and_numbers_as_text(tmp_path):
    import datetime as dt

    path = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Год рождения", "Дата смерти"])
    sheet.append(["Иванов", 1920, dt.datetime(1946, 1, 20)])
    sheet.append([None, None, None])
    sheet.append(["山田", 1915.0, "昭和21年"])
    book.save(path)
    table = open_table(path, None)
    assert table.format == "xlsx"
    assert list(table.rows) == [
        (2, 1, {"Фамилия": "Иванов", "Год рождения": "1920", "Дата смерти": "1946-01-20"}),
        (4, 1, {"Фамилия": "山田", "Год рождения": "1915", "Дата смерти": "昭和21年"}),
    ]
    table.close()


def test_json_array_is_streamed_across_chunk_boundaries(tmp_path):
    rows = [{"surname": f"Иванов{n}" + "я" * (n % 300), "birth_year": 1900 + n % 40, "extra": {"n": n}}
            for n in range(2000)]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    assert path.stat().st_size > 3 * 65536
    table = open_table(path, "utf-8")
    got = list(table.rows)
    table.close()
    assert len(got) == 2000
    assert got[1999][:2] == (1 + 1999 * 7 + 1, 7)  # indent=1: "[" then 7 lines per object
    assert got[1999][2] == ({"surname": rows[1999]["surname"], "birth_year": str(rows[1999]["birth_year"]),
                                "extra": '{"n": 1999}'})


def test_json_that_is_not_an_array_of_objects_is_a_clear_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"surname": "Иванов"}', encoding="utf-8")
    with pytest.raises(KartotekaError) as info:
        open_table(path, "utf-8")
    assert info.value.code == "input.json" and ".jsonl" in info.value.hint


def test_a_broken_json_line_is_a_fault_of_that_line_only(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"surname": "A"}\n{"surname": \n{"surname": "B"}\n', encoding="utf-8")
    table = open_table(path, "utf-8")
    rows = list(table.rows)
    table.close()
    assert [(line, type(row).__name__) for line, _, row in rows] == [(1, "dict"), (2, "Fault"), (3, "dict")]
    assert rows[1][2].code == "parse.json"


def test_jsonl_export_header_line_is_not_a_row_and_marks_simulated(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"_kartoteka": {"simulated": true}}\n{"surname": "Иванов", "birth_year": 1920}\n',
                    encoding="utf-8")
    table = open_table(path, "utf-8")
    assert table.simulated is True
    assert list(table.rows) == [(2, 1, {"surname": "Иванов", "birth_year": "1920"})]
    table.close()


@pytest.mark.parametrize("content", [b"", b"\n\n"], ids=["zero-bytes", "blank-lines"])
def test_empty_files_say_so(tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(KartotekaError) as info:
        open_table(path, "utf-8")
    assert info.value.code == "input.empty"
    assert "nothing to import" in info.value.message


def test_unknown_extension_lists_the_formats(tmp_path):
    path = tmp_path / "x.dbf"
    path.write_bytes(b"x")
    with pytest.raises(KartotekaError) as info:
        open_table(path, None)
    assert ".csv" in info.value.hint and ".xlsx" in info.value.hint


def test_columns_without_a_header_get_a_name(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("surname,,given_name,\nИванов,примечание,Пётр,\n", encoding="utf-8")
    table = open_table(path, "utf-8")
    assert table.headers == ["surname", "column_2", "given_name", "column_4"]
    assert next(table.rows)[2]["column_2"] == "примечание"
    table.close()


CHUNKED_TEXT = ('a,b,c\r\n1,"two\r\nlines",3\r4,5\x856,7\n8,9\u2028,10\r\n\r\n"x""y",,\n'
                '11,12,"quoted\n\nbreaks"\n' + "13," + "z" * 40 + ",14")


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 1 << 16])
def test_csv_lines_read_in_chunks_match_csv_reader_line_for_line(tmp_path, monkeypatch, chunk):
    """Chunk edges anywhere (inside a quoted field, a line longer than a chunk), and characters str.splitlines
    would take for line breaks (\\x85, \\u2028), give the records and lines csv.reader gives."""
    import csv
    import io

    from kartoteka.ingest import csv_lines

    monkeypatch.setattr(csv_lines, "CHUNK_CHARS", chunk)
    path = tmp_path / "c.csv"
    path.write_bytes(CHUNKED_TEXT.encode("utf-8"))
    expected_reader = csv.reader(io.StringIO(CHUNKED_TEXT, newline=""))
    next(expected_reader)
    expected, last = [], 1
    for values in expected_reader:
        if values:
            expected.append((last + 1, expected_reader.line_num - last, values))
        last = expected_reader.line_num
    table = open_table(path, "utf-8")
    try:
        got = []
        for line, span, row in table.rows:
            got.append((line, span, [row.get(h, "") for h in table.headers]))
            assert table.csv is not None and len(table.csv.raw().splitlines()) >= 1
        counts = table.counts()
    finally:
        table.close()
    assert got == expected
    assert counts.total == len(io.StringIO(CHUNKED_TEXT, newline="").readlines())


@pytest.mark.parametrize("name", ["stray_quote.csv", "stray_quote_and_semicolons.csv", "stray_quote_in_note.csv",
                                  "mixed_line_endings.csv", "note_with_line_break.csv"])
def test_stray_quote_recovery_is_the_same_whatever_the_chunk_edges(tmp_path, monkeypatch, name):
    """A replay (the lines a stray quote swallowed read again) and the raw text of quarantined rows do not depend
    on where the file's chunks end."""
    from pathlib import Path

    from sqlalchemy import select

    from kartoteka.ingest import csv_lines, import_file
    from kartoteka.store import open_store, quarantine, records

    path = Path(__file__).resolve().parents[1] / "data" / "bad" / name
    outcomes = []
    for chunk in (1 << 16, 1, 2, 5, 11):
        monkeypatch.setattr(csv_lines, "CHUNK_CHARS", chunk)
        store = open_store(f"sqlite:///{tmp_path / f'k{chunk}.sqlite'}")
        try:
            result = import_file(store, "card", path)
            with store.engine.connect() as conn:
                kept = conn.execute(select(records.c.row_number, records.c.raw_json)).all()
                bad = conn.execute(select(quarantine.c.row_number, quarantine.c.raw_text, quarantine.c.code)).all()
        finally:
            store.close()
        outcomes.append((result.lines, result.record_lines, result.quarantined_lines, kept, bad))
    assert all(outcome == outcomes[0] for outcome in outcomes[1:])
