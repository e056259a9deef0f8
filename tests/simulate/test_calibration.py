"""The simulated archive matches the published figures it is calibrated to (issue 4), at 20,000 persons."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import pytest

from kartoteka.core.dates import parse_partial_date
from kartoteka.simulate import tables

pytestmark = pytest.mark.xdist_group("simulate")


def test_deaths_are_about_ten_percent_and_mostly_in_the_first_winter(realistic):
    persons = list(realistic.persons.values())
    dead = [p for p in persons if p["fate"] == "died"]
    assert 0.095 <= len(dead) / len(persons) <= 0.105
    first_winter = [p for p in dead if "1945-11-01" <= p["death_date"] < "1946-04-01"]
    assert 0.70 <= len(first_winter) / len(dead) <= 0.86
    assert all(p["burial_site"] for p in dead)


def test_repatriation_by_year_follows_the_reference_table(realistic):
    years = tables.repatriation_years()
    expected = {y.year: y.released / sum(r.released for r in years) for y in years}
    returned = [p for p in realistic.persons.values() if p["fate"] == "repatriated"]
    observed = Counter(int(p["repatriation_date"][:4]) for p in returned)
    assert set(observed) == set(expected)
    for year, share in expected.items():
        assert observed[year] / len(returned) == pytest.approx(share, abs=0.003), year


def test_china_remained_and_unknown_fates(realistic):
    fates = Counter(p["fate"] for p in realistic.persons.values())
    assert fates["transferred_to_china"] == round(971 / 575_000 * len(realistic.persons))
    assert 1 <= fates["remained"] <= 20
    assert fates["unknown"] > 0
    assert set(fates) == {"died", "repatriated", "remained", "transferred_to_china", "unknown"}


def test_death_roster_lists_every_death_with_duplicates_like_the_real_one(realistic):
    roster = realistic.rows("death_roster")
    people = {realistic.truth[r["record_ref"]]["person_id"] for r in roster}
    dead = {pid for pid, p in realistic.persons.items() if p["fate"] == "died"}
    assert people == dead
    assert 1.02 <= len(roster) / len(dead) <= 1.055  # 57,000 entries for 55,000 deaths


def test_about_one_point_two_cards_per_person_one_per_camp(realistic):
    cards = realistic.rows("card")
    assert 1.1 <= len(cards) / len(realistic.persons) <= 1.3
    stays = sum(len(p["camps"].split(";")) for p in realistic.persons.values())
    assert len(cards) <= stays
    with_card = {realistic.truth[r["record_ref"]]["person_id"] for r in cards}
    with_file = {realistic.truth[r["record_ref"]]["person_id"] for r in realistic.rows("personal_file")}
    assert with_card - with_file, "some persons have a card but no personal file"
    assert 0.80 <= len(with_file) / len(realistic.persons) <= 0.95


def test_camps_come_from_the_reference_and_transfers_stay_near(realistic):
    camps = {c.key: c for c in tables.camps()}
    regions = tables.regions()
    transfers = near = 0
    for person in realistic.persons.values():
        route = person["camps"].split(";")
        assert all(key in camps for key in route)
        for here, there in pairwise(route):
            if camps[there].role != "labour":
                continue  # the officers' and generals' camps take people from anywhere
            transfers += 1
            a, b = camps[here].region, camps[there].region
            near += a == b or b in regions[a].neighbours
    assert transfers > 0.1 * len(realistic.persons)
    assert near == transfers


def test_birth_years_have_the_age_structure_of_a_1945_army(realistic):
    years = [int(p["birth_date"][:4]) for p in realistic.persons.values()]
    assert min(years) >= 1890 and max(years) <= 1928
    assert sum(1915 <= y <= 1926 for y in years) / len(years) > 0.6


def test_ranks_sexes_and_civilians(realistic):
    persons = list(realistic.persons.values())
    classes = {r.ja: r.rank_class for r in tables.ranks()}
    counted = Counter(classes.get(p["rank"], "civilian") for p in persons)
    military = len(persons) - counted["civilian"]
    assert counted["private"] / military > 0.75
    assert 0.08 < counted["nco"] / military < 0.2
    assert 0.01 < counted["officer"] / military < 0.06
    assert counted["general"] / military < 0.002
    assert 0.02 < counted["civilian"] / len(persons) < 0.06
    women = [p for p in persons if p["sex"] == "f"]
    assert women and all(p["civilian"] == "1" for p in women)


def test_prefectures_are_weighted_by_population(realistic):
    counted = Counter(p["prefecture"] for p in realistic.persons.values())
    assert counted.most_common(1)[0][0] == "東京都"
    assert len(counted) == 47


def test_names_are_written_in_the_script_of_each_source(realistic):
    cyrillic = re.compile(r"^[А-ЯЁа-яё\- ]*$")
    katakana = re.compile(r"^[\u30a0-\u30ff・]+$")
    assert all(cyrillic.match(r["Фамилия"]) and r["Фамилия"] for r in realistic.rows("card"))
    assert all(katakana.match(r["カナ氏名"]) for r in realistic.rows("death_roster"))
    kanji_names = [r["氏名"] for r in realistic.rows("jp_roster")]
    assert all(re.search(r"[\u4e00-\u9fff々]", name) for name in kanji_names)


def test_old_kanji_forms_appear_in_japanese_rosters(realistic):
    rows = realistic.rows("jp_roster")
    changed = 0
    for row in rows:
        person = realistic.person_of(row)
        written = row["氏名"].replace("\u3000", " ")
        changed += written != f"{person['kanji_surname']} {person['kanji_given']}"
    assert 0.03 < changed / len(rows) < 0.3


def test_manifests_sail_from_nakhodka_in_the_repatriation_year(realistic):
    rows = realistic.rows("manifest")
    assert {r["出港地"] for r in rows} == {"ナホトカ"}
    assert {r["帰還港"] for r in rows} <= {"舞鶴", "函館", "佐世保"}
    same_year = 0
    for row in rows:
        person = realistic.person_of(row)
        assert person["fate"] == "repatriated"
        same_year += parse_partial_date(row["入港年月日"]).earliest.year == int(person["repatriation_date"][:4])
    assert same_year / len(rows) > 0.97
    assert {r["船名"] for r in rows if realistic.person_of(r)["repatriation_date"].startswith("1956")} == {"興安丸"}


def test_burial_registers_number_graves_by_site_for_the_dead(realistic):
    rows = realistic.rows("burial")
    assert rows
    sites = Counter((r["Номер участка"]) for r in rows)
    assert len(sites) > 10
    for row in rows:
        assert realistic.person_of(row)["fate"] == "died"
        assert row["Номер могилы"].isdigit()


def test_dates_on_clean_cards_keep_their_order(small_archives):
    clean = small_archives["clean"]
    checked = 0
    for card in clean.rows("card"):
        person = clean.person_of(card)
        written = parse_partial_date(card["Дата заполнения"]) if card["Дата заполнения"] else None
        if written is None:
            continue
        assert written.latest.isoformat() >= "1945-08-09"
        if person["death_date"]:
            assert written.earliest.isoformat() <= person["death_date"]
            checked += 1
        if person["repatriation_date"]:
            assert written.earliest.isoformat() < person["repatriation_date"]
    assert checked > 50
