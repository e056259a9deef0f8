"""Whole persons reviewed: the persons whose records hold together most weakly first, split one, merge two.

A split or a merge is stored as the pair decisions that make the next run do it, as one act (undone together):
merging persons A and B is "same" between one record of each; splitting records S out of a person is "same"
among S (a chain) and "not the same" between every record of S and every other record of the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.review import decide
from kartoteka.linkage.tables import person_records, persons
from kartoteka.store import Store

# A split asks for |S| x |rest| "not the same" decisions; a person this large is a data problem, not a review.
MAX_SPLIT_PAIRS = 2_500


def weak_persons(store: Store, limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
    """Persons of several records, the most weakly held first: by the weakest link that brought one of their
    records in (person_records.match_probability), then the largest."""
    weakest = func.min(person_records.c.match_probability).label("weakest")
    query = (select(persons.c.id, persons.c.name_cyrillic, persons.c.name_kanji, persons.c.birth_year,
                    persons.c.record_count, persons.c.flags, weakest)
             .join(person_records, person_records.c.person_id == persons.c.id)
             .where(persons.c.record_count > 1)
             .group_by(persons.c.id, persons.c.name_cyrillic, persons.c.name_kanji, persons.c.birth_year,
                       persons.c.record_count, persons.c.flags)
             .order_by(weakest.asc().nulls_first(), persons.c.record_count.desc(), persons.c.id)
             .limit(limit).offset(offset))
    with store.engine.connect() as conn:
        found = [dict(row) for row in conn.execute(query).mappings()]
        for person in found:
            person["records"] = [dict(row) for row in conn.execute(
                select(person_records.c.record_id, person_records.c.match_probability)
                .where(person_records.c.person_id == person["id"]).order_by(person_records.c.record_id)).mappings()]
    return found


def _records_of(conn: Any, person_id: int) -> list[int]:
    ids = sorted(conn.execute(select(person_records.c.record_id)
                              .where(person_records.c.person_id == person_id)).scalars())
    if not ids:
        raise KartotekaError("review.not_found", f"no person {person_id} in the current persons",
                             hint="take the id from `kartoteka review --persons` (persons change with every link)")
    return ids


def merge_persons(store: Store, person_a: int, person_b: int, reviewer: str | None = None,
                  note: str | None = None) -> list[int]:
    """Decide that two persons are one man: "same" between their first records. Returns the decisions' ids."""
    if person_a == person_b:
        raise KartotekaError("usage.decision", "a person is always the same as itself",
                             hint="give two different person ids")
    act = uuid.uuid4().hex
    with store.engine.begin() as conn:
        first_a, first_b = _records_of(conn, person_a)[0], _records_of(conn, person_b)[0]
        return [decide(store, first_a, first_b, "same", reviewer, note, act, conn)]


def split_person(store: Store, person_id: int, record_ids: Iterable[int], reviewer: str | None = None,
                 note: str | None = None) -> list[int]:
    """Decide that `record_ids` of a person are another man: they stay together, apart from the rest."""
    act = uuid.uuid4().hex
    moved = sorted(set(record_ids))
    with store.engine.begin() as conn:
        members = _records_of(conn, person_id)
        strangers = sorted(set(moved) - set(members))
        if strangers:
            raise KartotekaError("usage.decision", f"records {strangers} are not person {person_id}'s",
                                 hint=f"choose among the records {members}")
        rest = [rid for rid in members if rid not in moved]
        if not moved or not rest:
            raise KartotekaError("usage.decision", "a split needs records on both sides",
                                 hint="name some, not all, of the person's records")
        if len(moved) * len(rest) > MAX_SPLIT_PAIRS:
            raise KartotekaError("usage.decision", f"person {person_id} is too large to split in one step",
                                 hint="decide the pairs that are wrong one by one with `kartoteka review`")
        made = [decide(store, a, b, "same", reviewer, note, act, conn) for a, b in pairwise(moved)]
        made += [decide(store, a, b, "not_same", reviewer, note, act, conn) for a in moved for b in rest]
    return made
