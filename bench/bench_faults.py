"""Faults injected into the store, many times per backend: kill -9 of import and link at seeded random points.

    .venv/bin/python bench/bench_faults.py [--import-kills 20] [--link-kills 10] [--backends sqlite,postgresql]

The heavy version of tests/faults (which kills a few times per backend, to stay inside `make test`'s budget).
Each kill waits on observable progress (the store growing, a progress line), never on a sleep alone; a kill
that comes after the command finished counts as injected but not landed. After each kill: the store must
open and pass `pragma integrity_check` (a damaged store otherwise), and show no half-written import or run.
At the end the import and the link are run again to completion: every row must be there exactly once (rows
lost otherwise). The archive is SIMULATED. Results go to the "faults" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _report import write_section
from faults.injection import IMPORT_POINTS, LINK_POINTS, card_file, integrity, kill_import, kill_link, run
from kartoteka.linkage.tables import person_records
from kartoteka.store import open_store, records

PG_ADMIN = os.environ.get("KARTOTEKA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ROWS = 60_000


class Tally:
    """Faults injected and landed, stores damaged, rows lost, for one backend."""

    def __init__(self) -> None:
        self.injected = self.landed = self.damaged = self.lost = self.half_written = 0
        self.workers_left = 0

    def check(self, store_url: str) -> None:
        """After a kill: the store opens whole (or is not there yet), integrity ok."""
        try:
            if integrity(store_url) != "ok":
                self.damaged += 1
                return
            open_store(store_url, create=False).close()
        except Exception as exc:
            if getattr(exc, "code", None) != "store.missing":
                self.damaged += 1


def _records(store_url: str) -> tuple[int, int]:
    with open_store(store_url, create=False) as store, store.engine.connect() as conn:
        return (int(conn.execute(select(func.count()).select_from(records)).scalar_one()),
                int(conn.execute(select(func.count(person_records.c.record_id.distinct()))).scalar_one()))


def bench_backend(store_urls: tuple[str, str], archive: Path, work: Path, import_kills: int,
                  link_kills: int) -> Tally:
    """Kill imports on the first store, links on the second (the archive's); re-run both; tally. Two stores:
    the import's card file (thousands of one name) would make the link's blocking pathological."""
    store_url, link_url = store_urls
    tally, rng = Tally(), random.Random(f"bench-faults-{store_url.split(':')[0]}")
    cards = card_file(work / "cards.csv", ROWS, "k")
    for number in range(import_kills):
        point = IMPORT_POINTS[0] if number == 0 else rng.choice(IMPORT_POINTS[1:])
        outcome = kill_import(store_url, cards, rng, point)
        tally.injected += 1
        tally.landed += outcome.landed
        tally.workers_left += len(outcome.children_left)
        tally.check(store_url)
        try:
            if outcome.landed and _records(store_url)[0] not in (0,):
                tally.half_written += 1
        except Exception:
            pass  # not created yet: as before
    done = run(store_url, "import", "card", str(cards), "--quiet")
    if done.returncode != 0:
        raise SystemExit(f"the import failed after the kills: {done.stderr}")
    tally.lost = abs(ROWS - _records(store_url)[0])  # missing or doubled
    for command in (["--quiet", "import", str(archive)], ["link"]):
        done = run(link_url, *command)
        if done.returncode != 0:
            raise SystemExit(f"{command} failed: {done.stderr}")
    for _ in range(link_kills):
        outcome = kill_link(link_url, rng, rng.choice(LINK_POINTS))
        tally.injected += 1
        tally.landed += outcome.landed
        tally.workers_left += len(outcome.children_left)
        tally.check(link_url)
    again = run(link_url, "link")
    if again.returncode != 0:
        raise SystemExit(f"link failed after the kills: {again.stderr}")
    stored, linked = _records(link_url)
    tally.lost += abs(_archive_records(archive) - stored) + max(0, stored - linked)  # and records left unlinked
    return tally


def _archive_records(archive: Path) -> int:
    import json

    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    return sum(int(entry.get("rows", 0)) for entry in manifest.get("files", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-kills", type=int, default=20)
    parser.add_argument("--link-kills", type=int, default=10)
    parser.add_argument("--persons", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    from kartoteka.simulate import simulate_archive

    results = {}
    with tempfile.TemporaryDirectory(prefix="kt-bench-faults-") as tmp:
        archive = Path(tmp) / "archive"
        simulate_archive(archive, persons=args.persons, seed=11, profile="realistic", workers=1)
        for backend in args.backends.split(","):
            work = Path(tmp) / backend
            work.mkdir()
            if backend == "sqlite":
                urls = (f"sqlite:///{work / 'imports.sqlite'}", f"sqlite:///{work / 'links.sqlite'}")
                results[backend] = bench_backend(urls, archive, work, args.import_kills, args.link_kills)
                continue
            import psycopg

            names = [f"kt_bench_faults_{uuid.uuid4().hex[:12]}" for _ in range(2)]
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                for name in names:
                    admin.execute(f'CREATE DATABASE "{name}"')
            try:
                base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
                urls = (f"{base}/{names[0]}", f"{base}/{names[1]}")
                results[backend] = bench_backend(urls, archive, work, args.import_kills, args.link_kills)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    for name in names:
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rows = "\n".join(f"| {backend} | {t.injected} | {t.landed} | {t.lost} | {t.damaged} | {t.half_written} | "
                     f"{t.workers_left} |" for backend, t in results.items())
    print(rows)
    write_section("faults", "Faults injected into the store (issue 15)", f"""
kill -9 of `kartoteka import` ({args.import_kills} per backend, a {ROWS:,}-row card file; the first while the
store is created) and of `kartoteka link` ({args.link_kills} per backend, at a random stage, on a SIMULATED
archive of {args.persons:,} persons), at points drawn by a seeded generator; then the import and the link run
again to the end (imports and links on two stores). "Landed": the command was still running when killed.
"Rows lost": records missing or doubled after the re-runs, or not linked into a person. `bench/bench_faults.py`.

| backend | faults injected | landed | rows lost | damaged stores | half-written imports visible | workers left running |
|---|---|---|---|---|---|---|
{rows}
""")


if __name__ == "__main__":
    main()
