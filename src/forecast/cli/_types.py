"""Argument types of the command line (standard library only, like the parser).

Numbers are plain ASCII digits, as in data files: ``--seed 1,2`` is not 12, and
``1_000``, ``１２`` or ``١٢`` are refused rather than read differently from every other
field (``docs/reliability.md``). Dates must be real calendar dates.
"""

from __future__ import annotations

import argparse
import datetime

__all__ = ["int_arg", "path_arg", "seconds", "year_month"]


def int_arg(lo: int, hi: int | None = None, what: str = "a whole number"):
    """An argparse type: a whole number in [lo, hi], in ASCII digits."""
    def parse(text: str) -> int:
        # ASCII digits only, as in data files: "1,2" is not 12, and "1_000", "１２" or
        # "١٢" are refused rather than read differently from every other field
        if not (text.isascii() and text.isdigit()):
            raise argparse.ArgumentTypeError(
                f"must be {what} written with the digits 0-9 only (no sign, separators or "
                f"spaces); got {text!r}")
        value = int(text)
        if value < lo or (hi is not None and value > hi):
            bound = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
            raise argparse.ArgumentTypeError(f"must be {what} {bound}; got {value}")
        return value

    parse.__name__ = "int"
    return parse


def path_arg(option: str, example: str):
    """An argparse type: a path given to `option`, refused when empty.

    An empty path would otherwise mean the current folder (``Path("")`` is ``.``) or, for
    an optional input, no input at all: ``--out ""`` or ``run ""`` are mistakes (an unset
    shell variable), never a request.
    """
    def parse(text: str) -> str:
        if not text:
            raise argparse.ArgumentTypeError(
                f"the {option} path is empty; pass a name such as {example} (an unset "
                "shell variable?)")
        return text

    parse.__name__ = "path"
    return parse


def seconds(text: str) -> float:
    """An argparse type: a number of seconds in (0, 3600]."""
    try:
        value = float(text) if text.isascii() else float("nan")
    except ValueError:
        value = float("nan")
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be a number of seconds in (0, 3600]; got "
                                         f"{text!r}")
    return value


def year_month(text: str) -> str:
    """An argparse type: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', a real date."""
    parts = text.split("-")
    ok = 1 <= len(parts) <= 3 and all(p.isascii() and p.isdigit() for p in parts) and len(
        parts[0]) == 4
    try:
        ok = ok and bool(datetime.date(*(int(p) for p in parts), *(1,) * (3 - len(parts))))
    except ValueError:  # month 13, day 31 of June
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"must be a real date like 2023-06; got {text!r}")
    return text
