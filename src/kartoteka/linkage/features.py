"""Features: from the store's records to the table Splink compares.

A pure function of a records DataFrame (columns as in the store's `records` table). Every distinct spelling is
read once with `kartoteka.names.readings` (any script: Cyrillic by ear, katakana, kanji, romaji), so 1.3 million
records cost only as many reading calls as there are distinct names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kartoteka.linkage.reading_cache import LITERAL, Reader, names_reader
from kartoteka.linkage.vocabulary import (
    first_number,
    place_detail,
    prefecture_code,
    rank_code,
    regiment_number,
    unit_number,
)

# The name parts compared: surname, given name and the father's name (the отчество of a Soviet card or
# personal file: a Japanese given name written by ear, read like the given name).
NAME_PARTS = {"sn": "surname", "gn": "given", "fn": "given"}
# Per name part: the first two dictionary readings, the first folded, its voiceless and coarse keys, the runner-up's
# key, the set of folded readings, and the literal reading (letter by letter, no tables) with its key.
READING_SUFFIXES = ("r1", "r2", "fold", "vkey", "key", "key2", "set", "lit", "lkey")
FEATURE_COLUMNS = (
    "unique_id", "kind", "side",
    *(f"{prefix}_{suffix}" for prefix in NAME_PARTS for suffix in READING_SUFFIXES),
    "birth_year", "pref", "place", "unit", "regiment", "rank_ord", "rank_class", "camp", "death_date",
    "death_month", "event_date",
)
_INTEGER_COLUMNS = ("unique_id", "birth_year", "pref", "rank_ord")
SOVIET_KINDS = frozenset({"card", "personal_file", "burial"})
_SPLIT = re.compile(r"[\s・･,、]+")

_TEXT = pd.ArrowDtype(pa.string())
_TEXT_LIST = pd.ArrowDtype(pa.list_(pa.string()))


#: The replacements fold_romaji makes, in order (search.keys makes them over whole columns).
ROMAJI_FOLDS = (("sh", "s"), ("ch", "t"), ("ts", "t"), ("dz", "z"), ("j", "z"), ("ou", "o"), ("oh", "o"),
                ("ei", "e"), ("uu", "u"), ("ii", "i"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("y", "i"),
                ("mb", "nb"), ("mp", "np"), ("mm", "nm"), ("wa", "a"), ("wo", "o"), ("fu", "hu"))
#: The voiced consonants blocking_key and voiceless_key take as voiceless.
VOICELESS = {"g": "k", "z": "s", "d": "t", "b": "h", "p": "h", "f": "h", "v": "h", "r": "r"}


@lru_cache(maxsize=1 << 20)
def fold_romaji(romaji: str | None) -> str | None:
    """Fold what clerks' ears and pens do not keep: long vowels, doubled consonants, shi/si, tsu/tu, n/m."""
    if not isinstance(romaji, str) or not romaji:
        return None
    text = unicodedata.normalize("NFKD", romaji.lower())
    text = "".join(ch for ch in text if "a" <= ch <= "z")
    for old, new in ROMAJI_FOLDS:
        text = text.replace(old, new)
    text = re.sub(r"(.)\1+", r"\1", text)
    return text or None


_VOICING = str.maketrans(VOICELESS)


@lru_cache(maxsize=1 << 20)
def voiceless_key(romaji: str | None) -> str | None:
    """The folded reading with voicing ignored: a fine key (vowels kept) for blocking on two names."""
    folded = fold_romaji(romaji)
    return folded.translate(_VOICING) if folded else None


@lru_cache(maxsize=1 << 20)
def blocking_key(romaji: str | None) -> str | None:
    """A coarse key that survives voicing slips and vowel changes: the folded consonant frame plus first vowel."""
    folded = fold_romaji(romaji)
    if not folded:
        return None
    voiceless = folded.translate(_VOICING)
    frame = voiceless[0] + re.sub(r"[aeiou]", "", voiceless[1:])
    return frame[:5] or None


