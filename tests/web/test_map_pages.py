"""The map's pages on a real store (the linked simulated archive of tests/web/conftest.py): /map in each
language, its year filter and table, the markers its script reads (/api/v1/camps), and a person's route.

The page's own rendering (every field of a marker, hostile names, the year filter's arithmetic, synthetic
coordinates that show their source) is tested with tests/map/stand_in.py in place of the gazetteer, whose figures
the test can name; the last tests run on the real gazetteer and the store's own camps and counts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.map import stand_in

from kartoteka.web.person_route import ROUTE_EVENTS, _day

pytestmark = pytest.mark.xdist_group("web-portal")
STATIC = Path(__file__).resolve().parents[2] / "src" / "kartoteka" / "web" / "static"


@pytest.fixture
def mapped(portal: TestClient, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The portal with the gazetteer stand-in for one test (stand-in)."""
    stand_in.install(monkeypatch)
    return portal


@pytest.mark.parametrize("language", ["ja", "en", "ru"])
def test_the_map_page_lists_every_camp_in_each_language(mapped, language):
    html = mapped.get("/map", params={"lang": language}).text
    markers = stand_in.camp_markers(None)
    assert html.count('<tr id="camp-') == len(markers)
    assert html.count("<h1") == 1 and "SIMULATED" in html
    assert 'href="/map"' in html  # the site's navigation
    assert "<script>" not in html.split("</head>")[1], "no inline script: the map's script is a static file"
    for marker in markers:
        assert f'href="{marker.source_url}"' in html.replace("&amp;", "&")
        assert marker.published in html
    assert "no coordinate yet" in html or language != "en"


def test_a_hostile_camp_name_is_text(mapped):
    html = mapped.get("/map", params={"lang": "en"}).text
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;camp&#34;)&lt;/script&gt;" in html
    camps = mapped.get("/api/v1/camps").json()["camps"]
    assert stand_in.HOSTILE_NAME in [camp["names"]["en"] for camp in camps]  # JSON keeps it; map.js sets text


def test_the_year_filter_lists_the_camps_in_use_that_year(mapped):
    in_1948 = stand_in.camp_markers(None, 1948)
    assert 0 < len(in_1948) < len(stand_in.camp_markers(None))
    html = mapped.get("/map", params={"year": "1948", "lang": "en"}).text  # the client may remember another
    assert html.count('<tr id="camp-') == len(in_1948)
    assert "1945–1947" not in html and "1945–1949" in html  # the stand-in's odd camps closed in 1947
    assert html.count("no coordinate yet</td>") == sum(1 for m in in_1948 if m.coordinate is None)
    assert 'data-source="/api/v1/camps?year=1948"' in html
    assert '<option value="1948" selected>' in html


@pytest.mark.parametrize("year", ["1900", "abc", "19481948"])
def test_a_year_that_is_not_one_is_a_usage_error(mapped, year):
    response = mapped.get("/map", params={"year": year, "lang": "ru"})
    assert response.status_code == 400 and "year" in response.text


