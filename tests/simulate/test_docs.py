"""The profile rates in the docs are the ones in the code (the field noise and coverage tables)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from kartoteka.simulate.profiles import FieldNoise, rates_table_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "simulation-profiles.md"


def test_field_noise_and_coverage_tables_in_the_docs_match_the_code():
    text = DOC.read_text(encoding="utf-8")
    current = rates_table_markdown()
    field_noise = current.split("### Name channel")[0]
    coverage = current[current.index("### Coverage"):]
    assert field_noise in text, "regenerate the tables with kartoteka.simulate.profiles.rates_table_markdown()"
    assert coverage in text


def test_every_field_noise_rate_is_explained():
    text = DOC.read_text(encoding="utf-8")
    explained = text.split("## What each field-noise rate does")[1].split("## The rates")[0]
    for field in fields(FieldNoise):
        assert f"| `{field.name}` |" in explained, field.name
