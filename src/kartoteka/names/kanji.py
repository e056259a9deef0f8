"""Kanji names to katakana readings, real-name priors, and old (kyūjitai) to new (shinjitai) kanji forms.

The data is bundled under ``names/data/`` (built by ``bench/build_name_data.py`` from JMnedict, the
japanese-personal-name-dataset and Sudachi's lexicon; see NOTICE-data.md) and loaded once, lazily.
Surnames and given names each have their own table, so 東海林 reads ショウジ as a surname and 五十六
reads イソロク as a given name. A spelling the tables do not know is segmented into known name pieces
and characters read as names read them (a per-character model learned from the tables, then KANJIDIC),
the whole readings ranked again by how common each is among real names of the part, with Sudachi's
person-name analysis (when installed) as a minor share: the answer is non-empty whenever the text has a
kanji KANJIDIC knows, or kana.
"""

from __future__ import annotations

import functools
import gzip
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Literal, NamedTuple

from kartoteka.core.errors import KartotekaError

__all__ = [
    "PARTS", "FullNameReading", "NameTable", "NameTables", "Part", "fold_kanji_variants", "full_name_readings",
    "given_prior", "is_known_given_reading", "is_known_spelling", "is_known_surname_reading", "kanji_readings",
    "kyujitai_table", "name_tables", "new_to_old_variants", "old_to_new_kanji", "split_full_name", "surname_prior",
]  # fmt: skip

Part = Literal["surname", "given"]
PARTS: tuple[Part, Part] = ("surname", "given")
_TABLE_FILES = {"surname": "surnames.tsv.gz", "given": "given_names.tsv.gz"}
_SEPARATORS = " \u3000・･·,、"
_MAX_NAME_LENGTH = 16  # longer runs are not names; segmentation stays bounded
_SUDACHI_SHARE = 0.1  # share of Sudachi's reading of a spelling the tables do not know
_PIECE_COST = 1.0  # log-cost of each piece of a segmentation: fewer, longer known pieces win
_TABLE_PIECE_COST = 2.0  # extra log-cost of a multi-character piece read from a table
_PRIOR_WEIGHT = 0.5  # weight of log P(reading as a name of the part) when ranking a segmentation's readings
_PRIOR_FLOOR = 1e-7  # P of a reading no real name of the part has
_SEGMENT_BEAM = 20  # readings kept per position, then ranked again with the reading prior


@dataclass(frozen=True)
class NameTable:
    """One part's real-name table as parallel columns, sorted by kanji and then by weight.

    ``weight`` estimates P(spelling, reading) among bearers of the name part (it sums to 1 over the
    table); ``sex`` is "m", "f" or "u" (unknown or both; always "u" for surnames)."""

    part: Part
    kanji: tuple[str, ...]
    katakana: tuple[str, ...]
    weight: tuple[float, ...]
    sex: tuple[str, ...]
    sources: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.kanji)

    def entries(self) -> Iterator[tuple[str, str, float, str]]:
        """(kanji, katakana, weight, sex) rows."""
        return zip(self.kanji, self.katakana, self.weight, self.sex, strict=True)


class NameTables(NamedTuple):
    """The surname and given-name tables (what the simulator samples real names from)."""

    surnames: NameTable
    given: NameTable


class FullNameReading(NamedTuple):
    """One reading of a full name: the split, the katakana of each part, and its probability."""

    surname: str
    given: str
    surname_kana: str
    given_kana: str
    probability: float


# ---------------------------------------------------------------- loading


def _data_file(name: str):
    path = resources.files("kartoteka.names") / "data" / name
    if not path.is_file():
        raise KartotekaError(
            code="names.data_missing",
            message=f"The bundled name data file names/data/{name} is missing.",
            hint="Reinstall kartoteka, or rebuild the data: see docs/how-to/rebuild-name-data.md.",
            file=str(path),
        )
    return path


def _read_tsv(name: str) -> list[list[str]]:
    return [line.split("\t") for line in _read_text(name).splitlines()[1:] if line]


def _read_text(name: str) -> str:
    raw = _data_file(name).read_bytes()
    return gzip.decompress(raw).decode("utf-8") if name.endswith(".gz") else raw.decode("utf-8")


def _read_columns(name: str, width: int) -> list[list[str]]:
    """The columns of a rectangular TSV file, read with one split (fast: the tables have ~465,000 rows)."""
    body = _read_text(name).split("\n", 1)[1].rstrip("\n")
    cells = body.replace("\n", "\t").split("\t")
    if len(cells) % width:
        raise KartotekaError(
            code="names.data_corrupt",
            message=f"The bundled name data file names/data/{name} is damaged.",
            hint="Reinstall kartoteka, or rebuild the data: see docs/how-to/rebuild-name-data.md.",
        )
    return [cells[i::width] for i in range(width)]


