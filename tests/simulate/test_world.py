"""The simulated world is consistent: quotas add up, stays are in order, graves are numbered once per site."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.simulate.fates import DIED, quota
from kartoteka.simulate.profiles import get_profile
from kartoteka.simulate.world import build_world

pytestmark = pytest.mark.xdist_group("simulate")


@settings(deadline=None, max_examples=200)
@given(shares=st.lists(st.integers(1, 200_000), min_size=1, max_size=8), total=st.integers(0, 600_000))
def test_quota_adds_up_and_follows_the_shares(shares, total):
    counts = quota(shares, total)
    assert counts.sum() == total
    exact = np.array(shares) / sum(shares) * total
    assert np.all(np.abs(counts - exact) < 1)


@pytest.fixture(scope="module")
def world():
    return build_world(5_000, 21, get_profile("realistic"))


def test_stays_are_in_date_order_and_end_before_the_fate(world):
    stays, end = world.stays, world.fates.end
    assert stays.offsets[-1] == stays.camp.size
    for person in range(world.size):
        arrivals = stays.arrival[stays.of(person)]
        assert len(arrivals) >= 1
        assert np.all(arrivals[1:] > arrivals[:-1])
        assert arrivals[-1] < end[person]
        assert arrivals[0] > world.population.capture[person]


def test_each_grave_number_is_used_once_per_site(world):
    dead = np.flatnonzero(world.fates.fate == DIED)
    pairs = set(zip(world.burials.site[dead].tolist(), world.burials.grave[dead].tolist(), strict=True))
    assert len(pairs) == dead.size
    assert world.burials.grave[dead].min() == 1


def test_the_dead_are_buried_near_their_last_camp(world):
    dead = np.flatnonzero(world.fates.fate == DIED)
    last = world.stays.camp[world.stays.offsets[dead + 1] - 1]
    assert np.array_equal(world.burials.camp[dead], last)
