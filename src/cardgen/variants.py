"""What a Soviet clerk did to a Japanese name on one card: wrote it by ear, and sometimes mistyped it.

``spell`` renders a name's morae in Cyrillic for one card. On about ``BY_EAR_RATE`` of the cards the clerk
wrote by ear: at each point where Polivanov's table and the ear can disagree, the ear wins with the rate in
``POINT_RATES`` (си/ши, ти/чи, цу/тсу, дз/з/дж, э/е, ё/ио, й/и, фу/ху, н/м before б and п, нъ/н, a doubled
consonant written once, a long vowel written twice or as оу / эй). Then, on about ``TYPO_RATE`` of the
cards, one typing slip: a letter dropped, doubled, two letters swapped, or a key's neighbour on the Russian
keyboard (ЙЦУКЕН) struck instead.
"""

from __future__ import annotations

import random

from cardgen.polivanov import canonical, render

BY_EAR_RATE = 0.45
TYPO_RATE = 0.07
POINT_RATES = {
    "si_shi": 0.5, "ti_chi": 0.5, "ts_c": 0.4, "dz_z": 0.6, "dzh": 0.3, "e_e": 0.45, "yo_io": 0.35,
    "i_y": 0.5, "fu_hu": 0.3, "n_m": 0.5, "drop_hard_sign": 0.6, "drop_double": 0.4, "long": 0.5,
    "long_ou": 0.3, "long_ei": 0.5,
}
# The letter rows of the Russian typewriter and computer keyboard: a slip strikes a row neighbour.
KEYBOARD_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
NEIGHBOURS: dict[str, str] = {}
for _row in KEYBOARD_ROWS:
    for _i, _ch in enumerate(_row):
        NEIGHBOURS[_ch] = _row[max(_i - 1, 0):_i] + _row[_i + 1:_i + 2]
TYPOS = ("drop", "double", "swap", "neighbour")


def by_ear(moras: tuple[str, ...], rng: random.Random) -> str:
    """The name as one clerk heard it: each variant point takes its by-ear form at its rate."""
    return render(moras, lambda point: rng.random() < POINT_RATES[point])


def typo(text: str, rng: random.Random) -> str:
    """One typing slip in ``text`` (at least three letters are kept; the first letter stays capital)."""
    letters = list(text.lower())
    if len(letters) < 4:
        return text
    kind = rng.choice(TYPOS)
    at = rng.randrange(1, len(letters) - 1)  # the first letter is the one a clerk gets right
    if kind == "drop":
        del letters[at]
    elif kind == "double":
        letters.insert(at, letters[at])
    elif kind == "swap" and letters[at] != letters[at + 1]:
        letters[at], letters[at + 1] = letters[at + 1], letters[at]
    elif kind == "neighbour" and NEIGHBOURS.get(letters[at]):
        letters[at] = rng.choice(NEIGHBOURS[letters[at]])
    return "".join(letters).capitalize()


def spell(moras: tuple[str, ...], rng: random.Random, by_ear_rate: float = BY_EAR_RATE,
          typo_rate: float = TYPO_RATE) -> str:
    """A name as written on one card: by the table or by ear, then perhaps one typing slip."""
    text = by_ear(moras, rng) if rng.random() < by_ear_rate else canonical(moras)
    return typo(text, rng) if rng.random() < typo_rate else text
