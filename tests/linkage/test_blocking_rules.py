"""What the prediction blocking rules pair, run as the SQL Splink runs them (DuckDB), on records made for it.

Each case is two records; a pair is "blocked" when any rule joins them (the exploded rules by any reading in the
sets, as Splink unnests them)."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pytest

from kartoteka.linkage.features import FEATURE_COLUMNS
from kartoteka.linkage.model import GARBLED_NAME_SIMILARITY, YEAR_WINDOW, prediction_blocking_rules


def _record(uid: int, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {name: None for name in FEATURE_COLUMNS}
    base |= {"unique_id": uid, "kind": "card", "side": "soviet",
             "sn_r1": "satou", "sn_fold": "sato", "sn_vkey": "sato", "sn_key": "st", "sn_key2": "st",
             "sn_set": ["sato"],
             "gn_r1": "hiroshi", "gn_fold": "hirosi", "gn_vkey": "hirosi", "gn_key": "hrs", "gn_key2": "hrs",
             "gn_set": ["hirosi"],
             "birth_year": 1920, "pref": 13, "unit": "88", "regiment": "37", "rank_ord": 1, "rank_class": "soldier"}
    return base | values


def _blocked(left: dict[str, Any], right: dict[str, Any]) -> bool:
    con = duckdb.connect()
    con.register("records", pd.DataFrame([left, right]))
    for rule in prediction_blocking_rules("duckdb"):
        table = "records"
        for column in rule.get("arrays_to_explode", []):
            table = f"(SELECT * REPLACE (unnest({column}) AS {column}) FROM {table})"
        found = con.execute(f"SELECT count(*) FROM {table} AS l JOIN {table} AS r "
                            f"ON ({rule['blocking_rule']}) AND l.unique_id < r.unique_id").fetchone()[0]
        if found:
            return True
    return False


@pytest.mark.parametrize(("years", "blocked"), [
    ((1920, 1920), True),
    ((1920, 1920 + YEAR_WINDOW), True),  # one misread last digit
    ((1920, 1920 + YEAR_WINDOW + 1), False),
    ((1920, 1950), False),
    ((1920, None), True),  # a blank year is no reason to keep them apart
])
def test_the_same_names_are_paired_within_the_birth_year_window(years, blocked):
    # Different prefecture and unit, so only the name rules can join them.
    left = _record(1, birth_year=years[0])
    right = _record(2, birth_year=years[1], pref=27, unit="112", regiment="205")
    assert _blocked(left, right) is blocked


def _garbled(uid: int, surname: str, given: str) -> dict[str, Any]:
    return _record(uid, sn_r1=surname, sn_fold=surname, sn_vkey=surname, sn_key=surname[:3], sn_key2=surname[:3],
                   sn_set=[surname], gn_r1=given, gn_fold=given, gn_vkey=given, gn_key=given[:3],
                   gn_key2=given[:3], gn_set=[given])


def test_garbled_names_in_one_regiment_are_paired_only_while_one_name_sounds_alike():
    # The same year, prefecture, division, regiment and rank; names that share no key.
    card = _garbled(1, "kawakami", "tsutomu")
    like_it = _garbled(2, "kawakani", "zutomo")  # the surname still alike (Jaro-Winkler about 0.95)
    unlike = _garbled(3, "ebisu", "rokuro")
    similarity = duckdb.connect().execute("SELECT jaro_winkler_similarity('kawakami', 'kawakani')").fetchone()[0]
    assert similarity >= GARBLED_NAME_SIMILARITY
    assert _blocked(card, like_it)
    assert not _blocked(card, unlike)


def test_a_kanji_name_read_another_way_is_paired_through_its_reading_set():
    roster = _record(1, kind="jp_roster", side="japanese", gn_r1="kiyomitsu", gn_fold="kiyomitu",
                     gn_vkey="kiyomitu", gn_key="kymt", gn_key2="kmt", gn_set=["kiyomitu", "seiko"],
                     pref=None, unit=None, regiment=None)
    card = _record(2, gn_r1="seikou", gn_fold="seiko", gn_vkey="seiko", gn_key="sk", gn_key2="sk",
                   gn_set=["seiko"], pref=27, unit="112", regiment="205")
    assert _blocked(roster, card)
    # One name exact and the other through its set: the same birth year; both through their sets: a year apart
    assert _blocked(roster, card | {"birth_year": 1921})
    assert not _blocked(roster, card | {"birth_year": 1922})


@pytest.mark.parametrize(("roster_year", "blocked"), [(None, True), (1920, True), (1921, True), (1922, False)])
def test_a_kanji_name_read_another_way_in_both_parts_is_paired_through_both_reading_sets(roster_year, blocked):
    # 山内 尚仁 read Yamauchi Naohito first; the clerk heard Яманоти Наото. No first reading, key or literal reading
    # agrees, and the roster has neither division nor prefecture: only the two reading sets and the year join them.
    roster = _record(1, kind="jp_roster", side="japanese", birth_year=roster_year,
                     sn_r1="yamauchi", sn_fold="yamauti", sn_vkey="yamauti", sn_key="ymt", sn_key2="ymt",
                     sn_set=["yamauti", "yamanoti"],
                     gn_r1="naohito", gn_fold="naohito", gn_vkey="naohito", gn_key="nht", gn_key2="nht",
                     gn_set=["naohito", "naoto"], pref=None, unit=None, regiment=None)
    card = _record(2, sn_r1="yamanochi", sn_fold="yamanoti", sn_vkey="yamanoti", sn_key="ymnt", sn_key2="ymnt",
                   sn_set=["yamanoti"], gn_r1="naoto", gn_fold="naoto", gn_vkey="naoto", gn_key="nt", gn_key2="nt",
                   gn_set=["naoto"], birth_year=1920, pref=27, unit="112", regiment="205")
    assert _blocked(roster, card) is blocked
