"""The shipped table of decoded spellings: current, exact, used, and refused when stale."""

from __future__ import annotations

import gzip
import itertools
from importlib import resources

from hypothesis import given
from hypothesis import strategies as st

from kartoteka.names import kanji, spellings
from kartoteka.names.channel import PROFILES
from kartoteka.names.decode import cyrillic_word_readings, decoded_word, fresh_decode
from kartoteka.names.kana import kana_to_cyrillic, kana_to_romaji
from kartoteka.names.readings import Reading, _title, make_reading


def _table_text() -> str:
    raw = (resources.files("kartoteka.names") / "data" / spellings.TABLE_FILE).read_bytes()
    return gzip.decompress(raw).decode("utf-8")


def test_the_shipped_table_was_built_for_this_decoder_and_these_priors():
    # Fails after a change to the decoder, the channel, the kana tables or the priors: run
    # `.venv/bin/python bench/build_spellings.py` to rebuild the table.
    assert spellings.is_current(), "data/decoded_spellings.tsv.gz is stale: run bench/build_spellings.py"
    sizes = spellings.table_size()
    assert sizes["surname"] > 50_000 and sizes["given"] > 50_000


def test_table_answers_are_the_decoders_answers():
    table = spellings._table()
    for part in ("surname", "given"):
        words = table.words(part)
        assert len(words) == spellings.table_size()[part] and words == sorted(words)
        for word in itertools.islice(words, 0, len(words), max(1, len(words) // 60)):
            assert spellings.lookup(word, part) == fresh_decode(word, part, spellings.TABLE_LIMIT), (word, part)


def test_decoded_word_answers_from_the_table_and_truncates_to_the_limit():
    word = "ямамото"
    known = spellings.lookup(word, "surname")
    assert known is not None and known[0][0] == "ヤマモト"
    decoded_word.cache_clear()
    assert decoded_word(word, "surname", 5) == known
    assert decoded_word(word, "surname", 2) == known[:2] == fresh_decode(word, "surname", 2)
    assert cyrillic_word_readings("Ямамото", "given", 3) == fresh_decode(word, "given", 3)


def test_a_spelling_not_in_the_table_is_decoded_as_before():
    word = "тоиётакихондэзэро"  # a ministry-garbled spelling no table holds
    assert spellings.lookup(word, "surname") is None
    decoded_word.cache_clear()
    assert decoded_word(word, "surname") == fresh_decode(word, "surname")


def test_a_table_built_for_other_inputs_is_not_used():
    text = _table_text()
    digest = spellings.inputs_digest()
    assert spellings.parse_table(text, digest)  # the real one is read
    assert not spellings.parse_table(text, "0" * 16)  # another decoder's table: refused, nothing used
    other_limit = text.replace(f"limit={spellings.TABLE_LIMIT}", "limit=3", 1)
    assert not spellings.parse_table(other_limit, digest)


def test_answers_round_trip_through_the_table_form():
    names = list(kanji.surname_prior())
    positions = {kana: index for index, kana in enumerate(names)}
    answer = fresh_decode("сато", "surname")
    assert answer and spellings.decode_answer(spellings.encode_answer(answer, positions), names) == answer
    assert spellings.decode_answer("", names) == ()
    # a reading the prior spells otherwise (カリィナ in the prior, read through its morae as カリイナ) stays kana
    odd = (("カリイナ", -14.8447), (names[0], -20.5))
    assert "カリイナ" not in positions and spellings.decode_answer(spellings.encode_answer(odd, positions), names) == odd


def test_likely_spellings_put_the_standard_spelling_first():
    distribution = spellings.spelling_distribution("ヤマモト", PROFILES["realistic"])
    assert max(distribution, key=distribution.__getitem__) == "ямамото"
    assert 0.5 < sum(distribution.values()) <= 1.0 + 1e-9
    prior = {"トウジョウ": 0.6, "サトウ": 0.4, "イトウ": 0.0001}
    ranked = list(spellings.likely_spellings(prior, PROFILES["realistic"], names=2))  # イトウ is not spelled
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    tojo = spellings.spelling_distribution("トウジョウ", PROFILES["realistic"])
    sato = spellings.spelling_distribution("サトウ", PROFILES["realistic"])
    expected = {w: 0.6 * tojo.get(w, 0.0) + 0.4 * sato.get(w, 0.0) for w in tojo.keys() | sato.keys()}
    assert dict(ranked).keys() == expected.keys() and "ито" not in dict(ranked)
    assert all(abs(dict(ranked)[w] - p) < 1e-12 for w, p in expected.items())
    assert {"тодзё", "сато"} <= {w for w, _ in ranked[:3]}


_KATAKANA = st.sampled_from(list("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンガギグゲゴ"
                                 "ザジズゼゾダデドバビブベボパピプペポッャュョー"))
_WORD = st.lists(_KATAKANA, min_size=1, max_size=8).map("".join)


@given(st.lists(_WORD, min_size=1, max_size=3).map(" ".join))
def test_make_reading_word_by_word_equals_the_whole_name_written_at_once(kana):
    expected = Reading(kana, _title(kana_to_romaji(kana)), _title(kana_to_cyrillic(kana)), 0.5)
    assert make_reading(kana, 0.5) == expected
