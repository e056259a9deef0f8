"""The clerk-error channel: how a Japanese name became Cyrillic on a Soviet card, and katakana again in Tokyo.

One description of the channel, used both ways: the simulator samples from it
(``write_cyrillic_by_ear``, ``ministry_katakana_from_cyrillic``) and the decoder in
``kartoteka.names.decode`` scores candidate readings with it (``mora_renderings``, ``misread_options``).

Stage 1, the Soviet clerk, writes each mora by ear. The standard rendering is Polivanov's
(``kana.cyrillic_mora``); each pattern below is a deviation seen in real Russian sources
(``shared/reference/polivanov.tsv``) and has one named rate in ``ClerkErrorRates``. A pattern applies to a
mora with its rate, independently of the others, in the fixed order of ``PATTERNS``. A card copied at a
camp transfer may also pick up handwriting misreadings (``copy_misread``, per letter).

Stage 2, the ministry, reads the handwritten Cyrillic (with cursive confusions м/ш/т/и/л, к/н, е/о,
й/и, ё/е at ``ministry_misread`` per letter) and transliterates it letter by letter into katakana
(``cyrillic_to_katakana_mechanical``): this is how 幸地亀吉 came back as コチ・カショニチ.

The rates are assumptions, not measurements: no published study counts these deviations. They are set so
that the common variants of the reference table (е for э, з for дз, ш/ч, dropped ъ) are common and the
errors (voicing slips, vowel changes, dropped vowels) are rare; see docs/explanation/name-rules.md.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import lru_cache

from kartoteka.names.kana import (
    CHOONPU,
    HATSUON,
    SOKUON,
    Mora,
    cyrillic_mora,
    in_context,
    is_long_vowel_tail,
    split_morae,
)


@dataclass(frozen=True)
class ClerkErrorRates:
    """Named rates of each clerk pattern (probability per mora where the pattern can apply).

    Stage 1 spelling variants (polivanov.tsv VARIANT rows): sh_for_s (シ->ши), ch_for_t (チ->чи),
    dzh_for_dz (ジ->джи), zh_for_dz (ジ->жи), z_for_dz (ザ行->за, зи...), e_for_eh (э->е), jo_for_yo (ё->йо),
    io_for_yo (ё->ио: Иосиро, Иокогама),
    e_for_yo (ё->е), fu_as_hu (фу->ху), h_as_g (х->г), ts_for_ts (ц->тс).
    Rules not followed: long_vowel_doubled (Отозоо), long_vowel_io (Тодзио), long_vowel_spelled (оу),
    ei_as_e (э for эй), ei_as_ei (эи), hatsuon_no_m (Дзюнпэй), hard_sign_missing (Кеничи),
    diphthong_i_swapped (Койсо), ii_collapsed (Аитиро), sokuon_dropped (one letter for っ).
    Errors of the ear: voicing_lost (Акутакава), voicing_added, final_vowel_changed (Ямадо),
    vowel_dropped (Искава), devoiced_vowel_dropped (-скэ, Маскава).
    Handwriting (per letter): copy_misread (a card copied at a transfer), ministry_misread (stage 2).
    """

    sh_for_s: float = 0.10
    ch_for_t: float = 0.10
    dzh_for_dz: float = 0.06
    zh_for_dz: float = 0.02
    z_for_dz: float = 0.15
    e_for_eh: float = 0.35
    jo_for_yo: float = 0.08
    io_for_yo: float = 0.04
    e_for_yo: float = 0.10
    fu_as_hu: float = 0.05
    h_as_g: float = 0.01
    ts_for_ts: float = 0.01
    long_vowel_doubled: float = 0.06
    long_vowel_io: float = 0.05
    long_vowel_spelled: float = 0.02
    ei_as_e: float = 0.05
    ei_as_ei: float = 0.05
    hatsuon_no_m: float = 0.15
    hard_sign_missing: float = 0.50
    diphthong_i_swapped: float = 0.15
    ii_collapsed: float = 0.15
    sokuon_dropped: float = 0.04
    voicing_lost: float = 0.02
    voicing_added: float = 0.015
    final_vowel_changed: float = 0.03
    vowel_dropped: float = 0.01
    devoiced_vowel_dropped: float = 0.05
    copy_misread: float = 0.005
    ministry_misread: float = 0.03

    def scaled(self, factor: float) -> ClerkErrorRates:
        """Every rate multiplied by ``factor`` (capped at 0.9)."""
        return replace(self, **{f.name: min(0.9, getattr(self, f.name) * factor) for f in fields(self)})

    def as_dict(self) -> dict[str, float]:
        """The rates by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


