"""Safe output: atomic files and folders, ownership markers, OS errors (private, core).

Every file and folder the library writes goes through this module, which keeps four
promises (``docs/reliability.md`` lists the tests of each):

- **Complete or absent.** A file is written to a temporary name beside its target,
  flushed to disk (``fsync``) and renamed over the target, so a reader sees the previous
  file or the new one, never a truncated one. A folder (an output *set*: the tables,
  charts and report of one run, or a saved projection) is staged in a temporary folder
  beside the target and swapped in whole: with Linux's ``renameat2(RENAME_EXCHANGE)``
  in one step, elsewhere with two renames (an interruption between them is repaired by
  the next write; :mod:`forecast._outdir`). Files that belong together (a command's
  table and chart) are each staged in full before any is renamed (:func:`atomic_files`).
  Ctrl-C during a swap or those renames is held back until they are done.
- **Never through a link, never over someone else's files.** Targets that are symbolic
  links are refused; new files are created with ``O_EXCL | O_NOFOLLOW``. A folder holds a
  marker (``.forecast-output.json``) listing the files the library wrote; a non-empty folder without
  it, or with files the marker does not list, is replaced only with ``force=True``. A
  single file (a workbook, a report, a scenario file, a CSV table) records the SHA-256
  of what was written, inside it or beside it (:class:`Seal`): it is replaced only as
  forecast wrote it, else with ``force=True`` (:func:`check_own_file`).
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
import json
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from . import _lock
from ._oserror import output_error
from .errors import OutputError

__all__ = ["ArchiveSeal", "FileSet", "Found", "LineSeal", "Seal", "SidecarSeal",
           "atomic_file", "atomic_files", "check_new_file", "check_own_file", "deferred_signals",
           "file_head", "force_words", "neutralise", "output_error", "unneutralise", "write_bytes",
           "write_own", "write_text"]

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
    if p.name in ("", ".", ".."):  # the path as typed ('/'), not a repr (PosixPath('/'))
        example = "report.html" if what == "report" else "forecast-output"
        raise OutputError(f"the {what} must name a file or folder; got "
                          f"{os.fspath(path)!r}, which has no name of its own. Pass a "
                          f"name, e.g. {example!r}.")
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


def _check_folders_above(target: Path, what: str) -> None:
    """Refuse a target below a file: ``victim/r.csv`` where ``victim`` is a file.

    The OS says ENOTDIR or EEXIST, or "its folder does not exist", none of which names
    the file in the way; and the check runs before any work, so a command fails before
    it prints or computes anything.
    """
    for folder in target.parents:
        if not _lexists(folder):
            continue  # made by a writer that creates the folders it needs
        if folder.is_dir():  # a link to a folder is followed: the folders above are yours
            return
        kind = "a file" if folder.is_file() else "not a folder"
        raise OutputError(f"cannot write the {what} {target}: {folder} is {kind}, where a "
                          "folder is needed. Fix the path, or move that file away.")


def check_new_file(path: object, *, force: bool, what: str = "file") -> Path:
    """Refuse a target that is a link or a folder, that lies below a file, or that exists
    when `force` is False."""
    target = _abs(path, what)
    _check_folders_above(target, what)
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
    device, whose read could block) or cannot be read: how a writer looks for its mark."""
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return None


# ----------------------------------------------------------------------------- own files
#: the largest existing file a writer reads to tell whether it is its own, unchanged
_MAX_OWN_BYTES = 64 << 20
_HEX = re.compile(r"[0-9a-f]{64}")


class Found(NamedTuple):
    """What a :class:`Seal` finds in an existing file forecast wrote (it carries the mark).

    `recorded` holds the SHA-256 digests recorded when forecast wrote it (empty: none, as
    in a file an older version wrote); `actual` is the digest of the file as it is now,
    computed as the writer computed the recorded one (None when it cannot be read).
    """

    recorded: tuple[str, ...]
    actual: str | None

    @property
    def unchanged(self) -> bool:
        """Whether the file is as forecast wrote it: its digest is one recorded."""
        return self.actual is not None and self.actual in self.recorded


