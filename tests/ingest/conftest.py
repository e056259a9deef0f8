"""Helpers for the ingest tests (the shared ``store_url`` / ``store`` fixtures are in tests/conftest.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kartoteka.store import Store, quarantine, records, sources

RU_HEADER = ["Фамилия", "Имя", "Отчество", "Год рождения", "Лагерь", "Дата смерти"]
RU_ROWS = [
    ["Иванов", "Пётр", "Сергеевич", "1920", "7", "20.01.46"],
    ["Танака", "Итиро", "", "1918", "16", ""],
    ["Ямада", "Таро", "", "1915", "20", "3-я декада января 1946"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    """Write a CSV file in ``encoding`` with the csv module's quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def counts(store: Store) -> dict[str, int]:
    """Rows in records, quarantine and sources: what a test compares before and after."""
    with store.engine.connect() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (records, quarantine, sources)}


@pytest.fixture
def ru_cards(tmp_path: Path) -> Path:
    """Three good Russian-header cards in UTF-8."""
    return write_csv(tmp_path / "cards.csv", RU_HEADER, RU_ROWS)
