"""`kartoteka export persons OUT`: one row per person of the current run, public fields only, streamed (575,000
persons at full scale are never all in memory: the persons and their record refs are read side by side, both
in person id order, and merged as they come)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select

from kartoteka.access.policy import LIST_PERSON_FIELDS, PUBLIC_PERSON_FIELDS, possibly_living
from kartoteka.catalog.common import SIMULATED_MARK
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import person_records, persons
from kartoteka.linkage.vocabulary import first_number
from kartoteka.store import Store, records

FORMATS = ("csv", "jsonl")
_PERSON_COLUMNS = ("id", "name_kanji", "name_kana", "name_romaji", "name_cyrillic", "birth_year", "prefecture",
                   "fate", "death_date", "death_place", "burial_site", "camps_json", "record_count")
assert set(_PERSON_COLUMNS) <= set(PUBLIC_PERSON_FIELDS)  # the policy decides what a person row may show
EXPORT_COLUMNS: tuple[str, ...] = (
    "person_id", "name_kanji", "name_kana", "name_romaji", "name_cyrillic", "birth_year", "prefecture", "fate",
    "death_date", "death_place", "burial_site", "camps", "record_count", "record_refs")
_YIELD = 5000


def export_format(out: Path, fmt: str | None) -> str:
    """The format asked for, or the one OUT's suffix names (.jsonl, .ndjson, .json: JSON Lines; else CSV)."""
    if fmt is None:
        return "jsonl" if out.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"
    chosen = fmt.strip().lower()
    if chosen not in FORMATS:
        raise KartotekaError("usage.format", f"unknown export format {fmt!r}",
                             hint="use --format csv or --format jsonl", details={"value": fmt, "known": list(FORMATS)})
    return chosen


def export_persons(store: Store, out: Path, fmt: str | None = "csv") -> int:
    """Write every person of the current run to ``out`` (csv or jsonl); return how many were written."""
    chosen = export_format(Path(out), fmt)
    simulated = store.is_simulated()
    with store.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(persons)).scalar_one() == 0:
            raise KartotekaError("catalog.no_persons", "the store has no persons yet: there is nothing to export",
                                 hint="run `kartoteka link` first; `kartoteka export KIND OUT` exports the records")
    try:
        handle = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise KartotekaError("usage.output", f"cannot write {out}: {exc.strerror}", file=str(out)) from exc
    count = 0
    with handle:
        write = _csv_writer(handle, simulated) if chosen == "csv" else _jsonl_writer(handle, simulated)
        for row in _person_rows(store):
            write(row)
            count += 1
    return count


def _person_rows(store: Store) -> Iterator[dict[str, Any]]:
    """Each person's public fields with the refs of its records, in person id order."""
    person_query = select(*[persons.c[name] for name in _PERSON_COLUMNS]).order_by(persons.c.id)
    refs_query = (select(person_records.c.person_id, records.c.record_ref)
                  .join(records, records.c.id == person_records.c.record_id)
                  .order_by(person_records.c.person_id, person_records.c.record_id))
    with store.engine.connect() as people, store.engine.connect() as refs:
        person_rows = people.execution_options(stream_results=True, yield_per=_YIELD).execute(person_query)
        ref_rows = iter(refs.execution_options(stream_results=True, yield_per=_YIELD).execute(refs_query))
        pending = next(ref_rows, None)
        for person in person_rows:
            found: list[str] = []
            while pending is not None and pending[0] <= person.id:
                if pending[0] == person.id:
                    found.append(str(pending[1]))
                pending = next(ref_rows, None)
            yield {**_public_person(person._mapping), "record_refs": found}


def _public_person(row: Any) -> dict[str, Any]:
    camps, numbers = [], set()
    for stay in json.loads(row["camps_json"]) if row["camps_json"] else []:
        name = stay.get("camp")
        number = first_number(name) or name  # "лагерь № 1" and "1" are one camp, named as first written
        if name and number not in numbers:
            camps.append(name)
            numbers.add(number)
    values = {name: row[name] for name in _PERSON_COLUMNS if name not in ("id", "camps_json")}
    if possibly_living(row["birth_year"], row["fate"] == "died"):  # the list fields only (access.policy)
        values = {name: value if name in LIST_PERSON_FIELDS else None for name, value in values.items()}
        camps = []
    return {"person_id": int(row["id"]), **values, "camps": camps}


def _csv_writer(handle: TextIO, simulated: bool) -> Any:
    writer = csv.writer(handle)
    writer.writerow((["simulated"] if simulated else []) + list(EXPORT_COLUMNS))
    marker = [SIMULATED_MARK] if simulated else []

    def write(row: dict[str, Any]) -> None:
        values = []
        for name in EXPORT_COLUMNS:
            value = row[name]
            if isinstance(value, list):
                value = (" | " if name == "record_refs" else "; ").join(value)
            values.append("" if value is None else value)
        writer.writerow(marker + values)

    return write


def _jsonl_writer(handle: TextIO, simulated: bool) -> Any:
    def write(row: dict[str, Any]) -> None:
        shown = {name: row[name] for name in EXPORT_COLUMNS if row[name] not in (None, [])}
        if simulated:
            shown = {"simulated": SIMULATED_MARK, **shown}
        handle.write(json.dumps(shown, ensure_ascii=False) + "\n")

    return write
