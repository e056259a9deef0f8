"""Historical dates: partial, ranged, and written the way Russian and Japanese records write them.

A record rarely says "1946-01-20". It says "1946", "3-я декада января 1946", "зима 1945", 昭和20年 or
"20.01.46". A ``PartialDate`` keeps what was written (``original``) and the inclusive interval it stands for
(``earliest`` .. ``latest``). Its ``precision`` names the shape of that interval and is derived from it, so a
date has exactly one ISO form and ``PartialDate.from_iso(d.iso()) == d`` always holds:

    day     1946-01-20                       iso "1946-01-20"
    month   1946-01-01 .. 1946-01-31         iso "1946-01"
    year    1946-01-01 .. 1946-12-31         iso "1946"
    dekad   a month's 1-10, 11-20 or 21-end  iso "1946-01-21/1946-01-31"
    season  Dec-Feb, Mar-May, Jun-Aug, Sep-Nov (meteorological; winter 1945 = Dec 1945 .. Feb 1946)
    range   anything else                    iso "1945-01-01/1946-12-31"

``parse_partial_date`` reads the text through a table of patterns, one small parser each; the first pattern
that matches decides. Text that matches none, and dates that cannot exist (31.02.1946), raise
``KartotekaError(code="input.date")`` naming the text and the forms accepted. See docs/explanation/dates.md.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from kartoteka.core.date_words import (
    PART_WORDS,
    ROMAN_MONTHS,
    SEASON_WORDS,
    UNKNOWN_MARKERS,
    dekad_ordinal,
    lookup_prefix,
    month_from_word,
    normalize_date_text,
)
from kartoteka.core.errors import KartotekaError

Precision = Literal["day", "month", "dekad", "season", "year", "range"]
PRECISIONS: tuple[str, ...] = ("day", "month", "dekad", "season", "year", "range")
DATE_ORDERS: tuple[str, ...] = ("DMY", "MDY", "YMD")
# Two-digit years: below the pivot -> 19xx, from it -> 18xx. The records cover people born 1860-1930 and
# events 1945-1959, so "46" is 1946 and a birth year "98" is 1898.
DEFAULT_TWO_DIGIT_PIVOT = 60

ACCEPTED_FORMS: tuple[str, ...] = (
    "1946", "1946-01", "1946-01-20", "20.01.1946", "20.01.46", "01.1946", "20.I.1946", "20 января 1946 г.",
    "январь 1946", "3-я декада января 1946", "зима 1945", "конец 1945", "1945-1946", "昭和20年8月15日",
    "S20.8.15", "1945年8月15日", "昭和20年8月下旬", "January 1946", "20 Jan 1946", "late January 1946",
    "winter 1945",
)

SEASON_START_MONTH = {"winter": 12, "spring": 3, "summer": 6, "autumn": 9}
# Start, middle and end of a year are its thirds; of a month, its dekads.
YEAR_PART_MONTHS = {"start": (1, 4), "middle": (5, 8), "end": (9, 12)}
PART_DEKAD = {"start": 1, "middle": 2, "end": 3}
# Japanese eras: Gregorian year = offset + era year; the last year of each era bounds what we accept.
ERAS = {"明治": (1867, 45), "大正": (1911, 15), "昭和": (1925, 64), "平成": (1988, 31)}
ERA_LETTERS = {"m": "明治", "t": "大正", "s": "昭和", "h": "平成"}


# --- interval shapes -------------------------------------------------------------------------------

def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def _dekad_bounds(year: int, month: int, dekad: int) -> tuple[date, date]:
    first = 1 + 10 * (dekad - 1)
    last = _month_end(year, month) if dekad == 3 else date(year, month, first + 9)
    return date(year, month, first), last


def _season_bounds(year: int, season: str) -> tuple[date, date]:
    start = SEASON_START_MONTH[season]
    end_year, end_month = _add_months(year, start, 2)
    return date(year, start, 1), _month_end(end_year, end_month)


def _shape(earliest: date, latest: date) -> Precision:
    """The precision an interval has: the coarsest calendar unit it is exactly, else "range"."""
    if earliest == latest:
        return "day"
    same_month = (earliest.year, earliest.month) == (latest.year, latest.month)
    if same_month and earliest.day == 1 and latest == _month_end(latest.year, latest.month):
        return "month"
    if earliest == date(earliest.year, 1, 1) and latest == date(earliest.year, 12, 31):
        return "year"
    if same_month and any(
        (earliest, latest) == _dekad_bounds(earliest.year, earliest.month, n) for n in (1, 2, 3)
    ):
        return "dekad"
    if earliest.day == 1 and earliest.month in (12, 3, 6, 9):
        end_year, end_month = _add_months(earliest.year, earliest.month, 2)
        if end_year <= 9999 and latest == _month_end(end_year, end_month):
            return "season"
    return "range"


# --- the date type ---------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a day, a dekad, a month, a season, a year, or only as a range; sorts by (earliest, latest).

    ``precision`` may be left out (it is derived from the interval); if given it must match the interval.
    Equality ignores ``original``: "20.01.1946" and "1946-01-20" are the same date.
    """

    earliest: date
    latest: date
    precision: str = field(default="", compare=False)
    original: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for name in ("earliest", "latest"):
            value = getattr(self, name)
            if isinstance(value, datetime):
                object.__setattr__(self, name, value.date())
            elif not isinstance(value, date):
                raise TypeError(f"PartialDate.{name} must be a datetime.date, not {type(value).__name__}")
        if self.latest < self.earliest:
            raise ValueError(f"PartialDate ends ({self.latest}) before it starts ({self.earliest})")
        shape = _shape(self.earliest, self.latest)
        if self.precision and self.precision != shape:
            raise ValueError(
                f"precision {self.precision!r} does not fit {self.earliest}..{self.latest}, which is a {shape}"
            )
        object.__setattr__(self, "precision", shape)

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None, original: str = "") -> PartialDate:
        """A whole year, a whole month or one day: ``PartialDate.of(1946, 1)`` is January 1946."""
        if month is None:
            return cls(date(year, 1, 1), date(year, 12, 31), original=original)
        if day is None:
            return cls(date(year, month, 1), _month_end(year, month), original=original)
        return cls(date(year, month, day), date(year, month, day), original=original)

    @classmethod
    def between(cls, earliest: date, latest: date, original: str = "") -> PartialDate:
        """The interval from ``earliest`` to ``latest``, both included."""
        return cls(earliest, latest, original=original)

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Read back what ``iso()`` writes: "1946", "1946-01", "1946-01-20" or "1946-01-21/1946-01-31"."""
        match = _ISO_FORM.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise KartotekaError(
                code="input.date",
                message=f"{text!r} is not an ISO partial date (1946, 1946-01, 1946-01-20 or 1946-01-21/1946-01-31)",
                hint="Use PartialDate.iso() to write dates, or parse_partial_date() for free text.",
            )
        try:
            if match["end"]:
                return cls(date.fromisoformat(match["start"]), date.fromisoformat(match["end"]), original=text)
            month, day = (int(part) if part else None for part in (match["m"], match["d"]))
            return cls.of(int(match["y"]), month, day, original=text)
        except ValueError as exc:
            raise KartotekaError(code="input.date", message=f"{text!r} is not a valid date: {exc}") from exc

    @property
    def year(self) -> int | None:
        """The year, when the whole interval lies in one year (winter 1945 spans two: None)."""
        return self.earliest.year if self.earliest.year == self.latest.year else None

    def iso(self) -> str:
        """The ISO 8601 form: "1946", "1946-01", "1946-01-20", or an interval "1946-01-21/1946-01-31"."""
        if self.precision == "day":
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}-{self.earliest.day:02d}"
        if self.precision == "month":
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        if self.precision == "year":
            return f"{self.earliest.year:04d}"
        return f"{_iso_day(self.earliest)}/{_iso_day(self.latest)}"

    def contains(self, other: date | PartialDate) -> bool:
        """Whether a day (or a whole other PartialDate) lies inside this interval."""
        if isinstance(other, PartialDate):
            return self.earliest <= other.earliest and other.latest <= self.latest
        day = other.date() if isinstance(other, datetime) else other
        return self.earliest <= day <= self.latest

    def overlaps(self, other: PartialDate) -> bool:
        """Whether the two intervals share at least one day (so both could describe the same day)."""
        return self.earliest <= other.latest and other.earliest <= self.latest

    def __str__(self) -> str:
        return self.iso()


def _iso_day(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_ISO_FORM = re.compile(
    rf"(?P<start>{_ISO_DAY})/(?P<end>{_ISO_DAY})|(?P<y>\d{{4}})(?:-(?P<m>\d{{2}})(?:-(?P<d>\d{{2}}))?)?"
)


# --- parsing: context, building blocks, errors -----------------------------------------------------

@dataclass(frozen=True)
class _Context:
    text: str
    order: str
    pivot: int


def _invalid(ctx: _Context, why: str) -> KartotekaError:
    return KartotekaError(
        code="input.date",
        message=f"{ctx.text!r} is not a valid date: {why}",
        hint="Correct the date, or leave the field blank if it is unknown.",
        details={"value": ctx.text},
    )


def _unreadable(text: str) -> KartotekaError:
    return KartotekaError(
        code="input.date",
        message=f"cannot read {text!r} as a date; accepted forms: {', '.join(ACCEPTED_FORMS)}",
        hint="Write the date in one of these forms, or leave the field blank if it is unknown.",
        details={"value": text, "accepted": list(ACCEPTED_FORMS)},
    )


def _year(ctx: _Context, digits: str) -> int:
    """A 4-digit year as written; a 2-digit one through the pivot (46 -> 1946, 98 -> 1898)."""
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 2:
        short = int(digits)
        return (1900 if short < ctx.pivot else 1800) + short
    raise _invalid(ctx, f"a year has 2 or 4 digits, not {digits!r}")


def _check_year(ctx: _Context, year: int, last: int = 9999) -> int:
    if not 1 <= year <= last:
        raise _invalid(ctx, f"year {year} is out of range")
    return year


def _build(
    ctx: _Context,
    year: int,
    month: int | None = None,
    day: int | None = None,
    *,
    dekad: int | None = None,
) -> PartialDate:
    """Check year, month and day exist, and return the year, month, dekad or day they name."""
    _check_year(ctx, year)
    if month is None:
        return PartialDate.of(year)
    if not 1 <= month <= 12:
        raise _invalid(ctx, f"month {month} does not exist (months are 1-12)")
    if dekad is not None:
        return PartialDate(*_dekad_bounds(year, month, dekad))
    if day is None:
        return PartialDate.of(year, month)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _invalid(ctx, f"{calendar.month_name[month]} {year} has {last} days, so day {day} does not exist")
    return PartialDate.of(year, month, day)


def _span(ctx: _Context, first: PartialDate, last: PartialDate) -> PartialDate:
    if last.latest < first.earliest:
        raise _invalid(ctx, "the range ends before it starts")
    return PartialDate(first.earliest, last.latest)


def _year_part(ctx: _Context, year: int, part: str) -> PartialDate:
    first, last = YEAR_PART_MONTHS[part]
    _check_year(ctx, year)
    return PartialDate(date(year, first, 1), _month_end(year, last))


def _season(ctx: _Context, year: int, season: str) -> PartialDate:
    # a winter ends in the next year, which must exist too
    _check_year(ctx, year, last=9998 if season == "winter" else 9999)
    return PartialDate(*_season_bounds(year, season))


# --- one small parser per pattern ------------------------------------------------------------------

def _numeric_day(m: re.Match[str], ctx: _Context) -> PartialDate:
    """20.01.1946, 20.01.46, 1946-01-20, 05/06/1946 (by order), 20.I.1946 (roman month)."""
    a, b, c = m["a"], m["b"], m["c"]
    if len(a) == 4 or (ctx.order == "YMD" and len(c) != 4):
        year, month, day = a, b, c
    elif ctx.order == "MDY" and not b.isalpha():
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    if len(day) > 2 or (len(month) > 2 and not month.isalpha()):
        raise _invalid(ctx, "day and month have 1 or 2 digits")
    number = ROMAN_MONTHS.get(month) if month.isalpha() else int(month)
    if number is None:
        raise _invalid(ctx, f"{month!r} is not a roman month numeral")
    return _build(ctx, _year(ctx, year), number, int(day))


def _numeric_month_year(m: re.Match[str], ctx: _Context) -> PartialDate:
    """01.1946, I.1946."""
    month = ROMAN_MONTHS.get(m["m"]) if m["m"].isalpha() else int(m["m"])
    if month is None:
        raise _invalid(ctx, f"{m['m']!r} is not a roman month numeral")
    return _build(ctx, int(m["y"]), month)


def _year_month_or_span(m: re.Match[str], ctx: _Context) -> PartialDate:
    """1946-01, 1946.01; and 1945-46 / 1945/46 (a second part above 12 that is a later year)."""
    year, second = int(m["y"]), int(m["m"])
    later = year // 100 * 100 + second
    if second > 12 and len(m["m"]) == 2 and later > year:
        return _span(ctx, PartialDate.of(year), PartialDate.of(later))
    return _build(ctx, year, second)


def _year_only(m: re.Match[str], ctx: _Context) -> PartialDate:
    """1946; 46 (through the pivot)."""
    return _build(ctx, _year(ctx, m["y"]))


def _year_span(m: re.Match[str], ctx: _Context) -> PartialDate:
    """1945-1946."""
    return _span(ctx, _build(ctx, int(m["y"])), _build(ctx, int(m["y2"])))


def _day_month_year(m: re.Match[str], ctx: _Context) -> PartialDate | None:
    """20 января 1946, 20 Jan 1946, 1st January 1946; January 20, 1946."""
    month = month_from_word(m["w"])
    return None if month is None else _build(ctx, _year(ctx, m["y"]), month, int(m["d"]))


def _word_year(m: re.Match[str], ctx: _Context) -> PartialDate | None:
    """январь 1946, January 1946; зима 1945, winter of 1945; конец 1945, early 1946."""
    word, year = m["w"], _year(ctx, m["y"])
    month, season = month_from_word(word), lookup_prefix(word, SEASON_WORDS)
    if m["y2"]:  # "зима 1945/46": only a winter names two years
        if season != "winter":
            return None
        if int(m["y2"]) not in (year + 1, (year + 1) % 100):
            raise _invalid(ctx, "a winter spans two consecutive years, such as 1945/46")
        return _season(ctx, year, season)
    if month is not None:
        return _build(ctx, year, month)
    if season is not None:
        return _season(ctx, year, season)
    part = lookup_prefix(word, PART_WORDS)
    return None if part is None else _year_part(ctx, year, part)


def _part_of_month(m: re.Match[str], ctx: _Context) -> PartialDate | None:
    """начало января 1946, конец января 1946, late January 1946, mid-January 1946: a dekad."""
    part, month = lookup_prefix(m["p"], PART_WORDS), month_from_word(m["w"])
    if part is None or month is None:
        return None
    return _build(ctx, _year(ctx, m["y"]), month, dekad=PART_DEKAD[part])


def _dekad(m: re.Match[str], ctx: _Context) -> PartialDate | None:
    """3-я декада января 1946, III декада января 1946, third dekad of January 1946."""
    number, month = dekad_ordinal(m["n"]), month_from_word(m["w"])
    if number is None or month is None:
        return None
    return _build(ctx, _year(ctx, m["y"]), month, dekad=number)


def _japanese(m: re.Match[str], ctx: _Context) -> PartialDate:
    """昭和20年8月15日, S20.8.15, 1945年8月下旬, 昭和20年冬, 昭和20年末."""
    if m["era"]:
        era = ERA_LETTERS.get(m["era"], m["era"])
        offset, last_year = ERAS[era]
        era_year = int(m["y"])
        if not 1 <= era_year <= last_year:
            raise _invalid(ctx, f"{era} has years 1-{last_year}, not {era_year}")
        year = offset + era_year
    else:
        year = int(m["y"])
    if m["season"]:
        return _season(ctx, year, {"冬": "winter", "春": "spring", "夏": "summer", "秋": "autumn"}[m["season"]])
    if m["part"]:
        return _year_part(ctx, year, "end" if m["part"] == "末" else "start")
    month = int(m["m"]) if m["m"] else None
    dekad = {"上旬": 1, "中旬": 2, "下旬": 3}.get(m["jun"] or "")
    return _build(ctx, year, month, int(m["d"]) if m["d"] else None, dekad=dekad)


_W = r"[a-zа-я]+\.?"
_Y = r"(?P<y>\d{4}|\d{2})"
_JP_TAIL = r"(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<jun>上旬|中旬|下旬))?|(?P<season>[春夏秋冬])|(?P<part>末|初め|初頭|始め))?"
_ERA_GROUP = r"(?P<era>明治|大正|昭和|平成|[mtsh])"

_Parser = Callable[[re.Match[str], _Context], PartialDate | None]
_PATTERNS: tuple[tuple[re.Pattern[str], _Parser], ...] = tuple(
    (re.compile(pattern), parser)
    for pattern, parser in (
        (r"(?P<y>\d{4}|\d{2})", _year_only),
        (r"(?P<y>\d{4})[-/](?P<y2>\d{4})", _year_span),
        (r"(?P<y>\d{4})[-./](?P<m>\d{1,2})", _year_month_or_span),
        (r"(?P<m>\d{1,2}|[ivx]{1,4})[-./](?P<y>\d{4})", _numeric_month_year),
        (r"(?P<a>\d{1,4})[-./](?P<b>\d{1,2}|[ivx]{1,4})[-./](?P<c>\d{1,4})", _numeric_day),
        (rf"(?P<d>\d{{1,2}})(?:-?(?:е|го|ое|st|nd|rd|th))?(?:\s+of)?\s*(?P<w>{_W})\s*,?\s*{_Y}", _day_month_year),
        (rf"(?P<w>{_W})\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*{_Y}", _day_month_year),
        (rf"(?P<w>{_W})\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<y>\d{{4}})", _day_month_year),
        (rf"(?P<w>{_W})(?:\s+of)?\s*,?\s*{_Y}(?:[-/](?P<y2>\d{{4}}|\d{{2}}))?", _word_year),
        (rf"(?P<p>{_W})(?:\s+of)?[\s-]+(?P<w>{_W})\s*,?\s*{_Y}", _part_of_month),
        (rf"(?P<n>\S+)\s+(?:декад[а-я]*|dekad|decade)(?:\s+of)?\s+(?P<w>{_W})\s*,?\s*{_Y}", _dekad),
        (rf"{_ERA_GROUP}\.?(?P<y>\d{{1,2}})年{_JP_TAIL}", _japanese),
        (rf"{_ERA_GROUP}\.?(?P<y>\d{{1,2}})(?:[-./](?P<m>\d{{1,2}})(?:[-./](?P<d>\d{{1,2}}))?)?"
         r"(?P<jun>)(?P<season>)(?P<part>)", _japanese),
        (rf"(?P<era>)(?P<y>\d{{4}})年{_JP_TAIL}", _japanese),
    )
)


# --- the public parser -----------------------------------------------------------------------------

_RANGE_SEPARATOR = re.compile(r"\s*(?:-|~|/|\s(?:по|до|to|till|until|and)\s)\s*")
_RANGE_LEADING = re.compile(r"^(?:с|from|between)\s+")
_TRAILING_YEAR = re.compile(r"\s(\d{4})$")


def _match_one(text: str, ctx: _Context) -> PartialDate | None:
    for pattern, parser in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            found = parser(match, ctx)
            if found is not None:
                return found
    return None


def _match_quietly(text: str, ctx: _Context) -> PartialDate | None:
    try:
        return _match_one(text, ctx)
    except KartotekaError:
        return None


def _match_range(text: str, ctx: _Context) -> PartialDate | None:
    """"20.01.1946 - 25.01.1946", "с 1945 по 1947", "январь-март 1946" (the left side borrows the year)."""
    text = _RANGE_LEADING.sub("", text)
    for separator in _RANGE_SEPARATOR.finditer(text):
        left, right = text[: separator.start()], text[separator.end():]
        last = _match_quietly(right, ctx)
        if not left or last is None:
            continue
        if left.isdigit() and len(left) <= 2:  # "20-25.01.1946": a day of the right side's month
            first = _match_quietly(f"{last.earliest.year}-{last.earliest.month}-{left}", ctx)
            if last.precision != "day" or first is None:
                continue
            return _span(ctx, first, last)
        first = _match_quietly(left, ctx)
        year = _TRAILING_YEAR.search(right)
        if first is None and year is not None:
            first = _match_quietly(f"{left} {year.group(1)}", ctx)
        if first is not None:
            return _span(ctx, first, last)
    return None


def _check_options(order: str, two_digit_pivot: int) -> str:
    normalized = order.upper() if isinstance(order, str) else ""
    if normalized not in DATE_ORDERS:
        raise KartotekaError(
            code="usage",
            message=f"unknown date order {order!r}; use one of {', '.join(DATE_ORDERS)}",
            hint="DMY reads 05/06/1946 as 5 June 1946 (Russian records); MDY as May 6.",
        )
    if not isinstance(two_digit_pivot, int) or not 0 <= two_digit_pivot <= 100:
        raise KartotekaError(
            code="usage",
            message=f"two_digit_pivot must be a whole number from 0 to 100, not {two_digit_pivot!r}",
        )
    return normalized


def parse_partial_date(
    text: str | int | float | date | None,
    *,
    order: str = "DMY",
    two_digit_pivot: int = DEFAULT_TWO_DIGIT_PIVOT,
) -> PartialDate | None:
    """Read a date as written in a Russian, Japanese or English record; None for a blank or "unknown".

    ``order`` says how to read all-numeric days such as "05/06/1946" (DMY, MDY or YMD; a 4-digit first part is
    always the year). ``two_digit_pivot`` maps 2-digit years: below it 19xx, from it 18xx. Raises
    ``KartotekaError(code="input.date")`` for text that is no date or a day that does not exist.
    """
    ctx_order = _check_options(order, two_digit_pivot)
    if text is None:
        return None
    if isinstance(text, float) and text.is_integer():  # a year cell from a spreadsheet
        text = int(text)
    if isinstance(text, date):
        day = text.date() if isinstance(text, datetime) else text
        return PartialDate(day, day, original=text.isoformat())
    return _parse_text(str(text).strip(), ctx_order, two_digit_pivot)


# Sources repeat the same few thousand dates over millions of rows; PartialDate is immutable, so share it.
@lru_cache(maxsize=100_000)
def _parse_text(original: str, order: str, two_digit_pivot: int) -> PartialDate | None:
    normalized = normalize_date_text(original)
    if not normalized or normalized.rstrip(".") in UNKNOWN_MARKERS:
        return None
    ctx = _Context(text=original, order=order, pivot=two_digit_pivot)
    found = _match_one(normalized, ctx) or _match_range(normalized, ctx)
    if found is None:
        raise _unreadable(original)
    return replace(found, original=original)
