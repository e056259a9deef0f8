"""Training on every subset of a card file's columns: the model never loses a comparison silently.

A file from elsewhere may hold any of the optional columns (unit, camp, dates, father's name, birth year,
birthplace). For each of the 64 subsets the model is trained through the real Splink and DuckDB, saved and
loaded back, and must hold every comparison: trained, or on its prior m values with the reason, or neutral
where no record holds it.
"""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage import scoring, training
from kartoteka.linkage.features import build_features
from kartoteka.linkage.model import comparison_columns, load_model, save_model, settings_dict

from .conftest import _name, plain_reader

# Optional column -> the record columns it fills and the comparisons that read them.
OPTIONAL = {
    "unit": (("unit",), ("unit",)),
    "camp": (("camp",), ("camp",)),
    "dates": (("death_date", "event_date"), ("death_date",)),
    "father's name": (("patronymic",), ("fn",)),
    "birth year": (("birth_year",), ("birth_year",)),
    "birthplace": (("birth_place", "prefecture"), ("pref", "place")),
}
SUBSETS = [subset for size in range(len(OPTIONAL) + 1) for subset in itertools.combinations(OPTIONAL, size)]


def _typo(rng: random.Random, text: str) -> str:
    if rng.random() < 0.2 and len(text) > 3:
        at = rng.randrange(1, len(text) - 1)
        return text[:at] + text[at + 1:]
    return text


def _records(persons: int = 400, seed: int = 3) -> pd.DataFrame:
    """Cards with every optional column, some names with a letter dropped, as the store would give them."""
    rng = random.Random(seed)
    # Names from small pools, so that different men share them (namesakes), as in any real card file.
    surnames, givens = [_name(rng, 3) for _ in range(120)], [_name(rng, 2) for _ in range(60)]
    villages = [_name(rng, 3) for _ in range(40)]
    rows = []
    for person in range(persons):
        surname, given, father = rng.choice(surnames), rng.choice(givens), rng.choice(givens)
        year = rng.randint(1900, 1927)
        place = f"{rng.choice(['Хиросима', 'Токио', 'Осака', 'Ниигата', 'Фукуока'])}, {rng.choice(villages)}"
        unit, death = f"{rng.randint(1, 60)} пд", f"1946-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        for _ in range(rng.choice([1, 2, 3])):
            rows.append({"id": len(rows) + 1, "kind": "card", "surname": _typo(rng, surname),
                         "given_name": _typo(rng, given), "patronymic": _typo(rng, father),
                         "birth_year": year if rng.random() < 0.9 else year + 1, "birth_place": place,
                         "prefecture": None, "unit": unit, "camp": str(rng.choice([7, 9, 16])),
                         "death_date": death if rng.random() < 0.3 else None, "event_date": "1946-01-05",
                         "rank": None, "name_original": None, "truth": person})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def full_records() -> pd.DataFrame:
    return _records()


