"""A query read: the text checked, split into surname and given name, read in every way (kartoteka.names), and
turned into the keys the index seeks on; the filters checked.

    read_query(SearchQuery) -> ReadQuery    raises KartotekaError "search.*" for what cannot be searched
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process

from kartoteka.core.errors import KartotekaError
from kartoteka.linkage.features import blocking_key, fold_romaji
from kartoteka.linkage.vocabulary import PREFECTURES, first_number, prefecture_code
from kartoteka.names import literal_reading, readings
from kartoteka.names.kana import to_katakana
from kartoteka.names.kanji import (
    fold_kanji_variants,
    is_known_spelling,
    is_known_surname_reading,
    split_full_name,
)
from kartoteka.names.script import detect_script, has_letters, letter_script, words
from kartoteka.search.types import MAX_LIMIT, MAX_QUERY_LENGTH, SearchQuery

FATES = ("died", "repatriated", "unknown")
_READINGS_PER_PART = 5
_SPLITS = 2  # the likeliest split points of a full name written without a space
_TURNED_WEIGHT = 0.9  # the other order (given name first) is read too, a little less likely


@dataclass(frozen=True)
class NameReading:
    """One way to read the query: folded surname and given name (None for a surname alone), its probability,
    and how it reads for people (romaji as the names engine writes it)."""

    surname: str
    given: str | None
    probability: float
    shown: str
    turned: bool = False  # the query's words taken given name first


@dataclass(frozen=True)
class ReadQuery:
    """The query as understood: its readings, the keys to seek, the spellings for an exact match, the filters."""

    query: SearchQuery
    readings: list[NameReading]
    surname_keys: list[str]
    given_keys: list[str]
    surname_folds: list[str]
    spellings: frozenset[str]  # the query's name as written (folded), surname+given and surname alone
    full_name: bool  # a given name was given (or a full name without a space was split)
    prefecture: int | None = None
    camp: str | None = None
    shown: list[str] = field(default_factory=list)


@lru_cache(maxsize=200_000)
def spelling_key(text: str | None) -> str:
    """A spelling as compared for an exact match: NFKC, old kanji forms folded, kana as katakana, lower case,
    letters only (so 佐藤 清, 佐藤清 and ｻﾄｳｷﾖｼ-style variants of one spelling meet)."""
    if not text:
        return ""
    folded = fold_kanji_variants(to_katakana(unicodedata.normalize("NFKC", text))).lower()
    return "".join(ch for ch in folded if letter_script(ch))


def _checked_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise KartotekaError("search.empty_query", "the search is empty: give a name to look for",
                             hint="type a name in kanji, kana, romaji or Cyrillic, e.g. 山田太郎 or Ямада Таро")
    if len(text) > MAX_QUERY_LENGTH:
        raise KartotekaError("search.too_long",
                             f"a search of {len(text):,} characters is too long for a name "
                             f"(at most {MAX_QUERY_LENGTH})",
                             hint="give one person's name (surname and given name), not a list or a document",
                             details={"length": len(text), "max": MAX_QUERY_LENGTH})
    if not has_letters(unicodedata.normalize("NFKC", text)):
        shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "…"
        raise KartotekaError("search.no_letters", f"no letters to search for in {shown!r}",
                             hint="a name needs letters: kanji, kana, Latin or Cyrillic (digits and punctuation "
                                  "alone are not a name)")
    return unicodedata.normalize("NFKC", text).strip()


def _parts(text: str) -> list[tuple[str, str | None, float]]:
    """(surname, given or None, probability) for the ways the text divides into a name: two words as written;
    one Japanese word as a surname alone or split where the name tables say a full name divides."""
    found = words(text)
    if len(found) >= 2:
        return [(found[0], " ".join(found[1:2]), 1.0)]
    word = fold_kanji_variants(found[0])
    if detect_script(word) not in ("kanji", "katakana", "hiragana", "mixed") or len(word) < 3:
        return [(word, None, 1.0)]
    splits = [(s, g, p) for s, g, p in split_full_name(word)[:_SPLITS] if g]
    alone = 0.7 if is_known_spelling(word, "surname") or is_known_surname_reading(to_katakana(word)) else 0.2
    return [(word, None, alone), *[(s, g, (1 - alone) * p) for s, g, p in splits]]


#: Readings the linkage already made of spellings in the store ((text, part) -> romaji, best first), loaded by
#: remember_readings (search.service.warm_up): a clerk's Cyrillic spelling asked for is most often one on a card,
#: and decoding it afresh takes the names engine up to a second.
_KNOWN: dict[tuple[str, str], list[str]] = {}
_KNOWN_SHARES = (0.9, 0.06, 0.02, 0.01, 0.01)
_OTHER_PART = {"surname": "given", "given": "surname"}  # probabilities by rank for a known reading (the cache keeps none)


def remember_readings(entries: dict[tuple[str, str], list[str]]) -> int:
    """Keep the linkage's readings of Cyrillic and kana spellings for queries; return how many are kept.

    Both are read through the channel decoder, a search that takes up to a second for a spelling no table holds;
    a query spelled as a record of the store is then answered without it (kanji readings come from tables)."""
    _KNOWN.clear()
    for (text, part), found in entries.items():
        if part in ("surname", "given") and found and detect_script(text) in ("cyrillic", "katakana", "hiragana"):
            _KNOWN[(text, part)] = found
    _part_readings.cache_clear()
    return len(_KNOWN)


@lru_cache(maxsize=20_000)
def _part_readings(text: str, part: str) -> tuple[tuple[str, float, str], ...]:
    """(folded reading, probability, romaji) of one name part, and its literal reading (letter by letter)."""
    out: dict[str, tuple[float, str]] = {}
    # A spelling the store holds in the other role (the query's words taken in the other order: a given name read
    # as a surname) keeps that role's readings: kana and Cyrillic read the same either way but for the name tables'
    # priors, and the decoder's search for the other role took up to 100 ms a word for what the store already read.
    known = _KNOWN.get((text, part)) or _KNOWN.get((text, _OTHER_PART.get(part, part)))
    if known is not None:
        found = [(romaji, share) for romaji, share in zip(known, _KNOWN_SHARES, strict=False)]
    else:
        try:
            found = [(r.romaji, r.probability) for r in readings(text, limit=_READINGS_PER_PART, part=part)]
        except KartotekaError:
            found = []
    for romaji, probability in found:
        folded = fold_romaji(romaji)
        if folded and folded not in out:
            out[folded] = (probability, romaji)
    literal = fold_romaji(literal_reading(text))
    if literal and literal not in out:
        out[literal] = (0.01, literal)
    return tuple((folded, p, shown) for folded, (p, shown) in out.items())


def _name_readings(surname: str, given: str | None, weight: float, turned: bool) -> list[NameReading]:
    surnames = _part_readings(fold_kanji_variants(surname), "surname")
    if given is None:
        return [NameReading(s, None, p * weight, shown, turned) for s, p, shown in surnames]
    givens = _part_readings(fold_kanji_variants(given), "given")
    return [NameReading(s, g, ps * pg * weight, f"{s_shown} {g_shown}", turned)
            for s, ps, s_shown in surnames for g, pg, g_shown in givens]


@lru_cache(maxsize=4096)
def _text_reading(text: str) -> tuple[tuple[NameReading, ...], tuple[tuple[str, str | None, float], ...]]:
    """The readings and the divisions of a query's text (cached: a name asked again is read at once)."""
    return tuple(_readings(text)), tuple(_parts(text))


