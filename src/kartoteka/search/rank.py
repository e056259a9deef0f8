"""Candidates from the index (index seeks on the name keys), scored by name and filters, grouped to persons.

    candidates(conn, read)      index rows whose keys meet one of the query's likely readings (one statement)
    rank(conn, read, rows, top) the first ``top`` candidates, best first (one per person, or per record before any
                                link), and how many there are

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
            "s.death_year FROM search_index s WHERE ")
#: The names as written, read for the records of the candidates that can reach the page (the exact-spelling
#: bonus): joining every candidate to its record was about half of a query's SQL time.
_SPELLING_SQL = "SELECT id, surname, given_name, name_original FROM records WHERE id IN "
_CHUNK = 900  # ids a statement (SQLite's old limit of 999 parameters)
_EQUAL = 1e-9  # two scores rounded to 4 places this close are equal
_SPELL_BATCH = 256  # candidates whose names as written are read first (then twice as many each time)
_TIE_MARGIN = 2e-4  # scores are rounded to 4 places before the tie-break by id: bounds this close may tie


class Row(NamedTuple):
    """An index row; a named tuple, made from the driver's tuples at a fraction of a frozen dataclass's cost
    (a common surname reads thousands of them)."""

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


def rows_by_ids(conn: Any, sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` + "(ids)" (a statement ending in ``IN``) through the driver, _CHUNK ids a statement."""
    mark = placeholder(conn)
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        out += driver_rows(conn, f"{sql}({', '.join([mark] * len(chunk))})", chunk)
    return out


def candidates(conn: Any, read: ReadQuery) -> list[Row]:
    """The index rows of the records whose keys meet one of the query's likely readings, every one (a surname alone
    of the commonest names meets some 35,000 records at full scale: fewer would make the total and the first
    page depend on the storage order), read through the driver as plain tuples."""
    where, params = _seek_sql(read, placeholder(conn))
    if not where:
        return []
    return list(map(Row._make, driver_rows(conn, f"{_ROW_SQL}{where}", params)))


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
    surnames = sorted({r.surname for r in read.readings})
    givens = sorted({r.given for r in read.readings if r.given})
    s_matrix = _set_matrix(surnames, s_sets)[:, s_codes]
    g_matrix = np.zeros((0, len(rows)))
    if givens:  # a surname alone never reads the given names (a third of its ranking at 35,000 candidates)
        g_codes, g_sets = _factorized([row.gn_set for row in rows])
        g_matrix = _set_matrix(givens, g_sets)[:, g_codes]
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


def _spelled(surname: str | None, given_name: str | None, name_original: str | None) -> tuple[str, str]:
    """(surname, surname + given) of a record as written, folded for an exact match."""
    folded = spelling_key(surname)
    return folded, folded + spelling_key(given_name) if folded else spelling_key(name_original)


