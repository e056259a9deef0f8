"""The decisions as the review pages read them, kept between requests (one copy per open store).

Every page of the review queue needs every active decision and whether its records changed since it was taken
(review_store's fingerprints). Read afresh that is every decision and every decided record on every page: seconds
at full scale once reviewers have worked a while. Here they are kept, and checked on each page against the
store's change marks (migration 0170: triggers count the changes of `records` and `decisions` in `meta`):

- nothing changed: nothing more is read;
- decisions were only added: only the new ones are read (checked against the count of rows, so a decision that
  an older transaction committed late is never missed: then everything is read again);
- a decision was undone or replaced: the decisions are read again, the fingerprints of unchanged records kept;
- a record changed or went: the fingerprints are read again.

    current(conn) -> ReviewState      scored(conn, run_id, pairs) -> {pair: match probability or None}
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from kartoteka.linkage import review_store
from kartoteka.linkage.review_store import LINKING, Decision
from kartoteka.linkage.tables import decisions, match_pairs
from kartoteka.store.schema import meta

MARK_KEYS = ("records_changed", "decisions_added", "decisions_changed")
Pair = tuple[int, int]


@dataclass
class ReviewState:
    """The active decisions with their standing, and what the queue reads from them."""

    marks: tuple[str | None, ...]
    max_id: int  # the highest decision id read
    rows: int  # how many decision rows (active and undone) were read
    undone: int
    fingerprints: dict[int, str]
    active: list[Decision] = field(default_factory=list)  # oldest first
    settled: set[Pair] = field(default_factory=set)  # a same / not same stands on the pair
    returned: list[Decision] = field(default_factory=list)  # stale same / not same, latest per pair, oldest first
    answers: dict[Pair, list[Decision]] = field(default_factory=dict)  # active unsure / skip answers by pair
    mine: dict[str, set[Pair]] = field(default_factory=dict)  # each reviewer's answered pairs, not stale

    def index(self) -> None:
        """Derive the queue's sets from `active`."""
        latest_returned: dict[Pair, Decision] = {}
        for d in self.active:
            pair = (d.record_id_l, d.record_id_r)
            if d.decision in LINKING:
                if d.stale:
                    latest_returned[pair] = d
                else:
                    self.settled.add(pair)
            else:
                self.answers.setdefault(pair, []).append(d)
            if d.reviewer and not d.stale:
                self.mine.setdefault(d.reviewer, set()).add(pair)
        self.returned = sorted(latest_returned.values(), key=lambda d: d.id)


# Kept per engine (a server process holds one per store; a command opens its own): gone with it.
_kept: weakref.WeakKeyDictionary[Any, ReviewState] = weakref.WeakKeyDictionary()
_scored: weakref.WeakKeyDictionary[Any, tuple[int | None, dict[Pair, float | None]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _store_key(conn: Any) -> Any:
    return conn.engine


def _marks(conn: Any) -> tuple[str | None, ...]:
    found = dict(conn.execute(select(meta.c.key, meta.c.value).where(meta.c.key.in_(MARK_KEYS))).all())
    return tuple(found.get(key) for key in MARK_KEYS)


def _rows(conn: Any, after: int = 0) -> list[Any]:
    query = select(decisions).where(decisions.c.id > after).order_by(decisions.c.id)
    return list(conn.execute(query).mappings())


def current(conn: Any) -> ReviewState:
    """The active decisions of the store on `conn`, read only as far as they changed since the last call."""
    marks = _marks(conn)
    key = _store_key(conn)
    with _lock:
        kept = _kept.get(key)
    if kept is not None and kept.marks == marks:
        return kept
    records_same = kept is not None and kept.marks[0] == marks[0]
    fingerprints = dict(kept.fingerprints) if kept is not None and records_same else {}
    rows: list[Any] | None = None
    if kept is not None and records_same and kept.marks[2] == marks[2]:  # decisions were only added
        total = int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())
        new = _rows(conn, kept.max_id)
        if kept.rows + len(new) == total:
            rows = new
    every = _rows(conn) if rows is None else rows
    wanted = {row[name] for row in every for name in ("record_id_l", "record_id_r")} - set(fingerprints)
    fingerprints.update(review_store.fingerprints(conn, wanted))
    made = [review_store.decision_of(row, fingerprints) for row in every]
    if rows is None:
        state = ReviewState(marks, max((d.id for d in made), default=0), len(made),
                            sum(1 for d in made if not d.active), fingerprints, [d for d in made if d.active])
    else:
        assert kept is not None
        state = ReviewState(marks, max([kept.max_id, *(d.id for d in made)]), kept.rows + len(made),
                            kept.undone + sum(1 for d in made if not d.active), fingerprints,
                            kept.active + [d for d in made if d.active])
    state.index()
    with _lock:
        _kept[key] = state
    return state


def scored(conn: Any, run_id: int | None, pairs: list[Pair]) -> dict[Pair, float | None]:
    """The match probability of each pair in run `run_id` (None: the run did not keep the pair), kept per run."""
    key = _store_key(conn)
    with _lock:
        run, known = _scored.get(key, (None, {}))
    known = dict(known) if run == run_id else {}
    wanted = sorted(pair for pair in set(pairs) if pair not in known)
    for start in range(0, len(wanted), 400):
        chunk = wanted[start:start + 400]
        asked = set(chunk)
        query = select(match_pairs.c.record_id_l, match_pairs.c.record_id_r, match_pairs.c.match_probability).where(
            match_pairs.c.run_id == run_id, match_pairs.c.record_id_l.in_(sorted({left for left, _ in chunk})))
        for pair in chunk:
            known[pair] = None
        for left, right, probability in conn.execute(query):
            pair = (min(left, right), max(left, right))
            if pair in asked:
                known[pair] = float(probability)
    with _lock:
        _scored[key] = (run_id, known)
    return {pair: known[pair] for pair in pairs}
