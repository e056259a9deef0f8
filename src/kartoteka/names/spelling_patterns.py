"""Which of the clerk's patterns turn a reading into a spelling: the explanation ``names compare`` shows.

The likeliest path of the channel (``kartoteka.names.channel``, at the decoder's rates) from a kana word to
the Cyrillic written, mora by mora, with the cursive misreadings it needs.
"""

from __future__ import annotations

import math

from kartoteka.names.channel import misread_options, mora_renderings
from kartoteka.names.decode import DECODE_RATES, clean_cyrillic_word, misread_logp
from kartoteka.names.kana import in_context, split_morae


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
    """The cost of the misreadings that make ``text`` the letters at ``word[pos:]``, and their names."""
    piece = word[pos : pos + len(text)]
    if len(piece) != len(text):
        return None
    extra, misreads = 0.0, []
    for written, read in zip(text, piece, strict=True):
        if written != read:
            if read not in misread_options(written):
                return None
            extra += misread_logp(written, read)
            misreads.append(f"misread: {written} -> {read}")
    return extra, misreads