REALISTIC = ClerkErrorRates()
PROFILES: dict[str, ClerkErrorRates] = {
    # clean: careful clerks; only the commonest spelling habits, no errors of the ear, clear handwriting.
    "clean": replace(
        REALISTIC.scaled(0.3),
        voicing_lost=0.0,
        voicing_added=0.0,
        final_vowel_changed=0.0,
        vowel_dropped=0.0,
        copy_misread=0.0,
        ministry_misread=0.005,
    ),
    # realistic: the defaults above.
    "realistic": REALISTIC,
    # harsh: every rate doubled; handwriting as bad as the worst identified pairs.
    "harsh": replace(REALISTIC.scaled(2.0), ministry_misread=0.08, copy_misread=0.02),
}

# ------------------------------------------------------------------------------------- stage 1 patterns
Transform = Callable[[Mora | None, Mora, Mora | None, str], tuple[str, ...]]

_VOICELESS = set("kstchfp")
_VOICE_LOSS = (("дз", "с"), ("дж", "ч"), ("г", "к"), ("д", "т"), ("б", "п"), ("з", "с"), ("ж", "ш"))
_VOICE_GAIN = (("к", "г"), ("п", "б"), ("с", "дз"), ("ш", "дж"), ("та", "да"), ("то", "до"), ("тэ", "дэ"))
_VOWEL_SWAPS = {"а": "о", "о": "у", "у": "о", "э": "и", "и": "э", "е": "и", "я": "ё", "ё": "ю", "ю": "ё"}


def _swap(pairs: tuple[tuple[str, str], ...]) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        for old, new in pairs:
            if s.startswith(old):
                return (new + s[len(old) :],)
        return ()

    return transform


