"""The one error shape, pinned for every kind of error, on a real (empty) store on both backends.

None of these needs the search or catalog services: the errors are raised before a service is called."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kartoteka.web import create_app

SHAPE_KEYS = {"code", "message", "hint", "file", "line", "column"}


@pytest.fixture(scope="module")
def app(empty_url):  # type: ignore[no-untyped-def]
    """The portal of an empty store, on each backend."""
    application = create_app(empty_url)
    yield application
    application.state.store.close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A new client (no cookies) for each test."""
    return TestClient(app, raise_server_exceptions=False)


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}
    assert SHAPE_KEYS <= set(body["error"]) <= SHAPE_KEYS | {"details"}
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(("address", "parameter"), [
    ("/api/v1/search?q=Ямада&birth_year=abc", "birth_year"),
    ("/api/v1/search?q=Ямада&death_year=1e3", "death_year"),
    ("/api/v1/search?q=Ямада&limit=0", "limit"),
    ("/api/v1/search?q=Ямада&limit=100000", "limit"),
    ("/api/v1/search?q=Ямада&offset=-1", "offset"),
    ("/api/v1/search?q=Ямада&birth_year=99999999999999999999999", "birth_year"),
    ("/api/v1/search", "q"),
    ("/api/v1/persons/abc", "person_id"),
    ("/api/v1/persons/0", "person_id"),
    ("/api/v1/persons/99999999999999999999", "person_id"),
    ("/api/v1/records/-5", "record_id"),
    ("/api/v1/memorial?limit=x", "limit"),
])
def test_a_bad_parameter_is_400_usage_parameter_naming_it(client, address, parameter):
    response = client.get(address)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "usage.parameter"
    assert error["details"]["parameter"] == parameter
    assert f"'{parameter}'" in error["message"]


def test_an_unknown_api_address_is_404_in_the_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "web.not_found", "message": "There is no page or API address /api/v1/nothing-here.",
        "hint": "Start from / (the search) or see /api/v1/openapi.json.", "file": None, "line": None,
        "column": None, "details": {"path": "/api/v1/nothing-here"}}


def test_a_wrong_method_is_405_in_the_shape(client):
    response = client.post("/api/v1/sources")
    assert response.status_code == 405
    assert error_of(response)["code"] == "web.method"
    assert "GET" in response.headers["allow"]


def test_an_unexpected_failure_is_500_in_the_shape_and_logged(app, client, caplog):
    def broken() -> None:
        raise RuntimeError("a bug")

    if not any(getattr(route, "path", "") == "/broken" for route in app.routes):
        app.add_api_route("/api/v1/broken", broken, include_in_schema=False)
        app.add_api_route("/broken", broken, include_in_schema=False)
    response = client.get("/api/v1/broken")
    assert response.status_code == 500
    assert error_of(response)["code"] == "web.internal"
    assert "a bug" not in response.text  # the reader gets the shape, the log gets the traceback
    assert any("a bug" in (record.exc_text or str(record.exc_info)) for record in caplog.records)
    page = client.get("/broken", headers={"Accept-Language": "ja"})
    assert page.status_code == 500 and "サーバーで問題が起きました" in page.text


def test_unknown_pages_answer_a_page_in_the_readers_language(client):
    for language, words in (("ja", "このアドレスのページはありません"), ("ru", "По этому адресу страницы нет"),
                            ("en", "There is no page at this address")):
        response = client.get("/no-such-page", headers={"Accept-Language": language})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert f'<html lang="{language}">' in response.text and words in response.text


@pytest.mark.parametrize(("language", "words"), [
    ("en", "The value of “birth_year” is not valid."),
    ("ja", "「birth_year」の値が正しくありません。"),
    ("ru", "Неверное значение «birth_year»."),
])
def test_a_bad_number_on_the_results_page_is_told_in_the_pages_language(client, language, words):
    response = client.get(f"/search?q=Ямада&birth_year=abc&lang={language}")
    assert response.status_code == 400
    assert words in response.text
    assert 'value="abc"' in response.text, "the form keeps what was typed"


def test_the_language_is_switched_remembered_and_otherwise_the_browsers(client):
    assert '<html lang="ru">' in client.get("/search", headers={"Accept-Language": "ru"}).text
    switched = client.get("/search?lang=ja", headers={"Accept-Language": "ru"})
    assert '<html lang="ja">' in switched.text and switched.cookies.get("lang") == "ja"
    assert switched.headers["content-language"] == "ja"
    remembered = client.get("/search", headers={"Accept-Language": "ru"})  # the client keeps the cookie
    assert '<html lang="ja">' in remembered.text
    assert '<html lang="en">' in client.get("/search?lang=en").text


def test_the_language_links_keep_the_query(client):
    html = client.get("/no-such-page?q=%3Cb%3E&lang=en").text
    assert 'href="?q=%3Cb%3E&amp;lang=ru"' in html


def test_a_correction_posted_from_another_site_is_refused(client):
    response = client.post("/persons/1/corrections", data={"text": "wrong year"},
                           headers={"Origin": "https://elsewhere.example", "Accept-Language": "en"})
    assert response.status_code == 400
    assert "sent from another site" in response.text


def test_the_openapi_document_describes_the_api_and_only_the_api(client):
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {"/api/v1/search", "/api/v1/persons/{person_id}",
                                      "/api/v1/records/{record_id}", "/api/v1/memorial", "/api/v1/sources",
                                      "/api/v1/camps", "/api/v1/camps/{camp_id}", "/api/v1/gazetteer/resolve"}
    search = document["paths"]["/api/v1/search"]["get"]
    assert {"200", "400", "404", "500"} <= set(search["responses"])
    assert "ErrorAnswer" in document["components"]["schemas"]


def test_the_stylesheet_is_served(client):
    response = client.get("/static/portal.css")
    assert response.status_code == 200 and "@media print" in response.text


def test_a_retired_person_id_redirects_or_says_where_its_records_went():
    import json

    from kartoteka.catalog.types import Moved
    from kartoteka.web.api import moved_answer

    merged = moved_answer(Moved(person_id=5, now=[9], reason="merged"), "/api/v1/persons")
    assert merged.status_code == 301 and merged.headers["location"] == "/api/v1/persons/9"
    split = moved_answer(Moved(person_id=5, now=[9, 12], reason="split"), "/api/v1/persons")
    assert split.status_code == 410
    error = json.loads(bytes(split.body))["error"]
    assert error["code"] == "catalog.gone" and error["details"]["now"] == [9, 12]
