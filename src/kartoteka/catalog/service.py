"""The catalog's reads and the one write (a reader's correction). Stubs of the contract; see __init__."""

from __future__ import annotations

from pathlib import Path

from kartoteka.catalog.types import (
    Correction,
    MemorialPage,
    MemorialRow,
    Moved,
    PersonView,
    RecordView,
    SourceView,
    StoreInfo,
)
from kartoteka.store.database import Store


def store_info(store: Store) -> StoreInfo:
    raise NotImplementedError


def person(store: Store, person_id: int) -> PersonView | Moved:
    raise NotImplementedError


def record(store: Store, record_id: int) -> RecordView:
    raise NotImplementedError


def memorial_rows(store: Store) -> list[MemorialRow]:
    raise NotImplementedError


def memorial(store: Store, row: str | None = None, prefecture: str | None = None, limit: int = 100,
             offset: int = 0) -> MemorialPage:
    raise NotImplementedError


def sources(store: Store) -> list[SourceView]:
    raise NotImplementedError


def add_correction(store: Store, text: str, person_id: int | None = None, record_id: int | None = None,
                   contact: str | None = None, language: str | None = None) -> int:
    raise NotImplementedError


def corrections(store: Store) -> list[Correction]:
    raise NotImplementedError


def export_persons(store: Store, out: Path, fmt: str = "csv") -> int:
    raise NotImplementedError
