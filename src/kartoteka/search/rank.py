"""Candidates from the index (index seeks on the name keys), scored by name and filters, grouped to persons.

    candidates(conn, read)      index rows whose keys meet one of the query's readings
    rank(conn, read, rows)      scored candidates, best first: one per person (or per record before any link)

The name score is the best, over the query's readings and the record's readings, of a length-weighted edit
similarity of surname and given name (rapidfuzz on the folded romaji: a few microseconds a pair, where
names.similarity takes milliseconds), nudged by the reading's probability, plus a bonus when the record is spelled
exactly as asked. The filters multiply it: a person whose records say otherwise is left out, one whose records are
silent keeps a slightly lower score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import Select, select, union

from kartoteka.search.query import NameReading, ReadQuery, spelling_key
from kartoteka.search.tables import search_index
from kartoteka.store import records

MAX_CANDIDATES = 20_000  # records read for one query; a surname alone of the commonest names reaches it
MIN_NAME_SCORE = 0.6  # below this a candidate is not a hit
_EXACT_SHARE = 0.1  # of the name score: the record spelled exactly as asked (same kanji, same kana)
_READING_SHARE = 0.03  # of the name score: how likely the reading of the query that met the record is
_SILENT = 0.9  # factor for a filter the person's records say nothing about
_PER_YEAR = 0.02  # birth year: factor lost per year away from the year asked

_ROW = (search_index.c.record_id, search_index.c.person_id, search_index.c.kind, search_index.c.sn_set,
        search_index.c.gn_set, search_index.c.birth_year, search_index.c.pref, search_index.c.camp,
        search_index.c.fate, search_index.c.death_year)


@dataclass
class Scored:
    """A candidate (a person, or a record before any link) with its score and what made it."""

    person_id: int | None
    record_id: int  # the best record of the person for this query
    score: float
    name_score: float
    reading: NameReading
    exact: bool
    notes: list[str] = field(default_factory=list)


def _seeks(read: ReadQuery) -> list[Select[Any]]:
    """Index seeks: (surname key, given key) pairs on each of the three key pairs for a full name; the folded
    surname (and, capped, its coarse key) for a surname alone."""
    full = [r for r in read.readings if r.given]
    alone = [r for r in read.readings if not r.given]
    seeks: list[Select[Any]] = []
    if full:
        from kartoteka.linkage.features import blocking_key

        s_keys = sorted({k for r in full if (k := blocking_key(r.surname))})
        g_keys = sorted({k for r in full if r.given and (k := blocking_key(r.given))})
        for s_col, g_col in (("sn_key", "gn_key"), ("sn_key2", "gn_key2"), ("sn_lkey", "gn_lkey")):
            seeks.append(select(search_index.c.record_id).where(search_index.c[s_col].in_(s_keys),
                                                                search_index.c[g_col].in_(g_keys)))
    if alone:
        folds = sorted({r.surname for r in alone})
        seeks.append(select(search_index.c.record_id).where(search_index.c.sn_fold.in_(folds)))
    return seeks


def candidates(conn: Any, read: ReadQuery) -> list[Any]:
    """The index rows of the records whose keys meet one of the query's readings (at most MAX_CANDIDATES)."""
    seeks = _seeks(read)
    ids = union(*seeks).subquery() if len(seeks) > 1 else seeks[0].subquery()
    query = select(*_ROW).where(search_index.c.record_id.in_(select(ids.c.record_id))).limit(MAX_CANDIDATES)
    return list(conn.execute(query))


def _similarities(queries: list[str], tokens: list[str]) -> dict[tuple[str, str], float]:
    if not queries or not tokens:
        return {}
    matrix = process.cdist(queries, tokens, scorer=fuzz.ratio, dtype=np.uint8)
    return {(q, t): float(matrix[i, j]) / 100 for i, q in enumerate(queries) for j, t in enumerate(tokens)}


def _best_name(read: ReadQuery, rows: list[Any]) -> list[tuple[float, NameReading]]:
    """For each row, the best (similarity, reading of the query) over every reading on both sides."""
    sn_tokens = [(row.sn_set or "").split() for row in rows]
    gn_tokens = [(row.gn_set or "").split() for row in rows]
    s_sim = _similarities(sorted({r.surname for r in read.readings}), sorted({t for ts in sn_tokens for t in ts}))
    g_sim = _similarities(sorted({r.given for r in read.readings if r.given}),
                          sorted({t for ts in gn_tokens for t in ts}))
    top = max(r.probability for r in read.readings) or 1.0
    out = []
    for surnames, givens in zip(sn_tokens, gn_tokens, strict=True):
        best, chosen = -1.0, read.readings[0]
        for reading in read.readings:
            s = max((s_sim[(reading.surname, t)] for t in surnames), default=0.0)
            if reading.given:
                g = max((g_sim[(reading.given, t)] for t in givens), default=0.0)
                ls, lg = len(reading.surname), len(reading.given)
                similarity = (ls * s + lg * g) / (ls + lg)
            else:
                similarity = s
            value = similarity * (1 - _READING_SHARE) + _READING_SHARE * reading.probability / top
            if value > best:
                best, chosen = value, reading
        out.append((best, chosen))
    return out


