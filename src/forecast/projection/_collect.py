"""Checked collection of chunk results, and the memory estimate of a run (private).

:func:`forecast.project` allocates its output with ``np.empty`` and hands chunks to any
object with ``.map``. An executor is code the library does not control: it may raise,
drop chunks, return one twice, or return garbage, and an unfilled ``np.empty`` slice
holds stale memory that looks like numbers. :func:`collect` therefore checks that every
chunk came back exactly once, with its own index, shape and dtype, and turns every
failure into a :class:`~forecast.errors.SimulationError` naming the chunk, its paths and
the cause. :func:`check_run_memory` refuses a run that cannot fit in memory before
anything is allocated.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from .. import _resources
from ..errors import ForecastError, ResourceError, SimulationError

__all__ = ["allocate", "check_path_memory", "check_run_memory", "collect", "run_bytes",
           "workers"]

_FIX = ("Check the executor: its .map(fn, items) must call fn once per item and return "
        "every result unchanged (concurrent.futures executors and dask's "
        "client.get_executor() do)")


def _where(i: int, bounds: Sequence[tuple[int, int]]) -> str:
    lo, hi = bounds[i]
    return f"chunk {i} of {len(bounds)} (paths {lo}-{hi - 1})"


def _unpack(item: Any, k: int, bounds: Sequence[tuple[int, int]]) -> tuple[int, Any, Any]:
    """(index, levels, base) of one result, checked for form only."""
    if not (isinstance(item, tuple) and len(item) == 3):
        raise SimulationError(
            f"result {k} from the executor must be a chunk result (index, levels, base); got "
            f"{type(item).__name__}. {_FIX}.")
    i, levels, base = item
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < len(bounds):
        raise SimulationError(
            f"result {k} from the executor must carry a chunk index in [0, {len(bounds) - 1}]; "
            f"got {i!r}. {_FIX}.")
    return int(i), levels, base


def _check_array(name: str, arr: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    if not isinstance(arr, np.ndarray) or arr.dtype != np.float64 or arr.shape != shape:
        got = (f"{arr.dtype} array of shape {arr.shape}" if isinstance(arr, np.ndarray)
               else type(arr).__name__)
        raise SimulationError(
            f"{where}: {name} must be a float64 array of shape {shape}; got {got}. {_FIX}.")
    return arr


def collect(results: Iterable[Any], bounds: Sequence[tuple[int, int]], samples: np.ndarray,
            base_log: np.ndarray, on_chunk: Callable[[], None] | None = None) -> None:
    """Copy chunk results into `samples` and `base_log`, checking each chunk comes back once.

    A result ``(i, None, None)`` means chunk `i` wrote its slices in place (serial and
    threaded runs); ``(i, levels, base)`` carries the arrays (process and dask runs).
    The paths are the second-to-last axis of both arrays and the years the last, so
    this serves :func:`forecast.project` ((S, n, h) and (n, h)) and
    :func:`forecast.project_markets` ((S, P, n, h) and (C, n, h)).
    """
    seen = np.zeros(len(bounds), dtype=bool)
    try:
        it = iter(results)
    except TypeError:
        raise SimulationError(f"the executor's .map must return an iterable of chunk results; "
                              f"got {type(results).__name__}. {_FIX}.") from None
    k = 0
    while True:
        try:
            item = next(it)
        except StopIteration:
            break
        except ForecastError:
            raise  # a chunk's own clear error (overflow, a bad effect shape)
        except Exception as exc:
            where = _where(k, bounds) if k < len(bounds) else f"result {k}"
            raise SimulationError(
                f"{where} failed: {type(exc).__name__}: {exc}. Nothing was returned. With an "
                "executor, run with executor=None to see whether the model or the executor "
                "fails.") from exc
        i, levels, base = _unpack(item, k, bounds)
        where = _where(i, bounds)
        if seen[i]:
            raise SimulationError(f"{where} came back twice from the executor. {_FIX}.")
        if levels is not None or base is not None:
            lo, hi = bounds[i]
            for name, arr, got in (("levels", samples, levels),
                                   ("base log paths", base_log, base)):
                shape = (*arr.shape[:-2], hi - lo, arr.shape[-1])
                arr[..., lo:hi, :] = _check_array(name, got, shape, where)
        seen[i] = True
        k += 1
        if on_chunk is not None:
            on_chunk()
    missing = np.flatnonzero(~seen)
    if missing.size:
        shown = ", ".join(_where(int(i), bounds) for i in missing[:3])
        more = f" and {missing.size - 3} more" if missing.size > 3 else ""
        raise SimulationError(
            f"every chunk must come back from the executor; {missing.size} of {len(bounds)} "
            f"never did: {shown}{more}. Their paths would hold uninitialised memory, so "
            f"nothing is returned. {_FIX}.")


def workers(executor: Any) -> int:
    w = getattr(executor, "_max_workers", 1)
    return int(w) if isinstance(w, int) and w > 0 else 1


def run_bytes(n_scen: int, n_assumptions: int, n_paths: int, h: int, chunk: int,
              workers: int = 1) -> tuple[int, int]:
    """(bytes per path of the output, bytes of the chunk workspaces) of a run."""
    per_path = 8 * h * (n_scen + 1)  # samples + baseline log paths
    # per chunk in flight: baseline, levels, one effect per assumption, a total and the
    # model's own workspace (innovations and states, a few rows per path)
    work = 8 * h * min(chunk, n_paths) * (n_scen + n_assumptions + 6) * max(1, workers)
    return per_path, work


def check_run_memory(n_scen: int, n_assumptions: int, n_paths: int, h: int, chunk: int,
                     executor: Any, what: str) -> None:
    """Refuse a run (described by `what`) whose arrays cannot fit in memory (ResourceError)."""
    per_path, work = run_bytes(n_scen, n_assumptions, n_paths, h, chunk, workers(executor))
    if isinstance(executor, ProcessPoolExecutor):  # pickled chunks in flight, a few at once,
        per_path += per_path // max(n_scen + 1, 1)  # where shared memory is not available
    check_path_memory(per_path, work, n_paths, what)


def check_path_memory(per_path: int, work: int, n_paths: int, what: str) -> None:
    """Refuse `n_paths` paths of `per_path` bytes plus `work` bytes of chunk workspace.

    The message names the largest `n_paths` that fits (ResourceError, nothing allocated).
    """
    need = per_path * n_paths + work
    if need < _resources.SMALL_RUN:  # cannot be the mistake the guard is for (see there)
        return
    avail = _resources.available_memory()
    fit = int((_resources.SHARE * avail - work) // per_path) if avail else 0
    fix = (f"Pass n_paths <= {fit:,} (--paths on the command line), fewer scenarios or a "
           "shorter horizon" if fit >= 1 else
           "Pass a smaller chunk_size, fewer scenarios or a shorter horizon")
    _resources.check_memory(need, what, fix, avail=avail)  # read once, above


def allocate(shapes: tuple[tuple[int, ...], ...], what: str) -> tuple[np.ndarray, ...]:
    """``np.empty`` of each shape; a MemoryError becomes a ResourceError naming `what`.

    Called after the estimate said the run fits: the allocation can still fail when
    memory was taken meanwhile, or where the estimate could not be made.
    """
    try:
        return tuple(np.empty(shape) for shape in shapes)
    except (MemoryError, ValueError):  # ValueError: more bytes than numpy can address
        need = 8 * sum(math.prod(shape) for shape in shapes)  # exact: no int64 overflow
        raise ResourceError(
            f"{what} needs about {_resources.format_bytes(need)} of memory, more than could "
            "be allocated. Reduce `n_paths` (--paths on the command line).") from None

