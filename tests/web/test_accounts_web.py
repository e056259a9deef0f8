"""Accounts in the portal: /login and /logout (ja, en, ru), the session cookie's flags, CSRF on every form,
bearer tokens, the personal file withheld from the public, the audit log and its admin page, rate limits, the
lockout, and the security headers. On a copy of the linked simulated store (SIMULATED)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.ingest.test_cli import run

from kartoteka.accounts import service as accounts
from kartoteka.audit import service as audit
from kartoteka.store import open_store, records
from kartoteka.web.security import RateLimit, default_limits

PASSWORD = "correct horse battery staple"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "kartoteka" / "web" / "templates"


@pytest.fixture(scope="module")
def site(portal_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A copy of the portal's store with an admin, a reviewer and a researcher (tokens for each), and an app."""
    from kartoteka.web import create_app

    copy = tmp_path_factory.mktemp("accounts-web") / "portal.sqlite"
    shutil.copy(portal_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    with open_store(url) as store:
        accounts.add_user(store, "root", "admin", PASSWORD, by="os:test")
        accounts.add_user(store, "rev", "reviewer", PASSWORD, by="os:test")
        accounts.add_user(store, "res", "researcher", PASSWORD, by="os:test")
        tokens = {name: accounts.make_token(store, name, by="os:test")[1] for name in ("root", "rev", "res")}
        with store.engine.connect() as conn:
            personal_file = conn.execute(select(records.c.id).where(records.c.kind == "personal_file")
                                         .order_by(records.c.id).limit(1)).scalar_one()
    app = create_app(url)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield {"client": client, "app": app, "url": url, "tokens": tokens, "personal_file": personal_file}


def bearer(site: dict, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site['tokens'][name]}"}


def token_of(client: TestClient, address: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(address).text)
    assert found, address
    return found.group(1)


def fresh_client(site: dict, base_url: str = "http://testserver") -> TestClient:
    return TestClient(site["app"], base_url=base_url, raise_server_exceptions=False)


@pytest.mark.parametrize(("language", "words"), [("ja", "ログイン"), ("en", "Sign in"), ("ru", "Войти")])
def test_the_login_page_in_each_language(site, language, words):
    page = fresh_client(site).get(f"/login?lang={language}")
    assert page.status_code == 200 and words in page.text and 'autocomplete="current-password"' in page.text


def test_sign_in_sets_a_secure_httponly_samesite_session_and_sign_out_ends_it(site):
    client = fresh_client(site, "https://testserver")
    token = token_of(client, "/login")
    answer = client.post("/login", data={"name": "rev", "password": PASSWORD, "csrf_token": token, "next": "/sources"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sources"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("kt_session="))
    assert all(flag in cookie.lower() for flag in ("httponly", "secure", "samesite=lax"))
    home = client.get("/")
    assert "rev (reviewer)" in home.text
    assert "Strict-Transport-Security" in home.headers
    session_token = token_of(client, "/")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": session_token}, follow_redirects=False).status_code == 303
    assert "rev (reviewer)" not in client.get("/").text
    with open_store(site["url"], create=False) as store:
        assert {"login", "logout"} <= {e.action for e in audit.entries(store, who="rev")}


def test_over_http_the_cookie_is_not_secure_and_no_hsts(site):
    client = fresh_client(site)
    answer = client.post("/login", data={"name": "res", "password": PASSWORD, "csrf_token": token_of(client, "/login")},
                         follow_redirects=False)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("kt_session="))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_a_form_without_its_csrf_token_is_refused(site):
    client = fresh_client(site)
    token_of(client, "/login")  # the visitor's cookie is set; the post below does not carry the token
    refused = client.post("/login", data={"name": "rev", "password": PASSWORD})
    assert refused.status_code == 403 and "kt_session" not in refused.cookies


def test_wrong_passwords_then_the_lockout(site):
    client = fresh_client(site)
    with open_store(site["url"], create=False) as store:
        accounts.add_user(store, "locky", "family", PASSWORD, by="os:test")
    for _ in range(5):
        wrong = client.post("/login?lang=en", data={"name": "locky", "password": "wrong password here",
                                                    "csrf_token": token_of(client, "/login")})
        assert wrong.status_code == 401 and "The name or the password is wrong" in wrong.text
    locked = client.post("/login?lang=en", data={"name": "locky", "password": PASSWORD,
                                                 "csrf_token": token_of(client, "/login")})
    assert locked.status_code == 403 and "locked" in locked.text


def test_sign_in_and_search_are_rate_limited_per_client(site):
    app, client = site["app"], fresh_client(site)
    app.state.rate_limits = {"search": RateLimit(2, 60), "login": RateLimit(2, 60)}
    try:
        token = token_of(client, "/login")
        answers = [client.post("/login", data={"name": "x", "password": "y" * 12, "csrf_token": token})
                   for _ in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1
        searches = [client.get("/api/v1/search", params={"q": "Ямада"}) for _ in range(3)]
        assert searches[-1].status_code == 429 and searches[-1].json()["error"]["code"] == "web.rate_limited"
        assert client.get("/search", params={"q": "Ямада"}).status_code == 429
    finally:
        app.state.rate_limits = default_limits()
    window = RateLimit(1, 10)
    assert window.wait("a", now=0) == 0 and window.wait("a", now=1) > 0 and window.wait("b", now=1) == 0
    assert window.wait("a", now=10.5) == 0


def test_a_personal_file_is_withheld_from_the_public_and_shown_to_a_reviewer(site):
    client, record_id = site["client"], site["personal_file"]
    refused = client.get(f"/api/v1/records/{record_id}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "auth.forbidden" and set(refused.json()) == {"error"}
    assert client.get(f"/records/{record_id}").status_code == 403
    researcher = client.get(f"/api/v1/records/{record_id}", headers=bearer(site, "res")).json()
    reviewer = client.get(f"/api/v1/records/{record_id}", headers=bearer(site, "rev")).json()
    assert researcher["access"] in ("public", "list") and reviewer["access"] in ("full", "public")
    assert set(researcher["fields"]) <= set(reviewer["fields"])
    person = client.get(f"/api/v1/persons/{reviewer['person_id']}").json()
    listed = {r["id"]: r for r in person["records"]}
    assert listed[record_id]["kind"] == "personal_file" and listed[record_id]["fields"] == {}
    assert listed[record_id]["access"] == "withheld"


def test_a_bad_token_answers_401_in_the_error_shape(site):
    answer = site["client"].get("/api/v1/sources", headers={"Authorization": "Bearer kt_not-a-token"})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "auth.token"


def test_restricted_views_are_audited_and_the_admin_page_shows_them(site):
    client = site["client"]
    with open_store(site["url"], create=False) as store:
        before = len(audit.entries(store, action="view"))
        client.get(f"/api/v1/persons/{_person_of(client, site)}")  # anonymous: nothing restricted, nothing logged
        assert len(audit.entries(store, action="view")) == before
        shown = client.get(f"/api/v1/records/{site['personal_file']}", headers=bearer(site, "rev")).json()
        views = audit.entries(store, action="view")
    if shown["access"] == "full":
        assert len(views) == before + 1 and views[0].who == "rev" and views[0].client == "testclient"
        assert views[0].target == f"record {site['personal_file']}"
    anonymous = client.get("/admin/audit")
    assert anonymous.status_code == 401, (anonymous.text[:2000], client.cookies)
    assert client.get("/admin/audit", headers=bearer(site, "res")).status_code == 403
    page = client.get("/admin/audit?who=rev&lang=en", headers=bearer(site, "root"))
    assert page.status_code == 200 and "Audit log" in page.text and "rev" in page.text


def _person_of(client: TestClient, site: dict) -> int:
    return int(client.get(f"/api/v1/records/{site['personal_file']}", headers=bearer(site, "res")).json()["person_id"])


def test_security_headers_on_pages_and_the_api(site):
    for address in ("/", "/api/v1/sources", "/login", "/no-such-page"):
        headers = site["client"].get(address).headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_script_or_style():
    """The CSP forbids inline script and style: a template that had them would break under it."""
    for template in TEMPLATES.glob("*.html"):
        html = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)  # Jinja comments
        assert "<script" not in html and "<style" not in html, template.name
        assert not re.search(r"\sstyle\s*=", html), template.name
        assert not re.search(r"\son[a-z]+\s*=", html), template.name
        assert "javascript:" not in html, template.name


def test_the_cli_makes_the_first_admin_and_shows_the_audit_log(capsys, monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert run(capsys, "-d", url, "init")[0] == 0
    monkeypatch.setenv("KARTOTEKA_PASSWORD", PASSWORD)
    code, _, err = run(capsys, "-d", url, "user", "add", "ana", "--role", "family")
    assert code != 0 and "accounts.first_admin" in err
    assert run(capsys, "-d", url, "user", "add", "root", "--role", "admin")[0] == 0
    assert run(capsys, "-d", url, "user", "add", "ana")[0] == 0
    code, printed, _ = run(capsys, "-d", url, "user", "token", "ana")
    assert code == 0 and printed.strip().startswith("kt_")
    assert run(capsys, "-d", url, "user", "grant", "ana", "--person", "7")[0] == 0
    assert run(capsys, "-d", url, "user", "revoke", "ana")[0] == 0
    code, printed, _ = run(capsys, "-d", url, "user", "list")
    assert code == 0 and "revoked" in printed
    code, printed, _ = run(capsys, "-d", url, "audit", "--json", "--since", "1h")
    import json

    actions = [e["action"] for e in json.loads(printed)["entries"]]
    assert actions == ["revoke", "grant", "token", "user_add", "user_add"]
    assert all(e["who"].startswith("os:") and e["client"] == "cli" for e in json.loads(printed)["entries"])
    code, printed, _ = run(capsys, "-d", url, "audit", "--user", "nobody")
    assert code == 0 and "no entries" in printed
    cards = tmp_path / "cards.csv"
    cards.write_text("surname,given_name,birth_year\nКавасаки,Тиро,1920\n", encoding="utf-8")
    assert run(capsys, "-d", url, "import", "card", str(cards))[0] == 0
    assert run(capsys, "-d", url, "export", "card", str(tmp_path / "out.csv"))[0] == 0
    code, printed, _ = run(capsys, "-d", url, "audit", "--json", "--limit", "2")
    latest = json.loads(printed)["entries"]
    assert [(e["action"], e["target"]) for e in latest] == [("export", str(tmp_path / "out.csv")),
                                                            ("import", str(cards))]


def test_sign_in_a_token_and_the_audit_log_on_each_backend(imported_url, capsys):
    """The same journey on SQLite and PostgreSQL: the first admin, a sign-in, a bad password, a token, the log."""
    from kartoteka.web import create_app

    with open_store(imported_url, create=False) as store:
        if not accounts.users_list(store):
            accounts.add_user(store, "root", "admin", PASSWORD, by="os:test")
        _, token = accounts.make_token(store, "root", role="reviewer", by="os:test")
    with TestClient(create_app(imported_url), raise_server_exceptions=False) as client:
        csrf = token_of(client, "/login")
        wrong = client.post("/login", data={"name": "root", "password": "x" * 12, "csrf_token": csrf})
        assert wrong.status_code == 401
        signed = client.post("/login", data={"name": "root", "password": PASSWORD, "csrf_token": csrf,
                                             "next": "//elsewhere.example/"}, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/"  # never off this site
        assert client.get("/admin/audit").status_code == 200
        record = client.get("/api/v1/records/1", headers={"Authorization": f"Bearer {token}"})
        assert record.status_code == 200 and record.json()["kind"] == "card"
    with open_store(imported_url, create=False) as store:
        actions = [e.action for e in audit.entries(store, who="root", since=audit.parse_since("1h"))]
        tokens = audit.entries(store, who="os:test", action="token")
    assert actions[:2] == ["login", "login_failed"] and tokens[0].target == "user root"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_family_request_granted_opens_that_persons_file_and_no_other(site):
    client = fresh_client(site)
    with open_store(site["url"], create=False) as store:
        accounts.add_user(store, "fam", "family", PASSWORD, by="os:test")
        family = {"Authorization": f"Bearer {accounts.make_token(store, 'fam', by='os:test')[1]}"}
        with store.engine.connect() as conn:
            files = conn.execute(select(records.c.id).where(records.c.kind == "personal_file")
                                 .order_by(records.c.id)).scalars().all()
    person_id = _person_of(client, site)
    form = client.get(f"/persons/{person_id}/request?lang=en", headers=family)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {"requester": "Test Hanako (SIMULATED)", "relationship": "daughter", "csrf_token": token}
    refused = client.post(f"/persons/{person_id}/request?lang=en", headers=family, data=fields,
                          files={"proof": ("proof.png", b"MZ not an image", "image/png")})
    assert refused.status_code == 400 and "PDF, JPEG or PNG" in refused.text
    sent = client.post(f"/persons/{person_id}/request", headers=family, data=fields,
                       files={"proof": ("koseki.png", PNG, "image/png")}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/account"
    assert "waiting for a reviewer" in client.get("/account?lang=en", headers=family).text
    assert client.get("/requests", headers=family).status_code == 403

    reviewer = bearer(site, "rev")
    listed = client.get("/requests?lang=en", headers=reviewer)
    request_id = int(re.search(r"/requests/(\d+)/decision", listed.text).group(1))  # type: ignore[union-attr]
    proof = client.get(f"/requests/{request_id}/proof", headers=reviewer)
    assert proof.content == PNG and proof.headers["content-type"] == "image/png"
    token = re.search(r'name="csrf_token" value="([^"]+)"', listed.text).group(1)  # type: ignore[union-attr]
    decided = client.post(f"/requests/{request_id}/decision", headers=reviewer, follow_redirects=False,
                          data={"decision": "grant", "reason": "family register matches", "csrf_token": token})
    assert decided.status_code == 303
    again = client.post(f"/requests/{request_id}/decision", headers=reviewer,
                        data={"decision": "refuse", "reason": "second thoughts", "csrf_token": token})
    assert again.status_code == 400  # a decided request stays as it was

    assert "granted" in client.get("/account?lang=en", headers=family).text
    mine = client.get(f"/api/v1/records/{site['personal_file']}", headers=family).json()
    assert mine["access"] == "full" and mine["person_id"] == person_id
    others = [client.get(f"/api/v1/records/{rid}", headers=family).json() for rid in files[1:4]]
    assert all(o["access"] in ("public", "list") for o in others if o["person_id"] != person_id)
    with open_store(site["url"], create=False) as store:
        assert audit.entries(store, who="fam", action="request")[0].target == f"person {person_id}"
        grant = audit.entries(store, who="rev", action="grant")[0]
        assert grant.outcome == "granted" and grant.detail["user"] == "fam"
        assert audit.entries(store, who="fam", action="view")[0].target == f"record {site['personal_file']}"
