"""Cyrillic -> katakana as a noisy channel: P(kana | cyrillic) ∝ P(cyrillic | kana) · P(kana).

P(cyrillic | kana) is the clerk channel of ``kartoteka.names.channel`` (the same patterns and rates the
simulator samples from), read mora by mora through ``mora_renderings``, plus letter-level misreadings
(cursive confusions) and a few generic edits for slips the patterns do not describe.
P(kana) is the real-name prior of ``kartoteka.names.kanji`` (surname or given name); names the prior does
not know are left to the letter-by-letter reading in ``kartoteka.names.readings``.

The search is a beam over the input positions (``BEAM`` hypotheses per position, at most ``MAX_EDITS``
generic edits per word, input capped at ``MAX_WORD``), walking a trie of the prior's names, so long vowels
the Cyrillic dropped come back where real names have them (Тодзё -> トウジョウ, Ито -> イトウ).
A trie node knows the mora on its edge and the one before it, so everything the channel says about that
mora (its renderings in each right context, the letters it can start with) is computed once per node.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache

from kartoteka.names import kanji, spellings
from kartoteka.names.channel import PROFILES, misread_options, mora_renderings
from kartoteka.names.kana import (
    MORAE,
    SMALL_KANA,
    Mora,
    is_long_vowel_tail,
    mora_of,
    split_morae,
    split_morae_uncached,
)

BEAM = 10
MAX_EDITS = 2
MAX_WORD = 24
LOG_EDIT = math.log(0.002)  # a slip the patterns do not describe (per letter)
GOOD_ENOUGH = -22.0  # a first pass without generic edits that scores at least this is kept
TRIE_NAMES = 60_000  # most frequent readings per part in the trie (98% of surname bearers, all given names)
DECODE_RATES = replace(PROFILES["realistic"], copy_misread=0.01)
WORD_CACHE = 100_000  # decoded words kept
SCORE_DIGITS = 4  # decimals of the log scores decoded_word returns
CACHE_LIMIT = 2_000_000  # entries in the tries and their per-node caches before they are dropped and regrown
_NEG = -1e9
_INF = float("inf")
_ROOT = Mora("", "", "")  # the root's edge: no mora
Renderings = tuple[tuple[str, float], ...]


@lru_cache(maxsize=1024)  # morae are interned: a few hundred of them
def _prev_key(prev: Mora | None) -> tuple | None:
    """What of the previous mora a rendering depends on: its vowel, and whether it is a lone ウ."""
    return None if prev is None else (prev.vowel, prev.kana == "ウ")


def _context_key(mora: Mora, nxt: Mora | None) -> tuple | None:
    """What of the next mora the rendering of ``mora`` depends on (see kana.cyrillic_mora and PATTERNS)."""
    if nxt is None:
        return None
    tail = nxt.kana if nxt.kana in ("ア", "イ", "ウ", "エ", "オ", "ー") else ""
    return (nxt.cyrillic[:1], nxt.romaji[:1], nxt.kana[:1] == "チ", tail)


_RENDERINGS: dict[tuple, Renderings] = {}


def _renderings(prev: Mora | None, mora: Mora, nxt: Mora | None) -> Renderings:
    """(Cyrillic, log prob) of what a clerk writes for ``mora`` between ``prev`` and ``nxt``; cached by the
    features of the neighbours that matter, so a few thousand entries serve every name."""
    key = (_prev_key(prev), mora.kana, _context_key(mora, nxt))
    found = _RENDERINGS.get(key)
    if found is None:
        found = tuple(
            (text, math.log(p)) for text, p, _ in mora_renderings(prev, mora, nxt, DECODE_RATES) if p > 1e-6
        )
        if len(_RENDERINGS) < 200_000:
            _RENDERINGS[key] = found
    return found


@lru_cache(maxsize=4096)
def misread_logp(written: str, read: str) -> float:
    """Log probability that a cursive ``written`` letter is read as ``read`` (a very low value if it cannot be)."""
    options = misread_options(written)
    if read in options:
        return math.log(DECODE_RATES.copy_misread / len(options))
    return _NEG


_CONTEXTS = (*split_morae("アカマウイオチツバ"), None)
_LOOKAHEAD: dict[tuple, dict[str, float | None]] = {}  # by (prev key, kana): a few thousand small tables


def _lookahead_uncached(prev: Mora | None, mora: Mora, letter: str) -> float | None:
    """The best log prob of a rendering of ``mora`` (after ``prev``, any right context) that can start where
    the word holds ``letter`` ('' = the end of the word), or None if none can: the optimistic cost that
    ranks a hypothesis before its last mora is rendered."""
    best = None
    for nxt in _CONTEXTS:
        for text, logp in _renderings(prev, mora, nxt):
            if text and not letter:
                continue
            if text and text[0] != letter:
                misread = misread_logp(text[0], letter)
                if misread <= _NEG:
                    continue
                logp += misread
            if best is None or logp > best:
                best = logp
    return best


class _Node:
    """A trie node: the mora on its edge and the one before, its children, the log prior of the name that
    ends here and the best log prior below; the channel's view of its mora is filled in on first use."""

    __slots__ = (
        "ahead",
        "best",
        "by_letters",
        "children",
        "end",
        "every",
        "final",
        "groups",
        "mora",
        "pending",
        "prev",
    )

    def __init__(self, mora: Mora, prev: Mora | None) -> None:
        self.mora, self.prev = mora, prev
        self.children: dict[str, _Node] = {}
        self.end = _NEG
        self.best = _NEG
        self.groups: list[_Group] | None = None
        self.final: Renderings | None = None
        self.every: tuple[list[tuple[str, float, _Group]], list[float], int] | None = None
        self.ahead: dict[str, float | None] | None = None  # made on first use: most nodes are never visited
        self.by_letters: dict[str, list[tuple[str, float, _Group, int, float]]] | None = None
        self.pending: list[tuple[str, float]] | None = None  # names whose subtree is not built yet

    def kids(self) -> dict[str, _Node]:
        """The children, building this subtree from its pending names on first use."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            _CACHED[0] += len(pending)
            for kana, logp in pending:
                _insert(self, split_morae_uncached(kana)[1:], logp)
        return self.children

    def lookahead(self, letter: str) -> float | None:
        """The best log prob of a rendering of this node's mora that can start where the word holds
        ``letter`` (see ``_lookahead_uncached``), from the table shared by nodes with the same view."""
        table = self.ahead
        if table is None:  # shared by every node with the same view of its mora
            table = self.ahead = _LOOKAHEAD.setdefault((_prev_key(self.prev), self.mora.kana), {})
        if letter not in table:
            table[letter] = _lookahead_uncached(self.prev, self.mora, letter)
        return table[letter]

    def endings(self) -> Renderings:
        """Renderings of this node's mora as the last of the word."""
        if self.final is None:
            self.final = _renderings(self.prev, self.mora, None)
        return self.final

    def next_groups(self) -> list[_Group]:
        """The children grouped by the renderings they give this node's mora."""
        if self.groups is None:
            grouped: dict[tuple | None, list[_Node]] = defaultdict(list)
            for child in self.kids().values():
                grouped[_context_key(self.mora, child.mora)].append(child)
            self.groups = [
                _Group(_renderings(self.prev, self.mora, members[0].mora), members)
                for members in grouped.values()
            ]
        return self.groups

    def all_renderings(self) -> tuple[list[tuple[str, float, _Group]], list[float], int]:
        """(rendering, log prob, group) of this node's mora before each group of children; for each the
        most that it or any later one adds to a hypothesis (log prob + best prior below; infinite while an
        empty rendering is still to come), so that a search can stop early; the longest rendering."""
        if self.every is None:
            entries = [(text, logp, group) for group in self.next_groups() for text, logp in group.renderings]
            ceilings, ceiling = [0.0] * len(entries), -_INF
            for index in range(len(entries) - 1, -1, -1):
                text, logp, group = entries[index]
                ceiling = _INF if not text else max(ceiling, logp + group.best)
                ceilings[index] = ceiling
            self.every = (entries, ceilings, max((len(text) for text, _, _ in entries), default=0))
            _CACHED[0] += 2 * len(entries)
        return self.every

    def renderings_at(self, letters: str) -> list[tuple[str, float, _Group, int, float]]:
        """(rendering, log prob, group, size, misread log prob) of the renderings that can start where the
        word holds ``letters`` (its next one or two letters, each as written or misread), or empty ones.
        A rendering no longer than ``letters`` is matched here once (size, misread cost); a longer one has
        size -1 and is matched against the word when used."""
        cache = self.by_letters
        if cache is None:
            cache = self.by_letters = {}
        found = cache.get(letters)
        if found is None:
            found = cache[letters] = [
                (text, logp, group, size, misread)
                for group in self.next_groups()
                for text, logp, size, misread in _fitting(group.renderings, letters)
            ]
            _CACHED[0] += len(found) + 1
        return found


