"""Names checked against the kind of their source: the characters a name holds and the script it is in.

A Russian card, personal file or burial register writes names in Cyrillic; a Japanese roster, death roster or
repatriation manifest in kanji and kana. A name in another script is kept with a warning (a clerk may have
written a Latin name; a reviewer decides). Characters that no name holds (``;``, ``|``, ``@``, ``=`` ...)
mean the value is not a name at all (``asdf;;;;``): the row is quarantined.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kartoteka.names.script import letter_script

RUSSIAN = frozenset({"cyrillic"})
JAPANESE = frozenset({"kanji", "katakana", "hiragana"})
KIND_SCRIPTS: dict[str, frozenset[str]] = {
    "card": RUSSIAN, "personal_file": RUSSIAN, "burial": RUSSIAN,
    "death_roster": JAPANESE, "jp_roster": JAPANESE, "manifest": JAPANESE,
}
_SCRIPT_NAMES = {"cyrillic": "Cyrillic", "latin": "Latin", "kanji": "kanji", "katakana": "katakana",
                 "hiragana": "hiragana"}
# Anything but letters, marks, spaces and the punctuation real names carry (hyphen, apostrophe, initials'
# dots, brackets and "?" of an uncertain reading, the Japanese middle dot and long-vowel mark); digits and "_"
# too, which \w would let through. One search per row; the slow path below tells which it was.
_ODD = re.compile(r"[^\w\s\-'’‘.,()?・･ー‐〃\u0300-\u036f\u3099-\u309c]|[\d_]")


def odd_character(text: str) -> str | None:
    """The first character of ``text`` that is neither a letter nor a name's punctuation, or None."""
    found = _ODD.search(text)
    return found.group() if found else None


def is_digit(ch: str) -> bool:
    """True for a digit (a warning in a name), False for a symbol (an error)."""
    return ch.isdigit()


@lru_cache(maxsize=65536)
def script_warning(kind: str, text: str) -> str | None:
    """A warning when ``text`` has letters in a script ``kind``'s sources do not use, else None."""
    allowed = KIND_SCRIPTS.get(kind)
    if allowed is None:
        return None
    found = {script for ch in text if (script := letter_script(ch))}
    foreign = sorted(found - allowed)
    if not foreign:
        return None
    expected = " or ".join(_SCRIPT_NAMES[s] for s in sorted(allowed))
    return (f"{' and '.join(_SCRIPT_NAMES.get(s, s) for s in foreign)} letters in the name {text!r} of a "
            f"{kind.replace('_', ' ')} (expected {expected})")
