"""The tutorial's figures are what the code prints: docs/tutorial/first-archive.md re-run through the CLI.

Runs the tutorial's simulate (2,000 persons, seed 1), import, link and evaluate as a user would, each
`kartoteka` a child process on a SQLite store in tmp_path, and compares link's run line and the whole
evaluate table with what the page shows (parsed from the markdown, so a change of the code that moves a figure
fails here until the tutorial is re-run and its prose checked against the new output). The figures being
equal to those of an earlier run on another day also pins that a run is repeatable: the same records give the
same model and the same persons.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial" / "first-archive.md"
TIMEOUT = 600  # seconds per command: generous for a loaded machine; never a bound on the result


def code_block(section: str, command: str) -> list[str]:
    """The lines of the first code block in the tutorial section whose heading starts with SECTION that begins
    with the prompt line `$ COMMAND` (the prompt line left out)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(section)}.*?(?=^## )", text, flags=re.M | re.S)
    assert match, f"no section '## {section}' in {TUTORIAL}"
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", match.group(0), flags=re.M | re.S):
        lines = block.splitlines()
        if lines and lines[0] == f"$ {command}":
            return lines[1:]
    raise AssertionError(f"no block starting with '$ {command}' in section {section} of {TUTORIAL}")


def kartoteka(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kartoteka ARGS` in CWD as a user runs it (no settings from the environment), to the end."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KARTOTEKA_")}
    env["COLUMNS"] = "80"  # the tutorial's terminal; Rich sizes its tables by it
    done = subprocess.run([sys.executable, "-m", "kartoteka", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=TIMEOUT)
    assert done.returncode == 0, f"kartoteka {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def run_figures(line: str) -> tuple[str, ...]:
    """records, persons, pairs kept, to review, refused: the figures of a `run N:` line."""
    match = re.search(r"([\d,]+) records -> ([\d,]+) persons \(([\d,]+) scored pairs kept, ([\d,]+) to review, "
                      r"([\d,]+) links refused", line)
    assert match, f"not a run line: {line!r}"
    return match.groups()


@pytest.mark.slow
def test_tutorial_link_and_evaluate_print_what_the_tutorial_shows(tmp_path: Path):
    shown_link = code_block("6.", "kartoteka -d tut.sqlite link")
    shown_evaluate = code_block("7.", "kartoteka -d tut.sqlite evaluate arch/truth.csv")
    shown_run = next(line for line in shown_link if line.startswith("run 1:"))
    assert shown_evaluate[0] == "store: tut.sqlite", "the evaluate block starts with the store line (stderr)"

    kartoteka(tmp_path, "simulate", "arch", "--persons", "2000", "--seed", "1")
    kartoteka(tmp_path, "-d", "tut.sqlite", "import", "arch")
    linked = kartoteka(tmp_path, "-d", "tut.sqlite", "link")
    evaluated = kartoteka(tmp_path, "-d", "tut.sqlite", "evaluate", "arch/truth.csv")

    run = next((line for line in linked.stdout.splitlines() if line.startswith("run 1:")), None)
    assert run is not None, f"link printed no run line:\n{linked.stdout}"
    assert run_figures(run) == run_figures(shown_run), (
        "link's figures (records, persons, pairs kept, to review, refused) differ from section 6 of the "
        f"tutorial: re-run it and update the page.\n  printed: {run}\n  shown:   {shown_run}")
    assert run == shown_run
    assert evaluated.stderr.splitlines()[0] == "store: tut.sqlite"
    printed = [line.rstrip() for line in evaluated.stdout.splitlines()]
    assert printed == [line.rstrip() for line in shown_evaluate[1:]], (
        "evaluate's table differs from section 7 of the tutorial: re-run it and update the page (and the "
        "figures its prose quotes).\n" + evaluated.stdout)