class Seal:
    """How a single-file writer recognises its files and records what it wrote.

    A file is replaced without ``force`` only when it is as forecast wrote it: the writer
    records the SHA-256 of what it writes (inside the file where the format has room for
    it, else beside it) and :func:`check_own_file` compares it with the file's content.
    Subclasses say where the digest goes (:meth:`seal`, :meth:`write`) and how to find
    it again (:meth:`find`).

    Attributes
    ----------
    mark : str
        What makes a file forecast's, in words for a message (e.g. "the header line
        ...").
    record : str
        Where the digest is kept, in words for a message.
    """

    mark = "forecast's mark"
    record = "a SHA-256 digest"

    def seal(self, data: bytes) -> bytes:
        """`data` with the digest of its content recorded in it (as written to the file)."""
        return data

    def find(self, path: Path) -> Found | None:
        """What the existing plain file `path` records, or None when it lacks the mark
        (forecast did not write it). Anything unreadable is not forecast's."""
        raise NotImplementedError

    def write(self, target: Path, data: bytes, what: str, previous: str | None) -> Path:
        """Write `data` (sealed) to `target` atomically. `previous` is the digest of the
        file being replaced when it was forecast's, unchanged (else None)."""
        return write_bytes(target, self.seal(data), what=what)

    def names(self, target: Path, what: str, force: bool) -> None:
        """Refuse, before any work, a `target` whose record could not be written (or only
        over a file that is not forecast's, without `force`)."""

    def where(self, target: Path) -> str:
        """Where the digest of `target` is kept, in words for a message."""
        return self.record


