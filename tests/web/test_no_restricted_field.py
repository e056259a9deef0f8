"""Issue 16 §2: every address of the portal and the API is walked on a store where restricted values are planted
(a relative's address in a personal file, a birth date, an occupation, a clerk's note ...); none of them, and no
restricted field name, may appear in any answer. The number of answers and checks is printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.catalog.conftest import plant_restricted

from kartoteka.access.policy import RESTRICTED_EXAMPLES, Viewer, is_public
from kartoteka.core.model import RECORD_KINDS
from kartoteka.store import open_store, records
from kartoteka.web.security import RateLimit

# The roles walked: anonymous, each account role, and a family member whose request for one person was granted.
ROLES = ("public", "admin", "family", "family+grant", "researcher", "reviewer")

# Field names no kind may show: none of them may be a key of any JSON answer.
NEVER_PUBLIC = sorted({name for values in RESTRICTED_EXAMPLES.values() for name in values} | {"raw_json", "extra_json",
                                                                                             "row_sha256"})
NEVER_PUBLIC = [name for name in NEVER_PUBLIC if not any(is_public(kind, name) for kind in RECORD_KINDS)]


# The values planted in a possibly living person's personal file (no death record, born after 1920).
LIVING_FILE = {name: f"{value}-LIVING" for name, value in RESTRICTED_EXAMPLES["personal_file"].items()
               if name != "birth_date"}


@dataclass
class Planted:
    client: TestClient
    values: list[str]  # every planted value (the anonymous walk looks for each in every answer)
    records: dict[int, dict[str, str]]  # record id -> its planted field values
    tokens: dict[str, str]  # role name (as ROLES) -> a bearer token of that role
    viewers: dict[str, Viewer]  # role name -> what the policy knows of it


@pytest.fixture(scope="module")
def planted_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    from kartoteka.accounts import service as accounts
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
        planted.update(_plant_living_file(store))
        link(store, runs_dir=folder / "runs")
        tokens, viewers = _accounts(store, accounts, planted)
    finally:
        store.close()
    values = [value for fields in planted.values() for value in fields.values()]
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        client.app.state.rate_limits["search"] = RateLimit(1_000_000)  # the walk searches more than a reader
        yield Planted(client, values, planted, tokens, viewers)


def _plant_living_file(store: Any) -> dict[int, dict[str, str]]:
    """LIVING_FILE into a personal file with no death date of a man born after 1920 (none: nothing planted)."""
    import json as _json

    from sqlalchemy import update

    from kartoteka.store import RECORD_FIELDS

    with store.engine.begin() as conn:
        found = conn.execute(select(records.c.id, records.c.extra_json).where(
            records.c.kind == "personal_file", records.c.death_date.is_(None), records.c.birth_year > 1922)
            .order_by(records.c.id.desc()).limit(1)).first()
        if found is None:
            return {}
        extras = _json.loads(found.extra_json) if found.extra_json else {}
        extras.update({k: v for k, v in LIVING_FILE.items() if k not in RECORD_FIELDS})
        conn.execute(update(records).where(records.c.id == found.id).values(
            **{k: v for k, v in LIVING_FILE.items() if k in RECORD_FIELDS}, extra_json=_json.dumps(extras)))
    return {int(found.id): dict(LIVING_FILE)}


def _accounts(store: Any, accounts: Any, planted: dict[int, dict[str, str]]) -> tuple[dict, dict]:
    """An account and a token for each role; "family+grant" has a granted request for the first planted
    personal file's person."""
    from kartoteka.linkage.tables import person_records

    with store.engine.connect() as conn:
        owner = {int(r.record_id): int(r.person_id) for r in conn.execute(
            select(person_records.c.record_id, person_records.c.person_id).where(
                person_records.c.record_id.in_(list(planted))))}
        kinds = dict(conn.execute(select(records.c.id, records.c.kind).where(records.c.id.in_(list(planted)))).all())
    granted_person = owner[min(r for r in planted if kinds[r] == "personal_file")]
    tokens, viewers = {}, {"public": Viewer()}
    for name in ROLES[1:]:  # the admin first: a store's first account must be one
        role = name.split("+")[0]
        user = accounts.add_user(store, name.replace("+", "_"), role, None, by="os:test")
        if name == "family+grant":
            accounts.grant_person(store, user.name, granted_person, by="os:test")
        tokens[name] = accounts.make_token(store, user.name, role=role, by="os:test")[1]
        viewers[name] = accounts.viewer_for(store, accounts.token_user(store, tokens[name]))
    return tokens, viewers


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _addresses(client: TestClient, planted_records: list[int] | dict[int, Any]) -> list[str]:
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
    client, values, planted_records = planted_portal.client, planted_portal.values, sorted(planted_portal.records)
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


def _facts(client: TestClient, record_ids: list[int]) -> tuple[dict[int, int], dict[int, str], dict[int, bool]]:
    """Each record's person and kind, and whether each person is possibly living (read from the store)."""
    from kartoteka.access.policy import possibly_living
    from kartoteka.linkage.tables import person_records, persons

    store = client.app.state.store
    with store.engine.connect() as conn:
        owner = {int(r.record_id): int(r.person_id) for r in conn.execute(
            select(person_records.c.record_id, person_records.c.person_id).where(
                person_records.c.record_id.in_(record_ids)))}
        kinds = dict(conn.execute(select(records.c.id, records.c.kind).where(records.c.id.in_(record_ids))).all())
        living = {int(r.id): possibly_living(r.birth_year, r.fate == "died") for r in conn.execute(
            select(persons.c.id, persons.c.birth_year, persons.c.fate).where(persons.c.id.in_(set(owner.values()))))}
    return owner, kinds, living


