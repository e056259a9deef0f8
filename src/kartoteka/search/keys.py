"""The index's name keys of many spellings at once, in Arrow compute (C) instead of a Python call per reading.

The same values as linkage.features.fold_romaji and blocking_key, which a reindex used to call for every distinct
reading (a third of a full-scale reindex's time): the replacements run over whole columns, and a spelling's keys
come from its readings' by position (best, runner-up) and by group (the set of folded readings).

    fold_column(values)             fold_romaji of each string (null for null or nothing left)
    coarse_column(folded)           blocking_key's frame of each folded string (blocking_key(x) is
                                    coarse_column(fold_column(x)))
    spelling_keys(found, literal)   per spelling: (key, key2, literal key, folded best reading, every folded
                                    reading), as search.build made them one spelling at a time
"""

from __future__ import annotations

import itertools
import string

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kartoteka.linkage.features import ROMAJI_FOLDS, VOICELESS, fold_romaji

# Letters whose lowercase and compatibility decomposition no Unicode version has changed (ASCII, Latin-1 and
# Latin Extended-A: the macrons of Hepburn romaji); a string with any other letter is folded by fold_romaji itself.
_PLAIN = r"^[\x{0001}-\x{017F}]*$"
_VOWELS = "[aeiou]"


def fold_column(values: pa.Array) -> pa.Array:
    """fold_romaji of each string of `values` (a string array): null for a null, or when no letter is left."""
    values = values.cast(pa.string())
    plain = pc.fill_null(pc.match_substring_regex(values, _PLAIN), True)
    text = pc.utf8_normalize(pc.utf8_lower(values), form="NFKD")
    text = pc.replace_substring_regex(text, "[^a-z]+", "")
    for old, new in ROMAJI_FOLDS:
        text = pc.replace_substring(text, old, new)
    for letter in string.ascii_lowercase:  # (.)\1+ -> \1: the regex engine has no back-references
        text = pc.replace_substring_regex(text, f"{letter}{letter}+", letter)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    if not pc.all(plain).as_py():  # a letter beyond Latin Extended-A: fold_romaji itself decides
        odd = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
        folded = text.to_pylist()
        for position in odd.tolist():
            folded[position] = fold_romaji(values[position].as_py())
        text = pa.array(folded, type=pa.string())
    return text


def coarse_column(folded: pa.Array) -> pa.Array:
    """blocking_key's coarse key of each folded reading: voicing dropped, the first letter and the consonants
    after it, at most five; null for null."""
    text = folded
    for voiced, voiceless in VOICELESS.items():
        if voiced != voiceless:
            text = pc.replace_substring(text, voiced, voiceless)
    rest = pc.replace_substring_regex(pc.utf8_slice_codeunits(text, 1), _VOWELS, "")
    first = pc.utf8_slice_codeunits(text, 0, 1)
    frame = pc.utf8_slice_codeunits(pc.binary_join_element_wise(first, rest, ""), 0, 5)
    return pc.if_else(pc.equal(frame, ""), pa.scalar(None, pa.string()), frame)


def _objects(values: pa.Array) -> np.ndarray:
    return np.asarray(values.to_pylist(), dtype=object)


def spelling_keys(found: list[list[str]], literal: list[str | None]) -> list[np.ndarray]:
    """The five key columns of spellings whose readings (best first) are `found` and literal readings `literal`:
    blocking_key of the best and of the runner-up reading (the best's when it has none), blocking_key of the
    folded literal reading, the folded best reading, and the sorted distinct folded readings with the folded
    literal reading after them when it is not among them, space-separated (None when there is none)."""
    count = len(found)
    lengths = np.fromiter((len(f) for f in found), dtype=np.int64, count=count)
    parent = np.repeat(np.arange(count, dtype=np.int64), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if count else np.zeros(0, dtype=np.int64)
    position = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(starts, lengths)
    # Each distinct reading folded once (readings repeat across spellings).
    codes, distinct = pd.factorize(pd.Series(list(itertools.chain.from_iterable(found)), dtype=object))
    folded_distinct = fold_column(pa.array(distinct.tolist(), type=pa.string()))
    folded = _objects(folded_distinct)[codes] if len(codes) else np.zeros(0, dtype=object)
    coarse = _objects(coarse_column(folded_distinct))[codes] if len(codes) else np.zeros(0, dtype=object)

    def at(values: np.ndarray, rank: int) -> np.ndarray:
        out = np.full(count, None, dtype=object)
        chosen = position == rank
        out[parent[chosen]] = values[chosen]
        return out

    key1, fold1 = at(coarse, 0), at(folded, 0)
    key2 = at(coarse, 1)
    key2 = np.where(pd.isna(key2), key1, key2)
    lit = fold_column(pa.array(literal, type=pa.string()))
    lit_key = _objects(coarse_column(fold_column(lit)))
    lit = _objects(lit)
    return [key1, key2, lit_key, fold1, _reading_sets(parent, folded, lit)]


def _reading_sets(parent: np.ndarray, folded: np.ndarray, lit: np.ndarray) -> np.ndarray:
    """Per spelling: its sorted distinct folded readings, then its folded literal reading if not among them."""
    count = len(lit)
    pairs = pd.DataFrame({"spelling": parent, "folded": folded})
    pairs = pairs[pairs["folded"].notna()].drop_duplicates().sort_values(["spelling", "folded"], kind="stable")
    owners = pairs["spelling"].to_numpy()
    offsets = np.searchsorted(owners, np.arange(count + 1, dtype=np.int64)).astype(np.int32)
    words = pa.array(pairs["folded"].tolist(), type=pa.string())
    lists = pa.ListArray.from_arrays(pa.array(offsets), words)
    joined = np.asarray(pc.binary_join(lists, " ").to_pylist(), dtype=object)
    held = pd.MultiIndex.from_arrays([owners, pairs["folded"].to_numpy()])
    has_lit = pd.notna(lit)
    among = np.zeros(count, dtype=bool)
    among[has_lit] = pd.MultiIndex.from_arrays([np.flatnonzero(has_lit), lit[has_lit]]).isin(held)
    add = has_lit & ~among
    out = joined.copy()
    out[joined == ""] = None
    out[add] = [f"{known} {extra}" if known else extra for known, extra in zip(out[add], lit[add], strict=True)]
    return out
