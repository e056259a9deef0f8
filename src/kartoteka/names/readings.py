"""Readings of a name in any script: the n-best katakana readings with probabilities, and ``normalize``.

- Cyrillic: the noisy-channel decoder (``kartoteka.names.decode``), clerk channel times name prior.
- Latin: Hepburn, Kunrei or English spellings are read to kana, written as the Cyrillic a clerk would
  have heard, and decoded the same way, so "Tojo" and "Itoh" get their long vowels back from the prior.
- Kana: the kana itself; if it is not a known name (a ministry transcription such as トーイヨタキ) also
  what the channel decoder makes of it.
- Kanji: ``kartoteka.names.kanji`` (JMnedict and real-name frequencies, surname and given name apart).

Full names are read part by part (surname first; Cyrillic and Latin names written given-first, such as
"Исороку Ямамото", are turned round when the priors say so) and the parts' readings combined.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from kartoteka.core.errors import KartotekaError
from kartoteka.names import kanji, spellings
from kartoteka.names.channel import cyrillic_to_katakana_mechanical
from kartoteka.names.decode import clean_cyrillic_word, cyrillic_word_readings
from kartoteka.names.kana import (
    CHOONPU,
    kana_to_cyrillic,
    kana_to_romaji,
    romaji_to_kana,
    split_morae,
    to_katakana,
)
from kartoteka.names.kanji import Part
from kartoteka.names.script import clean, detect_script, letter_script, no_letters, words

PARTS: tuple[Part, Part] = ("surname", "given")
SWAP_MARGIN = 1.0  # nats: turn a Cyrillic/Latin name round only when the other order is clearly likelier
_FALLBACK_SHARE = 0.02  # probability left for the letter-by-letter reading of a word no name explains
_KNOWN_KANA_SELF = 0.7  # a kana word that is a known name: most likely meant as written
_UNKNOWN_KANA_LOG = -24.0  # a kana word no table knows, as written: as likely as a poorly explained name
_LOG_FLOOR = -40.0


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a name: katakana, Hepburn romaji, Polivanov Cyrillic, and its probability."""

    kana: str
    romaji: str
    cyrillic: str
    probability: float


