"""Files written whole or not at all: one file, or a set that changes together (private).

A file is written to a temporary name beside its target (:func:`~forecast._io.paths.
temp_name`), flushed to disk and renamed over the target, so a reader sees the previous
file or the new one, never a truncated one. A :class:`FileSet` stages several files in
full before it renames any (:func:`atomic_files`), with Ctrl-C and SIGTERM held back
during the renames (:func:`deferred_signals`). Temporary files a killed writer left are
removed by the next writer of the same target.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from . import lock
from .oserror import output_error
from .paths import check_new_file, check_parent, lexists, temp_name, unchanged_note

__all__ = ["NEW_FILE", "FileSet", "atomic_file", "atomic_files", "deferred_signals",
           "fsync_dir", "hashing_writer", "write_bytes", "write_text"]

#: how a temporary file is created: new (never an existing file or a link), not inherited
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0)


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
def hashing_writer(fd: int, text: bool) -> Iterator[tuple[IO, _Raw]]:
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


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)



#: What :func:`temp_name` makes of a file's temporary name: ``.<name>.tmp-<pid>-<6 hex>``
#: (the rule :func:`forecast._io.folders._leftovers` applies to folders)
_TEMP = re.compile(r"\.(?P<name>.+)\.tmp-(?P<pid>[0-9]{1,10})-[0-9a-f]{6}", re.S)


def _tidy_temps(target: Path) -> None:
    """Remove the temporary files a killed writer of `target` left beside it.

    A writer removes its temporary file on any error or Ctrl-C, but ``kill -9`` (or a
    power cut) leaves it. As for output folders, only names made for exactly this target
    (compared as a string, never a glob), of writers no longer running, are removed; and
    only plain files (not links) of this user: a user's ``.r.csv.tmp-backup``, the live
    temporary file of another writer and someone else's file are never touched.
    """
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        m = _TEMP.fullmatch(entry.name)
        if m is None or m["name"] != target.name:
            continue
        try:
            live = int(m["pid"]) == os.getpid() or lock.alive(int(m["pid"]))
        except OverflowError:  # beyond any pid (os.kill refuses it): no writer of ours
            continue
        if live:  # a running writer's (or this process's other threads')
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and (uid is None or st.st_uid == uid):
                os.unlink(entry.path)


def _rename(src: Path, dst: Path) -> None:
    os.rename(src, dst)  # one indirection: fault-injection tests replace it


def _are_unchanged(targets: list[Path]) -> str:
    """What a failed write of `targets` (the files asked for) left: all as they were."""
    if len(targets) == 1:
        return unchanged_note(targets[0])
    kept = [str(t) for t in targets if lexists(t)]
    if not kept:
        return "Nothing was written."
    verb = "is" if len(kept) == 1 else "are"
    return f"Nothing was written: {' and '.join(kept)} {verb} unchanged."


class FileSet:
    """Files staged beside their targets, then renamed into place together.

    Made by :func:`atomic_files`. Each :meth:`open` (or :meth:`write_bytes`) writes one
    file completely to a temporary name in its target's folder, where a full disk, a
    quota or a permission fails; nothing is renamed until every file of the set is
    staged. Then the renames run one after the other with Ctrl-C and SIGTERM held back,
    so a reader finds the previous files or the new ones, never some of each (only a
    ``kill -9`` in the microseconds between two renames could leave a mix); a failure
    while staging removes every staged file and leaves the targets as they were.
    """

    def __init__(self) -> None:
        #: (temporary file, target, how messages name it) in the order they are renamed
        self._staged: list[tuple[Path, Path, object]] = []
        #: the files the caller asked for (a CSV, not its record beside it), for messages
        self._asked: list[Path] = []

    def _ask(self, path: Path) -> None:
        if path not in self._asked:
            self._asked.append(path)

    @contextlib.contextmanager
    def open(self, path: object, *, what: str = "file", overwrite: bool = True,
             text: bool = False, make_parents: bool = False,
             for_file: tuple[Path, str] | None = None) -> Iterator[IO]:
        """Yield a new temporary file beside `path`, renamed over it when the set commits.

        `path` must not be a symbolic link or a folder; an existing file is replaced only
        with `overwrite`. Its folder must exist unless `make_parents`. `for_file` is
        ``(file, words)`` when `path` serves another file (a CSV's record beside it):
        errors then name that file, the one the caller asked for, followed by `words`.
        """
        target = check_new_file(path, force=overwrite, what=what)
        asked = target if for_file is None else for_file[0]
        self._ask(asked)
        check_parent(target, what, make_parents)
        _tidy_temps(target)
        named = asked if for_file is None else f"{asked} ({for_file[1]})"
        tmp = target.with_name(temp_name(target.name, "tmp"))
        try:
            fd = os.open(tmp, NEW_FILE, 0o666)
            try:
                with hashing_writer(fd, text) as (fh, _):
                    yield fh
                with contextlib.suppress(OSError):  # keep the mode of the file replaced
                    os.chmod(tmp, os.stat(target, follow_symlinks=False).st_mode & 0o7777)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise output_error(exc, named, note=_are_unchanged(self._asked)) from None
        self._staged.append((tmp, target, named))

    def write_bytes(self, path: object, data: bytes, **kwargs: Any) -> Path:
        """Stage `data` for `path` (see :meth:`open`); return the path as given."""
        with self.open(path, **kwargs) as fh:
            fh.write(data)
        return Path(os.path.expanduser(os.fspath(path)))

    def _commit(self) -> None:
        renamed: list[Path] = []
        try:
            with deferred_signals():  # every rename, or none yet when Ctrl-C comes
                while self._staged:
                    tmp, target, _ = self._staged[0]
                    _rename(tmp, target)
                    self._staged.pop(0)
                    renamed.append(target)
        except OSError as exc:  # a target replaced by a folder meanwhile, say
            done = [str(t) for t in self._asked if t in renamed]  # a record is no news
            note = (f"{' and '.join(done)} {'was' if len(done) == 1 else 'were'} written, "
                    "the other files are unchanged." if done else
                    _are_unchanged(self._asked))
            raise output_error(exc, self._staged[0][2], note=note) from None
        for folder in dict.fromkeys(t.parent for t in renamed):
            fsync_dir(folder)

    def _discard(self) -> None:
        for tmp, _, _ in self._staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._staged.clear()


@contextlib.contextmanager
def atomic_files() -> Iterator[FileSet]:
    """Write several files so that they change together: all or none (:class:`FileSet`).

    Stage every file in the block; they are renamed into place when it ends. An error
    or Ctrl-C in the block removes what was staged and changes no target.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_files() as files:
    ...     _ = files.write_bytes(folder / "table.csv", b"a,b\\n1,2\\n")
    ...     _ = files.write_bytes(folder / "chart.svg", b"<svg/>")
    ...     sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    []
    >>> sorted(p.name for p in folder.iterdir())
    ['chart.svg', 'table.csv']
    """
    files = FileSet()
    try:
        yield files
        files._commit()
    finally:
        files._discard()


@contextlib.contextmanager
def atomic_file(path: object, *, what: str = "file", overwrite: bool = True,
                text: bool = False, make_parents: bool = False) -> Iterator[IO]:
    """Write one file atomically: yield a new temporary file, rename it over `path` at the end.

    `path` must not be a symbolic link or a folder; an existing file is replaced only with
    `overwrite`. The folder must exist unless `make_parents`. On any error (or Ctrl-C)
    the temporary file is removed and `path` is unchanged. A set of one
    (:func:`atomic_files`).
    """
    with atomic_files() as files, files.open(path, what=what, overwrite=overwrite,
                                             text=text, make_parents=make_parents) as fh:
        yield fh


def write_bytes(path: object, data: bytes, **kwargs: Any) -> Path:
    """Write `data` to `path` atomically (see :func:`atomic_file`); return the path."""
    with atomic_file(path, **kwargs) as fh:
        fh.write(data)
    return Path(os.path.expanduser(os.fspath(path)))


def write_text(path: object, text: str, **kwargs: Any) -> Path:
    """Write UTF-8 `text` to `path` atomically (see :func:`atomic_file`)."""
    return write_bytes(path, text.encode("utf-8"), **kwargs)
