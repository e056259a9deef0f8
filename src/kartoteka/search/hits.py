"""The hits of one page: each candidate's names in every script, life facts, sources and reasons, read for the
page's candidates only (a few queries by primary key)."""

from __future__ import annotations

from collections import Counter, defaultdict, namedtuple
from typing import Any

from kartoteka.linkage.vocabulary import PREFECTURES, prefecture_code
from kartoteka.search.rank import Scored, rows_by_ids
from kartoteka.search.types import SearchHit

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


_RECORD_SQL = ("SELECT r.id, r.kind, r.record_ref, r.surname, r.given_name, r.name_original, r.script, r.birth_year, "
               "r.prefecture, r.birth_place, r.death_date, s.fate FROM records r "
               "LEFT JOIN search_index s ON s.record_id = r.id WHERE r.id IN ")
_PERSON_SQL = ("SELECT id, name_cyrillic, name_kana, name_kanji, name_romaji, birth_year, prefecture, fate, death_date, "
               "record_count FROM persons WHERE id IN ")
_MEMBER_SQL = ("SELECT pr.person_id, r.id, r.kind, r.record_ref FROM person_records pr JOIN records r ON r.id = pr.record_id "
               "WHERE pr.person_id IN ")
_RecordRow = namedtuple("_RecordRow", "id kind record_ref surname given_name name_original script birth_year "
                                      "prefecture birth_place death_date fate")
_PersonRow = namedtuple("_PersonRow", "id name_cyrillic name_kana name_kanji name_romaji birth_year prefecture fate "
                                      "death_date record_count")


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
    """The SearchHits of one page of ranked candidates, in its order (three statements by primary key)."""
    person_ids = sorted({s.person_id for s in page if s.person_id is not None})
    people = {int(row[0]): _PersonRow(*row) for row in rows_by_ids(conn, _PERSON_SQL, person_ids)}
    members: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, _, kind, ref in sorted(rows_by_ids(conn, _MEMBER_SQL, person_ids), key=lambda r: (r[0], r[1])):
        members[int(person_id)].append((kind, ref))
    best = {int(row[0]): _RecordRow(*row) for row in rows_by_ids(conn, _RECORD_SQL, sorted({s.record_id for s in page}))}
    fates = {record_id: row.fate for record_id, row in best.items()}
    hits = []
    for entry in page:
        row = best.get(entry.record_id)
        person = people.get(entry.person_id) if entry.person_id is not None else None
        if person is None:
            if row is not None:
                hits.append(_record_hit(entry, row, fates.get(entry.record_id) or "unknown"))
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