def _title(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def make_reading(kana: str, probability: float) -> Reading:
    """A Reading for katakana (words separated by spaces) with its romaji and Cyrillic."""
    words = kana.split(" ")
    if len(words) == 1 or not all(words) or "・" in kana or "\u3000" in kana:
        romaji, cyrillic = _word_forms(kana)
    else:
        forms = [_word_forms(word) for word in words]
        romaji, cyrillic = " ".join(f[0] for f in forms), " ".join(f[1] for f in forms)
    return Reading(kana, romaji, cyrillic, probability)


@lru_cache(maxsize=300_000)
def _word_forms(kana: str) -> tuple[str, str]:
    """Romaji and Cyrillic of katakana, written word by word: a name's readings come from a few hundred
    thousand words, so each is written out once (a word break gives the words no context across it)."""
    return _title(kana_to_romaji(kana)), _title(kana_to_cyrillic(kana))


# ------------------------------------------------------------------------------------------ one word
def _softmax(scored: list[tuple[str, float]]) -> list[tuple[str, float]]:
    if not scored:
        return []
    top = max(score for _, score in scored)
    weights = [(kana, math.exp(score - top)) for kana, score in scored]
    total = sum(w for _, w in weights)
    return [(kana, w / total) for kana, w in weights]


def _merge(pairs: list[tuple[str, float]], limit: int) -> tuple[tuple[str, float], ...]:
    merged: dict[str, float] = {}
    for kana, prob in pairs:
        if kana:
            merged[kana] = merged.get(kana, 0.0) + prob
    return tuple(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


@lru_cache(maxsize=200_000)
def word_log_scores(word: str, part: str) -> tuple[tuple[str, float], ...]:
    """(katakana, log P(word, kana)) for one word as a ``part``: the evidence for order decisions."""
    script = _word_script(word)
    if script == "cyrillic":
        return cyrillic_word_readings(word, part)
    if script == "latin":
        return cyrillic_word_readings(latin_as_cyrillic(word), part)
    if script == "kana":
        kana = to_katakana(word)
        prior = (kanji.surname_prior() if part == "surname" else kanji.given_prior()).get(kana)
        return ((kana, math.log(prior) if prior else _LOG_FLOOR),)
    return tuple((kana, math.log(p)) for kana, p in kanji.kanji_readings(word, cast(Part, part)) if p > 0)


def latin_as_cyrillic(word: str) -> str:
    """What a clerk would have written for a romanized name (its kana read by Polivanov)."""
    return kana_to_cyrillic(romaji_to_kana(word))


def _word_script(word: str) -> str:
    found = {letter_script(ch) for ch in word} - {None}
    if "kanji" in found:
        return "kanji"
    if found and found <= {"katakana", "hiragana"}:
        return "kana"
    return "latin" if "latin" in found and "cyrillic" not in found else "cyrillic"


def _decoded(cyrillic: str, part: str, limit: int, search: bool) -> tuple[tuple[str, float], ...]:
    """The decoder's readings of a Cyrillic word; without ``search``, only the table of spellings clerks wrote
    most often (``kartoteka.names.spellings``) is asked, and a word it does not hold has none."""
    if search:
        return cyrillic_word_readings(cyrillic, part, limit)
    cleaned = clean_cyrillic_word(cyrillic)
    known = spellings.lookup(cleaned, part) if cleaned and limit <= spellings.TABLE_LIMIT else None
    return known[:limit] if known else ()


@lru_cache(maxsize=200_000)
def word_readings(word: str, part: str, limit: int = 5, search: bool = True) -> tuple[tuple[str, float], ...]:
    """n-best (katakana, probability) of one word of a name as a ``part`` ("surname" or "given").

    ``search=False`` skips the decoder's search for spellings its table does not hold (they keep their literal
    reading): many times faster on a file of names no table knows, and enough where no kanji or kana record
    waits to be met (`kartoteka link` on Cyrillic records alone)."""
    script = _word_script(word)
    if script == "kanji":
        return tuple(kanji.kanji_readings(word, cast(Part, part), limit))
    if script == "kana":
        return _kana_word_readings(to_katakana(word), part, limit, search)
    if script == "latin":
        evidence, literal = latin_as_cyrillic(word), romaji_to_kana(word)
    else:
        evidence = clean_cyrillic_word(word)
        literal = cyrillic_to_katakana_mechanical(evidence)
    decoded = _softmax(list(_decoded(evidence, part, limit, search)))
    share = 1.0 - _FALLBACK_SHARE if decoded else 0.0
    pairs = [(kana, p * share) for kana, p in decoded] + [(literal, 1.0 - share)]
    return _merge(pairs, limit)


def _kana_word_readings(kana: str, part: str, limit: int, search: bool = True) -> tuple[tuple[str, float], ...]:
    """A kana word as written, and what the channel decoder makes of it: the ministry's katakana was
    transcribed from a clerk's Cyrillic, so its long vowels are lost (オサワ for オオサワ) and its letters
    may be misread; the decoder reads it back through the same channel."""
    kana = "".join(ch for ch in kana if letter_script(ch) in ("katakana", "hiragana"))
    if not kana:
        return ()
    prior = kanji.surname_prior() if part == "surname" else kanji.given_prior()
    spelled = _choonpu_spelled(kana)
    known = kana if kana in prior else spelled if spelled in prior else None
    if known is not None:
        decoded = _softmax(list(_decoded(kana_to_cyrillic(kana), part, limit, search)))
        pairs = [(known, _KNOWN_KANA_SELF)] + [(k, p * (1 - _KNOWN_KANA_SELF)) for k, p in decoded]
        return _merge(pairs, limit)
    # Unknown: the letters the ministry may have read (シャ was ша or ся, and ш is a misread м), decoded,
    # against the kana as written at the score of a name the channel explains only poorly.
    scores: dict[str, float] = {kana: _UNKNOWN_KANA_LOG}
    read = _as_read_by_ministry(kana)
    for evidence in dict.fromkeys((kana_to_cyrillic(kana), read, _bare_consonants(read))):
        for candidate, score in _decoded(evidence, part, limit, search):
            scores[candidate] = max(score, scores.get(candidate, _LOG_FLOOR))
    return _merge(_softmax(list(scores.items())), limit)


def _as_read_by_ministry(kana: str) -> str:
    """The Cyrillic behind a ministry katakana as a clerk would have written it by hand: ш for the し row and
    е for э (the mechanical table reads ш/с and е/э alike, and ш, е are where a misread м, о land)."""
    cyrillic = kana_to_cyrillic(kana)
    for plain, written in (("ся", "ша"), ("сю", "шу"), ("сё", "шо"), ("си", "ши"), ("э", "е")):
        cyrillic = cyrillic.replace(plain, written)
    return cyrillic


def _bare_consonants(cyrillic: str) -> str:
    """The ministry wrote a consonant without a vowel as ク, ス, ル... (ト, ド after т, д): take those vowels
    out again where another consonant follows (スキヤ may be Ския, クスムル Кусумл)."""
    text = re.sub(r"(?<=[кгсзмнрбпфхшчжлц])у(?=[кгсзтдмнрбпфхшчжлц])", "", cyrillic)
    return re.sub(r"(?<=[тд])о(?=[кгсзтдмнрбпфхшчжлц])", "", text)


def _choonpu_spelled(kana: str) -> str:
    """ー written out as the kana vowel a name would use (トー -> トウ, ケー -> ケイ)."""
    out: list[str] = []
    previous = ""
    for mora in split_morae(kana):
        if mora.kana == CHOONPU and previous:
            out.append({"a": "ア", "i": "イ", "u": "ウ", "e": "イ", "o": "ウ"}.get(previous, ""))
        else:
            out.append(mora.kana)
        previous = mora.vowel
    return "".join(out)


# ----------------------------------------------------------------------------------------- full names
def _best_log(word: str, part: str) -> float:
    scores = word_log_scores(word, part)
    return scores[0][1] if scores else _LOG_FLOOR


@lru_cache(maxsize=100_000)
def ordered_words(text: str) -> tuple[str, ...]:
    """The words of a name, surname first: Cyrillic and Latin names are turned round when the priors say
    the first word is the given name (Исороку Ямамото -> Ямамото Исороку). Kana and kanji keep their order."""
    found = words(text)
    if not found:
        raise no_letters(text)
    if len(found) != 2 or detect_script(" ".join(found)) not in ("cyrillic", "latin"):
        return tuple(found)
    first, second = found
    as_written = _best_log(first, "surname") + _best_log(second, "given")
    turned = _best_log(second, "surname") + _best_log(first, "given")
    return (second, first) if turned > as_written + SWAP_MARGIN else (first, second)


def _single_word_part(word: str) -> str:
    """For one word with no part given: kanji that no table knows alone are a full name (山本五十六)."""
    known = kanji.is_known_spelling(word, "surname") or kanji.is_known_spelling(word, "given")
    return "full" if detect_script(word) == "kanji" and len(word) >= 3 and not known else "either"


def _either_part(word: str, limit: int) -> list[tuple[str, float]]:
    """One word that may be a surname or a given name: each part's readings weighed by its evidence."""
    if _word_script(word) == "kanji":
        known = [side for side in PARTS if kanji.is_known_spelling(word, side)] or list(PARTS)
        return [(k, p / len(known)) for side in known for k, p in word_readings(word, side, limit)]
    evidence = [math.exp(_best_log(word, side)) for side in PARTS]
    total = sum(evidence) or 1.0
    return [
        (k, p * e / total)
        for side, e in zip(PARTS, evidence, strict=True)
        for k, p in word_readings(word, side, limit)
    ]


@lru_cache(maxsize=100_000)
def _readings_cached(text: str, limit: int, part: str | None, search: bool = True) -> tuple[Reading, ...]:
    parts = ordered_words(text)
    if len(parts) == 1:
        word = parts[0]
        mode = part or _single_word_part(word)
        if mode in PARTS:
            pairs = list(word_readings(word, mode, limit, search))
        elif mode == "full" and detect_script(word) == "kanji":
            pairs = [
                (f"{r.surname_kana} {r.given_kana}", r.probability)
                for r in kanji.full_name_readings(word, limit)
            ]
        else:
            pairs = _either_part(word, limit)
        return tuple(make_reading(k, p) for k, p in _merge(pairs, limit))
    surnames = word_readings(parts[0], "surname", limit, search)
    given = word_readings(" ".join(parts[1:2]), "given", limit, search)
    combos = [(f"{s} {g}", ps * pg) for s, ps in surnames for g, pg in given]
    return tuple(make_reading(k, p) for k, p in _merge(combos, limit))


def readings(text: str, limit: int = 5, part: str | None = None, search: bool = True) -> list[Reading]:
    """The n-best katakana readings of a name in any script, best first, with probabilities.

    ``part``: "surname" or "given" for one name part; "full" or None for a full name (surname and given
    name, in either order for Cyrillic and Latin). Words after the second (a patronymic) are ignored.
    ``search=False``: a Cyrillic, Latin or kana spelling the table of common spellings does not hold keeps only
    its literal reading (no decoder search; see ``word_readings``).
    Raises KartotekaError "names.empty" (no letters) or "names.too_long".
    """
    if part not in (None, "full", "surname", "given"):
        raise_part(part)
    limit = max(1, min(int(limit), 20))
    try:
        return list(_readings_cached(clean(text), limit, part, search))
    except KartotekaError as exc:
        if exc.code == "names.empty":  # the message shows the name as given, not as cleaned
            raise no_letters(text) from None
        raise


@lru_cache(maxsize=300_000)
def literal_reading(text: str) -> str | None:
    """The name read letter by letter, without the name tables: Cyrillic by the Polivanov table (as the
    ministry's transcribers did), kana as written, Latin as written; lower-case romaji, words apart.

    The dictionary readings put a spelling no table knows on its nearest known name, and two misspellings of
    one rare name can land on two different names ("Кирибаши" Kiribuchi, "Кирибаси" Kiriishi); read
    literally they still meet (both "kiribashi"). None for kanji (no reading without a dictionary) and for
    text without letters."""
    try:
        found = words(clean(text))
    except KartotekaError:
        return None
    out = []
    for word in found:
        script = _word_script(word)
        if script == "kanji":
            return None
        if script == "kana":
            kana = to_katakana(word)
        elif script == "latin":
            kana = romaji_to_kana(word)
        else:
            kana = cyrillic_to_katakana_mechanical(clean_cyrillic_word(word))
        romaji = kana_to_romaji(kana).lower() if kana else ""
        if romaji:
            out.append(romaji)
    return " ".join(out) or None


def raise_part(part: object) -> None:
    """Refuse an unknown name part."""
    raise KartotekaError(
        code="names.part", message=f"Unknown name part {part!r}.", hint="Use 'surname', 'given' or 'full'."
    )


def normalize(text: str) -> str:
    """The canonical form of a name: NFKC, one space between words, hiragana as katakana, old kanji forms
    as new (濱 -> 浜), macrons for circumflexes, Cyrillic and Latin words capitalised and surname first.

    Idempotent. ё is kept (it carries the sound yo); keys and similarity fold ё with е.
    """
    ordered = ordered_words(clean(text))
    out = []
    for word in ordered:
        script = detect_script(word)
        if script in ("cyrillic", "latin"):
            word = word[:1].upper() + word[1:].lower()
        elif script in ("kanji", "mixed"):
            word = to_katakana(kanji.old_to_new_kanji(word))
        else:
            word = to_katakana(word)
        out.append(word)
    return " ".join(out)
