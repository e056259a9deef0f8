"""The physical lines of a CSV file, fed to ``csv.reader`` one by one, so that every line is accounted for.

The lines of the record being read are kept (``buf``) until the next record starts: they are its raw text
for the quarantine, and when a record turns out to be a parse fault (a stray quote that swallowed the lines
after it), ``replay`` puts every line after its first back in front of the rest of the file, and the reader
reads them again, each on its own. Line numbers are those an editor shows (the header is line 1).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from typing import Any

Row = dict[str, str]
DELIMITERS = (",", ";", "\t", "|")
BOM = "\ufeff"


class Fault(dict[str, str]):
    """A row the reader could not take as a row (a broken JSON line, the header again): its values as far as
    they go, with the reason code and message; the importer quarantines it."""

    def __init__(self, values: Row, code: str, message: str) -> None:
        super().__init__(values)
        self.code = code
        self.message = message


class CsvLines:
    """One CSV text after its header: rows as (line, span, values), raw text and replay of the current record."""

    def __init__(self, text: Any, delimiter: str, headers: list[str], header_lines: int) -> None:
        """``text``: the file positioned after its ``header_lines`` header and comment lines."""
        self.text = text
        self.delimiter = delimiter
        self.headers = headers
        self.header_lines = header_lines
        self.blank_lines = 0
        self.read = 0  # lines read from the file after the header (replayed lines count once)
        self.buf: list[str] = []
        self.pending: deque[str] = deque()
        self.raw_header: list[str] = []
        self._numbered = enumerate(text, start=1)

    def _feed(self) -> Iterator[str]:
        buf, pending = self.buf, self.pending
        numbered = self._numbered
        count = self.read
        while True:
            while pending:
                line = pending.popleft()
                buf.append(line)
                yield line
            for count, line in numbered:  # noqa: B007 - the count after the loop is the file's
                buf.append(line)
                yield line
                if pending:
                    break
            else:
                if not pending:
                    self.read = count
                    return

    def rows(self) -> Iterator[tuple[int, int, Row]]:
        """(editor line of the record's first line, lines it takes, values by header) for each record."""
        headers, buf = self.headers, self.buf
        width = len(headers)
        raw_header = self.raw_header
        line = self.header_lines
        while True:  # a replay at the end of the file needs a new reader over the lines put back
            for values in csv.reader(self._feed(), delimiter=self.delimiter):
                span = len(buf)
                start = line + 1
                line += span
                if not values or (len(values) == 1 and not values[0].strip()):
                    self.blank_lines += span  # blank lines are layout, not rows
                elif len(values) == width and values != raw_header and values[0][:1] != BOM:
                    yield start, span, dict(zip(headers, values, strict=True))
                elif values[0][:1] == BOM:  # a file joined on after this one, its BOM kept: not text
                    values[0] = values[0][1:]
                    yield start, span, (Fault(dict(zip(headers, values, strict=True)), "row.header_repeated",
                                              "the header line again, after a byte order mark (two files joined "
                                              "into one?)") if values == raw_header else _row(headers, values))
                elif values == raw_header:
                    yield start, span, Fault(dict(zip(headers, values, strict=True)), "row.header_repeated",
                                             "the header line again (two files joined into one?)")
                elif len(values) < width and (other := self._other_delimiter()) is not None:
                    yield start, span, Fault(ragged(headers, values), "parse.delimiter",
                                             f"the values are separated by {other!r}, not by the header's "
                                             f"{self.delimiter!r}: a line from another file?")
                else:
                    yield start, span, ragged(headers, values)
                if len(buf) != span:  # replay() put lines back: they will be read (and numbered) again
                    line -= span - len(buf)
                buf.clear()
            if not self.pending:
                return

    def _other_delimiter(self) -> str | None:
        """The delimiter (, ; TAB |) other than the file's that splits the current record into exactly the
        header's columns: such a line would otherwise import whole, as one name."""
        if len(self.buf) != 1:  # a record over several lines is a quoting fault, not a delimiter one
            return None
        text = self.buf[0]
        for delimiter in DELIMITERS:
            if delimiter != self.delimiter and delimiter in text and len(
                    next(csv.reader([text], delimiter=delimiter), [])) == len(self.headers):
                return delimiter
        return None

    def raw(self) -> str:
        """The raw text of the current record (all its physical lines)."""
        return "".join(self.buf)

    def replay(self) -> int:
        """Read the current record's lines after its first again, on their own; returns how many."""
        again = self.buf[1:]
        self.pending.extendleft(reversed(again))
        del self.buf[1:]
        return len(again)

    def first_line_values(self) -> Row:
        """The current record's first line split at every delimiter, quotes kept as text (for correcting)."""
        values = next(csv.reader([self.buf[0].rstrip("\r\n")], delimiter=self.delimiter,
                                 quoting=csv.QUOTE_NONE), [""])
        return ragged(self.headers, values)

    def looks_swallowed(self) -> bool:
        """True when a line inside the current multi-line record is, on its own, a whole row of the file's width
        (a stray quote in a column that may hold line breaks swallowed the rows after it)."""
        width = len(self.headers)
        if width < 3:
            return False
        for text in self.buf[1:-1]:
            if text.strip() and len(next(csv.reader([text], delimiter=self.delimiter), [])) == width:
                return True
        return False


def _row(headers: list[str], values: list[str]) -> Row:
    return dict(zip(headers, values, strict=True)) if len(values) == len(headers) else ragged(headers, values)


def ragged(headers: list[str], values: list[str]) -> Row:
    """A row with fewer or more values than the header: blanks for the missing, "(column N)" for the extra."""
    row = dict(zip(headers, values, strict=False))
    for header in headers[len(values):]:
        row[header] = ""
    for index, value in enumerate(values[len(headers):], start=len(headers) + 1):
        if value.strip():
            row[f"(column {index})"] = value  # the validator quarantines a row with values past the header
    return row