def _fitting(renderings: Renderings, letters: str) -> list[tuple[str, float, int, float]]:
    """(rendering, log prob, size, misread log prob) of the ``renderings`` that fit ``letters`` (``_fits``);
    size -1 for one that runs past them. Shared by every node whose mora has these renderings."""
    key = (renderings, letters)
    found = _FITTING.get(key)
    if found is None:
        found = _FITTING[key] = []
        for text, logp in renderings:
            if not _fits(text, letters):
                continue
            if len(text) > len(letters):
                found.append((text, logp, -1, 0.0))
                continue
            misread = 0.0
            for a, b in zip(text, letters, strict=False):
                if a != b:
                    misread += misread_logp(a, b)
            found.append((text, logp, len(text), misread))
        _CACHED[0] += len(found) + 1
    return found


_FITTING: dict[tuple[Renderings, str], list[tuple[str, float, int, float]]] = {}


def _fits(text: str, letters: str) -> bool:
    """Whether a rendering may start a stretch of the word that begins with ``letters`` (no generic edits)."""
    if len(text) > len(letters) and len(letters) < 2:
        return not text  # the word ends before the rendering would
    return all(a == b or misread_logp(a, b) > _NEG for a, b in zip(text, letters, strict=False))


class _Group:
    """Children that give their parent's mora the same renderings; viable ones cached per next letter."""

    __slots__ = ("best", "by_letter", "members", "renderings")

    def __init__(self, renderings: Renderings, members: list[_Node]) -> None:
        self.renderings = renderings
        self.members = members
        self.best = max(child.best for child in members)
        self.by_letter: dict[str, list[tuple[float, _Node, float]]] = {}

    def ranked_by(self, letter: str) -> list[tuple[float, _Node, float]]:
        """(best prior below + lookahead, child, lookahead) for the children whose mora can start where the
        word holds ``letter``, best first, so that a search can stop at the first child that cannot enter
        the beam (a stable sort: children that tie keep their order)."""
        found = self.by_letter.get(letter)
        if found is None:
            viable = []
            for child in self.members:
                ahead = child.lookahead(letter)
                if ahead is not None:
                    viable.append((child.best + ahead, child, ahead))
            found = self.by_letter[letter] = sorted(viable, key=lambda item: -item[0])
            _CACHED[0] += len(found) + 1
        return found


