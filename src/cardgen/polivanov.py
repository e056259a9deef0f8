"""Japanese-like syllables (morae) and their Cyrillic spelling: a plain Polivanov table of cardgen's own.

A name is a tuple of morae written in a Hepburn-like romanization: ``("ya", "ma", "da")``. Three morae are
special: ``"n"`` (the moraic nasal), ``"Q"`` (a doubled consonant: the next consonant is written twice) and
``"-"`` (the previous vowel is long). ``render`` spells a name in Cyrillic; at each point where a clerk writing
by ear might write it otherwise (си/ши, цу/тсу, дз/з, э/е, кё/кио, й/и, a long vowel doubled, ...) it asks
``choose`` whether to take the by-ear form. ``choose`` always False gives the table's own (canonical) spelling.

Nothing here comes from kartoteka: the table is written out below from the Polivanov system itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

# Consonant part of each romanized onset -> its Cyrillic letters, and the Polivanov vowels.
VOWELS = {"a": "а", "i": "и", "u": "у", "e": "э", "o": "о"}
# Vowels after a palatal onset (kya, sho, ju, ...): я, ю, ё.
PALATAL_VOWELS = {"a": "я", "u": "ю", "o": "ё"}
ONSETS = {
    "": "", "k": "к", "s": "с", "t": "т", "n": "н", "h": "х", "m": "м", "y": "", "r": "р", "w": "в",
    "g": "г", "z": "дз", "d": "д", "b": "б", "p": "п", "f": "ф",
    # palatal onsets (the vowel after them is я/ю/ё)
    "ky": "к", "sh": "с", "ch": "т", "ny": "н", "hy": "х", "my": "м", "ry": "р", "gy": "г", "j": "дз",
    "by": "б", "py": "п",
}
# The Hepburn spellings of the irregular morae: shi, chi, tsu, fu, ji are onset + vowel in the table above.
IRREGULAR = {"shi": ("sh", "i"), "chi": ("ch", "i"), "tsu": ("ts", "u"), "fu": ("f", "u"), "ji": ("j", "i")}
SPECIAL = frozenset({"n", "Q", "-"})

#: Every ordinary mora cardgen builds names from (the special ones aside).
MORAE: tuple[str, ...] = (
    "a", "i", "u", "e", "o",
    "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu", "te", "to",
    "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo",
    "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa",
    "ga", "gi", "gu", "ge", "go", "za", "ji", "zu", "ze", "zo", "da", "de", "do",
    "ba", "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po",
    "kya", "kyu", "kyo", "sha", "shu", "sho", "cha", "chu", "cho", "nya", "nyu", "nyo",
    "hya", "hyo", "mya", "myo", "rya", "ryu", "ryo", "gyo", "ja", "ju", "jo", "byo", "pyo",
)

Choose = Callable[[str], bool]  # the name of a variant point -> take the by-ear form?


def split_mora(mora: str) -> tuple[str, str]:
    """A romanized mora -> (onset, vowel): "kyo" -> ("ky", "o"), "shi" -> ("sh", "i"), "a" -> ("", "a")."""
    if mora in IRREGULAR:
        return IRREGULAR[mora]
    return mora[:-1], mora[-1]


def _vowel_letters(onset: str, vowel: str, after_vowel: bool, choose: Choose) -> str:
    """The Cyrillic of a mora's vowel given its onset (palatals take я/ю/ё; ё may be heard as ио)."""
    palatal = onset in ("y", "ky", "sh", "ch", "ny", "hy", "my", "ry", "gy", "j", "by", "py")
    if palatal and vowel in PALATAL_VOWELS:
        letter = PALATAL_VOWELS[vowel]
        if onset == "y" and vowel in "ou" and choose("yo_io"):
            # ё/ио at the start of a word or after a vowel: Ёсида / Иосида, Юки / Иуки
            return ("и" if not after_vowel else "й") + VOWELS[vowel]
        if onset not in ("y", "sh", "ch", "j") and vowel in "ou" and choose("yo_io"):
            return "и" + VOWELS[vowel]  # кё / кио
        return letter
    if vowel == "e" and onset and choose("e_e"):
        return "е"  # кэ / ке
    return VOWELS[vowel]


def _onset_letters(onset: str, vowel: str, choose: Choose) -> str:
    """The Cyrillic of a mora's onset, with the by-ear forms of си/ши, ти/чи, цу/тсу, дз/з, фу/ху."""
    if onset in ("sh",) and choose("si_shi"):
        return "ш"
    if onset in ("ch",) and choose("ti_chi"):
        return "ч"
    if onset == "ts":
        return "тс" if choose("ts_c") else "ц"
    if onset in ("z", "j") and choose("dz_z"):
        return "з" if onset == "z" or vowel != "i" or not choose("dzh") else "дж"
    if onset == "f" and choose("fu_hu"):
        return "х"
    return ONSETS[onset]


def _first_consonant(text: str) -> str:
    return text[0] if text and text[0] not in "аиуэоеяюё" else ""


def render(moras: tuple[str, ...], choose: Choose) -> str:
    """A name in Cyrillic (capitalized), taking each by-ear form that ``choose`` asks for."""
    out: list[str] = []
    previous_vowel = ""  # the vowel the spelling so far ends in ("" after a consonant or at the start)
    for index, mora in enumerate(moras):
        following = moras[index + 1] if index + 1 < len(moras) else ""
        if mora == "-":
            out.append(_long_vowel(previous_vowel, choose))
            continue
        if mora == "Q":
            out.append("Q")  # resolved once the next mora is spelt
            previous_vowel = ""
            continue
        if mora == "n":
            out.append(_nasal(following, choose))
            previous_vowel = ""
            continue
        onset, vowel = split_mora(mora)
        if mora == "i" and previous_vowel in ("a", "u", "e", "o"):
            out.append("и" if choose("i_y") else "й")  # ai, ei, oi, ui: й; by ear often и (Сайто / Саито)
            previous_vowel = ""
            continue
        out.append(_onset_letters(onset, vowel, choose) + _vowel_letters(onset, vowel, bool(previous_vowel), choose))
        previous_vowel = vowel
    return _resolve_doubling(out, choose).capitalize()


def _long_vowel(vowel: str, choose: Choose) -> str:
    """A long vowel: the table writes it once; by ear it is doubled (оо, уу) or written оу / эй."""
    if not vowel or not choose("long"):
        return ""
    if vowel == "o" and choose("long_ou"):
        return "у"
    if vowel == "e" and choose("long_ei"):
        return "й"
    return VOWELS[vowel]


def _nasal(following: str, choose: Choose) -> str:
    """ん: н; нъ before a vowel or y (by ear the ъ is dropped); before b, p, m often heard as м."""
    onset = split_mora(following)[0] if following and following not in SPECIAL else None
    if onset is not None and onset[:1] in ("b", "p", "m") and choose("n_m"):
        return "м"
    if onset is not None and onset in ("", "y") and not choose("drop_hard_sign"):
        return "нъ"
    return "н"


def _resolve_doubling(parts: list[str], choose: Choose) -> str:
    """っ doubles the next consonant (тт, кк, сс, пп); by ear the doubling is often not written."""
    text = []
    for index, part in enumerate(parts):
        if part != "Q":
            text.append(part)
            continue
        nxt = parts[index + 1] if index + 1 < len(parts) else ""
        consonant = _first_consonant(nxt)
        if consonant and not choose("drop_double"):
            text.append("т" if consonant in "цч" else consonant)
    return "".join(text)


@cache
def canonical(moras: tuple[str, ...]) -> str:
    """The table's own spelling, with no by-ear form."""
    return render(moras, lambda _point: False)
