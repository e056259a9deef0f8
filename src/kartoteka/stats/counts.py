"""Counts of the current run's persons (the linkage tables): by camp, region, prefecture, month and year.

Camps are counted as the store keeps each record's camp text resolved (``record_places``, written by the importer
and by `kartoteka gazetteer load`: the date of the card deciding which camp a number meant); a text that names no
camp is counted as recorded, and the row says so (``resolved: false``). A person counts once per camp (however
many cards name it), once per year, and his death at the last camp his cards name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select

from kartoteka.core.dates import PartialDate
from kartoteka.core.errors import KartotekaError
from kartoteka.gazetteer import service as gazetteer
from kartoteka.gazetteer.tables import record_places
from kartoteka.linkage.tables import person_records, persons
from kartoteka.stats.reference import REPATRIATION_FILE, reference_source, repatriation_by_year
from kartoteka.stats.types import CountTable
from kartoteka.store import Store, records

# The first winter in captivity, as the simulator and the published share ("~80 % of deaths in the first
# winter", estimates.tsv) read it: November 1945 to March 1946.
FIRST_WINTER = (dt.date(1945, 11, 1), dt.date(1946, 3, 31))


@dataclass(frozen=True)
class PersonRow:
    id: int
    fate: str
    prefecture: str | None
    death: PartialDate | None
    stays: list[tuple[str, PartialDate | None]]  # (camp text as written, its date), in date order


def _date(text: Any) -> PartialDate | None:
    return _parsed(str(text)) if text else None


@lru_cache(maxsize=65_536)
def _parsed(text: str) -> PartialDate | None:
    """An ISO partial date, read once per distinct text (the same few thousand dates recur on every card)."""
    try:
        return PartialDate.from_iso(text)
    except KartotekaError:
        return None


def read_persons(store: Store) -> list[PersonRow]:
    """The current persons with what the counts need (one read of the persons table)."""
    query = select(persons.c.id, persons.c.fate, persons.c.prefecture, persons.c.death_date, persons.c.camps_json)
    out = []
    with store.engine.connect() as conn:
        for pid, fate, prefecture, death, camps in conn.execute(query):
            stays = [(str(stay["camp"]).strip(), _date(stay.get("date"))) for stay in json.loads(camps or "[]")
                     if stay.get("camp") and str(stay["camp"]).strip()]
            out.append(PersonRow(int(pid), str(fate), prefecture or None, _date(death), stays))
    return out


def first_manifests(store: Store) -> dict[int, PartialDate | None]:
    """Each person with a repatriation manifest: the date of his earliest manifest."""
    query = (select(person_records.c.person_id, func.min(records.c.event_date))
             .join(records, records.c.id == person_records.c.record_id)
             .where(records.c.kind == "manifest").group_by(person_records.c.person_id))
    with store.engine.connect() as conn:
        return {int(pid): _date(when) for pid, when in conn.execute(query)}


def month_of(date: PartialDate | None) -> str | None:
    """"1946-01" when the date lies within one month, else None."""
    if date is None or (date.earliest.year, date.earliest.month) != (date.latest.year, date.latest.month):
        return None
    return f"{date.earliest.year:04d}-{date.earliest.month:02d}"


# The records a person's stays come from, and the date of each, as the linkage's persons take them
# (kartoteka.linkage.persons: the card's date, else the capture's).
STAY_KINDS = ("card", "personal_file")


@dataclass(frozen=True)
class Stay:
    """One card's camp: its date (ISO, as stored), the camp the store resolved its text to, the text."""

    when: str
    camp_id: int | None
    text: str


