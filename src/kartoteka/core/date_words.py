"""The words and numerals of written dates: month names, seasons, parts of a year, ordinals, roman and kanji
numerals, and the normalisation that makes Russian, Japanese and English date text comparable.

Pure lookups with no knowledge of intervals; ``kartoteka.core.dates`` builds dates from them.
"""

from __future__ import annotations

import re
import unicodedata

MONTH_STEMS = (
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("июн", 6), ("июл", 7), ("август", 8),
    ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
    ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6), ("july", 7),
    ("august", 8), ("september", 9), ("october", 10), ("november", 11), ("december", 12),
)
_MAY_RU = {"май", "мая", "мае", "маю", "маем"}  # the stem "ма" is too short for the prefix rule
SEASON_WORDS = (("зим", "winter"), ("весн", "spring"), ("лет", "summer"), ("осен", "autumn"),
                ("winter", "winter"), ("spring", "spring"), ("summer", "summer"), ("autumn", "autumn"),
                ("fall", "autumn"))
PART_WORDS = (("начал", "start"), ("середин", "middle"), ("конц", "end"), ("конец", "end"),
              ("early", "start"), ("beginning", "start"), ("start", "start"), ("mid", "middle"),
              ("middle", "middle"), ("late", "end"), ("end", "end"))
ROMAN_MONTHS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
                "xi": 11, "xii": 12}


def month_from_word(word: str) -> int | None:
    """January from "январь", "января", "янв.", "Jan", "January"; None if the word is no month."""
    word = word.rstrip(".")
    if word in _MAY_RU:
        return 5
    for stem, month in MONTH_STEMS:
        inflected = word.startswith(stem) and len(word) - len(stem) <= 2
        abbreviated = len(word) >= 3 and stem.startswith(word)
        if inflected or abbreviated:
            return month
    return ROMAN_MONTHS.get(word)


def lookup_prefix(word: str, table: tuple[tuple[str, str], ...]) -> str | None:
    """The meaning of the first stem the word starts with (allowing an inflected ending), or None."""
    word = word.rstrip(".")
    for stem, meaning in table:
        if word.startswith(stem) and len(word) - len(stem) <= 3:
            return meaning
    return None


def dekad_ordinal(word: str) -> int | None:
    """1-3 from "3", "3-я", "III", "третья", "third", "3rd"."""
    digit = re.fullmatch(r"([123])(?:-?[a-zа-я]{1,3})?", word)
    if digit is not None:
        return int(digit.group(1))
    roman = re.sub(r"-?[а-я]{1,3}$", "", word)
    if roman in ("i", "ii", "iii"):
        return len(roman)
    for stems, value in ((("перв", "first"), 1), (("втор", "second"), 2), (("трет", "third"), 3)):
        if word.startswith(stems):
            return value
    return None


# --- normalisation ---------------------------------------------------------------------------------

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile("[〇零一二三四五六七八九十百千]+")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
UNKNOWN_MARKERS = {"?", "-", "--", "—", "неизв", "неизвестно", "не известно", "н/д", "unknown", "n/a", "不明", "不詳"}
_LEADING_WORDS = re.compile(
    r"^(?:(?:в|во|in|on|около|примерно|circa|about)\s+|(?:ок\.|прибл\.|ca\.|c\.|approx\.)\s*|~\s*)"
)
_TRAILING_WORDS = re.compile(r"(?<=[\d年月日旬])\s*(?:г\.?\s*р\.?|гг?\.?|годы|года|году|год|頃|ごろ|\?)$")
_MIDNIGHT = re.compile(r"(?<=\d)[t ]00:00(?::00(?:\.0+)?)?z?$")


def kanji_number(run: str) -> int:
    """二十 -> 20, 三十一 -> 31, 千九百四十五 -> 1945, 一九四五 -> 1945 (digit by digit)."""
    if not any(char in _KANJI_UNITS for char in run):
        return int("".join(str(_KANJI_DIGITS[char]) for char in run))
    total = current = 0
    for char in run:
        if char in _KANJI_DIGITS:
            current = _KANJI_DIGITS[char]
        else:
            total += (current or 1) * _KANJI_UNITS[char]
            current = 0
    return total + current


def normalize_date_text(text: str) -> str:
    """Full-width to ASCII (NFKC), lower case, kanji numerals to digits, approximate markers dropped."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = re.sub(r"[‐‑‒–—―−]", "-", text)
    text = re.sub(r"\s+", " ", text).strip()
    if _CJK.search(text):
        text = text.replace(" ", "").replace("元年", "1年")
        text = _KANJI_NUMBER.sub(lambda m: str(kanji_number(m.group())), text)
    text = _MIDNIGHT.sub("", text)
    for _ in range(2):  # "около 1946 г.?" has a marker at each end, or two
        text = _LEADING_WORDS.sub("", _TRAILING_WORDS.sub("", text)).strip().rstrip(",")
    return text
