"""Output targets checked before any work, and the names written beside them (private).

A target is refused, with the path and the fix, when it is a symbolic link or a folder,
lies below a file, has a name too long for the temporary file written beside it, or
exists and may not be replaced. The folder of a target is made here when asked.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..errors import OutputError
from .oserror import output_error

__all__ = ["NAME_OVERHEAD", "abs_path", "check_new_file", "check_parent", "file_head",
           "force_words", "lexists", "make_dirs", "temp_name", "unchanged_note"]


def unchanged_note(target: Path) -> str:
    return f"{target} is unchanged." if lexists(target) else "Nothing was written."



def temp_name(name: str, tag: str) -> str:
    return f".{name}.{tag}-{os.getpid()}-{secrets.token_hex(3)}"


def abs_path(path: object, what: str) -> Path:
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
NAME_OVERHEAD = len(".") + len(".tmp-") + 7 + len("-") + 6


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
    if size + NAME_OVERHEAD > limit:
        raise OutputError(
            f"the {what} name {p.name[:40]!r}... is {size} bytes long; forecast writes it "
            f"through a temporary file named after it (.<name>.tmp-...), so on this file "
            f"system ({limit} bytes a name) it may have at most {limit - NAME_OVERHEAD} "
            "bytes. Choose a shorter name.")


def lexists(p: Path) -> bool:
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
        if not lexists(folder):
            continue  # made by a writer that creates the folders it needs
        if folder.is_dir():  # a link to a folder is followed: the folders above are yours
            return
        kind = "a file" if folder.is_file() else "not a folder"
        raise OutputError(f"cannot write the {what} {target}: {folder} is {kind}, where a "
                          "folder is needed. Fix the path, or move that file away.")


def check_new_file(path: object, *, force: bool, what: str = "file") -> Path:
    """Refuse a target that is a link or a folder, that lies below a file, or that exists
    when `force` is False."""
    target = abs_path(path, what)
    _check_folders_above(target, what)
    if target.is_symlink():
        raise OutputError(f"the {what} {target} is a symbolic link; forecast never writes "
                          "through links. Remove the link or choose another path.")
    if target.is_dir():
        raise OutputError(f"the {what} {target} is a folder; pass a file name inside it.")
    if lexists(target) and not force:
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




def make_dirs(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot create the folder of the {what}: {folder} (or a folder "
                          "above it) is a file. Fix the path.") from None
    except OSError as exc:
        raise output_error(exc, folder, "create the folder") from None


def check_parent(target: Path, what: str, make_parents: bool) -> None:
    """Make the folder of `target` (`make_parents`), or refuse a missing one."""
    if make_parents:
        make_dirs(target.parent, what)
    elif not target.parent.is_dir():
        raise OutputError(f"cannot write the {what} {target}: its folder {target.parent} "
                          "does not exist. Create it first or fix the path.")

