"""Shared simulated archives for the simulate tests (built once per test process)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kartoteka.simulate import simulate_archive

CALIBRATION_PERSONS = 20_000  # large enough for the calibration figures to be stable, small enough for seconds


def read_rows(directory: Path, name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The rows of a simulated CSV, skipping the '# SIMULATED' line."""
    with open(directory / name, encoding=encoding, newline="") as handle:
        first = handle.readline()
        assert first.startswith("# SIMULATED")
        return list(csv.DictReader(handle))


def read_plain(path: Path) -> list[dict[str, str]]:
    """The rows of truth.csv or persons.csv."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Archive:
    """A simulated archive on disk with its manifest, truth and persons loaded."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        self.persons = {row["person_id"]: row for row in read_plain(directory / "persons.csv")}
        self.truth = {row["record_ref"]: row for row in read_plain(directory / "truth.csv")}

    def file_rows(self, path: str, encoding: str) -> list[dict[str, str]]:
        """The rows of one file (asserting its '# SIMULATED' line)."""
        return read_rows(self.dir, path, encoding)

    def rows(self, kind: str) -> list[dict[str, str]]:
        """Every row of every file of a kind."""
        out = []
        for entry in self.manifest["files"]:
            if entry["kind"] == kind:
                out.extend(read_rows(self.dir, entry["path"], entry["encoding"]))
        return out

    def person_of(self, row: dict[str, str]) -> dict[str, str]:
        """The true person behind a row."""
        return self.persons[self.truth[row["record_ref"]]["person_id"]]


@pytest.fixture(scope="session")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    directory = tmp_path_factory.mktemp("realistic")
    simulate_archive(directory, persons=CALIBRATION_PERSONS, seed=11, profile="realistic", workers=1)
    return Archive(directory)


@pytest.fixture(scope="session")
def small_archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Archive]:
    """2,000-person archives of each profile, same seed."""
    out = {}
    for profile in ("clean", "realistic", "harsh"):
        directory = tmp_path_factory.mktemp(profile)
        simulate_archive(directory, persons=2_000, seed=5, profile=profile, workers=1)
        out[profile] = Archive(directory)
    return out