def camp_stays(store: Store, run_id: int) -> dict[int, list[Stay]]:
    """Each person's camps from his cards and personal files, with the store's resolution of each camp text
    (``record_places``, brought up to date first), in date order (undated first, as the persons' stays)."""
    gazetteer.resolved_index(store)
    r, p = records.c, record_places.c
    query = (select(person_records.c.person_id, r.id, func.coalesce(r.event_date, r.capture_date), p.camp_id, p.text)
             .select_from(person_records.join(records, r.id == person_records.c.record_id)
                          .join(record_places, (p.record_id == r.id) & (p.field == "camp")))
             .where(person_records.c.run_id == run_id, r.kind.in_(STAY_KINDS)))
    found: dict[int, list[tuple[str, int, Stay]]] = defaultdict(list)
    with store.engine.connect() as conn:
        for person, record_id, when, camp_id, text in conn.execute(query):
            found[int(person)].append((when or "", int(record_id), Stay(when or "", camp_id, text)))
    return {person: [stay for *_, stay in sorted(stays, key=lambda item: item[:2])] for person, stays in found.items()}


def _table(name: str, key: str, held: Counter[Any], died: Counter[Any], labels: dict[Any, dict[str, Any]],
           source: str, note: str) -> CountTable:
    keys = sorted(set(held) | set(died), key=lambda k: (-held[k], -died[k], str(labels[k][key])))
    rows = [{**labels[k], "held": held[k], "died": died[k]} for k in keys]
    return CountTable(name, [*next(iter(labels.values()), {key: None}).keys(), "held", "died"], rows, source, note)


def camp_tables(store: Store, people: Iterable[PersonRow], stays: dict[int, list[Stay]],
                source: str) -> tuple[CountTable, CountTable]:
    """Persons held at each camp and in each camp region, and the dead at their last camp."""
    index = gazetteer.index_of(store)
    regions = gazetteer.region_names()
    by_camp: tuple[Counter[Any], Counter[Any]] = (Counter(), Counter())
    by_region: tuple[Counter[Any], Counter[Any]] = (Counter(), Counter())
    camp_labels: dict[Any, dict[str, Any]] = {}
    region_labels: dict[Any, dict[str, Any]] = {}
    for person in people:
        camps, places = set(), set()
        last: tuple[Any, Any] | None = None
        for stay in stays.get(person.id, ()):
            camp = index.camps.get(stay.camp_id) if stay.camp_id is not None else None
            key = ("camp", camp.id) if camp else ("text", stay.text)
            region = regions.get(camp.region, camp.region) if camp and camp.region else None
            camp_labels.setdefault(key, {"camp": camp.name if camp else stay.text,
                                         "camp_id": camp.id if camp else None, "resolved": camp is not None})
            region_labels.setdefault(region, {"region": region})
            camps.add(key)
            places.add(region)
            last = (key, region)
        by_camp[0].update(camps)
        by_region[0].update(places)
        if person.fate == "died" and last is not None:
            by_camp[1][last[0]] += 1
            by_region[1][last[1]] += 1
    unresolved = sum(1 for label in camp_labels.values() if not label["resolved"])
    camp_note = (f"{len(camp_labels) - unresolved} camps as the store resolves the cards' camp texts in the "
                 f"gazetteer (at each card's date); {unresolved} camp texts that name no camp are counted as "
                 "recorded (resolved: false). A person counts once per camp; the dead at the last camp their "
                 "cards name.")
    region_note = ("the region of the camp as the gazetteer gives it; region null: the camp text is not resolved "
                   "to a camp with a region.")
    return (_table("by_camp", "camp", *by_camp, camp_labels, source, camp_note),
            _table("by_region", "region", *by_region, region_labels, source, region_note))


def prefecture_table(people: Iterable[PersonRow], source: str) -> CountTable:
    """Persons by registered domicile (本籍) prefecture, with the dead and the repatriated."""
    count: dict[str | None, Counter[str]] = defaultdict(Counter)
    for person in people:
        count[person.prefecture]["persons"] += 1
        count[person.prefecture][person.fate] += 1
    keys = sorted(count, key=lambda k: (-count[k]["persons"], k or "\uffff"))
    rows = [{"prefecture": k, "persons": count[k]["persons"], "died": count[k]["died"],
             "repatriated": count[k]["repatriated"]} for k in keys]
    return CountTable("by_prefecture", ["prefecture", "persons", "died", "repatriated"], rows, source,
                      "the prefecture of the registered domicile (本籍) the person's records give most often; "
                      "prefecture null: not recorded.")


