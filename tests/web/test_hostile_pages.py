"""Hostile text on every kind of page, for every role (issue 18, 6): a copy of the linked simulated store whose
every shown text field holds ``hostile.hostile(field)`` (a script element, a right-to-left override, quotes,
an event handler, Jinja-looking text; one field 10,000 characters long; ``javascript:`` in the link fields),
with the families', reviewers' and visitors' own text sent through the site's forms (a correction, a request for
a file, a reviewer's note, a failed sign-in's name, which the audit page shows).

Import refuses such names (tests/ingest), so the store's text is rewritten here, as a store restored from
elsewhere or written by another tool could hold it. Every GET address of the app is listed below (the test
fails naming any address that is not), fetched as each role, and its answer checked by ``hostile.problems``;
each page kind must show the hostile text of the fields it is about (escaped), so a page that stopped showing
them would not pass by showing nothing."""

from __future__ import annotations

import re
import shutil
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web import hostile

from kartoteka.accounts import service as accounts
from kartoteka.audit import service as audit
from kartoteka.linkage.tables import match_pairs, persons
from kartoteka.store import open_store
from kartoteka.store.schema import records

pytestmark = pytest.mark.xdist_group("web-portal")

PASSWORD = "correct horse battery staple"
ROLES = ("anonymous", "family", "researcher", "reviewer", "admin")
RANK = {role: index for index, role in enumerate(ROLES)}
@dataclass
class Site:
    url: str
    clients: dict[str, TestClient]
    ids: dict[str, Any]
    posted: dict[str, Any] = field(default_factory=dict)  # the answers of the forms sent while setting up


def _token(client: TestClient, address: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(address).text)
    assert found, address
    return found.group(1)


def _ids(url: str) -> dict[str, Any]:
    with open_store(url, create=False) as store, store.engine.connect() as conn:
        left, right = conn.execute(select(match_pairs.c.record_id_l, match_pairs.c.record_id_r)
                                   .where(match_pairs.c.in_review == 1).order_by(match_pairs.c.review_priority)
                                   ).first()  # type: ignore[misc]
        person = conn.execute(select(persons.c.id).where(persons.c.death_date.is_not(None),
                                                         persons.c.burial_site.is_not(None))
                              .order_by(persons.c.record_count.desc(), persons.c.id)).scalars().first()
        personal_file = conn.execute(select(records.c.id).where(records.c.kind == "personal_file")
                                     .order_by(records.c.id)).scalars().first()
        others = conn.execute(select(persons.c.id).where(persons.c.id != person).order_by(persons.c.id)
                              ).scalars().all()
        prefecture = conn.execute(select(persons.c.prefecture).where(persons.c.prefecture.is_not(None))).scalar()
    return {"left": left, "right": right, "person": person, "other": others[0], "personal_file": personal_file,
            "prefecture": prefecture}


def _send_forms(site: Site) -> None:
    """The families', reviewers' and visitors' own text, sent the way they send it."""
    ids, family, reviewer = site.ids, site.clients["family"], site.clients["reviewer"]
    anonymous = site.clients["anonymous"]
    site.posted["/login"] = anonymous.post("/login?lang=en", data={
        "name": hostile.hostile("login.name")[:64], "password": "wrong", "csrf_token": _token(anonymous, "/login")})
    site.posted["/persons/{person_id}/corrections"] = anonymous.post(
        f"/persons/{ids['person']}/corrections", data={
            "text": hostile.hostile("corrections.text"), "contact": hostile.hostile("corrections.contact"),
            "csrf_token": _token(anonymous, f"/persons/{ids['person']}")})
    pdf = b"%PDF-1.7\n" + b"x" * 64
    for person in (ids["person"], ids["other"]):
        sent = family.post(f"/persons/{person}/request", files={"proof": (
            hostile.hostile("requests.proof_name") + ".pdf", pdf, "application/pdf")}, data={
            "requester": hostile.hostile("requests.requester"),
            "relationship": hostile.hostile("requests.relationship"),
            "csrf_token": _token(family, f"/persons/{person}/request")}, follow_redirects=False)
        assert sent.status_code == 303, sent.text[:300]
    site.posted["/persons/{person_id}/request"] = family.post(f"/persons/{ids['person']}/request", files={
        "proof": ("x.pdf", b"not a pdf", "application/pdf")}, data={
        "requester": hostile.hostile("requests.requester"), "relationship": hostile.hostile("requests.relationship"),
        "csrf_token": _token(family, f"/persons/{ids['person']}/request")})
    listed = reviewer.get("/requests").text
    first = min(int(found) for found in re.findall(r"/requests/(\d+)/decision", listed))
    ids["request"] = first
    decided = reviewer.post(f"/requests/{first}/decision", data={
        "decision": "refuse", "reason": hostile.hostile("requests.reason"),
        "csrf_token": _token(reviewer, "/requests")}, follow_redirects=False)
    assert decided.status_code == 303, decided.text[:300]
    answered = reviewer.post("/review/decide", data={
        "left": ids["left"], "right": ids["right"], "answer": "unsure", "note": hostile.hostile("decisions.note"),
        "csrf_token": _token(reviewer, "/review")}, follow_redirects=False)
    assert answered.status_code == 303, answered.text[:300]
    site.posted["/review/decide"] = site.clients["admin"].post("/review/decide", data={
        "left": ids["left"], "right": ids["right"], "answer": "same", "note": hostile.hostile("decisions.note2"),
        "csrf_token": _token(site.clients["admin"], "/review")})  # another reviewer's answer stands: 409
    with open_store(site.url, create=False) as store:
        audit.record(store, "export", who="os:" + hostile.hostile("audit.who"), target=hostile.hostile("audit.target"),
                     client=hostile.hostile("audit.client"), detail={"file": hostile.hostile("audit.detail")})


