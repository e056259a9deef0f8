"""The physical lines of a CSV file, fed to ``csv.reader``, so that every line is accounted for.

The file is read a chunk of lines at a time (``readlines``: split in C, no Python code runs per line), and
``csv.reader`` reads straight from them; its ``line_num`` says how many lines each record took. The chunks
not yet wholly behind the current record are kept: their lines are its raw text for the quarantine, and when
a record turns out to be a parse fault (a stray quote that swallowed the lines after it), ``replay`` gives
every line after its first to a new reader, which reads them again, each on its own. Line numbers are those
an editor shows (the header is line 1).
"""

from __future__ import annotations

import csv
import itertools
from collections import deque
from collections.abc import Iterator
from typing import Any

Row = dict[str, str]
DELIMITERS = (",", ";", "\t", "|")
BOM = "\ufeff"
CHUNK_CHARS = 1 << 16


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
        self.read = 0  # lines of the file after the header (replayed lines count once); set at its end
        self.raw_header: list[str] = []
        # (index of the first line, lines) of each chunk not yet wholly behind the current record; line
        # indexes count from 0 after the header.
        self._chunks: deque[tuple[int, list[str]]] = deque()
        self._handed = 0  # lines handed to the reader so far
        self._reader: Any = None
        self._base = self._done = 0  # the current reader's first line; the current record's first in the reader
        self._replay_at: list[int] = []  # the line to read again from, after a replay()
        self._boms: list[bool] = []  # not empty once a chunk held a BOM (then each row is checked for one)

    def _line_lists(self) -> Iterator[list[str]]:
        """The file's lines after the header, a chunk's worth at a time; keeps them for ``raw``."""
        text, chunks = self.text, self._chunks
        while lines := text.readlines(CHUNK_CHARS):  # split as iterating the file would: in C, one list a chunk
            while chunks and chunks[0][0] + len(chunks[0][1]) <= self._start:
                chunks.popleft()
            if not self._boms and BOM in "".join(lines):
                self._boms.append(True)
            chunks.append((self._handed, lines))
            self._handed += len(lines)
            yield lines
        self.read = self._handed

    def rows(self) -> Iterator[tuple[int, int, Row]]:
        """(editor line of the record's first line, lines it takes, values by header) for each record."""
        headers, raw_header, width = self.headers, self.raw_header, len(self.headers)
        feed: Iterator[str] = itertools.chain.from_iterable(self._line_lists())
        replay, boms = self._replay_at, self._boms  # filled by replay() and by a chunk holding a BOM
        base = 0  # index of the current reader's first line
        while True:  # a new reader after each replay, over the lines put back and then the rest
            reader = self._reader = csv.reader(feed, delimiter=self.delimiter)
            self._base, self._done = base, 0
            done = 0
            first = self.header_lines + base + 1  # the editor line of the reader's first line
            # The hot loop: one row per pass. The current record's first line is kept for raw() (its last is the
            # reader's line_num): one store per row.
            for values in reader:
                end = reader.line_num
                self._done = done
                if len(values) == width and values != raw_header and not (boms and values[0][:1] == BOM):
                    yield first + done, end - done, dict(zip(headers, values, strict=True))
                elif not values or (len(values) == 1 and not values[0].strip()):
                    self.blank_lines += end - done  # blank lines are layout, not rows
                else:
                    yield first + done, end - done, self._odd_row(values)
                done = end
                if replay:
                    break
            else:
                return
            end_of_record = self._end
            base = replay.pop()
            feed = itertools.chain(self._lines(base, end_of_record), feed)

    @property
    def _start(self) -> int:
        """The index of the current record's first line."""
        return self._base + self._done

    @property
    def _end(self) -> int:
        """The index of the line after the current record."""
        return self._base + (self._reader.line_num if self._reader is not None else 0)

    def _odd_row(self, values: list[str]) -> Row:
        """A record that is not simply a row of the header's width: a Fault, or the row as far as it goes."""
        headers = self.headers
        if values[0][:1] == BOM:  # a file joined on after this one, its BOM kept: not text
            values[0] = values[0][1:]
            if values == self.raw_header:
                return Fault(dict(zip(headers, values, strict=True)), "row.header_repeated",
                             "the header line again, after a byte order mark (two files joined into one?)")
            return _row(headers, values)
        if values == self.raw_header:
            return Fault(dict(zip(headers, values, strict=True)), "row.header_repeated",
                         "the header line again (two files joined into one?)")
        if len(values) < len(headers) and (other := self._other_delimiter()) is not None:
            return Fault(ragged(headers, values), "parse.delimiter", f"the values are separated by {other!r}, not "
                         f"by the header's {self.delimiter!r}: a line from another file?")
        return ragged(headers, values)

    def _lines(self, start: int, end: int) -> list[str]:
        """The kept lines with indexes [start, end)."""
        out: list[str] = []
        for first, lines in self._chunks:
            if first < end and first + len(lines) > start:
                out.extend(lines[max(start - first, 0):end - first])
        return out

    def _other_delimiter(self) -> str | None:
        """The delimiter (, ; TAB |) other than the file's that splits the current record into exactly the
        header's columns: such a line would otherwise import whole, as one name."""
        if self._end - self._start != 1:  # a record over several lines is a quoting fault, not a delimiter one
            return None
        text = self.first_line()
        for delimiter in DELIMITERS:
            if delimiter != self.delimiter and delimiter in text and len(
                    next(csv.reader([text], delimiter=delimiter), [])) == len(self.headers):
                return delimiter
        return None

    def raw(self) -> str:
        """The raw text of the current record (all its physical lines)."""
        return "".join(self._lines(self._start, self._end))

    def first_line(self) -> str:
        """The current record's first physical line."""
        return self._lines(self._start, self._start + 1)[0]

    def replay(self) -> int:
        """Read the current record's lines after its first again, on their own; returns how many."""
        self._replay_at.append(self._start + 1)
        return self._end - self._start - 1

    def first_line_values(self) -> Row:
        """The current record's first line split at every delimiter, quotes kept as text (for correcting)."""
        values = next(csv.reader([self.first_line().rstrip("\r\n")], delimiter=self.delimiter,
                                 quoting=csv.QUOTE_NONE), [""])
        return ragged(self.headers, values)

    def looks_swallowed(self) -> bool:
        """True when a line inside the current multi-line record is, on its own, a whole row of the file's width
        (a stray quote in a column that may hold line breaks swallowed the rows after it)."""
        width = len(self.headers)
        if width < 3:
            return False
        for text in self._lines(self._start + 1, self._end - 1):
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