def _literal(text: str) -> str | None:
    from kartoteka.names import literal_reading

    return literal_reading(text)


def _split_name(original: str) -> tuple[str | None, str | None]:
    """Surname and given name from a name written whole ("Судзуки Синъя", "鈴木・信也"); the text is stripped."""
    parts = _SPLIT.split(original)
    return parts[0] or None, parts[1] if len(parts) > 1 else None


def _stripped(values: pd.Series) -> pd.Series:
    """Text stripped, with blanks and non-text as None (each distinct value stripped once)."""
    return _map_distinct(values, lambda v: (v.strip() or None) if isinstance(v, str) else None)


def _name_columns(records: pd.DataFrame) -> dict[str, pd.Series]:
    """Surname, given name and father's name of each record (by NAME_PARTS prefix); a record with only the
    name as written gets it split."""
    surnames, givens = _stripped(_column(records, "surname")), _stripped(_column(records, "given_name"))
    unnamed = surnames.isna() & givens.isna()
    if unnamed.any():  # the name as written is read only where it is needed: it is distinct on every record
        original = _stripped(_column(records, "name_original")[unnamed])
        for index, text in original.dropna().items():
            surnames[index], givens[index] = _split_name(text)
    return {"sn": surnames, "gn": givens, "fn": _stripped(_column(records, "patronymic"))}


def name_columns(records: pd.DataFrame) -> dict[str, pd.Series]:
    """Surname ("sn"), given name ("gn") and father's name ("fn") of each record, stripped; a record with only
    the name as written gets it split (as the linkage reads them)."""
    return _name_columns(records)


def name_items(records: pd.DataFrame) -> set[tuple[str, str]]:
    """Every (text, part) the records' names are read as, and every text's literal reading (text, LITERAL):
    what a caching reader can read ahead."""
    return _items(_name_columns(records))


def _items(names: dict[str, pd.Series]) -> set[tuple[str, str]]:
    items = {(text, NAME_PARTS[prefix]) for prefix, texts in names.items() for text in texts.dropna().unique()}
    return items | {(text, LITERAL) for text, _ in items}


def _derived(found: list[str], literal: str | None = None) -> tuple[Any, ...]:
    r1 = found[0].lower() if found else None
    r2 = found[1].lower() if len(found) > 1 else None
    key1 = blocking_key(r1)
    # The runner-up readings matter: a kanji given name has several readings and the family's is not always
    # the dictionary's first, and a garbled Cyrillic spelling has several decodings. The second key and the
    # set of folded readings let a record meet its partner through any of them.
    folded = sorted({f for f in (fold_romaji(r) for r in found) if f})
    # The literal reading does not depend on which known name a spelling is nearest: two misspellings of a
    # name no table holds meet through it.
    lit = fold_romaji(literal)
    return (r1, r2, fold_romaji(r1), voiceless_key(r1), key1, blocking_key(r2) or key1, folded or None,
            lit, voiceless_key(literal))


def _reading_columns(texts: pd.Series, part: str, reader: Reader, prefix: str) -> pd.DataFrame:
    """The reading columns of every record, as Arrow columns taken from one row per distinct spelling."""
    codes, distinct = pd.factorize(texts, use_na_sentinel=True)  # blanks (None) get -1
    literal = getattr(reader, "literal", _literal)  # a caching reader keeps the literal readings too
    derived = [_derived(reader(text, part), literal(text)) if isinstance(text, str) and text else _derived([])
               for text in distinct.tolist()]
    taken = pa.array(codes, type=pa.int64(), mask=codes < 0)  # blank spellings have null readings
    columns = {}
    for k, name in enumerate(READING_SUFFIXES):
        kind = _TEXT_LIST if name == "set" else _TEXT
        values = pa.array([row[k] for row in derived], type=kind.pyarrow_dtype)
        columns[f"{prefix}_{name}"] = pd.Series(pd.arrays.ArrowExtensionArray(values.take(taken)), index=texts.index)
    return pd.DataFrame(columns, index=texts.index)


