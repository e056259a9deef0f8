"""Rows of the Japanese sources: the ministry's death roster, unit rosters and families' reports, manifests.

The death roster is katakana transcribed from a card's Cyrillic (both stages of the channel); the rosters and
manifests carry the true kanji name, with old kanji forms and the profile's field noise.
"""

from __future__ import annotations

import random

from kartoteka.names.kanji import new_to_old_variants
from kartoteka.simulate import noise, tables, units
from kartoteka.simulate.fates import DIED, REPATRIATED
from kartoteka.simulate.name_channel import ministry_katakana
from kartoteka.simulate.world import World, person_rng

DEPARTURE_PORT = "ナホトカ"
_RELATIONS = ("父", "母", "妻", "兄", "弟")


def old_forms(text: str, rng: random.Random, rate: float) -> str:
    """The text in old kanji forms (旧字体) at `rate`, where it has any."""
    if rng.random() >= rate:
        return text
    variants = [v for v in new_to_old_variants(text) if v != text]
    return rng.choice(variants) if variants else text


def kanji_name(world: World, person: int, rng: random.Random) -> str:
    """The name in kanji as a Japanese list writes it (surname, a full-width or plain space, given name)."""
    surname, given = world.kanji(person)
    separator = "\u3000" if rng.random() < 0.5 else " "
    return old_forms(surname, rng, world.profile.noise.old_kanji) + separator + old_forms(
        given, rng, world.profile.noise.old_kanji)


def prefecture_ja(world: World, person: int, rng: random.Random) -> str:
    """The 本籍 prefecture, with or without its 県/府/都 suffix."""
    name = world.prefecture(person).kanji
    if name != "北海道" and rng.random() < 0.3:
        return name[:-1]
    return name


def rank_ja(world: World, person: int) -> str:
    """The rank in Japanese (軍属 for a civilian)."""
    rank = world.rank(person)
    return rank.ja if rank else units.CIVILIAN_RANK_JA


def death_roster_rows(world: World, person: int) -> list[dict[str, str]]:
    """The death roster's entries for a dead person: one, or two when he was listed twice (duplicates)."""
    rng = person_rng(world.seed, "death_roster", person)
    coverage = world.profile.coverage
    if rng.random() >= coverage.death_roster:
        return []
    cards = world.card_names(person)
    sources = [cards[-1]]
    if rng.random() < coverage.death_roster_duplicate:
        sources.append(rng.choice(cards))  # listed again from another card (or the same one, read anew)
    return [_death_roster_row(world, person, surname, given, rng) for surname, given in sources]


def _death_roster_row(world: World, person: int, surname: str, given: str, rng: random.Random) -> dict[str, str]:
    field_noise = world.profile.noise
    camp = world.camp(world.stays.of(person)[-1])
    region = tables.regions()[camp.region]
    row = {
        "name_original": ministry_katakana(f"{surname} {given}", rng, world.profile.channel),
        "birth_year": noise.blank(
            str(noise.noisy_birth_year(world.dates.birth[person].year, rng, field_noise)), rng,
            field_noise),
        "death_date": noise.japanese_date(world.dates.end[person], rng, field_noise, era_share=0.5),
        "death_place": f"{region.name_ja} {camp.name_ja}",
        "burial_place": noise.blank(world.burials.site_name_ja(person), rng, field_noise),
        "rank": noise.blank(rank_ja(world, person), rng, field_noise),
    }
    if rng.random() < field_noise.roster_identified:
        row["name_kanji"] = kanji_name(world, person, rng)
        row["prefecture"] = prefecture_ja(world, person, rng)
    return row


def jp_roster_row(world: World, person: int, family_report: bool) -> dict[str, str]:
    """A Japanese-side roster row: a unit roster (部隊名簿) or a family's report (留守家族届)."""
    rng = person_rng(world.seed, "jp_roster", person * 2 + family_report)
    field_noise = world.profile.noise
    surname_kana, given_kana = world.kana(person)
    fate = int(world.fates.fate[person])
    row = {
        "name_original": kanji_name(world, person, rng),
        "name_reading": f"{surname_kana} {given_kana}" if rng.random() < field_noise.kana_reading else "",
        "birth_date": noise.blank(noise.japanese_date(world.dates.birth[person], rng, field_noise,
                                                      era_share=0.9), rng, field_noise),
        "prefecture": noise.blank(prefecture_ja(world, person, rng), rng, field_noise),
        "unit": noise.blank(world.unit_ja(person) or units.CIVILIAN_UNIT_JA, rng, field_noise),
        "rank": noise.blank(rank_ja(world, person), rng, field_noise),
        "status": "未帰還",
    }
    if fate == REPATRIATED and not family_report and rng.random() < 0.7:
        voyage = world.fates.voyages[world.fates.voyage[person]]
        row["status"] = "復員"
        row["event_date"] = noise.japanese_date(voyage.arrival, rng, field_noise, era_share=0.9)
    elif fate == DIED and rng.random() < 0.3:
        row["status"] = "死亡（帰還者の証言）"
    if family_report:
        father_kanji, _ = world.father_given(person)
        relation = rng.choice(_RELATIONS)
        reporter = world.kanji(person)[0] + (father_kanji if relation == "父" else "")
        row["reported_by"] = f"{relation} {reporter}"
        row["occupation"] = noise.blank(units.OCCUPATIONS[world.population.occupation[person]][1], rng,
                                        field_noise)
    return row


def manifest_row(world: World, person: int) -> dict[str, str]:
    """A repatriation manifest (乗船名簿) row for a returnee."""
    rng = person_rng(world.seed, "manifest", person)
    field_noise = world.profile.noise
    voyage = world.fates.voyages[world.fates.voyage[person]]
    name = kanji_name(world, person, rng) if rng.random() < 0.8 else "・".join(world.kana(person))
    year = noise.noisy_birth_year(world.dates.birth[person].year, rng, field_noise)
    return {
        "ship": voyage.ship,
        "departure_port": DEPARTURE_PORT,
        "arrival_port": voyage.arrival_port,
        "event_date": noise.japanese_date(voyage.arrival, rng, field_noise, era_share=0.7),
        "name_original": name,
        "birth_year": noise.blank(noise.japanese_era_year(year) if rng.random() < 0.6 else str(year), rng,
                                  field_noise),
        "prefecture": noise.blank(prefecture_ja(world, person, rng), rng, field_noise),
        "unit": noise.blank(world.unit_ja(person), rng, field_noise),
        "rank": noise.blank(rank_ja(world, person), rng, field_noise),
    }
