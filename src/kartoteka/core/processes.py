"""Child processes that die with their parent, and a parent that stops cleanly on Ctrl-C or SIGTERM.

A link starts worker processes of about 200 MB each (the reading workers) and a reader process (the store's
records through Arrow). When the parent was killed (kill -9, the out-of-memory killer) they used to run on for
minutes. Each child now asks the kernel to kill it when its parent dies (Linux's PR_SET_PDEATHSIG), or watches
its parent from a thread where the kernel cannot be asked; and it ignores SIGINT, so that Ctrl-C in a terminal
(sent to every process of the group) is handled once, by the parent, which stops its children itself.

    die_with_parent(parent_pid)    in a child: end when the parent ends
    start_worker(parent_pid)       the initializer of a worker pool: the above, SIGINT ignored, no cyclic GC
    stop_on_signals()              in the parent: SIGTERM raises Terminated (cleanup runs, as on Ctrl-C)
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C, so every ``finally`` runs."""


def die_with_parent(parent_pid: int) -> None:
    """End this process (SIGKILL) when the process `parent_pid` that started it ends."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            asked = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            asked = False
        if asked:
            if os.getppid() != parent_pid:  # the parent died before the kernel was asked: it will not tell us
                os._exit(1)
            return
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


def start_worker(parent_pid: int) -> None:
    """Initializer of worker processes: die with the parent, leave Ctrl-C to it, and run without the cyclic
    garbage collector (the decoder's tries and caches make no reference cycles)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    gc.disable()


_installed_by: int | None = None
stopped_by: int | None = None  # the signal that stopped this process (SIGINT or SIGTERM), once one has


def _raise_stopped(signum: int, _frame: object) -> None:
    global stopped_by
    if os.getpid() != _installed_by:  # a forked child (a pool worker) inherited the handler: end as by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    stopped_by = signum
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def stop_on_signals() -> None:
    """Make SIGTERM raise Terminated and SIGINT KeyboardInterrupt in this process's main thread, noting which
    in `stopped_by` (the CLI framework turns both into one exit code). SIGTERM's default would end the process
    with no cleanup: staging files left, workers left, the run's row left "running". Forked children keep
    the defaults."""
    global _installed_by
    if threading.current_thread() is threading.main_thread():
        _installed_by = os.getpid()
        signal.signal(signal.SIGTERM, _raise_stopped)
        signal.signal(signal.SIGINT, _raise_stopped)
