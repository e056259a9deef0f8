"""Per-character name readings learned from the real-name tables (used by bench/build_name_data.py).

Each (kanji, katakana) pair of a table is aligned character by character to KANJIDIC readings (on'yomi,
kun'yomi stems, nanori), allowing the sound changes names show: rendaku (山田 ヤマ+ダ), gemination of a
final ツ/チ/ク/キ (一色 イッ+シキ). Each alignment adds (1 + real people
bearing the pair) to a count of (part, character, position, kana piece), position being "i" for the first
character and "n" for the others. kartoteka reads spellings its tables do not know from these counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

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
    """(character, position i|n, kana piece) -> count, from (kanji, katakana, count) pairs."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for kanji, kana, count in pairs:
        alignments = align(kanji, kana, char_readings)
        for pieces in alignments:
            for i, (char, piece) in enumerate(zip(kanji, pieces, strict=True)):
                counts[(char, "i" if i == 0 else "n", piece)] += count / len(alignments)
    return counts
