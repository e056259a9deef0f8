"""`kartoteka simulate` writes an archive and says it is simulated; bad options are refused cleanly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.xdist_group("simulate")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kartoteka", *args], capture_output=True, text=True, timeout=120)


def test_simulate_command_writes_the_archive(tmp_path):
    out = _run("simulate", str(tmp_path / "sim"), "--persons", "300", "--seed", "9", "--profile", "clean",
               "--workers", "1")
    assert out.returncode == 0, out.stderr
    assert "SIMULATED" in out.stdout
    manifest = json.loads((tmp_path / "sim" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["simulated"] is True
    assert (manifest["seed"], manifest["profile"], manifest["persons"]) == (9, "clean", 300)
    assert f"kartoteka import {tmp_path / 'sim'}" in out.stdout


def test_simulate_command_refuses_an_unknown_profile(tmp_path):
    out = _run("simulate", str(tmp_path / "sim"), "--persons", "10", "--profile", "messy")
    assert out.returncode != 0
    assert "unknown simulation profile" in out.stderr
    assert "clean, realistic, harsh" in out.stderr
