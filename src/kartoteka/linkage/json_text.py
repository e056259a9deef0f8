"""JSON text for a column of millions of values, written once per distinct value.

A `json.dumps` per value took seconds at full scale; a column takes few distinct values (a comparison's weight,
a camp's name), so each is written once and the texts are picked by code.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def json_texts(values: pd.Series | np.ndarray, blank_as_null: bool = False) -> np.ndarray:
    """Each value as the text `json.dumps(value, ensure_ascii=False)` writes for it (an object array).

    Floats are told apart by bit pattern (-0.0 and 0.0 are written differently; NaN is NaN). Anything else is
    text: a missing value is null, and with `blank_as_null` so is an empty string."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        codes, bits = pd.factorize(array.astype(np.float64).view(np.int64))
        distinct = bits.view(np.float64).tolist()
    else:
        codes, found = pd.factorize(array.astype(object), use_na_sentinel=False)
        # factorize gives a missing value (None, NaN, NA) back as NaN: in a column of text it is null
        distinct = [None if _missing(value) or (blank_as_null and value == "") else value for value in found.tolist()]
    written = np.array([json.dumps(value, ensure_ascii=False) for value in distinct], dtype=object)
    return written[codes]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
