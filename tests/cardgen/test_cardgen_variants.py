"""cardgen's Polivanov table, and the by-ear variants and typos that really occur on its cards."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardgen import build_vocabulary, draw_cards
from cardgen.polivanov import canonical, render
from cardgen.variants import typo


@pytest.mark.parametrize(("moras", "spelling"), [
    (("sa", "i", "to", "-"), "Сайто"), (("yo", "shi", "da"), "Ёсида"), (("tsu", "chi", "ya"), "Цутия"),
    (("ke", "n", "i", "chi"), "Кэнъити"), (("ha", "Q", "to", "ri"), "Хаттори"), (("shi", "n", "bu"), "Синбу"),
    (("kyo", "-", "to"), "Кёто"), (("ji", "ro", "-"), "Дзиро"), (("fu", "ku", "za", "wa"), "Фукудзава"),
    (("sho", "-", "he", "i"), "Сёхэй"), (("e", "no", "mo", "to"), "Эномото"),
])
def test_the_table_spells_by_polivanov(moras: tuple[str, ...], spelling: str) -> None:
    assert canonical(moras) == spelling


@pytest.mark.parametrize(("moras", "point", "spelling"), [
    (("sa", "i", "to", "-"), "i_y", "Саито"), (("sa", "i", "to", "-"), "long", "Сайтоо"),
    (("yo", "shi", "da"), "si_shi", "Ёшида"), (("yo", "shi", "da"), "yo_io", "Иосида"),
    (("tsu", "chi", "ya"), "ts_c", "Тсутия"), (("tsu", "chi", "ya"), "ti_chi", "Цучия"),
    (("ke", "n", "i", "chi"), "drop_hard_sign", "Кэнити"), (("ke", "n", "i", "chi"), "e_e", "Кенъити"),
    (("ha", "Q", "to", "ri"), "drop_double", "Хатори"), (("shi", "n", "bu"), "n_m", "Симбу"),
    (("kyo", "-", "to"), "yo_io", "Киото"), (("ji", "ro", "-"), "dz_z", "Зиро"),
    (("fu", "ku", "za", "wa"), "fu_hu", "Хукудзава"),
])
def test_each_by_ear_form(moras: tuple[str, ...], point: str, spelling: str) -> None:
    assert render(moras, lambda asked: asked == point) == spelling


@given(st.text(alphabet="абвгдежзийклмнопрстуфхцчшэюя", min_size=4, max_size=12), st.integers(0, 10_000))
def test_a_typo_changes_one_place_and_keeps_the_first_letter(word: str, seed: int) -> None:
    text = word.capitalize()
    slipped = typo(text, random.Random(seed))
    assert slipped[0] == text[0]
    assert abs(len(slipped) - len(text)) <= 1
    if len(slipped) == len(text):  # a swap or a neighbour key: at most two places differ
        assert sum(a != b for a, b in zip(slipped, text, strict=True)) <= 2


# A by-ear form or a typo, as seen by comparing a card's spelling with the table's.
def _markers(written: str, table: str) -> set[str]:
    w, t = written.lower(), table.lower()
    found = set()
    checks = {
        "ши": "ш" in w, "чи": "ч" in w, "тс for ц": "тс" in w and "ц" in t and "тс" not in t,
        "з for дз": w.count("дз") < t.count("дз") and "з" in w, "е for э": "е" in w,
        "ио for ё": ("ио" in w or "йо" in w) and "ё" in t, "и for й": w.count("й") < t.count("й"),
        "long vowel doubled": bool(re.search("оо|уу|оу", w)) and not re.search("оо|уу|оу", t),
        "м for н": "мб" in w or "мп" in w, "doubling dropped": len(re.findall(r"([кстп])\1", w)) < len(
            re.findall(r"([кстп])\1", t)),
        "keyboard slip": bool(set(w) & set("ылщьъ") - set(t)), "letter dropped or doubled": abs(len(w) - len(t)) == 1,
    }
    found.update(name for name, seen in checks.items() if seen)
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_variants_really_occur(seed: int) -> None:
    rng = random.Random(seed)
    cards = draw_cards(rng, build_vocabulary(rng), 4000)
    seen: Counter[str] = Counter()
    differ = 0
    for card in cards:
        for header, table in zip(("Фамилия", "Имя", "Отчество"), card.person.canonical_names(), strict=True):
            written = card.fields[header]
            if written:
                seen.update(_markers(written, table))
                differ += written != table
    expected = {"ши", "чи", "тс for ц", "з for дз", "е for э", "ио for ё", "и for й", "long vowel doubled",
                "м for н", "doubling dropped", "keyboard slip", "letter dropped or doubled"}
    assert expected <= set(seen), f"never seen: {expected - set(seen)}"
    assert 0.2 < differ / (3 * len(cards)) < 0.6  # many spellings are not the table's, most are


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_years_places_and_namesakes_vary_as_on_real_cards(seed: int) -> None:
    rng = random.Random(seed)
    cards = draw_cards(rng, build_vocabulary(rng), 4000)
    years = Counter("blank" if not c.fields["Год рождения"] else int(c.fields["Год рождения"]) - c.person.birth_year
                    for c in cards)
    assert set(years) == {"blank", -1, 0, 1} and years[0] > 0.8 * len(cards)
    places = [c.fields["Место рождения"] for c in cards]
    assert "" in places and any(p.startswith("преф.") for p in places) and any(p.endswith("-кэн") for p in places)
    # namesakes: different men with the same surname and given name (by the table)
    persons = {c.person.person_id: c.person for c in cards}
    names = Counter(p.canonical_names()[:2] for p in persons.values())
    assert sum(n for n in names.values() if n > 1) > 10
    surnames = Counter(p.canonical_names()[0] for p in persons.values())
    assert surnames.most_common(1)[0][1] > 0.005 * len(persons)  # a Zipf head: the commonest name is common
