"""Fixtures of the fault tests: a small simulated archive (SIMULATED names), made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .injection import environment_ok

ARCHIVE_PERSONS = 500


@pytest.fixture(autouse=True)
def _needs_linux() -> None:
    reason = environment_ok()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SIMULATED archive of 500 persons (about 2,000 records), written once."""
    from kartoteka.simulate import simulate_archive

    out = tmp_path_factory.mktemp("faults") / "archive"
    simulate_archive(out, persons=ARCHIVE_PERSONS, seed=11, profile="realistic", workers=1)
    return out