def test_every_role_sees_what_the_policy_allows(planted_portal, capsys):
    """Role x address x record kind x field: the addresses of one person or one record come from the OpenAPI
    document (each API address and its page), the fields from the policy's rules and the planted values, and
    what each role may see from access.policy. A field shown where the policy does not allow it, a planted value
    missing where it does, or a withheld file answered, fails."""
    from kartoteka.access.policy import COLUMN_RULES, EXTRA_RULES, Access, record_access, visible_fields

    client, planted = planted_portal.client, planted_portal.records
    document = client.get("/api/v1/openapi.json").json()
    # the camps and their places are the gazetteer's (no person's data): every other address of one thing is walked
    templates = sorted(path for path in document["paths"] if "{" in path and not path.startswith("/api/v1/camps/"))
    assert templates == ["/api/v1/persons/{person_id}", "/api/v1/records/{record_id}"]
    addresses = templates + [path.removeprefix("/api/v1") for path in templates]
    owner, kinds, living = _facts(client, list(planted))
    fields = sorted(set(COLUMN_RULES) | set(EXTRA_RULES) | {f for values in planted.values() for f in values})
    cells, seen = 0, set()
    for role in ROLES:
        headers = {"Authorization": f"Bearer {planted_portal.tokens[role]}"} if role in planted_portal.tokens else {}
        viewer = planted_portal.viewers[role]
        for template in addresses:
            for record_id, values in planted.items():
                person_id, kind = owner[record_id], kinds[record_id]
                access = record_access(viewer, kind, person_id, living[person_id])
                allowed = visible_fields(kind, access)
                seen.add((role, access))
                answer = client.get(template.format(person_id=person_id, record_id=record_id), headers=headers)
                where = f"{role} {template} record {record_id} ({kind}, access {access})"
                if "{record_id}" in template and access == Access.WITHHELD:
                    assert answer.status_code == 403, where
                    if template.startswith("/api/"):
                        assert answer.json()["error"]["code"] == "auth.forbidden", where
                    cells += len(fields)
                    continue
                assert answer.status_code == 200, (where, answer.text[:300])
                if template.startswith("/api/"):
                    cells += _check_json(answer.json(), record_id, values, fields, access, allowed, where)
                else:
                    for name in fields:
                        if name in values and not (allowed is None or name in allowed):
                            assert values[name] not in answer.text, f"{where}: the page shows {name}"
                        cells += 1
    kinds_walked = {kinds[r] for r in planted}
    assert {a for _, a in seen} == set(Access), f"every level of access is exercised: {seen}"
    with capsys.disabled():
        print(f"\n  access matrix: {len(ROLES)} roles x {len(addresses)} addresses x {len(kinds_walked)} record kinds "
              f"({len(planted)} records) x {len(fields)} fields = {cells:,} cells checked")


def _check_json(body: dict, record_id: int, values: dict[str, str], fields: list[str], access: Any,
                allowed: frozenset[str] | None, where: str) -> int:
    shown = body if "records" not in body else next(r for r in body["records"] if r["id"] == record_id)
    assert shown["access"] == access.value, where
    if "records" in body and access == "list":  # a possibly living person: the list fields only
        assert all(body[name] is None for name in ("unit", "rank", "death_date", "death_place", "burial_site"))
        assert {event["kind"] for event in body["timeline"]} <= {"birth"}, where
    checked = 0
    for name in fields:
        may = allowed is None or name in allowed
        assert may or name not in shown["fields"], f"{where}: shows {name}"
        if name in values:
            assert (shown["fields"].get(name) == values[name]) == may, f"{where}: {name} shown {not may}"
        checked += 1
    return checked


def test_search_results_show_no_record_field_to_any_role(planted_portal, capsys):
    """Search hits carry a person's list fields only, whoever asks: no planted value in any answer."""
    client, planted = planted_portal.client, planted_portal.records
    names = _names(client, list(planted))
    checks = 0
    for role in ROLES:
        headers = {"Authorization": f"Bearer {planted_portal.tokens[role]}"} if role in planted_portal.tokens else {}
        for name in names:
            for address in (f"/api/v1/search?q={name}", f"/search?q={name}", f"/search?q={name}&format=csv"):
                answer = client.get(address, headers=headers)
                assert answer.status_code == 200, (role, address)
                assert not [v for v in planted_portal.values if v in answer.text], (role, address)
                checks += len(planted_portal.values)
    with capsys.disabled():
        print(f"\n  search per role: {checks:,} checks")


def _names(client: TestClient, record_ids: list[int]) -> list[str]:
    store = client.app.state.store
    with store.engine.connect() as conn:
        return sorted({r.surname for r in conn.execute(select(records.c.surname).where(records.c.id.in_(record_ids)))
                       if r.surname})


def test_the_export_gives_the_possibly_living_their_list_fields_only(planted_portal, tmp_path):
    import csv as _csv

    from kartoteka.access.policy import LIST_PERSON_FIELDS, possibly_living
    from kartoteka.catalog.service import export_persons

    store = planted_portal.client.app.state.store
    export_persons(store, tmp_path / "persons.csv")
    with (tmp_path / "persons.csv").open(encoding="utf-8") as handle:
        rows = list(_csv.DictReader(handle))
    alive = [r for r in rows if possibly_living(int(r["birth_year"]) if r["birth_year"] else None, r["fate"] == "died")]
    assert alive and len(alive) < len(rows)
    listed = {"person_id", "record_refs", "simulated"} | {f.replace("name_", "name_") for f in LIST_PERSON_FIELDS}
    for row in alive:
        assert not [k for k, v in row.items() if v and k not in listed], row