def _read_plain(path: Path, limit: int = _MAX_OWN_BYTES) -> bytes | None:
    """The bytes of the plain file `path` (not a link, a FIFO or a device, whose read could
    block), or None when it is none, is larger than `limit` or cannot be read."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError:
        return None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LineSeal(Seal):
    """The digest on a line of its own right after the mark line (text formats: a scenario
    file's header comment, a report's ``<meta name="generator">``).

    The line holds the SHA-256 of the file without that line, so the digest covers every
    other byte, the mark line included. A file whose mark line is not followed by a
    digest line (an older version wrote it) has no record.

    Parameters
    ----------
    mark_line : str
        The line that marks forecast's files (without its line end).
    before, after : str
        The digest line is ``before + <64 hex digits> + after``.
    within : int
        The mark line must start in the first `within` bytes (0: the first line).
    mark, record : str
        As :class:`Seal`'s.
    """

    def __init__(self, mark_line: str, before: str, after: str, *, within: int, mark: str,
                 record: str) -> None:
        self.mark_line = mark_line.encode("utf-8")
        self._mark_re = re.compile(re.escape(self.mark_line) + rb"\r?\n")
        self._line_re = re.compile(re.escape(before.encode("utf-8")) + rb"([0-9a-f]{64})"
                                   + re.escape(after.encode("utf-8")) + rb"\r?\n")
        self.before, self.after = before.encode("utf-8"), after.encode("utf-8")
        self.within, self.mark, self.record = within, mark, record
        #: bytes the digest line adds to a file
        self.overhead = len(self.before) + 64 + len(self.after) + 1

    def _mark_end(self, data: bytes) -> int | None:
        m = self._mark_re.search(data, 0, self.within + len(self.mark_line) + 2)
        return m.end() if m and m.start() <= self.within else None

    def seal(self, data: bytes) -> bytes:
        end = self._mark_end(data)
        if end is None:  # pragma: no cover - every writer writes its mark line
            raise RuntimeError("forecast bug: the data lacks its mark line")
        line = self.before + _sha(data).encode() + self.after + b"\n"
        return data[:end] + line + data[end:]

    def find(self, path: Path) -> Found | None:
        data = _read_plain(path)
        end = None if data is None else self._mark_end(data)
        if data is None or end is None:
            return None
        m = self._line_re.match(data, end)
        if m is None:
            return Found((), None)
        return Found((m.group(1).decode(),), _sha(data[:m.start()] + data[m.end():]))


class ArchiveSeal(Seal):
    """The digest in the comment of a ZIP archive (an ``.xlsx`` workbook).

    The comment ``forecast-sha256=<hex>`` holds the SHA-256 of every part of the archive
    (its name, size and uncompressed bytes, in archive order) but ``docProps/core.xml``,
    which holds the time the workbook was written. Any program that saves the workbook
    again (Excel, LibreOffice) writes a new archive without the comment: the file then
    counts as changed, as a table opened and saved in Excel does in an output folder.

    Parameters
    ----------
    marked : callable
        ``marked(path)``: whether a workbook without the comment carries forecast's mark
        (written by an older version, or saved again since).
    mark : str
        As :class:`Seal`'s.
    """

    PREFIX = b"forecast-sha256="
    #: the part that records when the workbook was written: left out of the digest
    SKIP = "docProps/core.xml"
    #: the most a digest decompresses (a workbook forecast writes is far smaller)
    MAX_PARTS = 1 << 30

    record = "the workbook's ZIP comment"

    def __init__(self, marked: Callable[[Path], bool], mark: str) -> None:
        self.marked, self.mark = marked, mark

    @classmethod
    def _digest(cls, zf: Any) -> str | None:
        sha, total = hashlib.sha256(), 0
        for info in zf.infolist():
            if info.filename == cls.SKIP:
                continue
            sha.update(f"{info.filename}\0{info.file_size}\0".encode())
            total += info.file_size
            if total > cls.MAX_PARTS:
                return None
            with zf.open(info) as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    sha.update(block)
        return sha.hexdigest()

    def seal(self, data: bytes) -> bytes:
        import zipfile

        buf = io.BytesIO(data)
        with zipfile.ZipFile(buf) as zf:
            digest = self._digest(zf)
        with zipfile.ZipFile(buf, "a") as zf:
            zf.comment = self.PREFIX + str(digest).encode()
        return buf.getvalue()

    def find(self, path: Path) -> Found | None:
        import zipfile

        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_OWN_BYTES \
                    or not zipfile.is_zipfile(path):
                return None
            with zipfile.ZipFile(path) as zf:
                comment = zf.comment
                if not comment.startswith(self.PREFIX):
                    return Found((), None) if self.marked(path) else None
                recorded = comment[len(self.PREFIX):].decode("ascii", "replace")
                try:
                    actual = self._digest(zf)
                except Exception:  # a damaged part: changed, whatever the error
                    actual = None
        except Exception:  # a file zipfile cannot read (any error) is not ours
            return None
        return Found((recorded,) if _HEX.fullmatch(recorded) else (), actual)


class SidecarSeal(Seal):
    """The digest in a file beside the target, for a format with no room for it (CSV).

    A CSV file read by pandas or a spreadsheet has no place for a comment: a first line
    ``# ...`` would become its header. So the digest goes to ``.<name>.forecast.json``
    beside it (JSON: format, file name and SHA-256). A file is forecast's unchanged when
    that record lists its SHA-256; one whose first line is the table's header (`headers`)
    but without a record (written by an older version, copied, or a table of the same
    kind from elsewhere) has no record, and any other file lacks the mark. A file under
    the record's name that is not such a record (a user's) is replaced only with
    ``force``, as the CSV would be; the file and its record are staged before either is
    renamed (:func:`atomic_files`), so a failed write leaves both as they were.

    Parameters
    ----------
    headers : tuple of str
        The header lines the writer writes; the first is named in messages.
    """

    FORMAT = "forecast.file"
    #: what the record adds to the name of the file it describes
    SUFFIX = ".forecast.json"

    def __init__(self, headers: tuple[str, ...]) -> None:
        self.headers = headers
        self.mark = f"the header line {headers[0]}"

    def where(self, target: Path) -> str:
        return f"{self.record_path(target).name} beside it"

    @classmethod
    def record_path(cls, target: Path) -> Path:
        """The record of the file `target`: ``.<name>.forecast.json`` beside it.

        A name too long for that (and the temporary file the record is written through)
        is cut, with 8 hex digits of its SHA-256 after a ``~``, so that every name the
        target may have (:func:`_check_name_length`) has a record.
        """
        name = f".{target.name}{cls.SUFFIX}"
        room = 255 - _NAME_OVERHEAD  # the common limit of a name, as _check_name_length
        if len(os.fsencode(name)) <= room:
            return target.with_name(name)
        tag = "~" + _sha(os.fsencode(target.name))[:8]
        keep = room - len(os.fsencode(f".{tag}{cls.SUFFIX}"))
        head = os.fsencode(target.name)[:keep].decode("utf-8", "ignore")
        return target.with_name(f".{head}{tag}{cls.SUFFIX}")

    def names(self, target: Path, what: str, force: bool) -> None:
        rec = self.record_path(target)
        _abs(rec, f"{what}'s record")  # its name must fit the file system too
        if rec.is_symlink() or rec.is_dir():
            raise OutputError(
                f"the record {rec} of the {what} {target} is a symbolic link or a folder; "
                "forecast writes there the SHA-256 of the file it writes, never through a "
                "link. Remove it or choose another path.")
        if _lexists(rec) and not force and not self._is_record(rec):
            raise OutputError(
                f"the {what} {target} would replace {rec.name} beside it, which forecast "
                f"did not write (forecast keeps there the SHA-256 of the CSV it writes); "
                "forecast replaces only files it wrote. Move that file away, choose another "
                f"path, or pass {force_words(what)} to replace it.")

    @classmethod
    def _record(cls, rec: Path) -> dict | None:
        """The record at `rec` as forecast writes it (a JSON object of its format), or
        None for anything else: a user's file under that name is not forecast's."""
        data = _read_plain(rec, 64 * 1024)
        try:
            found = json.loads(data.decode("utf-8")) if data is not None else None
        except (UnicodeDecodeError, ValueError):
            return None
        return found if isinstance(found, dict) and found.get("format") == cls.FORMAT \
            else None

    @classmethod
    def _is_record(cls, rec: Path) -> bool:
        return cls._record(rec) is not None

    def _recorded(self, target: Path) -> tuple[str, ...]:
        rec = self._record(self.record_path(target))
        if rec is None or rec.get("file") != target.name \
                or not isinstance(rec.get("sha256"), list):
            return ()
        return tuple(d for d in rec["sha256"] if isinstance(d, str) and _HEX.fullmatch(d))

    def find(self, path: Path) -> Found | None:
        recorded = self._recorded(path)
        if recorded:
            data = _read_plain(path)
            return Found(recorded, None if data is None else _sha(data))
        return Found((), None) if csv_header(path) in self.headers else None

    def _stage_record(self, files: FileSet, target: Path, digests: list[str],
                      what: str) -> None:
        rec = self.record_path(target)
        body = {"format": self.FORMAT, "version": 1, "file": target.name, "sha256": digests}
        # a failure names the file asked for: the record is forecast's business
        files.write_bytes(rec, (json.dumps(body, indent=1) + "\n").encode("utf-8"),
                          what=f"{what}'s record",
                          for_file=(target, f"its record {rec.name} beside it"))

    def write(self, target: Path, data: bytes, what: str, previous: str | None) -> Path:
        # Every file is staged before any is renamed, so a full disk leaves the file and
        # its record as they were (never a record of a file that was not written). They
        # are renamed in the order staged: when forecast's file is replaced, first a
        # record of both its digest and the new one, then the file, then the record of
        # the new file alone, so that an interruption between two renames leaves a file
        # its record lists.
        new = _sha(data)
        _check_folder(target, what, make_parents=False)  # named as asked, not the record
        with atomic_files() as files:
            replacing = previous is not None and previous != new
            self._stage_record(files, target, [previous, new] if replacing else [new], what)
            files.write_bytes(target, data, what=what)
            if replacing:
                self._stage_record(files, target, [new], what)
        return target


def _refusal(target: Path, what: str, seal: Seal, found: Found | None) -> str:
    fix = force_words(what)
    if found is None:
        return (f"the {what} {target} exists and was not written by forecast (it lacks "
                f"{seal.mark}); forecast replaces only files it wrote, as it wrote them. "
                f"Choose another path, or pass {fix} to replace the file.")
    if not found.recorded:
        return (f"the {what} {target} carries {seal.mark} but no record of what forecast "
                f"wrote (a SHA-256 in {seal.where(target)}): an older version of forecast "
                "wrote it, or it was copied or saved again since, so forecast cannot tell "
                f"whether it changed. Choose another path, or pass {fix} to replace the file.")
    return (f"the {what} {target} changed since forecast wrote it (its SHA-256 is not the "
            f"one recorded in {seal.where(target)}); forecast replaces only files it wrote, as it "
            f"wrote them, so your changes are kept. Choose another path, or pass {fix} to "
            "replace the file and lose the changes.")


def _own_state(target: Path, force: bool, what: str, seal: Seal) -> str | None:
    """The digest of the file at `target` when forecast wrote it and it is unchanged; None
    when there is no such file or `force`; else an OutputError."""
    if not _lexists(target):
        return None
    found = seal.find(target)
    if found is not None and found.unchanged:
        return found.actual
    if force:
        return None
    raise OutputError(_refusal(target, what, seal, found))


def check_own_file(path: object, *, force: bool, what: str, seal: Seal) -> Path:
    """Refuse a target that is a link or a folder, or an existing file that forecast did
    not write or that changed since it wrote it, unless `force`.

    The rule :func:`forecast._outdir.check_folder` applies to a folder, applied to one
    file: a single-file writer replaces a file only when `seal` finds forecast's digest of
    it recorded (:class:`Seal`) and the file's content still has that digest. The message
    names the file, what is wrong (not forecast's; forecast's but changed since; forecast's
    without a record) and the fix (`force`, or another path). Call it before any work;
    :func:`write_own` checks again when it writes.
    """
    return _checked_own(path, force, what, seal)[0]


def _checked_own(path: object, force: bool, what: str, seal: Seal) -> tuple[Path, str | None]:
    """The target of a single-file write, checked (:func:`check_own_file`), and the digest
    of the file it replaces when that is forecast's, unchanged (else None)."""
    target = check_new_file(path, force=True, what=what)
    seal.names(target, what, force)
    return target, _own_state(target, force, what, seal)


