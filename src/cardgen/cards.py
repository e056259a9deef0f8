"""Persons and their registration cards: what each man is, and what each card says about him.

A person is drawn once (surname, given name, father's name from the file's vocabulary by frequency; birth
year, birthplace, rank, regiment, camps, perhaps a death date); each of his 1-4 cards is written anew: the
names spelt by ``variants.spell`` (by ear, with typos), the birth year sometimes off by one or blank, the
birthplace in one of several forms or blank, the other fields abbreviated or missing. Every card carries
every field here; which columns a file shows is chosen when it is written (``writer``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cardgen.polivanov import canonical
from cardgen.variants import spell
from cardgen.vocabulary import Vocabulary

SURNAME, GIVEN, FATHER, BIRTH_YEAR, BIRTH_PLACE = "Фамилия", "Имя", "Отчество", "Год рождения", "Место рождения"
RANK, UNIT, CAMP, DEATH_DATE = "Воинское звание", "Часть", "Лагерь", "Дата смерти"
#: Every column a card can have, in the order a file shows them (the headers of kartoteka's ru-card mapping).
ALL_COLUMNS = (SURNAME, GIVEN, FATHER, BIRTH_YEAR, BIRTH_PLACE, RANK, UNIT, CAMP, DEATH_DATE)
FIVE_COLUMNS = ALL_COLUMNS[:5]

CARDS_PER_PERSON = {1: 78, 2: 15, 3: 5, 4: 2}  # about 1.3 cards a man, as in the Soviet card files
FATHER_BLANK, YEAR_BLANK, YEAR_SLIP, PLACE_BLANK = 0.08, 0.04, 0.06, 0.12
RANK_BLANK, UNIT_BLANK, CAMP_BLANK, DIED, DEATH_SHOWN = 0.15, 0.25, 0.10, 0.09, 0.7
PLACE_FORMS = {"{}": 60, "преф. {}": 15, "{}-кэн": 8, "{} кен": 5, "пр. {}": 5, "префектура {}": 7}
PLACE_BY_EAR, PLACE_TYPO = 0.3, 0.03
# (full, abbreviated) rank names and how common each rank was among the internees.
RANKS = (
    (("рядовой", "ряд."), 50), (("ефрейтор", "ефр."), 15), (("младший сержант", "мл. сержант"), 8),
    (("сержант", "серж."), 8), (("старший сержант", "ст. сержант"), 5), (("старшина", "ст-на"), 3),
    (("младший лейтенант", "мл. л-т"), 3), (("лейтенант", "л-т"), 3), (("старший лейтенант", "ст. л-т"), 2),
    (("капитан", "кап."), 2), (("майор", "м-р"), 1),
)
UNIT_FORMS = ("{} пп", "{}-й пехотный полк", "пп {}", "{} пп")
CAMP_FORMS = ("Лагерь № {}", "лаг. {}", "№ {}", "{}")
MONTHS_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря")


@dataclass(frozen=True)
class Person:
    """One man as he was (the truth behind his cards)."""

    person_id: str
    surname: tuple[str, ...]
    given_name: tuple[str, ...]
    father: tuple[str, ...]
    birth_year: int
    place: tuple[str, ...]
    rank: int
    regiment: int
    camps: tuple[int, ...]
    death: tuple[int, int, int] | None  # (year, month, day)

    def canonical_names(self) -> tuple[str, str, str]:
        """Surname, given name and father's name by the table (as no clerk needed to write them)."""
        return canonical(self.surname), canonical(self.given_name), canonical(self.father)


@dataclass(frozen=True)
class Card:
    """One card: the person it is of, and its text by column (blank fields are "")."""

    person: Person
    fields: dict[str, str]


