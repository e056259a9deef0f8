"""Candidates from the index (index seeks on the name keys), scored by name and filters, grouped to persons.

    candidates(conn, read)      index rows whose keys meet one of the query's likely readings (one statement)
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
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from kartoteka.access.policy import possibly_living
from kartoteka.search.query import NameReading, ReadQuery, spelling_key

MAX_CANDIDATES = 20_000  # records read for one query; a surname alone of the commonest names reaches it
MIN_NAME_SCORE = 0.6  # below this a candidate is not a hit
_EXACT_SHARE = 0.1  # of the name score: the record spelled exactly as asked (same kanji, same kana)
_READING_SHARE = 0.03  # of the name score: how likely the reading of the query that met the record is
_SILENT = 0.9  # factor for a filter the person's records say nothing about
_PER_YEAR = 0.02  # birth year: factor lost per year away from the year asked


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


_SEEK_SHARE = 0.002  # a reading of the query this much less likely than the best is scored, not sought
_SEEK_READINGS = 16  # the likeliest readings sought on; the rest only score what these find
_KEY_PAIRS = (("sn_key", "gn_key"), ("sn_key2", "gn_key2"), ("sn_lkey", "gn_lkey"))
_ROW_SQL = ("SELECT s.record_id, s.person_id, s.kind, s.sn_set, s.gn_set, s.birth_year, s.pref, s.camp, s.fate, "
            "s.death_year, r.surname, r.given_name, r.name_original FROM search_index s "
            "JOIN records r ON r.id = s.record_id WHERE ")


class Row(NamedTuple):
    """An index row with its record's name as written (for the exact-spelling bonus); a named tuple, made from the
    driver's tuples at a fraction of a frozen dataclass's cost (a common surname reads thousands of them)."""

    record_id: int
    person_id: int | None
    kind: str
    sn_set: str | None
    gn_set: str | None
    birth_year: int | None
    pref: int | None
    camp: str | None
    fate: str
    death_year: int | None
    surname: str | None
    given_name: str | None
    name_original: str | None


def _sought(read: ReadQuery) -> list[NameReading]:
    top = max(r.probability for r in read.readings) or 1.0
    return [r for r in read.readings if r.probability >= _SEEK_SHARE * top][:_SEEK_READINGS]


def _seek_sql(read: ReadQuery, mark: str) -> tuple[str, list[Any]]:
    """One statement of index seeks: each likely reading's (surname key, given key) on each of the three key
    pairs for a full name; the folded surname for a surname alone. Each OR term is an index seek."""
    from kartoteka.linkage.features import blocking_key

    sought = _sought(read)
    pairs = sorted({(s, g) for r in sought if r.given and (s := blocking_key(r.surname)) and
                    (g := blocking_key(r.given))})
    folds = sorted({r.surname for r in sought if not r.given})
    terms, params = [], []
    for s_col, g_col in _KEY_PAIRS:
        for s_key, g_key in pairs:
            terms.append(f"(s.{s_col} = {mark} AND s.{g_col} = {mark})")
            params += [s_key, g_key]
    if folds:
        terms.append(f"s.sn_fold IN ({', '.join([mark] * len(folds))})")
        params += folds
    return " OR ".join(terms), params


def placeholder(conn: Any) -> str:
    """The driver's parameter mark: %s for psycopg, ? for sqlite3."""
    return "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"


