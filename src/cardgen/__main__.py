"""``python -m cardgen OUT.csv --cards N --seed S [--columns five|random|all]``: write a card file and its truth."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cardgen.writer import COLUMN_SETS, generate_file


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, write the files, say what was written."""
    parser = argparse.ArgumentParser(prog="python -m cardgen", description=(
        "Write a SIMULATED Soviet card file of Japanese internees (CSV with the headers of kartoteka's ru-card "
        "mapping) and its truth (record_ref -> person_id). The same seed gives the same files."))
    parser.add_argument("out", type=Path, help="the card file to write (CSV)")
    parser.add_argument("--cards", type=int, default=10_000, help="how many cards (default 10,000)")
    parser.add_argument("--seed", type=int, default=1, help="the seed (default 1)")
    parser.add_argument("--columns", choices=COLUMN_SETS, default="random",
                        help="five: surname, given name, father's name, birth year, birthplace; all: nine "
                             "columns; random (default): surname, given name and a random choice of the others")
    parser.add_argument("--truth", type=Path, help="where to write the truth (default OUT.truth.csv beside OUT)")
    args = parser.parse_args(argv)
    if args.cards < 1:
        parser.error("--cards must be at least 1")
    started = time.perf_counter()
    made = generate_file(args.out, args.cards, args.seed, args.columns, args.truth)
    print(f"{made.path}: {made.cards:,} cards of {made.persons:,} persons (SIMULATED), columns "
          f"{', '.join(made.columns)}; truth in {made.truth_path} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
