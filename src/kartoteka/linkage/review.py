"""The review queue: uncertain pairs, most consequential first, with the evidence; decisions and undo.

A decision (same / not the same) is stored in `decisions` and applied as a hard rule by every later run
(`clustering.cluster`), so it survives re-runs and re-training. Undo marks it undone; the next run forgets it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, insert, select, update

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import decisions, match_pairs, person_records, persons
from kartoteka.store import Store, records

DECISIONS = ("same", "not_same")
SHOWN_FIELDS = ("kind", "record_ref", "surname", "given_name", "name_original", "birth_year", "prefecture",
                "birth_place", "unit", "rank", "camp", "death_date", "event_date", "file_name", "row_number")


@dataclass
class ReviewItem:
    """One pair in the queue: both records side by side and each comparison's match weight."""

    record_id_l: int
    record_id_r: int
    match_probability: float
    match_weight: float
    priority: float
    weights: dict[str, float]
    left: dict[str, Any] = field(default_factory=dict)
    right: dict[str, Any] = field(default_factory=dict)


def _record_fields(conn: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    columns = [records.c.id, *(records.c[name] for name in SHOWN_FIELDS)]
    rows = conn.execute(select(*columns).where(records.c.id.in_(ids))).mappings()
    return {row["id"]: {name: row[name] for name in SHOWN_FIELDS} for row in rows}


def queue_query(limit: int) -> Select[Any]:
    """The first `limit` pairs in review, by priority (read through the partial index ix_match_pairs_review)."""
    return (select(match_pairs).where(match_pairs.c.in_review == 1)
            .order_by(match_pairs.c.review_priority.desc(), match_pairs.c.record_id_l).limit(limit))


def review_queue(store: Store, limit: int = 20) -> list[ReviewItem]:
    """The undecided pairs of the review band, those whose decision changes the most first."""
    decided = {(left, right) for left, right, *_ in _active(store)}
    query = queue_query(limit + len(decided))
    with store.engine.connect() as conn:
        rows = [row for row in conn.execute(query).mappings()
                if (min(row["record_id_l"], row["record_id_r"]), max(row["record_id_l"], row["record_id_r"]))
                not in decided][:limit]
        fields = _record_fields(conn, [r["record_id_l"] for r in rows] + [r["record_id_r"] for r in rows])
    return [ReviewItem(
        record_id_l=row["record_id_l"], record_id_r=row["record_id_r"],
        match_probability=float(row["match_probability"]), match_weight=float(row["match_weight"]),
        priority=float(row["review_priority"] or 0.0), weights=json.loads(row["weights_json"] or "{}"),
        left=fields.get(row["record_id_l"], {}), right=fields.get(row["record_id_r"], {}),
    ) for row in rows]


def _active(store: Store) -> list[tuple[int, int, str, int]]:
    query = select(decisions.c.record_id_l, decisions.c.record_id_r, decisions.c.decision, decisions.c.id).where(
        decisions.c.undone_at.is_(None))
    with store.engine.connect() as conn:
        return [(min(a, b), max(a, b), d, i) for a, b, d, i in conn.execute(query)]


def decide(store: Store, record_id_l: int, record_id_r: int, decision: str, reviewer: str | None = None,
           note: str | None = None) -> int:
    """Store a decision on a pair of records; it outranks the model on every later run. Returns its id."""
    decision = decision.replace("-", "_")
    if decision not in DECISIONS:
        raise KartotekaError("usage.decision", f"unknown decision {decision!r}", hint="use same or not-same")
    if record_id_l == record_id_r:
        raise KartotekaError("usage.decision", "a record is always the same as itself",
                             hint="give two different record ids")
    with store.engine.begin() as conn:
        found = set(conn.execute(select(records.c.id).where(records.c.id.in_([record_id_l, record_id_r]))).scalars())
        missing = {record_id_l, record_id_r} - found
        if missing:
            raise KartotekaError("usage.decision", f"no record with id {', '.join(map(str, sorted(missing)))}",
                                 hint="take the ids from `kartoteka review`")
        left, right = sorted((record_id_l, record_id_r))
        result = conn.execute(insert(decisions).values(
            record_id_l=left, record_id_r=right, decision=decision, reviewer=reviewer, note=note,
            decided_at=dt.datetime.now(dt.UTC)))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def undo(store: Store, decision_id: int | None = None) -> int:
    """Undo a decision (the latest one when no id is given); the next `link` no longer applies it."""
    with store.engine.begin() as conn:
        query = select(decisions.c.id).where(decisions.c.undone_at.is_(None))
        query = query.where(decisions.c.id == decision_id) if decision_id else query.order_by(decisions.c.id.desc())
        found = conn.execute(query.limit(1)).scalar_one_or_none()
        if found is None:
            raise KartotekaError("usage.undo", "no decision to undo" if decision_id is None
                                 else f"no active decision with id {decision_id}",
                                 hint="list decisions with `kartoteka review --decisions`")
        conn.execute(update(decisions).where(decisions.c.id == found).values(undone_at=dt.datetime.now(dt.UTC)))
        return int(found)


def list_decisions(store: Store) -> list[dict[str, Any]]:
    """Every decision, newest first, with whether it is still in force."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(decisions).order_by(decisions.c.id.desc())).mappings()
        return [{**row, "active": row["undone_at"] is None} for row in rows]


def flagged_persons(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """Persons whose cluster broke a constraint (split or kept by a decision), with their record ids."""
    query = (select(persons.c.id, persons.c.name_cyrillic, persons.c.name_kanji, persons.c.birth_year,
                    persons.c.flags, persons.c.record_count)
             .where(persons.c.flags.is_not(None)).order_by(persons.c.record_count.desc(), persons.c.id).limit(limit))
    with store.engine.connect() as conn:
        found = [dict(row) for row in conn.execute(query).mappings()]
        for person in found:
            person["record_ids"] = sorted(conn.execute(select(person_records.c.record_id).where(
                person_records.c.person_id == person["id"])).scalars())
    return found
