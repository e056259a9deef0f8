"""Search quality and speed (issue 16, section 7): a simulated archive, imported and linked; 1,000 of its persons
drawn at random, each looked up by the kanji of a Japanese roster, by the katakana, by the romaji and by one of
their cards' Cyrillic spellings, with and without the birth year; the index build time (reindex) and the query
latency. Writes the section "search" of BENCHMARKS.md.

    python bench/bench_search.py --persons 20000              # simulate, import, link, then measure
    python bench/bench_search.py --store big.sqlite --archive big-archive   # a store linked before (full scale)
    python bench/bench_search.py --store big.sqlite --reindex-only         # time the index build alone (prints)

A reindex rewrites the search index of the store it is given (the same rows again): time a copy of a store
that another benchmark reads.

The true person of each record comes from the archive's truth.csv; a hit is right when one of its records is one
of the true person's (the person page the family would open holds a record of the person they asked for).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

SCRIPTS = ("kanji", "kana", "romaji", "cyrillic")


def _cli(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "kartoteka", "-q", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kartoteka {' '.join(args)} failed:\n{done.stderr}")


def _prepare(persons: int, seed: int, work: Path) -> tuple[str, Path, dict[str, float]]:
    archive, store = work / "archive", work / "search.sqlite"
    clock = {}
    for stage, args in (("simulate", ("simulate", str(archive), "--persons", str(persons), "--seed", str(seed),
                                      "--profile", "realistic")),
                        ("import", ("-d", str(store), "import", str(archive))),
                        ("link", ("-d", str(store), "link"))):
        started = time.perf_counter()
        print(f"{stage} ...", file=sys.stderr, flush=True)
        _cli(*args)
        clock[stage] = time.perf_counter() - started
    return f"sqlite:///{store}", archive, clock


def _url(store: str) -> str:
    return store if "://" in store else f"sqlite:///{Path(store).resolve()}"


def _queries(store: Any, archive: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """For `count` persons drawn at random: their refs and a query in each script (where they have one)."""
    from sqlalchemy import select

    from kartoteka.names import kana_to_romaji
    from kartoteka.store import records

    truth = pd.read_csv(archive / "truth.csv", dtype=str)
    people = pd.read_csv(archive / "persons.csv", dtype=str).set_index("person_id")
    with store.engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(select(records.c.record_ref, records.c.kind, records.c.surname,
                                                records.c.given_name, records.c.script)).all(),
                            columns=["record_ref", "kind", "surname", "given_name", "script"])
    rows = rows.merge(truth[["record_ref", "person_id"]], on="record_ref")
    by_person = {person: frame for person, frame in rows.groupby("person_id")}
    rng = random.Random(seed)
    drawn = rng.sample(sorted(by_person), min(count, len(by_person)))
    out = []
    for person in drawn:
        frame, facts = by_person[person], people.loc[person]

        def written(kind: tuple[str, ...], script: tuple[str, ...], frame: pd.DataFrame = frame) -> str | None:
            found = frame[frame["kind"].isin(kind) & frame["script"].isin(script)]
            if found.empty:
                return None
            row = found.iloc[rng.randrange(len(found))]
            return f"{row['surname'] or ''} {row['given_name'] or ''}".strip() or None

        kana_true = f"{facts['kana_surname']} {facts['kana_given']}"
        queries = {
            "kanji": written(("jp_roster",), ("kanji", "mixed")) or f"{facts['kanji_surname']} {facts['kanji_given']}",
            "kana": written(("death_roster",), ("katakana",)) or kana_true,
            "romaji": f"{kana_to_romaji(facts['kana_surname'])} {kana_to_romaji(facts['kana_given'])}".title(),
            "cyrillic": written(("card", "personal_file"), ("cyrillic",)),
        }
        birth = facts["birth_date"]
        out.append({"person": person, "refs": set(frame["record_ref"]), "queries": queries,
                    "birth_year": int(birth[:4]) if isinstance(birth, str) and birth[:4].isdigit() else None})
    return out


def _quality(store: Any, drawn: list[dict[str, Any]]
             ) -> tuple[dict[str, Any], list[float], list[dict[str, Any]], dict[str, list[float]]]:
    from kartoteka.search.service import search
    from kartoteka.search.types import SearchQuery

    counts: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0, 0])  # asked, first, top 5
    latencies, misses = [], []
    cpu: dict[str, list[float]] = defaultdict(list)  # CPU seconds of this process per query, by script
    for item in drawn:
        for script in SCRIPTS:
            text = item["queries"][script]
            if not text:
                continue
            for with_year in (True, False):
                year = item["birth_year"] if with_year else None
                started, cpu_started = time.perf_counter(), time.process_time()
                page = search(store, SearchQuery(text=text, birth_year=year, limit=5))
                latencies.append(time.perf_counter() - started)
                cpu[script].append(time.process_time() - cpu_started)
                right = [bool(set(hit.record_refs) & item["refs"]) for hit in page.hits]
                tally = counts[(script, with_year)]
                tally[0] += 1
                tally[1] += bool(right and right[0])
                tally[2] += any(right)
                if not any(right) or (with_year and not right[0]):
                    misses.append({"script": script, "with_year": with_year, "query": text, "person": item["person"],
                                   "birth_year": year, "top": [(h.score, h.names, h.birth_year) for h in page.hits[:3]]})
    figures = {f"{script}{'+year' if year else ''}": {"queries": n, "first": first / n, "top5": top5 / n}
               for (script, year), (n, first, top5) in sorted(counts.items()) if n}
    return figures, latencies, misses, cpu


def _reindex_seconds(store: Any, runs: int) -> list[float]:
    from kartoteka.search.service import reindex

    return [reindex(store).seconds for _ in range(runs)]


_TIMED_REINDEX = """
import json, resource, sys, time
from kartoteka.search.service import reindex
from kartoteka.store import open_store
started = time.perf_counter()
with open_store(sys.argv[1], create=False) as store:
    summary = reindex(store)
