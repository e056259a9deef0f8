"""Small controlled vocabularies the linkage compares on: prefectures, ranks, units and camps.

Each source writes these in its own script (a Soviet card says "Хиросима", a roster says 広島県, a manifest
may say "Hiroshima-ken"); the linkage compares codes, so every spelling is reduced to one code here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

# The 47 prefectures in JIS X 0401 order: (code, kanji without suffix, Hepburn). Hokkaidō was 北海道庁
# before 1947 and Karafuto (樺太) a separate territory; both appear in the rosters, Karafuto as code 48.
PREFECTURES: tuple[tuple[int, str, str], ...] = (
    (1, "北海道", "hokkaido"), (2, "青森", "aomori"), (3, "岩手", "iwate"), (4, "宮城", "miyagi"),
    (5, "秋田", "akita"), (6, "山形", "yamagata"), (7, "福島", "fukushima"), (8, "茨城", "ibaraki"),
    (9, "栃木", "tochigi"), (10, "群馬", "gunma"), (11, "埼玉", "saitama"), (12, "千葉", "chiba"),
    (13, "東京", "tokyo"), (14, "神奈川", "kanagawa"), (15, "新潟", "niigata"), (16, "富山", "toyama"),
    (17, "石川", "ishikawa"), (18, "福井", "fukui"), (19, "山梨", "yamanashi"), (20, "長野", "nagano"),
    (21, "岐阜", "gifu"), (22, "静岡", "shizuoka"), (23, "愛知", "aichi"), (24, "三重", "mie"),
    (25, "滋賀", "shiga"), (26, "京都", "kyoto"), (27, "大阪", "osaka"), (28, "兵庫", "hyogo"),
    (29, "奈良", "nara"), (30, "和歌山", "wakayama"), (31, "鳥取", "tottori"), (32, "島根", "shimane"),
    (33, "岡山", "okayama"), (34, "広島", "hiroshima"), (35, "山口", "yamaguchi"), (36, "徳島", "tokushima"),
    (37, "香川", "kagawa"), (38, "愛媛", "ehime"), (39, "高知", "kochi"), (40, "福岡", "fukuoka"),
    (41, "佐賀", "saga"), (42, "長崎", "nagasaki"), (43, "熊本", "kumamoto"), (44, "大分", "oita"),
    (45, "宮崎", "miyazaki"), (46, "鹿児島", "kagoshima"), (47, "沖縄", "okinawa"), (48, "樺太", "karafuto"),
)

_OLD_FORMS = {"廣": "広", "縣": "県", "德": "徳", "滿": "満", "惠": "恵", "兒": "児", "濱": "浜", "櫻": "桜"}
_KANJI_SUFFIXES = ("県", "府", "都", "庁")
# Russian words and abbreviations that clerks put around a prefecture name.
_CYRILLIC_NOISE = re.compile(r"(префектура|преф\.?|пр\.|провинция|губерния|[- ]кен\b|[- ]кэн\b|[- ]фу\b|[- ]то\b)")
_LATIN_NOISE = re.compile(r"(prefecture|pref\.?|[- ]ken\b|[- ]fu\b|[- ]to\b)")

# Cyrillic -> a loose Latin skeleton. Clerks wrote ш/ч/дж where Polivanov has с/т/дз, е for э, и for й;
# the skeleton folds those so "Шимане", "Симанэ" and "Shimane" meet.
_CYR_TO_LAT = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "z", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "r", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "t", "ш": "s", "щ": "s", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "yu", "я": "ya",
}


def _latin_skeleton(text: str) -> str:
    """Fold a romanized name so that Hepburn, Kunrei and clerks' variants meet (shi/si, chi/ti, long vowels)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if ch.isascii() and ch.isalpha())
    for old, new in (("sh", "s"), ("ch", "t"), ("ts", "t"), ("dz", "z"), ("j", "z"), ("l", "r"), ("v", "w"),
                     ("y", "i"), ("ou", "o"), ("oo", "o"), ("uu", "u"), ("oh", "o"), ("ii", "i"), ("ie", "ie")):
        text = text.replace(old, new)
    text = re.sub(r"(.)\1+", r"\1", text)  # doubled letters (long vowels, geminates) are unreliable by ear
    text = text.replace("mb", "nb").replace("mm", "nm").replace("mp", "np")
    return text


