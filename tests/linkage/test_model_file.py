import json

import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.checks import check_trained_model
from kartoteka.linkage.model import MODEL_VERSION, load_model, save_model, settings_dict


def test_a_saved_model_loads_back(tmp_path):
    path = tmp_path / "model.json"
    save_model(settings_dict("duckdb"), path)
    assert json.loads(path.read_text())["kartoteka_model_version"] == MODEL_VERSION
    assert load_model(path)["comparisons"][0]["output_column_name"] == "sn"


def test_a_model_from_another_version_is_refused_with_advice(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({**settings_dict("duckdb"), "kartoteka_model_version": "kartoteka-linkage-0"}))
    with pytest.raises(KartotekaError) as caught:
        load_model(path)
    assert caught.value.code == "model.version"
    assert "kartoteka-linkage-0" in caught.value.message and "re-train" in caught.value.hint


def test_a_plain_splink_model_and_garbage_are_refused(tmp_path):
    plain, garbage = tmp_path / "plain.json", tmp_path / "garbage.json"
    plain.write_text(json.dumps(settings_dict("duckdb")))
    garbage.write_text("{not json")
    for path, code in ((plain, "model.version"), (garbage, "model.corrupt"), (tmp_path / "none.json", "model.missing")):
        with pytest.raises(KartotekaError) as caught:
            load_model(path)
        assert caught.value.code == code


def _with_name_levels(m_top, u_top, m_last, u_last):
    model = settings_dict("duckdb")
    levels = model["comparisons"][0]["comparison_levels"]
    levels[1].update(m_probability=m_top, u_probability=u_top)
    levels[-1].update(m_probability=m_last, u_probability=u_last)
    return model


def test_checks_flag_backwards_name_parameters_and_thin_training_blocks():
    sane = _with_name_levels(0.6, 0.001, 0.02, 0.9)
    assert check_trained_model(sane, {"rule": {"lambda": 0.4}}) == []
    backwards = check_trained_model(_with_name_levels(0.001, 0.01, 0.9, 0.5), {})
    assert any("exact sn" in p for p in backwards) and any("backwards" in p for p in backwards)
    thin = check_trained_model(sane, {"l.birth_year = r.birth_year": {"lambda": 0.001}})
    assert len(thin) == 1 and "too few true matches" in thin[0]


def test_every_blocking_rule_is_compound():
    from kartoteka.linkage.model import prediction_blocking_rules, training_blocking_rules

    rules = [r["blocking_rule"] for r in prediction_blocking_rules()]
    rules += [rule for alternatives in training_blocking_rules() for rule in alternatives]
    for rule in rules:
        assert rule.count(" AND ") >= 1, f"single-column blocking rule makes hot blocks: {rule}"
