"""A record page, the sources, and the store's counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from kartoteka.access.policy import (
    PUBLIC_VIEWER,
    Access,
    Viewer,
    possibly_living,
    record_access,
    record_died,
)
from kartoteka.catalog.common import current_run, not_found, person_of_record, record_query, record_view
from kartoteka.catalog.types import RecordView, SourceView, StoreInfo
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import persons
from kartoteka.store import Store, records
from kartoteka.store import sources as sources_table

_DEATH_KINDS = ("death_roster", "burial")


def record(store: Store, record_id: int, viewer: Viewer = PUBLIC_VIEWER) -> RecordView:
    """One source record: the fields ``viewer`` may see, its citation, the person it belongs to (None before a
    link). A record the policy withholds from this viewer (a personal file, to the public) raises
    "auth.forbidden"."""
    simulated = store.is_simulated()
    with store.engine.connect() as conn:
        row = conn.execute(record_query().where(records.c.id == record_id)).first()
        if row is None:
            raise not_found("record", record_id, "check the id; `kartoteka status` lists the sources and their counts")
        person_id = person_of_record(conn, record_id)
        fields: Mapping[str, Any] = dict(row._mapping)
        if person_id is not None:
            person = conn.execute(select(persons.c.birth_year, persons.c.fate).where(
                persons.c.id == person_id)).first()
            living = person is None or possibly_living(person.birth_year, person.fate == "died")
        else:
            living = possibly_living(fields["birth_year"], record_died(fields["kind"], fields))
    access = record_access(viewer, fields["kind"], person_id, living)
    if access == Access.WITHHELD:
        raise KartotekaError("auth.forbidden", f"Record {record_id} is a personal file: it is shown only to "
                                               "signed-in users.",
                             hint="A family may ask for a person's file: sign in at /login with an account, "
                                  "then ask for it; the person's page lists the file by id and kind.",
                             details={"record_id": record_id, "kind": fields["kind"], "person_id": person_id})
    return record_view(fields, person_id, simulated, access)


def sources(store: Store) -> list[SourceView]:
    """The imported sources with their counts, in the order they were imported."""
    simulated = store.is_simulated()
    counted = (select(records.c.source_id, func.count().label("n")).group_by(records.c.source_id)).subquery()
    query = (select(sources_table, func.coalesce(counted.c.n, 0).label("records"))
             .outerjoin(counted, counted.c.source_id == sources_table.c.id).order_by(sources_table.c.id))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [SourceView(id=int(r.id), name=r.name, kind=r.kind, file_name=r.file_name,
                       imported_at=str(r.imported_at), records=int(r.records), quarantined=int(r.quarantined_count),
                       simulated=bool(r.simulated) or simulated) for r in rows]


_info_cache: dict[str, tuple[tuple[object, ...], StoreInfo]] = {}


def store_info(store: Store) -> StoreInfo:
    """Counts for the home page, the SIMULATED flag and the current run. The counts (a scan of millions of rows)
    are kept until an import or a link changes them (the largest source, record and run ids say so)."""
    simulated = store.is_simulated()
    with store.engine.connect() as conn:
        run = current_run(conn)
        version = (conn.execute(select(func.max(sources_table.c.id))).scalar_one(),
                   conn.execute(select(func.max(records.c.id))).scalar_one(),
                   None if run is None else f"{run['id']} {run['finished_at']}", simulated)
        kept = _info_cache.get(str(store.engine.url))
        if kept is not None and kept[0] == version:
            return kept[1]
        info = _counts(conn, run, simulated)
    _info_cache[str(store.engine.url)] = (version, info)
    return info


def _counts(conn: Any, run: Any, simulated: bool) -> StoreInfo:
    record_count = conn.execute(select(func.count()).select_from(records)).scalar_one()
    person_count = conn.execute(select(func.count()).select_from(persons)).scalar_one()
    if person_count:
        dead = conn.execute(select(func.count()).select_from(persons).where(persons.c.fate == "died")).scalar_one()
    else:  # before a link: the records that say a death (a roster's or register's entry, a death date)
        dead = conn.execute(select(func.count()).select_from(records).where(
            records.c.kind.in_(_DEATH_KINDS) | (func.coalesce(records.c.death_date, "") != ""))).scalar_one()
    source_count = conn.execute(select(func.count()).select_from(sources_table)).scalar_one()
    run = run if person_count else None
    return StoreInfo(simulated=simulated, records=int(record_count), persons=int(person_count), dead=int(dead),
                     sources=int(source_count), run_id=None if run is None else int(run["id"]),
                     run_finished_at=None if run is None else str(run["finished_at"]),
                     model_version=None if run is None else run["model_version"])
