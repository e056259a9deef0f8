"""Cross-script similarity of names, its explanation, and the blocking keys.

Each name becomes a few *forms*: the folded phonetic codes (``kartoteka.names.phonetic``) of its best
readings, part by part (surname, given name), each with a weight from the reading's probability; a name in
Cyrillic or Latin letters also keeps the fold of the letters as written (the evidence itself, in case the
decoder chose another name). ``similarity`` is the best weighted normalized Levenshtein similarity between
the two names' forms, parts aligned (surname with surname) or, at a small cost, crossed (a swapped order);
a single part against a full name is compared with the better-matching part, at a cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein

from kartoteka.names.phonetic import folded, kana_folded, skeleton, voiceless
from kartoteka.names.readings import (
    Reading,
    _word_script,
    latin_as_cyrillic,
    normalize,
    ordered_words,
    readings,
    word_readings,
)
from kartoteka.names.script import clean, has_letters
from kartoteka.names.spelling_patterns import clerk_patterns

FORM_READINGS = 4  # readings per name part that take part in similarity (and per name in keys)
MIN_READING_WEIGHT = 0.005  # readings less likely than this (relative to the best) are left out
SWAP_COST = 0.97  # a crossed order (given name where the surname should be) is slightly less similar
PART_COST = 0.9  # one name part against a full name
EVIDENCE_WEIGHT = 0.92  # the letters as written, against the decoded readings (weight 1 for the best)
_SWAP_BELOW = 0.85  # try the crossed order only when the aligned one is not already good


@dataclass(frozen=True, slots=True)
class Forms:
    """The phonetic forms of one name: codes per part, each with its weight (best first)."""

    surnames: tuple[tuple[str, float], ...]
    given: tuple[tuple[str, float], ...]

    @property
    def is_full(self) -> bool:
        return bool(self.given)


def _add(table: dict[str, float], code: str, weight: float) -> None:
    if code and weight > table.get(code, 0.0):
        table[code] = weight


def _evidence_codes(text: str) -> list[str] | None:
    """The fold of a Cyrillic or Latin name as written, part by part (None for kana and kanji)."""
    parts = normalize(text).split(" ")
    scripts = {_word_script(part) for part in parts}
    if not scripts <= {"cyrillic", "latin"}:
        return None
    return [
        folded(part if _word_script(part) == "cyrillic" else latin_as_cyrillic(part)) for part in parts[:2]
    ]


def _weighted(pairs: list[tuple[str, float]]) -> dict[str, float]:
    """Folded code -> weight (0.8 to 1.0 by probability relative to the best) for one part's readings."""
    table: dict[str, float] = {}
    best = max((p for _, p in pairs), default=0.0) or 1.0
    for kana, prob in pairs:
        if prob / best >= MIN_READING_WEIGHT:
            _add(table, kana_folded(kana), 0.8 + 0.2 * prob / best)
    return table


@lru_cache(maxsize=200_000)
def forms(text: str) -> Forms:
    """The forms of a (cleaned) name; cached, so a name's readings are decoded once. A full name's parts
    are read apart, so each part keeps its own alternatives."""
    parts = ordered_words(text)
    if len(parts) >= 2:
        surnames = _weighted(list(word_readings(parts[0], "surname", FORM_READINGS)))
        given = _weighted(list(word_readings(parts[1], "given", FORM_READINGS)))
    else:
        found = readings(text, limit=FORM_READINGS)
        split = [r for r in found if " " in r.kana]
        if split:  # one word read as a full name (山本五十六)
            surnames = _weighted([(r.kana.split(" ")[0], r.probability) for r in split])
            given = _weighted([(r.kana.split(" ")[1], r.probability) for r in split])
        else:
            surnames, given = _weighted([(r.kana, r.probability) for r in found]), {}
    evidence = _evidence_codes(text)
    if evidence and (len(evidence) > 1) == bool(given):
        _add(surnames, evidence[0], EVIDENCE_WEIGHT)
        if len(evidence) > 1:
            _add(given, evidence[1], EVIDENCE_WEIGHT)
    return Forms(_ranked(surnames), _ranked(given))


