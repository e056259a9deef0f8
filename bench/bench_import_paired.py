"""Paired import benchmark: this checkout against another one (an older commit), alternately, on one file.

    git worktree add /tmp/old COMMIT && (cd /tmp/old && python3 -m venv .venv && .venv/bin/pip install -e .)
    .venv/bin/python bench/bench_import_paired.py --old-python /tmp/old/.venv/bin/python [--rows 300000] [--runs 3]

Each run is `bench_import.run_once` (a child process on a fresh database) with the old or the new code; the
order alternates (old-new, new-old, ...), so that a change in the machine's load hits both alike. Prints the
medians of rows per CPU-second of the importer (the comparison that load barely moves) and of wall rows/s, as a
Markdown table; BENCHMARKS.md is not touched. The cards are SIMULATED (see bench_import.generate_cards).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median
from bench_import import generate_cards, run_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-python", required=True, help="the python of the other checkout's venv")
    parser.add_argument("--old-label", default="old")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    pythons = {args.old_label: args.old_python, "new": sys.executable}
    lines = []
    with tempfile.TemporaryDirectory(prefix="kt-paired-") as tmp:
        cards = Path(tmp) / "cards.csv"
        generate_cards(cards, args.rows)
        for backend in args.backends.split(","):
            runs: dict[str, list[tuple[float, float, float, float]]] = {label: [] for label in pythons}
            for index in range(args.runs):
                order = list(pythons) if index % 2 == 0 else list(reversed(pythons))
                for label in order:
                    runs[label].append(run_once(backend, cards, Path(tmp), pythons[label]))
                    seconds, cpu, rss, load = runs[label][-1]
                    print(f"{backend} {label}: {args.rows / cpu:,.0f} rows per CPU-s, {args.rows / seconds:,.0f} "
                          f"rows/s wall, {rss:.0f} MiB, load {load:.1f}", flush=True)
            for label, got in runs.items():
                cpu_rates = [args.rows / cpu for _, cpu, _, _ in got]
                wall = [args.rows / seconds for seconds, _, _, _ in got]
                lines.append(f"| {backend} | {label} | {median(cpu_rates):,.0f} ({min(cpu_rates):,.0f} - "
                             f"{max(cpu_rates):,.0f}) | {median(wall):,.0f} ({min(wall):,.0f} - {max(wall):,.0f}) | "
                             f"{max(rss for _, _, rss, _ in got):.0f} MiB | "
                             f"{min(g[3] for g in got):.1f} - {max(g[3] for g in got):.1f} |")
    print("| backend | code | median rows per CPU-second (range) | median rows/s wall (range) | peak RSS | load |")
    print("|---|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
