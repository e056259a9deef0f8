"""Readers: one per file format, each streaming a table row by row (a file is never loaded whole).

Every reader yields ``(line, span, values)``: ``line`` is the row's line as an editor shows it (the header is
line 1; for XLSX the sheet's row number), ``span`` how many physical lines the row takes, and ``values`` maps
each column name to its text (a ``Fault`` for a row the reader could not take, to be quarantined). The
table's ``counts`` say how many lines the file has and how many of them are header, comment or layout lines
and blank lines: the importer accounts for every one. A first line
``# SIMULATED ...`` (CSV) or ``{"_kartoteka": {"simulated": true, ...}}`` (JSONL) marks an export of a
simulated store: it is not a row, and the source it makes is marked simulated.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.csv_lines import CsvLines, Fault
from kartoteka.ingest.encodings import detect_encoding, find_undecodable_line

SIMULATED_CSV_PREFIX = "# SIMULATED"
EXPORT_META_KEY = "_kartoteka"
TEXT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".json": "json", ".jsonl": "jsonl",
                ".ndjson": "jsonl"}
FORMATS = {**TEXT_FORMATS, ".xlsx": "xlsx", ".xlsm": "xlsx"}
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Row = dict[str, str]
__all__ = ["Fault", "LineCounts", "Table", "open_table"]


@dataclass
class LineCounts:
    """The physical lines of a file (sheet rows of a workbook): all, header/comment/layout, blank."""

    total: int = 0
    header: int = 0
    blank: int = 0


@dataclass
class Table:
    """An open source file: its format, header, and a stream of rows."""

    path: Path
    format: str
    headers: list[str]
    rows: Iterator[tuple[int, int, Row]]
    simulated: bool = False
    lines: LineCounts = field(default_factory=LineCounts)
    #: The CSV line source (raw text and replay of the current record); None for the other formats.
    csv: CsvLines | None = None
    #: The raw text of the current row where the format has one (a JSON line); CSV asks ``csv``.
    raw: Callable[[], str | None] = field(default=lambda: None)
    #: Bytes read so far (for a progress bar); 0 when the format cannot say.
    position: Callable[[], int] = field(default=lambda: 0)
    closers: list[Callable[[], Any]] = field(default_factory=list)
    #: Headers whose target is a date (set by the importer before reading rows; the XLSX reader checks that
    #: a number in one of them is not a spreadsheet date serial).
    date_headers: frozenset[str] = frozenset()

    def counts(self) -> LineCounts:
        """The line counts, complete once ``rows`` is exhausted."""
        if self.csv is not None:
            self.lines.total = self.csv.header_lines + self.csv.read
            self.lines.header, self.lines.blank = self.csv.header_lines, self.csv.blank_lines
        return self.lines

    def close(self) -> None:
        """Close the underlying file."""
        for close in self.closers:
            close()


def file_format(path: Path) -> str:
    """The format of ``path`` from its extension (csv, tsv, json, jsonl, xlsx)."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise KartotekaError(
            "input.format", f"cannot read files of type {path.suffix or '(no extension)'!r}",
            hint="use .csv, .tsv, .xlsx, .json (an array of objects) or .jsonl (one object per line)",
            file=str(path),
        ) from None


def open_table(path: Path, encoding: str | None) -> Table:
    """Open ``path`` for streaming; ``encoding`` applies to the text formats. Raises for an empty file."""
    fmt = file_format(path)
    if path.stat().st_size == 0:
        raise empty_file_error(path, "the file is empty (0 bytes)")
    if fmt == "xlsx":
        from kartoteka.ingest.xlsx import open_xlsx

        return open_xlsx(path)
    binary = open(path, "rb")  # noqa: SIM115 - closed by Table.close
    text = io.TextIOWrapper(binary, encoding=encoding or "utf-8", errors="strict", newline="")
    try:
        opener = {"csv": _open_csv, "tsv": _open_csv, "jsonl": _open_jsonl, "json": _open_json}[fmt]
        table = _guard_decoding(opener(path, fmt, text), encoding or "utf-8")
    except BaseException:
        text.close()
        raise
    table.position = binary.tell
    table.closers.append(text.close)
    return table


