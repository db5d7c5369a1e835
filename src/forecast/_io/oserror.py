"""OS errors as one-line :class:`~forecast.errors.OutputError` messages (private, core).

An ``OSError`` while writing says what went wrong in the terms of the operating system
(``[Errno 28] No space left on device``) and nothing about the fix; this module turns it
into "cannot write PATH: the disk is full (ENOSPC). Free some space or write to another
disk." for every errno a user can meet, and a generic message for the others.
"""

from __future__ import annotations

import errno
import os

from ..errors import DataError, ForecastError, OutputError

__all__ = ["input_error", "output_error"]

# errno -> (what went wrong, how to fix it)
_WHY = {
    errno.ENOSPC: ("the disk is full", "Free some space or write to another disk"),
    errno.EDQUOT: ("the disk quota is exceeded", "Free some space or write elsewhere"),
    errno.EROFS: ("the file system is read-only", "Write to a writable folder"),
    errno.EACCES: ("permission denied", "Check the folder's permissions or write elsewhere"),
    errno.EPERM: ("operation not permitted", "Check the permissions or write elsewhere"),
    errno.ENOENT: ("a folder on the path does not exist", "Create it first or fix the path"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "Fix the path"),
    errno.EISDIR: ("it is a folder", "Pass a file name"),
    errno.EEXIST: ("it already exists", "Choose another name"),
    errno.ELOOP: ("it is a symbolic link", "forecast never writes through links; remove the "
                  "link or choose another path"),
    errno.ENAMETOOLONG: ("the name is too long", "Choose a shorter path"),
    errno.EMFILE: ("too many open files", "Close other programs or raise `ulimit -n`"),
    errno.ENFILE: ("too many open files", "Close other programs"),
    errno.EFBIG: ("the file would exceed the largest size allowed (`ulimit -f`, or the file "
                  "system's limit)", "Raise the limit or write to another file system"),
    errno.EIO: ("an input/output error (a failing disk or network file system)",
                "Check the disk and try again"),
}


def output_error(exc: OSError, path: object, action: str = "write",
                 note: str = "") -> OutputError:
    """A one-line :class:`OutputError` for `exc`, raised while `action`-ing `path`.

    `note` is appended, e.g. "Nothing was changed." when the write was atomic.
    """
    if isinstance(exc, ForecastError):
        return exc  # type: ignore[return-value]
    what, fix = _WHY.get(exc.errno or 0, (exc.strerror or type(exc).__name__,
                                          "Check the path and try again"))
    code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return OutputError(f"cannot {action} {os.fspath(path)!s}: {what} ({code}). {fix}."
                       + (f" {note}" if note else ""))


def input_error(exc: OSError, path: object, what: str = "file") -> DataError:
    """A one-line :class:`DataError` for `exc`, raised while reading the `what` at `path`."""
    if isinstance(exc, ForecastError):
        return exc  # type: ignore[return-value]
    what_, _ = _WHY.get(exc.errno or 0, (exc.strerror or type(exc).__name__, ""))
    code = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return DataError(f"cannot read the {what} {os.fspath(path)!s}: {what_} ({code}). Check "
                     "the path and its permissions.")
