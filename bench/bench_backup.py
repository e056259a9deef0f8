"""Backup and restore (issue 18, section 7): `kartoteka backup` and `kartoteka restore` of a linked store.

    python bench/bench_backup.py                       # simulate 20,000 persons, import, link, then measure
    python bench/bench_backup.py --store kartoteka.sqlite   # a linked store you have
    python bench/bench_backup.py --no-postgres         # SQLite only

Measured: the backup of the SQLite store, its restore into a new SQLite file and into a new PostgreSQL database,
and the backup of that PostgreSQL store (medians of --runs). Each restore is checked: every table's row count
and checksum against the manifest (restore does that itself), then the rows of the restored store counted again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section
from bench_search import _prepare  # simulate, import and link a SIMULATED archive

PG_ADMIN_URL = os.environ.get("KARTOTEKA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def _pg_database() -> Iterator[str]:
    import psycopg

    name = f"kt_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CPU: dict[str, list[float]] = {}


def _timed(action: Callable[[], object], step: str = "") -> float:
    """Wall seconds of `action`; its CPU seconds in this process are noted under `step` (the machine is shared:
    the CPU time says what the work costs when the wall clock waits for other sessions)."""
    started, cpu = time.perf_counter(), time.process_time()
    action()
    CPU.setdefault(step, []).append(time.process_time() - cpu)
    return time.perf_counter() - started


def _counts(url: str) -> dict[str, int]:
    from sqlalchemy import MetaData, create_engine, func, select

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            reflected = MetaData()
            reflected.reflect(conn)
            return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for name, table in reflected.tables.items() if name != "alembic_version"}
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000, help="persons to simulate (without --store)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--store", help="a linked store (SQLite path or URL) instead of simulating one")
    parser.add_argument("--work", type=Path, help="where to work (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (the median is shown)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-write", action="store_true", help="print, do not write BENCHMARKS.md")
    args = parser.parse_args()
    from kartoteka.store.backup import backup
    from kartoteka.store.restore import restore

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-backup-"))
    work.mkdir(parents=True, exist_ok=True)
    clock: dict[str, float] = {}
    if args.store:
        url = args.store if "://" in args.store else f"sqlite:///{Path(args.store).resolve()}"
    else:
        url, _archive, clock = _prepare(args.persons, args.seed, work)
    source_counts = _counts(url)
    times: dict[str, list[float]] = {"backup (SQLite)": [], "restore into SQLite": []}
    if not args.no_postgres:
        times |= {"restore into PostgreSQL": [], "backup (PostgreSQL)": []}
    size = 0
    for run in range(args.runs):
        print(f"run {run + 1} of {args.runs} ...", file=sys.stderr, flush=True)
        out = work / f"backup-{run}.zip"
        times["backup (SQLite)"].append(_timed(lambda out=out: backup(url, out), "backup (SQLite)"))
        size = out.stat().st_size
        target = f"sqlite:///{work / f'restored-{run}.sqlite'}"
        times["restore into SQLite"].append(_timed(lambda out=out, target=target, run=run: restore(
            target, out, runs_dir=work / f"restored-{run}-runs"), "restore into SQLite"))
        assert _counts(target) == source_counts, "the restored SQLite store differs"
        if not args.no_postgres:
            with _pg_database() as pg:
                times["restore into PostgreSQL"].append(_timed(lambda out=out, pg=pg, run=run: restore(
                    pg, out, runs_dir=work / f"pg-{run}-runs"), "restore into PostgreSQL"))
                assert _counts(pg) == source_counts, "the restored PostgreSQL store differs"
                again = work / f"backup-pg-{run}.zip"
                times["backup (PostgreSQL)"].append(_timed(lambda again=again, pg=pg: backup(pg, again),
                                                            "backup (PostgreSQL)"))
                with zipfile.ZipFile(out) as first, zipfile.ZipFile(again) as second:
                    sums = [{e["name"]: e["sha256"] for e in json.loads(z.read("manifest.json"))["tables"]
                             if e["name"] != "link_runs"} for z in (first, second)]
                assert sums[0] == sums[1], "the PostgreSQL copy backs up to other checksums"
    rows = sum(source_counts.values())
    with zipfile.ZipFile(work / "backup-0.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    biggest = sorted(source_counts.items(), key=lambda item: -item[1])[:4]
    lines = [
        f"Store: SQLite, {rows:,} rows in {len(source_counts)} tables ("
        + ", ".join(f"{name} {count:,}" for name, count in biggest)
        + f"; {'SIMULATED' if manifest['simulated'] else 'real'} archive, "
        + (f"given: {args.store}, {source_counts.get('persons', 0):,} persons of its last run" if args.store
           else f"{args.persons:,} persons, seed {args.seed}, profile realistic")
        + f"). Backup file: {size / 2**20:,.1f} MiB (ZIP of one JSON-lines file per table, deflate level 1, "
        f"and {len(manifest['files'])} run files: the model and the reading cache).",
        "",
        "| step | median (wall) | runs (wall) | rows per second (wall) | CPU in the kartoteka process (median) |",
        "|---|---|---|---|---|",
        *[f"| {step} | {statistics.median(values):.1f} s | {', '.join(f'{v:.1f}' for v in values)} | "
          f"{rows / statistics.median(values):,.0f} | {statistics.median(CPU[step]):.1f} s |"
          for step, values in times.items()],
        "",
        f"Peak memory of the benchmark process (every backup and restore above ran in it): {peak_mib:,.0f} MiB: "
        "rows are streamed in chunks of 5,000, no table is held whole. The CPU column leaves out PostgreSQL's "
        "own work; the wall clock includes waiting for the other sessions on this shared machine.",
        "Every restore checks each table's row count and SHA-256 against the manifest inside its one transaction; "
        "the benchmark then counts the restored rows again, and checks that the PostgreSQL copy backs up to the same "
        "checksums as the SQLite store (link_runs aside: its model_path names the restored run folder).",
    ]
    if clock:
        lines.append("Preparing: " + ", ".join(f"{k} {v:.0f} s" for k, v in clock.items()) + ".")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("backup", "Backup and restore (kartoteka backup / restore)", body)


if __name__ == "__main__":
    main()
