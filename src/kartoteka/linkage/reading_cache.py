"""Readings of distinct spellings, computed in parallel and kept on disk between runs.

`kartoteka.names.readings` is a pure function, so its answers can be kept: a re-run (new sources, a review
decision, a new threshold) reads only the spellings it has not seen. The cache file is keyed by a digest of
the names package, so a new names engine starts a fresh cache.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kartoteka.core.processes import start_worker

# A reader takes (text, part) and gives the romanized readings, best first. The default calls kartoteka.names;
# the baseline passes a plain transliteration instead.
Reader = Callable[[str, str], list[str]]
_PARALLEL_FROM = 4000  # below this, starting worker processes costs more than it saves
_CHUNK = 500
_WARM_UP = "Ямада"  # read once by each worker as it starts: it loads the names tables before the spellings come
#: The part under which a spelling's literal reading (names.literal_reading, letter by letter) is kept: the
#: linkage and the search index read it for every distinct spelling, and it is the dearest thing left to re-read.
LITERAL = "literal"


def names_digest() -> str:
    """A digest of the names package's code and data: readings from another engine are not reused."""
    import kartoteka.names as names_package

    root = Path(names_package.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".tsv", ".gz", ".json", ".csv", ".bin", ".pkl"}:
            digest.update(path.name.encode())
            digest.update(str(path.stat().st_size).encode())
            if path.suffix == ".py":
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def names_reader(limit: int = 5, search: bool = True) -> Reader:
    """Readings from kartoteka.names: romanized katakana (Hepburn), best first (``search``: see
    ``names.readings``). Here, not beside the features, so that a reading worker imports no pandas."""
    from kartoteka import names

    def read(text: str, part: str) -> list[str]:
        try:
            found = names.readings(text, limit=limit, part=part, search=search)
        except Exception:  # a name the engine cannot read links on its other fields
            return []
        return [r.romaji for r in found if r.romaji]

    return read


def _read_chunk(items: list[tuple[str, str]], search: bool = True) -> list[list[str]]:
    read = names_reader(search=search)
    return [_literal_list(text) if part == LITERAL else read(text, part) for text, part in items]


def _literal_list(text: str) -> list[str]:
    from kartoteka.names import literal_reading

    found = literal_reading(text)
    return [found] if found else []


def _workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class ReadingCache:
    """A Reader (text, part) -> romanized readings backed by a dict that persists to `path` (if given).

    ``search=False`` reads without the decoder's search (``names.readings``): ten times faster, but 75,000
    spellings and literal readings of 100,000 cards still took 4 s in one process, so they too go to the
    workers when there are many."""

    def __init__(self, path: Path | None = None, search: bool = True) -> None:
        self.path = path
        self.search = search
        self.key = names_digest()
        self.entries: dict[tuple[str, str], list[str]] = {}
        self.added = 0
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[list[tuple[str, str]], Future[Any]]] = []
        self._waiting: set[tuple[str, str]] = set()  # queued by start, not yet handed to the workers
        self._submitted: set[tuple[str, str]] = set()  # handed to the workers, answers not yet collected
        if path and path.exists():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = None  # a damaged cache is only a slower run
            if isinstance(stored, dict) and stored.get("key") == self.key:
                self.entries = {(text, part): found for text, part, found in stored.get("entries", [])}

    @classmethod
    def in_folder(cls, directory: Path, search: bool = True) -> ReadingCache:
        """The cache a run folder keeps: one file for readings with the decoder's search, another without (the
        two give different readings of a spelling the table does not hold)."""
        name = "readings-cache.json" if search else "readings-cache-table.json"
        return cls(directory / name, search=search)

    def _spawn_pool(self) -> ProcessPoolExecutor:
        # Workers are started afresh ("spawn"), not forked: a fork would carry the caller's gigabytes of
        # records along (and count them again in each worker's memory); a fresh one holds only the names data.
        if self._pool is None:
            # Workers die with this process (even on kill -9), leave Ctrl-C to it, run without the collector.
            self._pool = ProcessPoolExecutor(_workers(), mp_context=multiprocessing.get_context("spawn"),
                                             initializer=start_worker, initargs=(os.getpid(),))
        return self._pool

    def warm_up(self, records: int) -> None:
        """Start the workers now, and have each load the names tables, when `records` (about how many the run
        will read) promise more new spellings than the workers' start-up costs: a cache that holds fewer entries
        than there are records is cold, or the store has grown. The workers' start-up (a Python, the names
        package and its tables: about a second each) then overlaps the reading of the records instead of
        following it."""
        if _workers() < 2 or self._pool is not None or records < _PARALLEL_FROM or len(self.entries) >= records:
            return
        pool = self._spawn_pool()
        for _ in range(_workers()):
            pool.submit(_read_chunk, [(_WARM_UP, "surname")], self.search)

    def start(self, items: Iterable[tuple[str, str]]) -> None:
        """Queue the (text, part) not yet cached, and return at once. Once there are enough to be worth the
        workers' start-up, they are read in worker processes while the caller goes on (loading the next
        records); ``prefetch`` reads what is left and collects every answer."""
        self._waiting.update(item for item in items if item not in self.entries and item not in self._submitted)
        if _workers() < 2 or (self._pool is None and len(self._waiting) < _PARALLEL_FROM):
            return
        pool = self._spawn_pool()
        missing = sorted(self._waiting)  # in order: neighbouring spellings share the decoder's caches
        self._waiting.clear()
        self._submitted.update(missing)
        for first in range(0, len(missing), _CHUNK):
            chunk = missing[first:first + _CHUNK]
            self._pending.append((chunk, pool.submit(_read_chunk, chunk, self.search)))

    def prefetch(self, items: Iterable[tuple[str, str]]) -> None:
        """Read every (text, part) not yet cached, in worker processes when there are many."""
        self.start(items)
        leftover, self._waiting = sorted(self._waiting), set()  # too few for the workers: read here
        for first in range(0, len(leftover), _CHUNK):
            chunk = leftover[first:first + _CHUNK]
            self._store(chunk, _read_chunk(chunk, self.search))
        pending, self._pending = self._pending, []
        for chunk, future in pending:
            self._store(chunk, future.result())
        self.close()

    def _store(self, chunk: list[tuple[str, str]], found: list[list[str]]) -> None:
        self.entries.update(zip(chunk, found, strict=True))
        self.added += len(chunk)

    def close(self) -> None:
        """Stop the workers (answers not yet collected are dropped: they are read again when asked for)."""
        for _, future in self._pending:
            future.cancel()
        self._pending, self._waiting, self._submitted = [], set(), set()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __call__(self, text: str, part: str) -> list[str]:
        key = (text, part)
        if key not in self.entries:
            self.prefetch([key])
        return self.entries[key]

    def literal(self, text: str) -> str | None:
        """The literal reading of a spelling (names.literal_reading), kept with the readings."""
        key = (text, LITERAL)
        found = self.entries.get(key)
        if found is None:
            found = self.entries[key] = _literal_list(text)
            self.added += 1
        return found[0] if found else None

    def release(self) -> None:
        """Stop the workers and drop the readings held in memory (save first): at full scale a million spellings
        are hundreds of MB that scoring and clustering have no use for. Asked again, a spelling is read anew."""
        self.close()
        self.entries = {}
        self.added = 0

    def save(self) -> None:
        """Write the cache back (atomically) when it learned something new."""
        if not self.path or not self.added:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        entries = [[text, part, found] for (text, part), found in self.entries.items()]
        temporary.write_text(json.dumps({"key": self.key, "entries": entries}, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.path)
