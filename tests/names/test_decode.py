"""The Cyrillic decoder (channel × prior) and the phonetic forms it feeds."""

import random

import pytest

from kartoteka.names.channel import PROFILES, write_cyrillic_by_ear
from kartoteka.names.decode import MAX_WORD, clean_cyrillic_word, cyrillic_word_readings
from kartoteka.names.kana import fold_long_vowels
from kartoteka.names.kanji import name_tables
from kartoteka.names.phonetic import folded, kana_folded, skeleton, voiceless
from kartoteka.names.spelling_patterns import clerk_patterns


@pytest.mark.parametrize(
    ("cyrillic", "part", "kana"),
    [
        ("Тодзё", "surname", "トウジョウ"),  # long vowels restored from the prior
        ("Ито", "surname", "イトウ"),
        ("Охира", "surname", "オオヒラ"),
        ("Ханю", "surname", "ハニュウ"),
        ("Хашимото", "surname", "ハシモト"),  # ш for с
        ("Кюичи", "given", "キュウイチ"),  # ч for т
        ("Кенджи", "given", "ケンジ"),  # дж
        ("Сузуки", "surname", "スズキ"),  # з for дз
        ("Хидеки", "given", "ヒデキ"),  # е for э
        ("Йонаи", "surname", "ヨナイ"),  # йо
        ("Иосиро", "given", "ヨシロウ"),  # ио
        ("Масаеси", "given", "マサヨシ"),  # ё printed as е
        ("Тодзио", "surname", "トウジョウ"),  # long ё as ио
        ("Отозоо", "given", "オトゾウ"),  # doubled vowel and з
        ("Дзюнпэй", "given", "ジュンペイ"),  # no м before п
        ("Кеничи", "given", "ケンイチ"),  # no ъ
        ("Койсо", "surname", "コイソ"),  # й for и
        ("Акутакава", "surname", "アクタガワ"),  # voicing slip
        ("Фтабатэй", "surname", "フタバテイ"),  # devoiced vowel dropped
        ("Рюноскэ", "given", "リュウノスケ"),
        ("Исороку", "given", "イソロク"),
    ],
)
def test_decoder_reads_the_clerks_variants(cyrillic, part, kana):
    assert cyrillic_word_readings(cyrillic, part)[0][0] == kana


def test_decoder_recovers_simulated_spellings():
    """Names from the real tables through the realistic channel: the truth is in the top 5 almost always."""
    tables = name_tables()
    rng = random.Random(2024)
    picks = rng.choices(range(len(tables.surnames)), weights=tables.surnames.weight, k=80)
    hits = top1 = 0
    for index in picks:
        kana = tables.surnames.katakana[index]
        written = write_cyrillic_by_ear(kana, rng, PROFILES["realistic"])
        found = [fold_long_vowels(k) for k, _ in cyrillic_word_readings(written, "surname")]
        hits += fold_long_vowels(kana) in found
        top1 += found[:1] == [fold_long_vowels(kana)]
    assert hits >= 72  # 90%
    assert top1 >= 64  # 80%


def test_input_is_capped_and_cleaned():
    assert clean_cyrillic_word("Сэн'ити") == "сэнъити"
    assert len(clean_cyrillic_word("а" * 500)) == MAX_WORD
    assert cyrillic_word_readings("123", "surname") == ()


@pytest.mark.parametrize(
    ("spellings", "code"),
    [
        (["Тодзё", "Тодзио", "Тоджо", "Тоодзё"], "tozyo"),
        (["Хашимото", "Хасимото"], "hasimoto"),
        (["Кеничи", "Кэнъити", "Кэнити"], "keniti"),
        (["Намбу", "Нанбу"], "nanbu"),
        (["Иосиро", "Ёсиро", "Йоширо"], "yosiro"),
        (["Сэйсиро", "Сейширо", "Сэсиро"], "sesiro"),
        (["Мицуи", "Митсуи"], "micui"),
    ],
)
def test_folded_form_unites_spelling_variants(spellings, code):
    assert {folded(s) for s in spellings} == {code}


def test_kana_folds_like_its_cyrillic():
    assert kana_folded("トウジョウ") == folded("Тодзё") == "tozyo"
    assert voiceless("akutagawa") == voiceless("akutakawa")
    assert skeleton("tozyo hideki") == "tshtk"


def test_clerk_patterns_explain_a_spelling():
    assert clerk_patterns("ヤマモト", "Ямамото") == []
    assert clerk_patterns("ハシモト", "Хашимото") == ["sh_for_s: シ -> ши"]
    assert clerk_patterns("カメキチ", "Кашонити") == [
        "e_for_eh: メ -> ме",
        "misread: м -> ш",
        "misread: е -> о",
        "misread: к -> н",
    ]
    assert clerk_patterns("ヤマモト", "Сато") is None


def test_trie_sees_each_mora_in_the_context_the_rules_use():
    """The lazily built trie gives every mora the same left neighbour as kana.in_context (so the decoder
    scores a name exactly as the simulator spells it)."""
    import itertools

    from kartoteka.names.decode import _trie
    from kartoteka.names.kana import in_context, split_morae
    from kartoteka.names.kanji import surname_prior

    root = _trie("surname")
    for kana in itertools.islice(surname_prior(), 3000):
        node = root
        for prev, mora, _ in in_context(split_morae(kana)):
            node = node.kids()[mora.kana]
            assert node.prev is prev, kana


