"""Importing source files into the store: one file, or a directory described by its manifest.json.

Each file is one transaction: its source row, its records and its quarantine rows all commit together or not
at all (a kill -9 halfway leaves the store as it was). A file is keyed by its sha256, so importing the same
file again adds nothing and says so. Library code never prints: progress goes to a callback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError, OperationalError

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.encodings import choose_encoding
from kartoteka.ingest.kinds import store_kind
from kartoteka.ingest.mappings import Mapping, detect_mapping, resolve_mapping
from kartoteka.ingest.normalize import INSERT_COLUMNS, RowNormalizer
from kartoteka.ingest.readers import Table, file_format, open_table
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
        mapping = mapping or detect_mapping(table.headers, kind, set(INSERT_COLUMNS))
        normalizer = RowNormalizer(kind, path.name, table.headers, mapping, path=str(path),
                                   fixed_headers=table.format in ("csv", "tsv", "xlsx"))
        simulated = options.simulated or table.simulated
        result = ImportResult(str(path), kind, 0, 0, 0, encoding=encoding,
                              mapping=mapping.name if mapping else None, simulated=simulated)
        try:
            with store.engine.begin() as conn:
                _write_source(conn, table, normalizer, sha, result, options, progress)
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
                        already_imported=True, encoding=row["encoding"], simulated=row["simulated"])


def _write_source(conn: Connection, table: Table, normalizer: RowNormalizer, sha: str, result: ImportResult,
                  options: ImportOptions, progress: ProgressCallback | None) -> None:
    """Insert the source row, every record and quarantine row, and the final counts, in ``conn``'s transaction."""
    inserted = conn.execute(sources.insert().values(
        name=table.path.name, kind=normalizer.kind, file_name=table.path.name, file_sha256=sha,
        encoding=result.encoding, imported_at=dt.datetime.now(dt.UTC), row_count=0, quarantined_count=0,
        simulated=result.simulated,
    )).inserted_primary_key
    assert inserted is not None
    source_id = int(inserted[0])
    result.source_id = source_id
    writer = BatchWriter(conn, (source_id, normalizer.kind, table.path.name), normalizer.insert_columns,
                         options.batch_size)
    total = table.path.stat().st_size
    rows = 0
    for number, row in table.rows:
        record, rejected = normalizer.normalize(number, row)
        if record is not None:
            writer.add(record)
        else:
            assert rejected is not None
            writer.add_quarantine(rejected)
            if len(result.quarantine_sample) < STRICT_SAMPLE:
                result.quarantine_sample.append(f"row {number}: {rejected.reason}")
        rows += 1
        if progress is not None and rows % 2000 == 0:
            progress(rows, table.position(), total)
    writer.flush()
    if rows == 0:
        raise KartotekaError("input.empty", "the file has a header but no data rows: nothing to import",
                             hint="check that you gave the right file", file=str(table.path))
    if options.strict and writer.quarantined_total:
        raise KartotekaError(
            "input.strict",
            f"--strict: {writer.quarantined_total} of {rows} rows are bad, so nothing was imported:\n    "
            + "\n    ".join(result.quarantine_sample),
            hint="fix these rows, or import without --strict to quarantine them and import the rest",
            file=str(table.path),
        )
    conn.execute(sources.update().where(sources.c.id == source_id).values(
        row_count=writer.written, quarantined_count=writer.quarantined_total))
    if result.simulated:
        set_meta_in(conn, "simulated", "true")
    result.rows_imported, result.rows_quarantined = writer.written, writer.quarantined_total
    if progress is not None:
        progress(rows, total, total)
