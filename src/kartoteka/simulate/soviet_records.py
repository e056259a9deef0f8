"""Rows of the Soviet sources, in Russian: registration cards, personal files, burial registers.

Each function returns a row (a dict keyed by store column; the writer turns the keys into
the Russian headers of the bundled ingest mappings). Names come from the clerk-error channel
(``World.card_names``); the other fields get the profile's field noise.
"""

from __future__ import annotations

import datetime as dt
import random

from kartoteka.simulate import noise, tables, units
from kartoteka.simulate.fates import CHINA, DIED, REPATRIATED
from kartoteka.simulate.name_channel import hear_cyrillic
from kartoteka.simulate.world import World, copy_by_hand, person_rng

_GENITIVE_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                    "октября", "ноября", "декабря")
_EDUCATION = ("начальное", "начальное", "среднее", "высшее")
_BUILD = ("среднее", "худощавое", "плотное", "слабое")
TRANSIT_CAMP = "лагерь № 380 (Находка)"


def camp_as_written(camp_number: str, name_ru: str, rng: random.Random, world: World) -> str:
    """A camp as a card names it: '7', '№ 7' or 'лагерь № 7' (the name where it has no number)."""
    if not camp_number:
        return name_ru
    style = rng.random()
    text = camp_number if style < 0.5 else f"№ {camp_number}" if style < 0.8 else f"лагерь № {camp_number}"
    return noise.confuse_digit(text, rng, world.profile.noise)


