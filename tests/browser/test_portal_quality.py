"""Every kind of page in a real browser: accessible (axe-core finds no serious or critical violation), marked
SIMULATED, usable without JavaScript; hostile strings in the store shown as text; bad queries answered with a
message in the page's language."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import HOSTILE_IMG, HOSTILE_KANA, HOSTILE_LONG, HOSTILE_RLO, HOSTILE_SCRIPT, Archive, Server
from .pages import CYRILLIC, HIRAGANA, main_text, person_holding, search_from_the_box

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BLOCKING_IMPACTS = ("serious", "critical")
REVIEWER, PASSWORD = "rita", "SIMULATED reviewer's passphrase"


@pytest.fixture(scope="module")
def reviewer(archive: Archive) -> str:
    """A reviewer account in the archive's store (after its first account, an admin), as `kartoteka user add`
    makes them."""
    from kartoteka.accounts import service as accounts
    from kartoteka.store import open_store

    with open_store(archive.database, create=False) as store:
        if not accounts.users_list(store):
            accounts.add_user(store, "root", "admin", PASSWORD, by="os:test")
        accounts.add_user(store, REVIEWER, "reviewer", PASSWORD, by="os:test")
    return REVIEWER


def sign_in(page: Any, server: Server, name: str, password: str) -> None:
    """Sign in through the /login form, as a person does (the session cookie stays in the page's context)."""
    page.goto(f"{server.url}/login?next=/review")
    page.fill("#name", name)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form.login button[type=submit]")
    assert page.url.endswith("/review"), page.url


def axe_blocking(page: Any, axe: Axe, url: str, label: str) -> list[str]:
    """Open url and run axe-core: every violation printed, the serious and critical ones returned."""
    page.goto(url)
    blocking = []
    for violation in axe.run(page).response["violations"]:
        line = (f"{label}: {violation['id']} ({violation['impact']}), "
                f"{len(violation['nodes'])} element(s): {violation['help']}")
        print(line)  # every violation is reported; only serious and critical ones fail the test
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:3])
            blocking.append(f"{line} at {targets}")
    return blocking


def page_kinds(portal: Server, archive: Archive) -> dict[str, str]:
    """One address of each kind of page (and of the error pages), of persons picked from the truth."""
    person, card = archive.clerks_spelling()
    person_id = person_holding(portal, archive.cyrillic_name(card), [card])
    record_id = next(r["id"] for r in portal.get_json(f"/api/v1/persons/{person_id}")["records"]
                     if r["access"] != "withheld")  # a personal file answers 403 to the public
    prefecture = next(row["prefecture"] for row in archive.persons.values()
                      if row["fate"] == "died" and row["prefecture"])
    return {
        "home": "/",
        "results": "/search?" + urllib.parse.urlencode({"q": archive.cyrillic_name(card)}),
        "results, filtered": "/search?" + urllib.parse.urlencode(
            {"q": archive.persons[person]["kanji_surname"], "birth_year": archive.persons[person]["birth_date"][:4]}),
        "person": f"/persons/{person_id}",
        "record": f"/records/{record_id}",
        "memorial": "/memorial",
        "memorial row": "/memorial?" + urllib.parse.urlencode({"row": "カ"}),
        "memorial prefecture": "/memorial?" + urllib.parse.urlencode({"prefecture": prefecture}),
        "sources": "/sources",
        "statistics": "/stats",
        "sign in": "/login",
        "map": "/map",
        "bad query": "/search?q=",
        "no such person": "/persons/99999999",
    }


def test_no_page_has_a_serious_or_critical_accessibility_violation(page: Any, portal: Server,
                                                                    archive: Archive) -> None:
    axe = Axe()
    blocking: list[str] = []
    kinds = page_kinds(portal, archive)
    # Every kind in English; in Japanese the pages whose text and lang attributes change the most.
    japanese = ("home", "results", "person", "memorial row", "statistics")
    scans = [("en", kind) for kind in kinds] + [("ja", kind) for kind in japanese]
    for language, kind in scans:
        address = kinds[kind]
        blocking += axe_blocking(page, axe, f"{portal.url}{address}{'&' if '?' in address else '?'}lang={language}",
                                 f"[{language}] {kind} ({address})")
    assert not blocking, "axe-core found:\n" + "\n".join(blocking)


def test_the_review_pages_have_no_serious_or_critical_accessibility_violation(page: Any, portal: Server,
                                                                             reviewer: str) -> None:
    """The reviewers' pages, signed in through /login in the browser: the queue, a pair with its answer form, the
    decisions, the persons to check (split and merge forms) and the families' corrections."""
    sign_in(page, portal, reviewer, PASSWORD)
    pair = page.locator('main a[href^="/review/pairs/"]').first.get_attribute("href")
    assert pair, "the queue lists no pair"
    kinds = {"review queue": "/review", "review pair": pair, "reviewed decisions": "/review/decisions",
             "persons to check": "/review/persons", "corrections": "/review/corrections"}
    scans = [("en", kind) for kind in kinds] + [("ja", "review queue"), ("ja", "review pair")]
    axe = Axe()
    blocking: list[str] = []
    for language, kind in scans:
        blocking += axe_blocking(page, axe, f"{portal.url}{kinds[kind]}?lang={language}",
                                 f"[{language}] {kind} ({kinds[kind]})")
        assert f"Reviewing as {reviewer}" in page.inner_text("body") or language != "en", kind
        assert page.locator("h1").count() == 1 and "SIMULATED" in page.inner_text("body"), kind
    assert not blocking, "axe-core found:\n" + "\n".join(blocking)


