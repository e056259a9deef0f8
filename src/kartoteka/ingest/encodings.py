"""Which encoding a text file is in: detected, or given, but never guessed silently wrong.

Detection: a UTF-8 BOM or a file that decodes as UTF-8 throughout is UTF-8. Otherwise every legacy
candidate (CP932, EUC-JP, CP1251, KOI8-R) that decodes the whole file strictly is scored on a sample of
decoded text: kana and kanji are plausible, half-width kana less so, stray symbols and C1 controls are not,
and Cyrillic is scored by Russian letter frequencies and by case shape (a word like "иВАНОВ" is what Russian
text looks like through the wrong one of CP1251 / KOI8-R). charset-normalizer's own first choice breaks ties.
A best score that is still implausible is an error, because KOI8-R decodes any bytes at all.
"""

from __future__ import annotations

import codecs
import itertools
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kartoteka.core.errors import KartotekaError

SAMPLE_BYTES = 256 * 1024
CHUNK_BYTES = 1024 * 1024
LEGACY_CANDIDATES: tuple[str, ...] = ("cp932", "euc_jp", "cp1251", "koi8_r")
TRIED_ORDER: tuple[str, ...] = ("utf-8", *LEGACY_CANDIDATES)
# Below this mean score per non-ASCII character, text is garbage in every candidate encoding.
MIN_PLAUSIBLE_SCORE = -0.5
UNICODE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                               "utf-32-be", "ascii"})

