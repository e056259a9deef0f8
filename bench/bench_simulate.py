"""Benchmark of `kartoteka simulate`: 2,000 persons (median of several runs) and the full 575,000 (one run).

Each run is a fresh Python process, so its peak memory is its own: the figure is the peak RSS of the main
process plus the largest of its worker processes (an upper bound: forked workers share pages with it).

    .venv/bin/python bench/bench_simulate.py            # both sizes (the full run takes minutes)
    .venv/bin/python bench/bench_simulate.py --quick    # 2,000 persons only, not written to BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section

_CHILD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from kartoteka.simulate import simulate_archive
t1 = time.perf_counter()
summary = simulate_archive(Path(sys.argv[1]), persons=int(sys.argv[2]), seed=1, profile=sys.argv[3],
                           workers=int(sys.argv[4]) if sys.argv[4] != "auto" else None)
t2 = time.perf_counter()
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
size = sum(p.stat().st_size for p in Path(sys.argv[1]).iterdir())
print(json.dumps({"seconds": t2 - t1, "import_seconds": t1 - t0, "counts": summary.counts, "bytes": size,
                  "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in usage),
                  "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_once(persons: int, profile: str = "realistic", workers: str = "auto") -> dict:
    """One simulation in a fresh process; its time (without imports), peak memory, rows and bytes."""
    with tempfile.TemporaryDirectory(prefix="kartoteka-bench-sim-") as out:
        done = subprocess.run([sys.executable, "-c", _CHILD, out, str(persons), profile, workers],
                              capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _rows(result: dict) -> int:
    counts = result["counts"]
    return sum(counts[k] for k in ("card", "personal_file", "death_roster", "jp_roster", "manifest", "burial"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 2,000-person runs; print, do not write")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    small = [run_once(2_000) for _ in range(args.runs)]
    small_seconds = median([r["seconds"] for r in small])
    lines = [
        "| persons | profile | workers | seconds | CPU seconds | source rows | output | peak RSS (main + largest worker) |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
        f"| 2,000 | realistic | auto | {small_seconds:.2f} (median of {args.runs}) | "
        f"{median([r['cpu_seconds'] for r in small]):.1f} | {_rows(small[0]):,} | "
        f"{small[0]['bytes'] / 2**20:.1f} MiB | {small[0]['rss_self_mb'] + small[0]['rss_child_mb']:.0f} MB |",
    ]
    print(lines[-1])
    if args.quick:
        return
    full = run_once(575_000)
    lines.append(
        f"| 575,000 | realistic | auto | {full['seconds']:.0f} (one run) | {full['cpu_seconds']:.0f} | {_rows(full):,} | "
        f"{full['bytes'] / 2**30:.2f} GiB | {full['rss_self_mb'] + full['rss_child_mb']:.0f} MB |"
    )
    print(lines[-1])
    counts = ", ".join(f"{k} {v:,}" for k, v in full["counts"].items())
    body = "\n".join(lines) + (
        "\n\nSeconds are wall-clock time without the Python imports (about "
        f"{median([r['import_seconds'] for r in small]):.1f} s); CPU seconds add up the main process and its "
        "workers (on two idle cores the wall time is about half of them). Targets (issue 4): 2,000 persons under 5 s; "
        f"575,000 under 5 minutes and 4 GB. Load average when the full run ended: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores (other jobs share this machine).\n\n"
        f"Full-scale counts: {counts}.\n\nCommand: `.venv/bin/python bench/bench_simulate.py`."
    )
    write_section("simulate", "Simulated archive (kartoteka simulate)", body)


if __name__ == "__main__":
    main()