def _prev_for(node: _Node, mora: Mora) -> Mora | None:
    """The ``prev`` the rules see for ``mora`` after ``node`` (none after a long-vowel tail; see in_context)."""
    if node.mora is _ROOT or (node.prev is not None and is_long_vowel_tail(node.prev, node.mora, mora)):
        return None
    return node.mora


def _insert(node: _Node, morae: tuple[Mora, ...], logp: float) -> None:
    for mora in morae:
        child = node.children.get(mora.kana)
        if child is None:
            child = node.children[mora.kana] = _Node(mora, _prev_for(node, mora))
        node = child
        if logp > node.best:
            node.best = logp
    if logp > node.end:
        node.end = logp


def _first_mora(kana: str) -> str:
    return kana[:2] if kana[1:2] in SMALL_KANA and kana[:2] in MORAE else kana[:1]


@lru_cache(maxsize=3)
def _trie(part: str) -> _Node:
    """The trie of one part's prior (surname or given). Only its first level is built at once: each
    first mora's subtree is built the first time a word could start with it."""
    prior = kanji.surname_prior() if part == "surname" else kanji.given_prior()
    root = _Node(_ROOT, None)
    for kana, prob in itertools.islice(prior.items(), TRIE_NAMES):
        logp = math.log(prob)
        first = _first_mora(kana)
        node = root.children.get(first)
        if node is None:
            node = root.children[first] = _Node(mora_of(first), None)
            node.pending = []
        node.best = max(node.best, logp)
        root.best = max(root.best, logp)
        if len(kana) == len(first):
            node.end = max(node.end, logp)
        elif node.pending is not None:
            node.pending.append((kana, logp))
    return root


