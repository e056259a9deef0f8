"""What every catalog read shares: the record rows (through the public-field policy), their citations, the
current run, and the not-found error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from kartoteka.access.policy import Access, public_record, visible_record
from kartoteka.catalog.types import Citation, RecordView
from kartoteka.core.errors import KartotekaError
from kartoteka.core.model import RECORD_KIND_DESCRIPTIONS
from kartoteka.linkage.tables import link_runs, person_records
from kartoteka.store import RECORD_FIELDS, records, sources

SIMULATED_MARK = "SIMULATED"
KIND_TITLES: dict[str, str] = {
    "card": "Soviet registration card",
    "personal_file": "Soviet personal file",
    "death_roster": "Japanese death roster",
    "jp_roster": "Japanese roster",
    "manifest": "repatriation manifest",
    "burial": "burial register",
}
# raw_json and row_sha256 are never read here: the policy would drop them, and not reading them is safer still.
_RECORD_COLUMNS = [records.c.id, records.c.kind, records.c.source_id, records.c.record_ref, records.c.file_name,
                   records.c.row_number, *[records.c[name] for name in RECORD_FIELDS], records.c.extra_json]


def record_query() -> Any:
    """The records with their source's name (provenance), ready for a where clause."""
    return select(*_RECORD_COLUMNS, sources.c.name.label("source_name")).join(
        sources, sources.c.id == records.c.source_id)


def not_found(what: str, value: object, hint: str) -> KartotekaError:
    return KartotekaError("catalog.not_found", f"no {what} with the id {value!r}", hint=hint,
                          details={"what": what, "id": value})


def citation(row: Mapping[str, Any], simulated: bool, access: Access = Access.PUBLIC) -> Citation:
    """Where a record comes from, and the line to cite it by (without its archive and scan references when the
    access policy shows the record as a list entry or withholds it: a scan shows the whole record)."""
    if access in (Access.LIST, Access.WITHHELD):
        row = {**row, "archive_ref": None, "scan_ref": None}
    title = KIND_TITLES.get(row["kind"], row["kind"])
    source = "" if row["source_name"] == row["file_name"] else f"{row['source_name']}, "
    parts = [f"{title}, {source}{row['file_name']} line {row['row_number']}"]
    if row.get("archive_ref"):
        parts.append(f"archive ref {row['archive_ref']}")
    text = "; ".join([", ".join(parts), f"kartoteka record {row['id']} ({row['record_ref']})"])
    return Citation(source_id=int(row["source_id"]), source_name=str(row["source_name"]),
                    file_name=str(row["file_name"]), line=int(row["row_number"]), record_ref=str(row["record_ref"]),
                    archive_ref=row.get("archive_ref") or None, scan_ref=row.get("scan_ref") or None,
                    text=text + (f" [{SIMULATED_MARK}]" if simulated else ""))


def record_view(row: Any, person_id: int | None, simulated: bool, access: Access = Access.PUBLIC) -> RecordView:
    """One record as the catalog shows it: the fields the access policy lets through, with its citation. A full
    view that shows nothing beyond the public fields says "public" (nothing restricted was seen)."""
    kind = str(row["kind"])
    fields = visible_record(kind, row, access)
    if access == Access.FULL and set(fields) <= set(public_record(kind, row)):
        access = Access.PUBLIC
    return RecordView(id=int(row["id"]), kind=kind, fields=fields, citation=citation(row, simulated, access),
                      person_id=person_id, simulated=simulated, access=access.value)


def record_rows(conn: Any, record_ids: Iterable[int]) -> list[Mapping[str, Any]]:
    """The rows of these records (with source names), in id order."""
    ids = sorted(set(record_ids))
    rows: list[Mapping[str, Any]] = []
    for start in range(0, len(ids), 500):
        query = record_query().where(records.c.id.in_(ids[start:start + 500])).order_by(records.c.id)
        rows.extend(row._mapping for row in conn.execute(query))
    return rows


def person_of_record(conn: Any, record_id: int) -> int | None:
    found = conn.execute(select(person_records.c.person_id).where(person_records.c.record_id == record_id)).first()
    return None if found is None else int(found[0])


def current_run(conn: Any) -> Mapping[str, Any] | None:
    """The last finished run (the one whose persons are in the store)."""
    query = select(link_runs.c.id, link_runs.c.finished_at, link_runs.c.model_version).where(
        link_runs.c.status == "done").order_by(link_runs.c.id.desc()).limit(1)
    found = conn.execute(query).first()
    return None if found is None else found._mapping


def kind_description(kind: str) -> str:
    return RECORD_KIND_DESCRIPTIONS.get(kind, kind)
