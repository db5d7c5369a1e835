"""Warnings and log records as one plain line each on stderr (standard library only).

The library is silent by default (``logging.getLogger("forecast")`` has only a
NullHandler); while a command runs, the command line shows the library's warnings and
log records of level WARNING and above as ``forecast <command>: warning: <message>``,
never as a raw ``UserWarning`` with a source path and line.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator

from ._exit import one_line

__all__ = ["one_line_warnings"]


@contextlib.contextmanager
def one_line_warnings(command: str) -> Iterator[None]:
    """Route warnings and the ``forecast`` logger to one-line messages for `command`."""
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        kind = "warning" if issubclass(category, UserWarning) else category.__name__
        text = f"forecast {command}: {kind}: {one_line(message)}"
        if text not in shown:  # e.g. one missing glyph, met in every chart: say it once
            shown.add(text)
            print(text, file=sys.stderr)

    class _Line(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            level = record.levelname.lower()
            return f"forecast {command}: {level}: {one_line(record.getMessage())}"

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_Line())
    logger = logging.getLogger("forecast")
    old_show = warnings.showwarning
    warnings.showwarning = show
    logger.addHandler(handler)
    try:
        yield
    finally:
        warnings.showwarning = old_show
        logger.removeHandler(handler)