def test_ministry_katakana_gets_its_long_vowels_back():
    from kartoteka.names import readings

    found = [r.kana for r in readings("オサワ", part="surname")]
    assert "オオサワ" in found
    assert readings("カショニチ", part="given")[0].kana == "カショニチ"  # unknown and unexplained: as written
    assert readings("ヤシャシタ", part="surname")[0].kana == "ヤマシタ"  # ш read for a cursive м


def _plain_beam(word: str, part: str, max_edits: int) -> list[tuple[str, float]]:
    """The decoder's beam search without its pruning and caches (the search as first written): every
    hypothesis is made, each position keeps its BEAM best (a stable sort), at most 2*BEAM are expanded."""
    import heapq
    import itertools

    from kartoteka.names import decode as d

    frontier: dict[int, list[tuple]] = {}
    for child in d._trie(part).children.values():
        ahead = child.lookahead(word[0])
        if ahead is not None:
            frontier.setdefault(0, []).append(
                (child.best + ahead, 0, child, child.mora.kana, 0.0, d.MAX_EDITS - max_edits)
            )
    finals: dict[str, float] = {}
    tie = itertools.count()
    for pos in range(len(word) + 1):
        queue = [
            (-h[0], next(tie), h) for h in heapq.nlargest(d.BEAM, frontier.pop(pos, []), key=lambda h: h[0])
        ]
        heapq.heapify(queue)
        for _ in range(d.BEAM * 2):
            if not queue:
                break
            _, _pos, node, kana, logp, edits = heapq.heappop(queue)[2]
            budget, out = d.MAX_EDITS - edits, []
            if budget and pos < len(word):
                ahead = node.lookahead(word[pos + 1] if pos + 1 < len(word) else "")
                if ahead is not None:
                    out.append(
                        (
                            node.best + logp + d.LOG_EDIT + ahead,
                            pos + 1,
                            node,
                            kana,
                            logp + d.LOG_EDIT,
                            edits + 1,
                        )
                    )
            if node.end > d._NEG:
                for rendering, r_logp in node.endings():
                    for end, m_logp, _ in d._match(rendering, word, pos, budget):
                        total = logp + r_logp + m_logp + node.end
                        if end == len(word) and total > finals.get(kana, d._NEG):
                            finals[kana] = total
            for group in node.next_groups():
                for rendering, r_logp in group.renderings:
                    for end, m_logp, used in d._match(rendering, word, pos, budget):
                        base = logp + r_logp + m_logp
                        for child in group.members:
                            ahead = child.lookahead(word[end] if end < len(word) else "")
                            if ahead is not None:
                                hyp = (
                                    child.best + base + ahead,
                                    end,
                                    child,
                                    kana + child.mora.kana,
                                    base,
                                    edits + used,
                                )
                                out.append(hyp)
            for new in out:
                if new[1] == pos:
                    heapq.heappush(queue, (-new[0], next(tie), new))
                else:
                    frontier.setdefault(new[1], []).append(new)
    return sorted(finals.items(), key=lambda kv: -kv[1])[:5]


def test_pruned_search_finds_what_the_plain_beam_finds():
    """The decoder stops early wherever no hypothesis could still enter a beam; on clerk spellings (and
    on harsh ones, which need the second pass) it returns exactly what the plain beam search returns."""
    from kartoteka.names.decode import _decode_word

    tables = name_tables()
    rng = random.Random(31)
    for profile in ("realistic", "harsh"):
        for part, table in (("surname", tables.surnames), ("given", tables.given)):
            for index in rng.choices(range(len(table)), weights=table.weight, k=15):
                word = clean_cyrillic_word(
                    write_cyrillic_by_ear(table.katakana[index], rng, PROFILES[profile])
                )
                for max_edits in (0, 2):
                    assert _decode_word(word, part, 5, max_edits) == _plain_beam(word, part, max_edits), word


def test_decoder_caches_are_bounded(monkeypatch):
    """Past CACHE_LIMIT entries the tries and their caches are dropped and regrow: the same readings."""
    from kartoteka.names import decode

    words = ["ямамото", "тодзио", "хашимото", "кеничи", "сузуки"]
    before = [decode._decode_word(word, "surname", 5) for word in words]
    filled, root = decode._CACHED[0], decode._trie("surname")
    monkeypatch.setattr(decode, "CACHE_LIMIT", 500)
    assert filled > 500
    for word, expected in zip(words, before, strict=True):
        assert decode._decode_word(word, "surname", 5) == expected
    assert decode._trie("surname") is not root  # dropped and regrown
    assert decode._CACHED[0] < filled


def test_spellings_that_clean_alike_are_decoded_once():
    from kartoteka.names.decode import cyrillic_word_readings, decoded_word

    decoded_word.cache_clear()
    first = cyrillic_word_readings("ТАНАКА", "surname")
    assert cyrillic_word_readings("Танака", "surname", 5) == first
    assert decoded_word.cache_info().misses == 1
