"""A family's journeys through the portal in a real browser: from a name in any script to the person, his
records and their citations; the language switched and remembered; a row of the memorial list walked.

The persons are picked from the simulation's truth (persons.csv, truth.csv), never from what the portal shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Archive, Server
from .pages import A_ROW, HIRAGANA, main_text, person_holding, screenshot, search_from_the_box

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_clerks_cyrillic_spelling_reaches_the_person(page: Any, portal: Server, archive: Archive,
                                                       tmp_path: Path) -> None:
    person, card = archive.clerks_spelling()
    spelling = archive.cyrillic_name(card)  # as the clerk heard it, e.g. "Судзуки Сюкичи" for スズキ シュウキチ

    search_from_the_box(page, portal, spelling)
    person_id = person_holding(portal, spelling, [card])
    screenshot(page, "results", tmp_path)
    with page.expect_navigation():
        page.locator(f'main a[href="/persons/{person_id}"]').first.click()

    assert page.url.endswith(f"/persons/{person_id}")
    text = main_text(page)
    assert card in text, f"the card {card} the search went by is not on the person page"
    assert archive.records[card]["Фамилия"] in text
    rosters = [ref for ref in archive.refs_of[person] if archive.kinds[ref] == "jp_roster"]
    assert any(ref in text for ref in rosters), f"the person's Japanese rosters {rosters} are not beside the card"


def test_the_kanji_of_a_person_known_only_from_cyrillic_records(page: Any, portal: Server,
                                                                 archive: Archive) -> None:
    """The family knows 山田 乙三; the archive has only cards and files in Cyrillic ("Ямада Отозоо")."""
    person = next(pid for pid in archive.cyrillic_only() if archive.persons[pid]["kanji_surname"])
    truth = archive.persons[person]
    kanji = f"{truth['kanji_surname']} {truth['kanji_given']}"
    refs = archive.refs_of[person]

    search_from_the_box(page, portal, kanji)
    person_id = person_holding(portal, kanji, refs)
    with page.expect_navigation():
        page.locator(f'main a[href="/persons/{person_id}"]').first.click()

    text = main_text(page)
    shown = [ref for ref in refs if ref in text]
    assert shown, f"none of the Cyrillic records {refs} of {kanji} is on the person page"
    assert archive.records[shown[0]]["Фамилия"] in text  # the Cyrillic spelling itself


def test_a_person_page_shows_every_record_with_its_citation(page: Any, portal: Server, archive: Archive,
                                                            tmp_path: Path) -> None:
    _, card = archive.clerks_spelling()
    person_id = person_holding(portal, archive.cyrillic_name(card), [card])
    records = portal.get_json(f"/api/v1/persons/{person_id}")["records"]
    assert records

    response = page.goto(f"{portal.url}/persons/{person_id}")
    assert response is not None and response.status == 200
    text = main_text(page)
    for record in records:
        citation = record["citation"]
        assert citation["record_ref"] in text
        assert " ".join(citation["text"].split()) in text, f"the citation of record {record['id']} is missing"
    assert archive.files[card] in text  # the file the card came from, as its citation names it
    assert page.locator("main h1").count() == 1
    screenshot(page, "person", tmp_path)

    with page.expect_navigation():  # a record's own page, and back to its person
        page.locator(f'main a[href="/records/{records[0]["id"]}"]').first.click()
    assert records[0]["citation"]["record_ref"] in main_text(page)
    assert page.locator(f'main a[href="/persons/{person_id}"]').count() >= 1


def test_the_language_is_switched_and_remembered(browser: Any, portal: Server) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(portal.url + "/")
        assert page.get_attribute("html", "lang") == "en"
        with page.expect_navigation():
            page.locator('a[href*="lang=ru"]').first.click()
        assert page.get_attribute("html", "lang") == "ru"
        with page.expect_navigation():
            page.locator('a[href="/memorial"]').first.click()  # no ?lang= in this address: the cookie
        assert page.get_attribute("html", "lang") == "ru"
        page.goto(portal.url + "/sources")
        assert page.get_attribute("html", "lang") == "ru"

        with page.expect_navigation():
            page.locator('a[href*="lang=ja"]').first.click()
        assert page.get_attribute("html", "lang") == "ja"
        page.goto(portal.url + "/")
        assert page.get_attribute("html", "lang") == "ja"
        assert HIRAGANA.search(page.inner_text("body")), "the Japanese page has no Japanese text"
    finally:
        context.close()

    japanese = browser.new_context(locale="ja-JP")  # no cookie yet: the browser's Accept-Language
    try:
        first = japanese.new_page()
        first.goto(portal.url + "/")
        assert first.get_attribute("html", "lang") == "ja"
    finally:
        japanese.close()


def test_walk_a_row_of_the_memorial_list(page: Any, portal: Server, tmp_path: Path) -> None:
    page.goto(portal.url + "/memorial")
    row_link = page.locator('main a[href*="row="]').filter(has_text="ア").first
    with page.expect_navigation():
        row_link.click()
    assert "row=" in page.url
    screenshot(page, "memorial", tmp_path)

    persons = page.locator('main a[href^="/persons/"]')
    assert persons.count() > 0, "the ア row lists nobody"
    href = persons.first.get_attribute("href")
    assert href is not None
    with page.expect_navigation():
        persons.first.click()
    person = portal.get_json("/api/v1" + href.split("?")[0])
    assert person["fate"] == "died"
    kana = person["names"].get("kana") or ""
    assert kana[:1] in A_ROW, f"{kana!r} is listed in the ア row"


def test_home_page_screenshot(page: Any, portal: Server, tmp_path: Path) -> None:
    page.goto(portal.url + "/")
    assert page.locator("input[name=q]").is_visible()
    assert page.get_by_label("Name", exact=False).count() >= 1  # the box has a label
    screenshot(page, "home", tmp_path)


def test_a_correction_sent_from_the_person_page_is_kept(page: Any, portal: Server, archive: Archive) -> None:
    from kartoteka.catalog import service as catalog
    from kartoteka.store import open_store

    _, card = archive.clerks_spelling()
    person_id = person_holding(portal, archive.cyrillic_name(card), [card])
    note = f"The card {card} gives the birth year wrong <b>1926</b>, not 1927 (SIMULATED test note)"
    page.goto(f"{portal.url}/persons/{person_id}")
    page.fill("textarea[name=text]", note)
    page.fill("input[name=contact]", "family@example.org")
    with page.expect_navigation():
        page.locator('main form[action$="/corrections"] button[type=submit]').click()
    assert page.locator("main h1").count() == 1
    assert "family@example.org" not in page.content()  # the contact is never shown

    store = open_store(archive.database, create=False)
    try:
        kept = [c for c in catalog.corrections(store) if c.person_id == person_id]
    finally:
        store.close()
    assert [c.text for c in kept] == [note]
    assert kept[0].contact == "family@example.org"