def empty_file_error(path: Path, what: str) -> KartotekaError:
    return KartotekaError("input.empty", f"{what}: nothing to import", hint="check that you gave the right file",
                          file=str(path))


def _guard_decoding(table: Table, encoding: str) -> Table:
    """Turn a decode error in the middle of a file into an error naming its line."""
    rows = table.rows

    def guarded() -> Iterator[tuple[int, int, Row]]:
        try:
            yield from rows
        except UnicodeDecodeError as exc:
            raise _decode_error(table.path, encoding) from exc

    table.rows = guarded()
    return table


def _decode_error(path: Path, encoding: str) -> KartotekaError:
    bad = find_undecodable_line(path, encoding)
    line, snippet = bad if bad else (None, b"")
    try:
        likely = detect_encoding(path).encoding
    except KartotekaError:
        likely = None
    return KartotekaError(
        "input.encoding", f"the file is not valid {encoding} text (bytes {snippet!r}"
        + (f"; it reads as {likely}" if likely else "") + "); nothing was imported",
        hint=(f"drop --encoding ({likely} is detected by itself) or give --encoding {likely}" if likely else
              "give the right encoding with --encoding ENC (tried: " + encoding + ")"),
        file=str(path), line=line, details={"tried": [encoding]},
    )


# --- CSV / TSV -------------------------------------------------------------------------------------

def _open_csv(path: Path, fmt: str, text: io.TextIOWrapper) -> Table:
    try:
        first = text.readline()
        simulated = first.startswith(SIMULATED_CSV_PREFIX)
        if simulated:
            first = text.readline()
    except UnicodeDecodeError as exc:
        raise _decode_error(path, text.encoding) from exc
    if not first.strip():
        raise empty_file_error(path, "the file has no header line")
    delimiter = "\t" if fmt == "tsv" else sniff_delimiter(first)
    raw_header = next(csv.reader([first], delimiter=delimiter))
    headers = name_blank_headers([h.strip() for h in raw_header])
    lines = CsvLines(text, delimiter, headers, 2 if simulated else 1)
    lines.raw_header = raw_header
    return Table(path, fmt, headers, lines.rows(), simulated=simulated, csv=lines)


def name_blank_headers(headers: list[str]) -> list[str]:
    """A column without a header is called ``column_N`` (its values go to extra_json under that name)."""
    return [header or f"column_{index}" for index, header in enumerate(headers, start=1)]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV file: whichever of , ; TAB | occurs most often in its header line."""
    counts = {d: _count_outside_quotes(header_line, d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


# --- JSON Lines and JSON arrays --------------------------------------------------------------------

def _open_jsonl(path: Path, fmt: str, text: io.TextIOWrapper) -> Table:
    counts = LineCounts()
    current = [""]
    lines = _numbered_lines(text, counts, current)
    first = next(lines, None)
    if first is None:
        raise empty_file_error(path, "the file has no JSON lines")
    first_obj = _json_row(*first)
    simulated = False
    if type(first_obj) is dict and set(first_obj) == {EXPORT_META_KEY}:
        meta = json.loads(first_obj[EXPORT_META_KEY] or "{}")
        simulated = isinstance(meta, dict) and bool(meta.get("simulated"))
        counts.header = 1
        first = next(lines, None)
        if first is None:
            raise empty_file_error(path, "the file has no rows after its export header")
        first_obj = _json_row(*first)

    def rows() -> Iterator[tuple[int, int, Row]]:
        yield first[0], 1, first_obj
        for line_number, line in lines:
            yield line_number, 1, _json_row(line_number, line)

    headers = [] if isinstance(first_obj, Fault) else list(first_obj)
    return Table(path, fmt, headers, rows(), simulated=simulated, lines=counts, raw=lambda: current[0])


def _numbered_lines(text: io.TextIOWrapper, counts: LineCounts, current: list[str]) -> Iterator[tuple[int, str]]:
    number = 0
    for number, line in enumerate(text, start=1):
        if line.strip():
            current[0] = line
            yield number, line
        else:
            counts.blank += 1
    counts.total = number


def _json_row(line_number: int, line: str) -> Row:
    """One JSON line as a row, or a Fault (quarantined, not fatal: one broken line costs one row)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Fault({}, "parse.json", f"not valid JSON: {exc.msg} (at character {exc.pos + 1})")
    if not isinstance(obj, dict):
        return Fault({}, "parse.not_object", f"expected an object per line, found {_json_type(obj)}")
    return {str(key): json_value_text(value) for key, value in obj.items()}


