"""The camp filter says nothing about a person who may be living (access.policy: list fields only, the camp is
not one): such a person is neither kept nor dropped by what his records say of his camp."""

from kartoteka.search.query import read_query
from kartoteka.search.rank import _Facts, _filter_factor
from kartoteka.search.types import SearchQuery


def _facts(birth_year: int | None, camp: str, fate: str) -> _Facts:
    return _Facts(birth_years={birth_year} if birth_year is not None else set(), camps={camp},
                  death_years={1946} if fate == "died" else set(), fates={fate})


def test_the_camp_filter_keeps_or_drops_the_dead_by_their_camp():
    read = read_query(SearchQuery(text="Ямада Таро", camp="7"))
    assert _filter_factor(read, _facts(1915, "7", "died")) == (1.0, [])
    assert _filter_factor(read, _facts(1915, "13", "died")) is None


def test_the_camp_filter_tells_nothing_of_a_person_who_may_be_living():
    read = read_query(SearchQuery(text="Ямада Таро", camp="7"))
    at_seven = _filter_factor(read, _facts(1925, "7", "repatriated"))
    elsewhere = _filter_factor(read, _facts(1925, "13", "repatriated"))
    unknown_birth = _filter_factor(read, _facts(None, "13", "unknown"))
    assert at_seven is not None and at_seven == elsewhere == unknown_birth  # the same answer, whatever his camp
    assert "may be living" in at_seven[1][0]
