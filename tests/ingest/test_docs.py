"""The columns reference documents every store column and every bundled mapping header."""

from __future__ import annotations

from pathlib import Path

from kartoteka.ingest import bundled_names, load_bundled
from kartoteka.store import RECORD_FIELDS

COLUMNS_DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "columns.md"


def test_every_store_column_and_bundled_header_is_documented():
    text = COLUMNS_DOC.read_text(encoding="utf-8")
    missing = [f"`{name}`" for name in RECORD_FIELDS if f"`{name}`" not in text]
    for name in bundled_names():
        assert f"`{name}`" in text
        missing += [f"{name}: {header}" for header in load_bundled(name).columns if f"| {header} |" not in text]
    assert missing == []
