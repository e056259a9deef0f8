"""Stores for the catalog's tests, made once per module on each backend.

- ``linked``: a small simulated archive (imported with the real importer, linked with the real linkage), with
  restricted values planted in one record of each kind (a relative's address in a personal file's extra_json,
  a birth place, an occupation ...): the tests assert that none of them ever leaves the catalog.
- ``write_cards`` / ``plain_reader``: a tiny hand-made archive of cards for the permalink tests (linked in
  seconds, with a crude reader standing in for the names engine).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from kartoteka.access.policy import RESTRICTED_EXAMPLES
from kartoteka.store import RECORD_FIELDS, Store, open_store, records, sources

PG_ADMIN_URL = os.environ.get("KARTOTEKA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PERSONS = 120
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]




def _pg_admin() -> Any:
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}); start it or set KARTOTEKA_TEST_PG",
                    pytrace=False)


@contextlib.contextmanager
def throwaway_url(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty store on `backend` (a file in `folder`, or a new PostgreSQL database), removed after."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'catalog.sqlite'}"
        return
    name = f"kt_test_{uuid.uuid4().hex}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def catalog_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated archive (SIMULATED names), written once for the session."""
    from kartoteka.simulate.archive import simulate_archive

    out = tmp_path_factory.mktemp("catalog") / "archive"
    simulate_archive(out, persons=PERSONS, seed=11, profile="realistic", workers=1)
    return out


@dataclass
class Linked:
    store: Store
    planted: dict[int, dict[str, str]]  # record id -> restricted field -> the value planted there
    runs_dir: Path

    def planted_values(self) -> list[str]:
        return [value for fields in self.planted.values() for value in fields.values()]


def plant_restricted(store: Store) -> dict[int, dict[str, str]]:
    """Put RESTRICTED_EXAMPLES' values into one record of each kind (a dead person's where there is one)."""
    planted: dict[int, dict[str, str]] = {}
    with store.engine.begin() as conn:
        for kind, values in RESTRICTED_EXAMPLES.items():
            query = select(records.c.id, records.c.extra_json).where(records.c.kind == kind).order_by(
                records.c.death_date.is_(None), records.c.id).limit(1)
            found = conn.execute(query).first()
            if found is None:
                continue
            columns = {name: value for name, value in values.items() if name in RECORD_FIELDS}
            extras = json.loads(found.extra_json) if found.extra_json else {}
            extras.update({name: value for name, value in values.items() if name not in RECORD_FIELDS})
            conn.execute(update(records).where(records.c.id == found.id).values(
                **columns, extra_json=json.dumps(extras, ensure_ascii=False)))
            planted[int(found.id)] = dict(values)
    return planted


@pytest.fixture(scope="module", params=BACKENDS)
def linked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           catalog_archive: Path) -> Iterator[Linked]:
    """The simulated archive imported and linked, on SQLite and on PostgreSQL, with restricted values planted."""
    from kartoteka.ingest import import_directory
    from kartoteka.linkage.service import link

    folder = tmp_path_factory.mktemp(f"linked-{request.param}")
    with throwaway_url(request.param, folder) as url:
        store = open_store(url)
        try:
            import_directory(store, catalog_archive)
            planted = plant_restricted(store)
            link(store, runs_dir=folder / "runs")
            yield Linked(store, planted, folder / "runs")
        finally:
            store.close()


# --- a tiny hand-made archive of cards, for the permalinks ---------------------------------------------------

_SYLLABLES = ["ка", "то", "му", "ра", "са", "ки", "но", "ха", "си", "ма", "ё", "та", "на", "ми", "ку"]
_CYR_TO_LAT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                       ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                        "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
                       strict=True))


def plain_reader(text: str, part: str) -> list[str]:
    """A crude Cyrillic-to-Latin reader standing in for kartoteka.names (mechanics tests only)."""
    return ["".join(_CYR_TO_LAT.get(ch, ch) for ch in text.lower())]


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def write_cards(store: Store, persons: int = 50, seed: int = 7, first: int = 0,
                copies: tuple[int, ...] = (1, 2, 3)) -> dict[str, int]:
    """Insert cards for `persons` people (a choice of `copies` cards each); return record_ref -> true person."""
    rng = random.Random(seed)
    truth: dict[str, int] = {}
    with store.engine.begin() as conn:
        source_id = conn.execute(insert(sources).values(
            name=f"cards {seed}", kind="card", file_name=f"cards-{seed}.csv", file_sha256=f"sha-{seed}-{first}",
            imported_at=dt.datetime.now(dt.UTC), row_count=0, quarantined_count=0, simulated=True,
        )).inserted_primary_key[0]
        rows = []
        for person in range(first, first + persons):
            surname, given, year = _name(rng, 3), _name(rng, 2), rng.randint(1900, 1927)
            for copy in range(rng.choice(copies)):
                ref = f"card-{person:04d}-{copy}"
                truth[ref] = person
                rows.append(dict(source_id=source_id, kind="card", record_ref=ref, file_name=f"cards-{seed}.csv",
                                 row_number=len(rows) + 2, row_sha256=ref, raw_json="{}", surname=surname,
                                 given_name=given, birth_year=year, script="cyrillic", prefecture="Хиросима",
                                 camp=str(rng.choice([7, 9, 16])), unit=str(rng.randint(1, 60))))
        conn.execute(insert(records), rows)
    return truth


@pytest.fixture(name="write_cards")
def _write_cards_fixture() -> Any:
    return write_cards


@pytest.fixture(name="plain_reader")
def _plain_reader_fixture() -> Any:
    return plain_reader
