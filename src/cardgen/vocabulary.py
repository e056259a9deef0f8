"""The names of one generated file: surnames, given names and places assembled from morae by cardgen's rules.

Every file draws its own vocabulary from its seed: a surname is one or two front morae and an ending
(-ta, -mura, -kawa, ...), a man's given name one or two front morae and a man's ending (-o, -ro, -ichi, -suke,
...), a place two or three morae and a place ending. Long vowels, ん and doubled consonants are sprinkled in
by rule. Names are ranked once drawn, and a name's frequency falls with its rank (Zipf-Mandelbrot:
proportional to 1 / (rank + offset)), so that the commonest names are borne by many men, as in a real
population, while most names are rare.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from cardgen.polivanov import MORAE, canonical, split_mora

# How common each mora is at the front of a name: cardgen's own rough weights. The others weigh
# ``OTHER_WEIGHT``; p- and the rarer palatals hardly start a Japanese name (``RARE_WEIGHT``).
FRONT_WEIGHTS = {
    "ka": 9, "ta": 9, "ma": 8, "na": 8, "ya": 8, "sa": 7, "shi": 6, "ki": 7, "ku": 5, "to": 6, "mo": 5,
    "ri": 4, "ra": 3, "ha": 6, "hi": 5, "fu": 4, "o": 6, "i": 6, "a": 4, "u": 3, "no": 4, "mi": 6, "ko": 5,
    "se": 2, "so": 3, "chi": 3, "tsu": 4, "te": 2, "ni": 3, "ho": 4, "wa": 3, "yo": 5, "yu": 3, "ga": 2,
    "da": 2, "go": 2, "ba": 1, "ji": 2, "ze": 1, "zu": 1, "shu": 2, "sho": 3, "kyo": 2, "ryo": 2, "ju": 1,
    "e": 2, "su": 4, "ke": 3, "ne": 2, "me": 2, "mu": 2, "ro": 2, "bu": 1, "re": 1, "he": 1,
}
SURNAME_ENDINGS: dict[tuple[str, ...], int] = {
    ("ta",): 10, ("da",): 9, ("no",): 5, ("ki",): 6, ("wa",): 5, ("mu", "ra"): 8, ("mo", "to"): 7,
    ("ka", "wa"): 8, ("ga", "wa"): 4, ("shi", "ma"): 7, ("ji", "ma"): 3, ("ya", "ma"): 8, ("ta", "ni"): 4,
    ("za", "ki"): 4, ("sa", "ki"): 3, ("ha", "ra"): 6, ("ba", "ra"): 3, ("o", "ka"): 4, ("ta", "ke"): 3,
    ("ba", "ya", "shi"): 2, ("mo", "ri"): 4, ("na", "ga"): 2, ("be",): 2, ("ma", "tsu"): 3, ("ku", "bo"): 2,
    ("ne",): 2, ("i",): 3, ("to", "-"): 3, ("u", "chi"): 3, ("ka", "mi"): 2, ("no", "u", "e"): 1,
}
GIVEN_ENDINGS: dict[tuple[str, ...], int] = {
    ("o",): 10, ("ro", "-"): 8, ("i", "chi"): 7, ("i", "chi", "ro", "-"): 5, ("ji",): 7, ("ji", "ro", "-"): 5,
    ("zo", "-"): 4, ("ki", "chi"): 4, ("su", "ke"): 5, ("he", "i"): 4, ("shi",): 6, ("no", "ri"): 4,
    ("yu", "ki"): 3, ("ta", "ka"): 3, ("ha", "ru"): 3, ("to", "shi"): 5, ("o", "mi"): 2, ("ma", "sa"): 3,
    ("ru",): 3, ("ya",): 2, ("ke", "n"): 2, ("ta", "ro", "-"): 4, ("sa", "bu", "ro", "-"): 2, ("ta",): 2,
    ("mi", "tsu"): 3, ("yo", "shi"): 4, ("ka", "zu"): 3, ("hi", "ko"): 2, ("to", "mo"): 2,
}
PLACE_ENDINGS: dict[tuple[str, ...], int] = {
    ("ma",): 5, ("ka",): 4, ("ta",): 3, ("shi", "ma"): 5, ("ya", "ma"): 4, ("no",): 2, ("ga", "wa"): 4,
    ("ki",): 3, ("ri",): 2, ("sa", "ki"): 3, ("ga", "ta"): 3, ("na", "ga"): 2, ("ra",): 2, ("mo", "ri"): 2,
    ("i",): 2, ("o", "ka"): 3, ("ka", "wa"): 3, ("ba",): 2, ("chi",): 2,
}
# Morae a doubled consonant (っ) can stand before.
DOUBLABLE = frozenset({"k", "s", "t", "p", "ch", "sh", "ts", "ky"})

SURNAMES, GIVEN_NAMES, PLACES = 8000, 4000, 47
# Zipf-Mandelbrot offsets: the commonest surname is borne by about 1.5 % of men, the commonest given name by
# about 1.8 %, the commonest place by about 5 % (the real orders of magnitude).
SURNAME_OFFSET, GIVEN_OFFSET, PLACE_OFFSET = 10, 8, 4


@dataclass(frozen=True)
class Pool:
    """Names (as morae) with their canonical spelling, ranked, and cumulative Zipf weights for drawing."""

    names: tuple[tuple[str, ...], ...]
    spellings: tuple[str, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> int:
        """The index of a name, drawn by its frequency."""
        return bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])


@dataclass(frozen=True)
class Vocabulary:
    """Surnames, given names (also the fathers' names) and birthplaces of one file."""

    surnames: Pool
    given_names: Pool
    places: Pool


def _weighted(rng: random.Random, table: dict[tuple[str, ...], int]) -> tuple[str, ...]:
    items = list(table)
    return rng.choices(items, weights=[table[i] for i in items])[0]


_FRONT = list(MORAE)
OTHER_WEIGHT, RARE_WEIGHT = 0.5, 0.1
_FRONT_CUMULATIVE = list(accumulate(
    FRONT_WEIGHTS.get(m, RARE_WEIGHT if m.startswith("p") or m[1:2] == "y" else OTHER_WEIGHT) for m in _FRONT))


def _front(rng: random.Random, count: int) -> list[str]:
    """``count`` front morae, no vowel-only mora after a vowel (except i, which is then й)."""
    morae: list[str] = []
    while len(morae) < count:
        mora = rng.choices(_FRONT, cum_weights=_FRONT_CUMULATIVE)[0]
        if morae and not split_mora(mora)[0] and mora != "i":
            continue
        morae.append(mora)
    return morae


def _decorate(rng: random.Random, front: list[str], ending: tuple[str, ...]) -> tuple[str, ...]:
    """Join front and ending, sometimes with a long vowel, ん or a doubled consonant between them."""
    joined = list(front)
    roll = rng.random()
    last_vowel = split_mora(front[-1])[1]
    if roll < 0.14 and last_vowel in "ou":
        joined.append("-")
    elif roll < 0.24:
        joined.append("n")
    elif roll < 0.29 and split_mora(ending[0])[0] in DOUBLABLE:
        joined.append("Q")
    if ending[0] == "i" and joined[-1] in ("-", "n", "Q"):
        joined.pop()
    return (*joined, *ending)


def _pool(rng: random.Random, size: int, offset: int, make: Callable[[random.Random], tuple[str, ...]]) -> Pool:
    """``size`` distinct names (by canonical spelling), made by ``make(rng)``, in the order drawn."""
    names: list[tuple[str, ...]] = []
    seen: set[str] = set()
    attempts = 0
    while len(names) < size and attempts < size * 50:
        attempts += 1
        name = make(rng)
        spelling = canonical(name)
        if len(spelling) < 3 or spelling in seen:
            continue
        seen.add(spelling)
        names.append(name)
    weights = [1.0 / (rank + offset) for rank in range(1, len(names) + 1)]
    return Pool(tuple(names), tuple(canonical(n) for n in names), tuple(accumulate(weights)))


def _surname(rng: random.Random) -> tuple[str, ...]:
    return _decorate(rng, _front(rng, 1 if rng.random() < 0.6 else 2), _weighted(rng, SURNAME_ENDINGS))


def _given_name(rng: random.Random) -> tuple[str, ...]:
    front = _front(rng, 1 if rng.random() < 0.7 else 2)
    if rng.random() < 0.12 and split_mora(front[-1])[1] in "ou":
        front.append("-")  # Kō-, Shō-, Yū-
    ending = _weighted(rng, GIVEN_ENDINGS)
    if front[-1] == "-" and not split_mora(ending[0])[0]:
        front.pop()
    return (*front, *ending)


def _place(rng: random.Random) -> tuple[str, ...]:
    return _decorate(rng, _front(rng, 2 if rng.random() < 0.6 else 1), _weighted(rng, PLACE_ENDINGS))


def build_vocabulary(rng: random.Random) -> Vocabulary:
    """The vocabulary of one file, drawn from ``rng``."""
    return Vocabulary(
        surnames=_pool(rng, SURNAMES, SURNAME_OFFSET, _surname),
        given_names=_pool(rng, GIVEN_NAMES, GIVEN_OFFSET, _given_name),
        places=_pool(rng, PLACES, PLACE_OFFSET, _place),
    )