def _spellings(conn: Any, record_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(surname, surname + given) of each record as written, folded for an exact match."""
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(record_ids), 5000):
        chunk = record_ids[start:start + 5000]
        query = select(records.c.id, records.c.surname, records.c.given_name, records.c.name_original).where(
            records.c.id.in_(chunk))
        for row in conn.execute(query):
            surname = spelling_key(row.surname)
            full = surname + spelling_key(row.given_name) if surname else spelling_key(row.name_original)
            out[int(row.id)] = (surname, full)
    return out


@dataclass
class _Facts:
    """What a person's records say, for the filters."""

    birth_years: set[int] = field(default_factory=set)
    prefectures: set[int] = field(default_factory=set)
    camps: set[str] = field(default_factory=set)
    death_years: set[int] = field(default_factory=set)
    fates: set[str] = field(default_factory=set)

    def add(self, row: Any) -> None:
        for values, value in ((self.birth_years, row.birth_year), (self.prefectures, row.pref),
                              (self.camps, row.camp), (self.death_years, row.death_year), (self.fates, row.fate)):
            if value is not None:
                values.add(value)

    @property
    def fate(self) -> str:
        return "died" if "died" in self.fates else "repatriated" if "repatriated" in self.fates else "unknown"


def _person_facts(conn: Any, person_ids: list[int]) -> dict[int, _Facts]:
    facts: dict[int, _Facts] = defaultdict(_Facts)
    for start in range(0, len(person_ids), 5000):
        query = select(*_ROW).where(search_index.c.person_id.in_(person_ids[start:start + 5000]))
        for row in conn.execute(query):
            facts[int(row.person_id)].add(row)
    return facts


def _filter_factor(read: ReadQuery, facts: _Facts) -> tuple[float, list[str]] | None:
    """The factor the filters give a person (None: its records contradict a filter) and notes on each."""
    query, factor, notes = read.query, 1.0, []
    if query.birth_year is not None:
        if not facts.birth_years:
            factor *= _SILENT
            notes.append("no birth year on record")
        else:
            gap = min(abs(year - query.birth_year) for year in facts.birth_years)
            if gap > query.birth_year_tolerance:
                return None
            factor *= 1 - _PER_YEAR * gap
            notes.append(f"born {min(facts.birth_years, key=lambda y: abs(y - query.birth_year))}")  # type: ignore[operator]
    for asked, known, label in ((read.prefecture, facts.prefectures, "prefecture"), (read.camp, facts.camps, "camp"),
                                (query.death_year, facts.death_years, "death year")):
        if asked is None:
            continue
        if not known:
            factor *= _SILENT
            notes.append(f"no {label} on record")
        elif asked not in known:
            return None
    if query.fate is not None and facts.fate != query.fate:
        return None
    return factor, notes


def rank(conn: Any, read: ReadQuery, rows: list[Any]) -> list[Scored]:
    """The candidates scored and grouped, best first: one entry per person (per record before any link)."""
    if not rows:
        return []
    named = _best_name(read, rows)
    kept = [(row, sim, reading) for row, (sim, reading) in zip(rows, named, strict=True) if sim >= MIN_NAME_SCORE]
    spelled = _spellings(conn, [int(row.record_id) for row, _, _ in kept])
    best: dict[tuple[str, int], Scored] = {}
    for row, sim, reading in kept:
        surname, full = spelled.get(int(row.record_id), ("", ""))
        exact = (full if reading.given else surname) in read.spellings
        name_score = sim * (1 - _EXACT_SHARE) + (_EXACT_SHARE if exact else 0.0)
        key = ("p", int(row.person_id)) if row.person_id is not None else ("r", int(row.record_id))
        if key not in best or best[key].name_score < name_score:
            best[key] = Scored(None if row.person_id is None else int(row.person_id), int(row.record_id),
                               name_score, name_score, reading, exact)
    return _filtered(conn, read, list(best.values()), rows)


def _has_filters(read: ReadQuery) -> bool:
    query = read.query
    return any(value is not None for value in (query.birth_year, read.prefecture, read.camp, query.fate,
                                               query.death_year))


def _filtered(conn: Any, read: ReadQuery, scored: list[Scored], rows: list[Any]) -> list[Scored]:
    if _has_filters(read):
        persons = sorted({s.person_id for s in scored if s.person_id is not None})
        facts = _person_facts(conn, persons)
        alone: dict[int, _Facts] = {}
        for row in rows:
            if row.person_id is None:
                alone.setdefault(int(row.record_id), _Facts()).add(row)
        out = []
        for entry in scored:
            found = facts[entry.person_id] if entry.person_id is not None else alone[entry.record_id]
            judged = _filter_factor(read, found)
            if judged is None:
                continue
            entry.score, entry.notes = entry.name_score * judged[0], judged[1]
            out.append(entry)
        scored = out
    for entry in scored:
        entry.score = round(min(1.0, max(0.0, entry.score)), 4)
    scored.sort(key=lambda s: (-s.score, s.person_id if s.person_id is not None else s.record_id))
    return scored
