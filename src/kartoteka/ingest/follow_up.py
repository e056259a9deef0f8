"""A corrected file of quarantined rows, imported as a follow-up to the source they came from.

`kartoteka quarantine --csv OUT` writes each row with the columns ``kartoteka_quarantine_id``,
``kartoteka_source``, ``kartoteka_line`` and ``kartoteka_reason`` before the file's own columns. Importing
that file (after correcting it) keeps the original provenance: each record gets the original file's name, its
line and the record_ref it would have had. The quarantine entry of a row that now imports is marked resolved
(by the follow-up source, naming the record); a row that is still bad gets a new entry and the old one is
marked replaced. Nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, bindparam, select

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.csv_lines import Fault
from kartoteka.store.schema import quarantine, sources

ID_COLUMN = "kartoteka_quarantine_id"
Rows = Iterator[tuple[int, int, dict[str, str]]]


def is_follow_up(headers: list[str]) -> bool:
    """True for a file written by `kartoteka quarantine --csv`."""
    return ID_COLUMN in headers


class FollowUp:
    """The parent source of a follow-up file and the open quarantine entries its rows correct."""

    def __init__(self, conn: Connection, kind: str, rows: Rows, path: str) -> None:
        """Peek at the first row to find the parent source; raises when it names no quarantined row."""
        self._rows = rows
        self._first = next(rows, None)
        entry = self._entry_of(conn, self._first[2] if self._first else {})
        if entry is None:
            raise KartotekaError("input.follow_up", f"the first row's {ID_COLUMN} names no quarantined row of "
                                 "this store", hint="import the corrected file into the store it was listed "
                                 "from (kartoteka quarantine --csv)", file=path)
        parent = conn.execute(select(sources).where(sources.c.id == entry["source_id"])).mappings().one()
        if parent["kind"] != kind:
            raise KartotekaError("input.follow_up", f"these rows were quarantined from a {parent['kind']} source "
                                 f"(#{parent['id']} {parent['file_name']}), not a {kind}",
                                 hint=f"kartoteka import {parent['kind'].replace('_', '-')} FILE", file=path)
        self.parent_id: int = parent["id"]
        self.parent_file: str = parent["file_name"]
        self.simulated: bool = bool(parent["simulated"])
        self._open = dict(conn.execute(
            select(quarantine.c.id, quarantine.c.row_number).where(
                quarantine.c.source_id == self.parent_id, quarantine.c.severity == "error",
                quarantine.c.resolved_by.is_(None))).all())
        self.current: int | None = None
        self.imported: list[tuple[int, str]] = []
        self.replaced: list[int] = []

    @staticmethod
    def _entry_of(conn: Connection, row: dict[str, str]) -> Any:
        text = (row.get(ID_COLUMN) or "").strip()
        if not text.isdigit():
            return None
        return conn.execute(select(quarantine).where(quarantine.c.id == int(text))).mappings().first()

    def rows(self) -> Rows:
        """The rows with their original line numbers; a row naming no open entry of the parent is a Fault."""
        if self._first is None:
            return
        for line, span, row in _chained(self._first, self._rows):
            text = (row.pop(ID_COLUMN, "") or "").strip()
            original = self._open.pop(int(text), None) if text.isdigit() else None
            self.current = int(text) if original is not None else None
            for name in ("kartoteka_source", "kartoteka_line", "kartoteka_reason"):
                row.pop(name, None)
            if original is None:
                yield line, span, Fault(row, "row.follow_up", f"{ID_COLUMN} {text!r} names no open quarantined "
                                        f"row of source #{self.parent_id} (resolved already, or another source)")
            else:
                yield original, span, row

    def outcome(self, record_ref: str | None) -> None:
        """The current row imported as ``record_ref``, or (None) quarantined again."""
        if self.current is None:
            return
        if record_ref is None:
            self.replaced.append(self.current)
        else:
            self.imported.append((self.current, record_ref))

    def finish(self, conn: Connection, source_id: int) -> None:
        """Mark the corrected entries resolved (imported) or replaced (quarantined again), in ``conn``'s transaction."""
        update = (quarantine.update().where(quarantine.c.id == bindparam("qid"))
                  .values(resolved_by=source_id, record_ref=bindparam("ref")))
        params = [{"qid": qid, "ref": ref} for qid, ref in self.imported]
        params += [{"qid": qid, "ref": None} for qid in self.replaced]
        if params:
            conn.execute(update, params)


def _chained(first: tuple[int, int, dict[str, str]], rest: Rows) -> Rows:
    yield first
    yield from rest
