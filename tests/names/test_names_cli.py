"""`kartoteka names read` and `kartoteka names compare`, in process and through the real entry point."""

import json
import subprocess
import sys

from typer.testing import CliRunner

from kartoteka.cli import app

runner = CliRunner()


def test_read_json_shape():
    result = runner.invoke(app, ["names", "read", "Тодзио Хидеки", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["script"] == "cyrillic"
    assert payload["readings"][0]["kana"] == "トウジョウ ヒデキ"
    assert set(payload["readings"][0]) == {"kana", "romaji", "cyrillic", "probability"}
    assert "f:tozyo hideki" in payload["keys"]


def test_read_table():
    result = runner.invoke(app, ["names", "read", "東條英機"])
    assert result.exit_code == 0, result.output
    assert "トウジョウ ヒデキ" in result.output
    assert "Tōjō Hideki" in result.output


def test_compare_json_and_table():
    result = runner.invoke(app, ["names", "compare", "Исороку Ямамото", "山本五十六", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["similarity"] >= 0.95
    assert {"a", "b", "parts", "order"} <= set(payload)
    result = runner.invoke(app, ["names", "compare", "Сато", "Като"])
    assert result.exit_code == 0
    assert "s->k at 0" in result.output


def test_bad_name_exits_with_the_error_code():
    out = subprocess.run(
        [sys.executable, "-m", "kartoteka", "names", "read", "1945", "--json"], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert json.loads(out.stderr)["error"]["code"] == "names.empty"


def test_compare_says_what_the_similarity_is_and_which_readings_met():
    # 1.000 above a table whose best reading of 山田乙三 has 0.762: the output says the figure is not a probability
    # and names the readings that met with their own probabilities.
    result = runner.invoke(app, ["names", "compare", "Ямада Отозоо", "山田乙三"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        "similarity 1.000  (parts aligned)",
        "  = how alike the names sound at the readings that met; not a probability",
        "  met: a ヤマダ オトゾウ (its reading 1, probability 0.980)",
        "       b ヤマダ オトゾウ (its reading 1, probability 0.762)",
    ]
    payload = json.loads(runner.invoke(app, ["names", "compare", "Ямада Отозоо", "山田乙三", "--json"]).output)
    assert payload["similarity"] == 1.0 and "not a probability" in payload["similarity_is"]
    assert payload["met"]["b"] == {"rank": 1, "kana": "ヤマダ オトゾウ", "probability": 0.7618}
    assert payload["b"]["readings"][0]["probability"] == payload["met"]["b"]["probability"]


def test_compare_names_the_better_part_of_a_full_name_and_an_empty_side():
    payload = json.loads(runner.invoke(app, ["names", "compare", "Ямамото", "山本五十六", "--json"]).output)
    assert payload["order"] == "part" and payload["met"]["a"]["kana"] == "ヤマモト"
    assert payload["met"]["b"]["kana"] == "ヤマモト イソロク"
    result = runner.invoke(app, ["names", "compare", "", "Сато"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["similarity 0.000  (parts empty)",
                                              "  = a name without letters is like no other"]


def test_read_explains_the_key_levels():
    result = runner.invoke(app, ["names", "read", "Тодзио Хидеки"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("keys (two spellings that share a key may be one name):")
    assert [line.split()[0] for line in lines[start + 1:start + 5]] == ["k:", "f:", "v:", "c:"]
    assert "f: spelling folded        tozyo hideki" in lines[start + 2]
    assert lines[start + 4].endswith("tshtk") and "consonants of v" in lines[start + 4]
    payload = json.loads(runner.invoke(app, ["names", "read", "Тодзио Хидеки", "--json"]).output)
    assert set(payload["key_levels"]) == {"k", "f", "v", "c"}
    assert {key.split(":")[0] for key in payload["keys"]} <= set(payload["key_levels"])
    helped = runner.invoke(app, ["names", "read", "--help"], env={"COLUMNS": "200"})
    assert "consonant skeleton" in helped.output
