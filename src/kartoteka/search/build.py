"""The index rows built from the store alone (`kartoteka search --reindex`): only the columns the index needs.

`kartoteka link` builds the rows from the linkage's features (index.index_frame); a reindex would pay for every
feature the linkage compares (units, ranks, places, dates, the father's name) to keep a handful. Here the records
are read with the columns the index needs, and each distinct spelling is read once through the run folder's
reading cache (linkage.reading_cache: the readings and the literal reading), so a store that has been linked
reads no name again. The keys are the linkage's (linkage.features), computed over whole columns
(search.keys).

    load_index_records(store)          the records' columns the index needs (Arrow on a SQLite file)
    index_rows(records, reader)        one index row per record, as index.index_frame makes them
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kartoteka.linkage.features import name_columns
from kartoteka.linkage.runs import record_chunks
from kartoteka.linkage.vocabulary import first_number, prefecture_code
from kartoteka.search.keys import spelling_keys
from kartoteka.store import Store

RECORD_COLUMNS = ("id", "kind", "surname", "given_name", "name_original", "birth_year", "birth_place",
                  "prefecture", "camp", "death_date")
_DIED_KINDS = ("death_roster", "burial")
_READ_BATCH = 200_000
_PARTS = {"sn": "surname", "gn": "given"}
_FATES = ("died", "repatriated", "unknown")
_MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?$")


def load_index_records(store: Store) -> pd.DataFrame:
    """The columns of every record the index needs, in record order."""
    chunks = list(record_chunks(store, RECORD_COLUMNS, _READ_BATCH))
    if not chunks:
        return pd.DataFrame(columns=list(RECORD_COLUMNS))
    return pd.concat(chunks, ignore_index=True)


def _taken(lookup: Any, codes: np.ndarray) -> Any:
    """Text column of `lookup`'s values at `codes` (-1: the last value), as Arrow strings: a column of two million
    Python strings would be turned into Arrow by the data frame anyway, at several times the cost."""
    values = pa.array(list(lookup), type=pa.string())
    return pd.arrays.ArrowExtensionArray(values.take(pa.array(codes % len(values), type=pa.int64())))


def _name_keys(texts: pd.Series, part: str, reader: Any) -> list[Any]:
    """The five key columns of one name part (search.keys.spelling_keys), each distinct spelling read once."""
    codes, distinct = pd.factorize(texts.astype(object), use_na_sentinel=True)
    from kartoteka.names import literal_reading

    literal = getattr(reader, "literal", literal_reading)  # a ReadingCache keeps the literal readings
    spellings = [text if isinstance(text, str) and text else None for text in distinct.tolist()]
    found = [reader(text, part) if text is not None else [] for text in spellings]
    literals = [literal(text) if text is not None else None for text in spellings]
    keys = spelling_keys([*found, []], [*literals, None])  # the last row: a blank name (code -1)
    return [_taken(column, codes) for column in keys]


def _distinct(values: pd.Series, func: Any, text: bool = True) -> Any:
    """``func`` of each value, called once per distinct value; blanks (None, empty or spaces) give None. Text
    (Arrow strings) unless `text` is False (then objects)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    lookup = [func(v) if isinstance(v, str) and v.strip() else None for v in distinct.tolist()] + [None]
    if text:
        return _taken(lookup, codes)
    return np.array(lookup, dtype=object)[codes]


def _month(value: Any) -> str | None:
    """YYYY-MM of a death date known at least to the month (as linkage.features reads it)."""
    if isinstance(value, str) and _MONTH.match(value.strip()):
        return value.strip()[:7]
    return None


def index_rows(frame: pd.DataFrame, reader: Any) -> pd.DataFrame:
    """One index row per record of `frame` (RECORD_COLUMNS), without person: as index.index_frame makes them from
    the linkage's features, in record order. `reader` is a ReadingCache (or any (text, part) -> readings)."""
    if len(frame) and "patronymic" not in frame.columns:
        frame = frame.assign(patronymic=None)
    names = name_columns(frame)
    prefetch = getattr(reader, "prefetch", None)
    if prefetch is not None:  # every new spelling read at once (in parallel), its literal reading too
        from kartoteka.linkage.reading_cache import LITERAL

        items = {(text, _PARTS[p]) for p in _PARTS for text in names[p].dropna().unique()}
        prefetch(items | {(text, LITERAL) for text, _ in items})
    sn = _name_keys(names["sn"], "surname", reader)
    gn = _name_keys(names["gn"], "given", reader)
    kind = frame["kind"]
    month = _distinct(frame["death_date"], _month, text=False)
    died = pd.notna(month) | kind.isin(_DIED_KINDS).to_numpy()  # a death known to the day is known to the month
    pref = pd.Series(_distinct(frame["prefecture"], prefecture_code, text=False))
    pref = pref.where(pref.notna(), pd.Series(_distinct(frame["birth_place"], prefecture_code, text=False)))
    death_year = pd.to_numeric(pd.Series(month, dtype=object).str[:4], errors="coerce")
    kind_codes, kinds = pd.factorize(kind, use_na_sentinel=True)
    fate = np.where(died, 0, np.where(kind.eq("manifest").to_numpy(), 1, 2))
    return pd.DataFrame({
        "record_id": frame["id"].astype("int64").to_numpy(),
        "kind": _taken([*kinds.tolist(), None], kind_codes),
        "sn_key": sn[0], "gn_key": gn[0], "sn_key2": sn[1], "gn_key2": gn[1], "sn_lkey": sn[2], "gn_lkey": gn[2],
        "sn_fold": sn[3], "sn_set": sn[4], "gn_set": gn[4],
        "birth_year": pd.to_numeric(frame["birth_year"], errors="coerce").astype("Int64").array,
        "pref": pref.astype("Int64").array,
        "camp": _distinct(frame["camp"], first_number),
        "fate": _taken(_FATES, fate),
        "death_year": pd.array(death_year, dtype="Int64"),
    })
