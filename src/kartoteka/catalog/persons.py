"""A person page's data: names in every script with their readings, the timeline, every record with its
citation, how sure the grouping is; a retired id answers Moved (where its records went)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select

from kartoteka.access.policy import (
    PUBLIC_VIEWER,
    Access,
    Viewer,
    person_access,
    possibly_living,
    record_access,
)
from kartoteka.catalog.common import SIMULATED_MARK, not_found, record_rows, record_view
from kartoteka.catalog.tables import person_redirects
from kartoteka.catalog.timeline import build_timeline
from kartoteka.catalog.types import Grouping, Moved, NameForm, PersonView, RecordView
from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.tables import decisions, link_runs, person_records, persons
from kartoteka.names import detect_script, readings
from kartoteka.names.readings import make_reading
from kartoteka.store import Store

_NAME_KEYS = ("cyrillic", "kana", "kanji", "romaji")
# Public name fields a record may hold besides its own spelling (a death roster's Cyrillic and kanji, a roster's
# reading): each is a name form of the person too.
_EXTRA_NAME_FIELDS = ("name_cyrillic", "name_kanji", "name_reading")
_READINGS = 3


def person(store: Store, person_id: int, viewer: Viewer = PUBLIC_VIEWER) -> PersonView | Moved:
    """The person with this id in the current run, or Moved when a run retired the id (merged or split); what
    of it ``viewer`` sees is the access policy's (a possibly living person below reviewer: the list fields)."""
    simulated = store.is_simulated()
    with store.engine.connect() as conn:
        row = conn.execute(select(persons).where(persons.c.id == person_id)).first()
        if row is None:
            moved = moved_to(conn, person_id)
            if moved is not None:
                return moved
            raise _no_person(conn, person_id)
        members = conn.execute(select(person_records.c.record_id, person_records.c.match_probability).where(
            person_records.c.person_id == person_id)).all()
        record_ids = [int(r) for r, _ in members]
        rows = record_rows(conn, record_ids)
        run = conn.execute(select(link_runs.c.model_version).where(link_runs.c.id == row.run_id)).first()
        decided = _decisions_touching(conn, record_ids)
    living = possibly_living(row.birth_year, row.fate == "died")
    views = [record_view(r, person_id, simulated, record_access(viewer, r["kind"], person_id, living)) for r in rows]
    access = person_access(viewer, person_id, living)
    listed = access == Access.LIST  # the list fields only: no unit, rank, death, burial, flags
    probabilities = [p for _, p in members if p is not None]
    grouping = Grouping(
        made_by="reviewer" if decided else ("model" if len(record_ids) > 1 else "single record"),
        model_version=None if run is None else run.model_version, run_id=int(row.run_id),
        weakest_link=min(probabilities) if probabilities else None, decisions=decided,
        flags=[] if listed else [flag for flag in (row.flags or "").split("; ") if flag])
    names = {key: getattr(row, f"name_{key}") for key in _NAME_KEYS}
    return PersonView(
        id=person_id, names=names, name_forms=name_forms(views), birth_year=row.birth_year,
        prefecture=row.prefecture, unit=None if listed else row.unit, rank=None if listed else row.rank,
        fate=row.fate, death_date=None if listed else row.death_date,
        death_place=None if listed else row.death_place, burial_site=None if listed else row.burial_site,
        timeline=[event for event in build_timeline(row.birth_year, views) if not listed or event.kind == "birth"],
        records=views, grouping=grouping,
        citation=_person_citation(person_id, names, views, simulated), simulated=simulated, access=access.value)


def moved_to(conn: Any, person_id: int) -> Moved | None:
    """Where a retired id's records went, following later runs' redirects to the persons that exist now."""
    first = conn.execute(select(person_redirects.c.new_person_id, person_redirects.c.reason).where(
        person_redirects.c.old_person_id == person_id)).all()
    if not first:
        return None
    reason = first[0].reason if len(first) == 1 else "split"
    now: set[int] = set()
    seen = {person_id}
    frontier = [int(r.new_person_id) for r in first]
    while frontier:  # a target retired by a later run: follow its own redirects
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        onward = conn.execute(select(person_redirects.c.new_person_id).where(
            person_redirects.c.old_person_id == current)).all()
        if onward:
            frontier.extend(int(r[0]) for r in onward)
        else:
            now.add(current)
    if len(now) > 1:
        reason = "split"
    return Moved(person_id=person_id, now=sorted(now), reason=reason)


