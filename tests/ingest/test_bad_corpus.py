"""The bad-input corpus (tests/data/bad/, and the files made here: workbooks, a 10 MB field, 10,000 columns).

Each file's pinned case says what the user sees (the whole output of `kartoteka import`, or its error) and how
many data rows a person counts in it. The test checks, on both backends, that no row is lost (records plus
quarantined rows equal those rows; a refused file leaves the store empty) and that every physical line is
accounted for (lines = header + blank + record lines + quarantined lines, the file's lines counted here
independently). A file in tests/data/bad/ without a pinned case fails the first test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from kartoteka.store import open_store
from kartoteka.store.schema import quarantine, records, sources

from .test_cli import run, without_store_line

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
RU = ["Фамилия", "Имя", "Отчество", "Год рождения"]
ACCOUNTING = re.compile(r"([\d,]+) lines: ([\d,]+) header/comment, ([\d,]+) blank, ([\d,]+) in ([\d,]+) records, "
                        r"([\d,]+) in ([\d,]+) quarantined rows")


@dataclass(frozen=True)
class Case:
    """What importing one file must do: ``rows`` data rows as a person counts them, ``imported`` of them
    kept; ``out`` the whole output the user sees ({dir} for the file's folder); exit code 1 for a refused file."""

    rows: int
    imported: int
    out: str
    encoding: str | None = None
    exit_code: int = 0


def _merged_formula_and_date_numbers(path: Path) -> None:
    """Surname merged down over three rows, a formula never calculated, dates as numbers and as dates."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Имя", "Год рождения", "Дата пленения", "Дата смерти"])
    sheet.append(["Сато", "Итиро", 1920, dt.date(1945, 8, 20), None])
    sheet.append([None, "Дзиро", 1922, 16664, None])  # 16664: 1945-08-15 as an Excel serial, shown as a number
    sheet.append([None, "Сабуро", "=C2+4", None, None])  # openpyxl stores no value: never calculated
    sheet.append(["Като", "Горо", 1919, "20.08.1945", 7245])
    sheet.append(["Като", "Сиро", 1919, 1945, None])  # a year typed into a date column
    sheet.append([])
    sheet.append(["Ито", "Минору", 1921, None, None])
    sheet.merge_cells("A2:A4")
    book.save(path)


def _header_merged_across(path: Path) -> None:
    """A horizontal merge in a data row: the covered cell reads blank, the row is quarantined."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Имя", "Год рождения"])
    sheet.append(["Сато", "Итиро", 1920])
    sheet.append(["Като Дзиро", None, 1921])
    sheet.merge_cells("A3:B3")
    book.save(path)


