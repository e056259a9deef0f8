"""Simulation profiles: how noisy the simulated archive is.

A profile has two parts. The name errors come from the shared clerk-error model,
``kartoteka.names.channel.PROFILES[name]`` (so the simulator and the decoder share one description of the
channel). The field-level noise below (blanks, birth years off by one or two, day and month swapped, misread
digits, lost cards, ...) is the simulator's own. docs/reference/simulation-profiles.md lists every rate.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from kartoteka.core.errors import KartotekaError

PROFILE_NAMES = ("clean", "realistic", "harsh")


@dataclass(frozen=True)
class FieldNoise:
    """Field-level error rates of one profile (each a probability per field or per record)."""

    blank: float  # an optional field left blank (per field)
    birth_year_shift: float  # a birth year off by one (2/3 of cases) or two (1/3)
    day_month_swap: float  # a full date written with day and month swapped (only when both are <= 12)
    digit_confusion: float  # one handwritten digit misread in a number (1/7, 3/8, 5/6, 0/6, 4/9)
    partial_date: float  # a date written only as month and year, or only the year
    patronymic_father: float  # the clerk put the father's given name in the patronymic field
    card_lost: float  # a card that did not survive (per card; a person may lose all his cards)
    copy_previous_card: float  # a transfer card copied from the previous card's Cyrillic, not heard again
    old_kanji: float  # a Japanese-side name written in old kanji forms (where the name has one)
    kana_reading: float  # a Japanese-side roster gives the reading in katakana beside the kanji
    roster_identified: float  # a death-roster entry already identified (kanji name and prefecture filled)
    marker_name_blank: float  # a burial marker with a number but no legible name


FIELD_NOISE: dict[str, FieldNoise] = {
    "clean": FieldNoise(
        blank=0.01, birth_year_shift=0.0, day_month_swap=0.0, digit_confusion=0.0, partial_date=0.02,
        patronymic_father=0.01, card_lost=0.0, copy_previous_card=0.5, old_kanji=0.05, kana_reading=0.6,
        roster_identified=0.72, marker_name_blank=0.05,
    ),
    "realistic": FieldNoise(
        blank=0.07, birth_year_shift=0.06, day_month_swap=0.03, digit_confusion=0.01, partial_date=0.08,
        patronymic_father=0.04, card_lost=0.02, copy_previous_card=0.4, old_kanji=0.15, kana_reading=0.4,
        roster_identified=0.5, marker_name_blank=0.25,
    ),
    "harsh": FieldNoise(
        blank=0.16, birth_year_shift=0.15, day_month_swap=0.08, digit_confusion=0.04, partial_date=0.15,
        patronymic_father=0.08, card_lost=0.05, copy_previous_card=0.25, old_kanji=0.3, kana_reading=0.2,
        roster_identified=0.3, marker_name_blank=0.45,
    ),
}


@dataclass(frozen=True)
class Coverage:
    """How many of the true persons each kind of source covers (the same in every profile)."""

    personal_file_returnee: float = 0.92  # 470,538 files of returnees for about 510,000 repatriated
    personal_file_dead: float = 0.65
    personal_file_other: float = 0.5
    death_roster: float = 1.0  # every death on a card reached the lists (duplicates come on top)
    death_roster_duplicate: float = 0.036  # about 57,000 entries for 55,000 deaths
    jp_roster: float = 0.8
    jp_roster_second: float = 0.12  # a person on both a unit roster and a family's report
    manifest: float = 0.95
    burial: float = 0.6


COVERAGE = Coverage()


@dataclass(frozen=True)
class SimulationProfile:
    """A named profile: the clerk-error rates of the shared channel plus the field noise."""

    name: str
    channel: Any  # kartoteka.names.channel.ClerkErrorRates
    noise: FieldNoise
    coverage: Coverage = COVERAGE


def get_profile(name: str) -> SimulationProfile:
    """The profile called `name` ("clean", "realistic" or "harsh")."""
    from kartoteka.simulate.name_channel import channel_profiles

    channel_profiles_by_name = channel_profiles()
    if name not in FIELD_NOISE or name not in channel_profiles_by_name:
        raise KartotekaError(
            "simulate.profile", f"unknown simulation profile {name!r}",
            hint=f"use one of: {', '.join(PROFILE_NAMES)}",
        )
    return SimulationProfile(name, channel_profiles_by_name[name], FIELD_NOISE[name])


def describe_noise(noise: FieldNoise) -> dict[str, float]:
    """The field-noise rates as a plain dict (for the manifest and the docs)."""
    return {f.name: getattr(noise, f.name) for f in fields(noise)}


def rates_table_markdown() -> str:
    """The rates of every profile as Markdown tables (embedded in docs/reference/simulation-profiles.md)."""
    profiles = [get_profile(name) for name in PROFILE_NAMES]
    head = "| rate | " + " | ".join(PROFILE_NAMES) + " |\n|---|" + "---:|" * len(PROFILE_NAMES) + "\n"
    noise = head + "".join(
        f"| `{f.name}` | " + " | ".join(f"{getattr(p.noise, f.name):g}" for p in profiles) + " |\n"
        for f in fields(FieldNoise)
    )
    channel_names = list(profiles[0].channel.as_dict())
    channel = head + "".join(
        f"| `{name}` | " + " | ".join(f"{p.channel.as_dict()[name]:.4g}" for p in profiles) + " |\n"
        for name in channel_names
    )
    coverage = "| share | value |\n|---|---:|\n" + "".join(
        f"| `{f.name}` | {getattr(COVERAGE, f.name):g} |\n" for f in fields(Coverage)
    )
    return (f"### Field noise (kartoteka.simulate.profiles.FIELD_NOISE)\n\n{noise}\n"
            f"### Name channel (kartoteka.names.channel.PROFILES)\n\n{channel}\n"
            f"### Coverage, the same in every profile (kartoteka.simulate.profiles.COVERAGE)\n\n{coverage}")