def draw_person(rng: random.Random, vocabulary: Vocabulary, number: int) -> Person:
    """A man drawn from the file's vocabulary and the period's distributions."""
    surnames, given, places = vocabulary.surnames, vocabulary.given_names, vocabulary.places
    died = rng.random() < DIED
    return Person(
        person_id=f"SIM-P{number:07d}",
        surname=surnames.names[surnames.draw(rng)],
        given_name=given.names[given.draw(rng)],
        father=given.names[given.draw(rng)],
        # mostly men of the 1915-1925 classes, a few older reservists
        birth_year=int(rng.triangular(1895, 1928, 1921)),
        place=places.names[places.draw(rng)],
        rank=rng.choices(range(len(RANKS)), weights=[w for _, w in RANKS])[0],
        # half the men from a few dozen regiments of the Kwantung Army, the rest from hundreds
        regiment=rng.randint(1, 40) if rng.random() < 0.5 else rng.randint(1, 400),
        camps=tuple(sorted({rng.randint(1, 60) for _ in range(rng.randint(1, 3))})),
        death=(rng.choice((1945, 1946, 1946, 1947, 1948)), rng.randint(1, 12), rng.randint(1, 28)) if died else None,
    )


def _blank_or(rng: random.Random, rate: float, text: str) -> str:
    return "" if rng.random() < rate else text


def _birth_year(rng: random.Random, year: int) -> str:
    roll = rng.random()
    if roll < YEAR_BLANK:
        return ""
    if roll < YEAR_BLANK + YEAR_SLIP:
        return str(year + rng.choice((-1, 1)))
    return str(year)


def _birth_place(rng: random.Random, place: tuple[str, ...]) -> str:
    if rng.random() < PLACE_BLANK:
        return ""
    form = rng.choices(list(PLACE_FORMS), weights=list(PLACE_FORMS.values()))[0]
    return form.format(spell(place, rng, PLACE_BY_EAR, PLACE_TYPO))


def _death_date(rng: random.Random, death: tuple[int, int, int] | None) -> str:
    if death is None or rng.random() > DEATH_SHOWN:
        return ""
    year, month, day = death
    roll = rng.random()
    if roll < 0.7:
        return f"{day:02d}.{month:02d}.{year}"
    if roll < 0.8:
        return f"{day}.{MONTHS_ROMAN[month - 1]}.{year}"
    if roll < 0.9:
        return f"{month:02d}.{year}"
    return f"{day} {MONTHS_GENITIVE[month - 1]} {year}"


def write_card(rng: random.Random, person: Person) -> Card:
    """One card of ``person``, written anew by a clerk."""
    full, short = RANKS[person.rank][0]
    fields = {
        SURNAME: spell(person.surname, rng),
        GIVEN: spell(person.given_name, rng),
        FATHER: _blank_or(rng, FATHER_BLANK, spell(person.father, rng)),
        BIRTH_YEAR: _birth_year(rng, person.birth_year),
        BIRTH_PLACE: _birth_place(rng, person.place),
        RANK: _blank_or(rng, RANK_BLANK, short if rng.random() < 0.2 else full),
        UNIT: _blank_or(rng, UNIT_BLANK, rng.choice(UNIT_FORMS).format(person.regiment)),
        CAMP: _blank_or(rng, CAMP_BLANK, rng.choice(CAMP_FORMS).format(rng.choice(person.camps))),
        DEATH_DATE: _death_date(rng, person.death),
    }
    return Card(person, fields)


def draw_cards(rng: random.Random, vocabulary: Vocabulary, count: int) -> list[Card]:
    """``count`` cards of as many persons as it takes (1-4 cards each), in a shuffled order."""
    cards: list[Card] = []
    sizes, weights = list(CARDS_PER_PERSON), list(CARDS_PER_PERSON.values())
    number = 0
    while len(cards) < count:
        number += 1
        person = draw_person(rng, vocabulary, number)
        for _ in range(min(rng.choices(sizes, weights=weights)[0], count - len(cards))):
            cards.append(write_card(rng, person))
    rng.shuffle(cards)
    return cards
