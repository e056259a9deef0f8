"""A small hand-made linked store (on SQLite and PostgreSQL) whose every count is known by construction, with the
real gazetteer: "7" and "№ 7" are the Soviet camp 7 (Taishet) at the cards' dates (before 1947), and no camp of it
bore the number 999.

    persons  records (kind, camp, date)                         fate          prefecture
    A  1     card "7" 1945-10-01; 2 personal file "№ 7" 1946-01-05; 3 death roster, died 1946-01-12   died  山形
    B  4     card "лагерь № 999" 1945-11; 5 manifest 1947-06-27                          repatriated   東京
    C  6     card "лагерь № 999" 1946                                                    unknown       (none)
    D  7     manifest 1948-05-01                                                          repatriated   山形

    links    1-2 p 0.99 (in A); 2-3 p 0.7 (in A, in review); 4-5 p 0.9 (in B, in review);
             6-7 p 0.6 (C and D, in review); 3-6 p 0.99 (A and C: refused by the constraints)

The records are written straight into the tables (not imported): the statistics resolve their camp texts
themselves (``gazetteer.service.resolved_index``), as for any store whose records predate the stored resolutions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import insert

from kartoteka.linkage.tables import link_runs, match_pairs, person_records, persons
from kartoteka.store import Store, open_store, records, sources

RECORDS = [  # id, person, kind, camp, event_date, death_date
    (1, 1, "card", "7", "1945-10-01", None), (2, 1, "personal_file", "№ 7", "1946-01-05", None),
    (3, 1, "death_roster", None, None, "1946-01-12"), (4, 2, "card", "лагерь № 999", "1945-11", None),
    (5, 2, "manifest", None, "1947-06-27", None), (6, 3, "card", "лагерь № 999", "1946", None),
    (7, 4, "manifest", None, "1948-05-01", None),
]
MEMBERS = {1: 0.99, 2: 0.99, 3: 0.7, 4: 0.9, 5: 0.9, 6: None, 7: None}
PAIRS = [(1, 2, 0.99, 0), (2, 3, 0.7, 1), (4, 5, 0.9, 1), (6, 7, 0.6, 1), (3, 6, 0.99, 0)]
PERSONS = [  # id, fate, prefecture, death_date, camps
    (1, "died", "山形", "1946-01-12", [("7", "1945-10-01"), ("№ 7", "1946-01-05")]),
    (2, "repatriated", "東京", None, [("лагерь № 999", "1945-11")]),
    (3, "unknown", None, None, [("лагерь № 999", "1946")]),
    (4, "repatriated", "山形", None, []),
]


def build(store: Store) -> None:
    """Write the hand-made run into an empty store."""
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    with store.engine.begin() as conn:
        conn.execute(insert(sources).values(id=1, name="hand-made", kind="card", file_name="hand.csv",
                                            file_sha256="0" * 64, imported_at=now, row_count=7, simulated=True))
        conn.execute(insert(records), [
            {"id": rid, "source_id": 1, "kind": kind, "record_ref": f"r{rid}", "file_name": "hand.csv",
             "row_number": rid, "row_sha256": str(rid), "raw_json": "{}", "camp": camp, "event_date": event,
             "death_date": death} for rid, _, kind, camp, event, death in RECORDS])
        conn.execute(insert(link_runs).values(id=1, started_at=now, finished_at=now, status="done", backend="duckdb",
                                              record_count=7, person_count=4, pair_count=len(PAIRS)))
        conn.execute(insert(persons), [
            {"id": pid, "run_id": 1, "fate": fate, "prefecture": pref, "death_date": death,
             "camps_json": json.dumps([{"camp": c, "lagpunkt": None, "date": d} for c, d in camps]),
             "record_count": sum(1 for r in RECORDS if r[1] == pid)} for pid, fate, pref, death, camps in PERSONS])
        conn.execute(insert(person_records), [{"person_id": person, "record_id": rid, "run_id": 1,
                                               "match_probability": MEMBERS[rid]} for rid, person, *_ in RECORDS])
        conn.execute(insert(match_pairs), [
            {"run_id": 1, "record_id_l": left, "record_id_r": right, "match_weight": 1.0, "match_probability": p,
             "in_review": review, "review_priority": 1.0 if review else None} for left, right, p, review in PAIRS])
    store.set_meta("simulated", "true")


@pytest.fixture
def hand_made(store_url: str) -> Iterator[Store]:
    """The hand-made linked store on each backend."""
    store = open_store(store_url)
    try:
        build(store)
        yield store
    finally:
        store.close()