def _json_type(obj: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(obj), "null")


def _element_row(obj: Any) -> Row:
    """One element of a JSON array as a row, or a Fault when it is not an object (quarantined)."""
    if not isinstance(obj, dict):
        return Fault({}, "parse.not_object", f"expected an object per element, found {_json_type(obj)}")
    return {str(key): json_value_text(value) for key, value in obj.items()}


def json_value_text(value: Any) -> str:
    """A JSON value as cell text: null is blank, numbers and booleans as written, nested as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _open_json(path: Path, fmt: str, text: io.TextIOWrapper) -> Table:
    """A JSON array: each element is a row; lines that hold no element ("[", "]") are layout lines."""
    counts = LineCounts()
    objects = _stream_json_array(path, text, counts)
    first = next(objects, None)
    if first is None:
        raise empty_file_error(path, "the JSON array is empty")

    def rows() -> Iterator[tuple[int, int, Row]]:
        last_end = element_lines = 0  # two elements may share a line: each line is counted once
        for start, end, obj in itertools.chain([first], objects):
            span = max(end - max(start, last_end + 1) + 1, 0)
            last_end = max(last_end, end)
            element_lines += span
            yield start, span, _element_row(obj)
        counts.header = counts.total - element_lines

    return Table(path, fmt, list(first[2]) if isinstance(first[2], dict) else [], rows(), lines=counts)


def _stream_json_array(path: Path, text: io.TextIOWrapper, counts: LineCounts) -> Iterator[tuple[int, int, Any]]:
    """Yield (first line, last line, element) of a top-level JSON array, reading the file in chunks; at the
    closing bracket, set ``counts.total`` to the file's number of lines."""
    decoder = json.JSONDecoder()
    buffer, pos, line, eof = "", 0, 1, False

    def fill() -> bool:
        nonlocal buffer, pos
        chunk = text.read(1 << 16)
        buffer, pos = buffer[pos:] + chunk, 0
        return bool(chunk)

    def skip(chars: str) -> None:
        nonlocal pos, line, eof
        while True:
            while pos < len(buffer) and buffer[pos] in chars:
                line += buffer[pos] == "\n"
                pos += 1
            if pos < len(buffer) or eof:
                return
            eof = not fill()

    skip(" \t\r\n\ufeff")
    if pos >= len(buffer) or buffer[pos] != "[":
        raise KartotekaError("input.json", "a .json file must hold one array of objects",
                             hint="use .jsonl for one object per line", file=str(path), line=line)
    pos += 1
    while True:
        skip(" \t\r\n,")
        if pos >= len(buffer):
            raise KartotekaError("input.json", "the JSON array is not closed", file=str(path), line=line)
        if buffer[pos] == "]":
            rest = buffer[pos:] + text.read()
            counts.total = line + rest.count("\n") - (1 if rest.endswith("\n") else 0)
            return
        try:
            obj, end = decoder.raw_decode(buffer, pos)
        except json.JSONDecodeError as exc:
            if not eof and fill():  # the element may continue in the next chunk
                continue
            eof = True
            raise KartotekaError("input.json", f"not valid JSON: {exc.msg}", file=str(path),
                                 line=line + buffer.count("\n", pos, exc.pos)) from exc
        if end == len(buffer) and not eof and fill():
            continue  # a number or literal may continue in the next chunk: decode it again whole
        last = line + buffer.count("\n", pos, end)
        yield line, last, obj
        line, pos = last, end
