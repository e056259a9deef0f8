"""Person ids that last across runs of the linkage: kept while most records stay together, redirects for merged
and split persons, and a retired id never given to someone else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from kartoteka.catalog import service as catalog
from kartoteka.catalog.tables import person_redirects
from kartoteka.catalog.types import Moved, PersonView
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import review
from kartoteka.linkage.person_ids import HIGH_WATER_KEY, assign_ids
from kartoteka.linkage.service import link
from kartoteka.linkage.tables import person_records, persons


def _members(store) -> dict[int, int]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(person_records.c.record_id, person_records.c.person_id)).all())


def _groups(store) -> dict[int, set[int]]:
    groups: dict[int, set[int]] = {}
    for record_id, person_id in _members(store).items():
        groups.setdefault(person_id, set()).add(record_id)
    return groups


def _redirects(store) -> dict[int, list[tuple[int, str]]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(person_redirects).order_by(person_redirects.c.new_person_id)).all()
    found: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        found.setdefault(row.old_person_id, []).append((row.new_person_id, row.reason))
    return found


def _link(store, tmp_path, reader) -> None:
    """Link; a rerun scores with the first run's model (the ids are what is tested, not the training)."""
    models = sorted(tmp_path.glob("run-*-model.json"))
    link(store, reader=reader, runs_dir=tmp_path, model_path=models[0] if models else None)


def test_person_pages_404_before_any_link_and_record_pages_work(store, tmp_path, write_cards):
    write_cards(store, persons=3)
    with pytest.raises(KartotekaError) as caught:
        catalog.person(store, 1)
    assert caught.value.code == "catalog.not_found" and "no link has run" in caught.value.hint
    assert catalog.record(store, 1).person_id is None
    assert catalog.memorial_rows(store)[0].count == 0
    with pytest.raises(KartotekaError) as refused:
        catalog.export_persons(store, tmp_path / "persons.csv")
    assert refused.value.code == "catalog.no_persons" and not (tmp_path / "persons.csv").exists()


def test_a_rerun_after_new_records_keeps_every_id(store, tmp_path, write_cards, plain_reader):
    write_cards(store, persons=40, seed=3)
    _link(store, tmp_path, plain_reader)
    before = _members(store)
    write_cards(store, persons=4, seed=4, first=1000)  # new people, new cards
    _link(store, tmp_path, plain_reader)
    after = _members(store)
    moved = {r for r, p in before.items() if after[r] != p}
    assert len(moved) <= 2  # the model may regroup a record or two; the persons keep their ids
    assert {before[r] for r in before} - set(after.values()) <= {before[r] for r in moved}
    new_ids = set(after.values()) - set(before.values())
    assert new_ids and min(new_ids) > max(before.values())


def test_a_merge_and_a_split_give_redirects_and_ids_are_never_reused(store, tmp_path, write_cards, plain_reader):
    write_cards(store, persons=40, seed=5, copies=(2,))
    _link(store, tmp_path, plain_reader)
    groups = _groups(store)
    pairs = [sorted(records) for records in groups.values() if len(records) == 2]
    a, b, c = pairs[0], pairs[1], pairs[2]
    id_a, id_b, id_c = (_members(store)[r[0]] for r in (a, b, c))
    high_water = int(store.get_meta(HIGH_WATER_KEY))
    review.decide(store, a[0], b[0], "same")  # a and b are one person
    review.decide(store, c[0], c[1], "not_same")  # c's two cards are two people
    _link(store, tmp_path, plain_reader)
    members = _members(store)
    merged_id = members[a[0]]
    assert members[b[0]] == merged_id and merged_id == min(id_a, id_b)  # equal claims: the older id wins
    retired = max(id_a, id_b)
    assert _redirects(store)[retired] == [(merged_id, "merged")]
    halves = sorted({members[c[0]], members[c[1]]})
    assert len(halves) == 2 and min(halves) > high_water  # neither half holds more than half of c: fresh ids
    assert _redirects(store)[id_c] == [(halves[0], "split"), (halves[1], "split")]
    assert catalog.person(store, retired) == Moved(person_id=retired, now=[merged_id], reason="merged")
    assert catalog.person(store, id_c) == Moved(person_id=id_c, now=halves, reason="split")
    # undo both: c's halves come together again under the older half's id; id_c is never given again
    review.undo(store)
    review.undo(store)
    _link(store, tmp_path, plain_reader)
    members = _members(store)
    assert members[c[0]] == members[c[1]] == halves[0]
    with store.engine.connect() as conn:
        ids = {int(i) for (i,) in conn.execute(select(persons.c.id))}
    assert not {retired, id_c} & ids
    assert catalog.person(store, id_c) == Moved(person_id=id_c, now=[halves[0]], reason="split")
    assert isinstance(catalog.person(store, halves[0]), PersonView)
    assert catalog.add_correction(store, "this was one man", person_id=id_c) > 0  # a retired id takes notes


def test_assign_ids_by_majority():
    old = pd.DataFrame({"person_id": [1, 1, 1, 2, 2, 3, 3, 4], "record_id": [10, 11, 12, 20, 21, 30, 31, 40]})
    # the new clusters: slot 0 = {10, 11, 20, 21}: 1 (2 of its 3 records) and 2 (all of its 2) both claim it,
    # and 2 wins on the larger share; slot 1 = {12, 30}, slot 2 = {31}: no majority of anyone's;
    # slot 3 = {50}, a new record. Record 40 (person 4's only one) is gone.
    slot_of = pd.Series([0, 0, 1, 0, 0, 1, 2, 3], index=[10, 11, 12, 20, 21, 30, 31, 50])
    result = assign_ids(old, slot_of, 4, high_water=7)
    assert result.ids.tolist() == [2, 8, 9, 10] and result.high_water == 10 and result.kept == 1
    redirects = result.redirects.sort_values(["old_person_id", "new_person_id"]).to_dict("records")
    assert redirects == [
        {"old_person_id": 1, "new_person_id": 2, "reason": "split", "records_moved": 2},
        {"old_person_id": 1, "new_person_id": 8, "reason": "split", "records_moved": 1},
        {"old_person_id": 3, "new_person_id": 8, "reason": "split", "records_moved": 1},
        {"old_person_id": 3, "new_person_id": 9, "reason": "split", "records_moved": 1},
    ]


def test_assign_ids_on_a_first_run_and_above_a_high_water_mark():
    empty = pd.DataFrame({"person_id": np.empty(0, np.int64), "record_id": np.empty(0, np.int64)})
    first = assign_ids(empty, pd.Series([0, 1, 1], index=[1, 2, 3]), 2, high_water=0)
    assert first.ids.tolist() == [1, 2] and first.redirects.empty and first.high_water == 2
    # ids 1-5 were given once (the meta table says so) though only 1 is in use: a new person gets 6
    again = assign_ids(pd.DataFrame({"person_id": [1], "record_id": [1]}), pd.Series([0, 1], index=[1, 2]), 2,
                       high_water=5)
    assert again.ids.tolist() == [1, 6]
