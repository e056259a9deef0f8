"""The store's faults as the user should read them: a full disk, a store busy with another writer.

A driver's error says what SQLite or PostgreSQL saw ("database or disk is full", "database is locked"); the
user needs to know what it means for their data and what to do. The database rolled the transaction back in
each case, so the store is as it was before the command.

    store_fault(exc, label)   a KartotekaError for `exc` (or one it was raised from), or None if not a store fault
    store_faults(label)       a context manager raising that KartotekaError in place of the driver's error
    server_busy(exc)          for a server's request: the store too busy to answer it now (a 503 that says when
                              to try again), or None

A server process meets two faults a command does not: every connection of its pool in use for longer than
pool_timeout (SQLAlchemy's QueuePool TimeoutError, "store.overloaded"), and, on SQLite, another process writing
for longer than the busy timeout ("store.busy"). Neither is the request's fault nor a bug: the same request
succeeds a little later.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.exc import TimeoutError as PoolTimeout

from kartoteka.core.errors import KartotekaError

_FULL = ("database or disk is full", "no space left on device", "disk full", "could not extend file")
_BUSY = ("database is locked", "database table is locked")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if type(exc).__name__ == "DiskFull":  # psycopg.errors.DiskFull (SQLSTATE 53100)
        return True
    return any(words in str(exc).lower() for words in _FULL)


def _is_busy(exc: BaseException) -> bool:
    return any(words in str(exc).lower() for words in _BUSY)


def _no_room_beside(label: str) -> bool:
    """True if `label` is a file path on a disk with less than 1 MiB free (SQLite says "disk I/O error" when
    it cannot grow its -shm file there)."""
    try:
        return "://" not in label and shutil.disk_usage(Path(label).resolve().parent).free < 1 << 20
    except OSError:
        return False


def store_fault(exc: BaseException, label: str) -> KartotekaError | None:
    """The KartotekaError that explains `exc` to the user, or None if it is no fault of the store's."""
    causes = list(_causes(exc))
    io_error = any("disk i/o error" in str(cause).lower() for cause in causes)
    if any(_is_full(cause) for cause in causes) or (io_error and _no_room_beside(label)):
        return KartotekaError(
            "store.full", f"the disk holding the store {label} (or its temporary files) is full",
            hint="nothing of this command was kept: the store is as it was before. Free some space (or move "
                 "the store to a larger disk) and run the command again")
    if any(_is_busy(cause) for cause in causes):
        return KartotekaError(
            "store.busy", f"another kartoteka command is writing to the store {label} and did not finish in time",
            hint="nothing of this command was kept: the store is as it was before. Run it again when the other "
                 "command (an import or a link) has finished")
    return None


# Seconds a client is asked to wait (Retry-After): the pool frees within a request's time; a SQLite writer that
# outlasted the busy timeout (60 s) is an import or a link, which takes longer.
RETRY_AFTER_OVERLOADED = 5
RETRY_AFTER_BUSY = 30


def server_busy(exc: BaseException) -> KartotekaError | None:
    """The KartotekaError a server answers (503, Retry-After) when its store is too busy for `exc`'s request:
    its connection pool exhausted, or SQLite locked by another writer past the busy timeout; else None."""
    causes = list(_causes(exc))
    if any(isinstance(cause, PoolTimeout) for cause in causes):
        return KartotekaError(
            "store.overloaded", "The server is answering as many requests as it has database connections for, "
                                "and this one waited too long for a free connection.",
            hint=f"Try again in {RETRY_AFTER_OVERLOADED} seconds. If it keeps happening, the site's keepers can "
                 "raise pool_size (within the database server's max_connections) or add workers.",
            details={"retry_after": RETRY_AFTER_OVERLOADED})
    if any(_is_busy(cause) for cause in causes):
        return KartotekaError(
            "store.busy", "The records are being written by another process (an import or a link), and this "
                          "request could not wait for it to finish.",
            hint=f"Try again in {RETRY_AFTER_BUSY} seconds.", details={"retry_after": RETRY_AFTER_BUSY})
    return None


@contextlib.contextmanager
def store_faults(label: str) -> Iterator[None]:
    """Raise the store's faults inside the block as KartotekaErrors (see `store_fault`)."""
    try:
        yield
    except KartotekaError as exc:
        if exc.code.startswith("store.") and exc.code not in ("store.full", "store.busy"):
            raise (store_fault(exc, label) or exc) from exc
        raise
    except Exception as exc:
        fault = store_fault(exc, label)
        if fault is None:
            raise
        raise fault from exc
