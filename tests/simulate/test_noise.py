"""Field noise writes dates and years the way clerks did, always in a form the importer reads."""

from __future__ import annotations

import datetime as dt
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.core.dates import parse_partial_date
from kartoteka.simulate import noise
from kartoteka.simulate.profiles import FIELD_NOISE

DATES = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(1956, 12, 31))
PROFILES = st.sampled_from(sorted(FIELD_NOISE))


@settings(deadline=None, max_examples=300)
@given(date=DATES, seed=st.integers(0, 2**32), profile=PROFILES)
def test_noisy_dates_always_parse_and_stay_near_the_truth(date, seed, profile):
    rng = random.Random(seed)
    for written in (noise.russian_date(date, rng, FIELD_NOISE[profile]),
                    noise.japanese_date(date, rng, FIELD_NOISE[profile])):
        parsed = parse_partial_date(written)
        # a misread last digit of the year moves it by at most 9 years; a swap stays within the year
        assert abs(parsed.earliest.year - date.year) <= 9, written


@settings(deadline=None, max_examples=200)
@given(date=DATES, seed=st.integers(0, 2**32))
def test_without_swaps_or_misreadings_a_date_reads_back_to_an_interval_holding_it(date, seed):
    quiet = FIELD_NOISE["clean"]  # no swaps, no misread digits; partial dates still happen
    rng = random.Random(seed)
    for written in (noise.russian_date(date, rng, quiet), noise.japanese_date(date, rng, quiet)):
        parsed = parse_partial_date(written)
        assert parsed.earliest <= date <= parsed.latest, written


@settings(deadline=None, max_examples=200)
@given(year=st.integers(1890, 1956), seed=st.integers(0, 2**32))
def test_era_years_read_back_to_the_western_year(year, seed):
    assert parse_partial_date(noise.japanese_era_year(year)).year == year
    written = noise.written_year(year, random.Random(seed), FIELD_NOISE["harsh"])
    assert written[:3] == str(year)[:3]  # only the last digit is ever misread


def test_day_and_month_swap_at_the_profile_rate():
    rng = random.Random(3)
    date = dt.date(1946, 3, 5)
    swapped_forms = re.compile(r"^0?3[./](0?5|V)[.-]")  # 03.05.1946, 3.5.46, 3/V-1946
    swapped = sum(bool(swapped_forms.match(noise.russian_date(date, rng, FIELD_NOISE["harsh"])))
                  for _ in range(4000))
    rate = FIELD_NOISE["harsh"].day_month_swap * (1 - FIELD_NOISE["harsh"].partial_date)
    assert abs(swapped / 4000 - rate) < 0.02
