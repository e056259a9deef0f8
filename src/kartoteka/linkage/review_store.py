"""The reviewers' decisions as stored: their records' fingerprints, which decisions stand, and the pair's state.

A decision keeps the fingerprint of its two records as they were when it was taken (every field a record holds,
and the hash of its source row). If either record changes later (a corrected import) or is gone, the fingerprint
no longer matches: the decision is *stale*, no run applies it, and its pair comes back to the queue, marked.

    fingerprints(conn, ids) -> {record id: hash}    pair_fingerprint(left, right, by_id) -> hash or None
    standing(store) -> [Decision]                    the active, not stale same / not same, latest per pair
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kartoteka.linkage.tables import decisions
from kartoteka.store import RECORD_FIELDS, records

LINKING = ("same", "not_same")  # the answers a run applies; "unsure" and "skip" only leave the pair for now
ANSWERS = (*LINKING, "unsure", "skip")
_CHUNK = 500


@dataclass(frozen=True)
class Decision:
    """One stored decision with what became of it."""

    id: int
    record_id_l: int
    record_id_r: int
    decision: str
    reviewer: str | None
    note: str | None
    decided_at: Any
    undone_at: Any
    undone_by: str | None
    action: str | None
    fingerprint: str | None
    stale: bool  # its records changed since (or are gone): it no longer stands

    @property
    def active(self) -> bool:
        return self.undone_at is None

    @property
    def stands(self) -> bool:
        """Applied by the next run: active, not stale, and a same / not same."""
        return self.active and not self.stale and self.decision in LINKING

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "active": self.active, "stands": self.stands}


def fingerprints(conn: Any, ids: Iterable[int]) -> dict[int, str]:
    """Each record's fingerprint: a hash of its source row's hash and every field it holds."""
    wanted = sorted(set(ids))
    columns = [records.c.id, records.c.row_sha256, *(records.c[name] for name in RECORD_FIELDS)]
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        for row in conn.execute(select(*columns).where(records.c.id.in_(chunk))):
            values = [None if value is None else str(value) for value in row[1:]]
            found[int(row[0])] = hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:32]
    return found


def pair_fingerprint(left: int, right: int, by_id: dict[int, str]) -> str | None:
    """The fingerprint of a pair (None when a record is gone)."""
    a, b = by_id.get(min(left, right)), by_id.get(max(left, right))
    return None if a is None or b is None else hashlib.sha256(f"{a}:{b}".encode()).hexdigest()[:32]


def load(conn: Any, where: Any = None, order_newest: bool = False) -> list[Decision]:
    """Decisions (all, or those matching `where`), each with whether its records changed since."""
    query = select(decisions)
    if where is not None:
        query = query.where(where)
    query = query.order_by(decisions.c.id.desc() if order_newest else decisions.c.id)
    rows = list(conn.execute(query).mappings())
    by_id = fingerprints(conn, [row[name] for row in rows for name in ("record_id_l", "record_id_r")])
    return [decision_of(row, by_id) for row in rows]


def decision_of(row: Any, by_id: dict[int, str]) -> Decision:
    """A decision from its row, stale when its records' fingerprints (`by_id`, current) no longer match."""
    left, right = sorted((int(row["record_id_l"]), int(row["record_id_r"])))
    now = pair_fingerprint(left, right, by_id)
    # A decision from before fingerprints were kept (migration 0150) stands while both records exist.
    stale = now is None or (row["fingerprint"] is not None and row["fingerprint"] != now)
    return Decision(id=int(row["id"]), record_id_l=left, record_id_r=right, decision=row["decision"],
                    reviewer=row["reviewer"], note=row["note"], decided_at=row["decided_at"],
                    undone_at=row["undone_at"], undone_by=row["undone_by"], action=row["action"],
                    fingerprint=row["fingerprint"], stale=stale)


def standing(store: Any) -> list[Decision]:
    """The decisions the next run applies: active, not stale, same / not same; the latest per pair."""
    with store.engine.connect() as conn:
        found = load(conn, decisions.c.undone_at.is_(None))
    latest: dict[tuple[int, int], Decision] = {}
    for decision in found:
        if decision.stands:
            latest[(decision.record_id_l, decision.record_id_r)] = decision
    return list(latest.values())
