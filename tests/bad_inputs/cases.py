"""The catalogue of bad inputs: one :class:`Case` per input, registered with :func:`case`.

Each case calls the public API (or ``forecast.cli.main``) with one bad input and names
the error class it must raise and the fragments its message must contain: the field
and the value received (and, where useful, the fix). ``test_bad_inputs.py`` runs every
case and checks, in addition, that nothing on disk changed: the workspace's tree (names,
types, sizes, modification times and SHA-256 of every file, link targets) is the same
before and after the call.

A case may prepare files first (``setup``): that happens before the snapshot, so only
the call itself is checked for side effects.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CASES: list[Case] = []


@dataclass(frozen=True)
class Case:
    """One bad input: the call, the error it must raise and what the message must name."""

    id: str
    area: str
    call: Callable[..., Any] | None  # call(w, prepared, monkeypatch); None for CLI cases
    error: type[BaseException] | None
    needles: tuple[str, ...]
    setup: Callable[..., Any] | None = None
    argv: tuple[str, ...] = ()  # CLI cases: arguments of forecast.cli.main ({root} expanded)
    code: int = 2
    tags: frozenset[str] = field(default_factory=frozenset)


#: Tag of a case whose call gets as far as staging its output (a temporary file or
#: folder, a lock file) before it fails: the temporary entries are gone afterwards, but
#: creating and removing them updates the modification time of the folder around them,
#: so for these cases folders are compared by their entries, files still in full.
STAGED = "staged"


def case(area: str, id: str, error: type[BaseException] | None, *needles: str,
         setup: Callable[..., Any] | None = None,
         tags: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Register the decorated ``call(w, prepared, monkeypatch)`` as a bad-input case."""
    def add(fn: Callable) -> Callable:
        CASES.append(Case(f"{area}-{id}", area, fn, error, needles, setup,
                          tags=frozenset(tags)))
        return fn

    return add


def cli_case(id: str, *argv: str, needles: tuple[str, ...], code: int = 2,
             setup: Callable[..., Any] | None = None, tags: tuple[str, ...] = ()) -> None:
    """Register ``forecast <argv>`` as a bad-input case (exit `code`, one line on stderr)."""
    CASES.append(Case(f"cli-{id}", "cli", None, None, needles, setup, tuple(argv), code,
                      frozenset(tags)))


def snapshot(root: pathlib.Path, folder_times: bool = True) -> dict[str, tuple]:
    """Every entry below `root`: type, size, mtime (ns), SHA-256 or link target."""
    out: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            p = pathlib.Path(folder) / name
            rel = str(p.relative_to(root))
            st = p.lstat()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", st.st_mtime_ns if folder_times else None)
            else:
                out[rel] = ("file", st.st_size, st.st_mtime_ns,
                            hashlib.sha256(p.read_bytes()).hexdigest())
    return out