def _spellings(conn: Any, record_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The folded spellings (_spelled) of the given records, by primary key through the driver."""
    return {int(record_id): _spelled(surname, given_name, name_original)
            for record_id, surname, given_name, name_original in rows_by_ids(conn, _SPELLING_SQL, record_ids)}


@dataclass
class _Facts:
    """What a person's records say, for the filters (only the sets a filter of the query needs are filled)."""

    birth_years: set[int] = field(default_factory=set)
    prefectures: set[int] = field(default_factory=set)
    camps: set[str] = field(default_factory=set)
    death_years: set[int] = field(default_factory=set)
    fates: set[str] = field(default_factory=set)

    @property
    def fate(self) -> str:
        return "died" if "died" in self.fates else "repatriated" if "repatriated" in self.fates else "unknown"


# Where each fact is in an index row (Row) and in a row of _FACT_SQL.
_ROW_AT = {"birth_years": 5, "prefectures": 6, "camps": 7, "fates": 8, "death_years": 9}
_FACT_SQL = "SELECT person_id, birth_year, pref, camp, death_year, fate FROM search_index WHERE person_id IN "
_FACT_AT = {"birth_years": 1, "prefectures": 2, "camps": 3, "death_years": 4, "fates": 5}


def _wanted(read: ReadQuery) -> tuple[str, ...]:
    """The facts the query's filters read (_filter_factor; none when no filter is asked): the camp filter asks
    whether the person may be living (birth years and fates)."""
    query, out = read.query, set()
    if query.birth_year is not None:
        out.add("birth_years")
    if read.prefecture is not None:
        out.add("prefectures")
    if read.camp is not None:
        out |= {"camps", "birth_years", "fates"}
    if query.death_year is not None:
        out.add("death_years")
    if query.fate is not None:
        out.add("fates")
    return tuple(sorted(out))


def _gather(facts: dict[int, _Facts], rows: list[Any], key_at: int, positions: dict[str, int],
            wanted: tuple[str, ...]) -> None:
    """Add the `wanted` facts of `rows` (at `positions`) to the facts of each row's key (at `key_at`): a loop per
    fact over plain tuples (a method call per row and fact took 200 ms of a common surname with a birth year)."""
    for name in wanted:
        at = positions[name]
        for row in rows:
            value = row[at]
            if value is not None:
                getattr(facts[row[key_at]], name).add(value)


_COUNT_SQL = "SELECT id, record_count FROM persons WHERE id IN "


def _facts_of_persons(conn: Any, person_ids: list[int], rows: list[Row], wanted: tuple[str, ...]
                      ) -> dict[int, _Facts]:
    """What every record of each person says: from the candidate rows for a person all of whose records are
    among them (persons.record_count; the index is of the persons' run), read from the index for the others.

    A surname alone with a birth year met some 9,000 persons at full scale: reading their 35,000 records again
    by person took most of the query, though nearly all of them were already read as candidates."""
    held: dict[int, int] = defaultdict(int)
    for row in rows:
        if row[1] is not None:
            held[row[1]] += 1
    complete = {int(person) for person, count in rows_by_ids(conn, _COUNT_SQL, person_ids)
                if held.get(int(person), 0) == int(count)}
    facts: dict[int, _Facts] = defaultdict(_Facts)
    others = [person for person in person_ids if person not in complete]
    _gather(facts, rows_by_ids(conn, _FACT_SQL, others) if others else [], 0, _FACT_AT, wanted)
    _gather(facts, [row for row in rows if row[1] in complete], 1, _ROW_AT, wanted)
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


@dataclass
class Ranking:
    """The candidates ranked: how many there are, the first of them in order, and whether they are persons."""

    total: int
    entries: list[Scored]  # the first ``top`` asked of rank (every candidate when it was not given)
    persons: bool  # the candidates are persons of a run (not records before any link)


def rank(conn: Any, read: ReadQuery, rows: list[Row], top: int | None = None) -> Ranking:
    """The candidates scored and grouped, best first: one entry per person (per record before any link).

    Only the first ``top`` are made (all when None). The exact-spelling bonus needs the record's name as
    written; it is read only for the candidates whose score with the bonus could reach the first ``top``: the
    others stay below them whatever it would be."""
    if not rows:
        return Ranking(0, [], False)
    similarity, chosen = _best_name(read, rows)
    bare = similarity * (1 - _EXACT_SHARE)  # the name score without the bonus
    kept = np.flatnonzero(similarity >= MIN_NAME_SCORE)
    # A candidate's key: its person, or minus its record before any link (ids are positive).
    keys = np.fromiter((-row[0] if row[1] is None else row[1] for row in rows), dtype=np.int64, count=len(rows))
    # Grouped by candidate, each group's rows best first (the first of equals in the rows' order).
    order = kept[np.lexsort((kept, -bare[kept], keys[kept]))]
    grouped = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1]))) if len(order) else order
    bounds = np.append(starts, len(order))
    factors, notes, passed = _judged(conn, read, grouped[starts].tolist(), rows)
    # Each candidate's score lies between these (the bonus or not; a wide birth-year gap makes a factor
    # negative, a score 0); -1 for those the filters leave out.
    plain, bonus = bare[order[starts]] * factors, (bare[order[starts]] + _EXACT_SHARE) * factors
    lower = np.where(passed, np.clip(np.minimum(plain, bonus), 0.0, 1.0), -1.0)
    upper = np.where(passed, np.clip(np.maximum(plain, bonus), 0.0, 1.0), -1.0)
    reaching = np.flatnonzero(_reaching(lower, upper, top))
    ties = np.abs(grouped[starts])  # what equal scores are ordered by: the person, or the record before any link
    entries = _settled(conn, read, rows, top, _Groups(order, bounds, bare, chosen, factors, notes, upper, ties),
                       reaching)
    total = int(np.count_nonzero(passed))
    return Ranking(total, entries if top is None else entries[:max(0, top)], bool((grouped > 0).any()))


class _Groups(NamedTuple):
    """The candidates as rank groups them: their rows (positions in ``order`` from ``bounds``), the rows' name
    scores without the bonus and query readings, each candidate's filter factor, notes, upper bound and tie key."""

    order: np.ndarray
    bounds: np.ndarray
    bare: np.ndarray
    chosen: np.ndarray
    factors: np.ndarray
    notes: list[list[str]]
    upper: np.ndarray
    ties: np.ndarray


