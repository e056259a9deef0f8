"""The store stages of `link` on SQLite: reading the records, and writing a run's persons; medians of 3.

    .venv/bin/python bench/bench_store_stages.py [--records 200000] [--runs 3]

Issue 15 moved the Arrow (ADBC) reader of the records into a child process: in the linking process it was a
second copy of SQLite beside kartoteka's own connection, and closing it lost that connection's later commits.
This measures the read as it was (the driver in the process) and as it is (the driver in a child process
streaming Arrow batches over a pipe), and the write of a run's persons (`runs.write_run`: the staging file,
now locked and with a killed run's leftovers removed first, copied in by SQL). The store is made of SIMULATED
rows (synthetic names). Each measurement runs in a fresh process. Results go to the "store-stages" section
of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import median, write_section

SURNAMES = ["Танака", "Судзуки", "Ватанабэ", "Такахаси", "Ито", "Ямамото", "Накамура", "Кобаяси", "Като"]
GIVEN = ["Итиро", "Дзиро", "Сабуро", "Сиро", "Горо", "Хироси", "Такэси", "Минору"]


def make_store(path: Path, count: int) -> None:
    """A store with `count` SIMULATED card records, written straight through sqlite3."""
    from kartoteka.store import open_store

    open_store(f"sqlite:///{path}").close()
    rng = random.Random(15)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO sources (name, kind, file_name, file_sha256, imported_at, row_count, "
                     "quarantined_count, simulated) VALUES ('bench', 'card', 'bench.csv', 'x', ?, ?, 0, 1)",
                     (dt.datetime.now(dt.UTC).isoformat(), count))
        conn.execute("INSERT INTO meta (key, value) VALUES ('simulated', 'true')")
        conn.executemany(
            "INSERT INTO records (source_id, kind, record_ref, file_name, row_number, row_sha256, raw_json, "
            "surname, given_name, birth_year, camp, rank, script) VALUES (1, 'card', ?, 'bench.csv', ?, '', '{}', "
            "?, ?, ?, ?, ?, 'cyrillic')",
            ((f"c{n}", n, rng.choice(SURNAMES), rng.choice(GIVEN), 1900 + n % 30, str(n % 60),
              None if n % 3 else "рядовой") for n in range(count)))


def stage(name: str, path: Path) -> float:
    """One measurement, in this (fresh) process: seconds."""
    import numpy as np
    import pandas as pd

    from kartoteka.linkage import runs
    from kartoteka.store import open_store

    store = open_store(f"sqlite:///{path}")
    started = time.perf_counter()
    if name == "read-in-process":
        frame = _read_in_process(path)
    elif name == "read":
        frame = runs.load_records(store)
    else:
        count = int(sqlite3.connect(path).execute("SELECT count(*) FROM records").fetchone()[0])
        run_id = runs.start_run(store, "duckdb")
        started = time.perf_counter()
        persons = count // 4
        person_frame = pd.DataFrame({"name_cyrillic": ["Танака Итиро"] * persons, "birth_year": 1920,
                                     "fate": "alive", "record_count": 4, "camps_json": '["7"]'})
        members = pd.DataFrame({"record_id": np.arange(1, count + 1), "cluster": np.arange(count) // 4,
                                "match_probability": 0.97})
        left = np.arange(1, count + 1)
        pairs = pd.DataFrame({"record_id_l": left, "record_id_r": left + 1, "match_weight": 3.5,
                              "match_probability": 0.9, "in_review": (left % 20 == 0).astype(int),
                              "review_priority": 0.5, "weights_json": None})
        runs.write_run(store, run_id, person_frame, members, pairs, {})
        frame = person_frame
    seconds = time.perf_counter() - started
    store.close()
    assert len(frame) > 0
    return seconds


def _read_in_process(path: Path):  # type: ignore[no-untyped-def]
    """The read as it was before issue 15: the ADBC driver in this process (unsafe for later commits)."""
    import adbc_driver_sqlite.dbapi
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from kartoteka.linkage.runs import _INTEGER_COLUMNS, RECORD_COLUMNS, _typed

    text = [c for c in RECORD_COLUMNS if c not in _INTEGER_COLUMNS]
    columns = ", ".join(c if c in _INTEGER_COLUMNS else f"coalesce({c}, '') AS {c}" for c in RECORD_COLUMNS)
    chunks = []
    with adbc_driver_sqlite.dbapi.connect(str(path)) as conn, conn.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "100000"})
        cursor.execute(f"SELECT {columns} FROM records ORDER BY id")
        for batch in cursor.fetch_record_batch():
            arrays = [pc.if_else(pc.equal(col, ""), pa.scalar(None, col.type), col) if name in text else col
                      for name, col in zip(batch.schema.names, batch.columns, strict=True)]
            chunks.append(_typed(pa.RecordBatch.from_arrays(arrays, names=batch.schema.names).to_pandas()))
    return pd.concat(chunks, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(stage(args.stage, Path(args.store)))
        return
    with tempfile.TemporaryDirectory(prefix="kt-bench-stages-") as tmp:
        path = Path(tmp) / "bench.sqlite"
        make_store(path, args.records)
        seconds: dict[str, list[float]] = {"read-in-process": [], "read": [], "write": []}
        for _ in range(args.runs):
            for name in seconds:
                out = subprocess.run([sys.executable, __file__, "--stage", name, "--store", str(path)],
                                     capture_output=True, text=True, check=True)
                seconds[name].append(float(out.stdout.strip().splitlines()[-1]))
                print(name, seconds[name][-1], flush=True)
    rows = "\n".join(f"| {label} | {median(seconds[key]):.2f} | {', '.join(f'{s:.2f}' for s in seconds[key])} |"
                     for key, label in [("read-in-process", "read, ADBC in the linking process (before)"),
                                        ("read", "read, ADBC in a child process (now)"),
                                        ("write", "write a run's persons (staging file, locked)")])
    write_section("store-stages", "Store stages of link on SQLite (issue 15)", f"""
{args.records:,} SIMULATED card records; persons {args.records // 4:,}, pairs {args.records:,}; each figure a
fresh process, median of {args.runs} (seconds). `bench/bench_store_stages.py --records {args.records}`.

| stage | median s | runs |
|---|---|---|
{rows}
""")


if __name__ == "__main__":
    main()
