"""One writer per output folder: a lock file beside the folder (private, core).

The lock is the file ``.<name>.lock`` next to the folder ``<name>``, held with
``fcntl.flock`` while the folder is written and removed afterwards. The kernel releases
a flock when its process ends, however it ends (even ``kill -9``), so a lock file left
behind by a dead process is stale by construction: the next writer takes it over. The
file records the holder's pid, host and start time for the error message. Where
``fcntl`` does not exist (Windows) the file is created with ``O_EXCL`` instead and a
lock whose pid no longer runs on this host is treated as stale.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError
from .oserror import output_error

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["hold", "lock_path"]

_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def lock_path(target: Path) -> Path:
    """The lock file of the output `target` (beside it, in the same folder)."""
    return target.with_name(f".{target.name}.lock")


def _holder(fd: int) -> dict:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError, AttributeError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(info: dict) -> str:
    pid, host, since = info.get("pid"), info.get("host"), info.get("started")
    if not isinstance(pid, int):
        return "another process"
    where = f" on {host}" if isinstance(host, str) and host else ""
    when = f", since {since}" if isinstance(since, str) else ""
    if _this_process(info):
        return f"another thread of this process (pid {pid}{when})"
    return f"another forecast process (pid {pid}{where}{when})"


def _this_process(info: dict) -> bool:
    """Whether the lock's holder is this very process (another of its threads)."""
    return info.get("pid") == os.getpid() and info.get("host") == socket.gethostname()


def alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ours(fd: int) -> bool:
    """Whether the open lock file is one forecast wrote (or a fresh, empty one).

    A lock file holds the JSON of :func:`hold` (pid, host, start time), or nothing in the
    instant after it is created; anything else, a hard link (a second name for some other
    file's content) or a non-regular file is not forecast's to truncate and delete.
    """
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        return False
    return st.st_size == 0 or set(_holder(fd)) == {"pid", "host", "started"}


def _try_lock(fd: int, path: Path) -> str:
    """Lock `fd`: "held", "busy" (another process holds it) or "retry" (file replaced)."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return "busy"
        try:  # the previous holder may have removed the file between our open and flock
            same = os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        return "held" if same else "retry"
    info = _holder(fd)  # pragma: no cover - Windows: O_EXCL and a pid check
    stale = info.get("host") == socket.gethostname() and not alive(info.get("pid"))
    return "held" if os.fstat(fd).st_size == 0 or stale else "busy"


def _record(fd: int, data: bytes) -> None:
    """Write the holder's record into the lock file (one indirection: tests fail it)."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _open(path: Path) -> int:
    if fcntl is None:  # pragma: no cover - Windows
        with contextlib.suppress(FileExistsError):
            return os.open(path, _FLAGS | os.O_EXCL, 0o644)
    return os.open(path, _FLAGS, 0o644)


@contextlib.contextmanager
def hold(target: Path, what: str = "output folder", timeout: float = 0.0) -> Iterator[Path]:
    """Hold the lock of `target` while the block runs; wait up to `timeout` seconds for it.

    Raises
    ------
    OutputError
        When another process holds the lock after `timeout`, naming it and the fix, or
        when the lock file cannot be created (naming the path and the reason).
    """
    path = lock_path(target)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = _open(path)
        except IsADirectoryError:
            # output_error's "it is a folder ... Pass a file name" asks for a file name the
            # user never gave: the name is forecast's, derived from the folder's
            raise OutputError(
                f"{path} is a folder, where forecast keeps the lock file of the {what} "
                f"{target} while writing it; move that folder away (or rename it), or "
                f"write the {what} somewhere else.") from None
        except OSError as exc:
            # name the target the user asked for first: the lock is forecast's own file
            raise output_error(exc, path, f"write the {what} {target}, starting with its "
                               "lock file") from None
        state = _try_lock(fd, path)
        if state == "held":
            if _ours(fd):
                break
            os.close(fd)
            raise OutputError(
                f"{path} exists and is not a lock file forecast wrote (those hold a pid, host "
                f"and start time), so it is left as it is; move it away, or write the {what} "
                "somewhere else.")
        info = _holder(fd)
        os.close(fd)
        if state == "retry":
            continue
        if time.monotonic() >= deadline:
            release = ("The lock is released when that write finishes." if
                       _this_process(info) else "The lock is released when that process "
                       f"ends; if none is running, delete {path}.")
            raise OutputError(
                f"the {what} {target} is being written by {_describe(info)}; wait for it to "
                f"finish, or write to another folder. {release}")
        time.sleep(0.05)
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": _dt.datetime.now().isoformat(timespec="seconds")}
    try:
        try:
            _record(fd, json.dumps(info).encode("utf-8"))
        except OSError as exc:
            # a full disk has room for the empty lock file (an inode), not for its
            # content: say which file, and that the folder asked for was not touched
            note = (f"{target} is unchanged." if os.path.lexists(target)
                    else "Nothing was written.")
            raise output_error(exc, path, f"write the {what} {target}, starting with its "
                               "lock file", note=note) from None
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still held, so no other writer holds this inode
        os.close(fd)
