"""Exporting records of one kind as CSV or JSON Lines, in a shape that ``import`` reads back to the same records.

Columns: ``record_ref``, the normalized fields (docs/reference/columns.md) and ``extra_json``. An export of
a simulated store says so: CSV starts with a ``# SIMULATED ...`` comment line, JSON Lines with a
``{"_kartoteka": {"simulated": true, ...}}`` line; the importer skips both and marks what it imports simulated.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.kinds import store_kind
from kartoteka.ingest.readers import EXPORT_META_KEY, SIMULATED_CSV_PREFIX
from kartoteka.store import RECORD_FIELDS, Store, records

EXPORT_COLUMNS: tuple[str, ...] = ("record_ref", *RECORD_FIELDS, "extra_json")
EXPORT_FORMATS = ("csv", "jsonl")
SIMULATED_NOTE = "SIMULATED: exported from a simulated kartoteka store; these are not real people"


def export_records(store: Store, kind: str, fmt: str, out: Path) -> int:
    """Write every record of ``kind`` to ``out`` as ``fmt`` (csv or jsonl); returns the number written."""
    kind = store_kind(kind)
    if fmt not in EXPORT_FORMATS:
        raise KartotekaError("usage.format", f"unknown export format {fmt!r}",
                             hint="use --format csv or --format jsonl")
    simulated = store.is_simulated()
    query = (select(*[records.c[name] for name in EXPORT_COLUMNS])
             .where(records.c.kind == kind).order_by(records.c.id))
    try:
        handle = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise KartotekaError("usage.output", f"cannot write {out}: {exc.strerror}", file=str(out)) from exc
    with handle, store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
        write = _csv_writer(handle, simulated) if fmt == "csv" else _jsonl_writer(handle, simulated, kind)
        count = 0
        for row in result:
            write(row)
            count += 1
    return count


def _csv_writer(handle: TextIO, simulated: bool) -> Callable[[Any], None]:
    if simulated:
        handle.write(f"{SIMULATED_CSV_PREFIX}: {SIMULATED_NOTE.removeprefix('SIMULATED: ')}\n")
    writer = csv.writer(handle)
    writer.writerow(EXPORT_COLUMNS)

    def write(row: Any) -> None:
        writer.writerow(["" if value is None else value for value in row])

    return write


def _jsonl_writer(handle: TextIO, simulated: bool, kind: str) -> Callable[[Any], None]:
    meta = {"simulated": simulated, "kind": kind, "columns": list(EXPORT_COLUMNS)}
    if simulated:
        meta["note"] = SIMULATED_NOTE
    handle.write(json.dumps({EXPORT_META_KEY: meta}, ensure_ascii=False) + "\n")

    def write(row: Any) -> None:
        obj = {name: value for name, value in zip(EXPORT_COLUMNS, row, strict=True) if value is not None}
        if "extra_json" in obj:
            obj["extra_json"] = json.loads(obj["extra_json"])
        handle.write(json.dumps(obj, ensure_ascii=False) + "\n")

    return write