def _ten_mb_field(path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Фамилия", "Имя", "Примечание"])
        writer.writerow(["Сато", "Итиро", "строка\n" * (10 * 1024 * 1024 // 14)])
        writer.writerow(["Като", "Дзиро", ""])


def _ten_thousand_columns(path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Фамилия", "Имя", *[f"c{n}" for n in range(9998)]])
        writer.writerow(["Сато", "Итиро", *["x"] * 9998])
        writer.writerow(["Като", "Дзиро", *[""] * 9998])


#: Files too big to commit, or binary: made in tmp_path by the test.
GENERATED: dict[str, Callable[[Path], None]] = {
    "merged_formula_date_numbers.xlsx": _merged_formula_and_date_numbers,
    "merged_across.xlsx": _header_merged_across,
    "ten_mb_field.csv": _ten_mb_field,
    "ten_thousand_columns.csv": _ten_thousand_columns,
}

#: One case per file (a file read with --encoding as well: "FILE --encoding ENC"). rows: data rows by hand.
CASES: dict[str, Case] = {
    'asdf_surname.csv': Case(2, 1, (
        'asdf_surname.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        "    line 2: surname: 'asdf;;;;' holds ';', which no name has [row.name_symbols]\n"
    )),
    'blank_headers.csv': Case(1, 1, (
        'blank_headers.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  2 lines: 1 header/comment, 0 blank, 1 in 1 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'blank_lines.csv': Case(2, 1, (
        'blank_lines.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  6 lines: 1 header/comment, 3 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 6: no name: surname, given_name and name_original are all blank [row.no_name]\n'
    )),
    'bom_in_a_name.csv': Case(2, 2, (
        'bom_in_a_name.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 2 in 2 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'bom_in_the_middle.csv': Case(3, 2, (
        'bom_in_the_middle.csv: imported 2 card records as source #1 (encoding utf-8-sig, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 2 in 2 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 3: the header line again, after a byte order mark (two files joined into one?) '
        '[row.header_repeated]\n'
    )),
    'broken_line.jsonl': Case(4, 2, (
        'broken_line.jsonl: imported 2 card records as source #1 (encoding utf-8)\n'
        '  5 lines: 0 header/comment, 1 blank, 2 in 2 records, 2 in 2 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 2; all: kartoteka quarantine --source 1):\n'
        '    line 2: not valid JSON: Expecting value (at character 14) [parse.json]\n'
        '    line 5: expected an object per line, found an array [parse.not_object]\n'
    )),
    'cp1251.csv': Case(2, 2, (
        'cp1251.csv: imported 2 card records as source #1 (encoding cp1251, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 2 in 2 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'doubled_quotes.csv': Case(2, 1, (
        'doubled_quotes.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 2: given_name: \'Ит"иро\' holds \'"\', which no name has [row.name_symbols]\n'
    )),
    'duplicate_headers.csv': Case(1, 0, (
        'error [input.columns]: {dir}/duplicate_headers.csv: the header repeats column(s) Фамилия\n'
        '  hint: rename the repeated columns so that each is unique\n'
    ), exit_code=1),
    'header_again.csv': Case(3, 2, (
        'header_again.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 2 in 2 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 3: the header line again (two files joined into one?) [row.header_repeated]\n'
    )),
    'header_only.csv': Case(0, 0, (
        'error [input.empty]: {dir}/header_only.csv: the file has a header but no data rows: nothing to import\n'
        '  hint: check that you gave the right file\n'
    ), exit_code=1),
    'merged_across.xlsx': Case(2, 1, (
        'merged_across.xlsx: imported 1 card records as source #1 (mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 3: cell B3 is inside the merged cell A3:B3, whose value shows only in A3: unmerge the cells and '
        'fill the value into every row [row.merged_cell]\n'
    )),
    'merged_formula_date_numbers.xlsx': Case(6, 3, (
        'merged_formula_date_numbers.xlsx: imported 3 card records as source #1 (mapping ru-card)\n'
        '  8 lines: 1 header/comment, 1 blank, 3 in 3 records, 3 in 3 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 3; all: kartoteka quarantine --source 1):\n'
        '    line 3: cell A3 is inside the merged cell A2:A4, whose value shows only in A2: unmerge the cells and '
        'fill the value into every row [row.merged_cell]\n'
        '    line 4: cell A4 is inside the merged cell A2:A4, whose value shows only in A2: unmerge the cells and '
        'fill the value into every row; cell C4 holds the formula =C2+4 but no calculated value: open the workbook '
        'in Excel or LibreOffice and save it, then import it again [row.merged_cell]\n'
        '    line 5: Дата смерти: the number 7245 is not a date (as an Excel date it is 1919-11-01); format the '
        'column as dates in the spreadsheet, or type the date as text (20.08.1945) [row.date_number]\n'
    )),
    'mixed_delimiters.csv': Case(2, 1, (
        'mixed_delimiters.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        "    line 2: the values are separated by ',', not by the header's ';': a line from another file? "
        '[parse.delimiter]\n'
    )),
    'mixed_line_endings.csv': Case(3, 3, (
        'mixed_line_endings.csv: imported 3 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 3 in 3 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'mojibake_in_utf8.csv': Case(2, 1, (
        'mojibake_in_utf8.csv: imported 1 card records as source #1 (encoding utf-8)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        "    line 2: surname: 'РЎР°С‚Рѕ' is UTF-8 text once read as CP1251 (it was 'Сато'): undo that conversion "
        '(iconv -f utf-8 -t cp1251 FILE > FIXED) and import it again [row.mojibake]\n'
    )),
    'not_a_list.json': Case(1, 0, (
        'error [input.json]: {dir}/not_a_list.json:1: a .json file must hold one array of objects\n'
        '  hint: use .jsonl for one object per line\n'
    ), exit_code=1),
    'note_with_line_break.csv': Case(2, 2, (
        'note_with_line_break.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 3 in 2 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'nul_byte.csv': Case(2, 1, (
        'nul_byte.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 2: contains a NUL character (not text; PostgreSQL cannot store it) [row.nul]\n'
    )),
    'pretty.json': Case(3, 2, (
        'pretty.json: imported 2 card records as source #1 (encoding utf-8)\n'
        '  6 lines: 2 header/comment, 0 blank, 3 in 2 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 4: expected an object per element, found a number [parse.not_object]\n'
    )),
    'stray_quote.csv': Case(3, 2, (
        'stray_quote.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 2 in 2 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        "    line 2: a quote opens a field that runs across 3 lines (2-4) into column 'Имя', which cannot hold a "
        'line break: a stray quote? This line is quarantined; lines 3-4 were read again, each on its own '
        '[parse.stray_quote]\n'
    )),
    'stray_quote_and_semicolons.csv': Case(3, 1, (
        'stray_quote_and_semicolons.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 1 in 1 records, 2 in 2 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 2; all: kartoteka quarantine --source 1):\n'
        "    line 2: a quote opens a field that runs across 3 lines (2-4) into column 'Имя', which cannot hold a "
        "line break: a stray quote? This line is quarantined; lines 3-4 were read again, each on its own "
        "[parse.stray_quote]\n"
        "    line 3: surname: 'asdf;;;;' holds ';', which no name has [row.name_symbols]\n"
    )),
    'stray_quote_in_note.csv': Case(3, 2, (
        'stray_quote_in_note.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  4 lines: 1 header/comment, 0 blank, 2 in 2 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 2: a quote opens a field that runs across 3 lines (2-4) over whole rows of the file: a stray '
        'quote? This line is quarantined; lines 3-4 were read again, each on its own [parse.stray_quote]\n'
    )),
    'ten_mb_field.csv': Case(2, 2, (
        'ten_mb_field.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  748,985 lines: 1 header/comment, 0 blank, 748,984 in 2 records, 0 in 0 quarantined rows; 0 records with '
        'warnings\n'
    )),
    'ten_thousand_columns.csv': Case(2, 2, (
        'ten_thousand_columns.csv: imported 2 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 2 in 2 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'too_many_values.csv': Case(2, 1, (
        'too_many_values.csv: imported 1 card records as source #1 (encoding utf-8, mapping ru-card)\n'
        '  3 lines: 1 header/comment, 0 blank, 1 in 1 records, 1 in 1 quarantined rows; 0 records with warnings\n'
        '  quarantined (first 1; all: kartoteka quarantine --source 1):\n'
        '    line 2: 2 value(s) past the last column of the header (columns 5, 6) [row.extra_values]\n'
    )),
    'utf8_names.csv': Case(2, 2, (
        'utf8_names.csv: imported 2 card records as source #1 (encoding utf-8)\n'
        '  3 lines: 1 header/comment, 0 blank, 2 in 2 records, 0 in 0 quarantined rows; 0 records with warnings\n'
    )),
    'wrong_delimiter.csv': Case(1, 0, (
        'error [input.columns]: {dir}/wrong_delimiter.csv: missing required columns: a card needs one of surname, '
        "given_name, name_original; the file's columns are: Фамилия:Имя:Год рождения (one column: are its values "
        'separated by something other than , ; TAB or |?)\n'
        '  hint: map your headers to ours with --mapping FILE (a TOML [columns] table) or a bundled mapping such '
        'as --mapping ru-card; see docs/reference/columns.md\n'
    ), exit_code=1),
    'cp1251.csv --encoding utf-8': Case(2, 0, (
        'error [input.encoding]: {dir}/cp1251.csv:1: the file is not valid utf-8 text (bytes '
        "b'\\xd4\\xe0\\xec\\xe8\\xeb\\xe8\\xff,\\xc8'; it reads as cp1251); nothing was imported\n"
        '  hint: drop --encoding (cp1251 is detected by itself) or give --encoding cp1251\n'
    ), encoding='utf-8', exit_code=1),
    'utf8_names.csv --encoding cp1251': Case(2, 0, (
        'error [input.encoding]: {dir}/utf8_names.csv: the file is UTF-8 text, but the encoding cp1251 was asked '
        "for: read so, every letter outside ASCII would be garbled ('Сато' would read as 'РЎР°С‚Рѕ'); nothing was "
        'imported\n'
        "  hint: drop --encoding (UTF-8 is detected by itself) or give --encoding utf-8; a mapping's own [options] "
        'encoding applies too\n'
    ), encoding='cp1251', exit_code=1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_shows_its_message_and_loses_no_row(capsys, store_url, tmp_path, name):
    file_name = name.split()[0]
    case = CASES[name]
    if file_name in GENERATED:
        folder = tmp_path
        GENERATED[file_name](folder / file_name)
    else:
        folder = CORPUS
    path = folder / file_name
    argv = ["--database", store_url, "import", "card", str(path), "--quiet"]
    if case.encoding:
        argv += ["--encoding", case.encoding]
    code, out, err = run(capsys, *argv)
    err = without_store_line(err)
    assert code == case.exit_code
    assert (out if code == 0 else err) == case.out.format(dir=folder)
    store = open_store(store_url)
    try:
        with store.engine.connect() as conn:
            source = conn.execute(select(sources)).mappings().first()
            kept = conn.scalar(select(func.count()).select_from(records))
            errors = conn.scalar(select(func.count()).select_from(quarantine).where(quarantine.c.severity == "error"))
    finally:
        store.close()
    if code != 0:  # refused: nothing half-written
        assert (source, kept, errors) == (None, 0, 0)
        return
    assert (kept, kept + errors) == (case.imported, case.rows)  # rows lost: 0
    lines, header, blank, record_lines, _, quarantined_lines, _ = (
        int(n.replace(",", "")) for n in ACCOUNTING.search(out).groups())  # type: ignore[union-attr]
    assert lines == header + blank + record_lines + quarantined_lines == source["line_count"] == _lines_of(path)


def _lines_of(path: Path) -> int:
    """The file's lines (sheet rows of a workbook), counted without the importer: \\n, \\r\\n and \\r end one."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return book.worksheets[0].max_row
        finally:
            book.close()
    data = path.read_bytes()
    encoding = "cp1251" if path.name.startswith("cp1251") else "utf-8"
    return len(io.StringIO(data.decode(encoding), newline="").readlines())


def test_every_corpus_file_has_a_pinned_case_and_a_readme_line():
    files = {p.name for p in CORPUS.iterdir()} - {"README.md"}
    pinned = {name.split()[0] for name in CASES}
    assert files - pinned == set(), "a file in tests/data/bad/ with no pinned case in CASES"
    assert pinned - files - set(GENERATED) == set(), "a pinned case whose file is gone"
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(files | set(GENERATED)) if f"`{name}`" not in readme] == []