def _day_date(value: Any) -> str | None:
    """An ISO day (YYYY-MM-DD) when the partial date is known to the day; coarser dates are not compared."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    return None


def _month(value: Any) -> str | None:
    """The year and month (YYYY-MM) of a date known at least to the month: a card may give "1947-02" where the
    ministry's roster gives the day."""
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}(-\d{2})?$", value.strip()):
        return value.strip()[:7]
    return None


def _map_distinct(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``values.map(func)`` with one call per distinct value: the columns hold a few thousand distinct values
    (units, camps, ranks, dates) among two million records."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    lookup = np.empty(len(distinct) + 1, dtype=object)
    for index, value in enumerate(distinct.tolist()):  # as Python values: iterating an Arrow array is slow
        lookup[index] = func(value)
    missing = codes == -1
    lookup[-1] = func(values[missing].iloc[0]) if missing.any() else None
    return pd.Series(lookup[codes], index=values.index, dtype=object)


def _column(records: pd.DataFrame, name: str) -> pd.Series:
    if name in records.columns:
        return records[name]
    return pd.Series([None] * len(records), index=records.index, dtype=object)


def build_features(records: pd.DataFrame, reader: Reader | None = None) -> pd.DataFrame:
    """The Splink input table (FEATURE_COLUMNS) for a DataFrame of store records; missing columns are blank."""
    reader = reader or names_reader()
    names = _name_columns(records)
    prefetch = getattr(reader, "prefetch", None)
    if prefetch is not None:  # a caching reader reads all new spellings at once (in parallel)
        prefetch(_items(names))
    ranks = _map_distinct(_column(records, "rank"), rank_code)
    prefecture = _map_distinct(_column(records, "prefecture"), prefecture_code)
    from_birthplace = _map_distinct(_column(records, "birth_place"), prefecture_code)
    features = pd.DataFrame({
        "unique_id": records["id"].astype("int64"),
        "kind": _column(records, "kind").astype(object),
    }, index=records.index)
    features["side"] = _map_distinct(features["kind"], lambda k: "soviet" if k in SOVIET_KINDS else "japanese")
    for prefix, texts in names.items():
        features = features.join(_reading_columns(texts, NAME_PARTS[prefix], reader, prefix))
    features["birth_year"] = pd.to_numeric(_column(records, "birth_year"), errors="coerce").astype("Int64")
    features["pref"] = prefecture.fillna(from_birthplace).astype("Int64")
    features["place"] = _map_distinct(_column(records, "birth_place"), place_detail)
    features["unit"] = _map_distinct(_column(records, "unit"), unit_number)
    features["regiment"] = _map_distinct(_column(records, "unit"), regiment_number)
    features["rank_ord"] = _map_distinct(ranks, lambda r: r[0]).astype("Int64")
    features["rank_class"] = _map_distinct(ranks, lambda r: r[1])
    features["camp"] = _map_distinct(_column(records, "camp"), first_number)
    features["death_date"] = _map_distinct(_column(records, "death_date"), _day_date)
    features["death_month"] = _map_distinct(_column(records, "death_date"), _month)
    features["event_date"] = _map_distinct(_column(records, "event_date"), _day_date)
    features = features[list(FEATURE_COLUMNS)].reset_index(drop=True)
    return _compact(features)



def _compact(features: pd.DataFrame) -> pd.DataFrame:
    """Text as Arrow strings and the reading sets as Arrow lists: at full scale (two million records) Python
    objects took 2.9 GB, Arrow columns a fraction of it, and DuckDB reads them without a copy. Blanks are null."""
    out = {}
    for name in features.columns:
        column = features[name]
        if name in _INTEGER_COLUMNS or isinstance(column.dtype, pd.ArrowDtype):
            out[name] = column
            continue
        values = column.astype(object).where(column.notna(), None)
        out[name] = pd.Series(pd.array(values.tolist(), dtype=_TEXT_LIST if name.endswith("_set") else _TEXT))
    return pd.DataFrame(out)
