"""Fault injection for the store: kill -9 an import or a link at a point drawn by a seeded random generator.

Each kill waits on something the test can observe (a progress line of the command, the store's WAL or a
table growing), never on a sleep alone, so that the kill lands where it was aimed on a loaded machine too.
A kill that comes too late (the command had finished) is not a failure: the store must then be as after the
command, and `Outcome.landed` says which it was. Used by tests/faults and by bench/bench_faults.py.
"""

from __future__ import annotations

import atexit
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WAIT = 300.0  # seconds: generous, a loaded 2-core machine is slow, and a wait only ends early on success
# The commands run in a folder of their own: a link on PostgreSQL saves its model under ./kartoteka-runs.
WORKDIR = Path(tempfile.mkdtemp(prefix="kt-faults-"))
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)


@dataclass
class Outcome:
    """Where a kill was aimed and whether it landed (the process was still running when killed)."""

    point: str
    landed: bool
    children_left: list[int]


def database_arg(store_url: str) -> str:
    """The --database value a user would give for a test store's SQLAlchemy URL."""
    return store_url.removeprefix("sqlite:///").replace("postgresql+psycopg://", "postgresql://")


def start(store_url: str, *args: str) -> subprocess.Popen[str]:
    """`kartoteka --database STORE ARGS` as a child process, its stderr read by a thread (see `lines`)."""
    child = subprocess.Popen([sys.executable, "-m", "kartoteka", "--database", database_arg(store_url), *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=WORKDIR)
    seen: list[str] = []
    child.seen = seen  # type: ignore[attr-defined]
    for stream in (child.stdout, child.stderr):
        threading.Thread(target=lambda s=stream: seen.extend(s), daemon=True).start()
    return child


def run(store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`kartoteka --database STORE ARGS`, to the end."""
    return subprocess.run([sys.executable, "-m", "kartoteka", "--database", database_arg(store_url), *args],
                          capture_output=True, text=True, timeout=900, cwd=WORKDIR)


def wait_for(condition: Callable[[], bool], child: subprocess.Popen[str], what: str) -> bool:
    """Wait until `condition` holds (True) or `child` has exited (False: too late to kill it there)."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if child.poll() is not None:
            return False
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT:.0f} s for {what}; the command printed: {''.join(child.seen)}")  # type: ignore[attr-defined]
        time.sleep(0.01)
    return True


def kill(child: subprocess.Popen[str], point: str) -> Outcome:
    """kill -9 `child` (if still running); wait until it and every process it started are gone."""
    family = descendants(child.pid)
    landed = child.poll() is None
    if landed:
        child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 60
    while (left := [pid for pid in family if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return Outcome(point, landed and child.returncode == -signal.SIGKILL, left)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found.extend(children)
        frontier.extend(children)
    return found


def alive(pid: int) -> bool:
    """True if `pid` runs (a zombie, dead but not yet reaped by its new parent, counts as gone)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def store_size(store_url: str, tables: tuple[str, ...]) -> int:
    """How much the store has written so far, committed or not: the WAL's size (SQLite) or the tables'."""
    if store_url.startswith("sqlite"):
        wal = Path(store_url.removeprefix("sqlite:///") + "-wal")
        try:
            return wal.stat().st_size
        except OSError:
            return 0
    import psycopg

    with psycopg.connect(database_arg(store_url), autocommit=True) as conn:
        sizes = [conn.execute("SELECT coalesce(pg_relation_size(to_regclass(%s)), 0)", (t,)).fetchone()[0]
                 for t in tables]
    return int(sum(sizes))


def integrity(store_url: str) -> str:
    """`pragma integrity_check` of a SQLite store ("ok"); on PostgreSQL, "ok" if every table reads whole."""
    if store_url.startswith("sqlite"):
        path = store_url.removeprefix("sqlite:///")
        if not Path(path).exists():
            return "ok"
        with sqlite3.connect(path) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    import psycopg

    with psycopg.connect(database_arg(store_url), autocommit=True) as conn:
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall():
            conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return "ok"


def card_file(path: Path, rows: int, tag: str) -> Path:
    """A card file of `rows` distinct records (refs tagged by `tag`)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_ref", "surname", "given_name", "birth_year", "camp", "note"])
        for n in range(rows):
            writer.writerow([f"{tag}{n}", f"Танака{n % 97}", "Итиро", str(1900 + n % 40), str(n % 50), "x" * 40])
    return path


IMPORT_POINTS = ("creating the store", "writing records")


def kill_import(store_url: str, cards: Path, rng: random.Random, point: str) -> Outcome:
    """Start `import card CARDS` and kill -9 it at `point`: as soon as the store file appears (SQLite: while
    it is created), or once it has written a random amount of its records (0.2 to 2 MB)."""
    child = start(store_url, "import", "card", str(cards), "--quiet")
    if point == "creating the store" and store_url.startswith("sqlite"):
        path = Path(store_url.removeprefix("sqlite:///"))
        wait_for(lambda: path.exists(), child, "the store file")
    else:
        target = store_size(store_url, ("records",)) + rng.randint(200_000, 2_000_000)
        wait_for(lambda: store_size(store_url, ("records",)) >= target, child, "the import writing")
    return kill(child, point)


LINK_POINTS = ("reading records", "building features", "training and scoring", "clustering", "writing",
               "writing, store growing")
PERSON_TABLES = ("persons", "person_records", "match_pairs")


def kill_link(store_url: str, rng: random.Random, point: str) -> Outcome:
    """Start `link` and kill -9 it at `point`: once it prints that stage, or (the last point) once the store
    has grown by a random amount after it began to write its persons."""
    child = start(store_url, "link")
    stage = point.split(",")[0]
    seen: list[str] = child.seen  # type: ignore[attr-defined]
    if wait_for(lambda: any(f"link: {stage}" in line for line in list(seen)), child, f"link: {stage}") \
            and point.endswith("growing"):
        target = store_size(store_url, PERSON_TABLES) + rng.randint(16_000, 400_000)
        wait_for(lambda: store_size(store_url, PERSON_TABLES) >= target, child, "the persons being written")
    return kill(child, point)


def staging_files(store_url: str) -> list[Path]:
    """Staging files beside a SQLite store (none on PostgreSQL)."""
    if not store_url.startswith("sqlite"):
        return []
    path = Path(store_url.removeprefix("sqlite:///"))
    return list(path.parent.glob(f".{path.stem}-*.staging.sqlite*"))


def environment_ok() -> str | None:
    """Why these faults cannot be injected here, or None."""
    if not Path("/proc/self/stat").exists() or os.name != "posix":
        return "needs Linux (/proc, kill -9)"
    return None
