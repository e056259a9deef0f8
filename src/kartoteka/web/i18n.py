"""The portal's languages: Japanese, English and Russian from Babel catalogs, the language a request asks for,
and dates in each language's form (with the Japanese era year in Japanese).

The catalogs are the ``.po`` files under ``locale/`` (edited by hand, extracted with ``pybabel extract``); they
are compiled in memory when first used, so a clean ``pip install -e .`` needs no build step.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("ja", "en", "ru")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English", "ru": "Русский"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
COOKIE = "lang"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language (English is the source language: its catalog may stay empty)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def choose_language(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """The language of a request: ?lang= first, then the remembered cookie, then the browser's Accept-Language."""
    for asked in (query_lang, cookie_lang):
        if asked and asked.lower() in LANGUAGES:
            return asked.lower()
    for tag in _accepted(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _accepted(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (q=0 left out)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


# ---------------------------------------------------------------- the Japanese era (元号)


@dataclass(frozen=True)
class Era:
    name: str  # 明治
    starts: dt.date  # the first day of the era


# Meiji counted from 1 January 1868 (the era name, given on 1868-10-23, was applied to the whole year; the
# rosters write Gregorian dates); then the first day of each later reign.
ERAS: tuple[Era, ...] = (
    Era("明治", dt.date(1868, 1, 1)),
    Era("大正", dt.date(1912, 7, 30)),
    Era("昭和", dt.date(1926, 12, 25)),
    Era("平成", dt.date(1989, 1, 8)),
    Era("令和", dt.date(2019, 5, 1)),
)


def _era_of(day: dt.date) -> Era | None:
    found = None
    for era in ERAS:
        if day >= era.starts:
            found = era
    return found


def _era_year_text(era: Era, year: int) -> str:
    number = year - era.starts.year + 1
    return f"{era.name}{'元' if number == 1 else number}年"


def japanese_era_year(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """The era year of a (partial) date, as a Japanese reader writes it: 1945 -> 昭和20年, 1926-12-25 -> 昭和元年.

    A year or month in which the era changed, given without the day, names both (大正15年／昭和元年). Before
    Meiji: None."""
    if year < ERAS[0].starts.year:
        return None
    if month is not None and day is not None:
        era = _era_of(dt.date(year, month, day))
        return _era_year_text(era, year) if era else None
    first = dt.date(year, month or 1, 1)
    last = dt.date(year, month or 12, 31 if (month or 12) == 12 else _days_in_month(year, month or 12))
    eras = [era for era in ERAS if first <= era.starts <= last and era.starts != first]
    start_era = _era_of(first)
    texts = [_era_year_text(era, year) for era in ([start_era] if start_era else []) + eras]
    return "／".join(texts)


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


# ---------------------------------------------------------------- dates as the records write them

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@cache
def babel_locale(language: str) -> Locale:
    """Babel's locale of a language of the portal (the default for another), parsed once: Locale.parse loads
    and parses the locale's data, a few hundred microseconds every number and date a page formats."""
    return Locale.parse(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def format_number(value: int, language: str) -> str:
    """A whole number with the language's digit grouping (1,234 / 1 234)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(language))


def format_partial_date(value: str | None, language: str) -> str:
    """An ISO partial date ("1946", "1946-03", "1946-03-01", or a range "a/b") in the language's form; in
    Japanese with the era year: 昭和21年（1946年）3月1日. Text that is not such a date comes back as it is."""
    if not value:
        return ""
    if "/" in value:
        start, _, end = value.partition("/")
        return f"{format_partial_date(start, language)} – {format_partial_date(end, language)}"
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        return value
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if language == "ja":
            return _japanese_date(year, month, day)
        locale = babel_locale(language)
        if month is None:
            return str(year)
        if day is None:
            return format_date(dt.date(year, month, 1), format="LLLL y", locale=locale)
        return format_date(dt.date(year, month, day), format="long", locale=locale)
    except ValueError:  # 1946-02-30 and the like: show what the record says
        return value


def _japanese_date(year: int, month: int | None, day: int | None) -> str:
    era = japanese_era_year(year, month, day)
    text = f"{era}（{year}年）" if era else f"{year}年"
    if month is not None:
        dt.date(year, month, day or 1)  # raises ValueError for an impossible date
        text += f"{month}月"
        if day is not None:
            text += f"{day}日"
    return text
