"""Import benchmark: 1,000,000 SIMULATED card rows into SQLite and PostgreSQL; rows/s and peak memory.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--runs 3] [--backends sqlite,postgresql]

The card file is generated row by row straight to disk (simple synthetic names: SIMULATED, not real people;
its first line says so, which also marks the benchmark store simulated). Each run is a fresh child process
(`kartoteka import card FILE` through the real CLI) on a fresh database, so its peak RSS
(getrusage RUSAGE_CHILDREN ru_maxrss, read after each child) is the import's own. Results go to the
"import" section of BENCHMARKS.md (medians).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section

PG_ADMIN = os.environ.get("KARTOTEKA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
HEADER = ["record_ref", "Фамилия", "Имя", "Отчество", "Год рождения", "Место рождения", "Звание",
          "Воинская часть", "Дата пленения", "Лагерь", "Лагпункт", "Дата смерти", "Место захоронения",
          "Архивный шифр"]
SURNAMES = ["Танака", "Судзуки", "Ватанабэ", "Такахаси", "Ито", "Ямамото", "Накамура", "Кобаяси", "Като",
            "Ёсида", "Ямада", "Сасаки", "Ямагути", "Мацумото", "Иноуэ", "Кимура", "Хаяси", "Симидзу"]
GIVEN = ["Итиро", "Дзиро", "Сабуро", "Сиро", "Горо", "Хироси", "Такэси", "Минору", "Исаму", "Киёси",
         "Масао", "Тадаси", "Акира", "Сигэру", "Мацуо", "Тосио"]
PLACES = ["Хоккайдо", "Аомори", "Ниигата", "Токио", "Осака", "Хиросима", "Фукуока", "Акита", "Нагано"]
RANKS = ["рядовой", "ефрейтор", "сержант", "старшина", "лейтенант", "капитан"]
CAMPS = ["7", "10", "16", "20", "21", "53", "99", "199", "380", "503"]
SEED = 1945


def generate_cards(path: Path, rows: int, seed: int = SEED) -> None:
    """Write ``rows`` SIMULATED card rows to ``path`` as UTF-8 CSV, streamed (constant memory)."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("# SIMULATED: synthetic benchmark cards, not real people\n")
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            died = rng.random() < 0.1
            writer.writerow([
                f"bench-{number}", rng.choice(SURNAMES), rng.choice(GIVEN), "", str(rng.randint(1895, 1928)),
                rng.choice(PLACES), rng.choice(RANKS), f"в/ч {rng.randint(100, 999)}",
                f"{rng.randint(10, 31)}.08.1945", rng.choice(CAMPS), str(rng.randint(1, 30)),
                f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.194{rng.randint(5, 8)}" if died else "",
                "кладбище № " + str(rng.randint(1, 40)) if died else "", f"ГАРФ ф.9526 д.{number}",
            ])


def _pg_database() -> tuple[str, str]:
    import psycopg

    name = f"kt_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_once(backend: str, cards: Path, workdir: Path, python: str = sys.executable) -> tuple[float, float, float, float]:
    """One import in a child process (``python -m kartoteka``) on a fresh database: (wall s, CPU s, peak RSS MiB,
    load average)."""
    pg_name = None
    if backend == "sqlite":
        database = str(workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite")
    else:
        pg_name, database = _pg_database()
    try:
        start = time.perf_counter()
        child = subprocess.Popen([python, "-m", "kartoteka", "--database", database, "import", "card",
                                  str(cards), "--quiet"], stdout=subprocess.DEVNULL)
        # wait4 gives this child's own rusage: its peak RSS and CPU time, not a running maximum.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            raise SystemExit(f"import failed with exit code {child.returncode}")
    finally:
        if pg_name:
            _drop_pg(pg_name)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(database + suffix).unlink(missing_ok=True)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-report", action="store_true", help="print only; do not touch BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kt-bench-") as tmp:
        workdir = Path(tmp)
        cards = workdir / "cards.csv"
        start = time.perf_counter()
        generate_cards(cards, args.rows)
        print(f"generated {args.rows:,} rows ({cards.stat().st_size / 2**20:.0f} MiB) "
              f"in {time.perf_counter() - start:.1f} s", flush=True)
        lines = []
        for backend in args.backends.split(","):
            runs = [run_once(backend, cards, workdir) for _ in range(args.runs)]
            for seconds, cpu, rss, load in runs:
                print(f"{backend}: {args.rows / seconds:,.0f} rows/s ({seconds:.1f} s wall, {cpu:.1f} s CPU), "
                      f"peak RSS {rss:.0f} MiB, load average {load:.1f}", flush=True)
            rates = [args.rows / seconds for seconds, _, _, _ in runs]
            cpu_rates = [args.rows / cpu for _, cpu, _, _ in runs]
            loads = [load for _, _, _, load in runs]
            lines.append(f"| {backend} | {args.rows:,} | {len(runs)} | {median(rates):,.0f} | "
                         f"{min(rates):,.0f} - {max(rates):,.0f} | {median(cpu_rates):,.0f} | "
                         f"{max(rss for _, _, rss, _ in runs):.0f} MiB | {min(loads):.1f} - {max(loads):.1f} |")
    body = (
        "`python bench/bench_import.py` - `kartoteka import card FILE` of a generated SIMULATED card CSV "
        "(UTF-8, Russian headers of the bundled ru-card mapping, 14 columns), end to end in a child process: "
        "sha256, encoding check, parsing, validation, dates, writing, commit.\n\n"
        "| backend | rows | runs | median rows/s (wall) | range rows/s | median rows per CPU-second of the "
        "importer | peak RSS | load average (2 cores) |\n|---|---|---|---|---|---|---|---|\n"
        + "\n".join(lines)
        + "\n\nTargets: 50,000 rows/s on SQLite, 20,000 rows/s on PostgreSQL, peak memory under 1 GB. "
        "Wall-clock rates depend on the machine's load (the load average is printed per run); the CPU-second "
        "rate counts only the importer's own CPU time (the PostgreSQL server's work is not in it)."
    )
    print(body)
    if not args.no_report:
        write_section("import", "Import (kartoteka import)", body)


if __name__ == "__main__":
    main()
