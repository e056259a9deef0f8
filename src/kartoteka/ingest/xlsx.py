"""The XLSX reader: the first sheet's rows, with what a cell's value alone would hide turned into quarantine.

openpyxl's read-only mode gives each cell's value and nothing else, so three faults of real workbooks would
come through as blanks or wrong values:

- a cell covered by a merged range (a surname merged down over a family's rows) reads as blank: the row is
  quarantined (``row.merged_cell``), naming the range, never imported with a blank name;
- a formula that was never calculated (a workbook written by a program, not saved by Excel or LibreOffice)
  has no stored value and reads as blank: quarantined (``row.formula``);
- a date typed or formatted as a plain number in a date column (16664 is 1945-08-15 as an Excel date
  serial) is quarantined (``row.date_number``) with the date it would be; a number that reads as a year
  (1860-1950) is what the sheet shows, and imports as that year.

The merged ranges and formula cells are found by one pass over the sheet's XML before the rows are read,
only when a byte search finds a formula or a merge in it at all (a sheet of plain values costs that search:
about 2 % of reading it; one with formulas, about a fifth more).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.csv_lines import Fault, ragged
from kartoteka.ingest.readers import LineCounts, Row, Table, empty_file_error, name_blank_headers

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_FORMULA_OR_MERGE = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)[\s>/]")
YEARS_AS_NUMBERS = range(1860, 1951)
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: (sheet row, column index 0-based) -> what is wrong with that cell: (code, message)
CellFaults = dict[tuple[int, int], tuple[str, str]]


def open_xlsx(path: Path) -> Table:
    """Open the first sheet of a workbook for streaming (see module docstring)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        raise KartotekaError("input.xlsx", f"cannot open the workbook: {exc}",
                             hint="save it again as .xlsx, or export it as CSV", file=str(path)) from exc
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(min_row=1, values_only=True)
    header = next(cells, None)
    if header is None or not any(cell not in (None, "") for cell in header):
        book.close()
        raise empty_file_error(path, "the first sheet has no header row")
    headers = [xlsx_text(cell).strip() for cell in header]
    while headers and not headers[-1]:
        headers.pop()
    headers = name_blank_headers(headers)
    faults = hidden_cell_faults(sheet)
    table = Table(path, "xlsx", headers, iter(()), closers=[book.close], lines=LineCounts(header=1))
    table.rows = _rows(table, cells, faults)
    return table


def _rows(table: Table, cells: Iterator[tuple[Any, ...]], faults: CellFaults) -> Iterator[tuple[int, int, Row]]:
    headers, counts = table.headers, table.lines
    number = 1  # the sheet's row number: the header is row 1
    for number, values in enumerate(cells, start=2):
        texts = [xlsx_text(value) for value in values]
        if not any(t.strip() for t in texts) and not _row_faults(faults, number, len(headers)):
            counts.blank += 1
            continue
        row = ragged(headers, texts) if len(texts) != len(headers) else dict(zip(headers, texts, strict=True))
        fault = _row_faults(faults, number, len(headers)) or _date_number(headers, values, table.date_headers)
        yield number, 1, Fault(row, *fault) if fault else row
    counts.total = number


def _row_faults(faults: CellFaults, number: int, width: int) -> tuple[str, str] | None:
    if not faults:
        return None
    found = [faults[number, column] for column in range(width) if (number, column) in faults]
    return (found[0][0], "; ".join(message for _, message in found)) if found else None


def _date_number(headers: list[str], values: tuple[Any, ...], date_headers: frozenset[str]) -> tuple[str, str] | None:
    """A number (not a date) in a date column that does not read as a year: a date serial shown unformatted."""
    if not date_headers:
        return None
    for header, value in zip(headers, values, strict=False):
        if (header in date_headers and isinstance(value, int | float) and not isinstance(value, bool)
                and value not in YEARS_AS_NUMBERS):
            as_date = EXCEL_EPOCH + dt.timedelta(days=int(value)) if 0 < value < 2958466 else None
            meaning = f" (as an Excel date it is {as_date.isoformat()})" if as_date else ""
            return ("row.date_number", f"{header}: the number {xlsx_text(value)} is not a date{meaning}; format the "
                    "column as dates in the spreadsheet, or type the date as text (20.08.1945)")
    return None


def hidden_cell_faults(sheet: Any) -> CellFaults:
    """The cells whose read-only value hides something: covered by a merge, or a formula never calculated."""
    archive, member = getattr(sheet.parent, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:  # openpyxl's private names changed: checked by the tests
        return {}
    faults: CellFaults = {}
    if not _mentions_formulas_or_merges(archive, member):
        return faults
    with archive.open(member) as xml:
        for _, element in ET.iterparse(xml):
            if element.tag == _MAIN + "c":
                formula = element.find(_MAIN + "f")
                if formula is not None and not (element.findtext(_MAIN + "v") or ""):
                    row, column = _cell_position(element.get("r", ""))
                    faults[row, column] = ("row.formula", f"cell {element.get('r')} holds the formula "
                                           f"={formula.text or '(shared)'} but no calculated value: open the "
                                           "workbook in Excel or LibreOffice and save it, then import it again")
                element.clear()
            elif element.tag == _MAIN + "mergeCell":
                _add_merge(faults, element.get("ref", ""))
            elif element.tag == _MAIN + "row":
                element.clear()
    return faults


def _mentions_formulas_or_merges(archive: Any, member: str) -> bool:
    """True when the sheet's XML has a formula or a merged range at all: a byte search, much quicker than
    parsing, so a sheet of plain values is read once only."""
    tail = b""
    with archive.open(member) as xml:
        while chunk := xml.read(1 << 20):
            if _FORMULA_OR_MERGE.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _add_merge(faults: CellFaults, ref: str) -> None:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    anchor = ref.split(":")[0]
    for row in range(min_row, max_row + 1):
        for column in range(min_col, max_col + 1):
            if (row, column) != (min_row, min_col):
                faults[row, column - 1] = ("row.merged_cell", f"cell {_cell_name(row, column)} is inside the "
                                           f"merged cell {ref}, whose value shows only in {anchor}: unmerge the "
                                           "cells and fill the value into every row")


def _cell_position(ref: str) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters) - 1


def _cell_name(row: int, column: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return f"{get_column_letter(column)}{row}"


def xlsx_text(value: Any) -> str:
    """A spreadsheet cell as text: dates in ISO form, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
