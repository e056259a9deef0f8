"""Locks between kartoteka processes on one store: a store being created, and a link running.

SQLite's own locks guard each transaction; these guard longer spans. On a SQLite store they are flock locks
on small hidden files beside the store (flock is separate from the fcntl locks SQLite takes, so the two never
disturb each other) and the kernel drops them when their holder dies, even by kill -9. On PostgreSQL they are
session advisory locks, which the server drops when the holder's connection goes; a waiter tries again and again
without holding a connection meanwhile (in a server process connections come from a small pool, and the holder
needs another for its work).

    store_lock(store_path_or_engine, "link", wait=False)   a context manager yielding True if it holds the lock
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text


def flock(handle: int, wait: bool = True) -> bool:
    """flock `handle` exclusively; False if `wait` is False and another process holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no locking between processes; SQLite's busy timeout still applies
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def lock_file(store_path: Path, name: str) -> Path:
    """The hidden lock file `name` beside the SQLite store `store_path`."""
    return store_path.with_name(f".{store_path.name}.{name}.lock")


@contextlib.contextmanager
def file_lock(path: Path, wait: bool = True) -> Iterator[bool]:
    """Hold an flock on `path` (created if absent) inside the block; yield whether it is held. A directory
    that cannot take the file (read-only) yields True: there is then nothing another process could create."""
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield True
        return
    try:
        yield flock(handle, wait)
    finally:
        os.close(handle)  # closing the file releases the lock


@contextlib.contextmanager
def store_lock(engine: Engine, name: str, wait: bool = False) -> Iterator[bool]:
    """Hold the store-wide lock `name` inside the block; yield whether it is held (False: another holds it)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            yield True
            return
        with file_lock(lock_file(Path(url.database), name), wait) as held:
            yield held
        return
    key = zlib.crc32(f"kartoteka:{name}".encode())
    pause = 0.01
    while True:
        conn = engine.connect()
        try:
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            conn.commit()  # the lock is the session's, not the transaction's: nothing else stays open
        except BaseException:
            conn.close()
            raise
        if held or not wait:
            break
        # Wait without holding a connection: in a server process they come from a pool of a few, and the holder
        # needs one more for its work (a waiter blocked in pg_advisory_lock would keep one from it).
        conn.close()
        time.sleep(pause)
        pause = min(2 * pause, 0.25)
    with conn:
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
