"""Output arrays that worker processes write into directly (private).

A process pool's workers used to return every chunk pickled: 560 MB for 7 scenarios x
10^6 paths x 10 years, copied four times on the way (into the pickle, through the pipe,
out of it, into place), which cost as much as the simulation saved by the second core.
With a :class:`concurrent.futures.ProcessPoolExecutor` on Linux, the run's output arrays
now live in an anonymous shared-memory file (``memfd_create``) that the workers open
through ``/proc/<parent pid>/fd/<fd>`` and map, so each chunk writes its slices in place,
as threads do, and nothing is returned but the chunk's index.

Safety:

- the file has no name and dies with the process: a killed run leaves nothing behind;
- the pool's workers are started before the file exists (a trivial task first), so a
  worker forked by the pool never inherits the run's memory; workers map the file only
  while they write a chunk;
- the parent maps the file with ``mmap(2)`` through ctypes rather than :mod:`mmap`, whose
  object keeps a duplicate descriptor open for as long as the arrays live (one per
  projection a user keeps); the mapping is released with the last array over it, and the
  descriptor is closed when the run ends;
- its pages are reserved up front (``posix_fallocate``), so that a failure to get them
  is an OSError in the parent, which then falls back to ``np.empty``; the memory check
  made before (``check_run_memory``) is the real guard: beyond it, as for ``np.empty``,
  the kernel may also stop the process;
- a worker checks the device, inode and size of what it opened before writing, so a
  straggler that outlives the run never writes into another file that took the
  descriptor's number; where the file cannot be opened at all (another user's process,
  ``/proc`` hidden) the worker returns its arrays as before.

The values are computed exactly as in every other run, so the results stay bit-identical
whatever the executor.
"""

from __future__ import annotations

import contextlib
import mmap
import multiprocessing
import os
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._collect import allocate

__all__ = ["SharedArrays", "output_arrays", "resident", "run_in_shared", "run_resident"]


def _views(buf: Any, shapes: tuple[tuple[int, ...], ...]) -> list[np.ndarray]:
    """float64 arrays of `shapes`, one after the other in `buf`."""
    out, offset = [], 0
    for shape in shapes:
        count = int(np.prod(shape))
        out.append(np.frombuffer(buf, dtype=np.float64, count=count, offset=offset)
                   .reshape(shape))
        offset += 8 * count
    return out


def _nbytes(shapes: tuple[tuple[int, ...], ...]) -> int:
    return 8 * sum(int(np.prod(s)) for s in shapes)


@dataclass(frozen=True)
class SharedArrays:
    """Where a worker finds the run's output: the parent's memfd, by its ``/proc`` path."""

    path: str
    identity: tuple[int, int]  # (st_dev, st_ino) of the parent's file
    shapes: tuple[tuple[int, ...], ...]

    def open(self) -> tuple[mmap.mmap, list[np.ndarray]]:
        """Map the file and return it with the arrays (OSError when it is not the run's)."""
        size = _nbytes(self.shapes)
        fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != self.identity or st.st_size != size:
                raise OSError(f"{self.path} is no longer this run's output")
            mm = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        return mm, _views(mm, self.shapes)


_LIBC: list[Any] = []


def _libc_mmap() -> tuple[Any, Any] | None:
    """libc's ``mmap`` and ``munmap`` through ctypes (None where they cannot be had)."""
    if not _LIBC:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            map_, unmap = libc.mmap, libc.munmap
            map_.restype = ctypes.c_void_p
            map_.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                             ctypes.c_int, ctypes.c_long)
            unmap.restype = ctypes.c_int
            unmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
            _LIBC.append((map_, unmap))
        except (ImportError, OSError, AttributeError):
            _LIBC.append(None)
    return _LIBC[0]


