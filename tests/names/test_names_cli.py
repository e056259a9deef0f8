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
