"""Persons from clusters: the best name in each script, birth year, prefecture, unit, rank, fate, camps, death.

Vectorized over all clusters at once (a loop per person would cost minutes at 575,000 persons).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kartoteka.linkage.json_text import json_texts
from kartoteka.linkage.vocabulary import PREFECTURES

_PREFECTURE_NAMES = {code: kanji for code, kanji, _ in PREFECTURES}
_CYRILLIC_KINDS = ("card", "personal_file", "burial")
_KANJI_KINDS = ("jp_roster", "manifest")


def _full_name(frame: pd.DataFrame) -> pd.Series:
    surname = frame["surname"].fillna("").astype(str).str.strip()
    given = frame["given_name"].fillna("").astype(str).str.strip()
    full = (surname + " " + given).str.strip()
    original = frame["name_original"].fillna("").astype(str).str.strip()
    return full.where(full != "", original).replace("", None)


def _mode(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    """The most frequent non-blank value per cluster (ties: the one seen first).

    On integer codes with numpy (a pandas groupby over two million strings took most of a second per column)."""
    codes, distinct = pd.factorize(values)
    if len(distinct) and pd.api.types.is_string_dtype(distinct.dtype):
        blank = np.flatnonzero(pd.Series(distinct).str.strip().eq("").to_numpy(dtype=bool))
        codes = np.where(np.isin(codes, blank), -1, codes)
    keep = codes >= 0
    if not keep.any():
        return pd.Series(dtype=object)
    cluster_codes, clusters = frame["cluster_code"].to_numpy()[keep], frame.attrs["clusters"]
    pair = cluster_codes.astype(np.int64) * len(distinct) + codes[keep]
    found, first, counts = np.unique(pair, return_index=True, return_counts=True)
    cluster, value = found // len(distinct), found % len(distinct)
    order = np.lexsort((first, -counts, cluster))  # per cluster: most frequent, then first seen
    best = order[np.r_[True, cluster[order][1:] != cluster[order][:-1]]]
    return pd.Series(distinct.take(value[best]), index=clusters.take(cluster[best]))


def _fate(frame: pd.DataFrame) -> pd.Series:
    died = frame["death_date"].notna() | frame["kind"].isin(["death_roster", "burial"])
    repatriated = frame["kind"].eq("manifest")
    flags = pd.DataFrame({"cluster": frame["cluster"], "died": died, "home": repatriated})
    grouped = flags.groupby("cluster").agg(died=("died", "any"), home=("home", "any"))
    fate = pd.Series("unknown", index=grouped.index, dtype=object)
    fate[grouped["home"]] = "repatriated"
    fate[grouped["died"]] = "died"
    return fate


def _camps(frame: pd.DataFrame) -> pd.Series:
    """The camps of each cluster with their dates, as JSON, in date order (each camp stay once)."""
    cards = frame[frame["camp"].notna() & frame["kind"].isin(["card", "personal_file"])]
    if cards.empty:
        return pd.Series(dtype=object)
    stays = pd.DataFrame({"cluster": cards["cluster"], "camp": cards["camp"].astype(str),
                          "lagpunkt": cards["lagpunkt"].fillna("").astype(str),
                          "when": cards["event_date"].fillna(cards["capture_date"]).fillna("").astype(str)})
    stays = stays.sort_values(["cluster", "when"], kind="stable").drop_duplicates()
    # Written exactly as json.dumps writes each stay, with each camp, lagpunkt and date written once (there are
    # a few thousand of each; a json.dumps per stay took seconds at full scale).
    parts = (json_texts(stays[name].to_numpy(dtype=object), blank_as_null=True).tolist()
             for name in ("camp", "lagpunkt", "when"))
    entries = [f'{{"camp": {camp}, "lagpunkt": {lagpunkt}, "date": {date}}}'
               for camp, lagpunkt, date in zip(*parts, strict=True)]
    clusters = stays["cluster"].to_numpy()
    starts = np.flatnonzero(np.r_[True, clusters[1:] != clusters[:-1]])  # stays are sorted by cluster
    ends = np.r_[starts[1:], len(clusters)].tolist()
    return pd.Series(["[" + ", ".join(entries[a:b]) + "]" for a, b in zip(starts.tolist(), ends, strict=True)],
                     index=clusters[starts], dtype=object)


def build_persons(records: pd.DataFrame, features: pd.DataFrame, cluster_of: pd.Series,
                  flags: dict[int, list[str]]) -> pd.DataFrame:
    """One row per cluster (index: cluster label) with the persons table's columns."""
    frame = records.assign(cluster=records["id"].map(cluster_of))
    codes, clusters = pd.factorize(frame["cluster"].to_numpy())
    frame["cluster_code"] = codes
    frame.attrs["clusters"] = clusters  # cluster_code -> cluster label, for _mode
    feats = features.set_index("unique_id")
    frame["sn_r1"] = frame["id"].map(feats["sn_r1"])
    frame["gn_r1"] = frame["id"].map(feats["gn_r1"])
    frame["pref_code"] = frame["id"].map(feats["pref"])
    names = _full_name(frame)
    script = frame["script"].fillna("")
    romaji = (frame["sn_r1"].fillna("").str.capitalize() + " " + frame["gn_r1"].fillna("").str.capitalize())
    japanese_side = ~frame["kind"].isin(_CYRILLIC_KINDS)
    out = pd.DataFrame(index=pd.Index(np.sort(pd.unique(cluster_of.to_numpy())), name="cluster"))
    out["name_cyrillic"] = _mode(frame, names.where(frame["kind"].isin(_CYRILLIC_KINDS) & (script != "kanji")))
    out["name_kana"] = _mode(frame, names.where(script.eq("katakana")))
    out["name_kanji"] = _mode(frame, names.where(frame["kind"].isin(_KANJI_KINDS) & script.isin(["kanji", "mixed"])))
    out["name_romaji"] = _mode(frame, romaji.str.strip().replace("", None))
    out["birth_year"] = _mode(frame, frame["birth_year"]).astype("Int64")
    out["prefecture"] = _mode(frame, frame["pref_code"]).map(lambda c: _PREFECTURE_NAMES.get(int(c)))
    out["unit"] = _mode(frame, frame["unit"].where(japanese_side)).fillna(_mode(frame, frame["unit"]))
    out["rank"] = _mode(frame, frame["rank"].where(japanese_side)).fillna(_mode(frame, frame["rank"]))
    out["fate"] = _fate(frame)
    deaths = frame.dropna(subset=["death_date"]).sort_values("death_date")
    out["death_date"] = deaths.drop_duplicates("cluster").set_index("cluster")["death_date"]
    out["death_place"] = _mode(frame, frame["death_place"])
    out["burial_site"] = _mode(frame, frame["burial_site"])
    out["camps_json"] = _camps(frame)
    out["record_count"] = frame.groupby("cluster").size()
    out["flags"] = pd.Series({c: "; ".join(f) for c, f in flags.items() if f}, dtype=object)
    return out.astype(object).where(out.notna(), None)