def _map(fd: int, size: int) -> Any:
    """A writable buffer over `fd`, unmapped when the last object using it is freed."""
    import ctypes

    funcs = _libc_mmap()
    if funcs is None:
        return None
    map_, unmap = funcs
    addr = map_(None, size, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        return None
    buf = (ctypes.c_char * size).from_address(addr)
    # not at exit: arrays may outlive the finalizers then; the process's end unmaps it
    weakref.finalize(buf, unmap, addr, size).atexit = False
    return buf


def _shared(shapes: tuple[tuple[int, ...], ...]):
    """(arrays, SharedArrays, fd) in a fresh memfd, or None where that cannot be made."""
    if not hasattr(os, "memfd_create") or not os.path.isdir(f"/proc/{os.getpid()}/fd"):
        return None
    size = _nbytes(shapes)
    try:
        fd = os.memfd_create("forecast-output", os.MFD_CLOEXEC)
    except OSError:
        return None
    try:
        os.ftruncate(fd, size)
        os.posix_fallocate(fd, 0, size)  # reserve the pages now (see the module docstring)
        buf = _map(fd, size)
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    except BaseException:  # an interrupt during a long reservation: no descriptor left open
        os.close(fd)
        raise
    if buf is None:
        os.close(fd)
        return None
    target = SharedArrays(f"/proc/{os.getpid()}/fd/{fd}", (st.st_dev, st.st_ino), shapes)
    return _views(buf, shapes), target, fd


def _workers_started(executor: ProcessPoolExecutor) -> bool:
    """Start the pool's workers (a trivial task) so none is forked with the run's memory.

    False when the pool cannot run a task (shut down, broken): the run then takes the
    usual path, whose ``executor.map`` reports the failure.
    """
    try:
        executor.submit(int).result()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def output_arrays(shapes: tuple[tuple[int, ...], ...], executor: Any,
                  what: str) -> Iterator[tuple[list[np.ndarray], SharedArrays | None]]:
    """The run's output arrays, and where a process pool's workers find them (else None).

    The arrays outlive the block (the mapping is kept by them); the descriptor the workers
    open is closed when the block ends, after every chunk has come back or failed.
    """
    made = (_shared(shapes) if isinstance(executor, ProcessPoolExecutor)
            and _workers_started(executor) else None)
    if made is None:
        yield list(allocate(shapes, what)), None
        return
    arrays, target, fd = made
    try:
        yield arrays, target
    finally:
        os.close(fd)


#: The job a worker process is running, by token (see :func:`resident`).
_RESIDENT: dict[str, Any] = {}


def resident(job: Any) -> Any:
    """The first copy of `job` this process received, for every later chunk of the run.

    A process pool unpickles each task's job afresh, and with it the fit, whose cached
    quantities (the members' forecast moments: 2 ms a chunk for the 60-member default)
    would be recomputed for every chunk. Jobs of one run share a token; one run is kept
    per worker process, so the cache never grows, and none in the user's process.
    """
    token = getattr(job, "token", None)
    if not isinstance(token, str) or multiprocessing.parent_process() is None:
        return job  # in the user's own process every chunk gets the same object anyway
    kept = _RESIDENT.get(token)
    if kept is None:
        _RESIDENT.clear()
        _RESIDENT[token] = kept = job
    return kept


def run_resident(run: Callable[..., Any], job: Any, i: int) -> Any:
    """``run(job, i)`` with the worker's resident copy of `job` (pickled results)."""
    return run(resident(job), i)


def run_in_shared(run: Callable[..., Any], job: Any, target: SharedArrays, i: int) -> Any:
    """Chunk `i` of `job` by ``run(job, i, out=...)`` into the shared arrays (in a worker).

    Returns ``(i, None, None)``; where the arrays cannot be opened, ``run(job, i)``'s
    own arrays, which the parent copies into place.
    """
    job = resident(job)
    try:
        mm, arrays = target.open()
    except OSError:
        return run(job, i)
    lo, hi = i * job.chunk_size, min((i + 1) * job.chunk_size, job.n_paths)
    try:
        return run(job, i, out=tuple(a[..., lo:hi, :] for a in arrays))
    finally:
        del arrays
        with contextlib.suppress(BufferError):  # a view held by a failing chunk's traceback
            mm.close()