def _match(rendering: str, word: str, pos: int, budget: int) -> list[tuple[int, float, int]]:
    """Ways the clerk's ``rendering`` can sit at ``word[pos:]``: (end, log prob of the letters, edits used)."""
    size = len(rendering)
    if word.startswith(rendering, pos):
        return [(pos + size, 0.0, 0)]
    if not rendering or pos >= len(word):
        return []
    out = []
    piece = word[pos : pos + size]
    if len(piece) == size:
        logp, used = 0.0, 0
        for a, b in zip(rendering, piece, strict=True):
            if a != b:
                misread = misread_logp(a, b)
                if misread > _NEG:
                    logp += misread
                else:
                    logp, used = logp + LOG_EDIT, used + 1
                if used > budget:
                    break
        else:
            out.append((pos + size, logp, used))
    if budget and size >= 2:  # one letter of the rendering missing from the word
        for skip in range(size):
            if word.startswith(rendering[:skip] + rendering[skip + 1 :], pos):
                out.append((pos + size - 1, LOG_EDIT, 1))
                break
    return out


_CACHED = [0]  # entries built into the tries and their caches since the last _forget


def _forget() -> None:
    """Drop both tries with their caches: they regrow from the prior on use, so memory stays bounded."""
    _trie.cache_clear()
    _FITTING.clear()
    _CACHED[0] = 0


_SLACK = 1e-9  # rounding room when a bound is compared with a beam's floor
# the least a rendering that is not in the word as written costs: one misread letter or one generic edit
_LEAST_SLIP = max(LOG_EDIT, math.log(DECODE_RATES.copy_misread))


class _Search:
    """One word's beam search: per position a heap of the BEAM best hypotheses so far, (score, -arrival,
    hypothesis), so the worst and latest leaves first as in a stable sort, and the floor a newcomer must beat."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.length = len(word)
        # interned: they key the nodes' caches, which would otherwise keep a copy of the string per entry
        self.letters = [sys.intern(letter) for letter in word] + [""]
        self.pairs = [sys.intern(word[pos : pos + 2]) for pos in range(self.length + 1)]
        self.beams: list[list[tuple]] = [[] for _ in range(self.length + 1)]
        self.floors = [-_INF] * (self.length + 1)
        self.finals: dict[str, float] = {}
        self.queue: list[tuple] = []  # hypotheses at the position being expanded: (-score, arrival, hyp)
        self.arrivals = itertools.count()
        self.matches: dict[tuple[str, int, int], list[tuple[int, float, int]]] = {}  # _match, once each

    def offer(self, hyp: tuple, pos: int) -> None:
        """A new hypothesis: to the queue if it stays at ``pos``, else to its position's beam if it beats the floor."""
        end = hyp[1]
        if end == pos:
            heapq.heappush(self.queue, (-hyp[0], next(self.arrivals), hyp))
            return
        score = hyp[0]
        if score <= self.floors[end]:
            return
        beam = self.beams[end]
        entry = (score, -next(self.arrivals), hyp)
        if len(beam) < BEAM:
            heapq.heappush(beam, entry)
            if len(beam) < BEAM:
                return
        else:
            heapq.heapreplace(beam, entry)
        self.floors[end] = beam[0][0]


