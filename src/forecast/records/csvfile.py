"""Reading users' CSV files safely (private; shared by releases.py and fx.py).

Every failure (missing file, not UTF-8, not CSV, empty, wrong header) becomes a
:class:`~forecast.errors.DataError` naming the path and the fix.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from importlib import resources

import numpy as np
import pandas as pd

from ..errors import DataError, ForecastTypeError

MAX_BYTES = 50_000_000  # a releases file is ~100 kB; refuse anything absurd early


def embedded_text(name: str) -> str:
    """Text of a data file packaged in ``forecast/data``."""
    return resources.files("forecast").joinpath("data", name).read_text(encoding="utf-8")


def read_user_text(path: object, what: str) -> tuple[str, str]:
    """Return (text, file name) of a user's UTF-8 file, or raise a DataError with the fix."""
    if not isinstance(path, str | os.PathLike):
        raise ForecastTypeError(
            f"`path` must be a str or os.PathLike naming a {what} CSV file; got {path!r} "
            f"({type(path).__name__}). Pass e.g. 'my_{what}.csv'."
        )
    p = os.fspath(path)
    if not os.path.exists(p):
        raise DataError(f"{what} file {p!r} does not exist. Check the path (relative paths "
                        f"start at {os.getcwd()!r}).")
    if os.path.isdir(p):
        raise DataError(f"{what} path {p!r} is a directory; pass the CSV file inside it.")
    size = os.path.getsize(p)
    if size > MAX_BYTES:
        raise DataError(f"{what} file {p!r} has {size} bytes, more than the {MAX_BYTES} a "
                        "records file can reasonably hold; check that it is the right file.")
    with open(p, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{what} file {p!r} is not UTF-8 text: byte {exc.start} (line {line}) cannot be "
            "decoded. Save it as UTF-8 (in Excel: 'CSV UTF-8'; or "
            "`df.to_csv(path, encoding='utf-8')`)."
        ) from None
    if text.strip() == "":
        raise DataError(f"{what} file {p!r} is empty; it must start with the header line and "
                        "hold at least one data row.")
    return text, os.path.basename(p)


def _check_shape(text: str, where: str, columns: Sequence[str]) -> None:
    """Every row has the header's number of fields, and no column name repeats.

    Checked with the csv module first because pandas guesses instead: a row with one
    field too many silently shifts every field into the wrong column (the first becomes
    the index), and a repeated name is renamed ``note.1``.
    """
    try:
        lines = csv.reader(io.StringIO(text))
        header = next(lines, None)
        if header is None:
            return  # empty: reported by the caller
        names = [h.strip() for h in header]
        dup = sorted({h for h in names if names.count(h) > 1})
        if dup:
            raise DataError(f"{where} has repeated column(s) "
                            + ", ".join(f"'{c}'" for c in dup) + f". The header must be "
                            f"{','.join(columns)}, each name once; delete the repeats.")
        for number, row in enumerate(lines, 2):
            if row and any(f.strip() for f in row) and len(row) != len(header):
                raise DataError(
                    f"{where} is not a valid CSV file: line {number} has {len(row)} fields, "
                    f"the header {len(header)}. Quote fields that contain commas (\"a, b\") "
                    "and give every row the same number of fields as the header.")
    except csv.Error as exc:
        raise DataError(f"{where} is not a valid CSV file: {exc}. Check the quotes.") from None


def parse_csv(text: str, where: str, columns: Sequence[str],
              required: Sequence[str]) -> tuple[pd.DataFrame, list[int]]:
    """Parse CSV text into a frame of stripped strings and the 1-based row number of each row.

    Raises a DataError naming missing and unknown columns. Blank lines hold no data and are
    skipped, but rows keep the numbering of the file (row n is line n + 1).
    """
    _check_shape(text, where, columns)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                          skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, index_col=False)
    except pd.errors.ParserError as exc:
        raise DataError(
            f"{where} is not a valid CSV file: {str(exc).strip()}. Quote fields that contain "
            "commas (\"a, b\") and give every row the same number of fields as the header."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{where} is empty; it must start with the header line "
                        f"{','.join(columns)}") from None
    header = [str(c).strip() for c in raw.columns]
    raw.columns = header
    unknown = [c for c in header if c not in columns]
    missing = [c for c in required if c not in header]
    dup = sorted({c for c in header if header.count(c) > 1})
    if unknown or missing or dup:
        parts = []
        if missing:
            parts.append("missing required column(s) " + ", ".join(f"'{c}'" for c in missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(f"'{c}'" for c in unknown))
        if dup:
            parts.append("repeated column(s) " + ", ".join(f"'{c}'" for c in dup))
        raise DataError(f"{where} has {'; '.join(parts)}. The header must be "
                        f"{','.join(columns)} (any order"
                        + (f"; {', '.join(c for c in columns if c not in required)} optional"
                           if len(required) < len(columns) else "")
                        + "); rename, add or delete columns to match.")
    raw = raw.fillna("")
    rows = list(range(1, len(raw) + 1))
    blank = np.array([not "".join(r).strip() for r in raw.itertuples(index=False)], dtype=bool)
    if blank.any():
        raw = raw.loc[~blank].reset_index(drop=True)
        rows = [r for r, b in zip(rows, blank, strict=True) if not b]
    if len(raw) == 0:
        raise DataError(f"{where} has a header but no data rows; add at least one row.")
    return raw, rows
