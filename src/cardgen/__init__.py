"""cardgen: Soviet registration card files of Japanese internees, made up by rules of its own (SIMULATED).

A second source of test data for kartoteka, built to share nothing with it: cardgen imports nothing from
kartoteka (tests/cardgen/test_architecture.py checks it), draws its names from morae by its own rules, spells
them by its own Polivanov table, and garbles them by its own by-ear variants and typos. Linkage figures
measured on its files are therefore not figures of kartoteka reading back what kartoteka wrote.

    python -m cardgen cards.csv --cards 100000 --seed 7 --columns five

writes ``cards.csv`` (import it with ``kartoteka import card cards.csv --mapping ru-card``) and
``cards.truth.csv`` (record_ref, person_id, kind, row_number). See docs/explanation/second-card-generator.md.
"""

from __future__ import annotations

from cardgen.cards import ALL_COLUMNS, FIVE_COLUMNS, Card, Person, draw_cards
from cardgen.vocabulary import build_vocabulary
from cardgen.writer import COLUMN_SETS, Generated, choose_columns, generate_file, truth_path_for

__all__ = [
    "ALL_COLUMNS", "COLUMN_SETS", "FIVE_COLUMNS", "Card", "Generated", "Person", "build_vocabulary",
    "choose_columns", "draw_cards", "generate_file", "truth_path_for",
]
