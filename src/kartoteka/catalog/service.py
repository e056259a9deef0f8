"""The catalog's reads and the one write (a reader's correction), gathered from their modules (see __init__)."""

from __future__ import annotations

from kartoteka.catalog.corrections import add_correction, corrections
from kartoteka.catalog.export import export_persons
from kartoteka.catalog.memorial import memorial, memorial_prefectures, memorial_rows
from kartoteka.catalog.persons import person
from kartoteka.catalog.records import record, sources, store_info

__all__ = [
    "add_correction",
    "corrections",
    "export_persons",
    "memorial",
    "memorial_prefectures",
    "memorial_rows",
    "person",
    "record",
    "sources",
    "store_info",
]
