"""Phonetic forms of names and the blocking keys built from them.

Every spelling is brought to one alphabet through Cyrillic: kana are written by Polivanov
(``kana_to_cyrillic``, long vowels dropped as Cyrillic drops them), Cyrillic is taken as written, and
then the clerk's spelling variants are folded away (ш/с, ч/т, дж/ж/з/дз, е/э, ё/йо/ио, ц/тс, х/ф, й/и,
ъ/ь), so that "Хашимото", "Хасимото" and ハシモト meet. That is the *folded* form; on it:

======  =====================  ============================================================================
level   name                   what is folded
======  =====================  ============================================================================
``k``   strict                 nothing: the katakana of a reading (トウジョウ)
``f``   long-vowel-folded      spelling variants, long vowels, doubled consonants, ん before m/b/p
                               (トウジョウ, Тодзё, Тодзио, Tojo -> ``tozyo``)
``v``   voicing-tolerant       ``f`` with voiced consonants made voiceless (Акутакава = Акутагава)
``c``   consonant skeleton     ``v`` without vowels, y and w (``tsy`` for Тодзё); survives vowel slips
======  =====================  ============================================================================
"""

from __future__ import annotations

import re
from functools import lru_cache

from kartoteka.names.kana import kana_to_cyrillic

LEVELS = ("k", "f", "v", "c")

# Longest first. Palatal vowels after consonants keep their y (кя -> kya), and ш/ч/ж before a/u/o
# become the palatal syllable they stand for (ша = ся = sya).
_CYRILLIC_RULES: tuple[tuple[str, str], ...] = (
    ("дж", "Z"), ("дз", "z"), ("тс", "c"), ("ж", "Z"), ("з", "z"), ("ш", "S"), ("щ", "S"), ("ч", "T"),
    ("с", "s"), ("т", "t"), ("ц", "c"), ("к", "k"), ("г", "g"), ("д", "d"), ("б", "b"), ("п", "p"),
    ("м", "m"), ("н", "n"), ("р", "r"), ("л", "r"), ("х", "h"), ("ф", "h"), ("в", "w"),
    ("йо", "yo"), ("йа", "ya"), ("йу", "yu"), ("й", "i"), ("ъ", ""), ("ь", ""),
    ("а", "a"), ("и", "i"), ("ы", "i"), ("у", "u"), ("э", "e"), ("е", "e"), ("о", "o"),
    ("я", "ya"), ("ю", "yu"), ("ё", "yo"),
)  # fmt: skip
_RULE = re.compile("|".join(re.escape(src) for src, _ in _CYRILLIC_RULES))
_RULE_MAP = dict(_CYRILLIC_RULES)
_VOICELESS = str.maketrans("gzdb", "kstp")


def _spell(cyrillic: str) -> str:
    text = _RULE.sub(lambda m: _RULE_MAP[m.group(0)], cyrillic.lower())
    # ш ч ж: before a, u, o the palatal syllable (ша = ся), before i and e the plain one (ши = си).
    text = re.sub(r"([STZ])(?=[auo])", lambda m: m.group(1).lower() + "y", text)
    text = text.replace("S", "s").replace("T", "t").replace("Z", "z")
    text = re.sub(r"yy", "y", text)
    # ио after a consonant or at the start stands for ё (Тодзио, Иосиро, кио)
    return re.sub(r"(^|[^aiueoy])io", r"\1yo", text)


@lru_cache(maxsize=200_000)
def folded(cyrillic: str) -> str:
    """The long-vowel-folded phonetic form (level ``f``) of a Cyrillic word or name."""
    text = _spell(cyrillic)
    text = re.sub(r"([aiueo])\1+", r"\1", text)  # long vowels written double
    text = re.sub(r"ou", "o", text)  # long o written out (Итоу)
    text = re.sub(r"e[i]", "e", text)  # эй, эи and э for えい
    text = re.sub(r"([kgsztdcnhbpmrw])\1+", r"\1", text)  # doubled consonants (っ), нн
    text = re.sub(r"m(?=[bp])", "n", text)  # ん before labials: Намбу = Нанбу
    return re.sub(r"t(?=c)", "", text)  # っつ: тц = ц


def voiceless(code: str) -> str:
    """Level ``v``: voicing folded (g->k, z->s, d->t, b->p)."""
    return code.translate(_VOICELESS)


def skeleton(code: str) -> str:
    """Level ``c``: consonants only (vowels, y and w dropped) of the voiceless form."""
    return re.sub(r"[aiueoyw ]", "", voiceless(code))


@lru_cache(maxsize=200_000)
def kana_folded(kana: str) -> str:
    """The folded form of a kana reading (through Polivanov Cyrillic, so both sides fold alike)."""
    return folded(kana_to_cyrillic(kana))
