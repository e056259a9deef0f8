"""Kana: hiragana/katakana, Hepburn romaji both ways, and the Polivanov Cyrillic transcription.

The tables follow ``shared/reference/polivanov.tsv`` (the standard Polivanov table and its rules for ン, ッ,
long vowels and えい/あい). Everything here is deterministic: the clerk's deviations live in
``kartoteka.names.channel``, which builds on the per-mora renderings defined here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_HIRA_START, _HIRA_END, _KATA_OFFSET = 0x3041, 0x3096, 0x60

# Katakana mora -> (Hepburn, Polivanov Cyrillic). One row of polivanov.tsv each.
# fmt: off
MORAE: dict[str, tuple[str, str]] = {
    "ア": ("a", "а"), "イ": ("i", "и"), "ウ": ("u", "у"), "エ": ("e", "э"), "オ": ("o", "о"),
    "カ": ("ka", "ка"), "キ": ("ki", "ки"), "ク": ("ku", "ку"), "ケ": ("ke", "кэ"), "コ": ("ko", "ко"),
    "サ": ("sa", "са"), "シ": ("shi", "си"), "ス": ("su", "су"), "セ": ("se", "сэ"), "ソ": ("so", "со"),
    "タ": ("ta", "та"), "チ": ("chi", "ти"), "ツ": ("tsu", "цу"), "テ": ("te", "тэ"), "ト": ("to", "то"),
    "ナ": ("na", "на"), "ニ": ("ni", "ни"), "ヌ": ("nu", "ну"), "ネ": ("ne", "нэ"), "ノ": ("no", "но"),
    "ハ": ("ha", "ха"), "ヒ": ("hi", "хи"), "フ": ("fu", "фу"), "ヘ": ("he", "хэ"), "ホ": ("ho", "хо"),
    "マ": ("ma", "ма"), "ミ": ("mi", "ми"), "ム": ("mu", "му"), "メ": ("me", "мэ"), "モ": ("mo", "мо"),
    "ヤ": ("ya", "я"), "ユ": ("yu", "ю"), "ヨ": ("yo", "ё"),
    "ラ": ("ra", "ра"), "リ": ("ri", "ри"), "ル": ("ru", "ру"), "レ": ("re", "рэ"), "ロ": ("ro", "ро"),
    "ワ": ("wa", "ва"), "ヰ": ("i", "ви"), "ヱ": ("e", "вэ"), "ヲ": ("o", "о"),
    "ガ": ("ga", "га"), "ギ": ("gi", "ги"), "グ": ("gu", "гу"), "ゲ": ("ge", "гэ"), "ゴ": ("go", "го"),
    "ザ": ("za", "дза"), "ジ": ("ji", "дзи"), "ズ": ("zu", "дзу"), "ゼ": ("ze", "дзэ"), "ゾ": ("zo", "дзо"),
    "ダ": ("da", "да"), "ヂ": ("ji", "дзи"), "ヅ": ("zu", "дзу"), "デ": ("de", "дэ"), "ド": ("do", "до"),
    "バ": ("ba", "ба"), "ビ": ("bi", "би"), "ブ": ("bu", "бу"), "ベ": ("be", "бэ"), "ボ": ("bo", "бо"),
    "パ": ("pa", "па"), "ピ": ("pi", "пи"), "プ": ("pu", "пу"), "ペ": ("pe", "пэ"), "ポ": ("po", "по"),
    "ヴ": ("vu", "ву"),
    "キャ": ("kya", "кя"), "キュ": ("kyu", "кю"), "キョ": ("kyo", "кё"),
    "シャ": ("sha", "ся"), "シュ": ("shu", "сю"), "ショ": ("sho", "сё"),
    "チャ": ("cha", "тя"), "チュ": ("chu", "тю"), "チョ": ("cho", "тё"),
    "ニャ": ("nya", "ня"), "ニュ": ("nyu", "ню"), "ニョ": ("nyo", "нё"),
    "ヒャ": ("hya", "хя"), "ヒュ": ("hyu", "хю"), "ヒョ": ("hyo", "хё"),
    "ミャ": ("mya", "мя"), "ミュ": ("myu", "мю"), "ミョ": ("myo", "мё"),
    "リャ": ("rya", "ря"), "リュ": ("ryu", "рю"), "リョ": ("ryo", "рё"),
    "ギャ": ("gya", "гя"), "ギュ": ("gyu", "гю"), "ギョ": ("gyo", "гё"),
    "ジャ": ("ja", "дзя"), "ジュ": ("ju", "дзю"), "ジョ": ("jo", "дзё"),
    "ヂャ": ("ja", "дзя"), "ヂュ": ("ju", "дзю"), "ヂョ": ("jo", "дзё"),
    "ビャ": ("bya", "бя"), "ビュ": ("byu", "бю"), "ビョ": ("byo", "бё"),
    "ピャ": ("pya", "пя"), "ピュ": ("pyu", "пю"), "ピョ": ("pyo", "пё"),
    "ティ": ("ti", "ти"), "ディ": ("di", "ди"), "トゥ": ("tu", "ту"), "ドゥ": ("du", "ду"),
    "ファ": ("fa", "фа"), "フィ": ("fi", "фи"), "フェ": ("fe", "фэ"), "フォ": ("fo", "фо"),
    "ウィ": ("wi", "уи"), "ウェ": ("we", "уэ"), "ウォ": ("wo", "уо"),
    "シェ": ("she", "сиэ"), "ジェ": ("je", "дзиэ"), "チェ": ("che", "тиэ"), "ツァ": ("tsa", "ца"),
}
# fmt: on
SMALL_KANA = set("ァィゥェォャュョヮ")
SOKUON, HATSUON, CHOONPU = "ッ", "ン", "ー"
VOWEL_KANA = {"a": "ア", "i": "イ", "u": "ウ", "e": "エ", "o": "オ"}
_MACRON = {"a": "ā", "i": "ī", "u": "ū", "e": "ē", "o": "ō"}
_LABIALS = set("mbp")


def hiragana_to_katakana(text: str) -> str:
    """ひらがな -> カタカナ (other characters unchanged)."""
    return "".join(chr(ord(ch) + _KATA_OFFSET) if _HIRA_START <= ord(ch) <= _HIRA_END else ch for ch in text)


def katakana_to_hiragana(text: str) -> str:
    """カタカナ -> ひらがな (ー and other characters unchanged)."""
    lo, hi = _HIRA_START + _KATA_OFFSET, _HIRA_END + _KATA_OFFSET
    return "".join(chr(ord(ch) - _KATA_OFFSET) if lo <= ord(ch) <= hi else ch for ch in text)


def to_katakana(text: str) -> str:
    """NFKC (half-width kana to full width) and hiragana to katakana."""
    return hiragana_to_katakana(unicodedata.normalize("NFKC", text))


@dataclass(frozen=True, slots=True, eq=False)
class Mora:
    """One unit of a kana string: a mora from MORAE, or ッ, ン, ー, or a character kept as it is.

    Morae are interned (one object per kana, see ``split_morae``) and compare by identity, which keeps them
    cheap as keys of the decoder's caches.
    """

    kana: str
    romaji: str
    cyrillic: str

    @property
    def vowel(self) -> str:
        """The vowel this mora ends in ('' for ッ, ン, ー and non-kana)."""
        return self.romaji[-1] if self.romaji and self.romaji[-1] in "aiueo" else ""

    @property
    def is_special(self) -> bool:
        return self.kana in (SOKUON, HATSUON, CHOONPU)


_INTERNED: dict[str, Mora] = {}


def mora_of(kana: str) -> Mora:
    """One shared Mora object per kana (cheap to compare and to use as a key)."""
    found = _INTERNED.get(kana)
    if found is None:
        if kana in MORAE:
            found = Mora(kana, *MORAE[kana])
        elif kana in (SOKUON, HATSUON, CHOONPU):
            found = Mora(kana, "", "")
        elif kana in SMALL_KANA:  # a stray small vowel: read it as the full vowel
            big = chr(ord(kana) + 1)
            found = Mora(big, *MORAE.get(big, (kana, kana)))
        else:
            found = Mora(kana, kana, kana)
        if len(_INTERNED) < 10_000:
            _INTERNED[kana] = found
    return found


def split_morae_uncached(kana: str) -> tuple[Mora, ...]:
    """``split_morae`` without its cache (for bulk work over name tables)."""
    text = to_katakana(kana)
    out: list[Mora] = []
    i = 0
    size = len(text)
    while i < size:
        pair = text[i : i + 2]
        if len(pair) == 2 and pair[1] in SMALL_KANA and pair in MORAE:
            out.append(mora_of(pair))
            i += 2
        else:
            out.append(mora_of(text[i]))
            i += 1
    return tuple(out)


@lru_cache(maxsize=65536)
def split_morae(kana: str) -> tuple[Mora, ...]:
    """Split katakana (or hiragana) into morae; digraphs like キャ stay one mora."""
    return split_morae_uncached(kana)


_SYLLABLE_AFTER_U = frozenset("アエオ")  # う+え/あ/お is u-e (井上 イノウエ); う+い stays long (コウイチ)
_LONG_PAIRS = frozenset({("o", "ウ"), ("o", "オ"), ("u", "ウ"), ("a", "ア"), ("e", "エ")})


def is_long_vowel_tail(prev: Mora | None, mora: Mora, nxt: Mora | None = None) -> bool:
    """Whether ``mora`` lengthens the vowel of ``prev``: おう, おお, うう, ああ, ええ, or ー.

    えい and いい are not folded: Polivanov writes them эй and ии. A ウ followed by another vowel is a
    syllable of its own before え, あ, お (イノウエ Иноуэ), but not before い (コウイチ Коити).
    """
    if prev is None or not prev.vowel:
        return False
    if mora.kana == CHOONPU:
        return True
    if nxt is not None and mora.kana == "ウ" and nxt.kana in _SYLLABLE_AFTER_U:
        return False
    return (prev.vowel, mora.kana) in _LONG_PAIRS


_BREAKS = (" ", "・", "\u3000")


def in_context(morae: tuple[Mora, ...]) -> list[tuple[Mora | None, Mora, Mora | None]]:
    """(prev, mora, next) for each mora, as the rules see them: a word break or a long-vowel tail leaves
    no ``prev`` for the mora after it (オオウチ: the ウ after the long オオ is a syllable, Оути)."""
    out: list[tuple[Mora | None, Mora, Mora | None]] = []
    prev: Mora | None = None
    for index, mora in enumerate(morae):
        nxt = morae[index + 1] if index + 1 < len(morae) else None
        out.append((prev, mora, nxt))
        tail = prev is not None and is_long_vowel_tail(prev, mora, nxt)
        prev = None if (mora.kana in _BREAKS or tail) else mora
    return out


# --------------------------------------------------------------------------------------------- romaji
def _first_consonant(romaji: str) -> str:
    if romaji.startswith("ch"):
        return "t"
    return romaji[0] if romaji and romaji[0] not in "aiueo" else ""


def kana_to_romaji(kana: str, long_vowels: str = "macron") -> str:
    """Katakana/hiragana -> modified Hepburn.

    ``long_vowels``: "macron" (Tōjō, the default), "ou" (spelled as the kana are: Toujou, Oono; lossless
    enough to read back), or "none" (dropped as English texts do: Tojo, Ito).
    Word breaks (spaces, ・) become spaces.
    """
    parts = [_mora_romaji(prev, mora, nxt, long_vowels) for prev, mora, nxt in in_context(split_morae(kana))]
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", "".join(parts)).strip())


def _mora_romaji(prev: Mora | None, mora: Mora, nxt: Mora | None, long_vowels: str) -> str:
    if mora.kana in (" ", "・", "\u3000"):
        return " "
    if mora.kana == SOKUON:
        return _first_consonant(nxt.romaji) if nxt else ""
    if mora.kana == HATSUON:
        apostrophe = nxt is not None and nxt.romaji[:1] in ("a", "i", "u", "e", "o", "y")
        return "n'" if apostrophe else "n"
    if prev is not None and is_long_vowel_tail(prev, mora, nxt):
        if long_vowels == "none":
            return ""
        if long_vowels == "macron":
            return "\u0304"  # combining macron, composed onto the previous vowel below
        return prev.vowel if mora.kana == CHOONPU else mora.romaji
    return mora.romaji


# Romaji patterns -> katakana, longest first. Hepburn, Kunrei/Nihon-shiki and common English spellings.
# fmt: off
_ROMAJI_EXTRA = {
    "si": "シ", "ti": "チ", "tu": "ツ", "hu": "フ", "zi": "ジ", "di": "ヂ", "du": "ヅ",
    "sya": "シャ", "syu": "シュ", "syo": "ショ", "tya": "チャ", "tyu": "チュ", "tyo": "チョ",
    "zya": "ジャ", "zyu": "ジュ", "zyo": "ジョ", "jya": "ジャ", "jyu": "ジュ", "jyo": "ジョ",
    "dya": "ヂャ", "dyu": "ヂュ", "dyo": "ヂョ", "cya": "チャ", "cyu": "チュ", "cyo": "チョ",
    "wi": "ヰ", "we": "ヱ", "wo": "ヲ", "la": "ラ", "li": "リ", "lu": "ル", "le": "レ", "lo": "ロ",
    "ye": "イエ", "va": "ヴァ", "vi": "ヴィ", "ve": "ヴェ", "vo": "ヴォ",
    "a": "ア", "i": "イ", "u": "ウ", "e": "エ", "o": "オ",
}
# fmt: on


@lru_cache(maxsize=1)
def _romaji_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for kana, (romaji, _) in MORAE.items():
        if kana in ("ヂ", "ヅ", "ヂャ", "ヂュ", "ヂョ", "ヰ", "ヱ", "ヲ"):
            continue  # merged sounds: read back as ジ, ズ...
        table.setdefault(romaji, kana)
    for romaji, kana in _ROMAJI_EXTRA.items():
        table.setdefault(romaji, kana)
    table["wo"] = "ヲ"
    return table


def fold_romaji(text: str) -> str:
    """Lower case, macrons and circumflexes to doubled letters (ō -> ou, ā -> aa), other marks removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("ô", "ou").replace("û", "uu").replace("â", "aa").replace("ê", "ee").replace("î", "ii")
    text = text.replace("ō", "ou").replace("ū", "uu").replace("ā", "aa").replace("ē", "ee").replace("ī", "ii")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def romaji_to_kana(romaji: str) -> str:
    """Romaji (Hepburn with or without macrons, ou/oh/oo, Kunrei, English spellings) -> katakana, best guess.

    Ambiguous spellings get one reading here (Ohno -> オウノ, Kenichi -> ケニチ); ``kartoteka.names.readings``
    weighs the alternatives against the name data.
    """
    text = fold_romaji(romaji)
    table = _romaji_table()
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if not ch.isalpha():
            out.append(" " if ch in " -_・,.\u3000" else "")
            i += 1
            continue
        step, kana = _romaji_step(text, i, table)
        out.append(kana)
        i += step
    return re.sub(r" +", " ", "".join(out)).strip()


