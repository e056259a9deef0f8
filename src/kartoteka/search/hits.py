"""The hits of one page: each candidate's names in every script, life facts, sources and reasons, read for the
page's candidates only (a few queries by primary key)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select

from kartoteka.linkage.tables import person_records, persons
from kartoteka.linkage.vocabulary import PREFECTURES, prefecture_code
from kartoteka.search.rank import Scored
from kartoteka.search.tables import search_index
from kartoteka.search.types import SearchHit
from kartoteka.store import records

_PREFECTURE_NAMES = {code: kanji for code, kanji, _ in PREFECTURES}
_SCRIPT_OF = {"cyrillic": "cyrillic", "katakana": "kana", "hiragana": "kana", "kanji": "kanji", "mixed": "kanji",
              "latin": "romaji"}


def _written(row: Any) -> str | None:
    parts = [p for p in (row.surname, row.given_name) if p and str(p).strip()]
    return " ".join(parts) if parts else (row.name_original or None)


def _romaji(text: str | None) -> str | None:
    from kartoteka.core.errors import KartotekaError
    from kartoteka.names import readings

    if not text:
        return None
    try:
        found = readings(text, limit=1)
    except KartotekaError:
        return None
    return found[0].romaji if found else None


def _reasons(entry: Scored, spelled: str | None, kind: str) -> list[str]:
    reading = entry.reading
    asked = reading.shown + (" (given name first)" if reading.turned else "")
    met = f"{spelled} ({kind.replace('_', ' ')})" if spelled else f"a {kind.replace('_', ' ')} record"
    out = [f"the query read as {asked} met {met}: name similarity {entry.name_score:.2f}"]
    if entry.exact:
        out.append(f"spelled exactly as asked: {spelled}")
    out += entry.notes
    return out


def _record_rows(conn: Any, record_ids: list[int]) -> dict[int, Any]:
    query = select(records.c.id, records.c.kind, records.c.record_ref, records.c.surname, records.c.given_name,
                   records.c.name_original, records.c.script, records.c.birth_year, records.c.prefecture,
                   records.c.birth_place, records.c.death_date).where(records.c.id.in_(record_ids))
    return {int(row.id): row for row in conn.execute(query)} if record_ids else {}


def _record_hit(entry: Scored, row: Any, fate: str) -> SearchHit:
    """A record standing for its person (no link has run yet)."""
    written = _written(row)
    names: dict[str, str | None] = {"cyrillic": None, "kana": None, "kanji": None, "romaji": None}
    names[_SCRIPT_OF.get(row.script or "", "cyrillic")] = written
    names["romaji"] = names["romaji"] or _romaji(written)
    code = prefecture_code(row.prefecture) or prefecture_code(row.birth_place)
    return SearchHit(person_id=None, record_id=entry.record_id, score=entry.score, names=names,
                     birth_year=row.birth_year, prefecture=_PREFECTURE_NAMES.get(code) if code else None, fate=fate,
                     death_date=row.death_date or None, record_count=1, sources={row.kind: 1},
                     record_refs=[row.record_ref], reasons=_reasons(entry, written, row.kind))


def page_hits(conn: Any, page: list[Scored]) -> list[SearchHit]:
    """The SearchHits of one page of ranked candidates, in its order."""
    person_ids = [s.person_id for s in page if s.person_id is not None]
    people = {int(row.id): row for row in conn.execute(select(persons).where(persons.c.id.in_(person_ids)))} \
        if person_ids else {}
    members: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if person_ids:
        query = select(person_records.c.person_id, records.c.kind, records.c.record_ref).join(
            records, records.c.id == person_records.c.record_id).where(
            person_records.c.person_id.in_(person_ids)).order_by(person_records.c.person_id, records.c.id)
        for row in conn.execute(query):
            members[int(row.person_id)].append((row.kind, row.record_ref))
    best = _record_rows(conn, [s.record_id for s in page])
    fates = dict(conn.execute(select(search_index.c.record_id, search_index.c.fate).where(
        search_index.c.record_id.in_([s.record_id for s in page]))).all()) if page else {}
    hits = []
    for entry in page:
        row = best.get(entry.record_id)
        person = people.get(entry.person_id) if entry.person_id is not None else None
        if person is None:
            if row is not None:
                hits.append(_record_hit(entry, row, fates.get(entry.record_id, "unknown")))
            continue
        kinds = members.get(int(person.id), [])
        hits.append(SearchHit(
            person_id=int(person.id), record_id=entry.record_id, score=entry.score,
            names={"cyrillic": person.name_cyrillic, "kana": person.name_kana, "kanji": person.name_kanji,
                   "romaji": person.name_romaji},
            birth_year=person.birth_year, prefecture=person.prefecture, fate=person.fate,
            death_date=person.death_date, record_count=int(person.record_count),
            sources=dict(Counter(kind for kind, _ in kinds)), record_refs=[ref for _, ref in kinds],
            reasons=_reasons(entry, _written(row) if row is not None else None, row.kind if row is not None else
                             "source")))
    return hits