@pytest.fixture(scope="module")
def site(portal_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from kartoteka.web import create_app

    copy = tmp_path_factory.mktemp("hostile-pages") / "hostile.sqlite"
    shutil.copy(portal_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    tokens = {}
    with open_store(url) as store:
        for role in ("admin", "family", "researcher", "reviewer"):  # a store's first account is an admin
            accounts.add_user(store, role, role, PASSWORD, by="os:test")
            tokens[role] = accounts.make_token(store, role, by="os:test")[1]
    hostile.make_store_hostile(url)
    app = create_app(url)
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        clients = {"anonymous": anonymous}
        for role, token in tokens.items():
            clients[role] = TestClient(app, raise_server_exceptions=False,
                                       headers={"Authorization": f"Bearer {token}"})
        made = Site(url=url, clients=clients, ids=_ids(url))
        _send_forms(made)
        yield made


def _q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


# Each GET address of the app: the role it needs, the addresses to fetch (filled from Site.ids), and the fields
# whose hostile text the page must show (escaped) to a role that may see it.
@dataclass(frozen=True)
class Page:
    needs: str
    addresses: tuple[str, ...]
    fields: frozenset[str] = frozenset()
    shown_to: tuple[str, ...] = ROLES  # whose page holds those fields (one's own requests: their account only)


def _fields(*tags: str) -> frozenset[str]:
    return frozenset(tags)


HOSTILE_QUERY = _q(hostile.hostile("query"))
PAGES = {
    "/": Page("anonymous", ("/",)),
    "/search": Page("anonymous", ("/search?q={surname}", f"/search?q={HOSTILE_QUERY}",
                                  f"/search?q=a&camp={HOSTILE_QUERY}&prefecture={HOSTILE_QUERY}"),
                    _fields("persons.name_kanji", "records.surname", "query")),
    "/persons/{person_id}": Page("anonymous", ("/persons/{person}",),
                                 _fields("persons.name_kanji", "persons.name_cyrillic", "persons.name_kana",
                                         "persons.death_place", "persons.burial_site", "records.surname",
                                         "records.death_place", "records.burial_site", "records.unit",
                                         "records.record_ref", "sources.name")),
    "/records/{record_id}": Page("anonymous", ("/records/{left}", "/records/{personal_file}"),
                                 _fields("records.surname", "records.record_ref", "sources.name")),
    "/memorial": Page("anonymous", ("/memorial", "/memorial?row=カ", "/memorial?prefecture={prefecture_q}",
                                    f"/memorial?row={HOSTILE_QUERY}"),
                      _fields("persons.name_kana", "persons.death_place")),
    "/sources": Page("anonymous", ("/sources",), _fields("sources.name")),
    "/map": Page("anonymous", ("/map", "/map?year=1947", f"/map?year={HOSTILE_QUERY}"),
                 _fields("camps.name_en", "camps.name_ru", "camps.number")),
    "/stats": Page("anonymous", ("/stats",), _fields("record_places.text", "persons.prefecture")),
    "/login": Page("anonymous", ("/login", f"/login?next={_q(hostile.LINK)}", f"/login?next={HOSTILE_QUERY}")),
    "/persons/{person_id}/request": Page("family", ("/persons/{other}/request",), _fields("persons.name_kanji")),
    "/account": Page("family", ("/account",), _fields("requests.reason"), shown_to=("family",)),
    "/requests": Page("reviewer", ("/requests",), _fields("requests.requester", "requests.relationship",
                                                          "requests.reason")),
    "/review": Page("reviewer", ("/review", f"/review?page={HOSTILE_QUERY}"), _fields("records.surname")),
    "/review/pairs/{left}/{right}": Page("reviewer", ("/review/pairs/{left}/{right}",),
                                         _fields("records.surname", "records.unit", "decisions.note")),
    "/review/decisions": Page("reviewer", ("/review/decisions",), _fields("decisions.note")),
    "/review/persons": Page("reviewer", ("/review/persons",), _fields("persons.name_kanji")),
    "/review/corrections": Page("reviewer", ("/review/corrections",), _fields("corrections.text")),
    "/admin/audit": Page("admin", ("/admin/audit", f"/admin/audit?who={HOSTILE_QUERY}&action={HOSTILE_QUERY}"),
                         _fields("audit.who", "audit.target", "audit.client", "audit.detail", "login.name")),
}
# GET addresses that answer something other than a page, and how each is checked
NOT_PAGES = {
    "/api/v1/search": "json", "/api/v1/persons/{person_id}": "json", "/api/v1/records/{record_id}": "json",
    "/api/v1/memorial": "json", "/api/v1/sources": "json", "/api/v1/camps": "json", "/api/v1/camps/{camp_id}": "json",
    "/api/v1/gazetteer/resolve": "json", "/api/v1/stats": "json", "/stats/charts/{name}.{fmt}": "chart",
    "/requests/{request_id}/proof": "download",
    # FastAPI's own: the OpenAPI document and its viewer hold no store data
    "/api/v1/openapi.json": "framework", "/api/v1/docs": "framework", "/docs/oauth2-redirect": "framework",
}
NOT_PAGE_ADDRESSES = {
    "/api/v1/search": ("/api/v1/search?q={surname}",), "/api/v1/persons/{person_id}": ("/api/v1/persons/{person}",),
    "/api/v1/records/{record_id}": ("/api/v1/records/{left}",), "/api/v1/memorial": ("/api/v1/memorial?row=カ",),
    "/api/v1/sources": ("/api/v1/sources",), "/api/v1/camps": ("/api/v1/camps",),
    "/api/v1/camps/{camp_id}": ("/api/v1/camps/1",), "/api/v1/gazetteer/resolve": (f"/api/v1/gazetteer/resolve?q={HOSTILE_QUERY}",),
    "/api/v1/stats": ("/api/v1/stats",), "/stats/charts/{name}.{fmt}": ("/stats/charts/by_camp.svg",
                                                                         "/stats/charts/by_camp.png"),
    "/requests/{request_id}/proof": ("/requests/{request}/proof",),
    "/api/v1/openapi.json": ("/api/v1/openapi.json",), "/api/v1/docs": ("/api/v1/docs",),
    "/docs/oauth2-redirect": ("/docs/oauth2-redirect",),
}


def get_routes(app: Any) -> set[str]:
    """The path of every GET route of the app (through FastAPI's included routers)."""
    found: set[str] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI >= 0.137 keeps an included router whole
                walk(route.original_router.routes)
            elif "GET" in (getattr(route, "methods", None) or ()):
                found.add(route.path)

    walk(app.routes)
    return found


def _fill(address: str, site: Site) -> str:
    with open_store(site.url, create=False) as store, store.engine.connect() as conn:
        surname = conn.execute(select(records.c.surname).where(records.c.id == site.ids["left"])).scalar_one()
    values = {**site.ids, "surname": _q(surname.split("<")[0]), "prefecture_q": _q(site.ids["prefecture"] or "")}
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), address)