@pytest.mark.parametrize("held", SUBSETS, ids=lambda subset: "+".join(subset) or "names only")
def test_every_subset_of_the_columns_keeps_every_comparison(held, full_records, tmp_path):
    frame = full_records.copy()
    for name, (columns, _) in OPTIONAL.items():
        if name not in held:
            frame[list(columns)] = None
    features = build_features(frame, plain_reader)
    settings = settings_dict("duckdb")
    with scoring.closing_duckdb_api("1GB") as api:
        model, report = training.train(features, api.register(features), settings)
    path = tmp_path / "model.json"
    save_model(model, path)
    saved = load_model(path)
    names = [c["output_column_name"] for c in settings["comparisons"]]
    assert [c["output_column_name"] for c in saved["comparisons"]] == names
    fates = {fate.name: fate for fate in report.comparisons}
    assert set(fates) == set(names)
    supported = {"sn", "gn"} | {c for name in held for c in OPTIONAL[name][1]}
    for name in names:
        fate = fates[name]
        if name == "camp" and name in supported:  # never compared between two cards: this file is cards only
            assert fate.fate in ("neutral", "prior") and "between two cards" in fate.why, fate
        elif name in supported:
            assert fate.fate == "trained" or (fate.fate == "prior" and fate.why), (name, fate)
        else:
            assert fate.fate in ("neutral", "prior") and "no record holds it" in fate.why, (name, fate)
        for level in saved["comparisons"][names.index(name)]["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 <= level["m_probability"] <= 1 and 0 <= level["u_probability"] <= 1
    # The names are trained wherever another field tells records of one man apart (EM on one comparison alone
    # cannot split matches from non-matches: with names only they keep their priors, and say so).
    if set(held) & {"father's name", "birth year", "birthplace", "unit"}:
        assert fates["sn"].fate == "trained" and fates["gn"].fate == "trained", (fates["sn"], fates["gn"])
    assert 1e-6 < saved["probability_two_random_records_match"] < 0.05
    assert report.lines()[0].startswith("prior: ")


def test_a_model_that_lost_a_comparison_stops_the_run():
    settings = settings_dict("duckdb")
    model = {**settings, "comparisons": [c for c in settings["comparisons"] if c["output_column_name"] != "fn"]}
    with pytest.raises(KartotekaError) as caught:
        training.check_complete(model, settings)
    assert caught.value.code == "linkage.model_incomplete" and "fn is missing" in caught.value.message


def test_a_prior_orders_of_magnitude_from_the_data_stops_the_run():
    report = training.TrainingReport(prior=1e-5, prior_source="1,000 pairs agree on sn, gn, birth_year",
                                     blocks=[{"block": "birth year and prefecture", "implied_prior": 0.45}])
    with pytest.raises(KartotekaError) as caught:
        training.check_prior(report)
    assert caught.value.code == "linkage.prior" and "45,000 times apart" in caught.value.message
    report.blocks[0]["implied_prior"] = 3e-5
    training.check_prior(report)  # three times apart: EM and the rule agree well enough


def test_the_prior_is_estimated_from_the_records_at_hand(full_records):
    features = build_features(full_records, plain_reader)
    model = settings_dict("duckdb")
    prior, source = training.estimate_prior(model, features)
    true_pairs = sum(n * (n - 1) / 2 for n in full_records.groupby("truth").size())
    all_pairs = len(features) * (len(features) - 1) / 2
    assert 0.2 < prior / (true_pairs / all_pairs) < 5  # the rule's estimate is near the truth
    assert "sn, gn, birth_year, fn" in source
    half = build_features(full_records[full_records["truth"] < 200], plain_reader)
    assert training.estimate_prior(model, half)[0] > prior  # fewer records: each pair likelier one man


def test_bayes_factors_fall_from_the_first_level_to_the_last():
    comparison = settings_dict("duckdb")["comparisons"][0]
    levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
    for level, (m, u) in zip(levels, [(0.5, 0.01), (0.05, 0.001), (0.1, 0.01), (0.05, 0.02), (0.1, 0.01),
                                      (0.05, 0.05), (0.05, 0.1), (0.1, 0.8)], strict=True):
        level.update(m_probability=m, u_probability=u)
    training.monotone_bayes_factors(comparison)
    factors = [lv["m_probability"] / lv["u_probability"] for lv in levels]
    assert all(later <= earlier * (1 + 1e-9) for earlier, later in itertools.pairwise(factors)), factors
    assert factors[0] == pytest.approx(50 / sum(lv["m_probability"] for lv in levels) * levels[0]["m_probability"]
                                       / 0.5) and factors[-1] < 1
    assert sum(lv["m_probability"] for lv in levels) == pytest.approx(1.0)


def test_each_comparison_names_the_columns_it_reads():
    features = set(build_features(_records(5), plain_reader).columns)
    for comparison in settings_dict("duckdb")["comparisons"]:
        assert set(comparison_columns(comparison["output_column_name"])) <= features


def test_a_given_model_gets_the_prior_of_the_records_it_scores(full_records):
    features = build_features(full_records, plain_reader)
    given = {**settings_dict("duckdb"), "probability_two_random_records_match": 0.3}
    model, report = training.with_prior_for(given, features)
    assert model["probability_two_random_records_match"] == report.prior == training.estimate_prior(given, features)[0]
    assert report.prior < 0.01 and given["probability_two_random_records_match"] == 0.3  # the input is untouched
    assert {fate.fate for fate in report.comparisons} == {"given"}
