"""The pages on real stores (needs kartoteka.search and kartoteka.catalog: issue 16's services): every kind of
page answers, in each language, says SIMULATED, escapes what the records hold, and tells bad queries in the
page's language."""

from __future__ import annotations

import csv
import io
import re

import pytest
from tests.web.conftest import LONG, RTL, SCRIPT

from kartoteka.core.errors import KartotekaError
from kartoteka.web.i18n import translations
from kartoteka.web.messages import page_error

pytestmark = pytest.mark.xdist_group("web-portal")


@pytest.fixture(scope="module")
def someone(portal) -> dict:  # type: ignore[no-untyped-def]
    entries = portal.get("/api/v1/memorial", params={"row": "カ", "limit": 50}).json()["entries"]
    return next(entry for entry in entries if entry["kana"])


@pytest.fixture(scope="module")
def hostile_person(portal) -> int:  # type: ignore[no-untyped-def]
    hits = portal.get("/api/v1/search", params={"q": "Кавасаки"}).json()["results"]
    return next(hit["person_id"] for hit in hits if "h-<b>1</b>" in hit["record_refs"])


@pytest.mark.parametrize("language", ["ja", "en", "ru"])
def test_every_kind_of_page_answers_in_each_language(portal, someone, language):
    person = portal.get(f"/api/v1/persons/{someone['person_id']}").json()
    addresses = ["/", f"/search?q={someone['kana']}", f"/persons/{someone['person_id']}",
                 f"/records/{person['records'][0]['id']}", "/memorial", "/memorial?row=カ", "/memorial?row=ka",
                 "/sources"]
    if someone["prefecture"]:
        addresses.append(f"/memorial?prefecture={someone['prefecture']}")
    for address in addresses:
        response = portal.get(address, params={"lang": language})
        assert response.status_code == 200, (address, response.text[:500])
        assert f'<html lang="{language}">' in response.text
        assert "SIMULATED" in response.text, address
        assert response.text.count("<h1") == 1, address


def test_the_home_page_counts_what_the_store_holds(portal):
    info = portal.get("/?lang=en").text
    assert re.search(r"[\d,]+ records", info) and re.search(r"[\d,]+ persons", info)
    assert 'action="/search"' in info and '<label for="q">' in info


def test_results_lead_to_the_person(portal, someone):
    html = portal.get("/search", params={"q": someone["kana"], "lang": "en"}).text
    assert f'href="/persons/{someone["person_id"]}"' in html


def test_a_results_page_downloads_as_csv_and_json(portal, someone):
    params = {"q": someone["kana"], "lang": "en"}
    as_csv = portal.get("/search", params={**params, "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows and {row["simulated"] for row in rows} == {"SIMULATED"}
    assert str(someone["person_id"]) in [row["person_id"] for row in rows]
    as_json = portal.get("/search", params={**params, "format": "json"}).json()
    assert as_json["simulated"] is True and len(as_json["results"]) == len(rows)


@pytest.mark.parametrize("language", ["ja", "en", "ru"])
@pytest.mark.parametrize("params", [{"q": ""}, {"q": "Я" * 10_000}, {"q": "!!! ???"},
                                    {"q": "Ямада", "prefecture": "Атлантида"}, {"q": "Ямада", "birth_year": "abc"}])
def test_bad_queries_are_told_in_the_pages_language(portal, params, language):
    """The page shows the message of the same error the API answers, in the page's language."""
    api = portal.get("/api/v1/search", params=params).json()["error"]
    response = portal.get("/search", params={**params, "lang": language})
    assert response.status_code == 400
    shown = page_error(KartotekaError(api["code"], api["message"], details=api.get("details") or {}), 400,
                       translations(language).gettext)
    assert _escaped(shown.message) in response.text
    assert translations(language).gettext("This query cannot be searched") in response.text


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_hostile_values_render_escaped_and_isolated(portal, hostile_person):
    html = portal.get(f"/persons/{hostile_person}?lang=en").text
    assert SCRIPT not in html and "<img src=x" not in html and "<b>1</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"<bdi>{RTL}</bdi>" in html
    assert LONG in html


def form_token(client, address: str) -> str:
    """The CSRF token a page's form carries (its cookie stays in the client)."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(address).text)
    assert found, f"{address} has no form with a CSRF token"
    return found.group(1)


def test_a_correction_is_kept_and_thanked_for(portal, portal_url, someone):
    from kartoteka.catalog import service as catalog
    from kartoteka.store import open_store

    token = form_token(portal, f"/persons/{someone['person_id']}")
    response = portal.post(f"/persons/{someone['person_id']}/corrections?lang=en",
                           data={"text": "His birth year is 1919 in the family register.", "contact": "a@b.example",
                                 "csrf_token": token},
                           headers={"Origin": "http://testserver"})
    assert response.status_code == 200 and "Thank you" in response.text
    with open_store(portal_url, create=False) as store:
        kept = [c for c in catalog.corrections(store) if c.person_id == someone["person_id"]]
    assert kept and kept[-1].text == "His birth year is 1919 in the family register."
    assert "a@b.example" not in portal.get(f"/persons/{someone['person_id']}").text


def test_an_empty_correction_is_refused_in_the_pages_language(portal, someone):
    token = form_token(portal, f"/persons/{someone['person_id']}")
    response = portal.post(f"/persons/{someone['person_id']}/corrections?lang=ru",
                           data={"text": "", "csrf_token": token})
    assert response.status_code == 400 and "Исправление не удалось сохранить" in response.text


def test_unknown_person_and_row_pages(portal):
    missing = portal.get("/persons/2000000000?lang=ja")
    assert missing.status_code == 404 and "そのような人物または記録はありません" in missing.text
    row = portal.get("/memorial?row=Щ&lang=en")
    assert row.status_code == 400 and "There is no such row in the memorial list." in row.text
