"""Paired import benchmark: this checkout against other ones (older commits), in turn, on one file.

    git worktree add /tmp/old COMMIT && (cd /tmp/old && python3 -m venv .venv && .venv/bin/pip install -e .)
    .venv/bin/python bench/bench_import_paired.py --old-python /tmp/old/.venv/bin/python --old-label COMMIT \
        [--other LABEL=PYTHON ...] [--rows 300000] [--runs 3] [--note TEXT] [--no-report]

Each run is `bench_import.run_once` (a child process on a fresh database) with one checkout's code; the order
turns round each run (old-...-new, new-...-old, ...), so that a change in the machine's load hits all alike.
Prints the medians of rows per CPU-second of the importer (the comparison that load barely moves) and of wall
rows/s, as a Markdown table, and writes it to the "import-paired" section of BENCHMARKS.md (not with
--no-report). The cards are SIMULATED (see bench_import.generate_cards).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section
from bench_import import generate_cards, run_once

Run = tuple[float, float, float, float]  # wall s, CPU s, peak RSS MiB, load average


def _commit(python: str) -> str:
    """The short commit of the checkout whose venv ``python`` is (CHECKOUT/.venv/bin/python), or "?"."""
    checkout = Path(python).parent.parent.parent
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True)
    return done.stdout.strip() or "?"


def _table_line(backend: str, label: str, rows: int, got: list[Run]) -> str:
    cpu_rates = [rows / cpu for _, cpu, _, _ in got]
    wall = [rows / seconds for seconds, _, _, _ in got]
    return (f"| {backend} | {label} | {median(cpu_rates):,.0f} ({min(cpu_rates):,.0f} - {max(cpu_rates):,.0f}) | "
            f"{median(wall):,.0f} ({min(wall):,.0f} - {max(wall):,.0f}) | {max(g[2] for g in got):.0f} MiB | "
            f"{min(g[3] for g in got):.1f} - {max(g[3] for g in got):.1f} |")


def _change_line(backend: str, runs: dict[str, list[Run]], rows: int) -> str:
    """This checkout's median rows per CPU-second against each other checkout's, in per cent."""
    new = median([rows / cpu for _, cpu, _, _ in runs["new"]])
    changes = []
    for label, got in runs.items():
        if label != "new":
            other = median([rows / cpu for _, cpu, _, _ in got])
            changes.append(f"{(new / other - 1) * 100:+.1f} % against {label}")
    return f"- {backend}: rows per CPU-second of this checkout {', '.join(changes)}."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-python", required=True, help="the python of the other checkout's venv")
    parser.add_argument("--old-label", default="old")
    parser.add_argument("--other", action="append", default=[], metavar="LABEL=PYTHON",
                        help="one more checkout to pair with (its label and its venv's python); repeatable")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--note", default="", help="a paragraph to add under the table (what changed)")
    parser.add_argument("--no-report", action="store_true", help="print only; do not touch BENCHMARKS.md")
    args = parser.parse_args()
    pythons = {args.old_label: args.old_python}
    pythons.update(dict(other.split("=", 1) for other in args.other))
    pythons["new"] = sys.executable
    lines, changes = [], []
    with tempfile.TemporaryDirectory(prefix="kt-paired-") as tmp:
        cards = Path(tmp) / "cards.csv"
        generate_cards(cards, args.rows)
        for backend in args.backends.split(","):
            runs: dict[str, list[Run]] = {label: [] for label in pythons}
            for index in range(args.runs):
                order = list(pythons) if index % 2 == 0 else list(reversed(pythons))
                for label in order:
                    runs[label].append(run_once(backend, cards, Path(tmp), pythons[label]))
                    seconds, cpu, rss, load = runs[label][-1]
                    print(f"{backend} {label}: {args.rows / cpu:,.0f} rows per CPU-s, {args.rows / seconds:,.0f} "
                          f"rows/s wall, {rss:.0f} MiB, load {load:.1f}", flush=True)
            lines.extend(_table_line(backend, label, args.rows, got) for label, got in runs.items())
            changes.append(_change_line(backend, runs, args.rows))
    labels = ", ".join(f"{label} = {_commit(python)}" for label, python in pythons.items())
    body = (
        f"`.venv/bin/python bench/bench_import_paired.py --old-python ... --old-label {args.old_label}"
        + "".join(f" --other {other.split('=', 1)[0]}=..." for other in args.other)
        + f" --rows {args.rows} --runs {args.runs}` (each other checkout a throwaway worktree with its own venv; "
        f"{labels}): one generated file of {args.rows:,} SIMULATED card rows, each import a fresh child process "
        f"on a fresh database (`bench_import.run_once`), the checkouts in turn, the order turned round each run, "
        f"{args.runs} runs each, median (range). Rows per CPU-second count the importer's own CPU time (not the "
        "PostgreSQL server's): on this shared machine it is the figure that load moves least; the load average "
        "(2 cores) is that at the end of each run.\n\n"
        "| backend | code | rows per CPU-second of the importer | rows/s (wall) | peak RSS | load |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n\n" + "\n".join(changes)
        + (f"\n\n{args.note.strip()}" if args.note.strip() else "")
    )
    print(body)
    if not args.no_report:
        write_section("import-paired", "Import, paired with earlier code (kartoteka import)", body)


if __name__ == "__main__":
    main()
