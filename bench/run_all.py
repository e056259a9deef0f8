"""Run every benchmark in turn (`make bench`); each writes its own section of BENCHMARKS.md.

    .venv/bin/python bench/run_all.py            # names, import, the linkage at 10,000 persons, cardgen files of 20,000
    .venv/bin/python bench/run_all.py --full     # also the simulation, the full-scale linkage and cardgen files of
                                                 # 100,000 and 300,000 cards (hours)

Each runs in its own process, one after another (they would slow each other down on a small machine).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

QUICK = [
    ["bench_names.py"],
    ["eval_names.py"],
    ["bench_kanji_readings.py"],
    ["bench_import.py"],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also the full-scale simulation and linkage")
    args = parser.parse_args()
    runs = [*QUICK, *([["bench_simulate.py"], ["bench_linkage.py"], ["bench_foreign_cards.py"]] if args.full
                      else [["bench_linkage.py", "--no-full"], ["bench_foreign_cards.py", "--sizes", "20000"]])]
    failed = []
    for script, *options in runs:
        started = time.perf_counter()
        print(f"== {script} {' '.join(options)}", flush=True)
        code = subprocess.call([sys.executable, str(BENCH / script), *options])
        print(f"== {script}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
