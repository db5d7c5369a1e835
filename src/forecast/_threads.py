"""One BLAS thread inside forecast's estimation (the ``threads`` extra: threadpoolctl).

Model fits and the history's state-space smoother multiply small matrices and short
rows, where BLAS threads only add contention: with two processes busy on a 2-core
machine, two OpenBLAS threads made ``Auto().fit`` of the history and of the M1 series
up to 2x slower, and on a quiet machine they made nothing faster
(``benchmarks/bench_threads.py``; ``docs/models.md``, "Threads"). The command line sets
``OPENBLAS_NUM_THREADS`` and friends before numpy is imported; in Python numpy is
already loaded, so :func:`single_blas_thread` limits the BLAS pools with threadpoolctl
for the duration of an estimation (``ModelSpec.safe_estimates``, which every family,
``Auto`` and ``fit_many`` go through) or of a reconstruction, and restores them after.
The projection engine is not limited: it measured the same either way.

Rules:

- without threadpoolctl installed, or when the user has set one of
  :data:`THREAD_VARIABLES` (their choice is kept), it does nothing;
- it is re-entrant and safe across threads: the first caller sets the limit, the last
  one to leave restores the original thread counts (reference counted under a lock),
  so user threads running fits concurrently never leave BLAS at one thread;
- a child process made by ``fork`` starts with no limit held (``os.register_at_fork``).

Warnings and worker threads (:func:`attributed`, :func:`quiet_warnings`): a warning
forecast raises points at the user's call (``user_stacklevel``), found by walking the
stack, which in an executor's worker thread holds no frame of the user's; and
``warnings.catch_warnings`` swaps the process's filter list, which two threads entering
and leaving it out of order leave changed for good.

Results do not depend on it: the BLAS thread count changes the speed, not the
arithmetic of these small products (tested: ``Auto`` forecasts are equal with and
without the limit). Whether a limit set in one thread reaches the others depends on the
BLAS build; the reference count only guarantees that the original counts come back.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["THREAD_VARIABLES", "attributed", "blas_limit_active", "quiet_warnings",
           "single_blas_thread"]

#: Environment variables that, when set by the user, mean "leave BLAS threads alone".
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_lock = threading.Lock()
_depth = 0
_limiter: Any = None
_controller: tuple[int, Any] | None = None  # (len(sys.modules) when built, controller)


def _reset_after_fork() -> None:
    global _lock, _depth, _limiter
    _lock, _depth, _limiter = threading.Lock(), 0, None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _controller_now() -> Any:
    """A threadpoolctl controller of the BLAS libraries loaded now, or None.

    Building one lists the process's shared libraries (about 2 ms), so it is kept until
    a module is imported (only an import can load another BLAS, e.g. scipy's).
    """
    global _controller
    key = len(sys.modules)
    if _controller is not None and _controller[0] == key:
        return _controller[1]
    try:
        from threadpoolctl import ThreadpoolController  # lazy: the optional `threads` extra
    except ImportError:
        _controller = (key, None)
        return None
    # keyed after the import, which itself adds modules the first time
    _controller = (len(sys.modules), ThreadpoolController())
    return _controller[1]


def blas_limit_active() -> bool:
    """True while some call in this process holds BLAS to one thread.

    Examples
    --------
    >>> blas_limit_active()
    False
    """
    return _limiter is not None


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Hold BLAS libraries to one thread inside the block (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> with single_blas_thread():
    ...     float((np.ones((3, 3)) @ np.ones(3))[0])
    3.0
    """
    global _depth, _limiter
    if any(os.environ.get(v) for v in THREAD_VARIABLES):
        yield
        return
    with _lock:
        if _depth == 0:
            controller = _controller_now()
            if controller is not None:
                _limiter = controller.limit(limits=1, user_api="blas")
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _limiter is not None:
                limiter, _limiter = _limiter, None
                limiter.restore_original_limits()


# --------------------------------------------------------------------------- warnings


#: on one line, so that every instruction of a copy made by :class:`_Attributed` is on the
#: user's line (the line table counts from ``co_firstlineno``)
def _call(task, *args, **kwargs): return task(*args, **kwargs)


def _plain(task: Callable[..., Any]) -> Callable[..., Any]:
    return task


class _Attributed:
    """`task` called through a copy of :func:`_call` that stands for the user's frame."""

    __slots__ = ("_call", "task")

    def __init__(self, task: Callable[..., Any], frame: Any) -> None:
        self.task = task
        code = _call.__code__.replace(co_filename=frame.f_code.co_filename,
                                      co_firstlineno=frame.f_lineno,
                                      co_name=frame.f_code.co_name)
        self._call = types.FunctionType(code, frame.f_globals, _call.__name__)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.task, *args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        # a process pool (or dask) gets the plain task: its workers' warnings never
        # reach this process's filters anyway
        return (_plain, (self.task,))


def attributed(task: Callable[..., Any]) -> Callable[..., Any]:
    """`task`, for ``executor.map``, with the warnings forecast raises in it pointing at the
    user's call, as they do in a serial run.

    Call it in the calling thread, where the user's frame is on the stack. In a worker
    thread, ``user_stacklevel`` stops at the frame of :func:`_call` that runs `task`,
    whose code carries the user's file and line and whose globals are the user's module's:
    the warning gets their ``filename``, ``lineno``, module and once-per-location registry,
    not those of ``concurrent/futures/thread.py``. Pickled (a process pool), it is `task`.

    Examples
    --------
    >>> import warnings
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from forecast._validation import user_stacklevel
    >>> def chunk(i):  # stands for forecast's code (user_stacklevel skips its frames)
    ...     warnings.warn("careful", stacklevel=user_stacklevel())
    >>> task = attributed(chunk)
    >>> task.task is chunk
    True
    """
    from ._validation import user_frame  # lazy: numpy (the command line imports this)

    frame = user_frame()
    return task if frame is None else _Attributed(task, frame)


@contextmanager
def quiet_warnings() -> Iterator[None]:
    """Silence the warnings of the block (an optimiser's trial steps), safely in threads.

    numpy's floating-point warnings are silenced with ``numpy.errstate``, which holds for
    this thread only. ``warnings.catch_warnings`` is used in the main thread only: it
    swaps the process's filter list, and two worker threads leaving it out of order left
    ``simplefilter("ignore")`` in place for good (a pseudo-real-time backtest with a
    ThreadPoolExecutor silenced every later warning of the process). In a worker thread,
    a warning of another kind (scipy's, statsmodels') is shown rather than every
    thread's warnings hidden.

    Examples
    --------
    >>> import numpy as np
    >>> with quiet_warnings():
    ...     float(np.log(np.float64(0.0)))
    -inf
    """
    import warnings

    import numpy as np  # lazy, as above

    with np.errstate(all="ignore"):
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