def _settled(conn: Any, read: ReadQuery, rows: list[Row], top: int | None, groups: _Groups,
             reaching: np.ndarray) -> list[Scored]:
    """The entries of the candidates that can reach the first ``top``, best first, scored with the
    exact-spelling bonus (the names as written read in batches, the likeliest first).

    A surname alone meets thousands of persons who tie on the name: reading every one's spelling took most of
    such a query. They are read best bound first (equal bounds by id) and the reading stops once ``top`` scored
    entries beat every bound still unread (the bonus can only lift a candidate to its bound)."""
    if top is not None:
        reaching = reaching[np.lexsort((groups.ties[reaching], -groups.upper[reaching]))]
    bounds = np.round(groups.upper[reaching], 4)  # a score is rounded to 4 places: never above its bound's
    entries: list[Scored] = []
    done, batch = 0, _SPELL_BATCH
    while done < len(reaching):
        taken = reaching[done:done + batch].tolist()
        members = {g: np.sort(groups.order[groups.bounds[g]:groups.bounds[g + 1]]).tolist() for g in taken}
        spellings = _spellings(conn, sorted(int(rows[at][0]) for positions in members.values() for at in positions))
        for g, positions in members.items():
            entry = _best_of(rows, positions, groups.bare, groups.chosen, read, spellings)
            entry.score = round(min(1.0, max(0.0, entry.name_score * float(groups.factors[g]))), 4)
            entry.notes = groups.notes[g]
            entries.append(entry)
        done += len(taken)
        batch *= 2
        entries.sort(key=lambda s: (-s.score, s.person_id if s.person_id is not None else s.record_id))
        if top is not None and 0 < top <= len(entries) and done < len(reaching):
            last = entries[top - 1]
            last_tie = last.person_id if last.person_id is not None else last.record_id
            rest_bounds, rest_ties = bounds[done:], groups.ties[reaching[done:]]
            beating = (rest_bounds > last.score + _EQUAL) | ((rest_bounds > last.score - _EQUAL) & (rest_ties < last_tie))
            if not beating.any():
                break
    return entries


def _best_of(rows: list[Row], positions: list[int], bare: np.ndarray, chosen: np.ndarray, read: ReadQuery,
             spellings: dict[int, tuple[str, str]]) -> Scored:
    """A candidate's best record by name score with the exact-spelling bonus (the first of equals)."""
    best: Scored | None = None
    for at in positions:
        row, reading = rows[at], read.readings[int(chosen[at])]
        surname, full = spellings.get(int(row.record_id), ("", ""))
        exact = (full if reading.given else surname) in read.spellings
        name_score = float(bare[at]) + (_EXACT_SHARE if exact else 0.0)
        if best is None or best.name_score < name_score:
            best = Scored(row.person_id, row.record_id, name_score, name_score, reading, exact)
    assert best is not None
    return best


def _reaching(lower: np.ndarray, upper: np.ndarray, top: int | None) -> np.ndarray:
    """Which candidates (a mask) could be among the first ``top``, each scoring at least ``lower`` and at most
    ``upper`` (-1 for those the filters leave out)."""
    alive = upper >= 0
    if top is None or np.count_nonzero(alive) <= top:
        return alive
    if top <= 0:
        return np.zeros(len(lower), dtype=bool)
    floor = np.partition(lower, len(lower) - top)[len(lower) - top]  # the top-th highest lower bound
    return alive & (upper >= floor - _TIE_MARGIN)


def _judged(conn: Any, read: ReadQuery, keys: list[int], rows: list[Row]
            ) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """The factor the filters give each candidate, their notes on it, and which they keep (not those whose records
    contradict one)."""
    factors = np.ones(len(keys), dtype=np.float64)
    notes: list[list[str]] = [[] for _ in keys]
    passed = np.ones(len(keys), dtype=bool)
    wanted = _wanted(read)
    if not wanted:  # no filter asked
        return factors, notes, passed
    facts = _facts_of_persons(conn, sorted(key for key in keys if key > 0), rows, wanted)
    alone: dict[int, _Facts] = defaultdict(_Facts)  # records before any link, each its own candidate
    _gather(alone, [row for row in rows if row[1] is None], 0, _ROW_AT, wanted)
    for at, key in enumerate(keys):
        judged = _filter_factor(read, facts[key] if key > 0 else alone[-key])
        if judged is None:
            passed[at] = False
        else:
            factors[at], notes[at] = judged
    return factors, notes, passed
