"""Kanji characters for bench/build_name_data.py: per-character name readings learned from the real-name
tables, KANJIDIC2 readings, and the old-form and variant tables.

Each (kanji, katakana) pair of a table is aligned character by character to KANJIDIC readings (on'yomi,
kun'yomi stems, nanori), allowing the sound changes names show: rendaku (山田 ヤマ+ダ), gemination of a
final ツ/チ/ク/キ (一色 イッ+シキ). Each alignment adds (1 + real people
bearing the pair) to a count of (part, character, position, kana piece), position being "i" for the first
character and "n" for the others, and once more as "f" for the last character of a name of two or more. kartoteka reads spellings its tables do not know from these counts.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

_VOICED = dict(
    zip("カキクケコサシスセソタチツテトハヒフヘホ", "ガギグゲゴザジズゼゾダヂヅデドバビブベボ", strict=True)
)
_SEMI_VOICED = dict(zip("ハヒフヘホ", "パピプペポ", strict=True))
_MAX_PIECE = 6


def variants(reading: str, initial: bool) -> set[str]:
    """The forms a character reading takes inside a name."""
    forms = {reading}
    if reading[-1:] in "ツチクキ" and len(reading) > 1:
        forms.add(reading[:-1] + "ッ")
    if not initial:
        first = reading[:1]
        for table in (_VOICED, _SEMI_VOICED):
            if first in table:
                forms |= {table[first] + f[1:] for f in list(forms)}
    return forms


def candidate_pieces(char_readings: Mapping[str, Iterable[str]], char: str, initial: bool) -> set[str]:
    if "\u3041" <= char <= "\u30ff":  # kana in a name stands for itself
        return {chr(ord(char) + 0x60) if char <= "\u3096" else char}
    out: set[str] = set()
    for reading in char_readings.get(char, ()):
        out |= variants(reading, initial)
    if char == "々":
        out.add("*")  # repeats the previous piece; resolved by the aligner
    return out


def align(kanji: str, kana: str, char_readings: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every way to cut ``kana`` into one KANJIDIC-licensed piece per character (at most a few)."""
    results: list[list[str]] = []

    def walk(i: int, j: int, pieces: list[str]) -> None:
        if len(results) >= 4:
            return
        if i == len(kanji):
            if j == len(kana):
                results.append(list(pieces))
            return
        options = candidate_pieces(char_readings, kanji[i], initial=i == 0)
        if "*" in options and pieces:
            options = options | variants(pieces[-1], initial=False)
        for length in range(1, min(_MAX_PIECE, len(kana) - j) + 1):
            piece = kana[j : j + length]
            if piece in options:
                walk(i + 1, j + length, [*pieces, piece])

    walk(0, 0, [])
    return results


def learn(
    pairs: Iterable[tuple[str, str, float]], char_readings: Mapping[str, Iterable[str]]
) -> Counter[tuple[str, str, str]]:
    """(character, position i|n|f, kana piece) -> count, from (kanji, katakana, count) pairs."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for kanji, kana, count in pairs:
        alignments = align(kanji, kana, char_readings)
        for pieces in alignments:
            for i, (char, piece) in enumerate(zip(kanji, pieces, strict=True)):
                counts[(char, "i" if i == 0 else "n", piece)] += count / len(alignments)
                if i == len(kanji) - 1 > 0:  # name-final readings differ: 夫 オ, 郎 ロウ, 子 コ
                    counts[(char, "f", piece)] += count / len(alignments)
    return counts


def kanji_char_readings(db: sqlite3.Connection) -> Iterator[tuple[str, str, str, str]]:
    """(char, on'yomi, kun'yomi, nanori) from KANJIDIC2, each a space-separated katakana list."""
    on: dict[str, list[str]] = defaultdict(list)
    kun: dict[str, list[str]] = defaultdict(list)
    nanori: dict[str, list[str]] = defaultdict(list)
    query = """select c.literal, r.r_type, r.value from character c join rm_group g on g.cid = c.id
               join reading r on r.gid = g.id where r.r_type in ('ja_on', 'ja_kun')"""
    for char, rtype, value in db.execute(query):
        value = _to_katakana(value.split(".")[0].replace("-", ""))
        target = on if rtype == "ja_on" else kun
        if value and value not in target[char]:
            target[char].append(value)
    for char, value in db.execute("select c.literal, n.value from character c join nanori n on n.cid = c.id"):
        value = _to_katakana(value)
        if value not in nanori[char]:
            nanori[char].append(value)
    for char in sorted(set(on) | set(kun) | set(nanori)):
        yield char, " ".join(on[char]), " ".join(kun[char]), " ".join(nanori[char])


def itaiji_pairs(
    db: sqlite3.Connection, name_chars: set[str], old_new: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """(variant, standard, source): KANJIDIC2 variant links from a non-jōyō character used in names to its one
    jōyō counterpart (冨→富, 嶋→島, 邉→辺, 濵→浜), for characters the kyūjitai table does not mention."""
    olds, news = {old for old, _n, _s in old_new}, {new for _o, new, _s in old_new}
    grade = dict(db.execute("select literal, grade from character"))
    by_code = {
        (t, v): c
        for c, t, v in db.execute(
            "select c.literal, p.cp_type, p.value from character c join codepoint p on p.cid = c.id"
        )
    }
    links: dict[str, set[str]] = defaultdict(set)
    query = """select c.literal, v.var_type, v.value from character c join variant v on v.cid = c.id
               where v.var_type in ('jis208', 'jis212', 'jis213', 'ucs')"""
    for char, vtype, value in db.execute(query):
        target = chr(int(value, 16)) if vtype == "ucs" else by_code.get((vtype, value))
        if target and target != char:
            links[char].add(target)

    def is_joyo(char: str) -> bool:
        return (grade.get(char) or "").isdigit() and int(grade[char]) <= 8

    out = []
    for char, targets in sorted(links.items()):
        standard = [t for t in targets if is_joyo(t)]
        # no chains or cycles with the old→new table (kyujipy maps 籠→篭, KANJIDIC2 links 篭 to 籠)
        clash = char in olds or char in news or any(t in olds for t in standard)
        if char in name_chars and not clash and not is_joyo(char) and len(standard) == 1:
            out.append((char, standard[0], "KANJIDIC2 variant"))
    return out


def parse_cson_pairs(path: Path) -> list[tuple[str, str]]:
    """kyujipy's CSON lists are ["new", "old"] pairs, one a line."""
    return re.findall(r'\["([^"]+)",\s*"([^"]+)"\]', path.read_text(encoding="utf-8"))


def kyujitai_pairs(kyujipy_dir: Path, joyokanji_dir: Path) -> list[tuple[str, str, str]]:
    """(old, new, source) from kyujipy and joyokanji; identical forms after NFKC are dropped."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    data = kyujipy_dir / "data"
    for name in ("kyujitai_simplified.cson", "kyujitai_variants.cson"):
        for new, old in parse_cson_pairs(data / name):
            pairs[(old, new)].add("kyujipy")
    config = joyokanji_dir / "config"
    for name in ("kanji.json", "variants.json"):
        for old, new in json.loads((config / name).read_text(encoding="utf-8")).items():
            pairs[(old, new)].add("joyokanji")
    out = []
    for (old, new), sources in sorted(pairs.items()):
        if old != new and unicodedata.normalize("NFKC", old) != new and len(old) == len(new) == 1:
            out.append((old, new, "+".join(sorted(sources))))
    return out


def _to_katakana(kana: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)
