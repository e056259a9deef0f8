"""Schemathesis against /api/v1/openapi.json, in process, on the linked simulated store (needs the services):
no answer is a 5xx, every answer matches its documented schema, status and content type; requests that break
the schema (negative mode) get a 4xx in the one error shape. The example count is kept small so that the whole
run stays under a minute.

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

pytestmark = pytest.mark.xdist_group("web-portal")

EXAMPLES = 25  # per operation and mode: 8 operations x 2 modes
OPERATIONS = ["GET /api/v1/search", "GET /api/v1/persons/{person_id}", "GET /api/v1/records/{record_id}",
              "GET /api/v1/memorial", "GET /api/v1/sources", "GET /api/v1/camps", "GET /api/v1/camps/{camp_id}",
              "GET /api/v1/gazetteer/resolve"]
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
         if not (label == "GET /api/v1/sources" and mode == GenerationMode.NEGATIVE)]  # no parameter to break


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
