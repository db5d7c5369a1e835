"""Chunk outputs written by worker processes straight into shared memory.

With a local process pool, returning each chunk's levels to the parent pickles them and
copies them through a pipe: 560 MB for 7 scenarios x 1,000,000 paths x 10 years, which
cost more than the simulation saved on two cores. Instead the parent creates one
shared-memory block per output array and every worker writes its chunk's disjoint slice
in place; only the chunk index travels back. Used for
``concurrent.futures.ProcessPoolExecutor`` only: remote executors (dask) keep the
pickled path, since shared memory does not cross machines.
"""

from __future__ import annotations

import sys
from multiprocessing import shared_memory
from typing import Any

import numpy as np


class SharedArrays:
    """Shared-memory float64 arrays created (and finally unlinked) by the parent."""

    def __init__(self, shapes: list[tuple[int, ...]]):
        self.shapes = [tuple(int(d) for d in s) for s in shapes]
        self._blocks: list[shared_memory.SharedMemory] = []
        try:
            for s in self.shapes:
                size = max(int(np.prod(s)) * 8, 1)
                self._blocks.append(shared_memory.SharedMemory(create=True, size=size))
        except BaseException:
            self.close()
            raise
        self.arrays = [np.ndarray(s, dtype=np.float64, buffer=b.buf)
                       for s, b in zip(self.shapes, self._blocks, strict=True)]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self._blocks)

    def close(self) -> None:
        """Release the views and remove the blocks (idempotent)."""
        self.arrays = []
        for b in self._blocks:
            try:
                b.close()
                b.unlink()
            except (FileNotFoundError, BufferError):  # already gone / still viewed
                pass
        self._blocks = []

    def __enter__(self) -> SharedArrays:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _attach(name: str) -> shared_memory.SharedMemory:
    # Workers of a local pool share the parent's resource tracker, for which attaching
    # re-registers a name it already holds; the parent unlinks the block when done.
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    return shared_memory.SharedMemory(name=name)


def run_chunk_shared(job: Any, names: tuple[str, str], shapes: list[tuple[int, ...]],
                     i: int) -> tuple[int, None, None]:
    """Run chunk `i` in a worker, writing into the parent's shared samples and base paths."""
    from .chunks import run_chunk

    blocks = [_attach(n) for n in names]
    try:
        samples, base = (np.ndarray(s, dtype=np.float64, buffer=b.buf)
                         for s, b in zip(shapes, blocks, strict=True))
        lo, hi = i * job.chunk_size, min((i + 1) * job.chunk_size, job.n_paths)
        run_chunk(job, i, out=(samples[:, lo:hi], base[lo:hi]))
        del samples, base
    finally:
        for b in blocks:
            b.close()
    return i, None, None
