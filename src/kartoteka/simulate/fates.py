"""What became of each simulated person: death (and when), repatriation (ship, port, date), China, or unknown.

Fates are drawn as exact quotas (then shuffled), so the calibration holds at any size: deaths are 9.95% of
persons, 971 of 575,000 go to China, and the repatriated are split by year in proportion to
``repatriation_by_year.tsv``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from kartoteka.simulate import tables
from kartoteka.simulate.population import Population, stream

FATES = ("died", "repatriated", "remained", "transferred_to_china", "unknown")
DIED, REPATRIATED, REMAINED, CHINA, UNKNOWN = range(5)
FULL_SCALE = 575_000
DEATH_SHARE = 0.0995  # 55,000-61,855 dead of 575,000-639,776 in estimates.tsv
CHINA_SHARE = 971 / FULL_SCALE  # repatriation_by_year.tsv, 1949 note
REMAINED_SHARE = 0.0003  # "a few who stayed" (about 170 at full scale; an assumption)
UNKNOWN_SHARE = 0.02  # records that simply stop (an assumption)
NO_DATE = np.datetime64("NaT")
# Share of deaths by period (estimates.tsv: ~80% of deaths in the first winter).
DEATH_PERIODS = ((0.07, "1945-09-01", "1945-11-01"), (0.78, "1945-11-01", "1946-04-01"),
                 (0.15, "1946-04-01", "1950-01-01"))
CHINA_DATE_RANGE = ("1949-07-01", "1949-12-31")  # the table puts the 971 in 1949 (others say July 1950)


@dataclass(frozen=True)
class Voyage:
    """One repatriation ship's crossing from Nakhodka."""

    ship: str
    departure: dt.date
    arrival: dt.date
    arrival_port: str


@dataclass
class Fates:
    """Each person's fate, the date it ended his captivity, and his voyage home if any."""

    fate: np.ndarray  # index into FATES
    end: np.ndarray  # datetime64[D]: death, departure from Nakhodka, handover, or last record
    voyage: np.ndarray  # index into `voyages`, -1 if none
    voyages: tuple[Voyage, ...]

    def death_date(self, person: int) -> dt.date | None:
        """The true death date of a person, or None."""
        return self.end[person].astype(dt.date) if self.fate[person] == DIED else None


def quota(shares: list[float], total: int) -> np.ndarray:
    """Integer counts in proportion to `shares` summing to `total` (largest remainder)."""
    raw = np.asarray(shares, dtype=float) / sum(shares) * total
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]] += 1
    return counts


def sample_fates(population: Population, seed: int) -> Fates:
    """Draw everyone's fate, end date and voyage."""
    n = population.size
    fixed = [round(DEATH_SHARE * n), round(REMAINED_SHARE * n), round(CHINA_SHARE * n), round(UNKNOWN_SHARE * n)]
    years = tables.repatriation_years()
    by_year = quota([y.released for y in years], n - sum(fixed))
    labels = np.concatenate([
        np.repeat([DIED, REMAINED, CHINA, UNKNOWN], fixed),
        np.repeat(REPATRIATED, by_year.sum()),
    ])
    year_of = np.concatenate([np.full(sum(fixed), -1), np.repeat(np.arange(len(years)), by_year)])
    order = stream(seed, "fate").permutation(n)
    fate, year_index = np.empty(n, dtype=np.int8), np.empty(n, dtype=int)
    fate[order], year_index[order] = labels, year_of
    end = np.full(n, NO_DATE, dtype="datetime64[D]")
    voyage = np.full(n, -1)
    voyages = _assign_voyages(year_index, end, voyage, seed)
    _death_dates(fate, population.capture, end, seed)
    _other_end_dates(fate, end, seed)
    return Fates(fate, end, voyage, voyages)


def _uniform_dates(rng: np.random.Generator, start: str, stop: str, size: int) -> np.ndarray:
    first, last = np.datetime64(start), np.datetime64(stop)
    return first + rng.integers(0, int((last - first).astype(int)), size)


def _death_dates(fate: np.ndarray, capture: np.ndarray, end: np.ndarray, seed: int) -> None:
    rng = stream(seed, "death-date")
    dead = np.flatnonzero(fate == DIED)
    period = rng.choice(len(DEATH_PERIODS), size=dead.size, p=[p[0] for p in DEATH_PERIODS])
    dates = np.empty(dead.size, dtype="datetime64[D]")
    for k, (_share, start, stop) in enumerate(DEATH_PERIODS):
        members = np.flatnonzero(period == k)
        if k == len(DEATH_PERIODS) - 1:  # later deaths thin out year by year
            span = int((np.datetime64(stop) - np.datetime64(start)).astype(int))
            offsets = np.minimum(rng.exponential(300.0, members.size).astype(int), span - 1)
            dates[members] = np.datetime64(start) + offsets
        else:
            dates[members] = _uniform_dates(rng, start, stop, members.size)
    end[dead] = np.maximum(dates, capture[dead] + 5)


def _other_end_dates(fate: np.ndarray, end: np.ndarray, seed: int) -> None:
    rng = stream(seed, "end-date")
    for code, (start, stop) in ((CHINA, CHINA_DATE_RANGE), (REMAINED, ("1956-01-01", "1956-12-31")),
                                (UNKNOWN, ("1946-03-01", "1949-12-31"))):
        members = np.flatnonzero(fate == code)
        end[members] = _uniform_dates(rng, start, stop, members.size)


def _assign_voyages(year_index: np.ndarray, end: np.ndarray, voyage: np.ndarray, seed: int) -> tuple[Voyage, ...]:
    """Group each year's returnees into ship crossings of about 1,500 people and date them."""
    rng = stream(seed, "voyage")
    voyages: list[Voyage] = []
    for k, year in enumerate(tables.repatriation_years()):
        members = np.flatnonzero(year_index == k)
        if members.size == 0:
            continue
        count = max(1, round(members.size / 1500)) if year.year != 1956 else 1
        first = len(voyages)
        voyages.extend(_year_voyages(year, count, rng))
        chosen = first + rng.integers(0, count, members.size)
        voyage[members] = chosen
        departures = np.array([np.datetime64(v.departure) for v in voyages])
        # they left their camp for the transit camp at Nakhodka a week or three before sailing
        end[members] = departures[chosen] - rng.integers(7, 22, members.size)
    return tuple(voyages)


def _year_voyages(year: tables.RepatriationYear, count: int, rng: np.random.Generator) -> list[Voyage]:
    named = tables.named_ships().get(year.year, ())
    if year.year == 1956:  # the last group: Nakhodka 24 December -> Maizuru 26 December (estimates.tsv)
        return [Voyage(named[0] if named else "引揚船1号", dt.date(1956, 12, 24), dt.date(1956, 12, 26), "舞鶴")]
    start = dt.date(year.year, year.first_month, 1)
    stop = dt.date(year.year + (year.last_month == 12), year.last_month % 12 + 1, 1)
    days = np.sort(rng.integers(0, (stop - start).days, count))
    ports = [p for p, _ in year.ports]
    port_p = tables.normalized([w for _, w in year.ports])
    out = []
    for day in days:
        arrival = start + dt.timedelta(days=int(day))
        ship = named[0] if named and rng.random() < 0.2 else f"引揚船{int(rng.integers(1, 25))}号"
        port = ports[int(rng.choice(len(ports), p=port_p))]
        out.append(Voyage(ship, arrival - dt.timedelta(days=2 + (port != "舞鶴")), arrival, port))
    return out
