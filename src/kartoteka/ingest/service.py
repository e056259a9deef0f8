"""Importing source files into the store: one file, or a directory described by its manifest.json.

Each file is one transaction: its source row, its records and its quarantine rows all commit together or not
at all (a kill -9 halfway leaves the store as it was). A file is keyed by its sha256, so importing the same
file again adds nothing and says so. Library code never prints: progress goes to a callback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, OperationalError

from kartoteka.core.bulk_work import collector_paused
from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer import record_places
from kartoteka.gazetteer import service as gazetteer
from kartoteka.gazetteer.resolver import Index
from kartoteka.ingest.encodings import choose_encoding
from kartoteka.ingest.follow_up import FollowUp, is_follow_up
from kartoteka.ingest.kinds import store_kind
from kartoteka.ingest.mappings import Mapping, detect_mapping, resolve_mapping
from kartoteka.ingest.normalize import DATE_FIELDS, INSERT_COLUMNS, RAW_JSON, QuarantineEntry, RowNormalizer
from kartoteka.ingest.readers import Fault, Table, file_format, open_table
from kartoteka.ingest.writer import BatchWriter
from kartoteka.store import Store
from kartoteka.store.database import set_meta_in
from kartoteka.store.schema import sources

#: progress(rows_done, bytes_done, bytes_total)
ProgressCallback = Callable[[int, int, int], None]
STRICT_SAMPLE = 5


@dataclass
class ImportResult:
    """What one file's import did."""

    file: str
    kind: str
    source_id: int
    rows_imported: int
    rows_quarantined: int
    already_imported: bool = False
    encoding: str | None = None
    mapping: str | None = None
    simulated: bool = False
    quarantine_sample: list[str] = field(default_factory=list)
    #: Line accounting: lines = header_lines + blank_lines + record_lines + quarantined_lines.
    lines: int = 0
    header_lines: int = 0
    blank_lines: int = 0
    record_lines: int = 0
    quarantined_lines: int = 0
    #: Records kept with a warning (listed by `kartoteka quarantine`), and a few of them.
    warnings: int = 0
    warning_sample: list[str] = field(default_factory=list)
    #: The source whose quarantined rows this file corrects, if it is a follow-up.
    follow_up_of: int | None = None
    resolved: int = 0
    #: The records' camp, death place and burial texts resolved in the gazetteer (rows of record_places).
    place_texts: int = 0

    @property
    def rows_read(self) -> int:
        """Every data row of the file: imported plus quarantined."""
        return self.rows_imported + self.rows_quarantined


@dataclass(frozen=True)
class ImportOptions:
    """How to read one file (all optional; the CLI's flags)."""

    mapping: str | Mapping | None = None
    encoding: str | None = None
    strict: bool = False
    simulated: bool = False
    batch_size: int = 5000
    base_dir: Path | None = None


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (streamed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(store: Store, kind: str, path: Path, options: ImportOptions | None = None,
                progress: ProgressCallback | None = None) -> ImportResult:
    """Import one source file of ``kind`` (see module docstring); raises KartotekaError for a bad file."""
    options = options or ImportOptions()
    kind = store_kind(kind)
    path = Path(path)
    if not path.is_file():
        raise KartotekaError("input.missing", f"no such file: {path}", hint="check the path", file=str(path))
    fmt = file_format(path)
    sha = file_sha256(path)
    existing = _existing_source(store, sha)
    if existing is not None:
        if options.simulated:
            store.set_meta("simulated", "true")
        return existing
    mapping = _given_mapping(options)
    encoding = None
    if fmt != "xlsx":
        encoding = choose_encoding(path, options.encoding or (mapping.encoding if mapping else None)).encoding
    table = open_table(path, encoding)
    try:
        # the gazetteer loaded (once per store) before the import's transaction: its place texts are resolved in it
        places = gazetteer.index_of(store)
        mapping = mapping or detect_mapping(table.headers, kind, set(INSERT_COLUMNS))
        normalizer = RowNormalizer(kind, path.name, table.headers, mapping, path=str(path),
                                   fixed_headers=table.format in ("csv", "tsv", "xlsx"))
        table.date_headers = frozenset(h for h in table.headers if normalizer.target(h) in DATE_FIELDS)
        simulated = options.simulated or table.simulated
        result = ImportResult(str(path), kind, 0, 0, 0, encoding=encoding,
                              mapping=mapping.name if mapping else None, simulated=simulated)
        try:
            with store.engine.begin() as conn:
                _write_source(conn, table, normalizer, sha, result, options, progress, places)
        except IntegrityError as exc:  # the same file imported at the same moment by someone else
            raise KartotekaError("store.conflict", "another import of this same file finished first; nothing was "
                                 "added by this one", hint="run `kartoteka status` to see it", file=str(path)) from exc
        except OperationalError as exc:
            raise KartotekaError("store.write", f"the database refused the import: {exc.orig}",
                                 hint="another import may hold the database (SQLite allows one writer at a time); "
                                      "try again when it has finished", file=str(path)) from exc
    finally:
        table.close()
    return result


def _given_mapping(options: ImportOptions) -> Mapping | None:
    if options.mapping is None or isinstance(options.mapping, Mapping):
        return options.mapping
    return resolve_mapping(options.mapping, options.base_dir)


def _existing_source(store: Store, sha: str) -> ImportResult | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(sources).where(sources.c.file_sha256 == sha)).mappings().first()
    if row is None:
        return None
    return ImportResult(row["name"], row["kind"], row["id"], row["row_count"], row["quarantined_count"],
                        already_imported=True, encoding=row["encoding"], simulated=row["simulated"],
                        lines=row["line_count"] or 0, header_lines=row["header_lines"] or 0,
                        blank_lines=row["blank_lines"] or 0, warnings=row["warning_count"],
                        follow_up_of=row["follow_up_of"])


