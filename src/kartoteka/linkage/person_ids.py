"""Person ids that last across runs (permalinks): a new cluster keeps the id of the previous person whose records
it mostly holds; every other cluster gets an id never used before; a retired id says where its records went.

    assign_ids(old, members, high_water) -> Assignment

- An old person's id goes to the new cluster that holds more than half of that person's records. When several
  old persons claim one cluster (a merge), the one with the most records there wins (then the larger share
  of its own records, then the older id); the others are retired.
- Fresh ids start above the high-water mark (the largest id ever given, kept in the store's meta table under
  HIGH_WATER_KEY), so a retired id is never given to someone else.
- A retired id gets a redirect per new person its records went to: "merged" when they all went to one person,
  "split" when to several. (An id whose records all left the store gets none.)

Vectorized with numpy/pandas over the old and new memberships (millions of rows at full scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HIGH_WATER_KEY = "person_id_high_water"
REDIRECT_COLUMNS = ("old_person_id", "new_person_id", "reason", "records_moved")


@dataclass(frozen=True)
class Assignment:
    ids: np.ndarray  # the person id of each slot (0 .. number of clusters - 1)
    redirects: pd.DataFrame  # REDIRECT_COLUMNS, one row per retired id and person its records went to
    high_water: int  # the largest id given so far, this run included
    kept: int  # how many old ids the new clusters kept


def assign_ids(old: pd.DataFrame, slot_of_record: pd.Series, slots: int, high_water: int) -> Assignment:
    """Ids for `slots` new clusters. `old`: the previous run's (person_id, record_id) rows; `slot_of_record`:
    record id -> the slot of its new cluster."""
    high_water = max(high_water, int(old["person_id"].max()) if len(old) else 0)
    ids = np.full(slots, -1, dtype=np.int64)
    if len(old) == 0:
        return _fresh(ids, high_water, pd.DataFrame(columns=list(REDIRECT_COLUMNS)), kept=0)
    person = old["person_id"].to_numpy(dtype=np.int64)
    slot = pd.Series(old["record_id"].to_numpy(dtype=np.int64)).map(slot_of_record).to_numpy(dtype=float)
    sizes = pd.Series(person).value_counts()
    known = ~np.isnan(slot)
    common = (pd.DataFrame({"old": person[known], "slot": slot[known].astype(np.int64)})
              .groupby(["old", "slot"], sort=False).size().rename("n").reset_index())
    common["size"] = common["old"].map(sizes).to_numpy()
    claims = common[common["n"] * 2 > common["size"]].assign(share=lambda f: f["n"] / f["size"])
    # one winner per cluster: most records, then the larger share, then the older id
    winners = claims.sort_values(["slot", "n", "share", "old"], ascending=[True, False, False, True],
                                 kind="stable").drop_duplicates("slot")
    ids[winners["slot"].to_numpy()] = winners["old"].to_numpy()
    redirect_of = common[~common["old"].isin(winners["old"])]
    assignment = _fresh(ids, high_water, pd.DataFrame(), kept=len(winners))
    moved = pd.DataFrame({"old_person_id": redirect_of["old"].to_numpy(),
                          "new_person_id": assignment.ids[redirect_of["slot"].to_numpy()],
                          "records_moved": redirect_of["n"].to_numpy()})
    moved = moved.groupby(["old_person_id", "new_person_id"], as_index=False)["records_moved"].sum()
    targets = moved.groupby("old_person_id")["new_person_id"].transform("size")
    moved["reason"] = np.where(targets.to_numpy() > 1, "split", "merged")
    return Assignment(assignment.ids, moved[list(REDIRECT_COLUMNS)], assignment.high_water, assignment.kept)


def _fresh(ids: np.ndarray, high_water: int, redirects: pd.DataFrame, kept: int) -> Assignment:
    """Fill the slots without an id with ids above the high-water mark, in slot order."""
    empty = np.flatnonzero(ids < 0)
    ids[empty] = high_water + 1 + np.arange(len(empty), dtype=np.int64)
    return Assignment(ids, redirects, high_water + len(empty), kept)