def _romaji_step(text: str, i: int, table: dict[str, str]) -> tuple[int, str]:
    ch, nxt = text[i], text[i + 1 : i + 2]
    if ch == "n":
        if nxt == "'":
            return 2, HATSUON
        if not nxt or nxt not in "aiueoy":
            return 1, HATSUON
    if ch == "m" and nxt in _LABIALS and nxt:
        return 1, HATSUON
    if ch == "h" and i > 0 and text[i - 1] == "o" and (not nxt or nxt not in "aiueoy"):
        return 1, "ウ"  # Itoh, Satoh: the English long o
    if ch == "t" and text[i + 1 : i + 3] == "ch":
        return 1, SOKUON
    if ch not in "aiueon" and nxt == ch:
        return 1, SOKUON
    for size in (4, 3, 2, 1):
        chunk = text[i : i + size]
        if chunk in table:
            return size, table[chunk]
    # A lone consonant (a typing slip or an English cluster): read it with u, as Japanese loanwords do.
    return 1, table.get(ch + "u", "")


# ------------------------------------------------------------------------------------------- Cyrillic
def cyrillic_mora(prev: Mora | None, mora: Mora, nxt: Mora | None) -> str:
    """The Polivanov rendering of one mora in its context (the rules for ン, ッ, long vowels, えい, あい)."""
    if mora.kana == SOKUON:
        if nxt is None or not nxt.cyrillic or nxt.romaji[:1] in "aiueo":
            return ""
        first = nxt.cyrillic[0]
        return "т" if first in "ц" or nxt.kana.startswith("チ") else first
    if mora.kana == HATSUON:
        if nxt is not None and nxt.romaji[:1] in _LABIALS:
            return "м"
        if nxt is not None and nxt.romaji[:1] in ("a", "i", "u", "e", "o", "y"):
            return "нъ"
        return "н"
    if prev is not None and is_long_vowel_tail(prev, mora, nxt):
        return ""  # long vowels are not marked in ordinary text (Тодзё, Ито, Охира)
    if mora.kana == "イ" and prev is not None and prev.vowel in ("a", "u", "o", "e"):
        return _diphthong_i(prev, nxt)
    return mora.cyrillic


