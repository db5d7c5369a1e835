"""Output folders: a set of files swapped in whole, with a marker and a lock (private, core).

See :mod:`forecast._io` for the promises. :func:`atomic_folder` stages the files of
an output set (the tables, charts and report of ``forecast run``, or a saved projection)
in a temporary folder beside the target, writes the marker (:data:`MARKER`: format,
kind, version, and the size and SHA-256 of every file), and swaps the staged folder
in: in one step with Linux's ``renameat2(RENAME_EXCHANGE)``, elsewhere with two renames
whose interruption the next write repairs (it restores the previous set). The target is
checked again just before the swap, and of the previous set only what that check saw is
deleted: nothing the library did not write (or, with ``force``, that the folder did not
hold when the job began) is ever deleted.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .._version import __version__
from ..errors import OutputError
from . import lock
from .atomic import NEW_FILE, deferred_signals, fsync_dir, hashing_writer
from .cells import neutralise
from .guards import (
    MARKER,
    MARKER_FORMAT,
    Entries,
    check_replaceable,
    entries,
    file_digest,
    identity,
    read_marker,
    recheck,
    refuse_installed,
    shown,
)
from .oserror import output_error
from .paths import abs_path, lexists, make_dirs, temp_name, unchanged_note

__all__ = ["MARKER", "Entries", "OutputFolder", "atomic_folder", "check_folder", "entries",
           "hold", "is_plain_name", "read_marker"]

def is_plain_name(name: str) -> bool:
    """Whether `name` can be a file of an output folder: not empty, no folder separator."""
    return bool(name) and name not in (".", "..", MARKER) and "/" not in name \
        and os.sep not in name


class OutputFolder:
    """The staging folder of an output set; files written here appear together at the end."""

    def __init__(self, target: Path, staging: Path) -> None:
        self.target, self.staging = target, staging
        self.files: dict[str, dict[str, Any]] = {}

    def _name(self, name: str) -> Path:
        if not is_plain_name(name):
            raise OutputError(f"an output file name must be a plain name; got {name!r}.")
        return self.staging / name

    @contextlib.contextmanager
    def open(self, name: str, *, text: bool = False) -> Iterator[IO]:
        """A new file `name` in the folder, open for writing (bytes, or UTF-8 text)."""
        with self._open(self._name(name), name, text) as fh:
            yield fh

    @contextlib.contextmanager
    def _open(self, path: Path, name: str, text: bool) -> Iterator[IO]:
        try:
            fd = os.open(path, NEW_FILE, 0o666)
            with hashing_writer(fd, text) as (fh, raw):
                yield fh
        except OSError as exc:
            raise output_error(exc, self.target / name, note=unchanged_note(self.target)) from None
        self.files[name] = {"bytes": raw.size, "sha256": raw.sha.hexdigest()}

    def path(self, name: str) -> Path:
        """Where a writer that needs a path (``write_report``) should put file `name`."""
        return self._name(name)

    def write_bytes(self, name: str, data: bytes) -> None:
        with self.open(name) as fh:
            fh.write(data)

    def write_text(self, name: str, text: str) -> None:
        self.write_bytes(name, text.encode("utf-8"))

    def write_csv(self, name: str, frame: Any) -> None:
        """Write `frame` as CSV without its index, text cells neutralised."""
        with self.open(name, text=True) as fh:
            neutralise(frame).to_csv(fh, index=False, lineterminator="\n")

    def sha256(self, name: str) -> str:
        return self.files[name]["sha256"]

    def _finish(self, kind: str) -> None:
        for entry in sorted(os.scandir(self.staging), key=lambda e: e.name):
            if entry.name in self.files:
                continue
            if not entry.is_file(follow_symlinks=False):
                raise OutputError(f"output {self.target / entry.name} must be a plain file; "
                                  "a writer made a link or folder. This is a bug.")
            size, digest = file_digest(entry.path)
            self.files[entry.name] = {"bytes": size, "sha256": digest}
        marker = {"format": MARKER_FORMAT, "version": 1, "kind": kind, "forecast": __version__,
                  "files": dict(sorted(self.files.items()))}
        with self._open(self.staging / MARKER, MARKER, text=False) as fh:
            fh.write((json.dumps(marker, indent=1) + "\n").encode("utf-8"))
        del self.files[MARKER]
        self._modes()
        fsync_dir(self.staging)

    def _modes(self) -> None:
        """Give the new set the permissions of the set it replaces.

        A private folder (``chmod 700``) was replaced by a world-readable one (755, its
        files 644): the folder now keeps its mode, each file the mode of the file of the
        same name it replaces (as a single file written by :mod:`forecast._io.atomic` does),
        and a new file gets no more for the group and others than the folder gives them.
        A new folder gets the umask's modes, as ``mkdir`` would.
        """
        fresh = 0o666 & ~_umask()
        try:
            folder = stat.S_IMODE(os.stat(self.target, follow_symlinks=False).st_mode)
        except FileNotFoundError:
            os.chmod(self.staging, 0o777 & ~_umask())
            return
        fresh &= 0o600 | (folder & 0o066)  # a folder's r and w bits line up with a file's
        for name in (*self.files, MARKER):
            try:
                old = os.stat(self.target / name, follow_symlinks=False)
                mode = stat.S_IMODE(old.st_mode) if stat.S_ISREG(old.st_mode) else fresh
            except FileNotFoundError:
                mode = fresh
            os.chmod(self.staging / name, mode)
        os.chmod(self.staging, folder)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        import ctypes  # lazy: only output folders need it

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


#: What :func:`forecast._io.paths.temp_name` makes: ``.<name>.<tag>-<pid>-<6 hex>``.
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<tag>tmp|old)-(?P<pid>[0-9]{1,10})-[0-9a-f]{6}",
                       re.S)


def _leftovers(target: Path, tag: str) -> list[Path]:
    """The staging (``tmp``) or previous-set (``old``) folders a dead writer of `target`
    left beside it, oldest first.

    Only names :func:`~forecast._io.paths.temp_name` makes for exactly this target (a name
    compared as a string, never a glob: ``out[1]`` does not match ``out1``), folders (not
    links), and writers no longer running: a user's ``.results.tmp-backup`` and the live
    staging folder of a run into another target are never touched.
    """
    found = []
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return []
    for entry in entries:
        m = _LEFTOVER.fullmatch(entry.name)
        if (m is None or m["name"] != target.name or m["tag"] != tag
                or not entry.is_dir(follow_symlinks=False)):
            continue
        pid = int(m["pid"])
        try:
            if pid == os.getpid() or lock.alive(pid):
                continue
        except OverflowError:  # beyond any pid (os.kill refuses it): no writer's name
            continue
        found.append((entry.stat(follow_symlinks=False).st_mtime, Path(entry.path)))
    return [p for _, p in sorted(found)]


def _recover(target: Path) -> None:
    """Repair an interrupted swap and remove stale staging folders (the lock is held)."""
    olds = _leftovers(target, "old")
    if olds and not lexists(target):
        os.rename(olds.pop(), target)  # killed between the two renames: keep the old set
    for stale in (*olds, *_leftovers(target, "tmp")):
        shutil.rmtree(stale, ignore_errors=True)


def _swap(staging: Path, target: Path, seen: Entries) -> None:
    old = None
    with deferred_signals():
        if not lexists(target):
            os.rename(staging, target)
        elif _exchange(staging, target):
            old = staging  # now holds the previous set
        else:
            old = target.with_name(temp_name(target.name, "old"))
            os.rename(target, old)
            os.rename(staging, target)
        fsync_dir(target.parent)
    if old is not None:
        _remove_previous(old, seen, target)


def _delete(path: str, folder: bool) -> None:
    """Delete one entry of the previous set (one indirection: tests make it fail)."""
    if folder:
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _remove_previous(old: Path, seen: Entries, target: Path) -> None:
    """Delete the previous set, moved aside to `old` by the swap: only the entries
    :func:`~forecast._io.guards.recheck` saw, each as it was then, never the folder with
    whatever it holds.

    An entry added or changed in the instant between that check and the swap (or one
    that cannot be deleted) is kept: the folder is renamed ``NAME.kept-HEX`` beside the
    target, a name the tidying of a dead writer's leftovers never matches, and a warning
    names it.
    """
    left = []
    try:
        listing = sorted(os.scandir(old), key=lambda e: e.name)
    except OSError:  # the new set is in place: what cannot be listed is kept, and named
        listing = []
    for entry in listing:
        try:
            st = entry.stat(follow_symlinks=False)
            if identity(st) != seen.get(entry.name):
                left.append(entry.name)
                continue
            _delete(entry.path, stat.S_ISDIR(st.st_mode))
        except OSError:
            left.append(entry.name)
    try:
        os.rmdir(old)
        return
    except OSError:
        pass
    kept = target.with_name(f"{target.name}.kept-{secrets.token_hex(3)}")
    try:
        os.rename(old, kept)
    except OSError:
        kept = old
    listed = shown([repr(n) for n in left]) or "entries"
    warnings.warn(
        f"the new output is in {target}; what the previous set held that forecast did not "
        f"delete is in {kept} ({listed}): files added or changed while forecast was "
        "writing, which it does not delete, or files that could not be deleted (read-only "
        "or in use). Move what you want to keep, then delete that folder.", UserWarning,
        stacklevel=3)


def check_folder(path: object, *, force: bool = False, what: str = "output folder",
                 kind: str | None = None) -> Path:
    """Check, without writing, that :func:`atomic_folder` may replace `path` (else raise).

    Lets a slow job refuse a bad output folder before it starts; the check is repeated,
    under the lock, when the folder is written. With `kind`, the kind the job will write,
    a folder forecast wrote as another kind is refused too.
    """
    target = abs_path(path, what)
    check_replaceable(target, force, what, kind)
    return target


@contextlib.contextmanager
def hold(path: object, *, what: str = "output folder") -> Iterator[Path]:
    """Hold the lock of the output folder `path` for a whole job (its parents are made).

    A command that computes for minutes before writing takes the lock first, so that a
    second run into the same folder fails at once instead of both claiming success; it
    then writes with ``atomic_folder(..., locked=True)``.
    """
    target = abs_path(path, what)
    refuse_installed(target, what)  # before its parents are made
    made = _missing_folders(target.parent)
    make_dirs(target.parent, what)
    try:
        with lock.hold(target, what):
            yield target
    finally:
        if made and not lexists(target):  # nothing written: leave the disk as it was
            for folder in made:
                try:
                    os.rmdir(folder)
                except OSError:  # not empty (or gone): something else lives there now
                    break


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its parents that do not exist yet, the deepest first."""
    out = []
    while not lexists(folder) and folder.parent != folder:
        out.append(folder)
        folder = folder.parent
    return out