def _write_source(conn: Connection, table: Table, normalizer: RowNormalizer, sha: str, result: ImportResult,
                  options: ImportOptions, progress: ProgressCallback | None, places: Index) -> None:
    """Insert the source row, every record and quarantine row, what their place texts resolve to in the gazetteer
    (``places``), and the final counts, in ``conn``'s transaction."""
    rows = table.rows
    follow_up = None
    if is_follow_up(table.headers):
        follow_up = FollowUp(conn, normalizer.kind, rows, str(table.path))
        rows, normalizer.file_name = follow_up.rows(), follow_up.parent_file
        result.follow_up_of, result.simulated = follow_up.parent_id, result.simulated or follow_up.simulated
    inserted = conn.execute(sources.insert().values(
        name=table.path.name, kind=normalizer.kind, file_name=table.path.name, file_sha256=sha,
        encoding=result.encoding, imported_at=dt.datetime.now(dt.UTC), row_count=0, quarantined_count=0,
        simulated=result.simulated, follow_up_of=result.follow_up_of,
    )).inserted_primary_key
    assert inserted is not None
    source_id = int(inserted[0])
    result.source_id = source_id
    writer = BatchWriter(conn, (source_id, normalizer.kind, normalizer.file_name), normalizer.insert_columns,
                         options.batch_size)
    _read_rows(table, rows, normalizer, writer, result, follow_up, progress)
    if result.rows_read == 0:
        raise KartotekaError("input.empty", "the file has a header but no data rows: nothing to import",
                             hint="check that you gave the right file", file=str(table.path))
    if options.strict and result.rows_quarantined:
        raise KartotekaError(
            "input.strict",
            f"--strict: {result.rows_quarantined} of {result.rows_read} rows are bad, so nothing was imported:\n    "
            + "\n    ".join(result.quarantine_sample),
            hint="fix these rows, or import without --strict to quarantine them and import the rest",
            file=str(table.path),
        )
    _account_lines(table, result)
    if follow_up is not None:
        follow_up.finish(conn, source_id)
        result.resolved = len(follow_up.imported)
    result.place_texts = record_places.resolve_source(conn, places, source_id, writer.place_texts)
    conn.execute(sources.update().where(sources.c.id == source_id).values(
        row_count=result.rows_imported, quarantined_count=result.rows_quarantined, line_count=result.lines,
        header_lines=result.header_lines, blank_lines=result.blank_lines, warning_count=result.warnings))
    if result.simulated:
        set_meta_in(conn, "simulated", "true")


@collector_paused()  # a row makes a few dicts and no reference cycles: collections only walked the batch again
def _read_rows(table: Table, rows: Iterator[tuple[int, int, dict[str, str]]], normalizer: RowNormalizer,
               writer: BatchWriter, result: ImportResult, follow_up: FollowUp | None,
               progress: ProgressCallback | None) -> None:
    """The hot loop: each row to a record or a quarantine entry, counting the lines of each.

    A one-line row that becomes a record without a warning takes the short path (most rows of most files);
    everything else (faults, rows over several lines, quarantine, warnings, follow-ups) goes through
    ``_other_row``, which counts the lines beyond the first of each record and every quarantined line.
    """
    total = table.path.stat().st_size
    counts = _Counts()
    normalize, add = normalizer.normalize, writer.add
    done = 0
    for line, span, row in rows:
        done += 1
        if span == 1 and follow_up is None and type(row) is not Fault:
            record, entry = normalize(line, row)
            if entry is None:  # no entry: normalize made a record
                add(record)  # type: ignore[arg-type]
            else:
                _other_row(table, normalizer, writer, result, counts, line, span, row, (record, entry))
        else:
            _other_row(table, normalizer, writer, result, counts, line, span, row, None, follow_up)
        if progress is not None and done % 2000 == 0:
            progress(done, table.position(), total)
    writer.flush()
    result.rows_quarantined = counts.quarantined
    result.rows_imported = done - counts.quarantined
    result.record_lines = result.rows_imported + counts.record_lines_beyond_first
    result.quarantined_lines = counts.quarantined_lines
    if progress is not None:
        progress(done, total, total)


