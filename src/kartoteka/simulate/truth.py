"""persons.csv: the true persons behind a simulated archive (the answer key of linkage)."""

from __future__ import annotations

from pathlib import Path

from kartoteka.simulate.fates import DIED, FATES, REPATRIATED
from kartoteka.simulate.files import SIMULATED, open_csv
from kartoteka.simulate.world import World, person_id

PERSONS_HEADER = (
    "person_id", "kanji_surname", "kanji_given", "kana_surname", "kana_given", "birth_date", "prefecture", "unit",
    "rank", "fate", "death_date", "repatriation_date", "burial_site", "camps", "sex", "civilian", "simulated",
)


def person_row(world: World, person: int) -> list[str]:
    """One true person as a persons.csv row."""
    kanji_surname, kanji_given = world.kanji(person)
    kana_surname, kana_given = world.kana(person)
    fate = int(world.fates.fate[person])
    rank = world.rank(person)
    death = world.dates.end[person].isoformat() if fate == DIED else ""
    repatriation = ""
    if fate == REPATRIATED:
        repatriation = world.fates.voyages[world.fates.voyage[person]].arrival.isoformat()
    burial = ""
    if fate == DIED:
        burial = f"{world.burials.site_name_ru(person)}, могила {world.burials.grave[person]}"
    camps = ";".join(world.camp(stay).key for stay in world.stays.of(person))
    return [
        person_id(person), kanji_surname, kanji_given, kana_surname, kana_given,
        world.dates.birth[person].isoformat(), world.prefecture(person).kanji, world.unit_ja(person),
        rank.ja if rank else "", FATES[fate], death, repatriation, burial, camps,
        "f" if world.population.female[person] else "m", "1" if world.population.civilian[person] else "0",
        SIMULATED,
    ]


def write_persons(path: Path, world: World) -> None:
    """Write persons.csv, one row per true person in person order."""
    handle, writer = open_csv(path, PERSONS_HEADER)
    with handle:
        for person in range(world.size):
            writer.writerow(person_row(world, person))
