"""Decisions as a file, out and in: a store's decisions kept or moved, a ministry's past identifications loaded.

A file names records by their references (record_ref, and the source file's name where a reference alone is
ambiguous), never by the store's ids, so it loads into another store of the same sources.
CSV (a header row) or JSON Lines, chosen by the file's suffix (.csv, .jsonl):

    record_ref_l, source_l, record_ref_r, source_r, decision, reviewer, note, decided_at

`decision` is same / not_same (also "not-same", "same person", "different"), unsure or skip. On import every row
becomes a decision of one act (undone together); a row whose records are not found, or that contradicts a
standing decision of another reviewer, is not loaded and is reported with its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import review_store
from kartoteka.linkage.review import decide
from kartoteka.store import Store, records, sources

COLUMNS = ("record_ref_l", "source_l", "record_ref_r", "source_r", "decision", "reviewer", "note", "decided_at")
SYNONYMS = {"not_same": "not_same", "not-same": "not_same", "different": "not_same", "same_person": "same",
            "same": "same", "match": "same", "no_match": "not_same", "unsure": "unsure", "skip": "skip"}


@dataclass
class ImportResult:
    """What an import loaded, and each row it did not load (line number, why)."""

    loaded: int = 0
    act: str = ""
    refused: list[tuple[int, str]] = field(default_factory=list)


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".jsonl", ".ndjson"):
        return "csv" if suffix == ".csv" else "jsonl"
    raise KartotekaError("usage.decisions_file", f"{path.name}: a decisions file is .csv or .jsonl",
                         hint="name the file decisions.csv or decisions.jsonl")


def export_decisions(store: Store, out: Path, include_undone: bool = False) -> int:
    """Write the decisions (those in force, or all with `include_undone`) to `out`; returns how many."""
    kind = _format(out)
    with store.engine.connect() as conn:
        found = [d for d in review_store.load(conn) if include_undone or d.active]
        ids = {rid for d in found for rid in (d.record_id_l, d.record_id_r)}
        refs = {row.id: (row.record_ref, row.name) for row in conn.execute(
            select(records.c.id, records.c.record_ref, sources.c.name)
            .join(sources, sources.c.id == records.c.source_id).where(records.c.id.in_(sorted(ids))))}
    rows = []
    for d in found:
        left, right = refs.get(d.record_id_l, (None, None)), refs.get(d.record_id_r, (None, None))
        rows.append({"record_ref_l": left[0], "source_l": left[1], "record_ref_r": right[0], "source_r": right[1],
                     "decision": d.decision, "reviewer": d.reviewer, "note": d.note,
                     "decided_at": d.decided_at.isoformat() if isinstance(d.decided_at, dt.datetime)
                     else d.decided_at, **({"undone_at": str(d.undone_at)} if include_undone else {})})
    with out.open("w", encoding="utf-8", newline="") as handle:
        if kind == "csv":
            writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, *(["undone_at"] if include_undone else [])])
            writer.writeheader()
            writer.writerows(rows)
        else:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    kind = _format(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if kind == "csv":
                return [(number, dict(row)) for number, row in enumerate(csv.DictReader(handle), 2)]
            return [(number, json.loads(line)) for number, line in enumerate(handle, 1) if line.strip()]
    except FileNotFoundError as exc:
        raise KartotekaError("usage.decisions_file", f"no file {path}", hint="give the path of a decisions file") \
            from exc
    except (json.JSONDecodeError, UnicodeDecodeError, csv.Error) as exc:
        raise KartotekaError("input.decisions_file", f"{path.name} cannot be read: {exc}",
                             hint="a decisions file is UTF-8 CSV with a header row, or one JSON object a line",
                             file=str(path)) from exc


def _resolver(store: Store, refs: set[str]) -> dict[str, list[tuple[int, str]]]:
    found: dict[str, list[tuple[int, str]]] = {}
    wanted = sorted(refs)
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            query = (select(records.c.record_ref, records.c.id, sources.c.name)
                     .join(sources, sources.c.id == records.c.source_id)
                     .where(records.c.record_ref.in_(wanted[start:start + 500])))
            for ref, rid, name in conn.execute(query):
                found.setdefault(ref, []).append((int(rid), name))
    return found


def _record(by_ref: dict[str, list[tuple[int, str]]], ref: Any, source: Any) -> int | str:
    candidates = by_ref.get(str(ref or "").strip(), [])
    if source:
        candidates = [c for c in candidates if c[1] == str(source).strip()]
    if len(candidates) == 1:
        return candidates[0][0]
    return f"no record {ref!r}" if not candidates else f"record {ref!r} is in several sources; give its source"


def import_decisions(store: Store, path: Path, reviewer: str | None = None) -> ImportResult:
    """Load the decisions of a file as one act; `reviewer` stands in for rows that name none."""
    rows = _rows(path)
    missing = [name for name in ("record_ref_l", "record_ref_r", "decision") if rows and name not in rows[0][1]]
    if missing:
        raise KartotekaError("input.decisions_file", f"{path.name} lacks the column(s) {', '.join(missing)}",
                             hint=f"a decisions file has the columns {', '.join(COLUMNS)}", file=str(path))
    by_ref = _resolver(store, {str(row.get(side) or "").strip() for _, row in rows
                               for side in ("record_ref_l", "record_ref_r")})
    result = ImportResult(act=f"import:{path.name}:{uuid.uuid4().hex[:8]}")
    for number, row in rows:
        left = _record(by_ref, row.get("record_ref_l"), row.get("source_l"))
        right = _record(by_ref, row.get("record_ref_r"), row.get("source_r"))
        answer = SYNONYMS.get(str(row.get("decision") or "").strip().lower().replace(" ", "_"))
        if isinstance(left, str) or isinstance(right, str) or answer is None:
            why = left if isinstance(left, str) else right if isinstance(right, str) else \
                f"unknown decision {row.get('decision')!r}"
            result.refused.append((number, str(why)))
            continue
        try:
            decide(store, left, right, answer, row.get("reviewer") or reviewer,
                   row.get("note") or f"imported from {path.name}", action=result.act)
        except KartotekaError as exc:
            result.refused.append((number, exc.message))
            continue
        result.loaded += 1
    return result