@functools.cache
def _table(part: Part) -> NameTable:
    if part == "surname":
        kanji, kana, weight, sources = _read_columns(_TABLE_FILES[part], 4)
        sex: list[str] | tuple[str, ...] = ("u",) * len(kanji)
    else:
        kanji, kana, weight, sex, sources = _read_columns(_TABLE_FILES[part], 5)
    floats = tuple(map(float, weight))
    return NameTable(part, tuple(kanji), tuple(kana), floats, tuple(sex), tuple(sources))


def name_tables() -> NameTables:
    """The surname and given-name tables (kanji, katakana, weight, sex), loaded once."""
    return NameTables(_table("surname"), _table("given"))


@functools.cache
def _row_ranges(part: Part) -> tuple[dict[str, int], dict[str, int]]:
    """kanji -> its first row and kanji -> its last row (the table is sorted by kanji, then by weight)."""
    kanji = _table(part).kanji
    last = dict(zip(kanji, range(len(kanji)), strict=True))
    first = dict(zip(reversed(kanji), range(len(kanji) - 1, -1, -1), strict=True))
    return first, last


def _table_readings(kanji: str, part: Part) -> list[tuple[str, float]]:
    """(katakana, weight) rows of one spelling in the part's table, best first; [] when unknown."""
    first, last = _row_ranges(part)
    start = first.get(kanji)
    if start is None:
        return []
    table = _table(part)
    end = last[kanji] + 1
    return list(zip(table.katakana[start:end], table.weight[start:end], strict=True))


@functools.cache
def _spelling_weight(part: Part) -> Mapping[str, float]:
    """kanji -> P(kanji) within the part's table."""
    table = _table(part)
    totals: dict[str, float] = defaultdict(float)
    for kanji, weight in zip(table.kanji, table.weight, strict=True):
        totals[kanji] += weight
    return totals


