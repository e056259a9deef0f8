"""Resolution across scripts, spellings, numbers and dates (on the hand-made store, both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kartoteka.gazetteer import service
from kartoteka.gazetteer.match import name_key, numbers_in, ru_stem
from kartoteka.gazetteer.resolver import in_use, parse_on

TAISHET = ["Тайшет", "タイシェト", "Taishet", "Tayshet", "Тайшетский лагерь № 7", "лагерь 7", "タイシェト第7地区",
           "Taishet camp No. 7", "ТАЙШЕТ", "тайшетский лагерь ГУПВИ №7", "7", "イルクーツク州 タイシェット第7収容所"]

pytestmark = pytest.mark.xdist_group("gazetteer")


@pytest.mark.parametrize("text", TAISHET)
def test_every_script_and_spelling_of_taishet_is_one_place_and_camp(hand_made, text):
    found = service.resolve(hand_made, text, dt.date(1946, 3, 1))
    assert (found.place_key, found.camp_key) == ("taishet", "taishet_7"), found.reasons
    assert found.coordinate is not None and found.coordinate.source == "geonames:1489870"
    assert 0.5 <= found.confidence <= 1


@pytest.mark.parametrize(("text", "place", "camp"), [
    ("Suchan", "partizansk", "suchan_11"), ("スーチャン", "partizansk", "suchan_11"),
    ("Партизанск", "partizansk", "suchan_11"),
    ("Voroshilov", "ussuriysk", "voroshilov_14"), ("ウォロシーロフ", "ussuriysk", "voroshilov_14"),
    ("Уссурийск", "ussuriysk", "voroshilov_14"),
    ("Iman", "dalnerechensk", "iman_16"), ("イマン", "dalnerechensk", "iman_16"),
    ("Дальнереченск", "dalnerechensk", "iman_16"),
    ("Елабужский лагерь", "elabuga", "elabuga_97"), ("Читинский", "chita", "chita_24"),
    ("Красная Заря", "krasnaya_zarya", "buryat_6"),  # no GeoNames entry: matched by its Latin reading
])
def test_historic_and_current_names_in_each_script(hand_made, text, place, camp):
    found = service.resolve(hand_made, text)
    assert (found.place_key, found.camp_key) == (place, camp), found.reasons


def test_the_date_decides_which_camp_a_number_meant(hand_made):
    # 第7地区: the Soviet camp 7 (Taishet, until 1947) or the Japanese 1947 district 7 (Posyet)
    undated = service.resolve(hand_made, "第7地区")
    assert undated.camp_id is None and len(undated.candidates) == 2
    assert any("ambiguous" in reason for reason in undated.reasons)
    after = service.resolve(hand_made, "第7地区", dt.date(1948, 5, 1))
    assert after.camp_key == "posyet_7" and after.place_key == "posyet"
    assert any("not in use on 1948-05-01" in reason for reason in after.reasons)
    # a number out of use that day resolves to nothing, and says why
    closed = service.resolve(hand_made, "лагерь № 8", dt.date(1947, 1, 1))
    assert closed.camp_id is None and "closed March 1946" in " ".join(closed.reasons)
    assert service.resolve(hand_made, "лагерь № 8", dt.date(1946, 1, 1)).camp_key == "camp_8"
    # the repatriation camp 53 moved from Hungnam to Nakhodka in April 1947
    assert service.resolve(hand_made, "лагерь 53", dt.date(1946, 12, 1)).place_key == "hungnam"
    assert service.resolve(hand_made, "лагерь 53", dt.date(1947, 12, 1)).place_key == "nakhodka"
    # 255 was the number of the Irkutsk camp before it became 32
    assert service.resolve(hand_made, "лагерь № 255").camp_key == "irkutsk_32"


def test_cemetery_and_grave_numbers_are_not_camp_numbers(hand_made):
    found = service.resolve(hand_made, "кладбище № 2, Тайшет (участок 7021)")
    assert found.camp_key == "taishet_7"
    assert any("number 2: a cemetery" in reason for reason in found.reasons)
    assert service.resolve(hand_made, "Kivda burial site No.6011").camp_key == "kivda_6011"


def test_nothing_resolved_is_said_so_never_guessed(hand_made):
    for text in ("Какой-то лагерь", "", "   ", "<script>", "Ю" * 2000, "лагерь № 999"):
        found = service.resolve(hand_made, text)
        assert found.camp_id is None and found.place_id is None and found.confidence == 0.0
    assert "no camp of the gazetteer bore the number 999" in service.resolve(hand_made, "лагерь № 999").reasons
    # a place with several camps gives the place and names the camps, choosing none
    nakhodka = service.resolve(hand_made, "Находка")
    assert nakhodka.place_key == "nakhodka" and nakhodka.camp_id is None
    assert "3 camps at Nakhodka" in " ".join(nakhodka.reasons)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_any_text_resolves_without_error_and_within_bounds(hand_made, text):
    found = service.resolve(hand_made, text)
    assert 0.0 <= found.confidence <= 1.0
    assert (found.camp_id is None) or (found.camp_key is not None)
    if found.coordinate is not None:
        assert -90 <= found.coordinate.lat <= 90 and found.coordinate.source


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_soviet_number_inside_its_dates_means_its_camp(hand_made, data):
    index = service.index_of(hand_made)
    numbers = [n for camp in index.camps.values() for n in camp.numbers if n.system == "soviet"]
    number = data.draw(st.sampled_from(numbers))
    start = parse_on(number.valid_from[:7] if number.valid_from else None) or dt.date(1945, 9, 1)
    end = parse_on(number.valid_to[:7] if number.valid_to else None) or dt.date(1956, 12, 31)
    on = data.draw(st.dates(min_value=min(start, end), max_value=max(start, end)))
    if not in_use(number.valid_from, number.valid_to, on):
        return
    form = data.draw(st.sampled_from(["лагерь № {}", "№ {}", "{}", "Лагерь {}", "第{}収容所", "camp No. {}"]))
    found = service.resolve(hand_made, form.format(number.number), on)
    assert found.camp_id == number.camp_id, (form, number, on, found.reasons)


@pytest.fixture(scope="module")
def place_names(hand_made):
    """Every (place id, name) the gazetteer holds, and which places share each name's key."""
    from sqlalchemy import select

    from kartoteka.gazetteer.tables import gazetteer_names

    service.index_of(hand_made)
    with hand_made.engine.connect() as conn:
        rows = sorted((int(p), str(n)) for p, n in conn.execute(select(gazetteer_names.c.place_id, gazetteer_names.c.name).where(
            gazetteer_names.c.place_id.is_not(None))))
    owners: dict[str, set[int]] = {}
    for place_id, name in rows:
        owners.setdefault(name_key(name), set()).add(place_id)
    return rows, owners


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_name_of_a_place_finds_that_place_in_any_case_and_spacing(hand_made, place_names, data):
    rows, owners = place_names
    _place_id, name = data.draw(st.sampled_from(rows))
    variant = data.draw(st.sampled_from([name, name.upper(), f"  {name} ", name.replace("е", "ё"), f"({name})"]))
    found = service.resolve(hand_made, variant)
    assert found.place_id in owners[name_key(name)], (variant, found.reasons)


def test_the_pure_parts():
    assert name_key("Тайшёт-Ский") == "тайшет ский"
    assert name_key("ウラジオストーク") == name_key("ウラジオストク")
    assert ru_stem("иркутский") == ru_stem("иркутск") == "иркут"
    assert [(m.number, m.counts) for m in numbers_in("Лагерь № 5 (лаготделение № 19), кладбище № 2, 1946")] == [
        ("5", "camp"), ("19", "otdelenie"), ("2", "burial")]
    assert [(m.number, m.counts) for m in numbers_in("タイシェト第7地区 第2墓地")] == [("7", "district"), ("2", "burial")]
    assert parse_on("1948") == dt.date(1948, 7, 1) and parse_on("1948-05") == dt.date(1948, 5, 15)
