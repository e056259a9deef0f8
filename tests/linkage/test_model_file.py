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
    assert len(backwards) == 1
    assert "'same reading' sn is hardly evidence" in backwards[0] and "entirely different sn" in backwards[0]
    thin = check_trained_model(sane, {"l.birth_year = r.birth_year": {"lambda": 0.001}})
    assert len(thin) == 1 and "too few true matches" in thin[0]


def _with_levels(name, **m_and_u):
    """The prior model with the levels of one comparison given (label: (m, u)), the rest plausible."""
    model = settings_dict("duckdb")
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                level["u_probability"] = 0.01 if level is comparison["comparison_levels"][1] else 0.3
    levels = {lv["label_for_charts"]: lv for lv in _comparison(model, name)["comparison_levels"]}
    for label, (m, u) in m_and_u.items():
        levels[label.replace("_", " ").strip()].update(m_probability=m, u_probability=u)
    return model


def _comparison(model, name):
    return next(c for c in model["comparisons"] if c["output_column_name"] == name)


@pytest.mark.parametrize("name, levels, says", [
    # What EM learned for the death date on an archive without personal files (m = 0 for the same day).
    ("death_date", {"same_day": (0.0, 0.005), "else": (1.0, 0.76)}, "'same day' death_date is hardly evidence"),
    # ... and for the camp (the same camp hardly likelier between records of one man than of two).
    ("camp", {"same_camp": (0.05, 0.045), "else": (0.95, 0.955)}, "'same camp' camp is hardly evidence"),
    ("rank", {"else": (0.5, 0.3)}, "an entirely different rank is evidence of the same person"),
    ("birth_year", {"same_year": (1.3, 0.05)}, "outside [0, 1]"),
])
def test_every_comparison_is_checked(name, levels, says):
    trained = _with_levels(name, **levels)
    assert check_trained_model(_with_levels("sn"), {}) == []
    problems = check_trained_model(trained, {})
    assert len(problems) == 1 and says in problems[0] and f"its {name} weights cannot be right" in problems[0]


def test_a_comparison_that_weighs_nothing_is_not_reported_as_wrong():
    neutral = _with_levels("pref", same=(0.9, 0.9), else_=(0.1, 0.1))
    assert check_trained_model(neutral, {}) == []


def test_every_blocking_rule_is_compound():
    from kartoteka.linkage.model import TRAINING_BLOCKS, prediction_blocking_rules

    rules = [r["blocking_rule"] for r in prediction_blocking_rules()]
    rules += [block.sql for group in TRAINING_BLOCKS for block in group]
    for rule in rules:
        assert rule.count(" AND ") >= 1, f"single-column blocking rule makes hot blocks: {rule}"