@contextlib.contextmanager
def atomic_folder(path: object, *, kind: str, force: bool = False,
                  what: str = "output folder", locked: bool = False,
                  since: Entries | None = None,
                  again: str = "write it again") -> Iterator[OutputFolder]:
    """Write an output set: yield an :class:`OutputFolder`; swap it in when the block ends.

    The folder `path` is created with its parents if needed. It may be replaced when it
    is missing, empty, or was written by the library (its marker lists every file in it);
    otherwise only with `force`. While the block runs, `path` is locked (by this call, or
    by the caller's :func:`hold` when `locked`) and unchanged; if the block raises (or
    Ctrl-C arrives), the staged files are removed and `path` keeps its previous contents.

    The folder is checked again just before the swap: a file added to it or changed in it
    meanwhile (since `since`, the caller's :func:`entries` of it when its job began, with
    `force`) refuses the swap with an :class:`OutputError` that ends with `again`, how to
    repeat the write in the caller's words. Of the previous set, only what that check saw
    is deleted.
    """
    if locked:
        target = abs_path(path, what)
        with _staged(target, kind, force, what, since, again) as folder:
            yield folder
        return
    with hold(path, what=what) as target, \
            _staged(target, kind, force, what, since, again) as folder:
        yield folder


@contextlib.contextmanager
def _staged(target: Path, kind: str, force: bool, what: str, since: Entries | None,
            again: str) -> Iterator[OutputFolder]:
    """The body of :func:`atomic_folder`, the lock being held."""
    try:
        _recover(target)
    except OSError as exc:
        raise output_error(exc, target, "tidy up beside") from None
    check_replaceable(target, force, what, kind)
    if since is None:
        since = entries(target)
    try:
        staging = Path(os.fspath(target.with_name(temp_name(target.name, "tmp"))))
        os.mkdir(staging, 0o700)
    except OSError as exc:
        raise output_error(exc, target, "create a folder beside") from None
    try:
        folder = OutputFolder(target, staging)
        yield folder
        folder._finish(kind)
        _swap(staging, target, recheck(target, force, what, since, again))
    except OutputError as exc:  # from a writer given a path inside the staging folder
        raise _as_target(exc, staging, target) from None
    except OSError as exc:
        raise output_error(exc, target, note=unchanged_note(target)) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _as_target(exc: OutputError, staging: Path, target: Path) -> OutputError:
    """`exc` with the staging folder's name replaced by the target's (what users know)."""
    text = str(exc)
    if str(staging) not in text:
        return exc
    text = re.sub(r" (Nothing was written\.|\S+ is unchanged\.)$", "",
                  text.replace(str(staging), str(target)))
    return OutputError(f"{text} {unchanged_note(target)}")