def driver_rows(conn: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of one statement read through the driver: plain tuples, no statement for SQLAlchemy to compile
    (a search asks a few of these, each with its own number of parameters)."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def candidates(conn: Any, read: ReadQuery) -> list[Row]:
    """The index rows of the records whose keys meet one of the query's likely readings (at most MAX_CANDIDATES),
    read through the driver (plain tuples: a few thousand rows a query)."""
    where, params = _seek_sql(read, placeholder(conn))
    if not where:
        return []
    return list(map(Row._make, driver_rows(conn, f"{_ROW_SQL}{where} LIMIT {MAX_CANDIDATES}", params)))


def _set_matrix(queries: list[str], sets: list[str | None]) -> np.ndarray:
    """For each query reading (rows) and each distinct reading set (columns): the best similarity of the query
    to any reading in the set (0 for an empty set)."""
    out = np.zeros((len(queries), len(sets)), dtype=np.float64)
    tokens = [(value or "").split() for value in sets]
    flat = [t for ts in tokens for t in ts]
    if not queries or not flat:
        return out
    distinct = sorted(set(flat))
    position = {t: i for i, t in enumerate(distinct)}
    matrix = process.cdist(queries, distinct, scorer=fuzz.ratio, dtype=np.uint8).astype(np.float64) / 100
    lengths = np.array([len(ts) for ts in tokens])
    filled = np.flatnonzero(lengths)
    taken = matrix[:, [position[t] for t in flat]]
    out[:, filled] = np.maximum.reduceat(taken, np.concatenate(([0], np.cumsum(lengths[filled])[:-1])), axis=1)
    return out


def _best_name(read: ReadQuery, rows: list[Row]) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the best similarity over every reading of the query and of the record, and which reading of
    the query gave it (its position in read.readings), computed on the distinct reading sets."""
    s_codes, s_sets = _factorized([row.sn_set for row in rows])
    g_codes, g_sets = _factorized([row.gn_set for row in rows])
    surnames = sorted({r.surname for r in read.readings})
    givens = sorted({r.given for r in read.readings if r.given})
    s_matrix = _set_matrix(surnames, s_sets)[:, s_codes]
    g_matrix = _set_matrix(givens, g_sets)[:, g_codes] if givens else np.zeros((0, len(rows)))
    s_at = {name: i for i, name in enumerate(surnames)}
    g_at = {name: i for i, name in enumerate(givens)}
    top = max(r.probability for r in read.readings) or 1.0
    values = np.empty((len(read.readings), len(rows)), dtype=np.float64)
    for k, reading in enumerate(read.readings):
        similarity = s_matrix[s_at[reading.surname]]
        if reading.given:
            ls, lg = len(reading.surname), len(reading.given)
            similarity = (ls * similarity + lg * g_matrix[g_at[reading.given]]) / (ls + lg)
        values[k] = similarity * (1 - _READING_SHARE) + _READING_SHARE * reading.probability / top
    chosen = values.argmax(axis=0)  # the first of equals, as a loop keeping the first best would
    return values[chosen, np.arange(len(rows))], chosen


def _factorized(values: list[str | None]) -> tuple[np.ndarray, list[str | None]]:
    position: dict[str | None, int] = {}
    codes = np.fromiter((position.setdefault(v, len(position)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(position)


def _spelled(row: Row) -> tuple[str, str]:
    """(surname, surname + given) of a record as written, folded for an exact match."""
    surname = spelling_key(row.surname)
    return surname, surname + spelling_key(row.given_name) if surname else spelling_key(row.name_original)


@dataclass
class _Facts:
    """What a person's records say, for the filters."""

    birth_years: set[int] = field(default_factory=set)
    prefectures: set[int] = field(default_factory=set)
    camps: set[str] = field(default_factory=set)
    death_years: set[int] = field(default_factory=set)
    fates: set[str] = field(default_factory=set)

    def add(self, row: Any) -> None:
        self.add_values(row.birth_year, row.pref, row.camp, row.death_year, row.fate)

    def add_values(self, birth_year: int | None, pref: int | None, camp: str | None, death_year: int | None,
                   fate: str | None) -> None:
        for values, value in ((self.birth_years, birth_year), (self.prefectures, pref), (self.camps, camp),
                              (self.death_years, death_year), (self.fates, fate)):
            if value is not None:
                values.add(value)  # type: ignore[arg-type]

    @property
    def fate(self) -> str:
        return "died" if "died" in self.fates else "repatriated" if "repatriated" in self.fates else "unknown"


_FACT_SQL = "SELECT person_id, birth_year, pref, camp, death_year, fate FROM search_index WHERE person_id IN "


def _person_facts(conn: Any, person_ids: list[int]) -> dict[int, _Facts]:
    """What every record of each person says (index seeks on person_id, plain tuples through the driver)."""
    facts: dict[int, _Facts] = defaultdict(_Facts)
    mark = placeholder(conn)
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start:start + 900]
        for person, birth_year, pref, camp, death_year, fate in driver_rows(
                conn, f"{_FACT_SQL}({', '.join([mark] * len(chunk))})", chunk):
            facts[int(person)].add_values(birth_year, pref, camp, death_year, fate)
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
    # A person who may be living shows list fields only (access.policy), and the camp is not one of them: the camp
    # filter neither keeps nor drops him by what his records say, or the results would tell his camp.
    living = possibly_living(max(facts.birth_years) if facts.birth_years else None, "died" in facts.fates)
    for asked, known, label in ((read.prefecture, facts.prefectures, "prefecture"), (read.camp, facts.camps, "camp"),
                                (query.death_year, facts.death_years, "death year")):
        if asked is None:
            continue
        if label == "camp" and living:
            factor *= _SILENT
            notes.append("camp not searched: the person may be living")
            continue
        if not known:
            factor *= _SILENT
            notes.append(f"no {label} on record")
        elif asked not in known:
            return None
    if query.fate is not None and facts.fate != query.fate:
        return None
    return factor, notes


def rank(conn: Any, read: ReadQuery, rows: list[Row]) -> list[Scored]:
    """The candidates scored and grouped, best first: one entry per person (per record before any link)."""
    if not rows:
        return []
    similarity, chosen = _best_name(read, rows)
    best: dict[tuple[str, int], Scored] = {}
    for at in np.flatnonzero(similarity >= MIN_NAME_SCORE).tolist():
        row, sim, reading = rows[at], float(similarity[at]), read.readings[int(chosen[at])]
        surname, full = _spelled(row)
        exact = (full if reading.given else surname) in read.spellings
        name_score = sim * (1 - _EXACT_SHARE) + (_EXACT_SHARE if exact else 0.0)
        key = ("p", row.person_id) if row.person_id is not None else ("r", row.record_id)
        if key not in best or best[key].name_score < name_score:
            best[key] = Scored(row.person_id, row.record_id, name_score, name_score, reading, exact)
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
