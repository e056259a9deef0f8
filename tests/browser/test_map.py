"""The map in a real browser, offline: every request to a host other than the portal's is blocked (and recorded),
and still the basemap and the markers render, the year filter changes the markers, and a person's route shows.

The portal is the real `kartoteka serve` on the simulated archive, its camps and places from the gazetteer; what
each test expects is what /api/v1/camps (the gazetteer's markers, which the page's script draws) and the person's
timeline say."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import Archive, Server
from .pages import person_holding, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BLOCKING_IMPACTS = ("serious", "critical")
# The policy a later change will send: no inline script or style, nothing from another host. The map's pages are
# served with it here, and any violation the browser reports fails the tests.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'"


@pytest.fixture
def offline(page: Any, portal: Server) -> Any:
    """The page with every request to another host blocked; ``page.elsewhere`` lists what tried to leave."""
    served = urllib.parse.urlsplit(portal.url).netloc
    elsewhere: list[str] = []

    def only_this_host(route: Any) -> None:
        url = route.request.url
        if urllib.parse.urlsplit(url).netloc != served and not url.startswith(("data:", "blob:")):
            elsewhere.append(url)
            route.abort("blockedbyclient")
        elif route.request.resource_type == "document":
            answer = route.fetch()
            route.fulfill(response=answer, headers={**answer.headers, "content-security-policy": CSP})
        else:
            route.continue_()

    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.context.route("**/*", only_this_host)
    page.elsewhere = elsewhere
    page.csp_violations = violations
    return page


def _wait_for_map(page: Any, selector: str) -> None:
    page.wait_for_selector(f"{selector}[data-ready=true]", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('.leaflet-cluster-anim, .leaflet-zoom-anim')")
    error = page.get_attribute(selector, "data-error")
    assert error is None, f"the map's script failed: {error}"


def _markers_shown(page: Any) -> int:
    """The markers the map stands for: each single marker counts one, each cluster the number it shows."""
    return int(page.evaluate(
        """() => [...document.querySelectorAll('#camp-map .camp-marker, #camp-map .camp-cluster')]
                 .reduce((n, icon) => n + (icon.classList.contains('camp-cluster') ? parseInt(icon.textContent) : 1), 0)"""))


def _placed(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The camps of an /api/v1/camps answer that the map can draw: those with a coordinate."""
    return [camp for camp in answer["camps"] if camp["coordinate"]]


def _a_year_that_changes_the_map(server: Server) -> tuple[int, dict[str, Any]]:
    """The first year of the internment whose camps in use are some, not all, of the camps on the map."""
    every = _placed(server.get_json("/api/v1/camps"))
    for year in range(1945, 1957):
        data = server.get_json(f"/api/v1/camps?year={year}")
        if 0 < len(_placed(data)) < len(every):
            return year, data
    raise AssertionError("in no year are only some of the camps in use: the year filter cannot be seen to work")