def _ranked(table: dict[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(table.items(), key=lambda kv: -kv[1])[:FORM_READINGS])


def _best(a: tuple[tuple[str, float], ...], b: tuple[tuple[str, float], ...]) -> tuple[float, str, str]:
    top, best_a, best_b = 0.0, "", ""
    ratio = Levenshtein.normalized_similarity
    for code_a, weight_a in a:
        for code_b, weight_b in b:
            score = weight_a * weight_b * ratio(code_a, code_b)
            if score > top:
                top, best_a, best_b = score, code_a, code_b
    return top, best_a, best_b


def _length(parts: tuple[tuple[str, float], ...]) -> int:
    return len(parts[0][0]) if parts else 0


def _combine(first: float, second: float, len_first: int, len_second: int) -> float:
    total = len_first + len_second
    return (first * len_first + second * len_second) / total if total else 0.0


def _score(fa: Forms, fb: Forms) -> tuple[float, str]:
    if fa.is_full and fb.is_full:
        s, _, _ = _best(fa.surnames, fb.surnames)
        g, _, _ = _best(fa.given, fb.given)
        lengths = (_length(fa.surnames) + _length(fb.surnames), _length(fa.given) + _length(fb.given))
        aligned = _combine(s, g, *lengths)
        if aligned >= _SWAP_BELOW:
            return aligned, "aligned"
        s2, _, _ = _best(fa.surnames, fb.given)
        g2, _, _ = _best(fa.given, fb.surnames)
        crossed = SWAP_COST * _combine(
            s2, g2, _length(fa.surnames) + _length(fb.given), _length(fa.given) + _length(fb.surnames)
        )
        return (crossed, "swapped") if crossed > aligned else (aligned, "aligned")
    if not fa.is_full and not fb.is_full:
        return _best(fa.surnames, fb.surnames)[0], "single"
    single, full = (fa, fb) if not fa.is_full else (fb, fa)
    as_surname = _best(single.surnames, full.surnames)[0]
    as_given = _best(single.surnames, full.given)[0]
    return PART_COST * max(as_surname, as_given), "part"


def _prepared(text: str) -> str | None:
    cleaned = clean(text)
    return cleaned if has_letters(cleaned) else None


@lru_cache(maxsize=200_000)
def _compared(text: str) -> tuple[str, Forms] | None:
    """(normalized text, forms) of a raw name, or None without letters: one cache lookup per call."""
    cleaned = _prepared(text)
    if cleaned is None:
        return None
    return normalize(cleaned), forms(cleaned)


def similarity(a: str, b: str) -> float:
    """How alike two names sound, in [0, 1], whatever their scripts (symmetric; 1.0 for the same name).

    Full names ("surname given", either order for Cyrillic and Latin) or single parts. A side without
    letters (empty, digits, symbols) gives 0.0; a side over ``MAX_INPUT`` characters raises "names.too_long".
    """
    left, right = _compared(a), _compared(b)
    if left is None or right is None:
        return 0.0
    if left[0] == right[0]:
        return 1.0
    return round(min(1.0, _score(left[1], right[1])[0]), 6)


# ------------------------------------------------------------------------------------------- explain
def _edits(code_a: str, code_b: str) -> list[str]:
    out = []
    for op in Levenshtein.editops(code_a, code_b):
        if op.tag == "replace":
            out.append(f"{code_a[op.src_pos]}->{code_b[op.dest_pos]} at {op.src_pos}")
        elif op.tag == "delete":
            out.append(f"drop {code_a[op.src_pos]} at {op.src_pos}")
        else:
            out.append(f"insert {code_b[op.dest_pos]} at {op.src_pos}")
    return out


def _reading_dict(reading: Reading) -> dict[str, Any]:
    return {
        "kana": reading.kana,
        "romaji": reading.romaji,
        "cyrillic": reading.cyrillic,
        "probability": round(reading.probability, 4),
    }


def _side(text: str) -> dict[str, Any]:
    found = readings(text, limit=FORM_READINGS)
    side: dict[str, Any] = {
        "text": text,
        "normalized": normalize(text),
        "readings": [_reading_dict(r) for r in found],
    }
    words = side["normalized"].split(" ")
    if found and all(_word_script(w) == "cyrillic" for w in words):
        # How a clerk got from the best reading to these letters (the channel's patterns, misreadings).
        side["clerk_patterns"] = [
            clerk_patterns(kana, word) for kana, word in zip(found[0].kana.split(" "), words, strict=False)
        ]
    return side


def explain(a: str, b: str) -> dict[str, Any]:
    """Why two names are (not) alike: both sides' readings, the forms that met, and the edits between them.

    Returns {"similarity", "order" ("aligned"|"swapped"|"single"|"part"|"same"|"empty"), "a": {...},
    "b": {...}, "parts": [{"a_form", "b_form", "similarity", "edits"}...]}. A Cyrillic side also has
    "clerk_patterns": per word, the channel patterns from its best reading to the letters written
    (e.g. ["e_for_eh: デ -> де"]), or None where the patterns alone do not explain them.
    """
    score = similarity(a, b)
    ca, cb = _prepared(a), _prepared(b)
    if ca is None or cb is None:
        return {"similarity": 0.0, "order": "empty", "a": {"text": a}, "b": {"text": b}, "parts": []}
    fa, fb = forms(ca), forms(cb)
    _, order = _score(fa, fb)
    if score == 1.0 and normalize(ca) == normalize(cb):
        order = "same"
    pairs = [(fa.surnames, fb.surnames), (fa.given, fb.given)]
    if order == "swapped":
        pairs = [(fa.surnames, fb.given), (fa.given, fb.surnames)]
    elif order == "part":
        single, full = (fa, fb) if not fa.is_full else (fb, fa)
        pairs = [(single.surnames, full.surnames), (single.surnames, full.given)]
    parts = []
    for left, right in pairs:
        if left and right:
            value, code_a, code_b = _best(left, right)
            parts.append(
                {
                    "a_form": code_a,
                    "b_form": code_b,
                    "similarity": round(value, 4),
                    "edits": _edits(code_a, code_b),
                }
            )
    return {"similarity": score, "order": order, "a": _side(ca), "b": _side(cb), "parts": parts}


# ---------------------------------------------------------------------------------------------- keys
def keys(text: str) -> set[str]:
    """Phonetic blocking keys of a name, one string per level and reading: "k:トウジョウ", "f:tozyo",
    "v:tosyo", "c:ts" (levels in ``kartoteka.names.phonetic``). A full name gives keys of the whole name,
    parts joined by a space, surname first ("f:yamamoto isoroku"). Empty for a text without letters, or
    whose only letters are initials ("A.", "И. К."): an initial carries no reading.

    Consonant skeletons shorter than 3 letters are left out: they would make hot blocks. Letters that no
    reading explains (a stray "x", 々 alone) give their normalized text as a "k:" key.
    """
    cleaned = _prepared(text)
    if cleaned is None:
        return set()
    return set(_keys_cached(cleaned))


@lru_cache(maxsize=200_000)
def _keys_cached(text: str) -> frozenset[str]:
    out: set[str] = set()
    found = readings(text, limit=FORM_READINGS)
    best = found[0].probability if found else 1.0
    codes = []
    for reading in found:
        if reading.probability / best >= MIN_READING_WEIGHT:
            out.add("k:" + reading.kana)
            codes.append(" ".join(kana_folded(part) for part in reading.kana.split(" ")))
    evidence = _evidence_codes(text)
    if evidence:
        codes.append(" ".join(evidence))
    for code in codes:
        if not code.strip():
            continue
        out.add("f:" + code)
        out.add("v:" + voiceless(code))
        if len(skeleton(code)) >= 3:
            out.add("c:" + skeleton(code))
    if not out:  # letters no reading explains (々 alone, a stray x): the text itself is the only key
        out.add("k:" + normalize(text))
    return frozenset(out)
