"""The review in the browser (issue 18, 4) on a copy of the session's linked simulated store (SIMULATED).

Real accounts (kartoteka.accounts, as `kartoteka user add` makes them) sign in at /login and carry their session
cookie: two reviewers, a family member and a researcher. Each action is a plain form POST (no JavaScript) with the
session's CSRF token, answered with a redirect, and written to the audit log.
"""

from __future__ import annotations

import json
import math
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
from kartoteka.linkage import review
from kartoteka.linkage.tables import link_runs
from kartoteka.store import open_store
from kartoteka.web import create_app

PASSWORD = "correct horse battery staple"
ROLES = {"aiko": "reviewer", "boris": "reviewer", "fumi": "family", "ren": "researcher"}
PAIR = re.compile(r'href="/review/pairs/(\d+)/(\d+)"')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(client: TestClient, address: str) -> str:
    found = TOKEN.search(client.get(address).text)
    assert found, address
    return found.group(1)


@pytest.fixture(scope="module")
def site(portal_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A copy of the linked store (the decisions made here stay out of the shared store) with an account for each
    of ROLES, and a client signed in (through /login, a real session cookie) for each."""
    copy = tmp_path_factory.mktemp("review") / "review.sqlite"
    shutil.copy(portal_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    with open_store(url) as store:
        for name, role in {"root": "admin", **ROLES}.items():  # a store's first account is an admin
            accounts.add_user(store, name, role, PASSWORD, by="os:test")
    app = create_app(url)
    with TestClient(app, raise_server_exceptions=False) as anonymous:
        clients = {"anonymous": anonymous}
        for name in ROLES:
            client = TestClient(app, raise_server_exceptions=False)
            signed = client.post("/login", data={"name": name, "password": PASSWORD,
                                                 "csrf_token": token_of(client, "/login")}, follow_redirects=False)
            assert signed.status_code == 303 and "kt_session" in client.cookies, name
            clients[name] = client
        yield {"url": url, **clients}


def decisions_in(url: str) -> list[dict]:
    with open_store(url, create=False) as store:
        return review.list_decisions(store)


def audited(url: str, who: str) -> list[audit.AuditEntry]:
    with open_store(url, create=False) as store:
        return audit.entries(store, who=who)


def test_every_review_address_refuses_anyone_below_reviewer(site):
    aiko = site["aiko"]
    (a, b), = PAIR.findall(aiko.get("/review").text)[:1]
    person = re.search(r'name="person" value="(\d+)"', aiko.get("/review/persons").text)
    assert person is not None
    reads = ["/review", "/review/decisions", "/review/persons", "/review/corrections", f"/review/pairs/{a}/{b}"]
    writes = {"/review/decide": {"left": a, "right": b, "answer": "same"}, "/review/undo": {},
              "/review/persons/split": {"person": person.group(1), "record": [a]},
              "/review/persons/merge": {"person": person.group(1), "other": "1"}}
    before = len(decisions_in(site["url"]))
    for who, status in (("anonymous", 401), ("fumi", 403), ("ren", 403)):
        client = site[who]
        token = token_of(client, "/login")  # a valid token of their own: the refusal is the role's, not the form's
        for address in reads:
            answer = client.get(address)
            assert answer.status_code == status, (who, address)
            assert "Reviewing as" not in answer.text
        for address, data in writes.items():
            answer = client.post(address, data={**data, "csrf_token": token}, follow_redirects=False)
            assert answer.status_code == status, (who, address)
    assert len(decisions_in(site["url"])) == before
    for address in reads:
        answer = aiko.get(address)
        assert answer.status_code == 200 and "Reviewing as aiko" in answer.text, address


def test_a_review_post_without_its_csrf_token_is_refused_and_nothing_is_recorded(site):
    aiko = site["aiko"]
    (a, b), = PAIR.findall(aiko.get("/review").text)[:1]
    person = re.search(r'name="person" value="(\d+)"', aiko.get("/review/persons").text)
    assert person is not None
    page = aiko.get(f"/review/pairs/{a}/{b}").text + aiko.get("/review/persons").text
    assert page.count('<form method="post"') == len(TOKEN.findall(page))  # each form (and Sign out)
    before, logged = len(decisions_in(site["url"])), len(audited(site["url"], "aiko"))
    forms = {"/review/decide": {"left": a, "right": b, "answer": "same"}, "/review/undo": {},
             "/review/persons/split": {"person": person.group(1), "record": [a]},
             "/review/persons/merge": {"person": person.group(1), "other": "1"}}
    for address, data in forms.items():
        for token in (None, "forged", token_of(site["boris"], "/")):  # none, made up, another session's
            sent = data if token is None else {**data, "csrf_token": token}
            refused = aiko.post(f"{address}?lang=en", data=sent, follow_redirects=False)
            assert refused.status_code == 403 and "The form has expired" in refused.text, (address, token)
    assert len(decisions_in(site["url"])) == before and len(audited(site["url"], "aiko")) == logged


def test_the_queue_a_pair_and_the_terms_adding_up(site):
    client = site["aiko"]
    queue = client.get("/review")
    assert queue.status_code == 200 and "SIMULATED" in queue.text and "Reviewing as aiko" in queue.text
    pairs = PAIR.findall(queue.text)
    assert len(pairs) >= 3
    with open_store(site["url"], create=False) as store:
        items = review.review_queue(store, 5)
        with store.engine.connect() as conn:
            model_path = conn.execute(select(link_runs.c.model_path).order_by(link_runs.c.id.desc())).scalar()
    prior_share = json.loads(Path(model_path).read_text())["probability_two_random_records_match"]
    assert [(str(i.record_id_l), str(i.record_id_r)) for i in items] == pairs[:5]  # by priority
    for item in items:  # Splink's sum: the prior, each comparison, each term-frequency adjustment
        assert item.terms[0][0] == "prior"
        assert math.isclose(item.terms[0][1], math.log2(prior_share / (1 - prior_share)), abs_tol=1e-3)
        assert math.isclose(sum(value for _, value in item.terms), item.match_weight, abs_tol=0.02)
    page = client.get(f"/review/pairs/{pairs[0][0]}/{pairs[0][1]}")
    assert page.status_code == 200
    assert "prior (log2 odds that two records are one person)" in page.text
    assert f"{items[0].match_weight:+.2f}" in page.text and '<script src="/static/review.js" defer>' in page.text
    for answer in ("same", "not_same", "unsure", "skip"):
        assert f'name="answer" value="{answer}"' in page.text
    assert 'name="reviewer"' not in page.text  # the reviewer is who signed in, not a field
    assert "<script>" not in page.text.replace('<script src="/static/review.js" defer></script>', "")
    assert client.get("/static/review.js").status_code == 200
    japanese = client.get(f"/review/pairs/{pairs[0][0]}/{pairs[0][1]}?lang=ja")
    assert "事前" in japanese.text


def test_opening_a_pair_or_the_persons_to_check_is_an_audited_view(site):
    """A pair shows both records whole (personal files, the possibly living): a restricted view, audited like a
    person's or a record's page; a refused visitor saw nothing and leaves no view."""
    (a, b), = PAIR.findall(site["aiko"].get("/review").text)[:1]
    seen = [e for e in audited(site["url"], "aiko") if e.action == "view"]
    assert site["aiko"].get(f"/review/pairs/{b}/{a}").status_code == 200  # either order: one target
    assert site["fumi"].get(f"/review/pairs/{a}/{b}").status_code == 403
    views = [e for e in audited(site["url"], "aiko") if e.action == "view"]
    assert len(views) == len(seen) + 1
    low, high = sorted((int(a), int(b)))
    assert views[0].target == f"records {low} {high}" and views[0].detail["records"] == [low, high]
    assert views[0].client and views[0].detail["path"] == f"/review/pairs/{b}/{a}"
    assert not [e for e in audited(site["url"], "fumi") if e.action == "view"]
    listed = site["aiko"].get("/review/persons")
    shown = sorted(int(r) for r in re.findall(r'name="record" value="(\d+)"', listed.text))
    latest = audited(site["url"], "aiko")[0]
    assert (latest.action, latest.target) == ("view", "review persons page 1") and shown
    assert sorted(latest.detail["records"]) == shown


def test_the_queue_says_what_the_latest_run_learned_from_the_reviewers(site):
    from sqlalchemy import update

    with open_store(site["url"], create=False) as store, store.engine.begin() as conn:
        run_id, saved = conn.execute(select(link_runs.c.id, link_runs.c.summary_json)
                                     .order_by(link_runs.c.id.desc()).limit(1)).one()
        taught = {**json.loads(saved or "{}"), "training": {"labels": {"used": True, "same_pairs": 173}}}
        conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(summary_json=json.dumps(taught)))
    try:
        assert "The latest linkage run learned from 173 pairs reviewers called the same." in \
            site["aiko"].get("/review?lang=en").text
        assert "173 組から学びました" in site["aiko"].get("/review?lang=ja").text
    finally:
        with open_store(site["url"], create=False) as store, store.engine.begin() as conn:
            conn.execute(update(link_runs).where(link_runs.c.id == run_id).values(summary_json=saved))
    assert "learned from" not in site["aiko"].get("/review?lang=en").text


def test_answers_two_reviewers_undo_and_the_audit_log(site, capsys):
    aiko, boris = site["aiko"], site["boris"]
    pairs = PAIR.findall(aiko.get("/review").text)
    (a, b), (c, d) = pairs[0], pairs[1]
    token = token_of(aiko, "/review")
    answered = aiko.post("/review/decide", data={"left": a, "right": b, "answer": "same", "note": "同じ村",
                                                 "reviewer": "mallory", "csrf_token": token}, follow_redirects=False)
    assert answered.status_code == 303 and answered.headers["location"].startswith("/review/pairs/")
    assert (a, b) not in PAIR.findall(aiko.get("/review").text)
    aiko.post("/review/decide", data={"left": c, "right": d, "answer": "unsure", "csrf_token": token},
              follow_redirects=False)
    mine = {(str(x["record_id_l"]), str(x["record_id_r"])): x for x in decisions_in(site["url"])}
    assert mine[(a, b)]["reviewer"] == "aiko" and mine[(a, b)]["note"] == "同じ村"  # not the form's "mallory"

    theirs = token_of(boris, "/review")
    expected = {"en": "aiko has already answered “Same person” for these records",
                "ja": "aiko さんがこの記録の組にすでに「同一人物」と回答しています",
                "ru": "aiko уже ответил(а) «Тот же человек» по этим записям"}
    for language, words in expected.items():  # shown in the reader's language, nothing overwritten
        refused = boris.post(f"/review/decide?lang={language}",
                             data={"left": a, "right": b, "answer": "not_same", "csrf_token": theirs})
        assert refused.status_code == 409 and words in refused.text, language
        assert 'role="alert"' in refused.text and 'name="csrf_token"' in refused.text  # the form, to try again
    assert [x["decision"] for x in decisions_in(site["url"]) if (str(x["record_id_l"]), str(x["record_id_r"]))
            == (a, b) and x["active"]] == ["same"]
    assert (c, d) in PAIR.findall(boris.get("/review").text)  # aiko unsure: still in the others' queue
    reviewed = aiko.get("/review/decisions")
    assert reviewed.status_code == 200 and "同じ村" in reviewed.text and "aiko" in reviewed.text
    undone = aiko.post("/review/undo", data={"csrf_token": token}, follow_redirects=False)
    assert undone.headers["location"] == f"/review/pairs/{c}/{d}"
    undone = aiko.post("/review/undo", data={"csrf_token": token}, follow_redirects=False)
    assert undone.headers["location"] == f"/review/pairs/{a}/{b}"
    assert aiko.post("/review/decide", data={"left": a, "right": b, "answer": "maybe",
                                             "csrf_token": token}).status_code == 400
    assert aiko.post("/review/decide", data={"left": a, "right": b, "answer": "same", "csrf_token": token},
                     headers={"origin": "https://elsewhere.example"}).status_code in (400, 403)

    # The audit log, read back as `kartoteka audit --user aiko --json` prints it: two answers, two undos.
    code, out, _ = run(capsys, "--database", site["url"], "audit", "--user", "aiko", "--action", "decision", "--json")
    assert code == 0
    entries = list(reversed(json.loads(out)["entries"]))
    assert [(e["target"], e["detail"].get("verdict"), bool(e["detail"].get("undone"))) for e in entries] == [
        (f"records {a} {b}", "same", False), (f"records {c} {d}", "unsure", False),
        (entries[2]["target"], None, True), (entries[3]["target"], None, True)]
    assert {(e["who"], e["client"], e["user_id"] is not None) for e in entries} == {("aiko", "testclient", True)}
    refused = [e for e in audited(site["url"], "boris") if e.action == "decision"]  # boris's three tries
    assert [(e.outcome, e.target, e.detail["conflict"]) for e in refused] == [
        ("refused", f"records {a} {b}", mine[(a, b)]["id"])] * 3


def test_persons_to_check_split_merge_audited_and_the_families_corrections(site, capsys):
    client = site["aiko"]
    token = token_of(client, "/review")
    persons = client.get("/review/persons")
    assert persons.status_code == 200
    people = re.findall(r'name="person" value="(\d+)"', persons.text)
    assert len(people) >= 5
    records = re.findall(r'name="record" value="(\d+)"', persons.text.split(f'value="{people[0]}"', 1)[1])
    split = client.post("/review/persons/split", data={"person": people[0], "record": records[:1],
                                                        "csrf_token": token}, follow_redirects=False)
    assert split.status_code == 303
    merged = client.post("/review/persons/merge", data={"person": people[1], "other": people[2],
                                                         "csrf_token": token}, follow_redirects=False)
    assert merged.status_code == 303
    assert client.get("/review/decisions?lang=en").text.count("Not the same") >= 1
    by_action = {e.action: e for e in audited(site["url"], "aiko") if e.action in ("split", "merge")}
    assert by_action["split"].target == f"person {people[0]}" and by_action["split"].detail["records"] == [
        int(records[0])]
    assert by_action["merge"].target == f"persons {people[1]} {people[2]}" and by_action["merge"].detail["decisions"]
    assert {e.client for e in by_action.values()} == {"testclient"}
    code, _, _ = run(capsys, "--database", site["url"], "review", "--merge", people[3], people[4])
    assert code == 0  # the command line's merge is a "merge" entry too, from "cli"
    with open_store(site["url"], create=False) as store:
        (by_cli,) = audit.entries(store, action="merge", limit=1)
    assert (by_cli.target, by_cli.client) == (f"persons {people[3]} {people[4]}", audit.CLI_CLIENT)
    assert client.post(f"/persons/{people[0]}/corrections",
                       data={"text": "祖父の生年は1921年です", "contact": "family@example.org",
                             "csrf_token": token}).status_code == 200
    corrections = client.get("/review/corrections")
    assert "祖父の生年は1921年です" in corrections.text and "family@example.org" in corrections.text
