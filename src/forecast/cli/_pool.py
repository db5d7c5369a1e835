"""The command line's process pool (private): workers that leave signals to the parent.

A forked worker inherits the handlers of :mod:`forecast.cli._exit`, and Ctrl-C in a
terminal signals the whole process group: each worker raised the CLI's ``Interrupted``
and printed its traceback ("Process ForkProcess-1: Traceback ...", about 40 lines, in 3
runs of 8 interrupted during ``backtest --workers 2``). Here the workers ignore SIGINT and
SIGTERM and the parent, which handles both, ends the pool: it cancels the tasks not
started, and the workers finish the one in hand (a few model fits).

A worker must not die on its own: one killed while it sends its result leaves half a
message in the pipe, and the pool's thread in the parent waits for the rest forever (1
group SIGTERM in 3 hung ``backtest --workers 2 --paths 300000`` with SIGTERM left to its
default action in the workers; ``Process.terminate`` on Ctrl-C did the same). So that a
parent killed with ``kill -9`` leaves no worker waiting for tasks, on Linux each is killed
when its parent ends (``PR_SET_PDEATHSIG``).

Only signals change: the tasks, their order and their seeds are those of any executor, so
the results stay bit-identical.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["process_pool"]

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _leave_signals_to_the_parent() -> None:
    """Initializer of a worker: ignore SIGINT and SIGTERM (the parent ends the pool), and
    die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _mask(signal.SIG_UNBLOCK)  # held back while it was started
    _die_with_the_parent()


def _die_with_the_parent() -> None:
    """On Linux, have the kernel send SIGKILL to this worker when the process that forked
    it ends (a worker of another start method, e.g. a forkserver's, is left as it is)."""
    parent = multiprocessing.parent_process()
    if not sys.platform.startswith("linux") or parent is None or parent.pid != os.getppid():
        return
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent.pid:  # the parent ended before the request: end too
        os._exit(1)


def _mask(how: int, signals=_SIGNALS) -> set | None:
    """Change this thread's signal mask (SIGINT and SIGTERM by default); return the old
    mask (None on Windows, which has no signal masks)."""
    sigmask = getattr(signal, "pthread_sigmask", None)
    return None if sigmask is None else sigmask(how, signals)


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A ``ProcessPoolExecutor`` of `workers` processes for the block, ended whole on any
    exception (Ctrl-C, SIGTERM, an error): the tasks not started are cancelled."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_leave_signals_to_the_parent)
    try:
        # Start the workers now with both signals held back, so that none arrives between
        # a fork and the initializer (the child inherits the mask; the initializer lifts
        # it). A signal that comes meanwhile reaches the parent when the mask is lifted.
        held = _mask(signal.SIG_BLOCK)
        try:
            pool.submit(int)  # with fork, launches every worker
        finally:
            if held is not None:
                _mask(signal.SIG_SETMASK, held)
        yield pool
    except BaseException:
        # the workers finish the task in hand (a few fits), never killed: see above
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

