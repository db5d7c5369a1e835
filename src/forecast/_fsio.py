"""Safe output: atomic files and folders, ownership markers, OS errors (private, core).

Every file and folder the library writes goes through this module, which keeps four
promises (``docs/reliability.md`` lists the tests of each):

- **Complete or absent.** A file is written to a temporary name beside its target,
  flushed to disk (``fsync``) and renamed over the target, so a reader sees the previous
  file or the new one, never a truncated one. A folder (an output *set*: the tables,
  charts and report of one run, or a saved projection) is staged in a temporary folder
  beside the target and swapped in whole: with Linux's ``renameat2(RENAME_EXCHANGE)``
  in one step, elsewhere with two renames (an interruption between them is repaired by
  the next write; :mod:`forecast._outdir`). Ctrl-C during a swap is held back until the
  swap is done.
- **Never through a link, never over someone else's files.** Targets that are symbolic
  links are refused; new files are created with ``O_EXCL | O_NOFOLLOW``. A folder holds a
  marker (``.forecast-output.json``) listing the files the library wrote; a non-empty folder without
  it, or with files the marker does not list, is replaced only with ``force=True``.
- **One writer at a time** per folder (:mod:`forecast._lock`).
- **One clear error.** Every ``OSError`` becomes an :class:`~forecast.errors.OutputError`
  naming the path, what went wrong (disk full, read-only, permission ...) and the fix.

CSV cells that a spreadsheet would run as a formula are neutralised here too
(:func:`neutralise`), as OWASP recommends.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ._oserror import output_error
from .errors import OutputError

__all__ = ["atomic_file", "check_new_file", "check_own_file", "deferred_signals", "file_head",
           "force_words", "neutralise", "output_error", "unneutralise", "write_bytes",
           "write_text"]

_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0)

# ----------------------------------------------------------------------------- cells
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _risky(text: str) -> bool:
    return text.lstrip("'")[:1] in _FORMULA


def neutralise(frame: Any) -> Any:
    """A copy of `frame` whose text cells cannot run as spreadsheet formulas.

    Text starting with ``= + - @``, a tab or a carriage return (after any apostrophes)
    gets one more leading apostrophe, as OWASP recommends; :func:`unneutralise` undoes it.
    Numbers are never changed, so ``-0.5`` in a float column stays ``-0.5``.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise(pd.DataFrame({"s": ["=1+1", "ok"], "x": [-0.5, 1.0]})).values.tolist()
    [["'=1+1", -0.5], ['ok', 1.0]]
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind in "OSU" or str(out[col].dtype).startswith("string"):
            out[col] = [("'" + v if isinstance(v, str) and _risky(v) else v)
                        for v in out[col].tolist()]
    out.columns = [("'" + c if isinstance(c, str) and _risky(c) else c) for c in out.columns]
    return out


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise` on one cell (text read back from a CSV the library wrote)."""
    return text[1:] if text.startswith("'") and _risky(text[1:]) else text


# ----------------------------------------------------------------------------- files
def _unchanged(target: Path) -> str:
    return f"{target} is unchanged." if _lexists(target) else "Nothing was written."


def _os_write(fd: int, data: Any) -> int:
    return os.write(fd, data)  # one indirection: fault-injection tests replace it


class _Raw(io.RawIOBase):
    """An unbuffered writer on a file descriptor that hashes what it writes."""

    def __init__(self, fd: int) -> None:
        self.fd, self.size, self.sha = fd, 0, hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        n = _os_write(self.fd, b)
        self.sha.update(memoryview(b)[:n])
        self.size += n
        return n

    def close(self) -> None:
        if not self.closed:
            try:
                os.close(self.fd)
            finally:
                super().close()


@contextlib.contextmanager
def _writer(fd: int, text: bool) -> Iterator[tuple[IO, _Raw]]:
    raw = _Raw(fd)
    buf = io.BufferedWriter(raw, 1 << 20)
    fh: IO = io.TextIOWrapper(buf, encoding="utf-8", newline="") if text else buf
    try:
        yield fh, raw
        fh.flush()
        os.fsync(fd)
    finally:
        with contextlib.suppress(OSError, ValueError):
            fh.close()  # a failed flush (disk full) raises again here: already reported
        raw.close()


def _temp_name(name: str, tag: str) -> str:
    return f".{name}.{tag}-{os.getpid()}-{secrets.token_hex(3)}"


def _abs(path: object, what: str) -> Path:
    if not isinstance(path, str | os.PathLike) or not os.fspath(path):
        example = "report.html" if what == "report" else "forecast-output"
        raise OutputError(f"the {what} must be a path (str or os.PathLike); got {path!r}. "
                          f"Pass e.g. {example!r}.")
    # '~/runs' is the home folder's, as pandas' writers take it
    p = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
    if p.name in ("", ".", ".."):
        raise OutputError(f"the {what} must name a file or folder; got {path!r}. Pass a name.")
    _check_name_length(p, what)
    return p


#: bytes the names forecast writes beside a target add to its name: the temporary file or
#: folder ``.<name>.tmp-<pid>-<6 hex>`` (a pid has at most 7 digits on Linux), the lock
#: ``.<name>.lock`` is shorter
_NAME_OVERHEAD = len(".") + len(".tmp-") + 7 + len("-") + 6


def _check_name_length(p: Path, what: str) -> None:
    """Refuse a name too long for the temporary and lock files written beside it.

    Without this, a name a little under the file system's limit (255 bytes) failed with
    "cannot create the lock file .<name>.lock: the name is too long", naming a file the
    user never asked for.
    """
    folder = p.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows): the common limit
        limit = 255
    size = len(os.fsencode(p.name))
    if size + _NAME_OVERHEAD > limit:
        raise OutputError(
            f"the {what} name {p.name[:40]!r}... is {size} bytes long; forecast writes it "
            f"through a temporary file named after it (.<name>.tmp-...), so on this file "
            f"system ({limit} bytes a name) it may have at most {limit - _NAME_OVERHEAD} "
            "bytes. Choose a shorter name.")


def _lexists(p: Path) -> bool:
    return os.path.lexists(p)


def force_words(what: str) -> str:
    """How the caller of a write that names its target `what` says "replace it anyway".

    The command line names its targets by their option (``"--out folder"``) and takes
    ``--force``; the Python API names them in words (``"output folder"``) and takes
    ``force=True``. A message gives the one the reader can use, never both.
    """
    return "--force" if what.startswith("--") else "force=True"


def check_new_file(path: object, *, force: bool, what: str = "file") -> Path:
    """Refuse a target that is a link or a folder, or that exists when `force` is False."""
    target = _abs(path, what)
    if target.is_symlink():
        raise OutputError(f"the {what} {target} is a symbolic link; forecast never writes "
                          "through links. Remove the link or choose another path.")
    if target.is_dir():
        raise OutputError(f"the {what} {target} is a folder; pass a file name inside it.")
    if _lexists(target) and not force:
        raise OutputError(f"the {what} {target} already exists; forecast replaces files only "
                          f"when told to. Pass {force_words(what)} or choose another name.")
    return target


def file_head(path: Path, n: int) -> bytes | None:
    """The first `n` bytes of `path`, or None when it is not a plain file (a FIFO or a
    device, whose read could block) or cannot be read: how a writer's `ours` test of
    :func:`check_own_file` looks for its mark."""
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return None


def check_own_file(path: object, *, force: bool, what: str, ours: Callable[[Path], bool],
                   mark: str) -> Path:
    """Refuse a target that is a link or a folder, or an existing file forecast did not write.

    A single-file writer replaces a file only when `ours` recognises it as one forecast
    wrote (by its `mark`, e.g. a header line, which the message names), or with `force`:
    the rule :func:`forecast._outdir.check_folder` applies to a folder. `ours` gets the
    path of an existing plain file and returns False for anything it cannot read.
    """
    target = check_new_file(path, force=True, what=what)
    if force or not _lexists(target) or ours(target):
        return target
    raise OutputError(
        f"the {what} {target} exists and was not written by forecast (it lacks {mark}); "
        "forecast replaces only files it wrote. Choose another path, or pass "
        f"{force_words(what)} to replace the file.")


def csv_header(path: Path) -> str | None:
    """The first line of the text file at `path` (no byte-order mark, no line end), or
    None when it is not a readable plain file or not UTF-8."""
    head = file_head(path, 64 * 1024)
    if head is None:
        return None
    try:
        return head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def check_own_csv(path: object, *, force: bool, what: str, headers: tuple[str, ...]) -> Path:
    """:func:`check_own_file` for a CSV writer: a file is its own when its header line is
    one of `headers` (the lines the writer writes), e.g. ``year,value,unit``.

    A CSV carries no other mark of its writer, so a file with the same columns written
    elsewhere (a user's edited copy of the same table) is replaced too: its columns say
    it holds the same kind of table, which is what the caller is writing.
    """
    return check_own_file(path, force=force, what=what,
                          ours=lambda p: csv_header(p) in headers,
                          mark=f"the header line {headers[0]}")


def _make_dirs(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot create the folder of the {what}: {folder} (or a folder "
                          "above it) is a file. Fix the path.") from None
    except OSError as exc:
        raise output_error(exc, folder, "create the folder") from None


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done (a rename or two).

    Only the main thread can set handlers; elsewhere the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    old = {}
    for s in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(s) is not None:  # None: set outside Python, leave it alone
            old[s] = signal.signal(s, lambda signum, frame: got.append(signum))
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        for s in got:  # deliver what arrived, now that the files are in place
            handler = old[s]
            if callable(handler):
                handler(s, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), s)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(path: object, *, what: str = "file", overwrite: bool = True,
                text: bool = False, make_parents: bool = False) -> Iterator[IO]:
    """Write one file atomically: yield a new temporary file, rename it over `path` at the end.

    `path` must not be a symbolic link or a folder; an existing file is replaced only with
    `overwrite`. The folder must exist unless `make_parents`. On any error (or Ctrl-C)
    the temporary file is removed and `path` is unchanged.
    """
    target = check_new_file(path, force=overwrite, what=what)
    if make_parents:
        _make_dirs(target.parent, what)
    elif not target.parent.is_dir():
        raise OutputError(f"cannot write the {what} {target}: its folder {target.parent} does "
                          "not exist. Create it first or fix the path.")
    tmp = target.with_name(_temp_name(target.name, "tmp"))
    try:
        fd = os.open(tmp, _NEW, 0o666)
        with _writer(fd, text) as (fh, _):
            yield fh
        with contextlib.suppress(OSError):  # keep the mode of the file being replaced
            os.chmod(tmp, os.stat(target, follow_symlinks=False).st_mode & 0o7777)
        with deferred_signals():
            os.rename(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise output_error(exc, target, note=_unchanged(target)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write_bytes(path: object, data: bytes, **kwargs: Any) -> Path:
    """Write `data` to `path` atomically (see :func:`atomic_file`); return the path."""
    with atomic_file(path, **kwargs) as fh:
        fh.write(data)
    return Path(os.path.expanduser(os.fspath(path)))


def write_text(path: object, text: str, **kwargs: Any) -> Path:
    """Write UTF-8 `text` to `path` atomically (see :func:`atomic_file`)."""
    return write_bytes(path, text.encode("utf-8"), **kwargs)