wall = time.perf_counter() - started
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"entries": summary.entries, "wall": wall, "cpu": own.ru_utime + own.ru_stime,
                  "children": kids.ru_utime + kids.ru_stime}))
"""


def _reindex_only(url: str, runs: int) -> None:
    """Each build in a process of its own (a fresh start, as `kartoteka search --reindex`): wall seconds, the
    CPU seconds of the process and of its children (the records' reader, any reading workers), and the load."""
    import os

    walls = []
    for run in range(1, runs + 1):
        load = os.getloadavg()[0]
        done = subprocess.run([sys.executable, "-c", _TIMED_REINDEX, url], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"reindex failed:\n{done.stderr}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        walls.append(figures["wall"])
        print(f"reindex {run}: {figures['entries']:,} rows, wall {figures['wall']:.1f} s, CPU {figures['cpu']:.1f} s "
              f"(children {figures['children']:.1f} s), load average {load:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after", flush=True)
    print(f"median wall {statistics.median(walls):.1f} s of {len(walls)} ({', '.join(f'{w:.1f}' for w in walls)})")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000, help="persons to simulate (without --store)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--store", help="a linked store (path or URL) made from --archive")
    parser.add_argument("--archive", type=Path, help="the simulated archive behind --store (truth.csv)")
    parser.add_argument("--work", type=Path, help="where to simulate (default: a temporary folder)")
    parser.add_argument("--queries", type=int, default=1000, help="persons drawn at random")
    parser.add_argument("--reindex-runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print, do not write BENCHMARKS.md")
    parser.add_argument("--reindex-only", action="store_true",
                        help="with --store: time --reindex-runs index builds (each in a new process), print, stop")
    parser.add_argument("--warm-up", action="store_true",
                        help="load the store's known readings first (search.service.warm_up), as each web worker does")
    args = parser.parse_args()
    if args.reindex_only:
        if not args.store:
            parser.error("--reindex-only needs --store")
        _reindex_only(_url(args.store), args.reindex_runs)
        return
    from kartoteka.store import open_store

    clock: dict[str, float] = {}
    if args.store:
        if args.archive is None:
            parser.error("--store needs --archive (its truth.csv)")
        url, archive = _url(args.store), args.archive
    else:
        work = args.work or Path(tempfile.mkdtemp(prefix="bench-search-"))
        url, archive, clock = _prepare(args.persons, args.seed, work)
    store = open_store(url, create=False)
    with store.engine.connect() as conn:
        record_count = conn.exec_driver_sql("SELECT count(*) FROM records").scalar()
        person_count = conn.exec_driver_sql("SELECT count(*) FROM persons").scalar()
    print("reindex ...", file=sys.stderr, flush=True)
    builds = _reindex_seconds(store, args.reindex_runs)
    drawn = _queries(store, archive, args.queries, args.seed)
    if args.warm_up:
        from kartoteka.search.service import warm_up

        warm_up(store)
    print(f"querying {len(drawn)} persons ...", file=sys.stderr, flush=True)
    figures, latencies, misses, cpu = _quality(store, drawn)
    store.close()
    lines = [
        f"Store: {store.backend} ({record_count:,} records, {person_count:,} persons; SIMULATED archive, "
        f"{'given' if args.store else f'{args.persons:,} persons, seed {args.seed}, profile realistic'}). "
        f"{len(drawn):,} persons drawn at random (seed {args.seed}); each looked up by the kanji of one of its "
        "Japanese roster records (the kanji of persons.csv when it has none), by the katakana of its death-roster "
        "record (its true kana from persons.csv when it has none), by the Hepburn romaji of its true kana (with "
        "macrons), and by the Cyrillic of one of its cards or personal files (persons without one are not asked), "
        "with the birth year (tolerance 2) and without. Right: the hit holds one of the true person's records."
        + (" After `warm_up` (the store's known readings loaded, as each web worker does)." if args.warm_up else ""),
        "",
        "| query | asked | first | in top 5 |", "|---|---|---|---|",
        *[f"| {name} | {f['queries']:,} | {f['first']:.2%} | {f['top5']:.2%} |" for name, f in figures.items()],
        "",
        (f"Index build (`kartoteka search --reindex`, names read through the run's reading cache): median "
         f"{statistics.median(builds):.2f} s of {len(builds)} ({', '.join(f'{b:.2f}' for b in builds)})."
         if builds else "Index build: not timed (--reindex-runs 0)."),
        f"Query latency over the {len(latencies):,} queries above (one process, one after another, limit 5): "
        f"median {statistics.median(latencies) * 1000:.1f} ms, p95 {_percentile(latencies, 0.95) * 1000:.1f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms.",
        "CPU of the querying process per query (its threads: on SQLite the database's work too), by script: "
        + "; ".join(f"{script} mean {statistics.mean(values) * 1000:.1f} ms, median "
                    f"{statistics.median(values) * 1000:.1f} ms, p95 {_percentile(values, 0.95) * 1000:.1f} ms"
                    for script, values in cpu.items()) + ".",
    ]
    if clock:
        lines.append("Preparing: " + ", ".join(f"{k} {v:.0f} s" for k, v in clock.items()) + ".")
    body = "\n".join(lines)
    print(body)
    Path("bench-search-misses.json").write_text(json.dumps(misses, ensure_ascii=False, indent=1, default=str))
    if not args.no_write:
        write_section("search", "Search (kartoteka search): quality by script, index build, latency", body)


if __name__ == "__main__":
    main()