def _knows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gazetteer that places nothing (as its contract's empty bodies did)."""
    from kartoteka.gazetteer import service
    from kartoteka.gazetteer.types import PlaceResolution

    monkeypatch.setattr(service, "camp_markers", lambda store, year=None: [])
    monkeypatch.setattr(service, "resolve", lambda store, text, on=None: PlaceResolution(
        text=text, place_id=None, camp_id=None, name=None, coordinate=None, confidence=0.0, on=on))
    monkeypatch.setattr(service, "stored_resolutions", lambda store, wanted: [None] * len(wanted))


def test_when_the_gazetteer_places_nothing_the_map_says_so(portal, monkeypatch):
    """No camp, and the page says so (never a guessed place)."""
    _knows_nothing(monkeypatch)
    html = portal.get("/map", params={"lang": "en"}).text
    assert "No camp or burial site is in the gazetteer yet." in html
    assert portal.get("/api/v1/camps").json()["camps"] == []


def _a_person_with_a_camp(client: TestClient) -> int:
    for hit in client.get("/api/v1/search", params={"q": "Сато", "limit": 50}).json()["results"]:
        if hit["person_id"] is None:
            continue
        person = client.get(f"/api/v1/persons/{hit['person_id']}").json()
        if any(event["kind"] == "camp" and re.search(r"\d", event["place"] or "") for event in person["timeline"]):
            return int(hit["person_id"])
    raise AssertionError("no person named Сато with a numbered camp in the simulated archive")


def test_a_persons_route_lists_each_camp_with_its_date_and_place(mapped):
    person_id = _a_person_with_a_camp(mapped)
    timeline = mapped.get(f"/api/v1/persons/{person_id}").json()["timeline"]
    html = mapped.get(f"/persons/{person_id}", params={"lang": "en"}).text
    route = html.split('<ol class="route">')[1].split("</ol>")[0]
    camps = [event for event in timeline if event["kind"] in ROUTE_EVENTS and event["place"]]
    assert route.count("<li") == len(camps)
    assert route.count("data-lat=") >= 1, "the stand-in places a numbered camp"
    assert 'id="route-map"' in html and '/static/map.js' in html
    assert "test:synthetic" in route  # where each coordinate comes from


def test_a_route_that_the_gazetteer_cannot_place_needs_no_map(portal, monkeypatch):
    _knows_nothing(monkeypatch)
    person_id = _a_person_with_a_camp(portal)
    html = portal.get(f"/persons/{person_id}", params={"lang": "en"}).text
    assert '<ol class="route">' in html and "place not resolved in the gazetteer" in html
    assert 'id="route-map"' not in html and "/static/map.js" not in html


def test_everything_the_map_loads_is_served_here(mapped):
    """The vendored files answer, with their licenses beside them; no file the map loads names another host."""
    html = mapped.get("/map").text
    loaded = re.findall(r'(?:src|href)="(/static/[^"]+)"', html) + re.findall(r'data-basemap="([^"]+)"', html)
    assert len(loaded) >= 6
    for address in loaded:
        assert mapped.get(address).status_code == 200, address
    for folder in ("leaflet", "leaflet.markercluster", "natural-earth"):
        assert (STATIC / "vendor" / folder / "LICENSE").is_file()
    for script in ("map.js", "map.css"):
        assert not re.search(r"https?://", (STATIC / script).read_text(encoding="utf-8")), script
    basemap = mapped.get("/static/vendor/natural-earth/basemap.json").json()
    assert {feature["properties"]["layer"] for feature in basemap["features"]} == {"land", "border", "lake", "river"}
    assert "Natural Earth" in basemap["properties"]["source"]


@pytest.mark.parametrize(("written", "day"), [
    ("1946-03-05", dt.date(1946, 3, 5)), ("1946-03", dt.date(1946, 3, 1)), ("1946", dt.date(1946, 1, 1)),
    ("1946-02-30", dt.date(1946, 1, 1)), (None, None), ("осень 1946", None),
])
def test_the_date_that_decides_which_camp_a_number_meant(written, day):
    assert _day(written) == day


# ---------------------------------------------------------------- with the real gazetteer


def test_the_map_shows_every_camp_the_gazetteer_places(portal):
    """/map's table lists what /api/v1/camps (the gazetteer, which the page's script draws) answers: the same
    camps, with the same counts, every year."""
    camps = portal.get("/api/v1/camps").json()["camps"]
    assert any(camp["coordinate"] for camp in camps), "the gazetteer placed no camp of the simulated archive"
    assert sum(camp["held"] for camp in camps) > 0, "no person of the store is counted at any camp"
    html = portal.get("/map", params={"lang": "en"}).text
    assert html.count('<tr id="camp-') == len(camps)
    held = re.search(r"\(([\d,]+) held, ([\d,]+) died\)", html)
    assert held and (int(held[1].replace(",", "")), int(held[2].replace(",", ""))) == (
        sum(camp["held"] for camp in camps), sum(camp["died"] for camp in camps))
    for year in (1946, 1950):
        in_use = portal.get("/api/v1/camps", params={"year": year}).json()["camps"]
        page = portal.get("/map", params={"year": year, "lang": "en"}).text
        assert page.count('<tr id="camp-') == len(in_use)
        assert f'data-source="/api/v1/camps?year={year}"' in page


def test_a_numbered_camp_on_a_persons_route_is_placed_by_the_gazetteer(portal):
    person_id = _a_person_with_a_camp(portal)
    html = portal.get(f"/persons/{person_id}", params={"lang": "en"}).text
    route = html.split('<ol class="route">')[1].split("</ol>")[0]
    assert "data-lat=" in route, "no numbered camp of the route was placed"
    assert re.search(r"\(from <bdi>(geonames|reference|curator):", route), "a coordinate without its source"
    assert 'id="route-map"' in html
