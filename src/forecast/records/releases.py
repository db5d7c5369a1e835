"""Published figures as typed, validated records (stage 1 of the data flow).

One row per figure MOFCOM published (as re-posted in the press): market, segment,
flow, year, months covered from January, measure, value, unit, basis currency,
publication date, source, confidence and note. See ``docs/data.md`` for the schema,
the sources and the caveats.

Examples
--------
>>> import forecast
>>> rec = forecast.load_releases()
>>> len(rec)
341
>>> us = rec.filter(market="US", measure="level", months=12, as_of="2023-06")
>>> list(zip(us.frame["year"], us.frame["value"], us.frame["unit"]))[:3]
[(2013, 117.5, 'USD_1e8'), (2020, 1550.6, 'CNY_1e8'), (2022, 1878.0, 'CNY_1e8')]
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._io.cells import neutralise, unneutralise
from .._io.seals import SidecarSeal, check_own_file, write_own
from .._keywords import checked_init, checked_methods
from .._validation import check_bool
from ..errors import DataError, ForecastTypeError, ParameterError
from . import schema as S
from ._filter import filter_mask
from .csvfile import embedded_text, parse_csv, read_user_text

__all__ = ["Records", "load_releases"]

_STR_COLUMNS = ("market", "segment", "flow", "measure", "unit", "basis", "published",
                "source", "address", "confidence", "note", "origin")
_DTYPES = {"year": "int64", "months": "int64", "value": "float64", "row": "int64"}
_FREE_TEXT = ("source", "address", "note")
#: how to_csv knows a records file it wrote, unchanged (a record beside it); the command
#: line checks a `data --out` target with it before any work
CSV_SEAL = SidecarSeal((",".join(S.CSV_COLUMNS),))


def _typed_frame(cols: dict, rows: list[int], origins: list[str]) -> pd.DataFrame:
    data: dict[str, object] = {}
    for c in S.FRAME_COLUMNS:
        values = rows if c == "row" else origins if c == "origin" else cols[c]
        if c in _DTYPES:
            data[c] = np.asarray(values, dtype=_DTYPES[c])
        elif c == "published_date":
            data[c] = np.asarray(values, dtype="datetime64[ns]")
        else:
            data[c] = values
    frame = pd.DataFrame(data)  # lists of text become pandas' default string dtype
    if len(frame) == 0:
        frame = frame.astype({c: str for c in _STR_COLUMNS})
    return frame


def _check_row_numbers(raw: pd.DataFrame, rows: list[int], origins: list[str],
                       positions: list[int]) -> None:
    """Refuse a `row` column that gives two different records one number (of one origin).

    A row copied from ``records.frame``, edited and appended keeps its number; every later
    message would then name "row 1" for two records. The same record twice is not a
    numbering problem (a corroborating copy). `positions` are the rows' positions in the
    frame as given (blank rows included), for the message.
    """
    content = [c for c in raw.columns if c not in ("row", "origin")]
    seen: dict[tuple[str, int], tuple] = {}
    for i, values in enumerate(raw[content].itertuples(index=False, name=None)):
        key = (origins[i], rows[i])
        cells = tuple(S._text(v) for v in values)
        if seen.setdefault(key, cells) != cells:
            raise DataError(
                f"records frame column 'row' gives two different records the number "
                f"{rows[i]} (origin {origins[i]!r}; the second at position {positions[i]}): "
                "messages could not tell them apart. Give the new rows new numbers (e.g. "
                "after records.frame['row'].max()), or drop the 'row' column to number rows "
                "1..n.")


def _build(raw: pd.DataFrame, rows: list[int], origins: list[str], where: str) -> Records:
    cols, problems = S.validate_rows(raw, rows)
    S.raise_problems(where, problems)
    frame = _typed_frame(cols, rows, origins)
    S.raise_problems(where, S.conflict_problems(frame))
    return Records(frame)


@functools.cache
def _embedded() -> Records:
    raw, rows = parse_csv(embedded_text("releases.csv"), "embedded releases.csv",
                          S.CSV_COLUMNS, S.REQUIRED_COLUMNS)
    return _build(raw, rows, ["embedded"] * len(rows), "embedded releases.csv")


def load_releases() -> Records:
    """Load the embedded MOFCOM release records (341 rows, 2006-2025).

    Parsed once per process and cached; the returned value is immutable.

    Returns
    -------
    Records
        Its ``frame`` has the columns listed in :class:`Records`; ``origin`` is
        ``"embedded"`` and ``row`` the data-row number in ``forecast/data/releases.csv``.

    Examples
    --------
    >>> rec = load_releases()
    >>> rec.markets[:4]
    ('ALL', 'BRI', 'EU', 'HK')
    """
    return _embedded()


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False)
class Records:
    """Validated release records; build with :func:`load_releases`, ``from_csv``, ``from_frame``.

    ``frame`` returns a copy (the stored table cannot be changed) with the columns
    ``market, segment, flow, year (int64), months (int64), measure, value (float64), unit,
    basis, published (as given), published_date (datetime64: the last day ``published``
    allows), source, address ("" if blank), confidence ("read" | "uncertain"), note
    ("" if blank), row (1-based data row in its file), origin (file name or "embedded")``.

    Rows with the same key (market, segment, flow, year, months, measure, basis) and the same
    value are all kept (corroboration); the same key with different values is a DataError.

    Examples
    --------
    >>> rec = load_releases()
    >>> print(repr(rec.filter(market="US", measure="share")))
    Records(7 rows from embedded; years 2012-2015; published 2012-07-17 to 2015-10-20; \
0 uncertain)
      measure  share  total
      market
      US           7      7
    """

    _frame: pd.DataFrame = field(repr=False)

    def __post_init__(self) -> None:
        f = self._frame
        if not isinstance(f, pd.DataFrame) or tuple(f.columns) != S.FRAME_COLUMNS:
            raise ForecastTypeError(
                "Records(...) takes a table already in the Records schema; got "
                f"{type(f).__name__}. Build records with Records.from_frame(df), "
                "Records.from_csv(path) or forecast.load_releases()."
            )
        object.__setattr__(self, "_frame", f.reset_index(drop=True).copy())

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_csv(cls, path: str | os.PathLike) -> Records:
        """Load a user's CSV with the columns of ``releases.csv`` (``address``, ``note`` optional).

        Every bad cell is reported at once in one :class:`~forecast.errors.DataError`
        whose ``problems`` attribute holds ``(row, column, value, message)`` tuples.

        Parameters
        ----------
        path : str or os.PathLike
            A UTF-8 CSV file with a header line (see ``docs/data.md`` for the schema).

        Returns
        -------
        Records
            ``origin`` is the file name, ``row`` the 1-based data row; the row starts on
            line ``row + 1`` of the file (blank lines and line breaks inside quoted fields
            count).

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
        >>> load_releases().filter(market="US", year=2024).to_csv(path)
        >>> mine = Records.from_csv(path)
        >>> mine.frame[["market", "year", "value", "origin"]].to_dict("records")[0]
        {'market': 'US', 'year': 2024, 'value': 315.9, 'origin': 'mine.csv'}
        """
        text, name = read_user_text(path, "releases")
        where = f"releases file {os.fspath(path)!r}"
        raw, rows = parse_csv(text, where, S.CSV_COLUMNS, S.REQUIRED_COLUMNS)
        for col in _FREE_TEXT:  # undo the formula guard of to_csv
            if col in raw.columns:
                raw[col] = [unneutralise(v) for v in raw[col].tolist()]
        return _build(raw, rows, [name] * len(rows), where)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, origin: str = "frame") -> Records:
        """Validate a DataFrame with the columns of ``releases.csv`` (or of ``Records.frame``).

        ``row`` and ``origin`` columns are kept when present (else rows are numbered
        1..n by position and ``origin`` is used); ``published_date`` is recomputed from
        ``published``. A fully blank row (every cell empty or NaN, as ``pd.read_excel``
        gives for an empty line of a sheet) holds no data and is skipped, as a blank line
        of a CSV file is; the other rows keep their position numbers. A frame without
        rows (or with blank rows only) is a DataError, as a CSV file with a header only is.
        A ``published`` cell may be a date, or a datetime or Timestamp at midnight (what
        ``pd.read_excel`` gives for a date cell): it is read as ``YYYY-MM-DD``; one with a
        time of day is a problem of that cell.

        Parameters
        ----------
        df : pandas.DataFrame
            The table; every bad cell is reported at once in one DataError.
        origin : str, default "frame"
            The ``origin`` of rows that do not carry one.

        Returns
        -------
        Records

        Examples
        --------
        >>> rec = load_releases()
        >>> Records.from_frame(rec.frame) == rec  # row and origin are kept
        True
        >>> Records.from_frame(rec.frame.drop(columns="origin"), origin="mine").frame["origin"][0]
        'mine'
        """
        if not isinstance(df, pd.DataFrame):
            raise ForecastTypeError(f"`df` must be a pandas DataFrame; got "
                                    f"{type(df).__name__}. Use Records.from_csv(path) for a file.")
        if not isinstance(origin, str) or not origin.strip():
            raise ForecastTypeError(f"`origin` must be a non-empty str (where the rows come "
                                    f"from, shown in errors and provenance); got {origin!r}. "
                                    "Pass e.g. origin='my_sheet.xlsx'.", field="origin")
        repeated = sorted({str(c) for c in df.columns if list(df.columns).count(c) > 1})
        if repeated:
            raise DataError(f"records frame has repeated column(s) {', '.join(map(repr, repeated))}"
                            "; each column must appear once. Drop or rename the copies.")
        allowed = S.CSV_COLUMNS + ("row", "origin", "published_date")
        unknown = [c for c in df.columns if c not in allowed]
        missing = [c for c in S.REQUIRED_COLUMNS if c not in df.columns]
        if unknown or missing:
            raise DataError(
                f"records frame has {'missing required column(s) ' if missing else ''}"
                + ", ".join(f"'{c}'" for c in missing) + ("; " if missing and unknown else "")
                + ("unknown column(s) " + ", ".join(f"'{c}'" for c in unknown) if unknown else "")
                + f". Columns must be {', '.join(S.CSV_COLUMNS)} (address, note optional; "
                "row, origin allowed); rename or drop columns to match."
            )
        raw = df.reset_index(drop=True)
        if len(raw) == 0:  # as from_csv refuses a header without rows
            raise DataError(f"records frame from {origin!r} has no rows, only columns "
                            "(from_csv refuses a header without rows alike); pass at least "
                            "one row with data.", field="df")
        # a fully blank row (a gap in a sheet, as read_excel gives it) holds no data and is
        # skipped, as a blank line of a CSV file is; the others keep their position number
        blank = [all(S._text(v) == "" for v in r) for r in raw.itertuples(index=False)]
        keep = [i for i, b in enumerate(blank) if not b]
        rows = [i + 1 for i in keep]
        if len(keep) < len(raw):
            raw = raw.iloc[keep].reset_index(drop=True)
            if len(raw) == 0:
                raise DataError(f"records frame from {origin!r} has {len(blank)} row(s), all "
                                "blank; pass at least one row with data.")
        n = len(raw)
        if "row" in raw.columns:
            rows = [S._as_int(r) or 0 for r in raw["row"].tolist()]
            bad = [i for i, r in enumerate(rows) if r < 1]
            if bad:
                raise DataError(f"records frame column 'row' must hold ints >= 1; got "
                                f"{raw['row'].iloc[bad[0]]!r} at position {keep[bad[0]]}. "
                                "Drop the column to number rows 1..n.")
        origins = [origin] * n
        if "origin" in raw.columns:
            origins = [S._text(o) or origin for o in raw["origin"].tolist()]
        if "row" in raw.columns:
            _check_row_numbers(raw, rows, origins, keep)
        return _build(raw, rows, origins, f"records from {origin!r}")

    @classmethod
    def concat(cls, *records: Records) -> Records:
        """Combine records (keeping each row's own ``row`` and ``origin``).

        The same record (same origin, row and content) is kept once, so ``a + a == a``;
        a figure that conflicts with another for the same key is a DataError.

        Parameters
        ----------
        *records : Records
            One or more Records (or one list of them). Empty ones (a filter that matched
            nothing) add nothing; combining only empty ones gives ``Records(0 rows)``, as
            the filter did.

        Returns
        -------
        Records

        Raises
        ------
        ParameterError
            No Records at all (``Records.concat()`` or an empty list): there is nothing to
            combine, as ``from_frame`` and ``from_csv`` refuse a table without rows.

        Examples
        --------
        >>> rec = load_releases()
        >>> us, hk = rec.filter(market="US"), rec.filter(market="HK")
        >>> len(Records.concat(us, hk)) == len(us) + len(hk), us + us == us
        (True, True)
        """
        given = "no argument"
        if len(records) == 1 and isinstance(records[0], list | tuple):
            given = f"an empty {type(records[0]).__name__}"
            records = tuple(records[0])
        if not records:  # as from_frame and from_csv refuse a table without rows
            raise ParameterError(
                f"`records` must be one or more Records to combine; got {given}. Pass "
                "e.g. Records.concat(a, b) or Records.concat([a, b]); to start from the "
                "embedded releases use forecast.load_releases(), from a file "
                "Records.from_csv(path).", field="records")
        for i, r in enumerate(records):
            if not isinstance(r, Records):
                raise ForecastTypeError(f"Records.concat takes Records; argument {i} is "
                                        f"{type(r).__name__}. Load it with Records.from_csv.")
        frames = [r._frame for r in records]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        seen: set[tuple] = set()
        first = [not (t in seen or seen.add(t))  # type: ignore[func-returns-value]
                 for t in frame.itertuples(index=False, name=None)]
        if not all(first):
            frame = frame.loc[first]
        S.raise_problems("combined records", S.conflict_problems(frame))
        return cls(frame)

    def __add__(self, other: object) -> Records:
        if not isinstance(other, Records):
            raise ForecastTypeError(f"records + other needs Records on both sides; got "
                                    f"{type(other).__name__}. Use Records.from_csv(path) or "
                                    "Records.from_frame(df) first.")
        return Records.concat(self, other)

    # ------------------------------------------------------------------ views
    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the records table (see the class docstring for its columns)."""
        return self._frame.copy()

    @functools.cached_property
    def _key_index(self) -> dict[tuple, tuple[int, ...]]:
        """Row positions by key (market, segment, flow, year, months, measure, basis).

        Computed once per (immutable) Records; cached_property writes to the instance
        ``__dict__`` directly, which a frozen dataclass allows.
        """
        f = self._frame
        index: dict[tuple, list[int]] = {}
        cols = [f[c].tolist() for c in S.KEY_COLUMNS]
        for i, key in enumerate(zip(*cols, strict=True)):
            index.setdefault(key, []).append(i)
        return {k: tuple(v) for k, v in index.items()}

    @property
    def markets(self) -> tuple[str, ...]:
        """The markets present, sorted."""
        return tuple(sorted(self._frame["market"].unique()))

    def __len__(self) -> int:
        return len(self._frame)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Records):
            return NotImplemented
        return self._frame.equals(other._frame)

    __hash__ = None  # type: ignore[assignment]

    def filter(self, market=None, segment=None, flow=None, measure=None, months=None,
               year=None, basis=None, confidence=None, as_of=None, **unknown) -> Records:
        """Keep rows matching every given argument (a value or a list of values).

        ``as_of`` keeps rows known by that date: ``published_date <= `` the last day the
        argument allows (``"2023"`` = 31 Dec 2023, ``"2023-06"`` = 30 Jun 2023).

        Parameters
        ----------
        market, segment, flow, measure, basis, confidence : str or list of str, optional
            Values of those columns (``docs/data.md`` lists the allowed ones). A sum of
            markets matches in any order (``"HK+US"`` finds ``"US+HK"``).
        months, year : int or list of int, optional
            Months covered from January (12 = full year); calendar years.
        as_of : str, date or Timestamp, optional
            ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``.

        Returns
        -------
        Records
            Possibly empty (``Records(0 rows)``); an unknown argument name or value is a
            ForecastError. Any code is a valid market, so a market no row has (``"USA"``)
            warns, naming the markets present and the nearest one.

        Examples
        --------
        >>> rec = load_releases()
        >>> len(rec.filter(market="US", as_of="2013-12")) < len(rec.filter(market="US"))
        True
        """
        keep = filter_mask(self._frame, market=market, segment=segment, flow=flow,
                           measure=measure, months=months, year=year, basis=basis,
                           confidence=confidence, as_of=as_of, **unknown)
        return Records(self._frame.loc[keep])

    def to_csv(self, path: str | os.PathLike, *, force: bool = False) -> None:
        """Write the records in the ``releases.csv`` schema (readable by ``from_csv``).

        ``row``, ``origin`` and ``published_date`` are not written: read back, rows are
        numbered in the new file and ``published_date`` is recomputed. The file is
        written atomically and never through a symbolic link; text that a spreadsheet
        would run as a formula (``=``, ``+``, ``-``, ``@`` first) gets a leading ``'``,
        which ``from_csv`` removes again.

        Parameters
        ----------
        path : str or os.PathLike
            The file; its folder must exist. The SHA-256 of what is written goes to
            ``.<name>.forecast.json`` beside it (the CSV itself stays plain, for pandas
            and spreadsheets). An existing file is replaced only when forecast wrote it
            and nobody changed it since (that record lists its SHA-256).
        force : bool, default False
            Replace an existing file that forecast did not write, that changed since
            (a row added in a spreadsheet) or that has no record beside it.

        Raises
        ------
        OutputError
            For a missing folder, a link, or an existing file forecast did not write or
            that changed since (without `force`), before anything is written; the message
            names the file and the fix.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "us.csv"
        >>> load_releases().filter(market="US").to_csv(path)
        >>> path.read_text().splitlines()[0]
        'market,segment,flow,year,months,measure,value,unit,basis,published,source,address,\
confidence,note'
        """
        check_bool("force", force)
        check_own_file(path, force=force, what="records file", seal=CSV_SEAL)
        frame = neutralise(self._frame.loc[:, list(S.CSV_COLUMNS)])
        text = frame.to_csv(index=False, lineterminator="\n")
        write_own(path, text.encode("utf-8"), force=force, what="records file", seal=CSV_SEAL)

    def __repr__(self) -> str:
        f = self._frame
        if len(f) == 0:
            return "Records(0 rows)"
        origins = ", ".join(f["origin"].unique()[:3]) + (", ..." if f["origin"].nunique() > 3
                                                         else "")
        head = (f"Records({len(f)} rows from {origins}; years {f['year'].min()}-"
                f"{f['year'].max()}; published {f['published_date'].min().date()} to "
                f"{f['published_date'].max().date()}; "
                f"{int((f['confidence'] == 'uncertain').sum())} uncertain)")
        counts = pd.crosstab(f["market"], f["measure"])
        counts = counts.reindex(columns=[m for m in S.MEASURES if m in counts.columns])
        counts["total"] = counts.sum(axis=1)
        counts = counts.sort_values("total", ascending=False)
        body = counts.to_string().splitlines()
        return head + "\n" + "\n".join("  " + line.rstrip() for line in body)
