"""Every cardgen file imports into kartoteka through the bundled ru-card mapping with nothing quarantined."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from cardgen import ALL_COLUMNS, generate_file
from kartoteka.ingest import ImportOptions, import_file, load_bundled
from kartoteka.store import open_store
from kartoteka.store.schema import records


def test_every_header_cardgen_writes_is_one_of_the_ru_card_mapping() -> None:
    mapping = load_bundled("ru-card")
    assert {header: mapping.target_of(header) for header in ALL_COLUMNS} == {
        "Фамилия": "surname", "Имя": "given_name", "Отчество": "patronymic", "Год рождения": "birth_year",
        "Место рождения": "birth_place", "Воинское звание": "rank", "Часть": "unit", "Лагерь": "camp",
        "Дата смерти": "death_date"}


@pytest.mark.parametrize(("seed", "columns"), [(1, "all"), (2, "five"), (3, "random"), (4, "random")])
def test_a_file_imports_whole_and_its_truth_names_every_record(store_url: str, tmp_path: Path, seed: int,
                                                               columns: str) -> None:
    made = generate_file(tmp_path / f"cards-{seed}.csv", 1200, seed=seed, columns=columns)
    with open_store(store_url) as store:
        result = import_file(store, "card", made.path, ImportOptions(mapping="ru-card"))
        assert (result.rows_imported, result.rows_quarantined) == (1200, 0), result.quarantine_sample
        assert result.simulated  # the "# SIMULATED" first line marks the source
        with store.engine.connect() as conn:
            refs = {row[0] for row in conn.execute(select(records.c.record_ref))}
    with open(made.truth_path, encoding="utf-8", newline="") as handle:
        assert refs == {row["record_ref"] for row in csv.DictReader(handle)}


def test_the_cli_imports_a_file_of_all_columns(tmp_path: Path) -> None:
    made = generate_file(tmp_path / "cards.csv", 2000, seed=11, columns="all")
    db = tmp_path / "k.sqlite"
    done = subprocess.run([sys.executable, "-m", "kartoteka", "-d", str(db), "import", "card", str(made.path),
                           "--mapping", "ru-card", "-q"], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "imported 2,000 card records" in done.stdout and "0 in 0 quarantined rows" in done.stdout
    assert "SIMULATED" in done.stdout
