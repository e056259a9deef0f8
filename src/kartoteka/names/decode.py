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
import unicodedata
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache

from kartoteka.names import kanji
from kartoteka.names.channel import PROFILES, misread_options, mora_renderings
from kartoteka.names.kana import (
    MORAE,
    SMALL_KANA,
    Mora,
    in_context,
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
_NEG = -1e9
_ROOT = Mora("", "", "")  # the root's edge: no mora
Renderings = tuple[tuple[str, float], ...]


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
def _misread_logp(written: str, read: str) -> float:
    options = misread_options(written)
    if read in options:
        return math.log(DECODE_RATES.copy_misread / len(options))
    return _NEG


_CONTEXTS = (*split_morae("アカマウイオチツバ"), None)


def _lookahead(prev: Mora | None, mora: Mora, letter: str) -> float | None:
    key = (_prev_key(prev), mora.kana, letter)
    if key not in _LOOKAHEAD:
        _LOOKAHEAD[key] = _lookahead_uncached(prev, mora, letter)
    return _LOOKAHEAD[key]


_LOOKAHEAD: dict[tuple, float | None] = {}


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
                misread = _misread_logp(text[0], letter)
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
        "by_letter",
        "children",
        "end",
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
        self.ahead: dict[str, float | None] | None = None  # made on first use: most nodes are never visited
        self.by_letter: dict[str, list[tuple[str, float, _Group]]] | None = None
        self.pending: list[tuple[str, float]] | None = None  # names whose subtree is not built yet

    def kids(self) -> dict[str, _Node]:
        """The children, building this subtree from its pending names on first use."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            for kana, logp in pending:
                _insert(self, split_morae_uncached(kana)[1:], logp)
        return self.children

    def lookahead(self, letter: str) -> float | None:
        """``_lookahead`` for this node's mora, cached on the node."""
        if self.ahead is None:
            self.ahead = {}
        if letter not in self.ahead:
            self.ahead[letter] = _lookahead(self.prev, self.mora, letter)
        return self.ahead[letter]

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

    def renderings_at(self, letters: str) -> list[tuple[str, float, _Group]]:
        """(rendering, log prob, group) that can start where the word holds ``letters`` (its next one or two
        letters, each as written or misread), or empty renderings."""
        if self.by_letter is None:
            self.by_letter = {}
        found = self.by_letter.get(letters)
        if found is None:
            found = [
                (text, logp, group)
                for group in self.next_groups()
                for text, logp in group.renderings
                if _fits(text, letters)
            ]
            self.by_letter[letters] = found
        return found


def _fits(text: str, letters: str) -> bool:
    """Whether a rendering may start a stretch of the word that begins with ``letters`` (no generic edits)."""
    if len(text) > len(letters) and len(letters) < 2:
        return not text  # the word ends before the rendering would
    return all(a == b or _misread_logp(a, b) > _NEG for a, b in zip(text, letters, strict=False))


class _Group:
    """Children that give their parent's mora the same renderings; viable ones cached per next letter."""

    __slots__ = ("by_letter", "members", "renderings")

    def __init__(self, renderings: Renderings, members: list[_Node]) -> None:
        self.renderings = renderings
        self.members = members
        self.by_letter: dict[str, list[tuple[_Node, float]]] = {}

    def starting_with(self, letter: str) -> list[tuple[_Node, float]]:
        """(child, lookahead) for the children whose mora can start where the word holds ``letter``."""
        found = self.by_letter.get(letter)
        if found is None:
            found = []
            for child in self.members:
                ahead = child.lookahead(letter)
                if ahead is not None:
                    found.append((child, ahead))
            self.by_letter[letter] = found
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
                misread = _misread_logp(a, b)
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


def _decode_word(word: str, part: str, limit: int, max_edits: int = MAX_EDITS) -> list[tuple[str, float]]:
    """n-best (katakana, log P(word | kana) + log P(kana)) for one Cyrillic word."""
    root = _trie(part)
    edits0 = MAX_EDITS - max_edits  # hypotheses start with the edits they may not make already spent
    # A hypothesis: (score, pos, node, kana, channel logp, edits). The node's mora is rendered once the
    # mora after it (its right context) is chosen; the score adds the best prior below the node and the
    # best cost of the node's own rendering (A*-like, for pruning).
    frontier: dict[int, list[tuple]] = defaultdict(list)
    for child in root.children.values():
        ahead = child.lookahead(word[0])
        if ahead is not None:
            frontier[0].append((child.best + ahead, 0, child, child.mora.kana, 0.0, edits0))
    finals: dict[str, float] = {}
    tie = itertools.count()  # heap entries never compare the hypotheses themselves
    for pos in range(len(word) + 1):
        queue = [
            (-h[0], next(tie), h) for h in heapq.nlargest(BEAM, frontier.pop(pos, []), key=lambda h: h[0])
        ]
        heapq.heapify(queue)
        expanded = 0
        while queue and expanded < BEAM * 2:
            hyp = heapq.heappop(queue)[2]
            expanded += 1
            for new in _expand(hyp, word, finals):
                if new[1] == pos:
                    heapq.heappush(queue, (-new[0], next(tie), new))
                else:
                    frontier[new[1]].append(new)
    return sorted(finals.items(), key=lambda kv: -kv[1])[:limit]


def _expand(hyp: tuple, word: str, finals: dict[str, float]) -> list[tuple]:
    _, pos, node, kana, logp, edits = hyp
    out: list[tuple] = []
    budget = MAX_EDITS - edits
    length = len(word)
    if budget and pos < length:  # a letter in the word that no mora explains
        ahead = node.lookahead(word[pos + 1] if pos + 1 < length else "")
        if ahead is not None:
            new_logp = logp + LOG_EDIT
            out.append((node.best + new_logp + ahead, pos + 1, node, kana, new_logp, edits + 1))
    if node.end > _NEG:
        for rendering, r_logp in node.endings():
            for end, m_logp, _ in _match(rendering, word, pos, budget):
                total = logp + r_logp + m_logp + node.end
                if end == length and total > finals.get(kana, _NEG):
                    finals[kana] = total
    if budget:
        options = [(text, logp, group) for group in node.next_groups() for text, logp in group.renderings]
    else:
        options = node.renderings_at(word[pos : pos + 2])
    for rendering, r_logp, group in options:
        if word.startswith(rendering, pos):  # the common case, without the call
            matches: list[tuple[int, float, int]] = [(pos + len(rendering), 0.0, 0)]
        else:
            matches = _match(rendering, word, pos, budget)
        for end, m_logp, used in matches:
            base = logp + r_logp + m_logp
            for child, ahead in group.starting_with(word[end] if end < length else ""):
                out.append(
                    (child.best + base + ahead, end, child, kana + child.mora.kana, base, edits + used)
                )
    return out


# ------------------------------------------------------------------------------------------- public
_APOSTROPHES = re.compile("['’ʼ`]")


def clean_cyrillic_word(word: str) -> str:
    """Lower case, apostrophe as ъ (Сэн'ити), only Cyrillic letters kept, capped at MAX_WORD letters."""
    word = unicodedata.normalize("NFC", word.lower())
    word = _APOSTROPHES.sub("ъ", word)
    return "".join(ch for ch in word if "а" <= ch <= "я" or ch == "ё")[:MAX_WORD]


@lru_cache(maxsize=100_000)
def cyrillic_word_readings(word: str, part: str, limit: int = 5) -> tuple[tuple[str, float], ...]:
    """n-best katakana readings of one Cyrillic word as a ``part`` ("surname"/"given"), log scores."""
    word = clean_cyrillic_word(word)
    if not word:
        return ()
    found = _decode_word(word, part, limit, max_edits=0)
    if not found or found[0][1] < GOOD_ENOUGH:  # only then pay for edits the patterns do not describe
        found = _decode_word(word, part, limit)
    return tuple(found)


def clerk_patterns(kana: str, cyrillic: str) -> list[str] | None:
    """The clerk's patterns that turn ``kana`` (one word) into ``cyrillic``, on the likeliest path through the
    channel: e.g. ["e_for_eh: ケ -> ке", "ch_for_t: チ -> чи"]. [] for the standard spelling; None when the
    channel's patterns and misreadings alone cannot explain the spelling."""
    word = clean_cyrillic_word(cyrillic)
    contexts = in_context(split_morae(kana))
    # best[(mora index, position)] = (log prob, patterns so far)
    best: dict[tuple[int, int], tuple[float, list[str]]] = {(0, 0): (0.0, [])}
    for index, (prev, mora, nxt) in enumerate(contexts):
        states = [(pos, value) for (i, pos), value in best.items() if i == index]
        for pos, (logp, names) in states:
            for text, prob, patterns in mora_renderings(prev, mora, nxt, DECODE_RATES):
                step = _explained_step(text, word, pos)
                if step is None:
                    continue
                extra, misreads = step
                key = (index + 1, pos + len(text))
                total = logp + math.log(prob) + extra
                if key not in best or total > best[key][0]:
                    named = [f"{p}: {mora.kana} -> {text or '(nothing)'}" for p in patterns]
                    best[key] = (total, names + named + misreads)
    found = best.get((len(contexts), len(word)))
    return None if found is None else found[1]


def _explained_step(text: str, word: str, pos: int) -> tuple[float, list[str]] | None:
    piece = word[pos : pos + len(text)]
    if len(piece) != len(text):
        return None
    extra, misreads = 0.0, []
    for written, read in zip(text, piece, strict=True):
        if written != read:
            logp = _misread_logp(written, read)
            if logp <= _NEG:
                return None
            extra += logp
            misreads.append(f"misread: {written} -> {read}")
    return extra, misreads
