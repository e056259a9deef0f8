"""A small hand-made store for the gazetteer's tests, on SQLite and PostgreSQL (one per backend for the session).

Its records are SIMULATED and written here, not imported: cards naming camps in the ways clerks and the Japanese
rosters did, deaths with a death place, a burial at a burial site of the gazetteer, and two records that one
person's link groups (``person_records`` of a finished run), so that counts are of persons, not records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert
from tests.catalog.conftest import BACKENDS, throwaway_url

from kartoteka.store import Store, open_store, records, sources

# (record_ref, camp, death_date, death_place, burial_site, event_date): what each hand-made card says
CARDS = [
    ("c1", "Тайшетский лагерь № 7", None, None, None, "1946-02-01"),
    ("c2", "7", "1946-01-20", "Тайшет", None, "1946-01-20"),
    ("c3", "タイシェト第7収容所", None, None, None, None),
    ("c4", "лагерь № 13", None, None, None, None),
    ("c5", "Сучан", "1946-03-02", None, None, None),
    ("c6", "第7地区", None, None, None, "1948-05-01"),  # after 1947: the Japanese district 7, Posyet
    ("c7", "第7地区", None, None, None, None),  # no date: Taishet or Posyet, left unresolved
    ("c8", "№ 5", "1946-02-10", "Кивда", "Kivda burial site No.6011", None),
    ("c9", "Какой-то лагерь", None, None, None, None),
    ("c10", "Тайшет", None, None, None, None),  # the same person as c1 (person_records below)
]


def write_records(store: Store) -> dict[str, int]:
    """Insert the hand-made cards and one finished link run joining c1 and c10; record_ref -> id."""
    from kartoteka.linkage.tables import link_runs, person_records

    ids: dict[str, int] = {}
    with store.engine.begin() as conn:
        source_id = conn.execute(insert(sources).values(
            name="hand-made cards (SIMULATED)", kind="card", file_name="gazetteer-cards.csv", file_sha256="gz-1",
            imported_at=dt.datetime.now(dt.UTC), row_count=len(CARDS), quarantined_count=0, simulated=True,
        )).inserted_primary_key[0]
        for number, (ref, camp, death_date, death_place, burial_site, event_date) in enumerate(CARDS):
            ids[ref] = conn.execute(insert(records).values(
                source_id=source_id, kind="card", record_ref=ref, file_name="gazetteer-cards.csv",
                row_number=number + 2, row_sha256=ref, raw_json="{}", surname="Ямада", given_name="Таро",
                script="cyrillic", camp=camp, death_date=death_date, death_place=death_place,
                burial_site=burial_site, event_date=event_date)).inserted_primary_key[0]
        run = conn.execute(insert(link_runs).values(started_at=dt.datetime.now(dt.UTC), status="done",
                                                    backend="duckdb")).inserted_primary_key[0]
        person_of = {ref: number + 1 for number, ref in enumerate(ids)}
        person_of["c10"] = person_of["c1"]
        for ref, record_id in ids.items():
            conn.execute(insert(person_records).values(person_id=person_of[ref], record_id=record_id, run_id=run))
    store.set_meta("simulated", "true")
    return ids


@pytest.fixture(scope="session", params=BACKENDS)
def hand_made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The hand-made store on each backend, with the gazetteer loaded on first use (one for the whole session:
    the gazetteer's tests run on one worker, in the xdist group "gazetteer"; a test that changes the store
    changes only what no other test reads)."""
    folder: Path = tmp_path_factory.mktemp(f"gazetteer-{request.param}")
    with throwaway_url(request.param, folder) as url:
        store = open_store(url)
        try:
            write_records(store)
            yield store
        finally:
            store.close()
