"""Languages and dates: the Japanese era year, partial dates in each language, the language a request gets,
and catalogs that translate every message the pages and errors use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from kartoteka.web.i18n import (
    ERAS,
    LANGUAGES,
    LOCALE_DIR,
    choose_language,
    format_partial_date,
    japanese_era_year,
    translations,
)

WEB = Path(LOCALE_DIR).parent


@pytest.mark.parametrize(("date", "expected"), [
    ((1945, None, None), "昭和20年"),
    ((1945, 8, 15), "昭和20年"),
    ((1926, 12, 25), "昭和元年"),
    ((1926, 12, 24), "大正15年"),
    ((1926, None, None), "大正15年／昭和元年"),
    ((1926, 12, None), "大正15年／昭和元年"),
    ((1926, 11, None), "大正15年"),
    ((1912, 7, 30), "大正元年"),
    ((1912, 7, 29), "明治45年"),
    ((1900, None, None), "明治33年"),
    ((1868, None, None), "明治元年"),
    ((1989, 1, 7), "昭和64年"),
    ((1989, 1, 8), "平成元年"),
])
def test_japanese_era_years(date, expected):
    assert japanese_era_year(*date) == expected


def test_no_era_before_meiji():
    assert japanese_era_year(1867) is None
    assert format_partial_date("1867", "ja") == "1867年"


def _era_number(text: str) -> tuple[str, int]:
    name, number = text[:2], text[2:-1]
    return name, 1 if number == "元" else int(number)


@given(st.dates(min_value=dt.date(1868, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_an_era_year_counts_back_to_its_gregorian_year(day):
    """For any day since Meiji: the era is the one in force that day, and its year counts back to the day's year."""
    text = japanese_era_year(day.year, day.month, day.day)
    assert text is not None and "／" not in text
    name, number = _era_number(text)
    era = next(era for era in ERAS if era.name == name)
    assert era.starts <= day
    later = [other for other in ERAS if other.starts > era.starts]
    assert not later or day < later[0].starts
    assert era.starts.year + number - 1 == day.year


@given(st.integers(min_value=1868, max_value=2030))
def test_a_year_alone_names_every_era_it_touches(year):
    text = japanese_era_year(year)
    assert text is not None
    for part in text.split("／"):
        name, number = _era_number(part)
        era = next(era for era in ERAS if era.name == name)
        assert era.starts.year + number - 1 == year


@pytest.mark.parametrize(("value", "language", "expected"), [
    ("1946-03-01", "ja", "昭和21年（1946年）3月1日"),
    ("1946-03", "ja", "昭和21年（1946年）3月"),
    ("1946", "ja", "昭和21年（1946年）"),
    ("1946-03-01", "en", "March 1, 1946"),
    ("1946-03-01", "ru", "1 марта 1946\u202fг."),  # CLDR: a narrow no-break space before г.
    ("1946-03", "ru", "март 1946"),
    ("1946", "en", "1946"),
    ("1946-01-21/1946-01-31", "en", "January 21, 1946 – January 31, 1946"),
    ("1946-02-30", "en", "1946-02-30"),  # an impossible date is shown as the record writes it
    ("1946-02-30", "ja", "1946-02-30"),
    ("about 1946", "ru", "about 1946"),
    (None, "ja", ""),
])
def test_dates_in_each_language(value, language, expected):
    assert format_partial_date(value, language) == expected


@pytest.mark.parametrize(("query", "cookie", "accept", "expected"), [
    ("ru", "ja", "en", "ru"),  # ?lang= first
    (None, "ja", "ru", "ja"),  # then the remembered choice
    (None, None, "ru-RU,ru;q=0.9,en;q=0.8", "ru"),
    (None, None, "de-DE,de;q=0.9,ja;q=0.5,en;q=0.4", "ja"),  # the best one we have
    (None, None, "en;q=0.1, ja;q=0.9", "ja"),
    (None, None, "ja;q=0, ru", "ru"),  # q=0 means "not this one"
    ("xx", "yy", "zz", "en"),  # nothing we have: English
    (None, None, None, "en"),
    ("JA", None, None, "ja"),
])
def test_the_language_of_a_request(query, cookie, accept, expected):
    assert choose_language(query, cookie, accept) == expected


def test_every_message_of_the_pages_is_translated_in_japanese_and_russian():
    """A message added to a template or an error without its translations fails here (run pybabel extract and
    fill ja and ru; see src/kartoteka/web/locale/babel.cfg)."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.loopcontrols"}}
    used = {message[2] if isinstance(message[2], str) else message[2][0]
            for message in extract_from_dir(str(WEB), method_map, options, keywords={"_": None, "N_": None,
                                                                                  "gettext": None,
                                                                                  "ngettext": (1, 2)})}
    for language in ("ja", "ru"):
        with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
        translated = {message.id if isinstance(message.id, str) else message.id[0]
                      for message in catalog if message.id and message.string and all(message.string)}
        assert not used - translated, f"untranslated in {language}: {sorted(used - translated)}"


def test_catalogs_load_for_every_language():
    assert translations("ja").gettext("Search") == "検索"
    assert translations("ru").gettext("Search") == "Поиск"
    assert translations("en").gettext("Search") == "Search"
    assert set(LANGUAGES) == {"ja", "en", "ru"}
