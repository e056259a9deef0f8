"""The JSON API on real stores (needs kartoteka.search and kartoteka.catalog: issue 16's services).

Names to look for are taken from the store through the API itself (the memorial list), never from SQL."""

from __future__ import annotations

import pytest
from tests.web.conftest import ATTRIBUTE, LONG, RTL, SCRIPT

pytestmark = pytest.mark.xdist_group("web-portal")

HIT_KEYS = {"person_id", "record_id", "score", "names", "birth_year", "prefecture", "fate", "death_date",
            "record_count", "sources", "record_refs", "reasons"}


def shape(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "hint"} <= set(body["error"])
    return body["error"]


@pytest.fixture(scope="module")
def someone(portal) -> dict:  # type: ignore[no-untyped-def]
    """A dead person of the simulated archive with a katakana name, from the memorial list."""
    answer = portal.get("/api/v1/memorial", params={"row": "カ", "limit": 50}).json()
    entries = [entry for entry in answer["entries"] if entry["kana"]]
    assert entries, answer
    return entries[0]


def test_search_answers_persons_in_the_documented_shape(portal, someone):
    response = portal.get("/api/v1/search", params={"q": someone["kana"]})
    assert response.status_code == 200
    body = response.json()
    assert {"results", "total", "query", "readings", "looser", "candidates", "simulated"} <= set(body)
    assert body["simulated"] is True and body["candidates"] == "persons"
    assert body["results"] and set(body["results"][0]) == HIT_KEYS
    assert someone["person_id"] in [hit["person_id"] for hit in body["results"]]


def test_a_person_carries_every_record_with_its_citation(portal, someone):
    hit = next(hit for hit in portal.get("/api/v1/search", params={"q": someone["kana"]}).json()["results"]
               if hit["person_id"] == someone["person_id"])
    person = portal.get(f"/api/v1/persons/{someone['person_id']}").json()
    assert person["id"] == someone["person_id"]
    assert len(person["records"]) == hit["record_count"]
    assert sorted(record["citation"]["record_ref"] for record in person["records"]) == sorted(hit["record_refs"])
    first = person["records"][0]
    record = portal.get(f"/api/v1/records/{first['id']}").json()
    assert record["person_id"] == someone["person_id"] and record["citation"] == first["citation"]


def test_paging_with_limit_and_offset(portal, someone):
    first = portal.get("/api/v1/search", params={"q": someone["kana"][:2], "limit": 2}).json()
    second = portal.get("/api/v1/search", params={"q": someone["kana"][:2], "limit": 2, "offset": 2}).json()
    assert len(first["results"]) <= 2 and first["total"] == second["total"]
    if first["total"] > 2:
        assert {hit["person_id"] for hit in first["results"]}.isdisjoint(hit["person_id"] for hit in second["results"])


@pytest.mark.parametrize(("params", "family"), [
    ({"q": ""}, "search."),
    ({"q": "Я" * 10_000}, "search."),
    ({"q": "!!! ??? ..."}, "search."),
    ({"q": "Ямада", "prefecture": "Атлантида"}, "search."),
    ({"q": "Ямада", "fate": "eaten by a bear"}, "search."),
    ({"q": "Ямада", "birth_year": "abc"}, "usage.parameter"),
])
def test_bad_queries_are_400_in_the_one_shape(portal, params, family):
    response = portal.get("/api/v1/search", params=params)
    assert response.status_code == 400
    assert shape(response)["code"].startswith(family)


def test_unknown_ids_are_404_not_found(portal):
    for address in ("/api/v1/persons/2000000000", "/api/v1/records/2000000000"):
        response = portal.get(address)
        assert response.status_code == 404
        assert shape(response)["code"] == "catalog.not_found"


def test_the_memorial_list_by_row_and_prefecture(portal, someone):
    index = portal.get("/api/v1/memorial").json()
    assert index["simulated"] is True
    assert {row["row"] for row in index["rows"]} >= {"カ"}
    kana_row = next(row for row in index["rows"] if row["row"] == "カ")
    listed = portal.get("/api/v1/memorial", params={"row": "ka", "limit": 500}).json()
    assert listed["total"] == kana_row["count"] == len(listed["entries"])
    if someone["prefecture"]:
        by_prefecture = portal.get("/api/v1/memorial", params={"prefecture": someone["prefecture"]}).json()
        assert someone["person_id"] in [entry["person_id"] for entry in by_prefecture["entries"]]
    bad = portal.get("/api/v1/memorial", params={"row": "Щ"})
    assert bad.status_code == 400 and shape(bad)["code"] == "catalog.row"


def test_sources_list_every_imported_file(portal):
    answer = portal.get("/api/v1/sources").json()
    assert "hostile.csv" in [source["file_name"] for source in answer["sources"]]
    assert all(source["records"] >= 0 for source in answer["sources"])


def test_hostile_text_comes_back_as_it_was_written(portal):
    """JSON carries text exactly (escaping is the page's job): nothing is lost or mangled on the way."""
    hits = portal.get("/api/v1/search", params={"q": "Кавасаки"}).json()["results"]
    person_id = next(hit["person_id"] for hit in hits if any(ref == "h-<b>1</b>" for ref in hit["record_refs"]))
    person = portal.get(f"/api/v1/persons/{person_id}").json()
    card = next(record for record in person["records"] if record["citation"]["record_ref"] == "h-<b>1</b>")
    assert card["fields"]["death_place"] == SCRIPT and card["fields"]["burial_site"] == RTL
    assert card["fields"]["unit"] == LONG and card["citation"]["archive_ref"] == ATTRIBUTE


def test_before_any_link_each_record_is_a_candidate(imported):
    """On both backends, right after an import: search works, with records as the candidates."""
    body = imported.get("/api/v1/search", params={"q": "Кавасаки"}).json()
    assert body["candidates"] == "records" and body["results"]
    hit = body["results"][0]
    assert hit["record_id"] is not None
    record = imported.get(f"/api/v1/records/{hit['record_id']}").json()
    assert record["fields"]["surname"] == "Кавасаки"
