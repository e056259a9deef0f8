"""The review queue: uncertain pairs, most consequential first, with the evidence; answers, notes and undo.

A decision (same / not the same) is stored in `decisions` and applied as a hard rule by every later run
(`clustering.cluster`), so it survives re-runs and re-training. "unsure" and "skip" are kept too (who, when, a
note) but link nothing: the pair leaves the queue of whoever answered them. Undo marks the latest act undone (a
decision, or every decision of one person split, merge or imported file), step after step; the next run forgets it.

Two reviewers never overwrite each other: a same / not same that contradicts another reviewer's standing
decision on the pair is refused (`review.conflict`, naming who decided what and when); the first reviewer, or
anyone after undoing theirs, may change it. A decision whose records changed since it was taken is stale
(review_store): no run applies it and its pair comes back to the head of the queue, marked.

The weight of a pair is Splink's sum (splink/internals/predict.py `_combine_prior_and_mws`): the prior
log2(λ / (1 - λ)), plus each comparison's match weight, plus each term-frequency adjustment. `terms` lists
them in that order, and they add up to the pair's match weight.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, exists, func, insert, select, text, update

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import review_state, review_store
from kartoteka.linkage.review_store import ANSWERS, LINKING, Decision, fingerprints, pair_fingerprint
from kartoteka.linkage.tables import decisions, match_pairs, person_records, persons
from kartoteka.store import Store, records

DECISIONS = ANSWERS
SHOWN_FIELDS = ("kind", "record_ref", "surname", "given_name", "name_original", "birth_year", "prefecture",
                "birth_place", "unit", "rank", "camp", "death_date", "event_date", "file_name", "row_number")
PRIOR = "prior"
TF_PREFIX = "tf_"
# The comparisons' names as a reviewer reads them (model.py's comparison names).
TERM_LABELS = {"prior": "prior (log2 odds that two records are one person)", "sn": "surname", "gn": "given name",
               "fn": "full name", "birth_year": "birth year", "pref": "prefecture", "place": "birthplace",
               "unit": "unit", "rank": "rank", "camp": "camp", "death_date": "death date",
               "remainder": "prior and adjustments (not kept by this run)"}


@dataclass
class ReviewItem:
    """One pair in the queue: both records side by side, the terms of its weight, and what reviewers said."""

    record_id_l: int
    record_id_r: int
    match_probability: float
    match_weight: float
    priority: float
    weights: dict[str, float]
    left: dict[str, Any] = field(default_factory=dict)
    right: dict[str, Any] = field(default_factory=dict)
    terms: list[tuple[str, float]] = field(default_factory=list)
    returned: Decision | None = None  # a stale decision: the records changed since, so it is asked again
    answers: list[Decision] = field(default_factory=list)  # others' unsure / skip answers on the pair


def terms(match_weight: float, weights: dict[str, float | None]) -> list[tuple[str, float]]:
    """The terms that add up to `match_weight`: the prior first, each comparison, each term-frequency adjustment.

    Runs before migration 0150 kept no prior; their remainder (prior plus the adjustments) is one line."""
    comparisons = [(name, float(value)) for name, value in weights.items()
                   if value is not None and name != PRIOR and not name.startswith(TF_PREFIX)]
    adjustments = [(name, float(value)) for name, value in weights.items()
                   if value is not None and name.startswith(TF_PREFIX) and float(value) != 0.0]
    prior = weights.get(PRIOR)
    if prior is None:
        rest = match_weight - sum(value for _, value in comparisons + adjustments)
        return [("remainder", round(rest, 3)), *comparisons, *adjustments]
    return [(PRIOR, float(prior)), *comparisons, *adjustments]


def term_label(name: str) -> str:
    """A term's name as the review shows it ("term frequency: surname" for tf_sn)."""
    if name.startswith(TF_PREFIX):
        return f"term frequency: {TERM_LABELS.get(name[len(TF_PREFIX):], name[len(TF_PREFIX):])}"
    return TERM_LABELS.get(name, name)


