"""Kanji names to katakana, the real-name priors and tables, and old → new kanji forms."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.core.errors import KartotekaError
from kartoteka.names import kanji as K


def top(kanji: str, part: K.Part) -> str:
    return K.kanji_readings(kanji, part)[0][0]


@pytest.mark.parametrize(
    ("kanji", "part", "kana"),
    [
        ("東海林", "surname", "ショウジ"),
        ("五十六", "given", "イソロク"),
        ("冨高", "surname", "トミタカ"),
        ("平十郎", "given", "ヘイジュウロウ"),
        ("幸地", "surname", "コウチ"),
        ("亀吉", "given", "カメキチ"),
        ("佐藤", "surname", "サトウ"),
        ("東條", "surname", "トウジョウ"),
        ("英機", "given", "ヒデキ"),
        ("清", "given", "キヨシ"),
    ],
)
def test_known_names_read_as_their_bearers_read_them(kanji: str, part: K.Part, kana: str) -> None:
    assert top(kanji, part) == kana


def test_surname_and_given_tables_are_separate() -> None:
    # 東海林 is a surname: ショウジ first, トウカイリン only as a rare alternative
    readings = dict(K.kanji_readings("東海林", "surname", limit=10))
    assert readings["ショウジ"] > 10 * readings.get("トウカイリン", 0.0)
    assert K.kanji_readings("実", "given")[0][0] == "ミノル"


def test_probabilities_are_ranked_and_sum_to_at_most_one() -> None:
    readings = K.kanji_readings("山本", "surname", limit=10)
    probabilities = [p for _, p in readings]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.99 < sum(probabilities) <= 1.0 + 1e-9


def test_old_kanji_forms_read_like_new_ones() -> None:
    assert top("齋藤", "surname") == "サイトウ"
    assert top("濱田", "surname") == "ハマダ"
    assert top("澤田", "surname") == top("沢田", "surname")


@pytest.mark.parametrize("text", ["鬼怒谷", "冨髙", "勘解由小路", "嵜濵", "山本五十六"])
def test_unknown_spellings_still_get_a_reading(text: str) -> None:
    readings = K.kanji_readings(text, "surname")
    assert readings and all(kana and 0 < p <= 1 for kana, p in readings)
    assert all(c >= "\u30a1" for kana, _ in readings for c in kana)  # katakana only


def test_kana_passes_through_as_katakana() -> None:
    assert K.kanji_readings("さくら", "given") == [("サクラ", 1.0)]


def test_text_without_letters_has_no_reading() -> None:
    assert K.kanji_readings("  ・ ", "surname") == []


def test_unknown_part_or_bad_limit_is_a_clear_error() -> None:
    with pytest.raises(KartotekaError) as err:
        K.kanji_readings("山本", "middle")  # type: ignore[arg-type]
    assert err.value.code == "names.part"
    with pytest.raises(KartotekaError) as err:
        K.kanji_readings("山本", "surname", limit=0)
    assert err.value.code == "names.limit"


@pytest.mark.parametrize(
    ("text", "surname", "given", "kana"),
    [
        ("山本五十六", "山本", "五十六", ("ヤマモト", "イソロク")),
        ("冨高平十郎", "冨高", "平十郎", ("トミタカ", "ヘイジュウロウ")),
        ("幸地亀吉", "幸地", "亀吉", ("コウチ", "カメキチ")),
        ("東海林 太郎", "東海林", "太郎", ("ショウジ", "タロウ")),
        ("佐藤・一郎", "佐藤", "一郎", ("サトウ", "イチロウ")),
    ],
)
def test_full_names_split_into_surname_and_given(text, surname, given, kana) -> None:
    best = K.full_name_readings(text)[0]
    assert (best.surname, best.given) == (surname, given)
    assert (best.surname_kana, best.given_kana) == kana


def test_priors_are_probability_distributions_from_real_names() -> None:
    for prior in (K.surname_prior(), K.given_prior(), K.given_prior("m"), K.given_prior("f")):
        assert math.isclose(sum(prior.values()), 1.0, rel_tol=1e-6)
    surnames = K.surname_prior()
    assert surnames["サトウ"] > surnames["ショウジ"] > 0
    assert K.given_prior("m").get("ヒロシ", 0) > K.given_prior("m").get("ヨウコ", 0)
    assert K.given_prior("f").get("ヨウコ", 0) > K.given_prior("f").get("ヒロシ", 0)
    assert K.is_known_surname_reading("ヤマモト") and not K.is_known_surname_reading("ヲヲヲヲ")
    assert K.is_known_given_reading("イソロク")


def test_name_tables_give_real_names_with_weights_and_sex() -> None:
    tables = K.name_tables()
    assert len(tables.surnames) > 50_000 and len(tables.given) > 50_000
    assert math.isclose(sum(tables.surnames.weight), 1.0, rel_tol=1e-3)
    commonest = max(range(len(tables.surnames)), key=tables.surnames.weight.__getitem__)
    assert (tables.surnames.kanji[commonest], tables.surnames.katakana[commonest]) == ("佐藤", "サトウ")
    assert set(tables.given.sex) == {"m", "f", "u"}
    rows = dict(((k, r), s) for k, r, _w, s in tables.given.entries())
    assert rows[("五十六", "イソロク")] == "m"
    assert rows[("洋子", "ヨウコ")] == "f"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("濱", "浜"),
        ("淺", "浅"),
        ("彌", "弥"),
        ("靜", "静"),
        ("澤", "沢"),
        ("邊", "辺"),
        ("齋", "斎"),
        ("國", "国"),
        ("廣", "広"),
        ("學", "学"),
        ("壽", "寿"),
        ("藏", "蔵"),
        ("與", "与"),
        ("髙", "高"),
        ("﨑", "崎"),
    ],
)
def test_old_kanji_forms_become_new(old: str, new: str) -> None:
    assert K.old_to_new_kanji(old) == new
    assert old in K.new_to_old_variants(new) or K.old_to_new_kanji(old) == new


def test_kyujitai_table_is_complete_enough_and_one_way() -> None:
    table = K.kyujitai_table()
    assert len(table) >= 350
    assert not set(table) & set(table.values())  # no new form is itself rewritten
    assert K.old_to_new_kanji("渡邊齋藏") == "渡辺斎蔵"


@pytest.mark.parametrize(
    ("variant", "standard"), [("冨", "富"), ("嶋", "島"), ("邉", "辺"), ("濵", "浜"), ("峯", "峰")]
)
def test_name_variant_characters_fold_to_their_standard_form(variant: str, standard: str) -> None:
    assert K.fold_kanji_variants(variant) == standard
    assert K.old_to_new_kanji(variant) == variant  # not an old form: only the folding changes it
    assert variant in K.new_to_old_variants(standard)


def test_variant_spellings_read_like_standard_ones() -> None:
    assert top("渡邉", "surname") == "ワタナベ"
    assert K.kanji_readings("嶋田", "surname")[0][0] == "シマダ"


@settings(deadline=None, max_examples=200)
@given(
    st.text(
        alphabet=st.sampled_from(sorted(K.kyujitai_table().values()) + list("山田太郎富島辺")), max_size=6
    )
)
def test_new_forms_round_trip_through_their_old_variants(text: str) -> None:
    variants = K.new_to_old_variants(text)
    assert variants[0] == text
    assert all(K.fold_kanji_variants(v) == K.fold_kanji_variants(text) for v in variants)
    assert K.old_to_new_kanji(K.old_to_new_kanji(text)) == K.old_to_new_kanji(text)


@settings(deadline=None, max_examples=100)
@given(st.text(max_size=40))
def test_any_text_gives_bounded_readings_without_crashing(text: str) -> None:
    for part in K.PARTS:
        readings = K.kanji_readings(text, part)
        assert len(readings) <= 5
        assert all(0 <= p <= 1 + 1e-9 for _, p in readings)
    assert all(r.probability <= 1 + 1e-9 for r in K.full_name_readings(text))


def test_a_missing_bundle_file_is_a_clear_error() -> None:
    with pytest.raises(KartotekaError) as err:
        K._read_tsv("no_such_table.tsv.gz")
    assert err.value.code == "names.data_missing"
    assert "rebuild-name-data" in err.value.hint


def test_readings_need_no_build_time_dictionary() -> None:
    import sys

    K.kanji_readings("東海林", "surname")
    K.full_name_readings("勘解由小路資承")
    assert "jamdict" not in sys.modules and "jamdict_data" not in sys.modules


@pytest.mark.parametrize(
    ("text", "part", "expected"),
    [("北鬼沢", "surname", {"キタオニザワ", "キタオニサワ"}), ("正吉郎", "given", {"マサキチロウ"})],
)
def test_unknown_spellings_are_read_by_how_names_read_each_character(text, part, expected) -> None:
    assert not K.is_known_spelling(text, part)
    assert expected & {kana for kana, _ in K.kanji_readings(text, part)}


def test_full_names_in_kana_split_by_the_reading_priors() -> None:
    best = K.full_name_readings("やまだたろう")[0]
    assert (best.surname_kana, best.given_kana) == ("ヤマダ", "タロウ")


def test_full_names_keep_their_old_forms_in_the_split_but_read_as_new() -> None:
    best = K.full_name_readings("澁澤榮一")[0]
    assert (best.surname, best.given) == ("澁澤", "榮一")
    assert (best.surname_kana, best.given_kana) == ("シブサワ", "エイイチ")


def test_a_single_character_full_name_is_a_surname_alone() -> None:
    best = K.full_name_readings("山")[0]
    assert (best.surname, best.given, best.given_kana) == ("山", "", "")


def test_the_declared_public_surface_exists() -> None:
    assert all(hasattr(K, name) for name in K.__all__)
    assert {"kanji_readings", "surname_prior", "given_prior", "name_tables", "old_to_new_kanji"} <= set(
        K.__all__
    )


def test_changing_a_returned_list_does_not_change_the_next_answer() -> None:
    first = K.kanji_readings("東海林", "surname")
    first.clear()
    assert K.kanji_readings("東海林", "surname")[0][0] == "ショウジ"


def test_the_bundled_name_data_stays_small() -> None:
    from importlib import resources

    data = resources.files("kartoteka.names") / "data"
    total = sum(f.stat().st_size for f in Path(str(data)).iterdir() if f.is_file())
    assert total < 15 * 2**20


@pytest.mark.parametrize(
    ("text", "part", "kana"),
    [
        ("五郎", "given", "ゴロウ"),
        ("一郎", "given", "イチロウ"),
        ("菊池", "surname", "キクチ"),
        ("芥川", "surname", "アクタガワ"),
    ],
)
def test_a_segmented_reading_is_ranked_by_how_common_it_is_as_a_name(monkeypatch, text, part, kana) -> None:
    # read as if the tables did not know the spelling; the reading prior (without this spelling's share) decides
    assert K._segmented_readings(text, part, 5, whole=False)[0][0] == kana
    monkeypatch.setattr(K, "_PRIOR_WEIGHT", 0.0)
    assert K._segmented_readings(text, part, 5, whole=False)[0][0] != kana


def test_the_last_character_of_a_given_name_is_read_as_names_end() -> None:
    inside, last = (dict(K._piece_readings("一", "given", False, end)) for end in (False, True))
    assert inside != last
    assert not any(position == "f" for _char, position in K._char_model("surname"))


def test_kanji_readings_from_many_threads_at_once():
    """The web server reads names on a pool of threads; Sudachi's tokenizer refused a second caller ("Tokenizer
    is already in use") and every concurrent kanji search answered 500. Many threads, uncached spellings."""
    from concurrent.futures import ThreadPoolExecutor

    from kartoteka.names import kanji

    texts = [f"{a}{b}" for a in "山川田中村木林森本松" for b in "崎沢野原島井口谷岡部"]
    kanji._sudachi()  # loaded once before the threads start: the race is in the use, not the load

    def read(text: str) -> list[tuple[str, float]]:
        return kanji._sudachi_name_readings(text, "surname") + kanji._sudachi_name_readings(text + "夫", "given")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(read, texts * 4))
    assert len(results) == len(texts) * 4
    assert results[: len(texts)] == results[len(texts): 2 * len(texts)]  # the same answer whichever thread asked
