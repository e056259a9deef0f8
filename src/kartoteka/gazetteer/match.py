"""How a place or camp text is compared with the gazetteer's names: one key per spelling in any script, the stem
a Russian adjective shares with its town ("Тайшетский" and "Тайшет"), and the camp numbers a text gives, with
the word that says what the number counts ("лагерь № 7", "第7収容所", "кладбище № 2", "第7地区").

Pure functions (no store): the build script of the bundled places (scripts/build_gazetteer_places.py) uses the
same keys as the resolution at run time."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kartoteka.names import kana_to_romaji
from kartoteka.names.kana import to_katakana
from kartoteka.names.script import letter_script

_DROP_IN_KANA = str.maketrans("", "", "ーッ・ ･")  # タイシェット = タイシェト, ウラジオストーク = ウラジオストク
_APOSTROPHES = str.maketrans("", "", "'’ʼ`ʹ\"")
_PUNCT = re.compile(r"[\s\-‐–—_.,;:()\[\]{}«»/\\|!?№#*+=<>~]+")
# Russian adjective endings that a camp name puts on its town, and the endings of the town itself; the longest
# first. "Читинский" and "Чита" share "чит", "Иркутский" and "Иркутск" share "иркут".
_RU_ENDINGS = ("инский", "инская", "инское", "енский", "нский", "ского", "ский", "ская", "ское", "ском", "цкий",
               "ск", "ий", "а", "о", "е", "я", "ы")
MIN_STEM = 3
ADJECTIVE_ENDINGS = ("инский", "енский", "нский", "ский", "цкий", "ская", "ское", "ского")


def script_of(text: str) -> str:
    """The main script of a text: "cyrillic", "latin", "kana" (katakana or hiragana), "kanji" or "none"."""
    counts: dict[str, int] = {}
    for ch in text:
        script = letter_script(ch)
        if script in ("katakana", "hiragana"):
            script = "kana"
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "none"
    if counts.get("kana"):  # kana with kanji (タイシェット第7収容所) reads as a Japanese text
        return "kana"
    return max(counts, key=lambda s: counts[s])


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The comparable form of a name: NFKC, lower case, ё as е, no diacritics or apostrophes, punctuation as one
    space; in kana, katakana without the long-vowel mark, small tsu and middle dots."""
    text = unicodedata.normalize("NFKC", text).replace("ё", "е").replace("Ё", "Е")
    text = to_katakana(text).translate(_DROP_IN_KANA) if script_of(text) in ("kana", "kanji") else text
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # strip combining marks from Latin letters only: й and ў must keep their breve
    kept: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept)).translate(_APOSTROPHES)
    return " ".join(_PUNCT.sub(" ", text).split())


RU_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                     "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def russian_to_latin(text: str) -> str:
    """A Russian name in Latin letters as English texts and GeoNames mostly write it (BGN/PCGN-like, without
    diacritics): "Красная Заря" -> "krasnaya zarya", "Тайшет" -> "tayshet"."""
    return "".join(RU_LATIN.get(ch, ch) for ch in text.casefold())


def ru_stem(word: str) -> str:
    """The stem a Russian place name shares with its adjective ("тайшетский" -> "тайшет", "чита" -> "чит");
    the word itself when no ending leaves at least ``MIN_STEM`` letters."""
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def kana_latin_key(kana: str) -> str:
    """A katakana place name read as Latin letters, without the final vowel a Japanese spelling adds to a
    consonant ("タイシェト" -> "taishet"), to meet the Latin spellings of GeoNames."""
    romaji = name_key(kana_to_romaji(kana, long_vowels="none"))
    return romaji[:-1] if len(romaji) > 4 and romaji[-1] in "ou" and romaji[-2] not in "aeiou" else romaji


@dataclass(frozen=True)
class NumberMention:
    """A number in a text, with what the words around it say it counts."""

    number: str
    counts: str  # "camp" | "district" | "burial" | "hospital" | "transit" | "otdelenie" | "unknown"


_JA_AFTER = {"収容所": "camp", "収容地区": "camp", "地区": "district", "墓地": "burial", "病院": "hospital",
             "送還収容所": "transit", "分所": "otdelenie", "本所": "camp", "ラーゲリ": "camp"}
_JA_NUMBER = re.compile(r"第\s*(\d{1,4})\s*(送還収容所|収容地区|収容所|地区|墓地|病院|分所|本所|ラーゲリ)?")
_NUMBER = re.compile(r"(?<!\d)(\d{1,4})(?!\d)")
_WORD_BEFORE = re.compile(r"([^\W\d]+)\.?\s*(?:№|No\.?|N|#)?\s*$", re.IGNORECASE)
_BEFORE = (
    ("burial", ("кладбищ", "могил", "участ", "захорон", "cemetery", "grave", "burial", "site", "plot")),
    ("hospital", ("госпитал", "hospital", "спецгоспитал")),
    ("otdelenie", ("лаготделен", "отделен", "лагпункт", "otdelenie", "lagpunkt")),
    ("transit", ("транзит", "репатриац", "transit", "repatriation")),
    ("district", ("district", "район")),
    ("camp", ("лагер", "лаг", "гупви", "упви", "camp", "lager", "no", "n", "номер")),
)


def numbers_in(text: str) -> list[NumberMention]:
    """Every camp-like number in ``text`` with the word that says what it counts: "第7収容所" camp, "第7地区"
    district, "кладбище № 2" burial, "№ 7" and a bare "7" unknown (a Soviet card's camp field)."""
    found: list[NumberMention] = []
    text = unicodedata.normalize("NFKC", text)
    for match in _JA_NUMBER.finditer(text):
        found.append(NumberMention(match.group(1).lstrip("0") or "0", _JA_AFTER.get(match.group(2) or "", "unknown")))
    rest = _JA_NUMBER.sub(" ", text)
    for match in _NUMBER.finditer(rest):
        # the word just before the number (looked for in a short window: a long text stays linear)
        before = _WORD_BEFORE.search(rest[max(0, match.start() - 40):match.start()])
        word, number = (before.group(1) if before else "").casefold(), match.group(1)
        if len(number) == 4 and 1900 <= int(number) <= 1999:
            continue  # a year
        counts = "unknown"
        for kind, prefixes in _BEFORE:
            if word and word.startswith(prefixes):
                counts = kind
                break
        found.append(NumberMention(number.lstrip("0") or "0", counts))
    return found


def words_of(key: str) -> list[str]:
    """The words of a key (its spaces), for stem look-ups."""
    return [w for w in key.split(" ") if w]