def test_every_page_says_simulated_and_works_without_javascript(page_without_js: Any, portal: Server,
                                                                archive: Archive) -> None:
    page = page_without_js
    for kind, address in page_kinds(portal, archive).items():
        response = page.goto(portal.url + address)
        assert response is not None and response.status < 500, f"{kind}: {response and response.status}"
        assert page.locator("h1").count() == 1, f"{kind}: a page has one h1"
        assert "SIMULATED" in page.inner_text("body"), f"{kind} ({address}) has no SIMULATED banner"
    for language in ("ja", "ru"):
        page.goto(f"{portal.url}/?lang={language}")
        assert "SIMULATED" in page.inner_text("body"), f"the {language} home page has no SIMULATED banner"

    # The journey itself, without a line of script: the form submits, the links lead.
    person = archive.cyrillic_only()[0]
    truth = archive.persons[person]
    query = f"{truth['kanji_surname']}{truth['kanji_given']}"  # no space: one of the forms a family types
    search_from_the_box(page, portal, query)
    person_id = person_holding(portal, query, archive.refs_of[person])
    with page.expect_navigation():
        page.locator(f'main a[href="/persons/{person_id}"]').first.click()
    assert any(ref in main_text(page) for ref in archive.refs_of[person])


def hostile_record_ids(server: Server) -> dict[str, int]:
    """record_ref -> id of the hostile store's records (a fresh store numbers them from 1)."""
    ids: dict[str, int] = {}
    for record_id in range(1, 5):
        ids[server.get_json(f"/api/v1/records/{record_id}")["citation"]["record_ref"]] = record_id
    return ids


def test_hostile_strings_are_shown_as_text(page: Any, hostile_portal: Server) -> None:
    ids = hostile_record_ids(hostile_portal)
    expected = {"H-1": [HOSTILE_SCRIPT, HOSTILE_IMG], "H-2": [HOSTILE_RLO], "H-3": [HOSTILE_LONG],
                "HD-1": [HOSTILE_SCRIPT, HOSTILE_KANA]}
    for ref, strings in expected.items():
        response = page.goto(f"{hostile_portal.url}/records/{ids[ref]}")
        assert response is not None and response.status == 200
        text = page.inner_text("main")
        for hostile in strings:
            assert hostile in text, f"{ref}: {hostile[:40]!r} is not shown literally"
        assert page.locator("main script, main img[src=x]").count() == 0, f"{ref}: markup from the store ran"

    for query in ("Хосино", "Танака", "アオキ"):  # results and the memorial list carry the same fields
        page.goto(f"{hostile_portal.url}/search?" + urllib.parse.urlencode({"q": query}))
        assert page.locator("main script, main img[src=x]").count() == 0
    typed = f"Хосино{HOSTILE_SCRIPT}"  # a hostile query is echoed as text, not run
    page.goto(f"{hostile_portal.url}/search?" + urllib.parse.urlencode({"q": typed}))
    assert page.locator("main script").count() == 0
    page.goto(f"{hostile_portal.url}/memorial?row=ア")
    assert page.locator("main script, main img[src=x]").count() == 0
    assert page.dialogs == [], f"a script from the store ran: {page.dialogs}"


BAD_QUERIES = {
    "empty": {"q": ""},
    "10,000 characters": {"q": "a" * 10_000},
    "punctuation only": {"q": "!!! ??? ..."},
    "birth_year=abc": {"q": "山田", "birth_year": "abc"},
    "unknown prefecture": {"q": "山田", "prefecture": "Atlantis"},
}


@pytest.mark.parametrize("language", ["ja", "en", "ru"])
def test_a_bad_query_gets_a_message_in_the_pages_language(page: Any, portal: Server, language: str) -> None:
    for what, params in BAD_QUERIES.items():
        response = page.goto(f"{portal.url}/search?" + urllib.parse.urlencode({**params, "lang": language}))
        assert response is not None and 400 <= response.status < 500, f"{what}: {response and response.status}"
        alert = page.locator("[role=alert]")
        assert alert.count() >= 1, f"{what}: no message"
        message = " ".join(alert.first.inner_text().split())
        print(f"[{language}] {what}: {message[:160]}")
        assert message, f"{what}: an empty message"
        if language == "ja":
            assert HIRAGANA.search(message), f"{what}: not in Japanese: {message[:200]!r}"
        elif language == "ru":
            assert CYRILLIC.search(message), f"{what}: not in Russian: {message[:200]!r}"
        else:
            assert not HIRAGANA.search(message) and not CYRILLIC.search(message), f"{what}: {message[:200]!r}"
        assert page.locator("input[name=q]").count() == 1, f"{what}: the search box is offered again"