def _readings(text: str) -> list[NameReading]:
    out: list[NameReading] = []
    for surname, given, p in _parts(text):
        out += _name_readings(surname, given, p, turned=False)
        if given is not None and p == 1.0:  # two words: either may be the surname
            out += _name_readings(given, surname, p * _TURNED_WEIGHT, turned=True)
    best: dict[tuple[str, str | None], NameReading] = {}
    for reading in out:
        key = (reading.surname, reading.given)
        if key not in best or best[key].probability < reading.probability:
            best[key] = reading
    return sorted(best.values(), key=lambda r: (-r.probability, r.surname, r.given or ""))


def _prefecture(value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 48:
        return int(text)
    code = prefecture_code(text)
    if code is not None:
        return code
    names = [kanji for _, kanji, _ in PREFECTURES] + [latin.capitalize() for _, _, latin in PREFECTURES]
    close = [name for name, score, _ in process.extract(text, names, limit=3) if score >= 50]
    raise KartotekaError("search.prefecture", f"unknown prefecture {text!r}",
                         hint=("did you mean " + ", ".join(close) + "? " if close else "")
                         + "give a prefecture in kanji (山形県 or 山形), romaji (Yamagata) or its JIS code (1-47, "
                           "48 Karafuto)", details={"prefecture": text, "close": close})


def _checked_filters(query: SearchQuery) -> tuple[int | None, str | None]:
    for name, value, low in (("limit", query.limit, 1), ("offset", query.offset, 0),
                             ("birth_year_tolerance", query.birth_year_tolerance, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise KartotekaError("search.parameter", f"{name} must be a whole number of at least {low}, not "
                                 f"{value!r}", hint=f"give {name} as a number >= {low}",
                                 details={"parameter": name, "value": str(value)})
    if query.limit > MAX_LIMIT:
        raise KartotekaError("search.parameter", f"limit {query.limit} is more than {MAX_LIMIT} results a page",
                             hint=f"ask for at most {MAX_LIMIT} a page and page on with offset",
                             details={"parameter": "limit", "value": str(query.limit)})
    for name, year in (("birth_year", query.birth_year), ("death_year", query.death_year)):
        if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1850 <= year <= 2000):
            raise KartotekaError("search.parameter", f"{name} {year!r} is not a year between 1850 and 2000",
                                 hint=f"give {name} as four digits, e.g. 1920",
                                 details={"parameter": name, "value": str(year)})
    if query.fate is not None and query.fate not in FATES:
        raise KartotekaError("search.fate", f"unknown fate {query.fate!r}",
                             hint="give one of: " + ", ".join(FATES), details={"fate": str(query.fate)})
    camp = None
    if query.camp is not None and str(query.camp).strip():
        camp = first_number(str(query.camp))
        if camp is None:
            raise KartotekaError("search.parameter", f"no camp number in {query.camp!r}",
                                 hint="give the camp's number as the cards write it, e.g. 7 or № 7",
                                 details={"parameter": "camp", "value": str(query.camp)})
    return _prefecture(query.prefecture), camp


def read_query(query: SearchQuery) -> ReadQuery:
    """The query checked and read. Raises KartotekaError "search.*" with a hint for what cannot be searched."""
    text = _checked_text(query.text)
    prefecture, camp = _checked_filters(query)
    cached, parts = _text_reading(text)
    found = list(cached)
    if not found:
        raise KartotekaError("search.no_letters", f"no name to read in {text!r}",
                             hint="give a name in kanji, kana, Latin or Cyrillic letters")
    full = any(given is not None for _, given, _ in parts)
    spellings = {spelling_key(s) + spelling_key(g) for s, g, _ in parts} | {spelling_key(s) for s, _, _ in parts}
    surname_keys = sorted({k for r in found if (k := blocking_key(r.surname))})
    given_keys = sorted({k for r in found if r.given and (k := blocking_key(r.given))})
    shown = list(dict.fromkeys(r.shown for r in found if not r.turned))[:5]
    return ReadQuery(query=query, readings=found, surname_keys=surname_keys, given_keys=given_keys,
                     surname_folds=sorted({r.surname for r in found}), spellings=frozenset(spellings - {""}),
                     full_name=full, prefecture=prefecture, camp=camp, shown=shown)
