"""A record page, the sources, and the store's counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from kartoteka.catalog.common import current_run, not_found, person_of_record, record_query, record_view
from kartoteka.catalog.types import RecordView, SourceView, StoreInfo
from kartoteka.linkage.tables import persons
from kartoteka.store import Store, records
from kartoteka.store import sources as sources_table

_DEATH_KINDS = ("death_roster", "burial")


def record(store: Store, record_id: int) -> RecordView:
    """One source record: its public fields, its citation, the person it belongs to (None before a link)."""
    simulated = store.is_simulated()
    with store.engine.connect() as conn:
        row = conn.execute(record_query().where(records.c.id == record_id)).first()
        if row is None:
            raise not_found("record", record_id, "check the id; `kartoteka status` lists the sources and their counts")
        person_id = person_of_record(conn, record_id)
    return record_view(row._mapping, person_id, simulated)


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
