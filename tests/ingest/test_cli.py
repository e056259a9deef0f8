"""The import, status and export commands: clean output, clean errors (no traceback), non-zero exits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kartoteka.cli import main
from kartoteka.store.database import store_label

from .conftest import RU_HEADER, RU_ROWS, write_csv


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def without_store_line(err: str) -> str:
    """Stderr after the line naming the store, which every store command prints first (asserted here)."""
    first, _, rest = err.partition("\n")
    assert first.startswith("store: "), err
    return rest


def run_subprocess(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kartoteka", *argv], capture_output=True, text=True, timeout=120)


def test_import_status_export_and_reimport(capsys, store_url, tmp_path, ru_cards):
    code, out, err = run(capsys, "--database", store_url, "import", "card", str(ru_cards))
    assert code == 0 and err.splitlines() == [f"store: {store_label(store_url)}"]  # not a terminal: no progress bar
    assert "imported 3 card records as source #1 (encoding utf-8, mapping ru-card)" in out
    code, out, _ = run(capsys, "--database", store_url, "import", "card", str(ru_cards), "--quiet")
    assert code == 0 and "already imported as source #1 (3 records): nothing added" in out
    code, out, _ = run(capsys, "--database", store_url, "status", "--json")
    status = json.loads(out)
    assert (status["records"], status["quarantined"], status["by_kind"], status["simulated"]) == (3, 0, {"card": 3},
                                                                                                    False)
    assert status["sources"][0]["name"] == "cards.csv"
    exported = tmp_path / "out.jsonl"
    code, out, _ = run(capsys, "--database", store_url, "export", "card", str(exported), "--format", "jsonl")
    assert code == 0 and "exported 3 card records" in out
    assert len(exported.read_text(encoding="utf-8").splitlines()) == 4  # header line + 3 records
    code, out, _ = run(capsys, "--database", store_url, "import", "personal-file", str(exported))
    assert code == 0 and "imported 3 personal_file records" in out
    code, out, _ = run(capsys, "--database", store_url, "status")
    assert "6 records, 0 quarantined rows" in out and "personal-file" in out


def test_status_of_a_simulated_store_shows_the_banner(capsys, tmp_path):
    write_csv(tmp_path / "cards.csv", RU_HEADER, RU_ROWS)
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"simulated": True, "files": [{"path": "cards.csv", "kind": "card"}]}), encoding="utf-8")
    database = str(tmp_path / "k.sqlite")
    code, out, _ = run(capsys, "--database", database, "import", str(tmp_path))
    assert code == 0 and out.startswith("*** SIMULATED DATA")
    code, out, _ = run(capsys, "--database", database, "status")
    assert out.startswith("*** SIMULATED DATA") and "[SIMULATED]" in out
    code, out, _ = run(capsys, "--database", database, "export", "card", str(tmp_path / "e.csv"))
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").startswith("# SIMULATED")


def test_quarantined_rows_are_reported(capsys, tmp_path):
    path = write_csv(tmp_path / "bad.csv", RU_HEADER, [*RU_ROWS, ["Сидоров", "", "", "1850", "", ""]])
    code, out, _ = run(capsys, "--database", str(tmp_path / "k.sqlite"), "import", "card", str(path))
    assert code == 0
    assert "1 quarantined rows" in out and "line 5: birth_year 1850 is implausible" in out


@pytest.mark.parametrize("case,expected_code,expected", [
    ("unknown-kind", 2, "known kinds: card, personal-file, death-roster, jp-roster, manifest, burial"),
    ("missing-columns", 1, "missing required columns"),
    ("empty", 1, "the file is empty"),
    ("encoding", 1, "tried utf-8, cp932, euc_jp, cp1251, koi8_r"),
    ("strict", 1, "--strict: 1 of 4 rows are bad, so nothing was imported"),
    ("bad-encoding-name", 2, "unknown encoding 'latin-99'"),
])
def test_errors_are_one_clean_message_and_a_non_zero_exit(tmp_path, case, expected_code, expected):
    files = {
        "unknown-kind": (["surname"], [["A"]]),
        "missing-columns": (["Nom"], [["Dupont"]]),
        "strict": (RU_HEADER, [*RU_ROWS, ["", "", "", "1920", "7", ""]]),
        "bad-encoding-name": (RU_HEADER, RU_ROWS),
    }
    path = tmp_path / "in.csv"
    if case in files:
        write_csv(path, *files[case])
    elif case == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"surname\n" + bytes(range(128, 256)) * 40)
    kind = "cardz" if case == "unknown-kind" else "card"
    extra = {"strict": ["--strict"], "bad-encoding-name": ["--encoding", "latin-99"]}.get(case, [])
    done = run_subprocess("--database", str(tmp_path / "k.sqlite"), "import", kind, str(path), *extra)
    assert done.returncode == expected_code
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    if case == "missing-columns":
        assert "--mapping" in done.stderr


def test_export_to_an_unknown_format_is_a_usage_error(capsys, tmp_path):
    assert run(capsys, "--database", str(tmp_path / "k.sqlite"), "init")[0] == 0
    code, _, err = run(capsys, "--database", str(tmp_path / "k.sqlite"), "export", "card", str(tmp_path / "x"),
                       "--format", "xml")
    assert code == 2 and "--format csv or --format jsonl" in err