def fate_table(people: Iterable[PersonRow], source: str) -> CountTable:
    count = Counter(person.fate for person in people)
    rows = [{"fate": fate, "persons": n} for fate, n in sorted(count.items(), key=lambda item: (-item[1], item[0]))]
    return CountTable("fates", ["fate", "persons"], rows, source, "each person's fate as the linkage reads it.")


def deaths_by_month(people: list[PersonRow], source: str) -> tuple[CountTable, dict[str, Any]]:
    """Deaths by month (a death dated only to a year, a season or a range counts in the totals, not a month), and
    the first winter's share of the deaths dated to the month or within the winter."""
    months: Counter[str] = Counter()
    dead = [person for person in people if person.fate == "died"]
    undated = coarse = winter = 0
    for person in dead:
        month = month_of(person.death)
        if month is not None:
            months[month] += 1
        elif person.death is None:
            undated += 1
        else:
            coarse += 1
        if person.death is not None and FIRST_WINTER[0] <= person.death.earliest \
                and person.death.latest <= FIRST_WINTER[1]:
            winter += 1
    rows = [{"month": month, "died": months[month]} for month in sorted(months)]
    in_winter_coarse = winter - sum(n for m, n in months.items() if "1945-11" <= m <= "1946-03")
    dated = sum(months.values()) + in_winter_coarse
    table = CountTable("deaths_by_month", ["month", "died"], rows, source,
                       "persons who died, by the month of their death date; deaths dated only to a year, a season "
                       "or a longer range, and deaths without a date, are in the totals.",
                       totals={"died": len(dead), "dated_to_the_month": sum(months.values()),
                               "dated_less_precisely": coarse, "undated": undated})
    first = {"from": FIRST_WINTER[0].isoformat()[:7], "to": FIRST_WINTER[1].isoformat()[:7], "died": winter,
             "of_dated": dated, "share": round(winter / dated, 4) if dated else None, "source": source,
             "published": "deaths first winter share"}  # the estimates.tsv row it stands beside
    return table, first


def year_table(people: list[PersonRow], manifests: dict[int, PartialDate | None], source: str) -> CountTable:
    """Per year: persons recorded in a camp, deaths, and repatriations (each person's earliest manifest)."""
    held: Counter[int] = Counter()
    died: Counter[int] = Counter()
    home: Counter[int] = Counter()
    for person in people:
        held.update({when.year for _, when in person.stays if when is not None and when.year is not None})
        if person.fate == "died" and person.death is not None and person.death.year is not None:
            died[person.death.year] += 1
    for when in manifests.values():
        if when is not None and when.year is not None:
            home[when.year] += 1
    rows = [{"year": year, "held": held[year], "died": died[year], "repatriated": home[year]}
            for year in sorted(set(held) | set(died) | set(home))]
    return CountTable("by_year", ["year", "held", "died", "repatriated"], rows, source,
                      "held: persons whose cards place them in a camp that year; died: deaths dated to that year; "
                      "repatriated: persons whose earliest repatriation manifest is dated that year.")


def repatriation_table(manifests: dict[int, PartialDate | None], source: str) -> CountTable:
    """Repatriations by year from the store's manifests beside the published numbers released."""
    home = Counter(when.year for when in manifests.values() if when is not None and when.year is not None)
    published = {row.year: row for row in repatriation_by_year()}
    rows = []
    for year in sorted(set(home) | set(published)):
        row = published.get(year)
        rows.append({"year": year, "manifests": home.get(year, 0), "released": row.released if row else None,
                     "note": row.note if row else None, "source": row.source if row else None})
    return CountTable("repatriation_by_year", ["year", "manifests", "released", "note", "source"], rows,
                      f"manifests: {source}; released, note, source: {reference_source(REPATRIATION_FILE)}",
                      "manifests: persons of this store whose earliest repatriation manifest is dated that year; "
                      "released: the published number for the whole internment, with its source.")