def _decode_word(word: str, part: str, limit: int, max_edits: int = MAX_EDITS) -> list[tuple[str, float]]:
    """n-best (katakana, log P(word | kana) + log P(kana)) for one Cyrillic word."""
    if _CACHED[0] > CACHE_LIMIT:
        _forget()
    root = _trie(part)
    edits0 = MAX_EDITS - max_edits  # hypotheses start with the edits they may not make already spent
    # A hypothesis: (score, pos, node, kana, channel logp, edits). The node's mora is rendered once the
    # mora after it (its right context) is chosen; the score adds the best prior below the node and the
    # best cost of the node's own rendering (A*-like, for pruning).
    search = _Search(word)
    for child in root.children.values():
        ahead = child.lookahead(search.letters[0])
        if ahead is not None:
            search.offer((child.best + ahead, 0, child, child.mora.kana, 0.0, edits0), -1)
    for pos in range(len(word) + 1):
        arrived = sorted(search.beams[pos], reverse=True)  # best first; equal scores in order of arrival
        search.beams[pos] = []
        search.queue = queue = [(-entry[0], next(search.arrivals), entry[2]) for entry in arrived]
        heapq.heapify(queue)
        expanded = 0
        while queue and expanded < BEAM * 2:
            hyp = heapq.heappop(queue)[2]
            expanded += 1
            _expand(hyp, search)
    return sorted(search.finals.items(), key=lambda kv: -kv[1])[:limit]


def _expand(hyp: tuple, search: _Search) -> None:
    _, pos, node, kana, logp, edits = hyp
    word, length, floors, finals = search.word, search.length, search.floors, search.finals
    budget = MAX_EDITS - edits
    if budget and pos < length:  # a letter in the word that no mora explains
        ahead = node.lookahead(search.letters[pos + 1])
        if ahead is not None:
            new_logp = logp + LOG_EDIT
            search.offer((node.best + new_logp + ahead, pos + 1, node, kana, new_logp, edits + 1), pos)
    if node.end > _NEG:
        left = length - pos
        for rendering, r_logp in node.endings():
            if len(rendering) != left and (not budget or len(rendering) != left + 1):
                continue  # cannot end the word (a match ends after it, or one letter short of it)
            for end, m_logp, _ in _match(rendering, word, pos, budget):
                total = logp + r_logp + m_logp + node.end
                if end == length and total > finals.get(kana, _NEG):
                    finals[kana] = total
    if not budget:  # the first pass: only renderings that fit the next letters (_offer_children inlined)
        letters = search.letters
        for rendering, r_logp, group, size, m_logp in node.renderings_at(search.pairs[pos]):
            if size > 0:
                base = logp + r_logp + m_logp
                end = pos + size
                floor = floors[end]
                if base + group.best + _SLACK < floor:
                    continue  # no child can enter that beam
                ranked = group.by_letter.get(letters[end])
                if ranked is None:
                    ranked = group.ranked_by(letters[end])
                for bound, child, ahead in ranked:
                    if base + bound + _SLACK < floor:
                        break
                    score = child.best + base + ahead
                    if score > floor:
                        search.offer((score, end, child, kana + child.mora.kana, base, edits), pos)
                        floor = floors[end]
            elif size == 0:
                _offer_children(search, hyp, pos, logp + r_logp + m_logp, group, 0)
            else:
                for end, m_logp, used in _match(rendering, word, pos, 0):
                    _offer_children(search, hyp, end, logp + r_logp + m_logp, group, used)
        return
    entries, ceilings, reach = node.all_renderings()  # a match ends at most ``reach`` letters on
    lowest = min(floors[pos + 1 : pos + reach + 1]) if pos < length and reach else -_INF  # floors only rise
    for index, (rendering, r_logp, group) in enumerate(entries):
        if logp + ceilings[index] + _SLACK <= lowest:
            break  # neither this rendering nor any later one can put a child into a beam
        size = len(rendering)
        if word.startswith(rendering, pos):  # the common case, without the call
            if not size or logp + r_logp + group.best + _SLACK >= floors[pos + size]:
                _offer_children(search, hyp, pos + size, logp + r_logp + 0.0, group, 0)
            continue
        if size:  # no child could enter the beams this rendering may end at: skip the match
            ceiling = logp + r_logp + group.best + _LEAST_SLIP + _SLACK
            if ceiling <= floors[min(pos + size, length)] and (
                size < 2 or ceiling <= floors[min(pos + size - 1, length)]
            ):
                continue
        key = (rendering, pos, budget)
        matches = search.matches.get(key)
        if matches is None:
            matches = search.matches[key] = _match(rendering, word, pos, budget)
        for end, m_logp, used in matches:
            if logp + r_logp + m_logp + group.best + _SLACK >= floors[end] or end == pos:
                _offer_children(search, hyp, end, logp + r_logp + m_logp, group, used)


