"""The simulated world: the true persons with their fates, camps and graves, and how clerks heard their names.

Everything a record writer needs about a person is here. The random draws that belong to one person and
one kind of record use their own ``random.Random`` (``person_rng``), so a record does not change when the
order of writing does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kartoteka.names.channel import misread_by_hand
from kartoteka.simulate import tables, units
from kartoteka.simulate.burials import Burials, sample_burials
from kartoteka.simulate.fates import Fates, sample_fates
from kartoteka.simulate.name_channel import hear_cyrillic
from kartoteka.simulate.population import NamePool, Population, name_pools, sample_population
from kartoteka.simulate.profiles import SimulationProfile
from kartoteka.simulate.routes import Stays, sample_stays

_KIND_CODES = {"card": 1, "personal_file": 2, "death_roster": 3, "jp_roster": 4, "manifest": 5, "burial": 6,
               "card-names": 7}


def person_rng(seed: int, kind: str, person: int) -> random.Random:
    """The random generator of one person's records of one kind (independent of writing order)."""
    return random.Random((seed << 40) + (_KIND_CODES[kind] << 32) + person)


def person_id(person: int) -> str:
    """The public id of a true person: SIM-P0000001."""
    return f"SIM-P{person + 1:07d}"


@dataclass
class Dates:
    """The true dates as Python dates (converted once: numpy scalars are slow to convert row by row)."""

    birth: list[dt.date]
    capture: list[dt.date]
    end: list[dt.date]  # death, departure, handover or last record
    arrival: list[dt.date]  # per stay

    @classmethod
    def of(cls, population: Population, fates: Fates, stays: Stays) -> Dates:
        """The dates of a sampled world."""
        return cls(population.birth.tolist(), population.capture.tolist(), fates.end.tolist(),
                   stays.arrival.tolist())


@dataclass
class World:
    """The true persons and everything that happened to them."""

    seed: int
    profile: SimulationProfile
    population: Population
    fates: Fates
    stays: Stays
    burials: Burials
    surnames: NamePool
    men: NamePool
    women: NamePool
    dates: Dates

    @property
    def size(self) -> int:
        """The number of persons."""
        return self.population.size

    def kana(self, person: int) -> tuple[str, str]:
        """The true surname and given name in katakana."""
        pool = self.women if self.population.female[person] else self.men
        return self.surnames.katakana[self.population.surname[person]], pool.katakana[self.population.given[person]]

    def kanji(self, person: int) -> tuple[str, str]:
        """The true surname and given name in kanji."""
        pool = self.women if self.population.female[person] else self.men
        return self.surnames.kanji[self.population.surname[person]], pool.kanji[self.population.given[person]]

    def father_given(self, person: int) -> tuple[str, str]:
        """The father's given name (kanji, katakana)."""
        index = self.population.father_given[person]
        return self.men.kanji[index], self.men.katakana[index]

    def rank(self, person: int) -> tables.Rank | None:
        """The person's rank, or None for a civilian."""
        index = int(self.population.rank[person])
        ranks = tables.ranks()
        return ranks[index] if index < len(ranks) else None

    def prefecture(self, person: int) -> tables.Prefecture:
        """The registered domicile (本籍)."""
        return tables.prefectures()[self.population.prefecture[person]]

    def unit_ja(self, person: int) -> str:
        """The unit as a Japanese roster writes it ('' for a civilian)."""
        if self.population.civilian[person]:
            return ""
        return units.unit_japanese(units.DIVISIONS[self.population.division[person]],
                                   int(self.population.branch[person]))

    def unit_ru(self, person: int, short: bool) -> str:
        """The unit as a Soviet card writes it ('' for a civilian)."""
        if self.population.civilian[person]:
            return ""
        return units.unit_russian(units.DIVISIONS[self.population.division[person]],
                                  int(self.population.branch[person]), short)

    def camp(self, stay: int) -> tables.Camp:
        """The camp of a stay."""
        return tables.camps()[self.stays.camp[stay]]

    def card_names(self, person: int, upto: int | None = None) -> list[tuple[str, str]]:
        """The (surname, given name) in Cyrillic on each of a person's cards (the first `upto`), in order.

        The first card is written by ear; a transfer card is either copied from the previous one (with
        handwriting slips) or heard again by another clerk. Deterministic per person, so the death roster
        and the burial register can be transcribed from the same cards the card files hold.
        """
        rng = person_rng(self.seed, "card-names", person)
        rates = self.profile.channel
        surname, given = self.kana(person)
        names: list[tuple[str, str]] = []
        stays = len(self.stays.of(person))
        for _ in range(stays if upto is None else min(upto, stays)):
            if names and rng.random() < self.profile.noise.copy_previous_card:
                previous = names[-1]
                names.append((copy_by_hand(previous[0], rng, rates), copy_by_hand(previous[1], rng, rates)))
            else:
                names.append((hear_cyrillic(surname, rng, rates), hear_cyrillic(given, rng, rates)))
        return names


def copy_by_hand(text: str, rng: random.Random, rates: object) -> str:
    """Cyrillic copied by hand from another card: each letter misread at the channel's copy_misread rate."""
    return misread_by_hand(text, rng, getattr(rates, "copy_misread", 0.0))


def build_world(size: int, seed: int, profile: SimulationProfile) -> World:
    """Sample the persons, their fates, camps and graves."""
    population = sample_population(size, seed)
    fates = sample_fates(population, seed)
    stays = sample_stays(population, fates, seed)
    burials = sample_burials(fates, stays, seed)
    surnames, men, women = name_pools()
    return World(seed, profile, population, fates, stays, burials, surnames, men, women,
                 Dates.of(population, fates, stays))
