"""Output folders: a set of files swapped in whole, with a marker and a lock (private, core).

See :mod:`forecast._fsio` for the promises. :func:`atomic_folder` stages the files of
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
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from . import _lock
from ._fsio import (
    _NEW,
    _abs,
    _fsync_dir,
    _lexists,
    _make_dirs,
    _temp_name,
    _unchanged,
    _writer,
    deferred_signals,
    force_words,
    neutralise,
)
from ._oserror import output_error
from ._version import __version__
from .errors import OutputError

__all__ = ["MARKER", "Entries", "OutputFolder", "atomic_folder", "check_folder", "entries",
           "hold", "is_plain_name", "read_marker"]

#: Name of the marker file in every folder the library writes (JSON: format, kind,
#: version and the size and SHA-256 of every file).
MARKER = ".forecast-output.json"
MARKER_FORMAT = "forecast.output"


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
            fd = os.open(path, _NEW, 0o666)
            with _writer(fd, text) as (fh, raw):
                yield fh
        except OSError as exc:
            raise output_error(exc, self.target / name, note=_unchanged(self.target)) from None
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
            size, digest = _digest(entry.path)
            self.files[entry.name] = {"bytes": size, "sha256": digest}
        marker = {"format": MARKER_FORMAT, "version": 1, "kind": kind, "forecast": __version__,
                  "files": dict(sorted(self.files.items()))}
        with self._open(self.staging / MARKER, MARKER, text=False) as fh:
            fh.write((json.dumps(marker, indent=1) + "\n").encode("utf-8"))
        del self.files[MARKER]
        self._modes()
        _fsync_dir(self.staging)

    def _modes(self) -> None:
        """Give the new set the permissions of the set it replaces.

        A private folder (``chmod 700``) was replaced by a world-readable one (755, its
        files 644): the folder now keeps its mode, each file the mode of the file of the
        same name it replaces (as a single file written by :mod:`forecast._fsio` does),
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


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of `folder` if the library wrote it (a plain file, valid JSON), else None."""
    p = folder / MARKER
    try:
        if not p.is_file() or p.is_symlink() or p.stat().st_size > 1_000_000:
            return None
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and data.get("format") == MARKER_FORMAT and isinstance(
        data.get("files"), dict)
    return data if ok else None


#: What each kind of output folder holds, in a message's words.
_KINDS = {"run": "the output of `forecast run`",
          "projection": "a projection saved by Projection.save",
          "market_projection": "a market projection saved by MarketProjection.save"}


def _kind_words(kind: object) -> str:
    return _KINDS.get(kind, f"output of kind {kind!r}") if isinstance(kind, str) \
        else "output of an unknown kind"


def _check_replaceable(target: Path, force: bool, what: str, kind: str | None = None) -> None:
    _refuse_installed(target, what)
    if not _lexists(target):
        return
    if target.is_symlink():
        raise OutputError(f"the {what} {target} is a symbolic link; forecast never writes "
                          "through links. Remove the link or choose another folder.")
    if not target.is_dir():
        raise OutputError(f"the {what} {target} exists and is a file, not a folder; choose "
                          "another name (or remove the file).")
    mode = os.stat(target, follow_symlinks=False).st_mode
    if not mode & stat.S_IWUSR:  # the bit, not os.access: root may write anywhere
        raise OutputError(
            f"the {what} {target} is read-only (mode {stat.S_IMODE(mode):o}: its owner may "
            "not change it), so forecast leaves it as it is. Make it writable (chmod u+w "
            f"{target}) or choose another folder.")
    if os.path.ismount(target):
        raise OutputError(
            f"the {what} {target} is a mount point; forecast writes a new folder beside it "
            "and swaps the two, which a mount point cannot take part in. Pass a folder "
            f"inside it, e.g. {target / 'forecast-output'}.")
    _refuse_precious(target, what)  # even empty or written by forecast: never swapped
    try:
        names = sorted(os.listdir(target))
    except OSError as exc:
        raise output_error(exc, target, "read the folder") from None
    marker = read_marker(target)
    if marker is not None and kind is not None and marker.get("kind") != kind and not force:
        # forecast wrote it, but another kind of output: a run over a saved projection
        # (or the reverse) would replace what the user saved for later with something else
        raise OutputError(
            f"the {what} {target} holds {_kind_words(marker.get('kind'))}, not "
            f"{_kind_words(kind)}; forecast replaces a folder only with output of the same "
            f"kind. Choose another folder, or pass {force_words(what)} to replace it.")
    if force:  # hashing is needed only to refuse
        return
    foreign = _foreign(target, marker, names, "{name!r}", "{name!r} (changed since)")
    if not foreign:
        return
    why = ("was not written by forecast" if marker is None
           else "holds files forecast did not write, or that changed after it wrote them")
    raise OutputError(
        f"the {what} {target} {why} ({_count(foreign)}: {_shown(foreign)}); forecast "
        "replaces only folders it wrote, as it wrote them. Choose a new folder, or pass "
        f"{force_words(what)} to replace the folder and everything in it.")


def _foreign(target: Path, marker: dict[str, Any] | None, names: list[str], added: str,
             changed: str) -> list[str]:
    """The entries of `target` forecast did not write as they are now, in words: names the
    `marker` does not list (formatted with `added`), then listed files changed since
    (formatted with `changed`)."""
    ours = set(marker["files"]) | {MARKER} if marker else set()
    out = [added.format(name=n) for n in names if n not in ours]
    if marker is not None:
        out += [changed.format(name=n) for n in _changed(target, marker["files"], names)]
    return out


def _shown(entries: list[str]) -> str:
    return ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")


def _count(entries: list[str]) -> str:
    return f"{len(entries)} such entr{'y' if len(entries) == 1 else 'ies'}"


def _changed(target: Path, files: dict[str, Any], names: list[str]) -> list[str]:
    """The files the marker lists that are no longer what forecast wrote: edited (size or
    SHA-256 differ: a table opened and saved in Excel), or not a plain file any more. A
    forged or copied marker lists checksums the files do not have, so it protects nothing
    either. A listed file since deleted has nothing to lose."""
    out = []
    for name in names:
        meta = files.get(name)
        if name == MARKER or meta is None:
            continue
        path = target / name
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or not isinstance(meta, dict) \
                    or st.st_size != meta.get("bytes"):
                out.append(name)
                continue
            digest = _digest(path)[1]
        except OSError as exc:
            raise output_error(exc, path, "read") from None
        if digest != meta.get("sha256"):
            out.append(name)
    return out


def _digest(path: Any) -> tuple[int, str]:
    """(size, SHA-256) of the file `path`, read in blocks (what the marker records)."""
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def _refuse_precious(target: Path, what: str) -> None:
    """Never replace (even with force, even empty) a root, the home folder or a folder
    holding the current folder: the swap would leave the shell or the Jupyter kernel in a
    deleted folder."""
    cwd = Path.cwd().resolve()
    real = target.resolve()
    if real == Path(real.anchor) or real == Path.home().resolve():
        why = "it is a root or your home folder"
    elif real in (cwd, *cwd.parents):
        why = ("it is or holds the current folder, which the new output would replace (your "
               "shell or notebook would be left in a deleted folder)")
    else:
        return
    raise OutputError(f"refusing to replace the {what} {target}: {why}. Choose a new "
                      f"folder, e.g. {target / 'forecast-output'}.")


def _installation() -> list[tuple[Path, str]]:
    """The folders no output may be in, equal or hold: forecast's own package (its data
    files) and the Python installation running it."""
    places = [(Path(__file__).resolve().parent, "the installed forecast package")]
    for name in ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix"):
        value = getattr(sys, name, "")
        if value:
            places.append((Path(value).resolve(), f"the Python installation (sys.{name})"))
    return places


def _refuse_installed(target: Path, what: str) -> None:
    """Refuse an output folder inside, equal to, or holding the installed package or the
    Python installation, even with force and even new: ``--out .../forecast/data --force``
    replaced the embedded releases.csv and fx.csv.

    An installation that is a root or holds the home folder (``--prefix=$HOME``) only
    protects itself from being replaced: everything the user writes would be inside it.
    """
    real = target.resolve()
    home = Path.home().resolve()
    seen = set()
    for place, words in _installation():
        if place in seen:
            continue
        seen.add(place)
        if real == place:
            where = f"it is {words}"
        elif place in real.parents and place != Path(place.anchor) \
                and place not in (home, *home.parents):
            where = f"it is inside {words}, {place}"
        elif real in place.parents:
            where = f"it holds {words}, {place}"
        else:
            continue
        raise OutputError(
            f"refusing to write the {what} {target}: {where}, whose files an output must "
            "never replace or mix with. Choose a folder outside it, e.g. "
            "~/forecast-output.")


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


#: What :func:`forecast._fsio._temp_name` makes: ``.<name>.<tag>-<pid>-<6 hex>``.
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<tag>tmp|old)-(?P<pid>[0-9]{1,10})-[0-9a-f]{6}",
                       re.S)


def _leftovers(target: Path, tag: str) -> list[Path]:
    """The staging (``tmp``) or previous-set (``old``) folders a dead writer of `target`
    left beside it, oldest first.

    Only names :func:`~forecast._fsio._temp_name` makes for exactly this target (a name
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
            if pid == os.getpid() or _lock._alive(pid):
                continue
        except OverflowError:  # beyond any pid (os.kill refuses it): no writer's name
            continue
        found.append((entry.stat(follow_symlinks=False).st_mtime, Path(entry.path)))
    return [p for _, p in sorted(found)]


def _recover(target: Path) -> None:
    """Repair an interrupted swap and remove stale staging folders (the lock is held)."""
    olds = _leftovers(target, "old")
    if olds and not _lexists(target):
        os.rename(olds.pop(), target)  # killed between the two renames: keep the old set
    for stale in (*olds, *_leftovers(target, "tmp")):
        shutil.rmtree(stale, ignore_errors=True)


#: An entry's identity: type, inode, size, modification and change times. The change
#: time moves with every write, rename or chmod and cannot be set back by a user, so an
#: edit made after a check shows, even one that restores the size and modification time.
Entries = dict[str, tuple[int, int, int, int, int]]


def entries(path: object) -> Entries:
    """The identity of every entry of the folder `path` (empty when there is no folder).

    Taken when a job checks its output folder, it is what ``atomic_folder(...,
    since=...)`` compares the folder with before the swap: with `force`, a file added or
    changed after it was taken is not the caller's to replace.
    """
    out: Entries = {}
    try:
        scan = list(os.scandir(path))  # type: ignore[arg-type]
    except (FileNotFoundError, NotADirectoryError):
        return out
    for entry in scan:
        with contextlib.suppress(FileNotFoundError):  # deleted since the listing
            out[entry.name] = _identity(entry.stat(follow_symlinks=False))
    return out


def _identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return (stat.S_IFMT(st.st_mode), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _recheck(target: Path, force: bool, what: str, since: Entries, again: str) -> Entries:
    """Check `target` again just before the swap; return the entries the swap may delete.

    The first check ran before the output was computed and staged, seconds or minutes
    ago: a note saved into the folder since, or a table re-saved from Excel, would be
    deleted with the previous set. Without `force` the folder must still be as forecast
    wrote it; with `force`, as it was when the job began (`since`). The identities are
    taken before the files are hashed, so an edit made after this check is seen by
    :func:`_remove_previous`, which keeps it.
    """
    seen = entries(target)
    _check_replaceable(target, True, what)  # still a folder, not a link or a mount point
    if force:
        changed = [f"{n!r} (added)" for n in sorted(seen) if n not in since]
        changed += [f"{n!r} (changed)" for n in sorted(seen) if n in since
                    and seen[n] != since[n]]
        rule = (f"with {force_words(what)} forecast replaces what the folder held when the "
                "job began, not what was added or changed since")
    else:
        try:
            changed = _foreign(target, read_marker(target), sorted(seen), "{name!r} (added)",
                               "{name!r} (changed)")
        except OSError as exc:
            raise output_error(exc, target, "read the folder") from None
        rule = "forecast replaces only folders it wrote, as it wrote them"
    if changed:
        raise OutputError(
            f"the {what} {target} changed while forecast was writing the new output "
            f"({_count(changed)}: {_shown(changed)}); {rule}, so the new output was "
            f"discarded and {target} is as it was. Move {'it' if len(changed) == 1 else 'them'}"
            f" out of the folder (or choose another folder), then {again}.")
    return seen


def _swap(staging: Path, target: Path, seen: Entries) -> None:
    old = None
    with deferred_signals():
        if not _lexists(target):
            os.rename(staging, target)
        elif _exchange(staging, target):
            old = staging  # now holds the previous set
        else:
            old = target.with_name(_temp_name(target.name, "old"))
            os.rename(target, old)
            os.rename(staging, target)
        _fsync_dir(target.parent)
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
    :func:`_recheck` saw, each as it was then, never the folder with whatever it holds.

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
            if _identity(st) != seen.get(entry.name):
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
    shown = _shown([repr(n) for n in left]) or "entries"
    warnings.warn(
        f"the new output is in {target}; what the previous set held that forecast did not "
        f"delete is in {kept} ({shown}): files added or changed while forecast was "
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
    target = _abs(path, what)
    _check_replaceable(target, force, what, kind)
    return target


@contextlib.contextmanager
def hold(path: object, *, what: str = "output folder") -> Iterator[Path]:
    """Hold the lock of the output folder `path` for a whole job (its parents are made).

    A command that computes for minutes before writing takes the lock first, so that a
    second run into the same folder fails at once instead of both claiming success; it
    then writes with ``atomic_folder(..., locked=True)``.
    """
    target = _abs(path, what)
    _refuse_installed(target, what)  # before its parents are made
    made = _missing_folders(target.parent)
    _make_dirs(target.parent, what)
    try:
        with _lock.hold(target, what):
            yield target
    finally:
        if made and not _lexists(target):  # nothing written: leave the disk as it was
            for folder in made:
                try:
                    os.rmdir(folder)
                except OSError:  # not empty (or gone): something else lives there now
                    break


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its parents that do not exist yet, the deepest first."""
    out = []
    while not _lexists(folder) and folder.parent != folder:
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
        target = _abs(path, what)
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
    _check_replaceable(target, force, what, kind)
    if since is None:
        since = entries(target)
    try:
        staging = Path(os.fspath(target.with_name(_temp_name(target.name, "tmp"))))
        os.mkdir(staging, 0o700)
    except OSError as exc:
        raise output_error(exc, target, "create a folder beside") from None
    try:
        folder = OutputFolder(target, staging)
        yield folder
        folder._finish(kind)
        _swap(staging, target, _recheck(target, force, what, since, again))
    except OutputError as exc:  # from a writer given a path inside the staging folder
        raise _as_target(exc, staging, target) from None
    except OSError as exc:
        raise output_error(exc, target, note=_unchanged(target)) from None
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
    return OutputError(f"{text} {_unchanged(target)}")