def _offer_children(search: _Search, hyp: tuple, end: int, base: float, group: _Group, used: int) -> None:
    """Offer the children of ``group`` after their parent's mora took the word up to ``end``."""
    pos, kana, edits = hyp[1], hyp[3], hyp[5] + used
    letter = search.letters[end]
    if end == pos:  # an unwritten mora (ッ dropped, a long-vowel tail): stays at this position
        for _, child, ahead in group.ranked_by(letter):
            search.offer((child.best + base + ahead, end, child, kana + child.mora.kana, base, edits), pos)
        return
    floors = search.floors
    floor = floors[end]
    if base + group.best + _SLACK < floor:
        return
    for bound, child, ahead in group.ranked_by(letter):
        if base + bound + _SLACK < floor:
            break  # ranked: no later child can enter this beam either
        score = child.best + base + ahead
        if score > floor:
            search.offer((score, end, child, kana + child.mora.kana, base, edits), pos)
            floor = floors[end]


# ------------------------------------------------------------------------------------------- public
_APOSTROPHES = re.compile("['’ʼ`]")


def clean_cyrillic_word(word: str) -> str:
    """Lower case, apostrophe as ъ (Сэн'ити), only Cyrillic letters kept, capped at MAX_WORD letters."""
    word = unicodedata.normalize("NFC", word.lower())
    word = _APOSTROPHES.sub("ъ", word)
    return "".join(ch for ch in word if "а" <= ch <= "я" or ch == "ё")[:MAX_WORD]


def cyrillic_word_readings(word: str, part: str, limit: int = 5) -> tuple[tuple[str, float], ...]:
    """n-best katakana readings of one Cyrillic word as a ``part`` ("surname"/"given"), log scores."""
    return decoded_word(clean_cyrillic_word(word), part, limit)


@lru_cache(maxsize=WORD_CACHE)
def decoded_word(word: str, part: str, limit: int = 5) -> tuple[tuple[str, float], ...]:
    """``cyrillic_word_readings`` of a word already cleaned (``clean_cyrillic_word``): cached by the
    cleaned letters, so "Ито", "ИТО" and "ито" are decoded once; the spellings clerks wrote most often are
    answered from the table of ``kartoteka.names.spellings`` (the same answers, computed ahead)."""
    if not word:
        return ()
    if limit <= spellings.TABLE_LIMIT:
        known = spellings.lookup(word, part)
        if known is not None:
            return known[:limit]
    return fresh_decode(word, part, limit)


def fresh_decode(word: str, part: str, limit: int = 5) -> tuple[tuple[str, float], ...]:
    """``decoded_word`` without the table: the beam search itself (the table is built from these answers)."""
    if not word:
        return ()
    found = _first_pass(word, part, limit)
    if not found or found[0][1] < GOOD_ENOUGH:  # only then pay for edits the patterns do not describe
        found = tuple(_decode_word(word, part, limit))
    # Scores to SCORE_DIGITS decimals (1e-4 nats changes no decision): the table stores them short and exact.
    return tuple((kana, round(score, SCORE_DIGITS)) for kana, score in found)


def _first_pass(word: str, part: str, limit: int) -> tuple[tuple[str, float], ...]:
    """The search without generic edits: enough for almost every spelling the patterns describe."""
    return tuple(_decode_word(word, part, limit, max_edits=0))
