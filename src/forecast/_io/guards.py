"""What an output folder may replace: its marker, foreign and changed entries (private).

A folder forecast wrote holds a marker (:data:`MARKER`: format, kind, version, and the
size and SHA-256 of every file). It is replaced only when every entry is one the marker
lists, unchanged, and the output is of the same kind; with ``force`` also a folder
forecast did not write, but never a folder that matters more than any output (the home
folder, a root, a mount point) nor one inside, equal to or holding the installed
package or the Python installation. Just before the swap the folder is checked again
(:func:`recheck`), against what it held when the job began.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from ..errors import OutputError
from .oserror import output_error
from .paths import force_words, lexists

__all__ = ["MARKER", "MARKER_FORMAT", "Entries", "check_replaceable", "entries", "file_digest",
           "identity", "read_marker", "recheck", "refuse_installed", "shown"]

#: Name of the marker file in every folder the library writes (JSON: format, kind,
#: version and the size and SHA-256 of every file).
MARKER = ".forecast-output.json"
MARKER_FORMAT = "forecast.output"



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


def check_replaceable(target: Path, force: bool, what: str, kind: str | None = None) -> None:
    refuse_installed(target, what)
    if not lexists(target):
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
        f"the {what} {target} {why} ({_count(foreign)}: {shown(foreign)}); forecast "
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


def shown(entries: list[str]) -> str:
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
            digest = file_digest(path)[1]
        except OSError as exc:
            raise output_error(exc, path, "read") from None
        if digest != meta.get("sha256"):
            out.append(name)
    return out


def file_digest(path: Any) -> tuple[int, str]:
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
    places = [(Path(__file__).resolve().parents[1], "the installed forecast package")]
    for name in ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix"):
        value = getattr(sys, name, "")
        if value:
            places.append((Path(value).resolve(), f"the Python installation (sys.{name})"))
    return places


def refuse_installed(target: Path, what: str) -> None:
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
            out[entry.name] = identity(entry.stat(follow_symlinks=False))
    return out


def identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return (stat.S_IFMT(st.st_mode), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def recheck(target: Path, force: bool, what: str, since: Entries, again: str) -> Entries:
    """Check `target` again just before the swap; return the entries the swap may delete.

    The first check ran before the output was computed and staged, seconds or minutes
    ago: a note saved into the folder since, or a table re-saved from Excel, would be
    deleted with the previous set. Without `force` the folder must still be as forecast
    wrote it; with `force`, as it was when the job began (`since`). The identities are
    taken before the files are hashed, so an edit made after this check is seen by
    :func:`forecast._io.folders._remove_previous`, which keeps it.
    """
    seen = entries(target)
    check_replaceable(target, True, what)  # still a folder, not a link or a mount point
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
            f"({_count(changed)}: {shown(changed)}); {rule}, so the new output was "
            f"discarded and {target} is as it was. Move {'it' if len(changed) == 1 else 'them'}"
            f" out of the folder (or choose another folder), then {again}.")
    return seen