def _no_person(conn: Any, person_id: int) -> KartotekaError:
    if conn.execute(select(func.count()).select_from(persons)).scalar_one() == 0:
        return not_found("person", person_id, "no link has run on this store yet, so there are no persons: run "
                                              "`kartoteka link`; each record has its page meanwhile (/records/ID)")
    return not_found("person", person_id, "check the id, or search for the name")


def _decisions_touching(conn: Any, record_ids: list[int]) -> int:
    """The reviewers' decisions in force that name one of these records."""
    if not record_ids:
        return 0
    query = select(decisions.c.record_id_l, decisions.c.record_id_r).where(
        decisions.c.undone_at.is_(None),
        or_(decisions.c.record_id_l.in_(record_ids), decisions.c.record_id_r.in_(record_ids)))
    return len({(min(a, b), max(a, b)) for a, b in conn.execute(query)})


def _name_texts(view: RecordView) -> list[tuple[str, tuple[str, str] | None]]:
    """The record's spellings of the name, each with its (surname, given name) when the record says which is which."""
    fields = view.fields
    surname, given = (str(fields.get(part) or "").strip() for part in ("surname", "given_name"))
    texts: list[tuple[str, tuple[str, str] | None]] = []
    if surname and given:
        texts.append((f"{surname} {given}", (surname, given)))
    elif surname or given or fields.get("name_original"):
        texts.append(((surname or given or str(fields.get("name_original") or "")).strip(), None))
    texts += [(str(fields[name]).strip(), None) for name in _EXTRA_NAME_FIELDS if fields.get(name)]
    return [(text, parts) for text, parts in texts if text]


def _script(text: str) -> str:
    try:
        return detect_script(text)
    except KartotekaError:
        return "mixed"


def reading_lines(text: str, parts: tuple[str, str] | None = None) -> list[str]:
    """The best readings of a spelling, as "romaji (katakana)"; none for what the names engine cannot read.

    Without the decoder's search (search=False): a spelling clerks often wrote is answered from the table of
    common spellings (the search's own answers, computed ahead), a rare one by its literal reading; the search
    took up to a second for a rare spelling, too slow for a page. When the record says which word is the
    surname, each part is read as what it is (a full name's reading first weighs both word orders, which runs
    the search even with search=False)."""
    try:
        if parts is None:
            found = readings(text, limit=_READINGS, search=False)
        else:
            surnames = readings(parts[0], limit=_READINGS, part="surname", search=False)
            given = readings(parts[1], limit=_READINGS, part="given", search=False)
            found = sorted((make_reading(f"{s.kana} {g.kana}", s.probability * g.probability)
                            for s in surnames for g in given), key=lambda r: -r.probability)[:_READINGS]
    except KartotekaError:
        return []
    return [f"{r.romaji} ({r.kana})" for r in found]


def name_forms(views: list[RecordView]) -> list[NameForm]:
    """Every spelling of the name in the records, with the records that spell it so, most records first."""
    spelled: dict[str, list[int]] = {}
    parts_of: dict[str, tuple[str, str] | None] = {}
    for view in views:
        for text, parts in _name_texts(view):
            ids = spelled.setdefault(text, [])
            parts_of[text] = parts_of.get(text) or parts
            if view.id not in ids:
                ids.append(view.id)
    order = sorted(spelled, key=lambda text: (-len(spelled[text]), min(spelled[text])))
    return [NameForm(script=_script(text), text=text, readings=reading_lines(text, parts_of[text]),
                     record_ids=spelled[text]) for text in order]


def _person_citation(person_id: int, names: Mapping[str, str | None], views: list[RecordView],
                     simulated: bool) -> str:
    shown = " / ".join(n for n in (names.get("kanji"), names.get("kana"), names.get("cyrillic")) if n)
    sources = Counter(view.citation.source_name for view in views)
    text = (f"{shown or 'unnamed'}, kartoteka person {person_id} ({len(views)} records from "
            f"{len(sources)} sources: {', '.join(sorted(sources))})")
    return text + (f" [{SIMULATED_MARK}]" if simulated else "")