def _diphthong_i(prev: Mora, nxt: Mora | None) -> str:
    """й or и after a vowel: эй always; ай/уй inside a word (Сайто); ои and a final -и (Коисо, Каваи)."""
    if prev.vowel == "e":
        return "й"
    if prev.kana == "ウ":  # after a long-vowel tail or a lone u: a morpheme boundary (Кюити)
        return "и"
    if nxt is None or not nxt.cyrillic or nxt.kana in (" ", "・"):
        return "и"
    return "и" if prev.vowel == "o" else "й"


def kana_to_cyrillic(kana: str) -> str:
    """Katakana/hiragana -> Cyrillic by the Polivanov system (とうじょう ひでき -> тодзё хидэки).

    Lower case; capitalise at the call site for display. Word breaks become spaces.
    """
    parts = [
        " " if mora.kana in _BREAKS else cyrillic_mora(prev, mora, nxt)
        for prev, mora, nxt in in_context(split_morae(kana))
    ]
    return re.sub(r" +", " ", "".join(parts)).strip()


def fold_long_vowels(kana: str) -> str:
    """Katakana with long-vowel tails removed (トウジョウ -> トジョ, オオノ -> オノ, サトー -> サト).

    The comparison form for "long vowels folded" scores: Cyrillic rarely marks length.
    """
    return "".join(
        mora.kana
        for prev, mora, nxt in in_context(split_morae(kana))
        if not is_long_vowel_tail(prev, mora, nxt)
    )
