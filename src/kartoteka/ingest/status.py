"""What the store holds: records by kind and by source, quarantined rows, and whether it is SIMULATED."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from kartoteka.store import Store, quarantine, records, sources


def store_status(store: Store) -> dict[str, Any]:
    """Counts by kind and by source, quarantined rows, and the simulated flag, as plain data (JSON-ready)."""
    with store.engine.connect() as conn:
        by_kind: dict[str, int] = dict(conn.execute(select(records.c.kind, func.count()).group_by(records.c.kind)).all())
        source_rows = conn.execute(select(sources).order_by(sources.c.id)).mappings().all()
        quarantined = conn.execute(select(func.count()).select_from(quarantine).where(  # errors not yet resolved
            quarantine.c.severity == "error", quarantine.c.resolved_by.is_(None))).scalar_one()
    return {
        "backend": store.backend,
        "simulated": store.is_simulated(),
        "records": sum(by_kind.values()),
        "quarantined": quarantined,
        "by_kind": {kind: by_kind[kind] for kind in sorted(by_kind)},
        "sources": [
            {"id": row["id"], "name": row["name"], "kind": row["kind"], "records": row["row_count"],
             "quarantined": row["quarantined_count"], "encoding": row["encoding"],
             "simulated": bool(row["simulated"]), "imported_at": row["imported_at"].isoformat()}
            for row in source_rows
        ],
    }
