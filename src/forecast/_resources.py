"""Memory guard: refuse a run that cannot fit in memory before allocating it (private, core).

Without it, ``project(..., n_paths=200_000_000)`` asks for tens of GB and ends in the
kernel's OOM killer (exit 137, no message) or in swap. :func:`check_memory` compares an
estimate of the bytes a run needs with the memory actually available to this process:
the smallest of ``MemAvailable`` in ``/proc/meminfo``, the room left under a cgroup
(container) limit (v2 ``memory.max``, v1 ``memory.limit_in_bytes``), the room left under
the process's own limits (``ulimit -v``: ``RLIMIT_AS`` less the address space in use,
``VmSize``; ``ulimit -d``: ``RLIMIT_DATA`` less ``VmData``), and, elsewhere, ``os.sysconf``
(available physical pages). When nothing can be read the check is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ResourceError

__all__ = ["available_memory", "check_memory", "format_bytes", "keep_workspace"]

#: Share of the available memory a run may plan to use; the rest is left for the
#: interpreter, the libraries, the summaries computed afterwards and other programs.
SHARE = 0.8

#: Runs planned below this many bytes are not checked. The guard exists for the run
#: that asks for gigabytes by mistake (``n_paths=10**9``); reading ``/proc`` and the
#: cgroup files takes about 0.25 ms, a quarter of the fixed cost of a ``project`` call
#: (4% of 10,000 paths of one scenario to 2035). A small run that still finds no memory
#: fails in ``np.empty``, which the engine turns into the same ResourceError.
SMALL_RUN = 16 * 2**20


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _meminfo() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup memory limit (None without a limit)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    rooms = []
    root = Path("/sys/fs/cgroup")
    for line in lines:
        _, controllers, rel = (line.split(":", 2) + ["", ""])[:3]
        rel = rel.lstrip("/")
        if controllers == "":  # cgroup v2
            pairs = [(root / rel / "memory.max", root / rel / "memory.current"),
                     (root / "memory.max", root / "memory.current")]
        elif "memory" in controllers.split(","):  # cgroup v1
            base = root / "memory"
            pairs = [(base / rel / "memory.limit_in_bytes", base / rel / "memory.usage_in_bytes"),
                     (base / "memory.limit_in_bytes", base / "memory.usage_in_bytes")]
        else:
            continue
        for limit_file, usage_file in pairs:
            limit = _read_int(limit_file)  # "max" (no limit) reads as None
            if limit is not None and limit < 2**60:
                rooms.append(max(0, limit - (_read_int(usage_file) or 0)))
                break
    return min(rooms) if rooms else None


def _status_bytes(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmSize``, ``VmData``) in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _rlimit_room() -> int | None:
    """Bytes left under this process's ``ulimit -v`` / ``-d`` (None without such a limit).

    An allocation beyond ``RLIMIT_AS`` (address space) or ``RLIMIT_DATA`` (data segment,
    which includes ``mmap``-ed memory since Linux 4.7) fails with a MemoryError however
    much memory the machine has free, so the room is the limit less what the process
    already maps (``VmSize``, ``VmData``; the limit itself when that cannot be read).
    """
    try:
        import resource
    except ImportError:  # not on Unix
        return None
    rooms = []
    for name, field in (("RLIMIT_AS", "VmSize"), ("RLIMIT_DATA", "VmData")):
        try:
            soft = resource.getrlimit(getattr(resource, name))[0]
        except (AttributeError, ValueError, OSError):
            continue
        if soft == resource.RLIM_INFINITY or soft < 0:
            continue
        rooms.append(max(0, soft - (_status_bytes(field) or 0)))
    return min(rooms) if rooms else None


def _sysconf() -> int | None:
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def available_memory() -> int | None:
    """Bytes of memory this process can still use, or None when it cannot be told."""
    host = _meminfo()
    if host is None:
        host = _sysconf()
    found = [b for b in (host, _cgroup_room(), _rlimit_room()) if b is not None]
    return min(found) if found else None


def format_bytes(n: float) -> str:
    """``1.2 GB``-style text (powers of 1000).

    Examples
    --------
    >>> format_bytes(3.2e10), format_bytes(2_500_000)
    ('32.0 GB', '2.5 MB')
    """
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


_READ = object()  # check_memory's default: read the available memory itself


def check_memory(need: float, what: str, fix: str, *, avail: object = _READ) -> None:
    """Raise ResourceError when `need` bytes exceed the share of memory a run may use.

    Parameters
    ----------
    need : float
        Estimated bytes of the largest arrays the run holds at once.
    what : str
        The run, e.g. "projecting 7 scenarios x 200,000,000 paths x 10 years".
    fix : str
        How to need less, e.g. "Pass n_paths <= 1,234,000".
    avail : int or None, optional
        :func:`available_memory` when the caller has just read it (reading it takes a
        dozen small file reads); by default it is read here.
    """
    if avail is _READ:
        avail = available_memory()
    if avail is None or need <= SHARE * avail:
        return
    raise ResourceError(
        f"{what} needs about {format_bytes(need)} of memory; only {format_bytes(avail)} is "
        f"available (a run may use {SHARE:.0%} of it). {fix}. Nothing was allocated."
    )


#: Bytes of the block :func:`keep_workspace` allocates and frees: just under glibc's
#: ``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit systems (32 MiB), the most its dynamic
#: threshold can be raised to.
_WORKSPACE = 32_000_000


def keep_workspace() -> None:
    """Let the C allocator keep freed chunk workspaces instead of returning them to the OS.

    A Monte Carlo chunk allocates and frees arrays of ``chunk_size x h`` floats (880 kB
    at the default 10,000 paths to 2035), dozens per chunk. glibc's ``malloc`` serves
    such blocks with ``mmap`` or at the top of the heap and, by default, gives them back
    to the operating system as soon as they are freed (above its 128 kB thresholds), so
    the next chunk takes them back with fresh page faults: on the 2-core development
    machine that was half of the engine's time (0.6 of 1.3 s for 10^6 paths of one
    scenario, all of it system time). glibc raises those thresholds by itself, up to 32
    MiB, when a block that large is freed (the "dynamic mmap threshold" of ``man
    mallopt``); allocating and freeing one such block (untouched: no page is mapped)
    does it once for the process. The process may then keep up to 64 MB of freed memory
    for reuse. No effect, and no cost beyond a few microseconds, with other allocators
    or after a user's own ``mallopt`` settings (which disable the adjustment).

    Done once per process (the thresholds only move up); the block is never written, so
    it costs no resident memory, though ``tracemalloc`` counts it while it exists.

    Examples
    --------
    >>> keep_workspace()
    """
    global _kept
    if _kept:
        return
    import numpy as np  # lazy: `import forecast` does not load numpy

    np.empty(_WORKSPACE // 8)  # allocated and freed at once
    _kept = True


_kept = False