def _cyrillic_to_skeleton(text: str) -> str:
    return _latin_skeleton("".join(_CYR_TO_LAT.get(ch, ch) for ch in text.lower()))


@lru_cache(maxsize=1)
def _prefecture_index() -> tuple[dict[str, int], dict[str, int]]:
    by_kanji = {kanji: code for code, kanji, _ in PREFECTURES}
    by_skeleton = {_latin_skeleton(latin): code for code, _, latin in PREFECTURES}
    by_skeleton[_latin_skeleton("hyogo")] = 28
    by_skeleton[_latin_skeleton("hiogo")] = 28
    by_skeleton[_latin_skeleton("tokio")] = 13
    by_skeleton[_latin_skeleton("kioto")] = 26
    return by_kanji, by_skeleton


@lru_cache(maxsize=1 << 16)
def prefecture_code(text: str | None) -> int | None:
    """The JIS code (1-47, 48 for Karafuto) of a prefecture written in kanji, Cyrillic or Latin; None if unknown."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = unicodedata.normalize("NFKC", text).strip()
    by_kanji, by_skeleton = _prefecture_index()
    if any("\u4e00" <= ch <= "\u9fff" for ch in value):
        value = "".join(_OLD_FORMS.get(ch, ch) for ch in value)
        for kanji, code in by_kanji.items():
            if value.startswith(kanji) or value.rstrip("".join(_KANJI_SUFFIXES)) == kanji:
                return code
        return None
    # "Япония, Гумма", "преф. Хиросима, г. Куре": the prefecture is one of the comma-separated parts.
    for part in value.lower().split(","):
        found = _latin_or_cyrillic_prefecture(part, by_skeleton)
        if found is not None:
            return found
    return None


def _latin_or_cyrillic_prefecture(lowered: str, by_skeleton: dict[str, int]) -> int | None:
    if any("а" <= ch <= "я" or ch == "ё" for ch in lowered):
        skeleton = _cyrillic_to_skeleton(_CYRILLIC_NOISE.sub(" ", lowered))
    else:
        skeleton = _latin_skeleton(_LATIN_NOISE.sub(" ", lowered))
    if not skeleton:
        return None
    if skeleton in by_skeleton:
        return by_skeleton[skeleton]
    # A misheard letter or two: accept the nearest prefecture when it is clearly nearest.
    scored = sorted((Levenshtein.distance(skeleton, key), code) for key, code in by_skeleton.items())
    (best, code), (second, _) = scored[0], scored[1]
    if best <= max(1, len(skeleton) // 4) and second > best:
        return code
    return None


# Words around a birthplace that name no place: the country, and what a clerk wrote before a district or village.
_PLACE_NOISE = re.compile(
    r"\b(япония|japan|日本|уезд|у\.|район|р-н|деревня|дер\.|д\.|село|с\.|город|г\.|волость|пос\.|посёлок|"
    r"поселок|district|village|town|city|gun|mura|machi|shi|gun)\b")


@lru_cache(maxsize=1 << 16)
def place_detail(text: str | None) -> str | None:
    """The birthplace beyond its prefecture, as a key that clerks' spellings share ("преф. Хиросима, уезд Аки"
    and "Хиросима-кэн, Аки" give "aki"); None when the text names only a prefecture (the prefecture is
    compared on its own) or nothing.

    Cyrillic and Latin are folded to one skeleton; kanji is kept as written (NFKC) with its prefecture
    taken off."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = unicodedata.normalize("NFKC", text).strip().lower()
    if any("\u4e00" <= ch <= "\u9fff" for ch in value):
        code = prefecture_code(value)
        if code is not None:
            kanji = next(k for c, k, _ in PREFECTURES if c == code)
            value = value.replace(kanji, "", 1).lstrip("".join(_KANJI_SUFFIXES))
        value = re.sub(r"\s+", "", value.replace("日本", ""))
        return value or None
    kept = []
    for part in re.split(r"[,;/]", value):
        if prefecture_code(part) is not None:
            continue
        cleaned = _PLACE_NOISE.sub(" ", _CYRILLIC_NOISE.sub(" ", part))
        skeleton = (_cyrillic_to_skeleton(cleaned) if any("а" <= ch <= "я" or ch == "ё" for ch in cleaned)
                    else _latin_skeleton(cleaned))
        if skeleton:
            kept.append(skeleton)
    return " ".join(kept) or None