@dataclass
class _Counts:
    quarantined: int = 0
    quarantined_lines: int = 0
    record_lines_beyond_first: int = 0


def _other_row(table: Table, normalizer: RowNormalizer, writer: BatchWriter, result: ImportResult, counts: _Counts,
               line: int, span: int, row: dict[str, str],
               normalized: tuple[tuple[Any, ...] | None, QuarantineEntry | None] | None,
               follow_up: FollowUp | None = None) -> None:
    """A row off the short path: a fault, a stray quote, a quarantined row, a warning, a follow-up row."""
    entry: QuarantineEntry | None
    if normalized is not None:
        record, entry = normalized
    elif type(row) is Fault:
        record, entry = None, _fault_entry(table, line, span, row)
    elif span > 1 and table.csv is not None and (
            (column := normalizer.line_break_column(row)) is not None or table.csv.looks_swallowed()):
        record, entry, span = None, _stray_quote(table, line, span, column), 1
    else:
        record, entry = normalizer.normalize(line, row)
    if record is not None:
        writer.add(record)
        counts.record_lines_beyond_first += span - 1
        if entry is not None:
            _warn(writer, result, entry)
    else:
        assert entry is not None
        counts.quarantined += 1
        counts.quarantined_lines += span
        _quarantine(table, writer, result, entry, span)
    if follow_up is not None:
        follow_up.outcome(record[0] if record is not None else None)


def _quarantine(table: Table, writer: BatchWriter, result: ImportResult, entry: QuarantineEntry, span: int) -> None:
    if entry.raw_text is None:
        raw = table.csv.raw() if table.csv is not None else table.raw()
        entry = replace(entry, line_count=span, raw_text=raw)
    writer.add_quarantine(entry)
    if len(result.quarantine_sample) < STRICT_SAMPLE:
        result.quarantine_sample.append(f"line {entry.row_number}: {entry.reason} [{entry.code}]")


def _warn(writer: BatchWriter, result: ImportResult, entry: QuarantineEntry) -> None:
    writer.add_quarantine(entry)
    result.warnings += 1
    if len(result.warning_sample) < STRICT_SAMPLE:
        result.warning_sample.append(f"line {entry.row_number}: {entry.reason} [{entry.code}]")


def _fault_entry(table: Table, line: int, span: int, row: Fault) -> QuarantineEntry:
    return QuarantineEntry(line, None, None, row.message, RAW_JSON(row), row.code, line_count=span)


def _stray_quote(table: Table, line: int, span: int, column: str | None) -> QuarantineEntry:
    """A quoted field that swallowed the lines after it: quarantine its first line, read the others again."""
    lines = table.csv
    assert lines is not None
    values = lines.first_line_values()
    into = f"into column {column!r}, which cannot hold a line break" if column else "over whole rows of the file"
    entry = QuarantineEntry(
        line, column, values.get(column) if column else None,
        f"a quote opens a field that runs across {span} lines ({line}-{line + span - 1}) {into}: a stray quote? "
        f"This line is quarantined; lines {line + 1}-{line + span - 1} were read again, each on its own",
        RAW_JSON(values), "parse.stray_quote", line_count=1, raw_text=lines.first_line())
    lines.replay()
    return entry


def _account_lines(table: Table, result: ImportResult) -> None:
    """Check that every line of the file is a header, blank, record or quarantined line (never dropped)."""
    counts = table.counts()
    result.lines, result.header_lines, result.blank_lines = counts.total, counts.header, counts.blank
    accounted = counts.header + counts.blank + result.record_lines + result.quarantined_lines
    if accounted != counts.total:
        raise KartotekaError(
            "input.accounting", f"the file has {counts.total} lines but {accounted} were accounted for "
            f"({counts.header} header, {counts.blank} blank, {result.record_lines} in records, "
            f"{result.quarantined_lines} quarantined); nothing was imported",
            hint="this is a bug in kartoteka: please report it with the file", file=str(table.path))
