"""The review in the browser (issue 18, 4) on the session's linked simulated store (SIMULATED).

Until the accounts change lands nobody can sign in, so these tests stand a reviewer in through FastAPI's
dependency_overrides of the pages' role check (review_pages.reviewer_role); without it every page refuses.
Each action is a plain form POST (no JavaScript), answered with a redirect.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kartoteka.accounts.types import Role, User
from kartoteka.linkage import review
from kartoteka.linkage.tables import link_runs
from kartoteka.store import open_store
from kartoteka.web import create_app, review_pages

AIKO = User(id=1, name="aiko", role=Role.REVIEWER)
BORIS = User(id=2, name="boris", role=Role.REVIEWER)


@pytest.fixture(scope="module")
def reviewer_app(portal_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    """A client of a copy of the linked store (the decisions made here stay out of the shared store)."""
    source = Path(portal_url.removeprefix("sqlite:///"))
    copy = tmp_path_factory.mktemp("review") / "review.sqlite"
    copy.write_bytes(source.read_bytes())
    app = create_app(f"sqlite:///{copy}")
    who = {"user": AIKO}
    app.dependency_overrides[review_pages.reviewer_role] = lambda: who["user"]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, who
    app.dependency_overrides.clear()


def test_the_review_pages_refuse_anyone_not_signed_in(portal):
    for address in ("/review", "/review/decisions", "/review/persons", "/review/corrections", "/review/pairs/1/2"):
        answer = portal.get(address)
        assert answer.status_code == 401, address
    assert portal.post("/review/decide", data={"left": 1, "right": 2, "answer": "same"}).status_code == 401


def test_the_queue_a_pair_and_the_terms_adding_up(reviewer_app, portal_url):
    client, _ = reviewer_app
    queue = client.get("/review")
    assert queue.status_code == 200 and "SIMULATED" in queue.text and "Reviewing as aiko" in queue.text
    pairs = re.findall(r'href="/review/pairs/(\d+)/(\d+)"', queue.text)
    assert len(pairs) >= 3
    store = open_store(portal_url, create=False)
    try:
        items = review.review_queue(store, 5)
        with store.engine.connect() as conn:
            model_path = conn.execute(select(link_runs.c.model_path).order_by(link_runs.c.id.desc())).scalar()
    finally:
        store.close()
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
    assert "<script>" not in page.text.replace('<script src="/static/review.js" defer></script>', "")
    assert client.get("/static/review.js").status_code == 200
    japanese = client.get(f"/review/pairs/{pairs[0][0]}/{pairs[0][1]}?lang=ja")
    assert "事前" in japanese.text


def test_answers_as_plain_forms_two_reviewers_and_undo(reviewer_app):
    client, who = reviewer_app
    pairs = re.findall(r'href="/review/pairs/(\d+)/(\d+)"', client.get("/review").text)
    (a, b), (c, d) = pairs[0], pairs[1]
    who["user"] = AIKO
    answered = client.post("/review/decide", data={"left": a, "right": b, "answer": "same", "note": "同じ村"},
                           follow_redirects=False)
    assert answered.status_code == 303 and answered.headers["location"].startswith("/review/pairs/")
    assert (a, b) not in re.findall(r'href="/review/pairs/(\d+)/(\d+)"', client.get("/review").text)
    client.post("/review/decide", data={"left": c, "right": d, "answer": "unsure"}, follow_redirects=False)
    who["user"] = BORIS
    refused = client.post("/review/decide", data={"left": a, "right": b, "answer": "not_same"})
    assert refused.status_code == 409 and "aiko" in refused.text  # shown, nothing overwritten
    assert (c, d) in re.findall(r'href="/review/pairs/(\d+)/(\d+)"', client.get("/review").text)  # aiko unsure
    reviewed = client.get("/review/decisions")
    assert reviewed.status_code == 200 and "同じ村" in reviewed.text and "aiko" in reviewed.text
    who["user"] = AIKO
    undone = client.post("/review/undo", follow_redirects=False)
    assert undone.headers["location"] == f"/review/pairs/{c}/{d}"
    undone = client.post("/review/undo", follow_redirects=False)
    assert undone.headers["location"] == f"/review/pairs/{a}/{b}"
    assert client.post("/review/decide", data={"left": a, "right": b, "answer": "maybe"}).status_code == 400
    assert client.post("/review/decide", data={"left": a, "right": b, "answer": "same"},
                       headers={"origin": "https://elsewhere.example"}).status_code in (400, 403)


def test_persons_to_check_and_the_families_corrections(reviewer_app):
    client, who = reviewer_app
    who["user"] = AIKO
    persons = client.get("/review/persons")
    assert persons.status_code == 200
    person = re.search(r'name="person" value="(\d+)"', persons.text)
    assert person is not None
    records = re.findall(r'name="record" value="(\d+)"', persons.text.split(f'value="{person.group(1)}"', 1)[1])
    split = client.post("/review/persons/split", data={"person": person.group(1), "record": records[:1]},
                        follow_redirects=False)
    assert split.status_code == 303
    assert client.get("/review/decisions?lang=en").text.count("Not the same") >= 1
    assert client.post(f"/persons/{person.group(1)}/corrections",
                       data={"text": "祖父の生年は1921年です", "contact": "family@example.org"}).status_code == 200
    corrections = client.get("/review/corrections")
    assert "祖父の生年は1921年です" in corrections.text and "family@example.org" in corrections.text
