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
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_PARALLEL_FROM = 4000  # below this, starting worker processes costs more than it saves
_CHUNK = 500


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


def _read_chunk(items: list[tuple[str, str]]) -> list[list[str]]:
    from kartoteka.linkage.features import names_reader

    read = names_reader()
    return [read(text, part) for text, part in items]


def _workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class ReadingCache:
    """A Reader (text, part) -> romanized readings backed by a dict that persists to `path` (if given)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.key = names_digest()
        self.entries: dict[tuple[str, str], list[str]] = {}
        self.added = 0
        if path and path.exists():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = None  # a damaged cache is only a slower run
            if isinstance(stored, dict) and stored.get("key") == self.key:
                self.entries = {(text, part): found for text, part, found in stored.get("entries", [])}

    def prefetch(self, items: Iterable[tuple[str, str]]) -> None:
        """Read every (text, part) not yet cached, in worker processes when there are many."""
        missing = sorted({item for item in items if item not in self.entries})
        if not missing:
            return
        chunks = [missing[i:i + _CHUNK] for i in range(0, len(missing), _CHUNK)]
        if len(missing) >= _PARALLEL_FROM and _workers() > 1:
            # Workers are started afresh ("spawn"), not forked: a fork would carry the caller's gigabytes of
            # records along (and count them again in each worker's memory); a fresh one holds only the names data.
            with ProcessPoolExecutor(_workers(), mp_context=multiprocessing.get_context("spawn")) as pool:
                results = list(pool.map(_read_chunk, chunks))
        else:
            results = [_read_chunk(chunk) for chunk in chunks]
        for chunk, found in zip(chunks, results, strict=True):
            self.entries.update(zip(chunk, found, strict=True))
        self.added += len(missing)

    def __call__(self, text: str, part: str) -> list[str]:
        key = (text, part)
        if key not in self.entries:
            self.prefetch([key])
        return self.entries[key]

    def save(self) -> None:
        """Write the cache back (atomically) when it learned something new."""
        if not self.path or not self.added:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        entries = [[text, part, found] for (text, part), found in self.entries.items()]
        temporary.write_text(json.dumps({"key": self.key, "entries": entries}, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.path)
