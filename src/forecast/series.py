"""AnnualSeries: a frozen, validated annual series of positive values."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._io.seals import SidecarSeal, check_own_file, write_own
from ._keywords import checked_init, checked_methods
from ._validation import NUMBER_RE, check_bool, check_int, number_hint, readonly
from .errors import DataError, ForecastTypeError, ParameterError, SeriesError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["YEAR_RANGE", "AnnualSeries"]

#: Calendar years an annual series may hold: wide enough for any economic series, and
#: narrow enough that a typo (20150, -5, 1e15) is caught here rather than becoming a
#: projection of ten thousand years.
YEAR_RANGE: tuple[int, int] = (1800, 2200)

#: how to_csv knows a series file it wrote, unchanged (a record beside it)
_SEAL = SidecarSeal(("year,value,unit", "year,value,unit,name"))


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False)
class AnnualSeries:
    """An annual series: consecutive int years, finite strictly positive values.

    Parameters
    ----------
    years : array-like of int
        Consecutive calendar years, increasing by one.
    values : array-like of float
        The level in each year, finite and strictly positive.
    unit : str, default "USD_bn"
        Unit of `values`, e.g. ``"USD_bn"`` or ``"CNY_bn"``.
    name : str, default ""
        What the series measures, e.g. ``"US offshore execution"``.

    Examples
    --------
    >>> s = AnnualSeries([2020, 2021, 2022], [22.5, 24.0, 27.9], name="US")
    >>> s.last_year, len(s)
    (2022, 3)
    >>> s
    AnnualSeries('US', 2020-2022, USD_bn, [22.5, 24, 27.9])
    >>> s.to_pandas().index.year.tolist()
    [2020, 2021, 2022]
    """

    years: np.ndarray
    values: np.ndarray
    unit: str = "USD_bn"
    name: str = ""

    if TYPE_CHECKING:
        # what the constructor accepts (__post_init__ makes both arrays); the dataclass
        # writes the real __init__
        def __init__(self, years: ArrayLike, values: ArrayLike, unit: str = "USD_bn",
                     name: str = "") -> None: ...

    def __post_init__(self) -> None:
        _check_real(self.values)
        _check_text(self.values)
        try:
            years = np.asarray(self.years)
            values = np.asarray(self.values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise SeriesError(
                f"series values must be numbers; got {self.values!r} ({exc}). "
                "Pass a list or array of floats."
            ) from None
        if years.ndim != 1 or values.ndim != 1:
            raise SeriesError(
                f"`years` and `values` must be one-dimensional; got shapes {years.shape} "
                f"and {values.shape}. Flatten them first."
            )
        if years.size != values.size:
            raise SeriesError(
                f"`years` and `values` must have the same length; got {years.size} years "
                f"and {values.size} values."
            )
        if years.size == 0:
            raise SeriesError("a series needs at least one year; got none. Pass some data.")
        years = _check_years(years)
        bad = ~np.isfinite(values) | (values <= 0)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            if i in (0, years.size - 1):  # dropping an end year keeps the years consecutive
                fix = "Correct that value or drop that year."
            else:  # dropping it would leave a gap, which is refused too
                fix = (f"Correct that value, or start the series in {int(years[i]) + 1} (a "
                       "series has no gaps; forecast.reconstruct estimates a year without a "
                       "figure from the releases, with its uncertainty).")
            raise SeriesError(
                f"series values must be finite and > 0 (models work on the log level); "
                f"got {float(values[i])!r} in {int(years[i])}. {fix}"
            )
        if not isinstance(self.unit, str) or not self.unit:
            raise ForecastTypeError(f"`unit` must be a non-empty str; got {self.unit!r}.")
        if not isinstance(self.name, str):
            raise ForecastTypeError(f"`name` must be a str; got {self.name!r}.")
        object.__setattr__(self, "years", readonly(years))
        object.__setattr__(self, "values", readonly(values))

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        # one line whatever the length: name, span, unit and at most six values
        v = [f"{x:.4g}" for x in self.values.tolist()]
        shown = ", ".join(v) if len(v) <= 6 else ", ".join([*v[:3], "...", *v[-3:]])
        return (f"AnnualSeries({self.name!r}, {self.first_year}-{self.last_year}, "
                f"{self.unit}, [{shown}])")

    def __len__(self) -> int:
        return int(self.years.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnnualSeries):
            return NotImplemented
        return (
            self.unit == other.unit
            and self.name == other.name
            and np.array_equal(self.years, other.years)
            and np.array_equal(self.values, other.values)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def first_year(self) -> int:
        """The first year of the series."""
        return int(self.years[0])

    @property
    def last_year(self) -> int:
        """The last observed year; forecasts start the year after."""
        return int(self.years[-1])

    @property
    def log_values(self) -> np.ndarray:
        """Natural log of the values (every model works on this scale)."""
        return np.log(self.values)

    def window(self, start: int | None = None, end: int | None = None) -> AnnualSeries:
        """Return the years in [start, end] (inclusive) as a new series.

        Parameters
        ----------
        start, end : int, optional
            First and last year kept; default the series' own first and last year.

        Returns
        -------
        AnnualSeries
            Same unit and name; a SeriesError when no year is in the window.

        Examples
        --------
        >>> AnnualSeries([2020, 2021, 2022], [1.0, 2.0, 3.0]).window(end=2021).last_year
        2021
        """
        fix = "Pass a whole year, e.g. 2020."
        lo = self.first_year if start is None else check_int("start", start, fix=fix)
        hi = self.last_year if end is None else check_int("end", end, fix=fix)
        keep = (self.years >= lo) & (self.years <= hi)
        if not np.any(keep):
            raise SeriesError(
                f"window [{lo}, {hi}] holds no year of a series covering "
                f"{self.first_year}-{self.last_year}; pick years inside that range."
            )
        return dataclasses.replace(self, years=self.years[keep], values=self.values[keep])

    # ------------------------------------------------------------------ pandas
    def to_pandas(self) -> pd.Series:
        """Return a pandas Series indexed by ``PeriodIndex(freq="Y")``; its unit in ``attrs``.

        Returns
        -------
        pandas.Series
            Index ``year`` (annual periods), values in ``unit``, named after the series
            (``"value"`` when it has no name); ``attrs["unit"]`` holds the unit.

        Examples
        --------
        >>> s = AnnualSeries([2020, 2021], [1.5, 2.0], name="US").to_pandas()
        >>> type(s.index).__name__, s.index.year.tolist(), s.tolist(), s.attrs
        ('PeriodIndex', [2020, 2021], [1.5, 2.0], {'unit': 'USD_bn'})
        """
        idx = pd.PeriodIndex(pd.Index(self.years.tolist()).astype(str), freq="Y", name="year")
        s = pd.Series(np.array(self.values), index=idx, name=self.name or "value")
        s.attrs["unit"] = self.unit  # from_pandas reads it back: the unit is never guessed
        return s

    @classmethod
    def from_pandas(
        cls, s: pd.Series, unit: str | None = None, name: str | None = None
    ) -> AnnualSeries:
        """Build a series from a pandas Series.

        The index may be a yearly ``PeriodIndex``, int years, or a year-end or
        year-start ``DatetimeIndex`` (one observation per year).

        Parameters
        ----------
        s : pandas.Series (or a one-column DataFrame)
        unit : str, optional
            Unit of the values, e.g. ``"USD_bn"``. Default ``s.attrs["unit"]`` (set by
            :meth:`to_pandas`); one of the two is required: a unit is never guessed.
        name : str, optional
            Default ``s.name``.

        Returns
        -------
        AnnualSeries
            Sorted by year; a SeriesError names a missing value, a gap, a duplicate
            year or a value that is not a number.

        Examples
        --------
        >>> import pandas as pd
        >>> s = pd.Series([1.0, 2.0], index=pd.period_range("2020", periods=2, freq="Y"))
        >>> AnnualSeries.from_pandas(s, unit="USD_bn").years.tolist()
        [2020, 2021]
        """
        if isinstance(s, pd.DataFrame):
            if s.shape[1] != 1:
                raise ForecastTypeError(
                    f"from_pandas needs a Series; got a DataFrame with columns "
                    f"{list(s.columns)}. Select one column, e.g. df['value']."
                )
            s = s.iloc[:, 0]
        if not isinstance(s, pd.Series):
            raise ForecastTypeError(
                f"from_pandas needs a pandas Series; got {type(s).__name__}. "
                "Wrap your data with pd.Series(values, index=years)."
            )
        _check_real(s)
        if unit is None:
            unit = s.attrs.get("unit")
        if unit is None:
            raise ParameterError(
                "`unit` must be given for a pandas Series without attrs['unit']; got none. "
                "Pass e.g. AnnualSeries.from_pandas(s, unit='USD_bn') (or 'CNY_bn'): the "
                "unit is never guessed."
            )
        idx = s.index
        if isinstance(idx, pd.PeriodIndex):
            if idx.freqstr not in ("Y-DEC", "A-DEC", "Y", "A"):
                raise SeriesError(
                    f"the PeriodIndex must be annual (freq='Y'); got freq={idx.freqstr!r}. "
                    "Aggregate to calendar years first, e.g. s.resample('Y').sum()."
                )
            years = np.asarray(idx.year)
        elif isinstance(idx, pd.DatetimeIndex):
            ok = ((idx.month == 12) & (idx.day == 31)) | ((idx.month == 1) & (idx.day == 1))
            if not ok.all():
                bad = idx[~ok][0]
                raise SeriesError(
                    f"a DatetimeIndex must hold year-end or year-start dates; got {bad.date()}. "
                    "Aggregate to calendar years first."
                )
            years = np.asarray(idx.year)
        else:
            try:
                years = np.asarray(idx, dtype=float)
            except (TypeError, ValueError):
                raise SeriesError(
                    f"the index must be years (int, PeriodIndex or DatetimeIndex); got "
                    f"{list(idx[:3])!r}. Set the index to calendar years."
                ) from None
        numbers = pd.to_numeric(s, errors="coerce")
        text = numbers.isna() & s.notna()
        if text.any():
            i = int(np.flatnonzero(text.to_numpy())[0])
            raise SeriesError(
                f"series values must be numbers; got {s.iloc[i]!r} in {years[i]:g}"
                f"{number_hint(str(s.iloc[i]).strip())}. "
                "Convert the column first, e.g. pd.to_numeric(s), and correct that year."
            )
        s = numbers
        if s.isna().any():
            y = years[np.flatnonzero(s.isna().to_numpy())[0]]
            raise SeriesError(
                f"series has a missing value in {int(y)}; fill it or pass a History "
                "(forecast.reconstruct) that carries the uncertainty of gap years."
            )
        order = np.argsort(years, kind="stable")
        return cls(
            years=years[order],
            values=np.asarray(s.to_numpy(dtype=float))[order],
            unit=unit,
            name=str(s.name) if name is None and s.name is not None else (name or ""),
        )

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str],
        year_column: str = "year",
        value_column: str = "value",
        unit: str | None = None,
        name: str | None = None,
    ) -> AnnualSeries:
        """Read a series from a CSV file with a year column and a value column.

        Parameters
        ----------
        path : str or os.PathLike
            The CSV file, with a header line and one row per year.
        year_column, value_column : str, default "year", "value"
            Names of the two columns read. A ``unit`` and a ``name`` column (as
            :meth:`to_csv` writes them) are read too, one value each; other columns are
            ignored.
        unit : str, optional
            Unit of the values. Default: the file's ``unit`` column, else ``"USD_bn"``. A
            unit given here that differs from the file's is refused (DataError): figures
            in CNY are never relabelled USD.
        name : str, optional
            What the series measures. Default: the file's ``name`` column, else ``""``.

        Returns
        -------
        AnnualSeries
            A DataError names the row and column of a cell that is missing or not a number.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "us.csv"
        >>> _ = path.write_text("year,value\\n2023,31.0\\n2024,31.6\\n")
        >>> AnnualSeries.from_csv(path, name="US")
        AnnualSeries('US', 2023-2024, USD_bn, [31, 31.6])
        """
        try:
            df = pd.read_csv(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:  # ParserError, EmptyDataError
            why = " ".join(str(exc).split())[:120]
            raise DataError(f"cannot read series CSV {os.fspath(path)!r}: {why}. Pass a CSV "
                            "file with a header line and one row per year.") from None
        for col in (year_column, value_column):
            if col not in df.columns:
                raise DataError(
                    f"series CSV {os.fspath(path)!r} has no column {col!r}; its columns are "
                    f"{list(df.columns)}. Pass year_column=/value_column= to name them."
                )
        # pandas reads plain ASCII numbers only ("1_000" and "１２" stay text): same rule
        # as the records (docs/data.md)
        columns = {}
        for col in (year_column, value_column):
            numbers = pd.to_numeric(df[col], errors="coerce")
            if numbers.isna().any():
                row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
                cell = df[col].iloc[row]
                what = "is missing. " + PLAIN_DIGITS if pd.isna(cell) else _not_a_number(cell)
                raise DataError(
                    f"series CSV {os.fspath(path)!r} row {row + 2}, column {col!r}: {what}; "
                    "correct or remove the row."
                )
            columns[col] = numbers.to_numpy()
        unit = _file_label(df, "unit", unit, "USD_bn", path)
        name = _file_label(df, "name", name, "", path)
        s = pd.Series(columns[value_column], index=columns[year_column])
        return cls.from_pandas(s, unit=unit, name=name)

    def to_csv(self, path: str | os.PathLike[str], *, force: bool = False) -> None:
        """Write ``year,value,unit`` rows to `path`, and ``name`` when the series has one
        (read back with :meth:`from_csv`, unit and name included).

        Written atomically (complete or not at all), never through a symbolic link. The
        SHA-256 of the file goes to ``.<name>.forecast.json`` beside it (the CSV itself
        stays plain). An existing file is replaced only when forecast wrote it and nobody
        changed it since (that record lists its SHA-256); an edited one, one without a
        record (a table with the same header from elsewhere, or written by an older
        version) and any other file only with ``force=True``.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write; its folder must exist (else OutputError).
        force : bool, default False
            Replace an existing file that forecast did not write, or that changed since.

        Raises
        ------
        OutputError
            For a missing folder, a link, or an existing file forecast did not write or
            that changed since (without `force`), before anything is written; the message
            names the file and the fix.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
        >>> AnnualSeries([2023, 2024], [31.0, 31.6]).to_csv(path)
        >>> path.read_text().splitlines()
        ['year,value,unit', '2023,31.0,USD_bn', '2024,31.6,USD_bn']
        """
        check_bool("force", force)
        check_own_file(path, force=force, what="series file", seal=_SEAL)
        frame = pd.DataFrame({"year": self.years, "value": self.values, "unit": self.unit})
        if self.name:
            frame["name"] = self.name
        text = frame.to_csv(index=False, lineterminator="\n")
        write_own(path, text.encode("utf-8"), force=force, what="series file", seal=_SEAL)


def _file_label(df: pd.DataFrame, column: str, given: str | None, default: str,
                path: str | os.PathLike[str]) -> str:
    """The series' `column` ("unit" or "name") from the argument and the file's column.

    The file's column must hold one value; an argument that contradicts it is refused.
    """
    if column not in df.columns:
        return default if given is None else given
    values = df[column].dropna().astype(str).str.strip().unique()
    where = f"series CSV {os.fspath(path)!r}"
    if len(values) > 1:
        raise DataError(
            f"{where} column {column!r} must hold one value (one series per file); got "
            f"{list(values[:4])}. Split the file by {column}, or drop the column and pass "
            f"{column}=...")
    found = str(values[0]) if len(values) else None
    if given is not None and found is not None and given != found:
        raise DataError(
            f"{where} says {column} {found!r}; got {column}={given!r}. Leave {column} out to "
            f"use the file's, or correct the file's {column!r} column.")
    if given is not None:
        return given
    return default if found is None else found


PLAIN_DIGITS = "Write plain ASCII digits, e.g. 2015 or 31.59 (no separators)"


def _not_a_number(cell: object) -> str:
    """What is wrong with a cell that is not a plain ASCII number, in the same words for
    a CSV file (:meth:`AnnualSeries.from_csv`) and a str value passed in Python."""
    return f"{cell!r} is not a number{number_hint(str(cell).strip())}. {PLAIN_DIGITS}"


def _check_text(values: object) -> None:
    """Refuse text values that are not plain ASCII numbers, as a CSV file's are refused.

    Python's float() reads "１２" (full-width), "1_000" and "١٢" (Arabic-Indic), and
    numpy with it; the records and series CSV files do not (docs/reliability.md).

    Examples
    --------
    >>> _check_text(["31.5", 32.0])
    >>> _check_text(["１", "2"])
    Traceback (most recent call last):
    ...
    forecast.errors.SeriesError: series values must be numbers; at position 0, '１' is not \
