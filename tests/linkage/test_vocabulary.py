import pytest

from kartoteka.linkage.vocabulary import prefecture_code, rank_code, unit_number


@pytest.mark.parametrize(("text", "code"), [
    ("広島県", 34), ("廣島縣", 34), ("Хиросима", 34), ("преф. Хиросима", 34), ("Hiroshima-ken", 34),
    ("Симанэ", 32), ("Шимане", 32), ("Токио-то", 13), ("Tōkyō", 13), ("Хёго", 28), ("Хиого", 28),
    ("Кумамото", 43), ("Гифу", 21), ("Кагошима", 46), ("Ямагучи", 35), ("北海道", 1), ("Сидзуока", 22),
])
def test_prefecture_spellings_in_every_script_meet_on_one_code(text, code):
    assert prefecture_code(text) == code


@pytest.mark.parametrize("text", [None, "", "   ", "xyz", "Москва"])
def test_unknown_or_blank_prefecture_is_none(text):
    assert prefecture_code(text) is None


def test_ranks_in_russian_and_kanji_share_ordinal_and_class():
    assert rank_code("上等兵") == rank_code("ефрейтор") == (3, "soldier")
    assert rank_code("ст. лейтенант") == rank_code("中尉")
    assert rank_code("лейтенант") == rank_code("少尉")
    assert rank_code("軍曹")[1] == "nco"
    assert rank_code(None) == (None, None)


def test_unit_numbers_from_arabic_and_kanji_numerals():
    assert unit_number("第百七師団") == unit_number("107 пд") == "107"
    assert unit_number("第二十三連隊") == "23"
    assert unit_number("пехота") is None