def _normalized(pairs: list[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    merged: dict[str, float] = defaultdict(float)
    for kana, w in pairs:
        merged[kana] += w
    total = sum(merged.values()) or 1.0
    return tuple(sorted(((k, w / total) for k, w in merged.items()), key=lambda kv: (-kv[1], kv[0])))


@functools.cache
def _char_readings() -> Mapping[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """char -> (on'yomi, kun'yomi, nanori) from KANJIDIC2."""
    return {
        r[0]: (tuple(r[1].split()), tuple(r[2].split()), tuple(r[3].split()))
        for r in _read_tsv("kanji_chars.tsv.gz")
    }


# ---------------------------------------------------------------- priors


@functools.cache
def surname_prior() -> Mapping[str, float]:
    """katakana -> probability that a Japanese surname is read so (summed over its spellings)."""
    kana, probability = _read_columns("surname_reading_prior.tsv.gz", 2)
    return _distribution(kana, probability)


@functools.cache
def given_prior(sex: str | None = None) -> Mapping[str, float]:
    """katakana -> probability of a given-name reading; ``sex`` "m" or "f" keeps that sex and the unknown."""
    if sex not in (None, "m", "f"):
        raise KartotekaError("names.sex", f"Unknown sex {sex!r}.", hint="Use 'm', 'f' or None.")
    kana, overall, male, female = _read_columns("given_reading_prior.tsv.gz", 4)
    return _distribution(kana, {None: overall, "m": male, "f": female}[sex])


def _distribution(kana: list[str], probability: list[str]) -> Mapping[str, float]:
    """Renormalised (the file rounds to 4 significant digits), zeros dropped, most probable first."""
    values = list(map(float, probability))
    total = sum(values) or 1.0
    return MappingProxyType({k: p / total for k, p in zip(kana, values, strict=True) if p > 0})


def is_known_surname_reading(katakana: str) -> bool:
    """Whether some real surname is read so."""
    return katakana in surname_prior()


def is_known_given_reading(katakana: str) -> bool:
    """Whether some real given name is read so."""
    return katakana in given_prior()


def is_known_spelling(kanji: str, part: Part) -> bool:
    """Whether the table of this part has this kanji spelling (after old→new folding)."""
    first = _row_ranges(part)[0]
    return any(spelling in first for spelling in (kanji, old_to_new_kanji(kanji), fold_kanji_variants(kanji)))


# ---------------------------------------------------------------- readings


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return "".join(c for c in text if c not in _SEPARATORS and unicodedata.category(c)[0] in "LN")


def kanji_readings(kanji: str, part: Part = "surname", limit: int = 5) -> list[tuple[str, float]]:
    """Katakana readings of one name part, best first, with probabilities summing to at most 1.

    Known spellings come from the part's real-name table (old forms and name variants folded); unknown ones
    from a segmentation into known name pieces and characters read as names read them, with Sudachi's
    person-name analysis as a minor share. Empty only for text with no kana and no kanji KANJIDIC knows."""
    if part not in PARTS:
        raise KartotekaError("names.part", f"Unknown name part {part!r}.", hint="Use 'surname' or 'given'.")
    if limit < 1:
        raise KartotekaError(
            "names.limit", f"limit must be at least 1, not {limit}.", hint="Ask for limit=5."
        )
    return list(_cached_readings(kanji, part, limit))  # a fresh list: callers may change it, the cache stays


@functools.lru_cache(maxsize=65536)
def _cached_readings(kanji: str, part: Part, limit: int) -> tuple[tuple[str, float], ...]:
    text = _clean(kanji)[:_MAX_NAME_LENGTH]
    if not text:
        return ()
    if _is_kana(text):
        return ((_to_katakana(text), 1.0),)
    for spelling in dict.fromkeys((text, old_to_new_kanji(text), fold_kanji_variants(text))):
        known = _table_readings(spelling, part)
        if known:
            return _normalized(known)[:limit]
    return tuple(_unknown_spelling_readings(fold_kanji_variants(text), part, limit))


def _unknown_spelling_readings(text: str, part: Part, limit: int) -> list[tuple[str, float]]:
    """Segmentation into known pieces first (measured: ~76% top-1, ~95% top-5 for surnames, ~77% and ~95% for
    given names, on held-out real names read as if unknown); Sudachi's person-name analysis, when it has one,
    as a minor share."""
    segmented = _segmented_readings(text, part, limit)
    by_sudachi = _sudachi_name_readings(text, part)
    share = _SUDACHI_SHARE if segmented and by_sudachi else 1.0
    candidates: dict[str, float] = defaultdict(float)
    for kana, p in by_sudachi:
        candidates[kana] += p * share
    for kana, p in segmented:
        candidates[kana] += p * (1.0 - share if by_sudachi else 1.0)
    ranked = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit]


def _segmented_readings(text: str, part: Part, limit: int, whole: bool = True) -> list[tuple[str, float]]:
    """n-best readings of ``text`` as a sequence of known pieces, by dynamic programming over positions, then
    ranked again by how common each whole reading is among real names of the part (テツオ is a given name,
    テツフ is not).

    A piece is a spelling from either table (its own part preferred) or a single character read by the
    per-character model; every piece costs, so whole known spellings win over fragments. ``whole=False``
    reads a known name as if unknown (the benchmark): no table entry for the whole text, and the reading
    prior without that spelling's own share."""
    beam = max(limit, _SEGMENT_BEAM)
    best: list[list[tuple[float, str]]] = [[] for _ in range(len(text) + 1)]
    best[0] = [(0.0, "")]
    for end in range(1, len(text) + 1):
        options: dict[str, float] = {}
        for start in range(max(0, end - 6), end):
            if not best[start] or (not whole and start == 0 and end == len(text) > 1):
                continue
            for kana, logp in _piece_readings(text[start:end], part, start == 0, end == len(text)):
                for prev_logp, prev_kana in best[start]:
                    total, joined = prev_logp + logp - _PIECE_COST, prev_kana + kana
                    if total > options.get(joined, -math.inf):
                        options[joined] = total
        best[end] = sorted(((lp, k) for k, lp in options.items()), reverse=True)[:beam]
    prior = surname_prior() if part == "surname" else given_prior()
    own = {} if whole else dict(_summed_by_reading(_table_readings(text, part)))

    def prior_log(kana: str) -> float:
        return math.log(max(prior.get(kana, 0.0) - own.get(kana, 0.0), 0.0) + _PRIOR_FLOOR)

    return _softmax(
        sorted(((lp + _PRIOR_WEIGHT * prior_log(kana), kana) for lp, kana in best[-1]), reverse=True)
    )


def _summed_by_reading(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """(katakana, weight) rows of a spelling summed per reading, unnormalised (P(spelling, reading))."""
    merged: dict[str, float] = defaultdict(float)
    for kana, weight in pairs:
        merged[kana] += weight
    return list(merged.items())


@functools.lru_cache(maxsize=65536)
def _piece_readings(piece: str, part: Part, first: bool, last: bool = False) -> tuple[tuple[str, float], ...]:
    """(katakana, log-probability) for one piece of a segmented name.

    A single character is read by the per-character model learned from the tables (how that character is
    read at the start, inside or, for given names, at the end of real names of this part); a longer piece
    by the tables themselves."""
    if _is_kana(piece):
        return ((_to_katakana(piece), 0.0),)
    out: dict[str, float] = {}
    if len(piece) == 1:
        model = _char_model(part)
        position = "i" if first else "f" if last and (piece, "f") in model else "n"
        for kana, p in model.get((piece, position), ())[:8]:
            _keep_best(out, kana, math.log(p))
        if not out:
            for rank, kana in enumerate(_char_candidates(piece, part)[:6]):
                _keep_best(out, kana, -3.0 - 0.7 * rank)
        return tuple(out.items())
    other: Part = "given" if part == "surname" else "surname"
    for table_part, penalty in ((part, _TABLE_PIECE_COST), (other, _TABLE_PIECE_COST + 1.0)):
        for kana, p in _normalized(_table_readings(piece, table_part))[:4]:
            _keep_best(out, kana, math.log(p) - penalty)
            if not first:  # rendaku: 山田 = ヤマ + ダ
                _keep_best(out, _voiced(kana), math.log(p) - penalty - 1.5)
    return tuple(out.items())


@functools.cache
def _char_model(part: Part) -> Mapping[tuple[str, str], tuple[tuple[str, float], ...]]:
    """(char, position "i" first | "n" inside | "f" last) -> ((katakana piece, probability), ...), best first."""
    counts: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for row_part, char, position, kana, count in _read_tsv("name_char_readings.tsv.gz"):
        if row_part == part:
            counts[(char, position)].append((kana, float(count)))
    return {key: _normalized(pairs) for key, pairs in counts.items()}


def _keep_best(out: dict[str, float], kana: str, logp: float) -> None:
    if logp > out.get(kana, -math.inf):
        out[kana] = logp


def _char_candidates(char: str, part: Part) -> list[str]:
    """A character's readings in the order names use them: nanori and kun'yomi before on'yomi."""
    on, kun, nanori = _char_readings().get(char, ((), (), ()))
    ordered = (kun + nanori + on) if part == "surname" else (nanori + kun + on)
    return list(dict.fromkeys(ordered))


def _softmax(scored: list[tuple[float, str]]) -> list[tuple[str, float]]:
    if not scored:
        return []
    top = scored[0][0]
    exps = [(k, math.exp(lp - top)) for lp, k in scored]
    total = sum(e for _, e in exps)
    return [(k, e / total) for k, e in exps]


# ---------------------------------------------------------------- Sudachi (optional, lazy)


@functools.cache
def _sudachi():
    """Sudachi's core dictionary and a tokenizer, created once; None when SudachiPy is not installed."""
    try:
        from sudachipy import Dictionary
    except ImportError:
        return None
    try:
        dictionary = Dictionary(dict="core")
    except Exception:  # a missing or broken dictionary package: fall back to the bundled data only
        return None
    return dictionary, dictionary.tokenizer()


def _sudachi_name_readings(text: str, part: Part) -> list[tuple[str, float]]:
    """Readings of ``text`` from Sudachi's person-name entries for the part, else from its analysis."""
    sudachi = _sudachi()
    if sudachi is None:
        return []
    dictionary, tokenizer = sudachi
    wanted = "姓" if part == "surname" else "名"
    found = [m.reading_form() for m in dictionary.lookup(text) if m.part_of_speech()[2:4] == ("人名", wanted)]
    if found:
        return [(k, 1 / len(found)) for k in dict.fromkeys(found)]
    morphemes = tokenizer.tokenize(text + "さん")
    if len(morphemes) > 2 and all(m.part_of_speech()[2] == "人名" for m in list(morphemes)[:-1]):
        return [("".join(m.reading_form() for m in list(morphemes)[:-1]), 1.0)]
    return []


# ---------------------------------------------------------------- full names


def full_name_readings(text: str, limit: int = 5) -> list[FullNameReading]:
    """Readings of a full kanji name, surname first; split on a separator or, without one, at the
    split points that make the likeliest surname + given name by both tables."""
    cleaned = unicodedata.normalize("NFKC", text).strip()[: _MAX_NAME_LENGTH * 2]
    parts = [p for p in _split_on_separators(cleaned) if p]
    if len(parts) >= 2:
        splits = [(_clean(parts[0]), _clean("".join(parts[1:])), 1.0)]
    else:
        splits = _likely_splits(_clean(cleaned))
    out: list[FullNameReading] = []
    for surname, given, p_split in splits:
        given_readings = kanji_readings(given, "given", limit) if given else [("", 1.0)]
        for s_kana, p_s in kanji_readings(surname, "surname", limit):
            for g_kana, p_g in given_readings:
                out.append(FullNameReading(surname, given, s_kana, g_kana, p_split * p_s * p_g))
    out.sort(key=lambda r: -r.probability)
    return out[:limit]


def _split_on_separators(text: str) -> list[str]:
    for sep in _SEPARATORS:
        text = text.replace(sep, " ")
    return text.split()


def split_full_name(text: str) -> list[tuple[str, str, float]]:
    """(surname, given, probability) for the likeliest split points of an unseparated full name."""
    return _likely_splits(_clean(text)[: _MAX_NAME_LENGTH * 2])


def _likely_splits(text: str) -> list[tuple[str, str, float]]:
    """Split points scored by P(surname) × P(given name): spelling weights for kanji, reading priors for
    kana; a part neither knows gets a small floor times how often real names of that part have its length."""
    if len(text) < 2:
        return [(text, "", 1.0)] if text else []
    if _is_kana(text):
        key = _to_katakana(text)
        surnames, given = surname_prior(), given_prior()
    else:
        key = fold_kanji_variants(text)  # character for character, so split points carry over
        surnames, given = _spelling_weight("surname"), _spelling_weight("given")
    s_lengths, g_lengths = _length_prior("surname"), _length_prior("given")
    floor = 1e-9  # an unknown part: possible, but far less likely than any known one
    scored = []
    for i in range(1, len(text)):
        s, g = key[:i], key[i:]
        p_s = surnames.get(s) or floor * s_lengths.get(len(s), 1e-3)
        p_g = given.get(g) or floor * g_lengths.get(len(g), 1e-3)
        scored.append((text[:i], text[i:], p_s * p_g))
    total = sum(p for _, _, p in scored)
    scored.sort(key=lambda t: -t[2])
    return [(s, g, p / total) for s, g, p in scored[:3]]


@functools.cache
def _length_prior(part: Part) -> Mapping[int, float]:
    """How often a real name of this part has 1, 2, 3... characters (weighted by the table)."""
    table = _table(part)
    lengths: dict[int, float] = defaultdict(float)
    for kanji, weight in zip(table.kanji, table.weight, strict=True):
        lengths[len(kanji)] += weight
    total = sum(lengths.values()) or 1.0
    return {n: w / total for n, w in lengths.items()}


# ---------------------------------------------------------------- old and new kanji forms


@functools.cache
def _forms() -> tuple[dict[int, str], dict[int, str], dict[str, tuple[str, ...]]]:
    """(old → new, old or variant → standard, standard → its old forms and variants)."""
    old_new = _read_tsv("kyujitai.tsv")
    variants = _read_tsv("itaiji.tsv")
    to_new = {ord(old): new for old, new, _source in old_new}
    folded = {**to_new, **{ord(variant): standard for variant, standard, _source in variants}}
    to_old: dict[str, list[str]] = defaultdict(list)
    for old, new, _source in old_new + variants:
        to_old[new].append(old)
    return to_new, folded, {k: tuple(v) for k, v in to_old.items()}


def kyujitai_table() -> Mapping[str, str]:
    """old (kyūjitai) form -> new (shinjitai) form, one character each."""
    return MappingProxyType({chr(k): v for k, v in _forms()[0].items()})


def old_to_new_kanji(text: str) -> str:
    """Replace old (kyūjitai) kanji forms by the new (shinjitai) ones: 濱→浜, 齋→斎, 國→国."""
    return text.translate(_forms()[0])


def fold_kanji_variants(text: str) -> str:
    """Old forms to new, and the variant characters of names to their standard form (冨→富, 嶋→島, 邉→辺)."""
    return text.translate(_forms()[1])


def new_to_old_variants(text: str, limit: int = 32) -> list[str]:
    """The spellings of ``text`` with standard forms replaced by their old forms and variants (for search),
    ``text`` first."""
    variants = [""]
    for char in text:
        choices = (char, *_forms()[2].get(char, ()))
        variants = [v + c for v in variants for c in choices][:limit]
    return variants


# ---------------------------------------------------------------- kana helpers


def _is_kana(text: str) -> bool:
    return all("\u3041" <= c <= "\u30ff" for c in text)


def _to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


_VOICED = dict(
    zip("カキクケコサシスセソタチツテトハヒフヘホ", "ガギグゲゴザジズゼゾダヂヅデドバビブベボ", strict=True)
)


def _voiced(kana: str) -> str:
    return _VOICED.get(kana[:1], kana[:1]) + kana[1:] if kana else kana
