"""Readers' corrections: a note on a person or a record, kept in the store for the editors. The contact a reader
leaves is for the editors only: it is listed by `kartoteka corrections`, never on a public page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select

from kartoteka.catalog.tables import corrections as corrections_table
from kartoteka.catalog.tables import person_redirects
from kartoteka.catalog.types import Correction
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import persons
from kartoteka.store import Store, records

MAX_TEXT = 5000
MAX_CONTACT = 500
LANGUAGES = ("ja", "en", "ru")


def _refuse(message: str, hint: str, **details: object) -> KartotekaError:
    return KartotekaError("catalog.correction", message, hint=hint, details=details)


def _check(text: str, contact: str | None, language: str | None) -> tuple[str, str | None, str | None]:
    note = (text or "").strip()
    if not note:
        raise _refuse("the correction is empty", "write what is wrong and, if you know it, what is right")
    if len(note) > MAX_TEXT:
        raise _refuse(f"the correction is {len(note):,} characters long; at most {MAX_TEXT:,} are kept",
                      "shorten it, or send the longer account with a contact so the editors can reply",
                      length=len(note), limit=MAX_TEXT)
    contact = (contact or "").strip() or None
    if contact is not None and len(contact) > MAX_CONTACT:
        raise _refuse(f"the contact is {len(contact):,} characters long; at most {MAX_CONTACT} are kept",
                      "give an e-mail address or a telephone number", length=len(contact), limit=MAX_CONTACT)
    language = (language or "").strip().lower() or None
    if language is not None and language not in LANGUAGES:
        raise _refuse(f"unknown language {language!r}", f"use one of {', '.join(LANGUAGES)}", value=language)
    return note, contact, language


def add_correction(store: Store, text: str, person_id: int | None = None, record_id: int | None = None,
                   contact: str | None = None, language: str | None = None) -> int:
    """Keep a reader's correction of a person (or a retired person id) or a record; return its id."""
    note, contact, language = _check(text, contact, language)
    if person_id is None and record_id is None:
        raise _refuse("a correction names the person or the record it corrects",
                      "send it from the person's or the record's page")
    with store.engine.begin() as conn:
        if person_id is not None and not _person_known(conn, person_id):
            raise KartotekaError("catalog.not_found", f"no person with the id {person_id!r}",
                                 hint="send the correction from the person's page", details={"id": person_id})
        if record_id is not None and conn.execute(
                select(records.c.id).where(records.c.id == record_id)).first() is None:
            raise KartotekaError("catalog.not_found", f"no record with the id {record_id!r}",
                                 hint="send the correction from the record's page", details={"id": record_id})
        result = conn.execute(insert(corrections_table).values(
            person_id=person_id, record_id=record_id, text=note, contact=contact, language=language,
            created_at=dt.datetime.now(dt.UTC), status="new"))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def _person_known(conn: Any, person_id: int) -> bool:
    """A person of the current run, or a retired id (its page says where its records went)."""
    return any(conn.execute(select(column).where(column == person_id).limit(1)).first() is not None
               for column in (persons.c.id, person_redirects.c.old_person_id))


def corrections(store: Store) -> list[Correction]:
    """Every correction, oldest first (with the contact: for the editors, not for a public page)."""
    query = select(corrections_table).order_by(corrections_table.c.id)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Correction(id=int(r.id), person_id=r.person_id, record_id=r.record_id, text=r.text, contact=r.contact,
                       created_at=str(r.created_at), status=r.status) for r in rows]
