"""Training on small hand-made archives through the real Splink and DuckDB: what EM gets wrong is caught."""

from __future__ import annotations

from kartoteka.linkage import runs, scoring
from kartoteka.linkage.checks import check_trained_model
from kartoteka.linkage.features import build_features
from kartoteka.linkage.model import settings_dict


def _features(store, write_archive, plain_reader):  # type: ignore[no-untyped-def]
    write_archive(store, persons=200)
    return build_features(runs.load_records(store), plain_reader)


def _m_values(model, name):  # type: ignore[no-untyped-def]
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == name)
    return [level.get("m_probability") for level in comparison["comparison_levels"]]


def test_two_cards_of_one_man_are_not_compared_on_their_camps(store, write_archive, plain_reader):
    # Each card of the hand-made archive names a camp at random, as a card written at each arrival would.
    result = scoring.train_and_score(_features(store, write_archive, plain_reader), scoring.duckdb_api("1GB"),
                                     "duckdb")
    assert _m_values(result.model, "camp") == _m_values(settings_dict("duckdb"), "camp")  # nothing to train on
    weights = result.pairs["mw_camp"].dropna()
    assert len(weights) > 20 and (weights == 0).all()
    assert result.warnings == []


def test_a_comparison_em_gets_backwards_scores_on_its_priors_and_says_so(store, write_archive, plain_reader):
    features = _features(store, write_archive, plain_reader)
    # The second record of each man becomes a personal file from a camp none of his cards names: between
    # records of one man "same camp" never happens, so EM learns that it is no evidence for him and that
    # another camp is.
    person = features["unique_id"].map(dict(runs.load_records(store)[["id", "record_ref"]].values)).str[5:9]
    second = person.duplicated() & ~person.duplicated(keep="last")
    camps = ["7", "9", "16", "21", "33"]
    for row in features.index[second]:
        taken = set(features.loc[person == person[row], "camp"])
        features.loc[row, ["kind", "camp"]] = ["personal_file", next(c for c in camps if c not in taken)]
    result = scoring.train_and_score(features, scoring.duckdb_api("1GB"), "duckdb")
    assert any("implausible values for camp" in w and "prior m probabilities were used" in w
               for w in result.warnings), result.warnings
    assert _m_values(result.model, "camp") == _m_values(settings_dict("duckdb"), "camp")
    assert check_trained_model(result.model, {}) == []
