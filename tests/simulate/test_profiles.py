"""The profiles differ the way their documented rates say: clean < realistic < harsh."""

from __future__ import annotations

import pytest

from kartoteka.core.errors import KartotekaError
from kartoteka.names import kana_to_cyrillic
from kartoteka.simulate import PROFILE_NAMES, get_profile
from kartoteka.simulate.profiles import FIELD_NOISE

pytestmark = pytest.mark.xdist_group("simulate")


def _card_errors(archive) -> tuple[float, float, float]:
    """Shares of cards whose surname is not the Polivanov spelling, whose birth year is wrong, or blank fields."""
    cards = archive.rows("card")
    name_off = year_off = blanks = 0
    for card in cards:
        person = archive.person_of(card)
        standard = kana_to_cyrillic(person["kana_surname"])
        name_off += card["Фамилия"].lower() != standard.lower()
        if card["Год рождения"]:
            year_off += card["Год рождения"] != person["birth_date"][:4]
        blanks += card["Звание"] == "" if person["civilian"] == "0" else 0
    return name_off / len(cards), year_off / len(cards), blanks / len(cards)


def test_noise_grows_from_clean_to_harsh(small_archives):
    clean, realistic, harsh = (_card_errors(small_archives[p]) for p in ("clean", "realistic", "harsh"))
    for k in range(3):
        assert clean[k] < realistic[k] < harsh[k]
    assert clean[1] == 0  # no birth year is shifted or misread in the clean profile
    assert 0.03 < realistic[1] < 0.12


def test_every_profile_has_channel_and_field_rates():
    for name in PROFILE_NAMES:
        profile = get_profile(name)
        assert profile.noise is FIELD_NOISE[name]
        assert 0 <= profile.channel.ministry_misread < 1


def test_an_unknown_profile_is_refused_with_the_choices():
    with pytest.raises(KartotekaError) as caught:
        get_profile("messy")
    assert caught.value.code == "simulate.profile"
    assert "realistic" in caught.value.hint
