"""Schemathesis against /api/v1/openapi.json, in process, on the linked simulated store (needs the services):
no answer is a 5xx, every answer matches its documented schema, status and content type; requests that break
the schema (negative mode) get a 4xx in the one error shape; then every operation again with an API token of each
account role (family, researcher, reviewer, admin). The example counts are kept small so that the whole run
stays under a minute (once the store is linked).

(schemathesis.pytest.from_fixture does not run under pytest 9 here, so each operation's strategy is drawn with
hypothesis directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from kartoteka.accounts.service import ACCOUNT_ROLES

pytestmark = pytest.mark.xdist_group("web-portal")

EXAMPLES = 25  # per operation and mode: 9 operations x 2 modes
OPERATIONS = ["GET /api/v1/search", "GET /api/v1/persons/{person_id}", "GET /api/v1/records/{record_id}",
              "GET /api/v1/memorial", "GET /api/v1/sources", "GET /api/v1/camps", "GET /api/v1/camps/{camp_id}",
              "GET /api/v1/gazetteer/resolve", "GET /api/v1/stats"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(portal_url):  # type: ignore[no-untyped-def]
    from kartoteka.web import create_app

    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(portal_url))


def test_the_document_lists_every_operation(api_schema):
    labels = sorted(result.ok().label for result in api_schema.get_all_operations())
    assert labels == sorted(OPERATIONS)


CASES = [pytest.param(label, mode, id=f"{label}-{name}") for label in OPERATIONS
         for mode, name in ((GenerationMode.POSITIVE, "valid"), (GenerationMode.NEGATIVE, "invalid"))
         if not (label in ("GET /api/v1/sources", "GET /api/v1/stats") and mode == GenerationMode.NEGATIVE)]
# (sources and stats have no parameter to break)


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_the_api_answers_every_request_within_its_schema(api_schema, label, mode):
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def answers(case):  # type: ignore[no-untyped-def]
        response = case.call_and_validate(checks=CHECKS)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"} and body["error"]["code"], body

    answers()


ROLE_EXAMPLES = 8  # per operation and role: 9 operations x 4 roles
ROLES = [role.label for role in ACCOUNT_ROLES]  # every role an account can hold


@pytest.fixture(scope="module")
def role_schema(portal_url, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The API of a copy of the portal's store with an API token for each account role."""
    import shutil

    from kartoteka.accounts import service as accounts
    from kartoteka.store import open_store
    from kartoteka.web import create_app

    copy = tmp_path_factory.mktemp("schema-roles") / "portal.sqlite"
    shutil.copy(portal_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    tokens = {}
    with open_store(url) as store:
        for role in sorted(ROLES, key=lambda label: label != "admin"):  # a store's first account is an admin
            accounts.add_user(store, role, role, None, by="os:test")
            tokens[role] = accounts.make_token(store, role, by="os:test")[1]
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(url)), tokens


def test_the_role_runs_cover_every_account_role():
    assert set(ROLES) == {"family", "researcher", "reviewer", "admin"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", OPERATIONS)
def test_the_api_answers_each_role_within_its_schema(role_schema, role, label):
    """With each role's bearer token, on every operation of the document: no 5xx, every answer within its
    documented schema, status and content type."""
    api, tokens = role_schema
    operation = api.find_operation_by_label(label)
    assert operation is not None

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @settings(max_examples=ROLE_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def answers(case):  # type: ignore[no-untyped-def]
        response = case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code != 401, "a valid token is never refused as unknown"
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}

    answers()
