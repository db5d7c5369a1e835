"""How forecast tells its own files from others': the digests it records (private).

A single file the library writes (a workbook, a report, a scenario file, a CSV table)
records the SHA-256 of what was written, inside it or beside it (:class:`Seal`); it is
replaced only when it still has that digest, else only with ``force=True``
(:func:`check_own_file`, :func:`write_own`). The rule :func:`forecast._io.folders.
check_folder` applies to a folder, applied to one file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import OutputError
from .atomic import FileSet, atomic_files, write_bytes
from .paths import (
    NAME_OVERHEAD,
    abs_path,
    check_new_file,
    check_parent,
    file_head,
    force_words,
    lexists,
)

__all__ = ["ArchiveSeal", "Found", "LineSeal", "Seal", "SidecarSeal", "check_own_file",
           "csv_header", "write_own"]

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
        target may have (:func:`forecast._io.paths.abs_path` checks it) has a record.
        """
        name = f".{target.name}{cls.SUFFIX}"
        room = 255 - NAME_OVERHEAD  # the common limit of a name, as paths._check_name_length
        if len(os.fsencode(name)) <= room:
            return target.with_name(name)
        tag = "~" + _sha(os.fsencode(target.name))[:8]
        keep = room - len(os.fsencode(f".{tag}{cls.SUFFIX}"))
        head = os.fsencode(target.name)[:keep].decode("utf-8", "ignore")
        return target.with_name(f".{head}{tag}{cls.SUFFIX}")

    def names(self, target: Path, what: str, force: bool) -> None:
        rec = self.record_path(target)
        abs_path(rec, f"{what}'s record")  # its name must fit the file system too
        if rec.is_symlink() or rec.is_dir():
            raise OutputError(
                f"the record {rec} of the {what} {target} is a symbolic link or a folder; "
                "forecast writes there the SHA-256 of the file it writes, never through a "
                "link. Remove it or choose another path.")
        if lexists(rec) and not force and not self._is_record(rec):
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
        check_parent(target, what, make_parents=False)  # named as asked, not the record
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
    if not lexists(target):
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

    The rule :func:`forecast._io.folders.check_folder` applies to a folder, applied to one
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