def test_every_get_address_of_the_app_is_checked(site):
    app = site.clients["anonymous"].app
    missing = get_routes(app) - set(PAGES) - set(NOT_PAGES)
    assert not missing, f"add these GET addresses to PAGES or NOT_PAGES of {__name__}: {sorted(missing)}"
    assert not (set(PAGES) | set(NOT_PAGES)) - get_routes(app), "a listed address is no longer in the app"


TAGS = sorted({f"records.{n}" for n in hostile.RECORD_TEXT} | {f"persons.{n}" for n in hostile.PERSON_TEXT} |
              {f"camps.{n}" for n in hostile.CAMP_TEXT} | {"persons.camps", "record_places.text", "camps.number",
                                                    "sources.name",
                                                    "sources.file_name", "query", "corrections.text",
                                                    "corrections.contact", "requests.requester",
                                                    "requests.relationship", "requests.reason",
                                                    "requests.proof_name", "decisions.note", "decisions.note2",
                                                    "login.name", "audit.who", "audit.target", "audit.client",
                                                    "audit.detail"})


def _check_page(answer: Any, where: str) -> set[str]:
    assert answer.status_code < 500, (where, answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("text/html"), where
    assert "script-src 'self';" in answer.headers["content-security-policy"], where
    found = hostile.problems(answer.text)
    assert not found, (where, found)
    return hostile.shown(answer.text, TAGS)


@pytest.mark.parametrize("route", sorted(PAGES))
def test_hostile_text_is_inert_on_every_page_for_every_role(site, route):
    page = PAGES[route]
    seen: dict[str, set[str]] = {}
    for role in ROLES:
        allowed = RANK[role] >= RANK[page.needs]
        seen[role] = set()
        for address in page.addresses:
            filled = _fill(address, site)
            where = f"{role} {filled}"
            answer = site.clients[role].get(filled + ("&" if "?" in filled else "?") + "lang=en")
            if not allowed:
                assert answer.status_code in (401, 403), where
            seen[role] |= _check_page(answer, where)
            if allowed and role in page.shown_to and hostile.LONG_FIELD in page.fields:
                assert hostile.LONG in answer.text, (where, "the 10,000 characters are not shown whole")
        if allowed and role in page.shown_to:
            assert page.fields <= seen[role], (role, route, sorted(page.fields - seen[role]))


@pytest.mark.parametrize("route", ["/login", "/persons/{person_id}/corrections", "/persons/{person_id}/request",
                                   "/review/decide"])
def test_the_pages_a_form_answers_with_are_inert(site, route):
    answer = site.posted[route]
    assert answer.status_code in (200, 400, 401, 409), (route, answer.status_code)
    _check_page(answer, route)


@pytest.mark.parametrize("route", sorted(NOT_PAGES))
def test_the_other_get_answers_are_inert_for_every_role(site, route):
    kind = NOT_PAGES[route]
    for role in ROLES:
        for address in NOT_PAGE_ADDRESSES[route]:
            where = f"{role} {_fill(address, site)}"
            answer = site.clients[role].get(_fill(address, site))
            assert answer.status_code < 500, where
            assert answer.headers["x-content-type-options"] == "nosniff", where
            media = answer.headers.get("content-type", "")
            if answer.status_code >= 400:
                assert media.startswith(("application/json", "text/html")), where
                continue
            if kind == "json":
                assert media.startswith("application/json"), where
                answer.json()
            elif kind == "chart":
                assert media in ("image/svg+xml", "image/png"), where
                if media == "image/svg+xml":
                    assert not hostile.problems(answer.text), (where, hostile.problems(answer.text))
            elif kind == "download":
                assert RANK[role] >= RANK["reviewer"], where
                assert media == "application/pdf", where
                name = re.search(r'attachment; filename="([^"]*)"', answer.headers["content-disposition"])
                assert name and re.fullmatch(r"[A-Za-z0-9._-]+", name.group(1)), where
            else:
                assert media.startswith(("application/json", "text/html")), where


def test_the_api_gives_hostile_text_back_as_it_is_stored(site):
    """JSON carries the text as data (the pages' scripts set it as text: tests/browser)."""
    answer = site.clients["anonymous"].get(f"/api/v1/persons/{site.ids['person']}").json()
    assert answer["names"]["cyrillic"].endswith(hostile.hostile("persons.name_cyrillic"))
    assert answer["death_place"].endswith(hostile.hostile("persons.death_place"))


def test_the_cells_checked(site, capsys):
    """Route x role cells of the escaping test (printed for the report): every GET address, each role."""
    cells = (len(PAGES) + len(NOT_PAGES)) * len(ROLES)
    with capsys.disabled():
        print(f"\nescaping: {len(PAGES)} page kinds and {len(NOT_PAGES)} other GET addresses x {len(ROLES)} roles "
              f"= {cells} cells, and {4} pages answered to forms")
    assert cells == len(get_routes(site.clients["anonymous"].app)) * len(ROLES)
