"""Reading users' CSV files safely (private; shared by releases.py and fx.py).

Every failure (missing file, a folder or device, an Excel workbook, not UTF-8, not CSV,
separated by ';' or tabs, empty, wrong header) becomes a
:class:`~forecast.errors.DataError` naming the path and the fix.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
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
    kind = path_kind(p)
    if kind != "a file":
        # reading a device or a pipe would return nothing (/dev/null), never end
        # (/dev/zero) or block (a FIFO): say what the path is instead
        raise DataError(f"{what} path {p!r} is {kind}, not a regular file; pass the path of "
                        "a CSV file.")
    size = os.path.getsize(p)
    if size > MAX_BYTES:
        raise DataError(f"{what} file {p!r} has {size} bytes, more than the {MAX_BYTES} a "
                        "records file can reasonably hold; check that it is the right file.")
    with open(p, "rb") as fh:
        data = fh.read()
    _check_not_workbook(data, p, what)
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


def path_kind(path: str | os.PathLike) -> str:
    """What `path` is: "a file", "a folder", "a character device" ..., or "not found".

    Examples
    --------
    >>> path_kind("/dev/null"), path_kind("/")
    ('a character device', 'a folder')
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "not found"
    except OSError as exc:  # a dangling link, a loop, no permission: say which
        return f"unreadable ({exc.strerror or exc})"
    for test, kind in ((stat.S_ISREG, "a file"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"  # pragma: no cover - no other kind on POSIX


# First bytes of a ZIP archive (an .xlsx, .xlsm or .ods workbook) and of an OLE2 compound
# file (Excel 97-2003 .xls): a workbook renamed to .csv otherwise fails as "not UTF-8".
_WORKBOOKS = ((b"PK\x03\x04", "an Excel workbook (.xlsx: a ZIP archive)"),
              (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"))


def _check_not_workbook(data: bytes, path: str, what: str) -> None:
    """Raise a DataError saying how to export a workbook when `data` starts like one."""
    for magic, kind in _WORKBOOKS:
        if data.startswith(magic):
            reader = ("forecast.Records.from_frame(pandas.read_excel(path))"
                      if what == "releases"
                      else "pandas.read_excel(path).to_csv('rates.csv', index=False)")
            raise DataError(
                f"{what} file {path!r} is {kind}, not CSV text. In Excel, save it with "
                "File > Save As > 'CSV UTF-8 (comma delimited)' and pass that file; or read "
                f"it in Python with pandas: {reader} (pandas.read_excel needs openpyxl for "
                ".xlsx, xlrd for .xls).")


_SEPARATORS = ((";", "semicolons (';')"), ("\t", "tabs"))


def _check_separator(text: str, where: str, columns: Sequence[str]) -> None:
    """Raise a DataError naming the separator when the header is joined by ';' or tabs.

    Excel writes ';'-separated files (with ',' as the decimal point) where the region's
    list separator is ';'; read with commas, such a header is one unknown column.
    """
    header = text.split("\n", 1)[0].rstrip("\r")
    if "," in header:
        return
    for sep, name in _SEPARATORS:
        names = [h.strip().strip('"').strip() for h in header.split(sep)]
        if sum(n in columns for n in names) < 2:
            continue
        shown = header if len(header) <= 60 else header[:57] + "..."
        comma = re.search(r"(?<![\d,])\d+,\d+(?![\d,])", text)
        decimal = (f"; this file writes decimals with a comma, e.g. {comma.group()!r}"
                   if comma else "")
        sep_arg = r"'\t'" if sep == "\t" else "';'"
        raise DataError(
            f"{where} seems to be separated by {name}, not commas: its header is "
            f"{shown!r}. Save it as 'CSV UTF-8 (comma delimited)' with '.' as the decimal "
            f"point (1550.6, not 1550,6{decimal}): in Excel, File > Options > Advanced > "
            "untick 'Use system separators' and set the decimal separator to '.', then "
            f"File > Save As. Or convert it with pandas: pandas.read_csv(path, sep={sep_arg}, "
            "decimal=',').to_csv('fixed.csv', index=False), and pass 'fixed.csv'.")


def _check_shape(text: str, where: str, columns: Sequence[str]) -> list[int]:
    """Every row has the header's number of fields, and no column name repeats.

    Checked with the csv module first because pandas guesses instead: a row with one
    field too many silently shifts every field into the wrong column (the first becomes
    the index), and a repeated name is renamed ``note.1``. Returns the line on which each
    record after the header starts (blank lines are records here, as for pandas; a quoted
    field with a line break makes a record span several lines).
    """
    starts: list[int] = []
    try:
        lines = csv.reader(io.StringIO(text))
        header = next(lines, None)
        if header is None:
            return starts  # empty: reported by the caller
        names = [h.strip() for h in header]
        dup = sorted({h for h in names if names.count(h) > 1})
        if dup:
            raise DataError(f"{where} has repeated column(s) "
                            + ", ".join(f"'{c}'" for c in dup) + f". The header must be "
                            f"{','.join(columns)}, each name once; delete the repeats.")
        end = lines.line_num
        for row in lines:
            number, end = end + 1, lines.line_num
            starts.append(number)
            if row and any(f.strip() for f in row) and len(row) != len(header):
                raise DataError(
                    f"{where} is not a valid CSV file: line {number} has {len(row)} fields, "
                    f"the header {len(header)}. Quote fields that contain commas (\"a, b\") "
                    "and give every row the same number of fields as the header.")
    except csv.Error as exc:
        raise DataError(f"{where} is not a valid CSV file: {exc}. Check the quotes.") from None
    return starts


def parse_csv(text: str, where: str, columns: Sequence[str],
              required: Sequence[str]) -> tuple[pd.DataFrame, list[int]]:
    """Parse CSV text into a frame of stripped strings and the 1-based row number of each row.

    Raises a DataError naming missing and unknown columns, or the separator of a file
    separated by ';' or tabs. Blank lines hold no data and are skipped, but rows keep the
    numbering of the file: row n starts on line n + 1, also after a quoted field that
    spans lines (a note typed with Alt+Enter), so row numbers may skip.
    """
    _check_separator(text, where, columns)
    starts = _check_shape(text, where, columns)
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
    # the csv module and pandas see the same records (blank lines included); fall back on
    # counting records should they ever disagree
    rows = ([s - 1 for s in starts] if len(starts) == len(raw)
            else list(range(1, len(raw) + 1)))
    blank = np.array([not "".join(r).strip() for r in raw.itertuples(index=False)], dtype=bool)
    if blank.any():
        raw = raw.loc[~blank].reset_index(drop=True)
        rows = [r for r, b in zip(rows, blank, strict=True) if not b]
    if len(raw) == 0:
        raise DataError(f"{where} has a header but no data rows; add at least one row.")
    return raw, rows
