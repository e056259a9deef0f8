"""cardgen's files: the same seed gives the same bytes; columns as asked; a truth row for every card."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cardgen import ALL_COLUMNS, FIVE_COLUMNS, choose_columns, generate_file, truth_path_for


def read_cards(path: Path) -> tuple[str, list[dict[str, str]]]:
    """The SIMULATED line and the rows of a card file."""
    with open(path, encoding="utf-8", newline="") as handle:
        first = handle.readline()
        return first, list(csv.DictReader(handle))


def read_truth(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_same_seed_gives_the_same_files_and_another_seed_others(tmp_path: Path) -> None:
    first = generate_file(tmp_path / "a" / "cards.csv", 700, seed=5)
    second = generate_file(tmp_path / "b" / "cards.csv", 700, seed=5)
    other = generate_file(tmp_path / "c" / "cards.csv", 700, seed=6)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.truth_path.read_bytes() == second.truth_path.read_bytes()
    assert first.path.read_bytes() != other.path.read_bytes()


def test_the_command_line_writes_what_the_function_writes(tmp_path: Path) -> None:
    out = tmp_path / "cli" / "cards.csv"
    done = subprocess.run([sys.executable, "-m", "cardgen", str(out), "--cards", "300", "--seed", "3",
                           "--columns", "five"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "300 cards" in done.stdout and "SIMULATED" in done.stdout
    made = generate_file(tmp_path / "fn" / "cards.csv", 300, seed=3, columns="five")
    assert out.read_bytes() == made.path.read_bytes()
    assert truth_path_for(out).read_bytes() == made.truth_path.read_bytes()


def test_the_command_line_refuses_a_bad_count(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cardgen", str(tmp_path / "x.csv"), "--cards", "0"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2 and "--cards" in done.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(("spec", "expected"), [("five", FIVE_COLUMNS), ("all", ALL_COLUMNS)])
def test_fixed_column_sets(tmp_path: Path, spec: str, expected: tuple[str, ...]) -> None:
    made = generate_file(tmp_path / "cards.csv", 50, seed=1, columns=spec)
    first, rows = read_cards(made.path)
    assert first.startswith("# SIMULATED")
    assert tuple(rows[0]) == expected == made.columns


def test_random_columns_vary_by_seed_and_always_hold_the_names() -> None:
    drawn = {choose_columns("random", seed) for seed in range(40)}
    assert len(drawn) > 10  # really chosen per file
    assert all(c[:2] == ("Фамилия", "Имя") and set(c) <= set(ALL_COLUMNS) for c in drawn)
    assert choose_columns("random", 9) == choose_columns("random", 9)


def test_the_columns_leave_the_cards_as_they_are(tmp_path: Path) -> None:
    """A five-column file is the all-column file of the same seed with fewer columns shown."""
    five = read_cards(generate_file(tmp_path / "five.csv", 400, seed=2, columns="five").path)[1]
    every = read_cards(generate_file(tmp_path / "all.csv", 400, seed=2, columns="all").path)[1]
    assert five == [{c: row[c] for c in FIVE_COLUMNS} for row in every]


def test_the_truth_covers_every_row_once(tmp_path: Path) -> None:
    made = generate_file(tmp_path / "cards.csv", 1500, seed=4)
    _, rows = read_cards(made.path)
    truth = read_truth(made.truth_path)
    assert len(rows) == len(truth) == made.cards == 1500
    assert [t["record_ref"] for t in truth] == [f"cards.csv:{n}" for n in range(3, 1503)]  # editor lines
    assert {t["kind"] for t in truth} == {"card"}
    sizes = Counter(t["person_id"] for t in truth)
    assert len(sizes) == made.persons
    assert set(sizes.values()) <= {1, 2, 3, 4} and max(sizes.values()) > 1
    assert 1.15 < made.cards / made.persons < 1.5  # about 1.3 cards a man