# Russian letter frequencies (per cent, national corpus); the alphabet's other letters are rare in names.
_RUSSIAN_FREQ = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73, "в": 4.54,
    "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74,
    "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64,
    "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04, "ё": 0.04,
}
_UNIFORM = 100 / 33
_LETTER_SCORE = {letter: math.log(freq / _UNIFORM) for letter, freq in _RUSSIAN_FREQ.items()}
_JAPANESE_PUNCT = set("、。・ー「」『』（）〇々〒")


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding a file will be read with, how it was chosen, and what else was tried."""

    encoding: str
    detected: bool
    tried: tuple[str, ...]


def canonical_encoding(name: str) -> str:
    """The Python codec name for a user-given encoding (cp1251, Shift_JIS, euc-jp, ...)."""
    try:
        return codecs.lookup(name.strip()).name
    except LookupError as exc:
        raise KartotekaError(
            "usage.encoding", f"unknown encoding {name!r}",
            hint="use a Python codec name, e.g. utf-8, cp932 (Shift_JIS), euc_jp, cp1251, koi8_r",
        ) from exc


def choose_encoding(path: Path, given: str | None = None) -> EncodingChoice:
    """The encoding to read ``path`` with: ``given`` if any (checked while reading), else detected."""
    if given:
        encoding = canonical_encoding(given)
        if encoding == "utf-8" and _starts_with_bom(path):
            encoding = "utf-8-sig"
        if encoding not in UNICODE_ENCODINGS:
            _refuse_utf8_read_as(path, encoding)
        return EncodingChoice(encoding, detected=False, tried=(encoding,))
    return detect_encoding(path)


def _refuse_utf8_read_as(path: Path, encoding: str) -> None:
    """Refuse to read a UTF-8 file with non-ASCII text in a legacy encoding: CP1251 and KOI8-R decode any
    bytes at all, so the import would succeed with every name garbled ("Сато" as "РЎР°С‚Рѕ"). A legacy
    file that is also valid UTF-8 throughout is, in practice, never real text."""
    if decodes_fully(path, "ascii") or not decodes_fully(path, "utf-8"):
        return
    sample = _first_non_ascii_word(path)
    garbled = sample.encode("utf-8").decode(encoding, errors="replace")
    raise KartotekaError(
        "input.encoding",
        f"the file is UTF-8 text, but the encoding {encoding} was asked for: read so, every letter outside ASCII "
        f"would be garbled ({sample!r} would read as {garbled!r}); nothing was imported",
        hint="drop --encoding (UTF-8 is detected by itself) or give --encoding utf-8; a mapping's own "
             "[options] encoding applies too",
        file=str(path), details={"tried": [encoding, "utf-8"]},
    )


def _first_non_ascii_word(path: Path) -> str:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            for word in line.replace(",", " ").replace(";", " ").replace("\t", " ").split():
                if not word.isascii():
                    return word[:20]
    return ""


def detect_encoding(path: Path) -> EncodingChoice:
    """Detect the encoding of a text file among UTF-8 and the legacy candidates (see module docstring)."""
    if _starts_with_bom(path):
        return EncodingChoice("utf-8-sig", detected=True, tried=("utf-8-sig",))
    if decodes_fully(path, "utf-8"):
        return EncodingChoice("utf-8", detected=True, tried=("utf-8",))
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    passing = [enc for enc in LEGACY_CANDIDATES if decodes_fully(path, enc)]
    scores = {enc: plausibility(_decode_sample(sample, enc)) for enc in passing}
    favourite = _charset_normalizer_choice(sample, passing)
    if favourite in scores:
        scores[favourite] += 0.05
    if not scores or max(scores.values()) < MIN_PLAUSIBLE_SCORE:
        raise KartotekaError(
            "input.encoding",
            f"cannot tell the text encoding: tried {', '.join(TRIED_ORDER)} and none reads as plausible text",
            hint="give the encoding with --encoding ENC (e.g. --encoding cp1251); is this a text file?",
            file=str(path), details={"tried": list(TRIED_ORDER)},
        )
    best = max(scores, key=lambda enc: scores[enc])
    return EncodingChoice(best, detected=True, tried=TRIED_ORDER)


def decodes_fully(path: Path, encoding: str) -> bool:
    """True when the whole file decodes strictly in ``encoding`` (streamed, never loaded whole)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def find_undecodable_line(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """The first line (1-based) that does not decode in ``encoding``, with its bytes; None if all do."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                return number, line[max(exc.start - 8, 0): exc.end + 8]
    return None


def plausibility(text: str) -> float:
    """Mean score per non-ASCII character: positive for text that looks like Russian or Japanese."""
    scores = [_char_score(ch) for ch in text if ord(ch) >= 128]
    if not scores:
        return 0.0
    return (sum(scores) + _case_penalty(_cyrillic_words(text))) / len(scores)


def _char_score(ch: str) -> float:
    code = ord(ch)
    if 0x3040 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or ch in _JAPANESE_PUNCT:
        return 1.0 if unicodedata.category(ch) != "Co" else -2.0
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return 0.5
    if 0xFF61 <= code <= 0xFF9F:  # half-width katakana: real in old mainframe files, but also what
        return -0.2  # Cyrillic bytes look like through CP932, so it must lose to well-scored Cyrillic
    if 0x0400 <= code <= 0x04FF:
        return _LETTER_SCORE.get(ch.lower(), -2.0)
    if ch in "№«»—–…“”„’":
        return 0.0
    return -2.0


def _cyrillic_words(text: str) -> Iterable[str]:
    word: list[str] = []
    for ch in text:
        if 0x0400 <= ord(ch) <= 0x04FF:
            word.append(ch)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


def _case_penalty(words: Iterable[str]) -> float:
    """-2 per capital letter after a small one inside a word ("иВАНОВ" is CP1251 read as KOI8-R)."""
    penalty = 0.0
    for word in words:
        for before, after in itertools.pairwise(word):
            if before.islower() and after.isupper():
                penalty -= 2.0
    return penalty


def _decode_sample(sample: bytes, encoding: str) -> str:
    # The sample may end inside a multi-byte character: decode incrementally and drop the tail.
    return codecs.getincrementaldecoder(encoding)(errors="ignore").decode(sample, final=False)


def _charset_normalizer_choice(sample: bytes, candidates: list[str]) -> str | None:
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=candidates).best()
    return canonical_encoding(best.encoding) if best is not None else None


def _starts_with_bom(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(3) == codecs.BOM_UTF8