def _sh(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    if not mora.romaji.startswith("sh") or not s.startswith("с"):
        return ()
    return ("ш" + {"и": "и", "я": "а", "ю": "у", "ё": "о"}.get(s[1:2], s[1:2]) + s[2:],)


def _ch(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    if not mora.romaji.startswith("ch") or not s.startswith("т"):
        return ()
    return ("ч" + {"и": "и", "я": "а", "ю": "у", "ё": "о"}.get(s[1:2], s[1:2]) + s[2:],)


def _j_as(onset: str) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        if not mora.romaji.startswith("j") or not s.startswith("дз"):
            return ()
        vowel = {"и": "и", "я": "а", "ю": "у", "ё": "о"}.get(s[2:3], s[2:3])
        return (onset + vowel + s[3:],)

    return transform


def _z(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    return ("з" + s[2:],) if s.startswith("дз") else ()


def _letter(old: str, new: str, *, only_if: Callable[[Mora, str], bool] = lambda m, s: True) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        return (s.replace(old, new),) if old in s and only_if(mora, s) else ()

    return transform


def _jo(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    return ("йо",) if mora.kana == "ヨ" and s == "ё" else ()


def _long_tail(kind: str) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        if s or prev is None or not is_long_vowel_tail(prev, mora, nxt):
            return ()
        vowel = {"a": "а", "i": "и", "u": "у", "e": "э", "o": "о"}[prev.vowel]
        if kind == "doubled":
            return (vowel,)
        if kind == "spelled" and mora.kana in ("ウ", "オ"):
            return ({"ウ": "у", "オ": "о"}[mora.kana],)
        return ()

    return transform


def _io(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    if nxt is None or not s.endswith("ё") or not is_long_vowel_tail(mora, nxt):
        return ()
    return (s[:-1] + "ио",)


def _ei(kind: str) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        if mora.kana != "イ" or prev is None or prev.vowel != "e" or s != "й":
            return ()
        return ("",) if kind == "e" else ("и",)

    return transform


def _hatsuon(kind: str) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        if mora.kana != HATSUON:
            return ()
        return ("н",) if (kind == "m" and s == "м") or (kind == "hard" and s == "нъ") else ()

    return transform


def _diphthong(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    if mora.kana != "イ" or prev is None or prev.vowel not in ("a", "u", "o"):
        return ()
    return {"й": ("и",), "и": ("й",)}.get(s, ())


def _ii(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    return ("",) if mora.kana == "イ" and prev is not None and prev.vowel == "i" and s == "и" else ()


def _sokuon(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    return ("",) if mora.kana == SOKUON and s else ()


def _final_vowel(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
    if nxt is not None and nxt.kana not in (CHOONPU,) and nxt.cyrillic.strip():
        return ()
    if len(s) < 2 or s[-1] not in _VOWEL_SWAPS:
        return ()
    return (s[:-1] + _VOWEL_SWAPS[s[-1]],)


def _drop_vowel(devoiced: bool) -> Transform:
    def transform(prev: Mora | None, mora: Mora, nxt: Mora | None, s: str) -> tuple[str, ...]:
        if len(s) < 2 or s[-1] not in "аиуэоеё" or nxt is None or not nxt.romaji[:1].isalpha():
            return ()
        is_devoicing = (
            mora.vowel in ("u", "i") and mora.romaji[:1] in _VOICELESS and nxt.romaji[:1] in _VOICELESS
        )
        if devoiced != is_devoicing or nxt.romaji[:1] in "aiueoy":
            return ()
        return (s[:-1],)

    return transform


@dataclass(frozen=True)
class Pattern:
    """One deviation of the clerk: a name (the rate's field in ClerkErrorRates) and its transform."""

    name: str
    transform: Transform


PATTERNS: tuple[Pattern, ...] = (
    Pattern("sh_for_s", _sh),
    Pattern("ch_for_t", _ch),
    Pattern("dzh_for_dz", _j_as("дж")),
    Pattern("zh_for_dz", _j_as("ж")),
    Pattern("z_for_dz", _z),
    Pattern("e_for_eh", _letter("э", "е")),
    Pattern("jo_for_yo", _jo),
    Pattern("io_for_yo", _letter("ё", "ио", only_if=lambda m, s: m.romaji.endswith("yo"))),
    Pattern("e_for_yo", _letter("ё", "е")),
    Pattern("fu_as_hu", _letter("ф", "х", only_if=lambda m, s: m.romaji.startswith("f"))),
    Pattern("h_as_g", _letter("х", "г", only_if=lambda m, s: m.romaji.startswith("h"))),
    Pattern("ts_for_ts", _letter("ц", "тс")),
    Pattern("long_vowel_doubled", _long_tail("doubled")),
    Pattern("long_vowel_io", _io),
    Pattern("long_vowel_spelled", _long_tail("spelled")),
    Pattern("ei_as_e", _ei("e")),
    Pattern("ei_as_ei", _ei("ei")),
    Pattern("hatsuon_no_m", _hatsuon("m")),
    Pattern("hard_sign_missing", _hatsuon("hard")),
    Pattern("diphthong_i_swapped", _diphthong),
    Pattern("ii_collapsed", _ii),
    Pattern("sokuon_dropped", _sokuon),
    Pattern("voicing_lost", _swap(_VOICE_LOSS)),
    Pattern("voicing_added", _swap(_VOICE_GAIN)),
    Pattern("final_vowel_changed", _final_vowel),
    Pattern("vowel_dropped", _drop_vowel(devoiced=False)),
    Pattern("devoiced_vowel_dropped", _drop_vowel(devoiced=True)),
)

# Cursive confusions (polivanov.tsv CLERK-CHAIN row, plus lost diacritics й->и, ё->е).
CONFUSABLE_GROUPS: tuple[str, ...] = ("мштил", "кн", "ео", "йи", "ёе")


@lru_cache(maxsize=1)
def _confusions() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group in CONFUSABLE_GROUPS:
        for letter in group:
            table.setdefault(letter, []).extend(other for other in group if other != letter)
    return {letter: tuple(dict.fromkeys(others)) for letter, others in table.items()}


def misread_options(letter: str) -> tuple[str, ...]:
    """The letters a cursive ``letter`` may be misread as (м -> ш, т, и, л; к -> н; е -> о ...)."""
    return _confusions().get(letter, ())


def mora_renderings(
    prev: Mora | None, mora: Mora, nxt: Mora | None, rates: ClerkErrorRates, max_patterns: int = 2
) -> list[tuple[str, float, tuple[str, ...]]]:
    """Every Cyrillic string a clerk may write for ``mora`` in its context, with its probability and patterns.

    The same model ``write_cyrillic_by_ear`` samples from; combinations of more than ``max_patterns``
    patterns are left out (their probability is negligible at any profile's rates).
    """
    options: list[tuple[str, float, tuple[str, ...]]] = [(cyrillic_mora(prev, mora, nxt), 1.0, ())]
    for pattern in PATTERNS:
        rate = getattr(rates, pattern.name)
        if rate <= 0:
            continue
        grown: list[tuple[str, float, tuple[str, ...]]] = []
        for text, prob, names in options:
            alternatives = pattern.transform(prev, mora, nxt, text)
            if not alternatives or len(names) >= max_patterns:
                grown.append((text, prob, names))
                continue
            grown.append((text, prob * (1 - rate), names))
            share = prob * rate / len(alternatives)
            grown.extend((alt, share, (*names, pattern.name)) for alt in alternatives)
        options = grown
    merged: dict[str, tuple[float, tuple[str, ...]]] = {}
    for text, prob, names in options:
        old_prob, old_names = merged.get(text, (0.0, names))
        merged[text] = (old_prob + prob, old_names if old_prob >= prob else names)
    return sorted(((t, p, n) for t, (p, n) in merged.items()), key=lambda item: -item[1])


def _sample_mora(
    prev: Mora | None, mora: Mora, nxt: Mora | None, rng: random.Random, rates: ClerkErrorRates
) -> str:
    text = cyrillic_mora(prev, mora, nxt)
    for pattern in PATTERNS:
        alternatives = pattern.transform(prev, mora, nxt, text)
        if alternatives and rng.random() < getattr(rates, pattern.name):
            text = alternatives[0] if len(alternatives) == 1 else rng.choice(alternatives)
    return text


def misread_by_hand(text: str, rng: random.Random, rate: float) -> str:
    """Handwritten Cyrillic read (or copied) again: each letter misread at `rate` into a look-alike letter."""
    if rate <= 0:
        return text
    out = []
    for letter in text:
        options = misread_options(letter.lower())
        if options and rng.random() < rate:
            new = rng.choice(options)
            letter = new.upper() if letter.isupper() else new
        out.append(letter)
    return "".join(out)


def write_cyrillic_by_ear(kana: str, rng: random.Random, rates: ClerkErrorRates) -> str:
    """Stage 1: a Soviet clerk writes a kana name in Cyrillic by ear (words capitalised, space-separated).

    ``kana`` may hold several words separated by a space or ・ (surname and given name).
    """
    words = []
    for word in kana.replace("・", " ").split():
        letters = [
            _sample_mora(prev, mora, nxt, rng, rates) for prev, mora, nxt in in_context(split_morae(word))
        ]
        written = misread_by_hand("".join(letters), rng, rates.copy_misread)
        if written:
            words.append(written[:1].upper() + written[1:])
    return " ".join(words)


# -------------------------------------------------------------------------------- stage 2: the ministry
# fmt: off
_ROWS: dict[str, str] = {
    # onset -> kana for а, и, у, э, о, я, ю, ё (я/ю/ё give the y-row digraph; е reads like э)
    "": "アイウエオヤユヨ", "к": "カキクケコ", "г": "ガギグゲゴ", "с": "サシスセソ", "з": "ザジズゼゾ",
    "дз": "ザジズゼゾ", "т": "タチツテト", "д": "ダヂドゥデド", "ц": "ツァチツツェツォ", "н": "ナニヌネノ",
    "х": "ハヒフヘホ", "ф": "ファフィフフェフォ", "м": "マミムメモ", "р": "ラリルレロ", "л": "ラリルレロ",
    "б": "バビブベボ", "п": "パピプペポ", "в": "ワイウエオ", "ш": "シャシシュシェショ", "щ": "シャシシュシェショ",
    "ч": "チャチチュチェチョ", "ж": "ジャジジュジェジョ", "дж": "ジャジジュジェジョ", "й": "ヤイユエヨ",
}
# fmt: on
_VOWELS = "аиуэояюёеы"
_ONSETS = frozenset(k for k in _ROWS if k)  # one or two letters (дз, дж): the longer one is tried first


@lru_cache(maxsize=1)
def _syllable_table() -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for onset, row in _ROWS.items():
        units = _split_row(row)
        for vowel, unit in zip("аиуэо", units, strict=False):
            table[onset, vowel] = unit
        table[onset, "е"] = table[onset, "э"]
        table[onset, "ы"] = table[onset, "и"]
        i_unit = table[onset, "и"]
        for vowel, small in zip("яюё", "ャュョ", strict=True):
            table[onset, vowel] = i_unit[0] + small if onset else "ヤユヨ"["яюё".index(vowel)]
    table["д", "и"], table["д", "у"] = "ジ", "ズ"
    table["т", "у"] = "ツ"
    return table


def _split_row(row: str) -> list[str]:
    units: list[str] = []
    for ch in row:
        if ch in "ァィゥェォャュョ" and units:
            units[-1] += ch
        else:
            units.append(ch)
    return units


_LONE = {"т": "ト", "д": "ド", "й": "イ", "н": "ン", "ь": "", "ъ": ""}


def cyrillic_to_katakana_mechanical(cyrillic: str) -> str:
    """Cyrillic -> katakana letter by letter, as the ministry's transcribers did (Коти Камэкити -> コチ・カメキチ).

    Not a decoder: it ignores what the name could be, which is why the roster is full of names no one
    recognises. Doubled vowels become ー, doubled consonants ッ, a consonant without a vowel takes ウ (ト/ド).
    """
    words = [w for w in cyrillic.lower().split() if w]
    return "・".join(_mechanical_word(word) for word in words)


def _mechanical_word(word: str) -> str:
    table = _syllable_table()
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if not ("а" <= ch <= "я" or ch == "ё"):
            i += 1
            continue
        pair = word[i : i + 2]
        onset = pair if pair in _ONSETS else ch if ch in _ONSETS else ""
        j = i + len(onset)
        vowel = word[j : j + 1]
        if onset and vowel in _VOWELS and vowel:
            out.append(table[onset, vowel])
            i = j + 1
        elif not onset and ch in _VOWELS:
            previous = out[-1] if out else ""
            out.append("ー" if previous and _same_vowel(previous, ch) else table["", ch])
            i += 1
        elif (
            onset
            and onset not in ("н", "м")
            and (word.startswith(onset, j) or (onset == "т" and vowel in "цч"))
        ):
            out.append("ッ")
            i = j
        elif onset in ("н", "м") and (not vowel or vowel not in _VOWELS):
            labial_next = bool(word[j : j + 1]) and word[j] in "бпм"
            out.append("ン" if onset == "н" or labial_next else "ム")
            i = j
        else:
            out.append(_LONE.get(onset or ch, table.get((onset or ch, "у"), "")))
            i = j if onset else i + 1
    return "".join(out)


def _same_vowel(kana_unit: str, vowel: str) -> bool:
    from kartoteka.names.kana import MORAE

    romaji = MORAE.get(kana_unit, ("",))[0]
    return bool(romaji) and romaji[-1] == {
        "а": "a",
        "и": "i",
        "у": "u",
        "э": "e",
        "е": "e",
        "о": "o",
        "ы": "i",
    }.get(vowel, "?")


def ministry_katakana_from_cyrillic(cyrillic: str, rng: random.Random, rates: ClerkErrorRates) -> str:
    """Stage 2: the ministry reads the handwritten Cyrillic (with misreadings) and transliterates it to katakana.

    Words are joined with ・ (surname・given), as in the published death roster.
    """
    return cyrillic_to_katakana_mechanical(misread_by_hand(cyrillic.lower(), rng, rates.ministry_misread))