def death_date_ru(date: dt.date, rng: random.Random, world: World) -> str:
    """A death date as a Soviet record gives it; now and then only the dekad of the month (camp reports)."""
    if rng.random() < 0.08:
        dekad = min(3, (date.day - 1) // 10 + 1)
        return f"{dekad}-я декада {_GENITIVE_MONTHS[date.month - 1]} {date.year}"
    return noise.russian_date(date, rng, world.profile.noise)


def birth_place_ru(world: World, person: int, rng: random.Random) -> str:
    """The birthplace as a card gives it: the prefecture, in the standard spelling or as heard."""
    prefecture = world.prefecture(person)
    name = prefecture.cyrillic
    if rng.random() < 0.2:
        name = hear_cyrillic(prefecture.kana, rng, world.profile.channel)
    style = rng.random()
    return f"преф. {name}" if style < 0.5 else f"{name}-кэн" if style < 0.6 else f"Япония, {name}"


def _common_fields(world: World, person: int, rng: random.Random) -> dict[str, str]:
    """The fields a card and a personal file share (each with its own noise)."""
    field_noise = world.profile.noise
    population = world.population
    rank = world.rank(person)
    year = noise.noisy_birth_year(world.dates.birth[person].year, rng, field_noise)
    patronymic = ""
    if rng.random() < field_noise.patronymic_father:
        patronymic = hear_cyrillic(world.father_given(person)[1], rng, world.profile.channel)
    fields = {
        "patronymic": patronymic,
        "birth_year": noise.written_year(year, rng, field_noise),
        "birth_place": birth_place_ru(world, person, rng),
        "occupation": units.OCCUPATIONS[population.occupation[person]][0],
        "rank": rank.ru if rank else units.CIVILIAN_RANK_RU,
        "unit": world.unit_ru(person, short=rng.random() < 0.3),
        "capture_date": noise.russian_date(world.dates.capture[person], rng, field_noise),
        "capture_place": tables.capture_places()[population.capture_place[person]][0],
    }
    for key in ("birth_year", "birth_place", "occupation", "rank", "unit", "capture_date", "capture_place"):
        fields[key] = noise.blank(fields[key], rng, field_noise)
    return fields


def card_row(world: World, person: int, k: int, names: list[tuple[str, str]] | None = None) -> dict[str, str] | None:
    """The registration card of a person's k-th camp stay, or None when that card was lost.

    `names` are the person's ``World.card_names`` if the caller has them already.
    """
    rng = person_rng(world.seed, "card", person * 8 + k)
    field_noise = world.profile.noise
    if rng.random() < field_noise.card_lost:
        return None
    stays = world.stays.of(person)
    stay = stays[k]
    camp = world.camp(stay)
    row = _common_fields(world, person, rng)
    surname, given = (names or world.card_names(person, upto=k + 1))[k]
    # written within days of arrival, and never after the end of his captivity
    card_date = min(world.dates.arrival[stay] + dt.timedelta(days=rng.randrange(0, 10)),
                    world.dates.end[person])
    row.update(
        surname=surname, given_name=given, camp=camp_as_written(camp.number, camp.name_ru, rng, world),
        lagpunkt=noise.blank(str(world.stays.lagpunkt[stay]), rng, field_noise),
        event_date=noise.russian_date(card_date, rng, field_noise),
        archive_ref=f"SIM ф.{camp.key} оп.{world.stays.lagpunkt[stay]} д.{rng.randrange(1, 2000)}",
    )
    if k > 0:
        previous = world.camp(stays[k - 1])
        row["arrived_from"] = camp_as_written(previous.number, previous.name_ru, rng, world)
    if k + 1 < len(stays):
        following = world.camp(stays[k + 1])
        row["departed_to"] = camp_as_written(following.number, following.name_ru, rng, world)
    else:
        row.update(_last_card_fields(world, person, int(world.fates.fate[person]), rng))
    return row


def _last_card_fields(world: World, person: int, fate: int, rng: random.Random) -> dict[str, str]:
    """What the last card says of the end: death and burial, or departure."""
    end = world.dates.end[person]
    if fate == DIED:
        return {"death_date": death_date_ru(end, rng, world), "burial_place": world.burials.site_name_ru(person)}
    if fate == REPATRIATED:
        return {"departed_to": f"{TRANSIT_CAMP}, {noise.russian_date(end, rng, world.profile.noise)}"}
    if fate == CHINA:
        return {"departed_to": f"передан властям КНР, {end.year}"}
    return {}


def personal_file_row(world: World, person: int) -> dict[str, str]:
    """The personal file (учётное дело) of one person: the questionnaire and, for the dead, the death."""
    rng = person_rng(world.seed, "personal_file", person)
    field_noise = world.profile.noise
    rates = world.profile.channel
    surname_kana, given_kana = world.kana(person)
    if rng.random() < field_noise.copy_previous_card:
        surname, given = (copy_by_hand(part, rng, rates) for part in world.card_names(person, upto=1)[0])
    else:
        surname, given = hear_cyrillic(surname_kana, rng, rates), hear_cyrillic(given_kana, rng, rates)
    first = world.stays.of(person)[0]
    camp = world.camp(first)
    rank = world.rank(person)
    row = _common_fields(world, person, rng)
    row.update(
        surname=surname, given_name=given, file_number=str(person * 7 % 999_983 + 1),
        address_before_callup=noise.blank(f"Япония, преф. {world.prefecture(person).cyrillic}", rng, field_noise),
        education=noise.blank(rng.choice(_EDUCATION[2:] if rank and rank.rank_class in ("officer", "general")
                                          else _EDUCATION), rng, field_noise),
        camp=camp_as_written(camp.number, camp.name_ru, rng, world),
        lagpunkt=noise.blank(str(world.stays.lagpunkt[first]), rng, field_noise),
        relatives=noise.blank(_relatives(world, person, surname, rng), rng, field_noise),
        height=noise.blank(str(int(rng.gauss(150 if world.population.female[person] else 160, 6))), rng, field_noise),
        build=noise.blank(rng.choice(_BUILD), rng, field_noise),
        archive_ref=f"SIM дело {person * 7 % 999_983 + 1}",
    )
    fate = int(world.fates.fate[person])
    end = world.dates.end[person]
    if fate == DIED:
        row["death_date"] = death_date_ru(end, rng, world)
        row["burial_place"] = world.burials.site_name_ru(person)
    elif fate == REPATRIATED:
        row["event_date"] = noise.russian_date(end, rng, field_noise)
    return row


def _relatives(world: World, person: int, surname_cyrillic: str, rng: random.Random) -> str:
    father = hear_cyrillic(world.father_given(person)[1], rng, world.profile.channel)
    return f"отец {surname_cyrillic} {father}, преф. {world.prefecture(person).cyrillic}"


def burial_row(world: World, person: int) -> dict[str, str] | None:
    """The burial register's row of a dead person, or None when his marker bears no legible name."""
    rng = person_rng(world.seed, "burial", person)
    field_noise = world.profile.noise
    if rng.random() < field_noise.marker_name_blank:
        return None
    surname, given = world.card_names(person)[-1]
    marker = copy_by_hand(f"{surname} {given}", rng, world.profile.channel)
    burials = world.burials
    camp = world.camp(world.stays.of(person)[-1])
    return {
        "name_original": marker,
        "death_date": noise.blank(death_date_ru(world.dates.end[person], rng, world), rng, field_noise),
        "camp": camp_as_written(camp.number, camp.name_ru, rng, world),
        "burial_place": camp.town_ru,
        "burial_site": f"кладбище № {burials.cemetery[person]}",
        "plot_number": str(burials.site[person]),
        "grave_number": noise.confuse_digit(str(burials.grave[person]), rng, field_noise),
        "remains_recovered": "да" if rng.random() < 0.35 else "нет",
        "archive_ref": f"SIM захоронение {burials.site[person]}/{burials.grave[person]}",
    }
