"""Which script a name is written in, and the cleaning every name function starts with.

Cleaning: NFKC (half-width kana and full-width Latin become ordinary), control and invisible characters
removed, separators (・ ･ spaces commas and the like) become one space, a hyphen inside a word is dropped
(after n/н it marks a syllable break and becomes ' / ъ), circumflexes become macrons (Tôjô -> Tōjō).
Input longer than ``MAX_INPUT`` characters is refused: a name is never that long, and the decoders'
time grows with the length.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kartoteka.core.errors import KartotekaError

MAX_INPUT = 200
SCRIPTS = ("cyrillic", "katakana", "hiragana", "kanji", "latin", "mixed")
_SEPARATORS = re.compile(r"[\s・･·,、，;／/|_()\[\]{}«»\"“”„.。]+")
_INITIAL = re.compile(r"(?:^|(?<=\s))[A-Za-zА-Яа-яЁё]\.")  # И. or K. (initials carry no reading)
_GROUP = {"cyrillic": "c", "latin": "l", "kanji": "j", "katakana": "j", "hiragana": "j"}
_CIRCUMFLEX = str.maketrans("ôûâêîÔÛÂÊÎ", "ōūāēīŌŪĀĒĪ")
_KANJI_KANA = set("ノヶケ之")  # kana written inside kanji names (一ノ瀬, 八ヶ代)


def letter_script(ch: str) -> str | None:
    """The script of one character, or None for a character that is not a letter of a name."""
    code = ord(ch)
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if 0x3041 <= code <= 0x309F and ch not in "゛゜":
        return "hiragana"
    if 0x30A1 <= code <= 0x30FA or ch == "ー" or 0x31F0 <= code <= 0x31FF:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or ch in "々〆":
        return "kanji"
    if 0x20000 <= code <= 0x323AF:  # CJK extensions B-H and compatibility supplement: 𠮷 (𠮷田 Yoshida)
        return "kanji"
    if ch.isalpha() and (ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")):
        return "latin"
    return None


def _check_length(text: str) -> None:
    if len(text) > MAX_INPUT:
        raise KartotekaError(
            code="names.too_long",
            message=f"A name of {len(text)} characters is too long to be a name (at most {MAX_INPUT}).",
            hint="Pass one name (surname and given name), not a whole field or document.",
        )


@lru_cache(maxsize=100_000)
def clean(text: str) -> str:
    """NFKC, no control characters, one space between words, hyphens and circumflexes settled."""
    if not isinstance(text, str):
        raise KartotekaError(code="names.type", message=f"A name must be text, not {type(text).__name__}.")
    _check_length(text)
    text = unicodedata.normalize("NFKC", text).translate(_CIRCUMFLEX)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _INITIAL.sub(" ", text)
    text = re.sub(r"[-‐–](?=[A-ZА-ЯЁ])", " ", text)  # Yamamoto-Isoroku: two words
    text = re.sub(r"(?<=[nN])[-‐–](?=[aeiouyAEIOUY])", "'", text)
    text = re.sub(r"(?<=[нН])[-‐–'’ʼ`](?=[аеиоуэюяёАЕИОУЭЮЯЁ])", "ъ", text)
    text = re.sub(r"(?<=\w)[-‐–](?=\w)", "", text)
    text = _SEPARATORS.sub(" ", _split_scripts(text).replace("-", " ")).strip()
    return unicodedata.normalize("NFC", text)


def _split_scripts(text: str) -> str:
    """A space where Cyrillic, Latin and Japanese letters meet inside a word (山本Isoroku -> 山本 Isoroku)."""
    out: list[str] = []
    previous = ""
    for ch in text:
        group = _GROUP.get(letter_script(ch) or "", "")
        if group and previous and group != previous:
            out.append(" ")
        out.append(ch)
        if group:
            previous = group
        elif not ch.isalpha():
            previous = previous if ch in "'’ʼ`" else ""
    return "".join(out)


def has_letters(text: str) -> bool:
    """Whether the text holds at least one letter of a name script."""
    return any(letter_script(ch) for ch in text)


def detect_script(text: str) -> str:
    """The script of a name: cyrillic, katakana, hiragana, kanji, latin, or mixed.

    Kana written inside kanji names (一ノ瀬, 八ヶ代) count as kanji. Raises ``names.empty`` when the
    text has no letters at all.
    """
    found = {script for ch in clean(text) if (script := letter_script(ch))}
    if "kanji" in found:
        kana_chars = {ch for ch in text if letter_script(ch) in ("katakana", "hiragana")}
        if kana_chars <= _KANJI_KANA:
            found -= {"katakana", "hiragana"}
    if not found:
        raise no_letters(text)
    return found.pop() if len(found) == 1 else "mixed"


def no_letters(text: str) -> KartotekaError:
    """The error for a name without letters."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    if any(letter_script(ch) for ch in text):  # letters, but only initials: "A.", "И. К."
        return KartotekaError(
            code="names.empty",
            message=f"Only initials in the name {shown!r}: an initial carries no reading.",
            hint="Give at least one whole word of the name (a surname or a given name).",
        )
    return KartotekaError(
        code="names.empty",
        message=f"No letters in the name {shown!r}.",
        hint="Give a name in Cyrillic, kana, kanji or Latin letters (digits and symbols alone are not a name).",
    )


def words(text: str) -> list[str]:
    """The words of a cleaned name that hold letters (digits and symbols alone are dropped)."""
    return [word for word in clean(text).split(" ") if has_letters(word)]