def write_own(path: object, data: bytes, *, force: bool, what: str, seal: Seal) -> Path:
    """Write `data` to `path` atomically with `seal`'s record of its digest; return the path.

    Checks the target again (:func:`check_own_file`: a file edited while the writer
    worked is not lost), then writes through :meth:`Seal.write`.
    """
    target, previous = _checked_own(path, force, what, seal)
    seal.write(target, data, what, previous)
    return Path(os.path.expanduser(os.fspath(path)))


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


def _check_folder(target: Path, what: str, make_parents: bool) -> None:
    """Make the folder of `target` (`make_parents`), or refuse a missing one."""
    if make_parents:
        _make_dirs(target.parent, what)
    elif not target.parent.is_dir():
        raise OutputError(f"cannot write the {what} {target}: its folder {target.parent} "
                          "does not exist. Create it first or fix the path.")


#: What :func:`_temp_name` makes of a file's temporary name: ``.<name>.tmp-<pid>-<6 hex>``
#: (the rule :func:`forecast._outdir._leftovers` applies to folders)
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
            live = int(m["pid"]) == os.getpid() or _lock._alive(int(m["pid"]))
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
        return _unchanged(targets[0])
    kept = [str(t) for t in targets if _lexists(t)]
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
        _check_folder(target, what, make_parents)
        _tidy_temps(target)
        named = asked if for_file is None else f"{asked} ({for_file[1]})"
        tmp = target.with_name(_temp_name(target.name, "tmp"))
        try:
            fd = os.open(tmp, _NEW, 0o666)
            try:
                with _writer(fd, text) as (fh, _):
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
            _fsync_dir(folder)

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
