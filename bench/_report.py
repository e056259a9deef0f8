"""Write one benchmark's section into BENCHMARKS.md, with the machine and the date.

Each benchmark script owns one section, delimited by HTML comments, and replaces only that section, so
scripts can run in any order (and concurrently: the file is locked while it is rewritten).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import platform
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\n"
    "Figures written by the scripts under `bench/` (each replaces only its own section). "
    "Medians of several runs unless a section says otherwise. This machine is shared and noisy.\n"
)


def reference_loop_seconds(runs: int = 5) -> float:
    """Seconds (median of `runs`) of a fixed pure-Python workload: 10 million additions in a loop.

    The same machine type is not always equally fast: sessions have measured it twice as slow on one day as on
    another. Each section states this figure, so that figures taken on different days can be compared."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine_line() -> str:
    """The machine and the date, for the head of a section, with the reference workload's time."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"Measured {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on {os.cpu_count()} cores "
        f"({cpu}), {mem_gib:.0f} GiB, Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"reference workload (10 M additions in a Python loop, `bench/_report.py`) {reference_loop_seconds():.2f} s."
    )


def median(values: Sequence[float]) -> float:
    """The median of several runs."""
    return statistics.median(values)


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or append) the section `name` of BENCHMARKS.md with a title, the machine line and `body`."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n## {title}\n\n{machine_line()}\n\n{body.strip()}\n{end}"
    with open(BENCHMARKS, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read() or HEADER
        if start in text and end in text:
            before, rest = text.split(start, 1)
            _, after = rest.split(end, 1)
            text = before + block + after
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        handle.seek(0)
        handle.truncate()
        handle.write(text)
