"""The counts and the interval on the hand-made store (tests/stats/conftest.py), where every figure is known by
construction, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.gazetteer import service as gazetteer
from kartoteka.linkage import review
from kartoteka.stats import service
from kartoteka.stats.interval import poisson_binomial_quantile
from kartoteka.stats.reference import estimates

SOURCE = "this store, run 1, 2026-12-01"


def rows(figures, name):  # type: ignore[no-untyped-def]
    return figures.counts[name].rows


def test_every_count_is_the_stores_own(hand_made):
    figures = service.statistics(hand_made)
    assert figures.simulated and figures.source == SOURCE and figures.run.id == 1
    assert rows(figures, "fates") == [{"fate": "repatriated", "persons": 2}, {"fate": "died", "persons": 1},
                                      {"fate": "unknown", "persons": 1}]
    # "7" and "№ 7" are one camp to the gazetteer: A counts once there, and dies at it; "лагерь № 999" (no camp
    # bore the number) is counted as written
    taishet = {camp.key: camp.id for camp in gazetteer.index_of(hand_made).camps.values()}["taishet_7"]
    assert rows(figures, "by_camp") == [
        {"camp": "лагерь № 999", "camp_id": None, "resolved": False, "held": 2, "died": 0},
        {"camp": "Taishet GUPVI camp No.7", "camp_id": taishet, "resolved": True, "held": 1, "died": 1}]
    assert rows(figures, "by_region") == [{"region": None, "held": 2, "died": 0},
                                          {"region": "Irkutsk oblast", "held": 1, "died": 1}]
    assert rows(figures, "by_prefecture") == [
        {"prefecture": "山形", "persons": 2, "died": 1, "repatriated": 1},
        {"prefecture": "東京", "persons": 1, "died": 0, "repatriated": 1},
        {"prefecture": None, "persons": 1, "died": 0, "repatriated": 0}]
    assert rows(figures, "deaths_by_month") == [{"month": "1946-01", "died": 1}]
    assert figures.counts["deaths_by_month"].totals == {"died": 1, "dated_to_the_month": 1,
                                                         "dated_less_precisely": 0, "undated": 0}
    assert figures.first_winter["died"] == 1 and figures.first_winter["of_dated"] == 1
    assert rows(figures, "by_year") == [
        {"year": 1945, "held": 2, "died": 0, "repatriated": 0}, {"year": 1946, "held": 2, "died": 1, "repatriated": 0},
        {"year": 1947, "held": 0, "died": 0, "repatriated": 1}, {"year": 1948, "held": 0, "died": 0, "repatriated": 1}]
    repatriation = {row["year"]: row for row in rows(figures, "repatriation_by_year")}
    assert repatriation[1947]["manifests"] == 1 and repatriation[1947]["released"] == 166240
    assert repatriation[1946]["manifests"] == 0 and repatriation[1946]["released"] == 18616
    assert repatriation[1956]["source"] == "seed article"
    for table in figures.counts.values():
        assert SOURCE in table.source, table.name
    assert "repatriation_by_year.tsv" in figures.counts["repatriation_by_year"].source
    _estimates_are_carried_with_their_sources(figures.to_dict())
    # kept in the store for other processes (nothing in this one's memory)
    service._cache.clear()
    kept = service._from_meta(hand_made, service.cache_key(hand_made, service.current_run(hand_made)))
    assert kept is not None and kept.to_dict() == figures.to_dict()


def test_the_interval_holds_the_point_and_narrows_as_the_review_queue_is_decided(hand_made):
    before = service.statistics(hand_made).persons
    # splits: q 0.01, 0.3 (A, its strongest link left out) and 0.1 (B): P(S <= 1) = 0.9666 < 0.975, so 2
    # merges: 0.6 (C-D, in review) and 0.99 (A-C, refused by the constraints): P(M <= 1) = 0.406, so 2
    assert (before.point, before.low, before.high) == (4, 2, 6)
    assert before.expected == pytest.approx(4 + 0.41 - 1.59, abs=0.05)
    assert before.open_review_pairs == 3 and before.refused_links == 1 and before.merge_trials == 2
    for left, right, decision in ((6, 7, "not_same"), (3, 6, "not_same"), (2, 3, "same"), (4, 5, "same")):
        review.decide(hand_made, left, right, decision)
    after = service.statistics(hand_made).persons  # a decision is a new state: the figures are made again
    assert (after.point, after.low, after.high) == (4, 4, 4)
    assert after.open_review_pairs == 0
    review.undo(hand_made)  # undoing one (4-5) opens it again
    undone = service.statistics(hand_made).persons
    assert undone.open_review_pairs == 1 and undone.high == 5 and undone.low == 4


def test_a_decision_against_the_persons_is_a_certain_change_pending_the_next_run(hand_made):
    review.decide(hand_made, 6, 7, "same")  # C and D are one: one person fewer, for certain
    review.decide(hand_made, 1, 2, "not_same")  # A is two: one person more, for certain
    figures = service.statistics(hand_made).persons
    assert figures.certain_merges == 1 and figures.certain_splits == 1
    assert figures.low <= 3 and figures.high >= 5 and figures.low <= figures.point <= figures.high


def _estimates_are_carried_with_their_sources(answer):  # type: ignore[no-untyped-def]
    assert len(answer["estimates"]) == len(estimates()) == 51
    for row in answer["estimates"]:
        assert {"quantity", "value_low", "value_high", "as_of", "source", "source_url", "note"} <= set(row)
        assert row["source"], row["quantity"]
    by_name = {row["quantity"]: row for row in answer["estimates"]}
    assert by_name["deaths (Nimmo)"]["value_low"] == 347000
    assert by_name["interned_total (range used by en-Wikipedia)"]["value_high"] == 760000
    assert by_name["deaths 62,068"]["value_low"] is None  # a row without a figure stays without one, never 0
    assert "estimates.tsv" in answer["estimates_source"]


def _brute_quantile(probs: list[float], level: float) -> int:
    dist = np.zeros(len(probs) + 1)
    for outcome in itertools.product((0, 1), repeat=len(probs)):
        weight = np.prod([p if o else 1 - p for p, o in zip(probs, outcome, strict=True)])
        dist[sum(outcome)] += weight
    return int(np.searchsorted(np.cumsum(dist), level - 1e-12))


@settings(max_examples=60)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=8), st.sampled_from([0.5, 0.9, 0.975]))
def test_the_quantile_is_the_poisson_binomials(probs, level):
    assert poisson_binomial_quantile(np.array(probs, dtype=float), level) == _brute_quantile(probs, level)


def test_the_normal_approximation_beyond_the_exact_limit_is_close():
    rng = np.random.default_rng(1)
    probs = rng.uniform(0, 0.05, 25_000)
    approx = poisson_binomial_quantile(probs, 0.975)
    exact = poisson_binomial_quantile(probs[:20_000], 0.975) + poisson_binomial_quantile(probs[20_000:], 0.5)
    assert abs(approx - exact) <= 0.02 * approx + 5


def test_a_store_without_persons_shows_the_published_estimates(store_url):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from kartoteka.store import open_store
    from kartoteka.web import create_app

    open_store(store_url).close()  # an empty store: no run, no persons
    client = TestClient(create_app(store_url))  # no lifespan: the names tables' warm-up is not needed here
    try:
        body = client.get("/api/v1/stats").json()
        assert body["run"] is None and body["counts"] == {} and body["persons"] is None
        _estimates_are_carried_with_their_sources(body)
        page = client.get("/stats")
        assert page.status_code == 200 and "no linked persons yet" in page.text and "347,000" in page.text
    finally:
        client.close()
