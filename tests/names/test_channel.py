"""The clerk-error channel: every pattern, the profiles, the two stages, determinism."""

import random
from dataclasses import fields, replace

import pytest

from kartoteka.names.channel import (
    PATTERNS,
    PROFILES,
    ClerkErrorRates,
    cyrillic_to_katakana_mechanical,
    ministry_katakana_from_cyrillic,
    misread_options,
    mora_renderings,
    write_cyrillic_by_ear,
)
from kartoteka.names.kana import kana_to_cyrillic

_OFF = ClerkErrorRates(**{f.name: 0.0 for f in fields(ClerkErrorRates)})


def _only(pattern: str) -> ClerkErrorRates:
    return replace(_OFF, **{pattern: 1.0})


# pattern -> (kana, what a clerk who always makes this slip writes)
EXAMPLES = {
    "sh_for_s": ("ハシモト", "Хашимото"),
    "ch_for_t": ("キュウイチ", "Кюичи"),
    "dzh_for_dz": ("ケンジ", "Кэнджи"),
    "zh_for_dz": ("ジョウジ", "Жожи"),
    "z_for_dz": ("スズキ", "Сузуки"),
    "e_for_eh": ("イケダ", "Икеда"),
    "jo_for_yo": ("ヨナイ", "Йонаи"),
    "e_for_yo": ("マサヨシ", "Масаеси"),
    "io_for_yo": ("ヨシロウ", "Иосиро"),
    "fu_as_hu": ("フジ", "Худзи"),
    "h_as_g": ("ヒロ", "Гиро"),
    "ts_for_ts": ("ツダ", "Тсуда"),
    "long_vowel_doubled": ("オトゾウ", "Отодзоо"),
    "long_vowel_io": ("トウジョウ", "Тодзио"),
    "long_vowel_spelled": ("イトウ", "Итоу"),
    "ei_as_e": ("ヘイタロウ", "Хэтаро"),
    "ei_as_ei": ("ケイゾウ", "Кэидзо"),
    "hatsuon_no_m": ("ジュンペイ", "Дзюнпэй"),
    "hard_sign_missing": ("ケンイチ", "Кэнити"),
    "diphthong_i_swapped": ("コイソ", "Койсо"),
    "ii_collapsed": ("ニイガタ", "Нигата"),
    "sokuon_dropped": ("ハットリ", "Хатори"),
    "voicing_lost": ("アクタガワ", "Акутакава"),
    "voicing_added": ("カトウ", "Гадо"),
    "final_vowel_changed": ("ヤマダ", "Ямадо"),
    "vowel_dropped": ("ヤマモト", "Яммто"),
    "devoiced_vowel_dropped": ("イシカワ", "Искава"),
}


def test_every_rate_has_an_example_and_every_pattern_a_rate():
    rate_names = {f.name for f in fields(ClerkErrorRates)} - {"copy_misread", "ministry_misread"}
    assert {p.name for p in PATTERNS} == rate_names == set(EXAMPLES)


@pytest.mark.parametrize("pattern", sorted(EXAMPLES))
def test_each_pattern_writes_its_deviation(pattern):
    kana, expected = EXAMPLES[pattern]
    written = write_cyrillic_by_ear(kana, random.Random(0), _only(pattern))
    assert written == expected
    standard = kana_to_cyrillic(kana).capitalize()
    assert write_cyrillic_by_ear(kana, random.Random(0), _OFF) == standard != written


@pytest.mark.parametrize("pattern", sorted(EXAMPLES))
def test_decoder_view_gives_the_deviation_its_rate(pattern):
    """mora_renderings (what the decoder scores) offers the same deviation with the pattern's name."""
    kana, _ = EXAMPLES[pattern]
    from kartoteka.names.kana import split_morae

    morae = split_morae(kana)
    rates = replace(_OFF, **{pattern: 0.25})
    named = [
        names
        for i, mora in enumerate(morae)
        for _, _, names in mora_renderings(
            morae[i - 1] if i else None, mora, morae[i + 1] if i + 1 < len(morae) else None, rates
        )
    ]
    assert any(pattern in names for names in named)


def test_renderings_are_a_distribution():
    from kartoteka.names.kana import split_morae

    morae = split_morae("ジョウ")
    options = mora_renderings(None, morae[0], morae[1], PROFILES["harsh"])
    assert abs(sum(p for _, p, _ in options) - 1.0) < 0.02  # mass beyond two patterns is left out
    assert options[0][0] == "дзё"


def test_profiles_are_ordered_by_severity():
    clean, real, harsh = (PROFILES[p] for p in ("clean", "realistic", "harsh"))
    for f in fields(ClerkErrorRates):
        assert getattr(clean, f.name) <= getattr(real, f.name) <= getattr(harsh, f.name), f.name
    assert clean.voicing_lost == 0.0


def test_channel_is_deterministic_for_a_seed():
    names = ["トウジョウ ヒデキ", "トミタカ ヘイジュウロウ", "コウチ カメキチ"] * 5
    run = [write_cyrillic_by_ear(n, random.Random(7), PROFILES["harsh"]) for n in names]
    again = [write_cyrillic_by_ear(n, random.Random(7), PROFILES["harsh"]) for n in names]
    assert run == again


def test_realistic_profile_mostly_keeps_the_name_recognisable():
    rng = random.Random(3)
    written = [write_cyrillic_by_ear("ヤマモト イソロク", rng, PROFILES["realistic"]) for _ in range(300)]
    assert written.count("Ямамото Исороку") > 150
    assert len(set(written)) > 3


@pytest.mark.parametrize(
    ("cyrillic", "katakana"),
    [
        ("Коти Камэкити", "コチ・カメキチ"),
        ("Кашонити", "カショニチ"),  # 亀吉 after м->ш, э->о, к->н misreadings
        ("Хаттори", "ハットリ"),
        ("Отозоо", "オトゾー"),
        ("Йонаи", "ヨナイ"),
        ("Намбу", "ナンブ"),
        ("Дзюнъитиро", "ジュンイチロ"),
    ],
)
def test_ministry_mechanical_transcription(cyrillic, katakana):
    assert cyrillic_to_katakana_mechanical(cyrillic) == katakana


def test_cursive_confusions():
    assert set(misread_options("м")) == {"ш", "т", "и", "л"}
    assert misread_options("к") == ("н",)
    assert "о" in misread_options("е")


def test_ministry_misreads_at_its_rate():
    rng = random.Random(11)
    rates = replace(_OFF, ministry_misread=1.0)
    assert ministry_katakana_from_cyrillic("Кокэ", rng, rates) != "ココ"
    assert ministry_katakana_from_cyrillic("Кокэ", random.Random(1), _OFF) == "コケ"


@pytest.mark.parametrize("kana", ["シ", "ジョ", "ケ", "チュ", "フ"])
def test_sampler_and_decoder_view_are_one_distribution(kana):
    """What write_cyrillic_by_ear samples matches mora_renderings' probabilities (one description)."""
    from collections import Counter

    from kartoteka.names.kana import split_morae

    rates = replace(PROFILES["harsh"], copy_misread=0.0)
    rng = random.Random(5)
    draws = 6000
    seen = Counter(write_cyrillic_by_ear(kana, rng, rates).lower() for _ in range(draws))
    (mora,) = split_morae(kana)
    expected = {text: p for text, p, _ in mora_renderings(None, mora, None, rates, max_patterns=3)}
    for text, p in expected.items():
        if p > 0.02:
            assert abs(seen[text] / draws - p) < 0.025, (text, seen[text] / draws, p)