# Ranks: (ordinal, class, spellings). Soviet cards write the Japanese rank in Russian; rosters in kanji.
RANKS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "soldier", ("二等兵", "рядовой 2 разряда", "рядовой второго разряда", "private second class")),
    (2, "soldier", ("一等兵", "рядовой 1 разряда", "рядовой первого разряда", "private first class", "рядовой")),
    (3, "soldier", ("上等兵", "ефрейтор", "старший рядовой", "superior private")),
    (4, "soldier", ("兵長", "старший ефрейтор", "lance corporal")),
    (5, "nco", ("伍長", "младший унтер-офицер", "унтер-офицер", "капрал", "corporal")),
    (6, "nco", ("軍曹", "сержант", "старший унтер-офицер", "sergeant")),
    (7, "nco", ("曹長", "старшина", "фельдфебель", "sergeant major")),
    (8, "officer", ("准尉", "прапорщик", "младший лейтенант", "warrant officer")),
    (9, "officer", ("少尉", "лейтенант", "second lieutenant")),
    (10, "officer", ("中尉", "старший лейтенант", "first lieutenant", "lieutenant")),
    (11, "officer", ("大尉", "капитан", "captain")),
    (12, "officer", ("少佐", "майор", "major")),
    (13, "officer", ("中佐", "подполковник", "lieutenant colonel")),
    (14, "officer", ("大佐", "полковник", "colonel")),
    (15, "general", ("少将", "генерал-майор", "major general")),
    (16, "general", ("中将", "генерал-лейтенант", "lieutenant general")),
    (17, "general", ("大将", "генерал", "general")),
    (20, "civilian", ("軍属", "гражданский", "вольнонаемный", "civilian", "民間人", "一般邦人", "служащий")),
)


@lru_cache(maxsize=1)
def _rank_index() -> list[tuple[str, int, str]]:
    # Longest spelling first, so "старший лейтенант" wins over "лейтенант".
    entries = [(spelling.lower(), ordinal, cls) for ordinal, cls, spellings in RANKS for spelling in spellings]
    return sorted(entries, key=lambda e: -len(e[0]))


@lru_cache(maxsize=4096)
def rank_code(text: str | None) -> tuple[int | None, str | None]:
    """The rank ordinal and class (soldier, nco, officer, general, civilian) of a rank in any script."""
    if not isinstance(text, str) or not text.strip():
        return None, None
    value = re.sub(r"[\s.]+", " ", unicodedata.normalize("NFKC", text).lower().replace("ё", "е")).strip()
    value = value.replace("мл ", "младший ").replace("ст ", "старший ")
    for spelling, ordinal, cls in _rank_index():
        if spelling in value:
            return ordinal, cls
    return None, None


_NUMBER = re.compile(r"\d+")


def first_number(text: str | None) -> str | None:
    """The first number in a unit or camp designation ("107 пд" -> "107", "第百七師団" is left to the caller)."""
    if not isinstance(text, str) or not text:
        return None
    found = _NUMBER.search(unicodedata.normalize("NFKC", text))
    return found.group(0).lstrip("0") or "0" if found else None


_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}


def _kanji_number(text: str) -> int | None:
    total, current, seen = 0, 0, False
    for ch in text:
        if ch in _KANJI_DIGITS:
            current, seen = _KANJI_DIGITS[ch], True
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current, seen = 0, True
        else:
            break
    return total + current if seen else None


def unit_number(text: str | None) -> str | None:
    """The number of a unit in Arabic or kanji numerals ("第百七師団" and "107-я пд" both give "107")."""
    if not isinstance(text, str) or not text:
        return None
    value = unicodedata.normalize("NFKC", text)
    arabic = first_number(value)
    if arabic is not None:
        return arabic
    match = re.search(r"[〇一二三四五六七八九十百千]+", value)
    if match:
        number = _kanji_number(match.group(0))
        return str(number) if number is not None else None
    return None


def regiment_number(text: str | None) -> str | None:
    """The second number of a unit designation, the regiment ("139 пд, 104 пп" and "第139師団 歩兵第104聯隊")."""
    if not isinstance(text, str) or not text:
        return None
    value = unicodedata.normalize("NFKC", text)
    numbers = [m.group(0) for m in re.finditer(r"\d+|[〇一二三四五六七八九十百千]+", value)]
    if len(numbers) < 2:
        return None
    second = numbers[1]
    return second.lstrip("0") or "0" if second.isdigit() else (str(_kanji_number(second) or "") or None)
