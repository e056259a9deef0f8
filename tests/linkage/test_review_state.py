"""The decisions the review pages keep between requests (review_state, migration 0170's change marks) are always
the decisions read afresh: after answers, replaced answers, undos, corrected records, a record gone and a decision
that an older transaction committed late, on both backends."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from sqlalchemy import delete, insert, select, update
from tests.linkage.test_review_work import _ids, _pairs

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import review, review_state
from kartoteka.linkage.tables import decisions
from kartoteka.store import open_store, records


def _view(state: review_state.ReviewState) -> dict[str, object]:
    return {"active": sorted((d.id, d.decision, d.reviewer, d.stale) for d in state.active),
            "undone": state.undone, "settled": state.settled,
            "returned": [d.id for d in state.returned], "mine": state.mine,
            "answers": {pair: [d.id for d in found] for pair, found in state.answers.items()}}


def _afresh(url: str) -> dict[str, object]:
    with open_store(url, create=False) as other, other.engine.connect() as conn:  # an engine with nothing kept
        return _view(review_state.current(conn))


def test_the_kept_decisions_are_the_decisions_read_afresh_after_every_change(store, write_archive):
    write_archive(store, persons=8)
    ids = _ids(store)
    _pairs(store, ids)
    url = store.engine.url.render_as_string(hide_password=False)
    pairs = [(ids[a], ids[b]) for a, b in ((0, 1), (2, 3), (1, 4), (0, 5), (3, 6))]
    rng = random.Random(18)
    late_id = 5_000
    with store.engine.begin() as conn:  # room below the ids to come, for decisions committed late
        conn.execute(insert(decisions).values(id=10_000, record_id_l=ids[6], record_id_r=ids[7], decision="skip",
                                              reviewer="hana", decided_at=dt.datetime.now(dt.UTC)))
    kinds = ["decide"] * 5 + ["undo", "record", "late"]
    done = []
    for step in range(45):
        kind = rng.choice(kinds) if step < 44 else "gone"
        if kind == "decide":
            left, right = rng.choice(pairs)
            try:
                review.decide(store, left, right, rng.choice(review.DECISIONS), reviewer=rng.choice(["aiko", "boris"]))
            except KartotekaError as exc:  # the other reviewer's standing decision: refused, nothing stored
                assert exc.code == "review.conflict"
        elif kind == "undo":
            with contextlib.suppress(KartotekaError):
                review.undo(store, reviewer=rng.choice(["aiko", "boris"]))
        elif kind == "record":  # a corrected import
            with store.engine.begin() as conn:
                conn.execute(update(records).where(records.c.id == rng.choice(ids[:7]))
                             .values(birth_year=1900 + step))
        elif kind == "late":  # an id below the highest one already read, committed only now
            left, right = rng.choice(pairs)
            late_id += 1
            with store.engine.begin() as conn:
                conn.execute(insert(decisions).values(id=late_id, record_id_l=left, record_id_r=right,
                                                      decision="unsure", reviewer="chie",
                                                      decided_at=dt.datetime.now(dt.UTC)))
        else:  # a record gone: its decisions are stale
            review.decide(store, ids[5], ids[7], "same", reviewer="dora")
            with store.engine.connect() as conn:
                assert (ids[5], ids[7]) in review_state.current(conn).settled
            with store.engine.begin() as conn:
                conn.execute(delete(records).where(records.c.id == ids[7]))
        done.append(kind)
        with store.engine.connect() as conn:
            kept = _view(review_state.current(conn))
        assert kept == _afresh(url), (step, done)
    assert {"decide", "undo", "record", "late", "gone"} <= set(done)
    with store.engine.connect() as conn:
        state = review_state.current(conn)
    assert (ids[5], ids[7]) in {(d.record_id_l, d.record_id_r) for d in state.returned} - state.settled


def test_nothing_is_read_again_while_nothing_changed(store, write_archive):
    write_archive(store, persons=4)
    ids = _ids(store)
    _pairs(store, ids)
    review.decide(store, ids[0], ids[1], "same", reviewer="aiko")
    with store.engine.connect() as conn:
        first = review_state.current(conn)
        assert review_state.current(conn) is first
    review.decide(store, ids[2], ids[3], "not_same", reviewer="aiko")
    with store.engine.connect() as conn:
        second = review_state.current(conn)
        marks = dict(conn.execute(select(review_state.meta.c.key, review_state.meta.c.value)
                                  .where(review_state.meta.c.key.in_(review_state.MARK_KEYS))).all())
    assert second is not first and second.settled == {(ids[0], ids[1]), (ids[2], ids[3])}
    assert int(marks["decisions_added"]) >= 2 and "records_changed" not in marks
