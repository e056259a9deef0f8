"""The decoder's answers for the spellings clerks wrote most often, computed ahead and shipped with the package.

``decode.decoded_word(word, part)`` is a pure function of the cleaned Cyrillic word and the name part. Most of
what a clerk wrote is one of relatively few spellings: the standard rendering of a common name and its usual
slips. ``data/decoded_spellings.tsv.gz`` holds the decoder's exact answers for the spellings that carry most of
the channel's probability over the real-name priors (``likely_spellings``), each read as a surname and as a given
name; a word not in the table is decoded as before. The answers are the same, only sooner.

The table records a digest of what the decoder's answers depend on (the decoder, the channel, the kana tables
and the two priors). When they change and the table was not rebuilt, the table is not used (a test fails until
``bench/build_spellings.py`` rebuilds it), so a stale table never gives an answer the decoder would not.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import hashlib
import heapq
from collections import defaultdict
from collections.abc import Iterator, Mapping
from importlib import resources

from kartoteka.names.channel import ClerkErrorRates, mora_renderings
from kartoteka.names.kana import in_context, split_morae

TABLE_FILE = "decoded_spellings.tsv.gz"
TABLE_LIMIT = 5  # readings kept per spelling and part: answers for any limit up to this
_PARTS = {"s": "surname", "g": "given"}
_CODES = {name: code for code, name in _PARTS.items()}
# What the decoder's answers depend on: its code, the channel's, the kana tables', the priors and their loader.
_INPUTS = ("decode.py", "channel.py", "kana.py", "kanji.py", "data/surname_reading_prior.tsv.gz",
           "data/given_reading_prior.tsv.gz")
Answer = tuple[tuple[str, float], ...]


def inputs_digest() -> str:
    """A digest of the files the decoder's answers depend on."""
    digest = hashlib.sha256()
    package = resources.files("kartoteka.names")
    for name in _INPUTS:
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


class SpellingTable:
    """The table's rows ("code\tword\tanswer"), kept sorted as one list of lines and searched by bisection.

    Parsing every row into a dict took about a second in every process that reads a name (each reading worker
    of a link, each web worker, each `names` command); splitting the text into lines and sorting the already
    sorted list takes a tenth of that, and a lookup is about twenty comparisons of strings."""

    def __init__(self, rows: list[str]) -> None:
        rows.sort()  # the file is written sorted (table_lines): then this is one pass
        self._rows = rows

    def get(self, part: str, word: str) -> str | None:
        """The encoded answer for ``word`` as ``part``, or None."""
        key = f"{_CODES[part]}\t{word}\t"
        at = bisect.bisect_left(self._rows, key)
        if at < len(self._rows) and self._rows[at].startswith(key):
            return self._rows[at][len(key):]
        return None

    def _span(self, part: str) -> tuple[int, int]:
        code = _CODES[part]
        return bisect.bisect_left(self._rows, f"{code}\t"), bisect.bisect_left(self._rows, f"{code}\u000b")

    def words(self, part: str) -> list[str]:
        """The spellings the table holds for ``part``, in order."""
        first, end = self._span(part)
        return [row.split("\t", 2)[1] for row in self._rows[first:end]]

    def size(self, part: str) -> int:
        first, end = self._span(part)
        return end - first

    def __bool__(self) -> bool:
        return bool(self._rows)


@functools.cache
def _table() -> SpellingTable:
    """The shipped table; empty when the file is missing or was built for other inputs."""
    try:
        raw = (resources.files("kartoteka.names") / "data" / TABLE_FILE).read_bytes()
    except FileNotFoundError:
        return SpellingTable([])
    return parse_table(gzip.decompress(raw).decode("utf-8"), inputs_digest())


def parse_table(text: str, digest: str) -> SpellingTable:
    """The table from the file's text; empty unless its header names ``digest`` and TABLE_LIMIT (a table built
    for another decoder or other priors would give other answers)."""
    head, _, body = text.partition("\n")
    header = dict(field.split("=", 1) for field in head.lstrip("# ").split() if "=" in field)
    if header.get("digest") != digest or header.get("limit") != str(TABLE_LIMIT):
        return SpellingTable([])
    rows = body.split("\n")
    if rows and not rows[-1]:
        rows.pop()
    return SpellingTable(rows)