a number (write the digits 0-9: full-width and other scripts' digits are not read). Write \
plain ASCII digits, e.g. 2015 or 31.59 (no separators), or pass floats.
    """
    kind = getattr(getattr(values, "dtype", None), "kind", None)
    if kind not in ("U", "S", "O") and not isinstance(values, list | tuple):
        return
    try:
        items = np.ravel(np.asarray(values, dtype=object))
    except (TypeError, ValueError):
        return  # not a flat list: reported when converted to floats
    for i, x in enumerate(items):
        text = x.decode("ascii", "replace") if isinstance(x, bytes | np.bytes_) else x
        if isinstance(text, str) and not NUMBER_RE.match(text.strip()):
            raise SeriesError(f"series values must be numbers; at position {i}, "
                              f"{_not_a_number(text)}, or pass floats.", field="values")


def _check_real(values: object) -> None:
    """Refuse booleans and complex numbers as values: numpy would read True as 1.0 and
    drop an imaginary part (with a warning at most); neither is a level.

    Examples
    --------
    >>> _check_real([1.0, 2])
    >>> _check_real(np.array([1 + 2j, 3]))
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: series values must be real numbers; got (1+2j) \
(complex128) at position 0. Pass the levels as floats (np.real(values) if the imaginary \
parts are meant to be zero).
    """
    kind = getattr(getattr(values, "dtype", None), "kind", None)
    if kind in ("b", "c"):
        items: Iterable[object] = np.ravel(np.asarray(values))
    elif kind == "O" or isinstance(values, list | tuple):
        try:
            items = np.ravel(np.asarray(values, dtype=object))
        except (TypeError, ValueError):
            return  # not a flat list of numbers: reported when converted to floats
    else:
        return
    for i, x in enumerate(items):
        if isinstance(x, bool | np.bool_):
            raise ForecastTypeError(
                f"series values must be numbers, not booleans; got {x} at position {i}. "
                "Pass the levels as floats, e.g. [22.5, 24.0].", field="values")
        if isinstance(x, complex | np.complexfloating):
            raise ForecastTypeError(
                f"series values must be real numbers; got {x} ({type(x).__name__}) at "
                f"position {i}. Pass the levels as floats (np.real(values) if the imaginary "
                "parts are meant to be zero).", field="values")


def _check_years(years: np.ndarray) -> np.ndarray:
    """Int64 calendar years in YEAR_RANGE, consecutive; whole floats are accepted."""
    if (
        years.dtype.kind == "f"
        and np.all(np.isfinite(years))
        and np.all(years == np.round(years))
    ):
        years = years.astype(np.int64)
    if years.dtype.kind not in "iu":
        raise SeriesError(
            f"`years` must be int calendar years; got {years[:3].tolist()!r} "
            f"(dtype {years.dtype}). Convert them with int()."
        )
    years = years.astype(np.int64)
    outside = (years < YEAR_RANGE[0]) | (years > YEAR_RANGE[1])
    if np.any(outside):
        bad = int(years[np.flatnonzero(outside)[0]])
        raise SeriesError(
            f"`years` must be calendar years in [{YEAR_RANGE[0]}, {YEAR_RANGE[1]}]; got "
            f"{bad}. Pass four-digit years such as 2015 (not an index or a date number)."
        )
    steps = np.diff(years)
    if np.any(steps != 1):
        i = int(np.flatnonzero(steps != 1)[0])
        a, b = int(years[i]), int(years[i + 1])
        if b > a + 1:
            missing = ", ".join(str(y) for y in range(a + 1, min(b, a + 4)))
            more = ", ..." if b - a > 4 else ""
            raise SeriesError(
                f"series has a gap: {missing}{more} missing between {a} and {b}; "
                "fill it or pass a History (forecast.reconstruct) instead."
            )
        raise SeriesError(
            f"`years` must increase by one; got {a} followed by {b}. "
            "Sort the series and remove duplicate years."
        )
    return years
