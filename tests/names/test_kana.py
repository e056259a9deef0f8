"""Kana conversions: the Polivanov table and rules (polivanov.tsv), Hepburn both ways."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kartoteka.names.kana import (
    fold_long_vowels,
    hiragana_to_katakana,
    kana_to_cyrillic,
    kana_to_romaji,
    katakana_to_hiragana,
    romaji_to_kana,
    split_morae,
)


@pytest.mark.parametrize(
    ("kana", "cyrillic"),
    [
        ("ほんだ", "хонда"),  # ん default -> н
        ("なんぶ", "намбу"),  # ん before m/b/p -> м
        ("じゅんぺい", "дзюмпэй"),
        ("じゅんいちろう", "дзюнъитиро"),  # ん before a vowel -> нъ
        ("じゅんや", "дзюнъя"),  # ... and before y
        ("はっとり", "хаттори"),  # っ doubles the consonant
        ("ほっかいどう", "хоккайдо"),
        ("まっちゃ", "маття"),  # っち -> тт
        ("みっつ", "митцу"),  # っつ -> тц
        ("とうじょう", "тодзё"),  # long vowels unmarked
        ("いとう", "ито"),
        ("おおひら", "охира"),
        ("はにゅう", "ханю"),
        ("せいしろう", "сэйсиро"),  # えい -> эй
        ("さいとう", "сайто"),  # あい inside a word -> ай
        ("かわい", "каваи"),  # final -и
        ("こいずみ", "коидзуми"),  # おい -> ои
        ("にいがた", "ниигата"),  # いい stays ии
        ("しまづ", "симадзу"),  # ぢ/づ merge with じ/ず
        ("ちょうしゅう", "тёсю"),
        ("ふじ", "фудзи"),
        ("よしだ", "ёсида"),
        ("わたなべ", "ватанабэ"),
    ],
)
def test_polivanov_rules(kana, cyrillic):
    assert kana_to_cyrillic(kana) == cyrillic


def test_hiragana_katakana_round_trip():
    assert hiragana_to_katakana("とうじょう ひでき") == "トウジョウ ヒデキ"
    assert katakana_to_hiragana("トウジョウ") == "とうじょう"


@pytest.mark.parametrize(
    ("kana", "macron", "ou", "none"),
    [
        ("とうじょう", "tōjō", "toujou", "tojo"),
        ("おおの", "ōno", "oono", "ono"),
        ("ゆうき", "yūki", "yuuki", "yuki"),
        ("けんいち", "ken'ichi", "ken'ichi", "ken'ichi"),
        ("はっとり", "hattori", "hattori", "hattori"),
        ("まっちゃ", "matcha", "matcha", "matcha"),
        ("サトー", "satō", "satoo", "sato"),
    ],
)
def test_hepburn_long_vowel_styles(kana, macron, ou, none):
    assert kana_to_romaji(kana) == macron
    assert kana_to_romaji(kana, "ou") == ou
    assert kana_to_romaji(kana, "none") == none


@pytest.mark.parametrize(
    ("romaji", "kana"),
    [
        ("Tōjō", "トウジョウ"),
        ("Toujou", "トウジョウ"),
        ("Itoh", "イトウ"),
        ("Oono", "オオノ"),
        ("Satô", "サトウ"),
        ("Ken'ichi", "ケンイチ"),
        ("Namba", "ナンバ"),
        ("Hattori", "ハットリ"),
        ("Sizuoka", "シズオカ"),  # Kunrei
        ("Tyosyu", "チョシュ"),
        ("Hukuda", "フクダ"),
        ("Shinzo Abe", "シンゾ アベ"),
    ],
)
def test_romaji_to_kana_accepts_hepburn_kunrei_and_english(romaji, kana):
    assert romaji_to_kana(romaji) == kana


def test_digraphs_stay_one_mora():
    assert [m.kana for m in split_morae("きょうこ")] == ["キョ", "ウ", "コ"]


def test_fold_long_vowels():
    assert fold_long_vowels("トウジョウ") == "トジョ"
    assert fold_long_vowels("サトー") == "サト"
    assert fold_long_vowels("セイジ") == "セイジ"  # えい is not folded


_SAFE_MORAE = [
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ",
    "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ヤ",
    "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ガ", "ギ", "グ", "ゲ", "ゴ", "ザ", "ジ", "ズ", "ゼ", "ゾ",
    "ダ", "デ", "ド", "バ", "ビ", "ブ", "ベ", "ボ", "パ", "ピ", "プ", "ペ", "ポ", "キャ", "キュ", "キョ",
    "シャ", "シュ", "ショ", "チャ", "チュ", "チョ", "ジャ", "ジュ", "ジョ", "リョ", "ン", "ッカ", "ッタ",
]  # fmt: skip


@settings(deadline=None, max_examples=200)
@given(st.lists(st.sampled_from(_SAFE_MORAE), min_size=1, max_size=8))
def test_kana_romaji_kana_round_trip(morae):
    kana = "".join(morae)
    assert romaji_to_kana(kana_to_romaji(kana, "ou")) == kana