def _record_fields(conn: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    columns = [records.c.id, *(records.c[name] for name in SHOWN_FIELDS)]
    rows = conn.execute(select(*columns).where(records.c.id.in_(ids))).mappings()
    return {row["id"]: {name: row[name] for name in SHOWN_FIELDS} for row in rows}


def queue_query(limit: int) -> Select[Any]:
    """The first `limit` undecided pairs in review, by priority then record ids: the first rows of the partial index
    ix_match_pairs_review, which is in this order (migration 0170), each checked for a standing or stale same /
    not same through the decisions' index; nothing is sorted."""
    decided = select(decisions.c.id).where(
        decisions.c.record_id_l == match_pairs.c.record_id_l, decisions.c.record_id_r == match_pairs.c.record_id_r,
        decisions.c.undone_at.is_(None), decisions.c.decision.in_(LINKING))
    return (select(match_pairs).where(match_pairs.c.in_review == 1, ~exists(decided))
            .order_by(match_pairs.c.review_priority.desc(), match_pairs.c.record_id_l, match_pairs.c.record_id_r)
            .limit(limit))


def pair_row(conn: Any, left: int, right: int) -> Any:
    """The latest run's scored pair of these two records (either order), or None: read through the index that
    leads with the run."""
    latest = select(func.max(match_pairs.c.run_id)).scalar_subquery()
    return conn.execute(select(match_pairs).where(
        match_pairs.c.run_id == latest, match_pairs.c.record_id_l.in_([left, right]),
        match_pairs.c.record_id_r.in_([left, right])).limit(1)).mappings().first()


def _item(row: Any, fields: dict[int, dict[str, Any]]) -> ReviewItem:
    weights = json.loads(row["weights_json"] or "{}")
    weight = float(row["match_weight"])
    return ReviewItem(
        record_id_l=row["record_id_l"], record_id_r=row["record_id_r"],
        match_probability=float(row["match_probability"]), match_weight=weight,
        priority=float(row["review_priority"] or 0.0), weights=weights, terms=terms(weight, weights),
        left=fields.get(row["record_id_l"], {}), right=fields.get(row["record_id_r"], {}))


def _key(left: int, right: int) -> tuple[int, int]:
    return (min(left, right), max(left, right))


def _unscored(left: int, right: int) -> dict[str, Any]:
    return {"record_id_l": left, "record_id_r": right, "match_weight": 0.0, "match_probability": 0.0,
            "review_priority": None, "weights_json": None}


def review_queue(store: Store, limit: int = 20, reviewer: str | None = None, offset: int = 0) -> list[ReviewItem]:
    """The pairs to decide, those whose decision fixes the most first: decisions whose records changed since
    (stale) at the head, then the undecided pairs of the review band. A pair `reviewer` answered unsure or
    skipped leaves their queue (others still see it, with that answer)."""
    with store.engine.connect() as conn:
        state = review_state.current(conn)
        # a reviewer's own answers leave their queue, unless the records changed since
        mine = state.mine.get(reviewer, set()) if reviewer else set()
        stale = [d for d in state.returned if (d.record_id_l, d.record_id_r) not in state.settled | mine]
        wanted = offset + limit
        rows: list[tuple[Any, Decision | None]] = []
        for d in stale[:wanted]:
            rows.append((pair_row(conn, d.record_id_l, d.record_id_r)
                         or _unscored(d.record_id_l, d.record_id_r), d))
        if len(rows) < wanted:  # the pairs with a same / not same are left out by the query, the own answers here
            fetched = [row for row in conn.execute(queue_query(wanted - len(rows) + len(mine))).mappings()
                       if _key(row["record_id_l"], row["record_id_r"]) not in mine]
            rows += [(row, None) for row in fetched]
        rows = rows[offset:wanted]
        fields = _record_fields(conn, [r["record_id_l"] for r, _ in rows] + [r["record_id_r"] for r, _ in rows])
    items = []
    for found, returned in rows:
        item = _item(found, fields)
        item.returned = returned
        item.answers = state.answers.get(_key(item.record_id_l, item.record_id_r), [])
        items.append(item)
    return items


def pair_item(store: Store, record_id_l: int, record_id_r: int) -> ReviewItem:
    """One pair with its evidence (from the latest run's scored pairs) and every answer on it."""
    left, right = _key(record_id_l, record_id_r)
    with store.engine.connect() as conn:
        row = pair_row(conn, left, right)
        fields = _record_fields(conn, [left, right])
        if len(fields) < 2:
            raise KartotekaError("review.not_found", f"no pair of records {left} and {right}",
                                 hint="take the ids from the review queue")
        answers = review_store.load(conn, and_(decisions.c.record_id_l == left, decisions.c.record_id_r == right),
                                    order_newest=True)
    item = _item(row or _unscored(left, right), fields)
    item.answers = answers
    item.returned = next((d for d in answers if d.active and d.stale and d.decision in LINKING), None)
    return item


def _lock(conn: Any) -> None:
    """Serialise decisions on PostgreSQL (a transaction lock), so two reviewers cannot both pass the check."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('kartoteka:decide'))"))


def _check(answer: str, left: int, right: int) -> str:
    answer = answer.replace("-", "_").replace(" ", "_").strip().lower()
    if answer not in ANSWERS:
        raise KartotekaError("usage.decision", f"unknown answer {answer!r}",
                             hint="answer same, not-same, unsure or skip")
    if left == right:
        raise KartotekaError("usage.decision", "a record is always the same as itself",
                             hint="give two different record ids")
    return answer


def decide(store: Store, record_id_l: int, record_id_r: int, decision: str, reviewer: str | None = None,
           note: str | None = None, action: str | None = None, conn: Any = None) -> int:
    """Store an answer on a pair of records; a same / not same outranks the model on every later run.

    Refused (review.conflict) when it contradicts another reviewer's standing decision on the pair; a
    reviewer's own earlier answer on the pair is replaced (undone, by them). Returns the new decision's id."""
    if conn is None:
        with store.writing() as own:
            return decide(store, record_id_l, record_id_r, decision, reviewer, note, action, own)
    answer = _check(decision, record_id_l, record_id_r)
    left, right = _key(record_id_l, record_id_r)
    _lock(conn)
    by_id = fingerprints(conn, [left, right])
    missing = {left, right} - set(by_id)
    if missing:
        raise KartotekaError("usage.decision", f"no record with id {', '.join(map(str, sorted(missing)))}",
                             hint="take the ids from `kartoteka review`")
    now = dt.datetime.now(dt.UTC)
    on_pair = review_store.load(conn, and_(decisions.c.record_id_l == left, decisions.c.record_id_r == right,
                                           decisions.c.undone_at.is_(None)))
    for earlier in on_pair:
        if earlier.reviewer == reviewer or earlier.stale:
            continue
        if answer in LINKING and earlier.stands and earlier.decision != answer:
            raise KartotekaError(
                "review.conflict",
                f"{earlier.reviewer or 'another reviewer'} decided on {_day(earlier.decided_at)} that records "
                f"{left} and {right} are {earlier.decision.replace('_', ' ')} (decision {earlier.id})",
                hint="talk it over; they (or you, after `kartoteka review --undo --decision-id "
                     f"{earlier.id}`) may change it", details={"decision_id": earlier.id,
                                                               "reviewer": earlier.reviewer or "",
                                                               "decision": earlier.decision})
    mine = [d.id for d in on_pair if d.reviewer == reviewer or d.stale]
    if mine:
        conn.execute(update(decisions).where(decisions.c.id.in_(mine)).values(undone_at=now, undone_by=reviewer))
    result = conn.execute(insert(decisions).values(
        record_id_l=left, record_id_r=right, decision=answer, reviewer=reviewer, note=(note or "").strip() or None,
        decided_at=now, fingerprint=pair_fingerprint(left, right, by_id), action=action or uuid.uuid4().hex))
    return int(result.inserted_primary_key[0])


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else str(value)


def undo(store: Store, decision_id: int | None = None, reviewer: str | None = None) -> int:
    """Undo a decision (or, with no id, the latest act: `reviewer`'s own when given), with every decision of the
    same act (a person split or merged, an imported file). The next `link` no longer applies them. Returns the
    id of the decision asked for (or the act's latest)."""
    with store.writing() as conn:
        query = select(decisions.c.id, decisions.c.action).where(decisions.c.undone_at.is_(None))
        if decision_id:
            query = query.where(decisions.c.id == decision_id)
        else:
            if reviewer is not None:
                query = query.where(decisions.c.reviewer == reviewer)
            query = query.order_by(decisions.c.id.desc())
        found = conn.execute(query.limit(1)).first()
        if found is None:
            raise KartotekaError("usage.undo", "no decision to undo" if decision_id is None
                                 else f"no active decision with id {decision_id}",
                                 hint="list decisions with `kartoteka review --decisions`")
        target = decisions.c.id == found.id
        if found.action is not None and decision_id is None:
            target = and_(decisions.c.action == found.action, decisions.c.undone_at.is_(None))
        conn.execute(update(decisions).where(target).values(undone_at=dt.datetime.now(dt.UTC), undone_by=reviewer))
        return int(found.id)


def undo_steps(store: Store, steps: int, reviewer: str | None = None) -> list[int]:
    """Undo the latest `steps` acts (of `reviewer` when given), newest first; stops early when none are left."""
    undone: list[int] = []
    for _ in range(max(steps, 0)):
        try:
            undone.append(undo(store, reviewer=reviewer))
        except KartotekaError:
            if not undone:
                raise
            break
    return undone


def list_decisions(store: Store, limit: int | None = None) -> list[dict[str, Any]]:
    """Every decision, newest first, with whether it is still in force and whether its records changed since."""
    with store.engine.connect() as conn:
        found = review_store.load(conn, order_newest=True)
    return [d.to_dict() for d in (found[:limit] if limit else found)]


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
