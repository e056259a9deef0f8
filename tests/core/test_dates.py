"""PartialDate and parse_partial_date: every accepted form, the errors, and the invariants."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.core.dates import ACCEPTED_FORMS, PRECISIONS, PartialDate, parse_partial_date
from kartoteka.core.errors import KartotekaError

FORMS = [
    # ISO
    ("1946", "1946", "year"),
    ("1946-01", "1946-01", "month"),
    ("1946-01-20", "1946-01-20", "day"),
    ("1946-1-2", "1946-01-02", "day"),
    ("1946-01-20 00:00:00", "1946-01-20", "day"),
    ("1946-01-20T00:00:00", "1946-01-20", "day"),
    ("1946-01-21/1946-01-31", "1946-01-21/1946-01-31", "dekad"),
    # Russian numeric
    ("20.01.46", "1946-01-20", "day"),
    ("20.01.1946", "1946-01-20", "day"),
    ("20.01.1946г.", "1946-01-20", "day"),
    ("01.1946", "1946-01", "month"),
    ("1.1946", "1946-01", "month"),
    ("20.I.1946", "1946-01-20", "day"),
    ("20/IV-1946", "1946-04-20", "day"),
    ("IV.1946", "1946-04", "month"),
    ("1946.01.20", "1946-01-20", "day"),
    # Russian words
    ("3-я декада января 1946", "1946-01-21/1946-01-31", "dekad"),
    ("1-я декада февраля 1946 г.", "1946-02-01/1946-02-10", "dekad"),
    ("2 декада марта 1946", "1946-03-11/1946-03-20", "dekad"),
    ("третья декада февраля 1948", "1948-02-21/1948-02-29", "dekad"),
    ("III декада января 1946", "1946-01-21/1946-01-31", "dekad"),
    ("в третьей декаде января 1946 года", "1946-01-21/1946-01-31", "dekad"),
    ("январь 1946", "1946-01", "month"),
    ("января 1946 г.", "1946-01", "month"),
    ("в январе 1946 года", "1946-01", "month"),
    ("янв. 1946", "1946-01", "month"),
    ("май 1946", "1946-05", "month"),
    ("мар. 1946", "1946-03", "month"),
    ("сент. 1946", "1946-09", "month"),
    ("20 января 1946 г.", "1946-01-20", "day"),
    ("1 мая 1946", "1946-05-01", "day"),
    ("20-го января 1946 года", "1946-01-20", "day"),
    ("31 декабря 1945", "1945-12-31", "day"),
    ("зима 1945", "1945-12-01/1946-02-28", "season"),
    ("зимой 1945/46", "1945-12-01/1946-02-28", "season"),
    ("зима 1945-1946", "1945-12-01/1946-02-28", "season"),
    ("весна 1946", "1946-03-01/1946-05-31", "season"),
    ("лето 1946", "1946-06-01/1946-08-31", "season"),
    ("осенью 1945 г.", "1945-09-01/1945-11-30", "season"),
    ("конец 1945", "1945-09-01/1945-12-31", "range"),
    ("в конце 1945 г.", "1945-09-01/1945-12-31", "range"),
    ("начало 1946", "1946-01-01/1946-04-30", "range"),
    ("середина 1946", "1946-05-01/1946-08-31", "range"),
    ("конец января 1946", "1946-01-21/1946-01-31", "dekad"),
    ("начало марта 1947", "1947-03-01/1947-03-10", "dekad"),
    ("1945-1946", "1945-01-01/1946-12-31", "range"),
    ("1945 - 1946 гг.", "1945-01-01/1946-12-31", "range"),
    ("1945–1946", "1945-01-01/1946-12-31", "range"),
    ("1946/47", "1946-01-01/1947-12-31", "range"),
    ("с 1945 по 1947", "1945-01-01/1947-12-31", "range"),
    ("январь-март 1946", "1946-01-01/1946-03-31", "range"),
    ("20.01.1946 - 25.01.1946", "1946-01-20/1946-01-25", "range"),
    ("20-25.01.1946", "1946-01-20/1946-01-25", "range"),
    ("декабрь 1945 - февраль 1946", "1945-12-01/1946-02-28", "season"),
    ("около 1920", "1920", "year"),
    ("1920 г.р.", "1920", "year"),
    ("1946?", "1946", "year"),
    # Japanese
    ("昭和20年", "1945", "year"),
    ("昭和20年8月", "1945-08", "month"),
    ("昭和20年8月15日", "1945-08-15", "day"),
    ("昭和 20 年 8 月 15 日", "1945-08-15", "day"),
    ("昭和二十年八月十五日", "1945-08-15", "day"),
    ("昭和二〇年八月一五日", "1945-08-15", "day"),
    ("昭和元年", "1926", "year"),
    ("大正元年", "1912", "year"),
    ("大正9年", "1920", "year"),
    ("明治38年", "1905", "year"),
    ("明治四十五年", "1912", "year"),
    ("昭和20年頃", "1945", "year"),
    ("㍼20年", "1945", "year"),
    ("1945年8月15日", "1945-08-15", "day"),
    ("一九四五年八月十五日", "1945-08-15", "day"),
    ("１９４５年８月１５日", "1945-08-15", "day"),
    ("昭和２０年８月１５日", "1945-08-15", "day"),
    ("1945年8月", "1945-08", "month"),
    ("1945年", "1945", "year"),
    ("S20.8.15", "1945-08-15", "day"),
    ("s20.8", "1945-08", "month"),
    ("Ｓ２０．８．１５", "1945-08-15", "day"),
    ("T9.3.1", "1920-03-01", "day"),
    ("M38.1.1", "1905-01-01", "day"),
    ("昭和20.8.15", "1945-08-15", "day"),
    ("昭和20年8月下旬", "1945-08-21/1945-08-31", "dekad"),
    ("昭和21年2月上旬", "1946-02-01/1946-02-10", "dekad"),
    ("昭和20年冬", "1945-12-01/1946-02-28", "season"),
    ("昭和20年末", "1945-09-01/1945-12-31", "range"),
    # English
    ("January 1946", "1946-01", "month"),
    ("Jan 1946", "1946-01", "month"),
    ("20 Jan 1946", "1946-01-20", "day"),
    ("20 January 1946", "1946-01-20", "day"),
    ("1st May 1946", "1946-05-01", "day"),
    ("20th of January 1946", "1946-01-20", "day"),
    ("January 20, 1946", "1946-01-20", "day"),
    ("Sept 3 1946", "1946-09-03", "day"),
    ("winter 1945", "1945-12-01/1946-02-28", "season"),
    ("winter of 1945", "1945-12-01/1946-02-28", "season"),
    ("spring 1946", "1946-03-01/1946-05-31", "season"),
    ("summer 1946", "1946-06-01/1946-08-31", "season"),
    ("autumn 1946", "1946-09-01/1946-11-30", "season"),
    ("fall 1946", "1946-09-01/1946-11-30", "season"),
    ("late January 1946", "1946-01-21/1946-01-31", "dekad"),
    ("mid-January 1946", "1946-01-11/1946-01-20", "dekad"),
    ("third dekad of January 1946", "1946-01-21/1946-01-31", "dekad"),
    ("end of 1945", "1945-09-01/1945-12-31", "range"),
    ("early 1946", "1946-01-01/1946-04-30", "range"),
    ("circa 1920", "1920", "year"),
    # two-digit years through the default pivot (00-59 -> 19xx, 60-99 -> 18xx)
    ("46", "1946", "year"),
    ("98", "1898", "year"),
    ("20.01.98", "1898-01-20", "day"),
    ("01.01.00", "1900-01-01", "day"),
    ("31.12.59", "1959-12-31", "day"),
    ("01.01.60", "1860-01-01", "day"),
]


@pytest.mark.parametrize(("text", "iso", "precision"), FORMS, ids=[f[0] for f in FORMS])
def test_each_accepted_form_reads_as_the_expected_interval(text, iso, precision):
    parsed = parse_partial_date(text)
    assert parsed is not None
    assert (parsed.iso(), parsed.precision) == (iso, precision)
    assert parsed.original == text.strip()


@pytest.mark.parametrize("text", ACCEPTED_FORMS)
def test_every_form_named_in_the_error_message_is_really_accepted(text):
    assert parse_partial_date(text) is not None


@pytest.mark.parametrize(
    ("text", "order", "iso"),
    [
        ("05/06/1946", "DMY", "1946-06-05"),
        ("05/06/1946", "MDY", "1946-05-06"),
        ("05/06/1946", "mdy", "1946-05-06"),
        ("46/06/05", "YMD", "1946-06-05"),
        ("1946/06/05", "MDY", "1946-06-05"),  # a 4-digit first part is always the year
        ("05/06/1946", "YMD", "1946-06-05"),  # a 4-digit last part is the year: read as DMY
        ("20.I.1946", "MDY", "1946-01-20"),  # a roman month is the month whatever the order
    ],
)
def test_day_month_order_decides_all_numeric_days(text, order, iso):
    parsed = parse_partial_date(text, order=order)
    assert parsed is not None and parsed.iso() == iso


@pytest.mark.parametrize(
    ("text", "pivot", "iso"),
    [("98", 0, "1898"), ("98", 100, "1998"), ("46", 40, "1846"), ("46", 47, "1946"), ("20.01.30", 20, "1830-01-20")],
)
def test_two_digit_pivot_moves_the_century(text, pivot, iso):
    parsed = parse_partial_date(text, two_digit_pivot=pivot)
    assert parsed is not None and parsed.iso() == iso


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n", "?", "-", "—", "неизв.", "неизвестно", "unknown", "不明"])
def test_blank_or_unknown_is_none(text):
    assert parse_partial_date(text) is None


def test_date_datetime_and_spreadsheet_numbers_are_accepted():
    assert parse_partial_date(date(1946, 1, 20)) == PartialDate.of(1946, 1, 20)
    assert parse_partial_date(datetime(1946, 1, 20, 0, 0)) == PartialDate.of(1946, 1, 20)
    assert parse_partial_date(1946) == PartialDate.of(1946)
    assert parse_partial_date(1946.0) == PartialDate.of(1946)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("31.02.1946", "February 1946 has 28 days, so day 31 does not exist"),
        ("29.02.1946", "February 1946 has 28 days"),
        ("1946-02-30", "day 30 does not exist"),
        ("31 апреля 1946", "April 1946 has 30 days"),
        ("13.1946", "month 13 does not exist"),
        ("1946-13", "month 13 does not exist"),
        ("20.13.1946", "month 13 does not exist"),
        ("昭和70年", "昭和 has years 1-64, not 70"),
        ("大正16年", "大正 has years 1-15"),
        ("20.01.946", "a year has 2 or 4 digits"),
        ("1947-1945", "the range ends before it starts"),
        ("зима 1945/47", "a winter spans two consecutive years"),
    ],
)
def test_impossible_dates_are_rejected_with_the_reason(text, says):
    with pytest.raises(KartotekaError) as caught:
        parse_partial_date(text)
    assert caught.value.code == "input.date"
    assert repr(text) in caught.value.message
    assert says in caught.value.message


def test_leap_day_exists_in_a_leap_year():
    assert parse_partial_date("29.02.1948") == PartialDate.of(1948, 2, 29)


@pytest.mark.parametrize(
    "text", ["hello", "abc 1946", "12345", "5", "1946-01-20-xx", "январь", "декада 1946", "平成", "//", "20.01"]
)
def test_nonsense_names_the_text_and_the_accepted_forms(text):
    with pytest.raises(KartotekaError) as caught:
        parse_partial_date(text)
    error = caught.value
    assert error.code == "input.date"
    assert repr(text) in error.message
    assert "accepted forms" in error.message and "3-я декада января 1946" in error.message
    assert "昭和20年8月15日" in error.message
    assert error.hint


def test_an_unknown_order_is_a_usage_error_listing_the_orders():
    with pytest.raises(KartotekaError) as caught:
        parse_partial_date("05/06/1946", order="DDMM")
    assert caught.value.code == "usage"
    assert "DMY, MDY, YMD" in caught.value.message


def test_year_is_known_only_when_the_interval_stays_in_one_year():
    assert parse_partial_date("3-я декада января 1946").year == 1946
    assert parse_partial_date("зима 1945").year is None
    assert parse_partial_date("1945-1946").year is None
    assert parse_partial_date("昭和20年8月15日").year == 1945


def test_contains_and_overlaps():
    winter = parse_partial_date("зима 1945")
    assert winter.contains(date(1946, 1, 20))
    assert winter.contains(datetime(1945, 12, 1, 13, 0))
    assert not winter.contains(date(1946, 3, 1))
    assert winter.contains(parse_partial_date("3-я декада января 1946"))
    assert not winter.contains(parse_partial_date("1946"))
    assert winter.overlaps(parse_partial_date("1946"))
    assert winter.overlaps(parse_partial_date("28.02.1946"))
    assert not winter.overlaps(parse_partial_date("весна 1946"))


def test_sorting_is_by_earliest_then_latest():
    texts = ["1946", "зима 1945", "20.01.1946", "январь 1946", "1945-1946", "3-я декада января 1946"]
    ordered = [d.iso() for d in sorted(parse_partial_date(t) for t in texts)]
    assert ordered == [
        "1945-01-01/1946-12-31", "1945-12-01/1946-02-28", "1946-01", "1946", "1946-01-20", "1946-01-21/1946-01-31",
    ]


def test_equality_ignores_the_original_spelling():
    assert parse_partial_date("20.01.1946") == parse_partial_date("1946-01-20") == parse_partial_date("20 января 1946")
    assert len({parse_partial_date("20.01.46"), parse_partial_date("S21.1.20")}) == 1


def test_precision_is_derived_and_checked():
    assert PartialDate(date(1946, 1, 1), date(1946, 1, 31)).precision == "month"
    assert PartialDate(date(1946, 1, 1), date(1946, 1, 31), "month").iso() == "1946-01"
    with pytest.raises(ValueError, match="does not fit"):
        PartialDate(date(1946, 1, 1), date(1946, 1, 31), "range")
    with pytest.raises(ValueError, match="before it starts"):
        PartialDate(date(1946, 2, 1), date(1946, 1, 31))


@pytest.mark.parametrize("text", ["", "1946-1", "46", "1946-01-32", "1946/1947", "20.01.1946", "1946-02-01/1946-01-01"])
def test_from_iso_rejects_what_iso_never_writes(text):
    with pytest.raises(KartotekaError) as caught:
        PartialDate.from_iso(text)
    assert caught.value.code == "input.date"


# --- properties ------------------------------------------------------------------------------------

days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
records_days = st.dates(min_value=date(1860, 1, 1), max_value=date(1959, 12, 31))


@st.composite
def partial_dates(draw) -> PartialDate:
    """Any valid PartialDate at any precision."""
    kind = draw(st.sampled_from(PRECISIONS))
    day = draw(days)
    if kind == "day":
        return PartialDate.of(day.year, day.month, day.day)
    if kind == "month":
        return PartialDate.of(day.year, day.month)
    if kind == "year":
        return PartialDate.of(day.year)
    if kind == "dekad":
        first = 1 + 10 * draw(st.sampled_from([0, 1, 2]))
        last = calendar.monthrange(day.year, day.month)[1] if first == 21 else first + 9
        return PartialDate.between(date(day.year, day.month, first), date(day.year, day.month, last))
    if kind == "season" and day.year < 9999:
        start = draw(st.sampled_from([3, 6, 9, 12]))
        end_year, end_month = (day.year + 1, 2) if start == 12 else (day.year, start + 2)
        end = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
        return PartialDate.between(date(day.year, start, 1), end)
    other = draw(days)
    return PartialDate.between(min(day, other), max(day, other))


@settings(deadline=None, max_examples=300)
@given(partial_dates())
def test_iso_round_trips_at_any_precision(value):
    back = PartialDate.from_iso(value.iso())
    assert back == value
    assert back.precision == value.precision
    assert back.iso() == value.iso()


@settings(deadline=None, max_examples=200)
@given(st.lists(partial_dates(), min_size=2, max_size=8))
def test_ordering_is_consistent_with_earliest(values):
    ordered = sorted(values)
    assert [v.earliest for v in ordered] == sorted(v.earliest for v in values)
    for a, b in itertools.pairwise(ordered):
        assert (a.earliest, a.latest) <= (b.earliest, b.latest)


RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]


@settings(deadline=None, max_examples=200)
@given(records_days)
def test_a_day_written_three_ways_is_one_date(day):
    forms = [
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        day.isoformat(),
        f"{day.day} {RU_MONTHS[day.month - 1]} {day.year} г.",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}",
    ]
    parsed = {parse_partial_date(form) for form in forms}
    assert parsed == {PartialDate.of(day.year, day.month, day.day)}


@settings(deadline=None, max_examples=100)
@given(st.dates(min_value=date(1926, 12, 25), max_value=date(1989, 1, 7)))
def test_showa_era_dates_match_the_gregorian_day(day):
    era_year = day.year - 1925
    assert parse_partial_date(f"昭和{era_year}年{day.month}月{day.day}日") == PartialDate.of(day.year, day.month, day.day)
    assert parse_partial_date(f"S{era_year}.{day.month}.{day.day}") == PartialDate.of(day.year, day.month, day.day)


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=30))
def test_any_text_gives_a_date_none_or_an_input_date_error(text):
    try:
        parsed = parse_partial_date(text)
    except KartotekaError as error:
        assert error.code == "input.date"
    else:
        assert parsed is None or parsed.earliest <= parsed.latest
