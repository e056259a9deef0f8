"""A tiny hand-made archive written straight into the store, for tests of the linkage's mechanics.

(The accuracy tests use the real simulator; this one needs neither ingest nor the names engine.)
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert

from kartoteka.linkage.vocabulary import _CYR_TO_LAT
from kartoteka.store import records, sources

_SYLLABLES = ["ка", "то", "му", "ра", "са", "ки", "но", "ха", "си", "ма", "ё", "та", "на", "ми", "ку"]


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def plain_reader(text: str, part: str) -> list[str]:
    """A crude Cyrillic-to-Latin reader standing in for kartoteka.names in mechanics tests."""
    return ["".join(_CYR_TO_LAT.get(ch, ch) for ch in text.lower())]


def write_archive(store, persons: int = 60, seed: int = 7) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Insert cards for `persons` people (1-3 cards each); return record_ref -> true person id."""
    rng = random.Random(seed)
    truth: dict[str, str] = {}
    with store.engine.begin() as conn:
        source_id = conn.execute(insert(sources).values(
            name="cards", kind="card", file_name="cards.csv", file_sha256=f"sha-{seed}",
            imported_at=dt.datetime.now(dt.UTC), row_count=0, quarantined_count=0, simulated=True,
        )).inserted_primary_key[0]
        rows = []
        for person in range(persons):
            surname, given, year = _name(rng, 3), _name(rng, 2), rng.randint(1900, 1927)
            prefecture, unit = rng.choice(["Хиросима", "Токио", "Осака"]), str(rng.randint(1, 60))
            for copy in range(rng.choice([1, 2, 3])):
                ref = f"card-{person:04d}-{copy}"
                truth[ref] = f"P{person}"
                rows.append(dict(source_id=source_id, kind="card", record_ref=ref, file_name="cards.csv",
                                 row_number=len(rows) + 1, row_sha256=ref, raw_json="{}", surname=surname,
                                 given_name=given, birth_year=year, script="cyrillic",
                                 prefecture=prefecture, camp=str(rng.choice([7, 9, 16])), unit=unit))
        conn.execute(insert(records), rows)
    return truth


import pytest  # noqa: E402


@pytest.fixture(name="plain_reader")
def _plain_reader_fixture():  # type: ignore[no-untyped-def]
    return plain_reader


@pytest.fixture(name="write_archive")
def _write_archive_fixture():  # type: ignore[no-untyped-def]
    return write_archive
