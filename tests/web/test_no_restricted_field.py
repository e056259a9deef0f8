"""Issue 16 §2: every address of the portal and the API is walked on a store where restricted values are planted
(a relative's address in a personal file, a birth date, an occupation, a clerk's note ...); none of them, and no
restricted field name, may appear in any answer. The number of answers and checks is printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.catalog.conftest import plant_restricted

from kartoteka.access.policy import RESTRICTED_EXAMPLES, is_public
from kartoteka.core.model import RECORD_KINDS
from kartoteka.store import open_store, records

# Field names no kind may show: none of them may be a key of any JSON answer.
NEVER_PUBLIC = sorted({name for values in RESTRICTED_EXAMPLES.values() for name in values} | {"raw_json", "extra_json",
                                                                                             "row_sha256"})
NEVER_PUBLIC = [name for name in NEVER_PUBLIC if not any(is_public(kind, name) for kind in RECORD_KINDS)]


@pytest.fixture(scope="module")
def planted_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, list[str], list[int]]]:
    from kartoteka.ingest import import_directory
    from kartoteka.linkage.service import link
    from kartoteka.simulate.archive import simulate_archive
    from kartoteka.web import create_app

    folder: Path = tmp_path_factory.mktemp("planted")
    simulate_archive(folder / "archive", persons=60, seed=21, profile="realistic", workers=1)
    url = f"sqlite:///{folder / 'planted.sqlite'}"
    store = open_store(url)
    try:
        import_directory(store, folder / "archive")
        planted = plant_restricted(store)
        link(store, runs_dir=folder / "runs")
    finally:
        store.close()
    values = [value for fields in planted.values() for value in fields.values()]
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        yield client, values, sorted(planted)


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _addresses(client: TestClient, planted_records: list[int]) -> list[str]:
    """Every kind of address, for every person, the planted records and a sample of the others."""
    from kartoteka.linkage.tables import person_records

    store = client.app.state.store  # read here only to list the ids to ask for: the answers come over HTTP
    with store.engine.connect() as conn:
        person_ids = sorted({int(r.person_id) for r in conn.execute(select(person_records.c.person_id))})
        record_ids = [int(r.id) for r in conn.execute(select(records.c.id).order_by(records.c.id))]
        names = [r.surname for r in conn.execute(
            select(records.c.surname).where(records.c.id.in_(planted_records)))]
    sample = sorted(set(planted_records) | set(record_ids[::7]))
    addresses = ["/", "/sources", "/memorial", "/api/v1/sources", "/api/v1/memorial"]
    addresses += [f"/memorial?row={row}" for row in "アカサタナハマヤラワ"]
    addresses += [f"/api/v1/memorial?row={row}" for row in "アカサタナハマヤラワ"]
    for pid in person_ids:
        addresses += [f"/persons/{pid}", f"/api/v1/persons/{pid}"]
    for rid in sample:
        addresses += [f"/records/{rid}", f"/api/v1/records/{rid}"]
    for name in filter(None, names):
        addresses += [f"/search?q={name}", f"/api/v1/search?q={name}", f"/search?q={name}&format=json",
                      f"/search?q={name}&format=csv"]
    return addresses


def test_no_address_shows_a_restricted_field(planted_portal, capsys):
    client, values, planted_records = planted_portal
    assert values and NEVER_PUBLIC, "the planted values and the restricted names are what this test looks for"
    addresses = _addresses(client, planted_records)
    checks = 0
    for address in addresses:
        answer = client.get(address, follow_redirects=True)
        assert answer.status_code < 500, (address, answer.text[:300])
        text = answer.text
        if answer.headers.get("content-type", "").startswith("application/json"):
            body = answer.json()
            text = json.dumps(body, ensure_ascii=False)
            found = set(_keys(body)) & set(NEVER_PUBLIC)
            assert not found, f"{address} shows the restricted field(s) {sorted(found)}"
            checks += len(NEVER_PUBLIC)
        leaked = [value for value in values if value in text]
        assert not leaked, f"{address} shows the restricted value(s) {leaked}"
        checks += len(values)
    with capsys.disabled():
        print(f"\n  restricted fields: {len(addresses)} answers walked, {checks:,} checks "
              f"({len(values)} planted values, {len(NEVER_PUBLIC)} field names never public)")
