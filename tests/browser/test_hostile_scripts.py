"""No script from the data runs in a real browser: the map (its markers, their titles and popups, drawn by
map.js from /api/v1/camps) and a person's page (its route drawn on a small map) of a store whose every shown
text holds ``<script>alert(...)``, ``<img src=x onerror=alert(...)>``, a right-to-left override and
``javascript:`` links (tests/web/hostile.py: the same store the in-process escaping test reads).

A script that ran would open a dialog (recorded by the ``page`` fixture), leave an element built from the data
(an ``img[src=x]``, a script without ``src``, an ``on...`` attribute) in the page, or be refused by the content
security policy (a console message): none of the three may happen, and the hostile text must be on screen as
text."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from tests.web import hostile

from kartoteka.linkage.tables import persons
from kartoteka.store import open_store

from .conftest import Archive, Server, start_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# what a script built from the data would leave in the page
INJECTED = """() => [...document.querySelectorAll('img[src="x"], script:not([src]), a[href^="javascript:" i]')]
                  .map(e => e.outerHTML.slice(0, 80))
                  .concat([...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                  .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)))"""


@pytest.fixture(scope="module")
def hostile_site(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`kartoteka serve` on a copy of the simulated archive's store made hostile."""
    root = tmp_path_factory.mktemp("hostile-scripts")
    shutil.copy(archive.database.removeprefix("sqlite:///"), root / "hostile.sqlite")
    database = f"sqlite:///{root / 'hostile.sqlite'}"
    hostile.make_store_hostile(database)
    server = start_server(database, root / "serve.log")
    yield server
    server.stop()


def _watched(page: Any) -> list[str]:
    """The console's content-security-policy refusals, from now on."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


def _nothing_ran(page: Any, refused: list[str]) -> None:
    assert page.dialogs == [], f"a script from the data opened a dialog: {page.dialogs}"
    assert page.evaluate(INJECTED) == [], "an element or attribute built from the data is in the page"
    assert refused == [], f"the content security policy refused something: {refused[:3]}"


def test_the_map_and_its_popups_show_hostile_camp_names_as_text(page: Any, hostile_site: Server) -> None:
    refused = _watched(page)
    page.goto(f"{hostile_site.url}/map")
    page.wait_for_selector("#camp-map[data-ready=true]", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('.leaflet-cluster-anim, .leaflet-zoom-anim')")
    assert page.get_attribute("#camp-map", "data-error") is None
    single = page.locator("#camp-map .camp-marker")
    if single.count() == 0:  # every camp in a cluster: open the first cluster
        page.locator("#camp-map .camp-cluster").first.click()
        page.wait_for_function("() => document.querySelectorAll('#camp-map .camp-marker').length > 0")
    marker = page.locator("#camp-map .leaflet-marker-icon.camp-marker").first
    assert "<script>alert(" in (marker.get_attribute("title") or ""), "the marker's title is the camp's name, as text"
    marker.click()
    popup = page.locator(".camp-popup").first
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "<script>alert('camps.name_" in text and "onerror=alert(" in text, text[:300]
    assert popup.locator("a").count() == 0, "a javascript: source_url is no link"
    assert "<script>alert('camps.name_" in page.inner_text("table.camps")
    _nothing_ran(page, refused)


def test_a_person_page_and_its_route_show_hostile_text_as_text(page: Any, hostile_site: Server,
                                                              archive: Archive) -> None:
    with open_store(archive.database, create=False) as store, store.engine.connect() as conn:
        ids = conn.execute(select(persons.c.id).where(persons.c.death_date.is_not(None))
                           .order_by(persons.c.record_count.desc(), persons.c.id).limit(10)).scalars().all()
    refused = _watched(page)
    drawn = 0
    for person_id in ids:
        page.goto(f"{hostile_site.url}/persons/{person_id}")
        main = page.inner_text("main")
        assert "<script>alert('persons.name_" in main and "onerror=alert(" in main
        if page.locator("#route-map").count():
            page.wait_for_selector("#route-map[data-ready=true]", timeout=30_000)
            drawn += 1
        _nothing_ran(page, refused)
    assert drawn, "none of the persons has a route on a map: the route's script was not tried"