@functools.cache
def _names(part: str) -> list[str]:
    """The readings of a part's prior in its order: a table answer names them by position."""
    from kartoteka.names import kanji

    return list(kanji.surname_prior() if part == "surname" else kanji.given_prior())


def is_current() -> bool:
    """Whether the shipped table was built for the decoder and priors as they are now."""
    return bool(_table())


def lookup(word: str, part: str) -> Answer | None:
    """The decoder's answer for a cleaned Cyrillic ``word`` as ``part``, or None if the table lacks it."""
    encoded = _table().get(part, word) if part in _CODES else None
    if encoded is None:
        return None
    return decode_answer(encoded, _names(part))


def decode_answer(encoded: str, names: list[str]) -> Answer:
    """An answer from its table form: "reading:score|reading:score", a reading written as its position in the
    part's prior (the decoder's readings are the prior's names) or, for the odd one written otherwise, as kana."""
    if not encoded:
        return ()
    out = []
    for item in encoded.split("|"):
        reading, score = item.split(":")
        out.append((names[int(reading)] if reading.isdigit() else reading, float(score)))
    return tuple(out)


def encode_answer(answer: Answer, positions: Mapping[str, int]) -> str:
    """The table form of an answer (scores are rounded by the decoder, so they read back exactly)."""
    return "|".join(f"{positions.get(kana, kana)}:{score!r}" for kana, score in answer)


def table_size() -> Mapping[str, int]:
    """Spellings in the table per part (0 when it is not used)."""
    table = _table()
    return {part: table.size(part) for part in _PARTS.values()}


# --------------------------------------------------------------------------------------- building it
def spelling_distribution(kana: str, rates: ClerkErrorRates, beam: int = 24,
                          floor: float = 1e-4) -> dict[str, float]:
    """P(Cyrillic spelling | kana) for one kana word under the clerk channel without misread letters: the
    ``beam`` likeliest spellings, those of probability ``floor`` or more (mora by mora, through
    ``mora_renderings``, the model the simulator samples from)."""
    partial: dict[str, float] = {"": 1.0}
    for prev, mora, nxt in in_context(split_morae(kana)):
        grown: dict[str, float] = defaultdict(float)
        options = [(text, p) for text, p, _ in mora_renderings(prev, mora, nxt, rates) if p >= floor]
        for written, p in partial.items():
            for text, q in options:
                if p * q >= floor:
                    grown[written + text] += p * q
        partial = dict(heapq.nlargest(beam, grown.items(), key=lambda item: item[1]))
    return {written: p for written, p in partial.items() if written}


def likely_spellings(prior: Mapping[str, float], rates: ClerkErrorRates, names: int) -> Iterator[tuple[str, float]]:
    """(spelling, probability) of a clerk's spelling of a name drawn from ``prior`` (its ``names`` most
    probable readings), likeliest first; a spelling shared by several names adds up their shares. Misread
    letters (a copy's slips) are left out: they are spread over too many spellings to be worth a row each."""
    mass: dict[str, float] = defaultdict(float)
    for kana, weight in list(prior.items())[:names]:
        for written, p in spelling_distribution(kana, rates).items():
            mass[written] += weight * p
    yield from sorted(mass.items(), key=lambda item: (-item[1], item[0]))


def table_lines(answers: Mapping[tuple[str, str], Answer], digest: str) -> list[str]:
    """The file's lines: a header with the digest and limit, then part code, word and answer per row."""
    header = f"# kartoteka decoded spellings digest={digest} limit={TABLE_LIMIT} rows={len(answers)}"
    positions = {part: {kana: index for index, kana in enumerate(_names(part))} for part in _PARTS.values()}
    rows = [f"{_CODES[part]}\t{word}\t{encode_answer(answer, positions[part])}"
            for (part, word), answer in sorted(answers.items())]
    return [header, *rows]
