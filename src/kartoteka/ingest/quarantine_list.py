"""The quarantine as a list one can work with: every entry with its file, editor line, raw text, reason code
and status, and a CSV of the rows to correct that `kartoteka import` reads back as a follow-up.

Status: "open" (not imported), "resolved" (a follow-up imported the corrected row as ``record_ref``),
"replaced" (a follow-up had the row still bad: see its own entry), "warning" (the record was imported with
a flag).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.ingest.follow_up import ID_COLUMN
from kartoteka.ingest.readers import SIMULATED_CSV_PREFIX
from kartoteka.ingest.reasons import CODES
from kartoteka.store import Store
from kartoteka.store.schema import quarantine, sources


def list_quarantine(store: Store, source: int | None = None, reason: str | None = None) -> list[dict[str, Any]]:
    """Every quarantine entry (optionally of one source, or with one reason code or code prefix), in order."""
    if reason is not None and reason not in CODES and not any(code.startswith(reason + ".") for code in CODES):
        raise KartotekaError("usage.reason", f"unknown reason code {reason!r}",
                             hint="codes: " + ", ".join(sorted(CODES)))
    query = (select(quarantine, sources.c.kind, sources.c.simulated)
             .join(sources, sources.c.id == quarantine.c.source_id).order_by(quarantine.c.id))
    if source is not None:
        query = query.where(quarantine.c.source_id == source)
    if reason is not None:
        query = query.where((quarantine.c.code == reason) | quarantine.c.code.like(reason + ".%"))
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_entry(row) for row in rows]


def _entry(row: Any) -> dict[str, Any]:
    if row["severity"] == "warning":
        status = "warning"
    elif row["resolved_by"] is None:
        status = "open"
    else:
        status = "resolved" if row["record_ref"] else "replaced"
    return {
        "id": row["id"], "source": row["source_id"], "kind": row["kind"], "file": row["file_name"],
        "line": row["row_number"], "lines": row["line_count"], "code": row["code"] or "row.invalid",
        "severity": row["severity"], "status": status, "reason": row["reason"], "column": row["column_name"],
        "value": row["value"], "raw_text": row["raw_text"], "values": json.loads(row["raw_json"] or "{}"),
        "record_ref": row["record_ref"], "resolved_by": row["resolved_by"], "simulated": bool(row["simulated"]),
    }


def write_correction_csv(entries: list[dict[str, Any]], out: Path) -> int:
    """Write the open error entries as a CSV to correct and import again; returns how many rows it has."""
    rows = [e for e in entries if e["status"] == "open"]
    if len({e["source"] for e in rows}) > 1:
        raise KartotekaError("usage.source", "the open rows come from several sources; a corrected file "
                             "follows up one source", hint="add --source N (see `kartoteka status`)")
    columns: dict[str, None] = {}
    for entry in rows:
        columns.update(dict.fromkeys(entry["values"]))
    try:
        handle = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise KartotekaError("usage.output", f"cannot write {out}: {exc.strerror}", file=str(out)) from exc
    with handle:
        if any(e["simulated"] for e in rows):
            handle.write(f"{SIMULATED_CSV_PREFIX}: quarantined rows of a simulated store, not real people\n")
        writer = csv.writer(handle)
        writer.writerow([ID_COLUMN, "kartoteka_source", "kartoteka_line", "kartoteka_reason", *columns])
        for entry in rows:
            writer.writerow([entry["id"], entry["source"], entry["line"], f"[{entry['code']}] {entry['reason']}",
                             *(entry["values"].get(c, "") for c in columns)])
    return len(rows)
