"""End to end on a small simulated archive: simulate -> import -> link -> evaluate, through the CLI."""

import json
import subprocess
import sys

import pytest

PERSONS = 300


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kartoteka", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "archive"
    done = _cli("simulate", str(out), "--persons", str(PERSONS), "--seed", "5", "--profile", "realistic")
    assert done.returncode == 0, done.stderr
    return out


def test_link_and_evaluate_a_simulated_archive(store_url, archive, tmp_path):
    assert _cli("-d", store_url, "import", str(archive)).returncode == 0
    linked = _cli("-d", store_url, "link", "--runs-dir", str(tmp_path), "--json")
    assert linked.returncode == 0, linked.stderr
    summary = json.loads(linked.stdout)
    assert summary["records"] > 2 * PERSONS
    assert PERSONS * 0.9 <= summary["persons"] <= PERSONS * 1.2
    evaluated = _cli("-d", store_url, "evaluate", str(archive / "truth.csv"), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout)
    for key in ("pairs", "clusters"):
        assert set(figures[key]) >= {"precision", "recall", "f1"}
    assert set(figures["tasks"]) >= {"card_dedupe", "card_roster"}
    # Small archives are easy; these floors catch a broken feature or comparison, not the targets.
    assert figures["tasks"]["card_dedupe"]["f1"] >= 0.95
    assert figures["tasks"]["card_roster"]["f1"] >= 0.9
    assert figures["identification_recall_at_5"] >= 0.9
    queue = _cli("-d", store_url, "review", "--limit", "3", "--json")
    assert queue.returncode == 0, queue.stderr
    items = json.loads(queue.stdout)["items"]
    assert all(set(item["weights"]) >= {"sn", "gn", "birth_year"} for item in items)
    priorities = [item["priority"] for item in items]
    assert priorities == sorted(priorities, reverse=True)


def test_evaluate_refuses_a_missing_truth_file(store_url, tmp_path):
    assert _cli("-d", store_url, "init").returncode == 0
    done = _cli("-d", store_url, "evaluate", str(tmp_path / "nope.csv"), "--json")
    assert done.returncode != 0
    assert json.loads(done.stderr.splitlines()[-1])["error"]["code"] in {"usage.truth", "linkage.no_persons"}
