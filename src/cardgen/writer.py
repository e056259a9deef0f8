"""Writing a card file and its truth: the CSV a user would import, and which person each row is of.

The card file is UTF-8 CSV. Its first line, ``# SIMULATED ...``, marks it as made up (kartoteka's importer
skips that line and marks the source simulated); then the header (the Russian headers of kartoteka's
``ru-card`` mapping) and one row per card. The truth file has one row per card: ``record_ref`` (the file
name and the card's line as an editor shows it, ``cards.csv:19`` for the 17th card after the marker and
the header: the reference kartoteka gives a row of a file without an id column), ``person_id``, ``kind``
and ``row_number`` (the same line).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cardgen.cards import ALL_COLUMNS, FIVE_COLUMNS, GIVEN, SURNAME, draw_cards
from cardgen.vocabulary import build_vocabulary

COLUMN_SETS = ("five", "random", "all")
FIRST_CARD_LINE = 3  # line 1 is the SIMULATED marker, line 2 the header
RANDOM_COLUMN_RATE = 0.5  # each optional column's chance to be in a file of random columns
SIMULATED_LINE = ("# SIMULATED: card file made up by cardgen (seed {seed}); these are not real people, "
                  "the truth is in {truth}")


@dataclass(frozen=True)
class Generated:
    """What ``generate_file`` wrote."""

    path: Path
    truth_path: Path
    cards: int
    persons: int
    columns: tuple[str, ...]


def choose_columns(spec: str | Sequence[str], seed: int) -> tuple[str, ...]:
    """The columns of a file: ``five``, ``all``, ``random`` (drawn from the seed) or a list of headers.

    Surname and given name are always in: a card without a name is not a card (kartoteka would quarantine
    it). The other columns of a random set are each in with probability ``RANDOM_COLUMN_RATE``."""
    if spec == "five":
        return FIVE_COLUMNS
    if spec == "all":
        return ALL_COLUMNS
    if spec == "random":
        rng = random.Random(seed * 1_000_003 + 17)  # apart from the cards' stream: columns leave cards as they are
        return tuple(c for c in ALL_COLUMNS if c in (SURNAME, GIVEN) or rng.random() < RANDOM_COLUMN_RATE)
    if isinstance(spec, str):
        raise ValueError(f"unknown column set {spec!r}: use one of {', '.join(COLUMN_SETS)} or a list of headers")
    unknown = [c for c in spec if c not in ALL_COLUMNS]
    if unknown or not ({SURNAME, GIVEN} & set(spec)):
        raise ValueError(f"columns must be among {', '.join(ALL_COLUMNS)} and include a name; got {list(spec)}")
    return tuple(c for c in ALL_COLUMNS if c in spec)


def truth_path_for(path: Path) -> Path:
    """Where the truth of ``cards.csv`` goes by default: ``cards.truth.csv`` beside it."""
    return path.with_name(f"{path.stem}.truth.csv")


def generate_file(path: Path, cards: int, seed: int, columns: str | Sequence[str] = "random",
                  truth_path: Path | None = None) -> Generated:
    """Write ``cards`` cards drawn from ``seed`` to ``path`` (CSV) and their truth; the same seed, the same files.

    The cards depend only on the seed and the count: a file of five columns and one of all columns with the
    same seed hold the same cards, the first showing fewer of their fields."""
    if cards < 1:
        raise ValueError("a card file needs at least one card")
    shown = choose_columns(columns, seed)
    truth_path = truth_path or truth_path_for(path)
    rng = random.Random(seed)
    drawn = draw_cards(rng, build_vocabulary(rng), cards)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out, \
            open(truth_path, "w", encoding="utf-8", newline="") as truth_out:
        out.write(SIMULATED_LINE.format(seed=seed, truth=truth_path.name) + "\n")
        rows, truth = csv.writer(out), csv.writer(truth_out)
        rows.writerow(shown)
        truth.writerow(("record_ref", "person_id", "kind", "row_number"))
        # The editor's line of each card: after the SIMULATED line and the header.
        for number, card in enumerate(drawn, start=FIRST_CARD_LINE):
            rows.writerow([card.fields[c] for c in shown])
            truth.writerow((f"{path.name}:{number}", card.person.person_id, "card", number))
    return Generated(path, truth_path, len(drawn), len({c.person.person_id for c in drawn}), shown)
