"""`kartoteka quarantine` (list, --source, --reason, --json, --csv OUT), the follow-up import of a corrected
--csv file (rows resolved, original provenance kept, nothing deleted), and `import card DIR`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kartoteka.store import open_store
from kartoteka.store.schema import records

from .test_cli import run, without_store_line

# Line 2 has a stray quote (it swallows the rest), line 4 a surname of keyboard noise, line 5 a Latin name.
G_CSV = ('Фамилия,Имя,Отчество,Год рождения\n'
         'Сато,"Итиро,Ивао,1920\n'
         'Иванов,Таро,Ивао,1919\n'
         'asdf;;;;,Таро,,1920\n'
         'Smith,John,,1920\n'
         'Като,Дзиро,Кэндзи,1920\n')
H_CSV = 'Фамилия,Имя,Год рождения\nЁсида,Сигэру,1878x\n'


@pytest.fixture
def two_sources(capsys, store_url, tmp_path) -> str:
    """A store with g.csv (source #1: 2 open rows, 1 warning) and h.csv (source #2: 1 open row)."""
    for name, text in (("g.csv", G_CSV), ("h.csv", H_CSV)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        code, _, err = run(capsys, "--database", store_url, "import", "card", str(tmp_path / name), "--quiet")
        assert (code, without_store_line(err)) == (0, "")
    return store_url


def test_quarantine_lists_every_entry_with_file_editor_line_raw_text_and_code(capsys, two_sources):
    code, out, err = run(capsys, "--database", two_sources, "quarantine")
    assert (code, without_store_line(err)) == (0, "")
    lines = out.splitlines()
    assert [line.split("  ")[0] for line in lines if line.startswith("#")] == ["#1 g.csv:2", "#1 g.csv:4",
                                                                                "#1 g.csv:5", "#2 h.csv:2"]
    assert lines[0].startswith("#1 g.csv:2  open     [parse.stray_quote] a quote opens a field that runs across 5 "
                               "lines (2-6) into column 'Имя'")
    assert lines[1] == '    Сато,"Итиро,Ивао,1920'  # the raw line, as in the file
    assert lines[2] == "#1 g.csv:4  open     [row.name_symbols] surname: 'asdf;;;;' holds ';', which no name has"
    assert lines[3] == "    asdf;;;;,Таро,,1920"
    assert lines[4].startswith("#1 g.csv:5  warning  [warn.name_script] Latin letters in the name 'Smith John'")
    assert lines[6] == "#2 h.csv:2  open     [row.birth_year] birth_year: '1878x' is not a year"
    assert lines[-1] == "4 entries: 3 open, 0 resolved, 0 replaced, 1 warning"


@pytest.mark.parametrize("argv,expected", [
    (["--source", "2"], [("h.csv", 2, "row.birth_year")]),
    (["--reason", "parse"], [("g.csv", 2, "parse.stray_quote")]),
    (["--reason", "row.name_symbols"], [("g.csv", 4, "row.name_symbols")]),
    (["--reason", "warn", "--source", "1"], [("g.csv", 5, "warn.name_script")]),
    (["--reason", "row", "--source", "1"], [("g.csv", 4, "row.name_symbols")]),
])
def test_quarantine_filters_by_source_and_reason(capsys, two_sources, argv, expected):
    code, out, _ = run(capsys, "--database", two_sources, "quarantine", "--json", *argv)
    assert code == 0
    assert [(e["file"], e["line"], e["code"]) for e in json.loads(out)["entries"]] == expected


def test_quarantine_json_has_everything_to_work_with(capsys, two_sources):
    code, out, _ = run(capsys, "--database", two_sources, "quarantine", "--json", "--source", "1")
    stray = json.loads(out)["entries"][0]
    assert code == 0
    assert {k: stray[k] for k in ("id", "source", "kind", "file", "line", "lines", "code", "severity", "status",
                                  "column", "raw_text", "record_ref", "resolved_by", "simulated")} == {
        "id": 1, "source": 1, "kind": "card", "file": "g.csv", "line": 2, "lines": 1, "code": "parse.stray_quote",
        "severity": "error", "status": "open", "column": "Имя", "raw_text": 'Сато,"Итиро,Ивао,1920\n',
        "record_ref": None, "resolved_by": None, "simulated": False}
    assert stray["values"] == {"Фамилия": "Сато", "Имя": '"Итиро', "Отчество": "Ивао", "Год рождения": "1920"}


def test_an_unknown_reason_and_a_csv_of_several_sources_are_refused(capsys, two_sources, tmp_path):
    code, _, err = run(capsys, "--database", two_sources, "quarantine", "--reason", "nosuch")
    assert code == 2 and "unknown reason code 'nosuch'" in err and "parse.stray_quote" in err
    code, _, err = run(capsys, "--database", two_sources, "quarantine", "--csv", str(tmp_path / "fix.csv"))
    assert code == 2 and "the open rows come from several sources" in err and "--source N" in err
    assert not (tmp_path / "fix.csv").exists()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_corrected_csv_imports_as_a_follow_up_keeping_the_original_provenance(capsys, two_sources, tmp_path):
    fix = tmp_path / "fix.csv"
    code, out, _ = run(capsys, "--database", two_sources, "quarantine", "--source", "1", "--csv", str(fix))
    assert code == 0 and out.startswith(f"wrote 2 open rows to {fix}")
    rows = _read_csv(fix)
    assert [(r["kartoteka_quarantine_id"], r["kartoteka_source"], r["kartoteka_line"]) for r in rows] == [
        ("1", "1", "2"), ("2", "1", "4")]
    assert rows[0]["kartoteka_reason"].startswith("[parse.stray_quote] a quote opens a field")
    assert (rows[0]["Имя"], rows[1]["Фамилия"]) == ('"Итиро', "asdf;;;;")  # as read: the quote to remove
    rows[0]["Имя"], rows[1]["Фамилия"] = "Итиро", "Асада"
    _write_csv(fix, rows)

    code, out, err = run(capsys, "--database", two_sources, "import", "card", str(fix), "--quiet")
    assert (code, without_store_line(err)) == (0, "")
    assert out.splitlines()[0] == "fix.csv: imported 2 card records as source #3 (encoding utf-8, mapping ru-card)"
    assert "  follow-up to source #1: 2 quarantined rows resolved" in out.splitlines()

    store = open_store(two_sources)
    try:
        with store.engine.connect() as conn:
            got = conn.execute(select(records.c.source_id, records.c.file_name, records.c.row_number,
                                      records.c.record_ref, records.c.surname, records.c.given_name)
                               .where(records.c.source_id == 3).order_by(records.c.row_number)).all()
    finally:
        store.close()
    assert [tuple(r) for r in got] == [(3, "g.csv", 2, "g.csv:2", "Сато", "Итиро"),
                                       (3, "g.csv", 4, "g.csv:4", "Асада", "Таро")]
    code, out, _ = run(capsys, "--database", two_sources, "quarantine", "--json", "--source", "1")
    entries = json.loads(out)["entries"]
    assert [(e["line"], e["status"], e["record_ref"], e["resolved_by"]) for e in entries] == [
        (2, "resolved", "g.csv:2", 3), (4, "resolved", "g.csv:4", 3), (5, "warning", "g.csv:5", None)]
    code, out, _ = run(capsys, "--database", two_sources, "quarantine", "--source", "1")
    assert out.splitlines()[-1] == "3 entries: 0 open, 2 resolved, 0 replaced, 1 warning"  # nothing deleted


def test_a_row_still_bad_in_the_follow_up_is_replaced_by_a_new_entry(capsys, two_sources, tmp_path):
    fix = tmp_path / "fix2.csv"
    run(capsys, "--database", two_sources, "quarantine", "--source", "1", "--csv", str(fix))
    rows = _read_csv(fix)
    rows[0]["Имя"] = "Итиро"  # the second row (asdf;;;;) is left as it was
    _write_csv(fix, rows)
    code, out, _ = run(capsys, "--database", two_sources, "import", "card", str(fix), "--quiet")
    assert code == 0 and "  follow-up to source #1: 1 quarantined rows resolved" in out.splitlines()
    code, out, _ = run(capsys, "--database", two_sources, "quarantine", "--json", "--reason", "row.name_symbols")
    assert [(e["source"], e["file"], e["line"], e["status"]) for e in json.loads(out)["entries"]] == [
        (1, "g.csv", 4, "replaced"), (3, "g.csv", 4, "open")]
    # the same corrected file again adds nothing: its rows' entries are no longer open
    code, out, _ = run(capsys, "--database", two_sources, "import", "card", str(fix), "--quiet")
    assert code == 0 and "already imported as source #3" in out


def test_import_card_of_a_directory_says_it_is_a_directory(capsys, store_url, tmp_path):
    code, out, err = run(capsys, "--database", store_url, "import", "card", str(tmp_path))
    err = without_store_line(err)
    assert (code, out) == (2, "")
    assert err == (f"error [usage]: {tmp_path}: this is a directory, not a file; to import a file give its path\n"
                   f"  hint: kartoteka import {tmp_path}   (a directory with manifest.json)   or   "
                   f"kartoteka import card {tmp_path}/FILE.csv\n")


def test_every_reason_code_is_documented():
    from kartoteka.ingest.reasons import CODES

    page = (Path(__file__).resolve().parents[2] / "docs" / "how-to" / "add-a-source.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"`{code}`" not in page] == []
