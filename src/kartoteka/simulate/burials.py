"""Where the simulated dead were buried: a cemetery near the camp of death, a site number and a grave number.

Site numbers are SYNTHETIC (4 digits, per camp and cemetery); graves are numbered in order of death within
a site, as the registers were kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kartoteka.simulate import tables
from kartoteka.simulate.fates import DIED, Fates
from kartoteka.simulate.population import stream
from kartoteka.simulate.routes import Stays

PEOPLE_PER_CEMETERY = 10_000


@dataclass
class Burials:
    """For each person: camp of burial (-1 if none), cemetery number, site number, grave number."""

    camp: np.ndarray
    cemetery: np.ndarray
    site: np.ndarray
    grave: np.ndarray

    def site_name_ru(self, person: int) -> str:
        """The burial site as a Russian register names it: 'кладбище № 2, Тайшет (участок 7021)'."""
        camp = tables.camps()[self.camp[person]]
        return f"кладбище № {self.cemetery[person]}, {camp.town_ru} (участок {self.site[person]})"

    def site_name_ja(self, person: int) -> str:
        """The burial site as the Japanese ministry names it: 'イルクーツク州 第7収容所 第2墓地'."""
        camp = tables.camps()[self.camp[person]]
        region = tables.regions()[camp.region]
        return f"{region.name_ja} {camp.name_ja} 第{self.cemetery[person]}墓地"


def sample_burials(fates: Fates, stays: Stays, seed: int) -> Burials:
    """Bury each dead person near his last camp; number the graves by date of death."""
    n = fates.fate.size
    camp = np.full(n, -1)
    dead = np.flatnonzero(fates.fate == DIED)
    camp[dead] = stays.camp[stays.offsets[dead + 1] - 1]
    cemeteries = np.array([1 + int(c.weight // PEOPLE_PER_CEMETERY) for c in tables.camps()])
    cemetery = np.zeros(n, dtype=int)
    cemetery[dead] = 1 + (stream(seed, "cemetery").random(dead.size) * cemeteries[camp[dead]]).astype(int)
    site = np.zeros(n, dtype=int)
    site[dead] = 1000 + camp[dead] * 37 + cemetery[dead]  # synthetic, unique per (camp, cemetery)
    grave = np.zeros(n, dtype=int)
    order = dead[np.lexsort((dead, fates.end[dead], site[dead]))]
    sites_sorted = site[order]
    starts = np.flatnonzero(np.r_[True, sites_sorted[1:] != sites_sorted[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, order.size]))
    grave[order] = np.arange(order.size) - run_start + 1
    return Burials(camp, cemetery, site, grave)
