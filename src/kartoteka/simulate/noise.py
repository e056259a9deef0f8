"""Field-level noise and the way clerks wrote dates and numbers (Soviet cards, Japanese rosters).

Each function takes the record's own ``random.Random`` so that a record's noise does not depend on the order
in which records are written.
"""

from __future__ import annotations

import datetime as dt
import random

from kartoteka.simulate.profiles import FieldNoise

# Digits that look alike in handwriting, both ways.
_DIGIT_CONFUSIONS = {"1": "7", "7": "1", "3": "8", "8": "3", "5": "6", "6": "5", "0": "6", "4": "9", "9": "4"}
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_SHOWA_START = 1926  # Showa 1 = 1926
_TAISHO_START = 1912  # Taisho 1 = 1912
_MEIJI_START = 1868


def blank(value: str, rng: random.Random, noise: FieldNoise) -> str:
    """The value, or '' at the profile's blank rate."""
    return "" if rng.random() < noise.blank else value


def confuse_digit(text: str, rng: random.Random, noise: FieldNoise, positions: tuple[int, ...] | None = None) -> str:
    """The text with one digit misread, at the profile's digit-confusion rate.

    `positions` limits where (for a year, only its last digit: a clerk misreads 1946 as 1948, never as 7946).
    """
    if not text or rng.random() >= noise.digit_confusion:
        return text
    allowed = range(len(text)) if positions is None else [p % len(text) for p in positions]
    candidates = [i for i in allowed if text[i] in _DIGIT_CONFUSIONS]
    if not candidates:
        return text
    i = rng.choice(candidates)
    return text[:i] + _DIGIT_CONFUSIONS[text[i]] + text[i + 1 :]


def written_year(year: int, rng: random.Random, noise: FieldNoise) -> str:
    """A year as written, its last digit sometimes misread."""
    return confuse_digit(str(year), rng, noise, positions=(-1,))


def noisy_birth_year(year: int, rng: random.Random, noise: FieldNoise) -> int:
    """A birth year as a clerk noted it: sometimes off by one or two (people gave their age, not their year)."""
    if rng.random() >= noise.birth_year_shift:
        return year
    step = 1 if rng.random() < 2 / 3 else 2
    return year + step if rng.random() < 0.5 else year - step


def russian_date(date: dt.date, rng: random.Random, noise: FieldNoise) -> str:
    """A date the way a Soviet clerk wrote it: 12.03.1946, 12.3.46, 12/III-1946; sometimes only month or year."""
    if rng.random() < noise.partial_date:
        return f"{date.month:02d}.{date.year}" if rng.random() < 0.7 else str(date.year)
    day, month, year = _misread_date_parts(date, rng, noise)
    style = rng.random()
    if style < 0.75:
        return f"{day:02d}.{month:02d}.{year}"
    if style < 0.9:
        return f"{day}.{month}.{year % 100:02d}"
    return f"{day}/{_ROMAN_MONTHS[month - 1]}-{year}"


def _misread_date_parts(date: dt.date, rng: random.Random, noise: FieldNoise) -> tuple[int, int, int]:
    """Day, month and year with day and month swapped or a digit misread, at the profile's rates.

    A misreading that would make an impossible date (31.02) is not made: the clerks' slips gave
    wrong dates, not nonsense, and nonsense would only be quarantined on import.
    """
    day, month, year = date.day, date.month, date.year
    if day <= 12 and day != month and rng.random() < noise.day_month_swap:
        day, month = month, day
    misread = confuse_digit(f"{day:02d}{month:02d}{year}", rng, noise, positions=(0, 1, 2, 3, 7))
    try:
        dt.date(int(misread[4:]), int(misread[2:4]), int(misread[:2]))
    except ValueError:
        return day, month, year
    return int(misread[:2]), int(misread[2:4]), int(misread[4:])


def japanese_era_year(year: int) -> str:
    """A Western year as a Japanese era year (明治/大正/昭和), e.g. 1946 -> 昭和21年."""
    if year >= _SHOWA_START:
        return f"昭和{year - _SHOWA_START + 1}年"
    if year >= _TAISHO_START:
        return f"大正{year - _TAISHO_START + 1}年"
    return f"明治{year - _MEIJI_START + 1}年"


def japanese_date(date: dt.date, rng: random.Random, noise: FieldNoise, era_share: float = 0.6) -> str:
    """A date the way a Japanese roster wrote it: 昭和21年3月12日 (era) or 1946.3.12; sometimes partial."""
    partial = rng.random() < noise.partial_date
    day, month, year = _misread_date_parts(date, rng, noise)
    if rng.random() < era_share:
        if partial:
            return f"{japanese_era_year(year)}{month}月"
        return f"{japanese_era_year(year)}{month}月{day}日"
    if partial:
        return f"{year}.{month}"
    return f"{year}.{month}.{day}"


def iso_date(date: dt.date | None) -> str:
    """The ISO date, or '' for none (the true values in persons.csv)."""
    return date.isoformat() if date else ""
