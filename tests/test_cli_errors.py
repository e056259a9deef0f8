"""The CLI's one error path: usage errors exit 2 with click's hint, KartotekaError exits with its code, no traceback."""

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kartoteka", *args], capture_output=True, text=True)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--bogus"], "No such option: --bogus"),
        (["imprt"], "Did you mean 'import'?"),
        (["import"], "Missing argument"),
    ],
)
def test_usage_errors_exit_2_with_a_hint_and_no_traceback(args, expected):
    out = run(*args)
    assert out.returncode == 2
    assert expected in out.stderr
    assert "Traceback" not in out.stderr


def test_a_kartoteka_error_is_one_line_with_its_code(tmp_path):
    out = run("--database", str(tmp_path / "k.sqlite"), "import", "postcard", str(tmp_path / "nothing.csv"))
    assert out.returncode == 2
    store_line, error_line = out.stderr.splitlines()[:2]
    assert store_line == f"store: {tmp_path / 'k.sqlite'}"  # every command that opens a store names it first
    assert error_line.startswith("error [usage")
    assert "card" in out.stderr  # the known kinds are listed
    assert "Traceback" not in out.stderr


def test_json_errors_share_one_shape(tmp_path):
    out = run("--database", str(tmp_path / "k.sqlite"), "names", "read", "", "--json")
    assert out.returncode != 0
    error = json.loads(out.stderr.strip().splitlines()[-1])["error"]
    assert set(error) >= {"code", "message", "hint", "file", "line", "column"}
    assert error["code"].startswith("names")


def test_link_refuses_an_unknown_one_per_person_kind_before_any_work(tmp_path):
    out = run("--database", str(tmp_path / "k.sqlite"), "link", "--one-per-person", "manifest,passport")
    assert out.returncode == 2
    assert "unknown record kind 'passport'" in out.stderr and "personal-file" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "k-runs").exists()