def test_the_map_renders_offline_and_the_year_filter_changes_the_markers(offline: Any, portal: Server,
                                                                          tmp_path: Path) -> None:
    page = offline
    data = portal.get_json("/api/v1/camps")  # what the gazetteer says; the page must draw all of it
    placed = _placed(data)
    assert placed, "the gazetteer placed no camp: nothing to see on the map"
    page.goto(portal.url + "/map")
    _wait_for_map(page, "#camp-map")

    assert page.locator("#camp-map path.basemap-land").count() > 0, "the basemap's land is not drawn"
    assert page.locator("#camp-map path.basemap-border").count() > 0, "the basemap's borders are not drawn"
    assert page.locator("#camp-map path.basemap-river").count() > 0, "the basemap's rivers are not drawn"
    icons = page.locator("#camp-map .camp-marker, #camp-map .camp-cluster").count()
    assert icons > 0, "no marker or cluster icon on the map"
    assert _markers_shown(page) == len(placed) == int(page.get_attribute("#camp-map", "data-markers") or 0)
    assert page.locator("table.camps tbody tr").count() == len(data["camps"])
    # Each marker's area grows with the number it stands for (its width with the square root).
    sizes = page.evaluate("""() => [...document.querySelectorAll('#camp-map .camp-marker')].map(icon =>
        [parseInt(icon.querySelector('.camp-count').dataset.count), icon.getBoundingClientRect().width])""")
    by_count = sorted(sizes)
    assert [width for _, width in by_count] == sorted(width for _, width in sizes), "a marker is not sized by its count"
    screenshot(page, "map", tmp_path)

    # A marker's popup: the store's counts, and the published figure with its source where there is one.
    page.locator("#camp-map .camp-marker").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "held here, in these records" in text
    title = page.inner_text(".leaflet-popup-content strong")
    camp = next(camp for camp in placed if title in camp["names"].values())
    if camp["published"]:
        assert "published figure" in text and camp["published"] in text
        assert page.locator(".leaflet-popup-content a[href^=http]").count() == (1 if camp["source_url"] else 0)
    assert page.dialogs == [], "a name in the store ran as script"

    # The year filter: only the camps in use that year remain, on the map and in the table.
    year, in_year = _a_year_that_changes_the_map(portal)
    page.select_option("#year", str(year))
    with page.expect_navigation():
        page.click("form.map-filter button[type=submit]")
    _wait_for_map(page, "#camp-map")
    assert _markers_shown(page) == len(_placed(in_year)) < len(placed)
    assert page.locator("table.camps tbody tr").count() == len(in_year["camps"])

    assert page.elsewhere == [], f"requests left for other hosts: {page.elsewhere[:5]}"
    assert page.csp_violations == [], f"the content security policy was violated: {page.csp_violations[:3]}"


def test_a_persons_route_shows_on_the_map_and_in_the_list(offline: Any, portal: Server,
                                                           archive: Archive, tmp_path: Path) -> None:
    page = offline
    # a man who died in the camps: the public sees his route (a possibly living man's page lists his names only)
    dead = next(pid for pid in archive.with_card_and_roster() if archive.persons[pid]["fate"] == "died"
                and archive.persons[pid]["camps"])
    card = next(ref for ref in archive.refs_of[dead] if archive.kinds[ref] == "card")
    person_id = person_holding(portal, archive.cyrillic_name(card), [card])
    page.goto(f"{portal.url}/persons/{person_id}")
    stops = page.locator("ol.route li")
    assert stops.count() > 0, "the person page lists no route"
    placed = page.locator("ol.route li[data-lat]").count()
    assert placed > 0, "no stop of the route was placed by the gazetteer"
    _wait_for_map(page, "#route-map")
    assert page.locator("#route-map .route-stop").count() == placed
    assert page.locator("#route-map path.basemap-land").count() > 0
    if placed > 1:
        assert page.locator("#route-map path.route-line").count() == 1
    page.locator("#route").scroll_into_view_if_needed()
    screenshot(page, "route", tmp_path)
    assert page.elsewhere == [], f"requests left for other hosts: {page.elsewhere[:5]}"
    assert page.csp_violations == [], f"the content security policy was violated: {page.csp_violations[:3]}"


def test_the_map_page_is_accessible_and_works_without_javascript(page: Any, page_without_js: Any,
                                                                   portal: Server) -> None:
    page.goto(portal.url + "/map")
    _wait_for_map(page, "#camp-map")
    blocking = []
    for violation in Axe().run(page).response["violations"]:
        print(f"/map: {violation['id']} ({violation['impact']}): {violation['help']}")
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:3])
            blocking.append(f"{violation['id']} ({violation['impact']}) at {targets}")
    assert not blocking, "axe-core found on /map:\n" + "\n".join(blocking)

    year, in_year = _a_year_that_changes_the_map(portal)
    page_without_js.goto(f"{portal.url}/map?year={year}")
    rows = page_without_js.locator("table.camps tbody tr")
    assert rows.count() == len(in_year["camps"])
    assert "SIMULATED" in page_without_js.inner_text("body")
