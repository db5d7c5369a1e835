"""Input checks of the backtests (private): data kind, specs, origins, extra keywords,
summary groups.

Split from :mod:`forecast.evaluation.backtests` so that module keeps to the designs and
their scoring; every check raises a :class:`~forecast.errors.ForecastError` naming the
argument, the value and the fix.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import inspect
import numbers
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np
import pandas as pd

from .._keywords import unexpected_keyword
from .._validation import check_int, check_spec
from ..errors import DataError, ForecastTypeError, ParameterError
from ..history import reconstruct
from ..records import Records
from ..records.schema import period_end_date
from ..series import AnnualSeries

__all__: list[str] = []

MIN_TRAIN = 6  # default origins leave at least this many training years

#: keyword arguments that backtest() passes on to forecast.reconstruct (Records only)
RECONSTRUCT_KW = tuple(k for k in inspect.signature(reconstruct).parameters if k != "records")
_OWN_KW = ("origins", "horizon", "n_paths", "seed", "executor", "levels", "progress")


def _check_reconstruct_kw(kind: str, data: Any, kw: dict[str, Any]) -> None:
    """Refuse extra keyword arguments that would be ignored (a typo, or a series)."""
    if not kw:
        return
    bad = [k for k in kw if kind != "records" or k not in RECONSTRUCT_KW]
    if not bad:
        return
    key = bad[0]
    if kind == "records":
        why = (f"it is neither an argument of the backtest ({', '.join(_OWN_KW)}) nor of "
               f"forecast.reconstruct ({', '.join(RECONSTRUCT_KW)})")
    else:
        why = (f"extra keyword arguments go to forecast.reconstruct and apply only when "
               f"`data` is Records, but `data` is {type(data).__name__}; the backtest's own "
               f"arguments are {', '.join(_OWN_KW)}")
    raise unexpected_keyword(key, kw[key], _OWN_KW + (RECONSTRUCT_KW if kind == "records"
                                                      else ()), why)


def _check_by(by: object) -> list[str]:
    """`by` of :func:`summarize` as a list of names (None: the default grouping)."""
    if by is None:
        return ["model", "target", "horizon"]
    if isinstance(by, str):  # by="model": one column, not five letters
        return [by]
    items = list(by) if isinstance(by, Iterable) and not isinstance(
        by, Mapping | AbstractSet | bytes) else None
    if items is None or not all(isinstance(b, str) for b in items):
        raise ForecastTypeError(f"`by` must be a column name, a sequence of them or None; got "
                                f"{by!r} ({type(by).__name__}). Pass e.g. by=('model', "
                                "'horizon'), by='model', or by=() for one overall row.",
                                field="by")
    return items


def _kind(data: Any) -> str:
    if isinstance(data, AnnualSeries):
        return "series"
    if isinstance(data, Records):
        return "records"
    if hasattr(data, "series") and hasattr(data, "draws"):
        return "history"
    raise ForecastTypeError(
        f"`data` must be an AnnualSeries, a History or Records; got {type(data).__name__}. "
        "Pass forecast.reconstruct(...) or forecast.load_releases()."
    )


def _check_spec(spec: Any) -> None:
    check_spec(spec)


def _series_origins(series: AnnualSeries, spec_min: int, origins: Any) -> list[int]:
    lo = series.first_year + max(int(spec_min), MIN_TRAIN) - 1
    hi = series.last_year - 1
    if origins is None:
        if hi < lo:
            need = lo - series.first_year + 2  # a training window and one year to score
            n = len(series)
            raise ParameterError(
                f"the series ({series.first_year}-{series.last_year}, {n} year"
                f"{'' if n == 1 else 's'}) is too short for a backtest of this model: it "
                f"needs at least {need} years (a training window of {need - 1} ending at the "
                f"first origin, then a year to score). Pass a series of {need} years or more.",
                field="series")
        return list(range(lo, hi + 1))
    if isinstance(origins, numbers.Integral):
        origins = [origins]
    origins = _origin_list(origins, f"last training years such as {hi - 3}")
    out = []
    for o in origins:
        if (isinstance(o, numbers.Real) and not isinstance(o, bool) and o > hi
                and float(o).is_integer()):  # a forecast from it has no year with a truth
            raise ParameterError(
                f"`origins` must be last training years in [{series.first_year}, {hi}]; got "
                f"{int(o)}: the data end in {series.last_year}, so no year forecast from "
                f"{int(o)} has a truth to score it. Pass origins up to {hi}.",
                field="origins")
        out.append(check_int("origins", o, series.first_year, hi, "Origins are the last "
                             f"training years, in [{series.first_year}, {hi}]."))
    return sorted(set(out))


def _origin_list(origins: Any, example: str) -> list[Any]:
    """`origins` as a non-empty list, or an error saying what to pass."""
    try:
        out = list(origins)
    except TypeError:
        raise ForecastTypeError(f"`origins` must be a year, a date or a sequence of them; got "
                                f"{origins!r} ({type(origins).__name__}). Pass {example}.",
                                field="origins") from None
    if not out:
        raise ParameterError(f"`origins` must hold at least one origin; got {origins!r}. Pass "
                             f"{example}, or leave it out (None) for the default origins.",
                             field="origins")
    return out


#: the first default pseudo-real-time origin (June 2013): the releases before it are too
#: few to rebuild a history from
FIRST_DEFAULT_ORIGIN = 2013


def _records_origins(records: Any, origins: Any) -> list[str]:
    """The canonical labels (:func:`origin_label`) of pseudo-real-time `origins`, in the
    order given; origins naming the same cut-off (``2019``, ``"2019-12"``) are kept once."""
    if origins is None:
        years = records.frame["published_date"].dt.year
        first, last = int(years.min()), int(years.max())
        origins = [f"{y}-06" for y in range(max(first, FIRST_DEFAULT_ORIGIN), last + 1)]
        if not origins:  # say why there is no default, not "origins must hold one"
            latest = records.frame["published_date"].max().date()
            raise DataError(
                f"the default pseudo-real-time origins are June of each year from "
                f"{FIRST_DEFAULT_ORIGIN} to the latest publication, but the latest record was "
                f"published {latest}; got no origin. Pass records published in "
                f"{FIRST_DEFAULT_ORIGIN} or later (a later as_of), or origins=[...] of your "
                "own.", field="origins")
    if isinstance(origins, str | numbers.Integral | _dt.date | np.datetime64 | pd.Period):
        origins = [origins]
    origins = _origin_list(origins, "publication cut-offs such as ['2019-06', '2022-06']")
    return list(dict.fromkeys(origin_label(o) for o in origins))


_ORIGIN_FIX = ("Pass publication cut-offs as 'YYYY-MM' or 'YYYY-MM-DD' text (e.g. '2019-06': "
               "known by 30 June 2019), years (their end), or datetime.date, pd.Timestamp or "
               "pd.Period values.")


def origin_label(origin: object) -> str:
    """The canonical label of a pseudo-real-time origin: its publication cut-off date as
    ``"YYYY-MM"`` when that is the last day of a month (a year means its end, so
    ``"YYYY-12"``), else as ``"YYYY-MM-DD"``.

    One cut-off has one label however it is written: text (``"2019-6"``), a year, a
    ``datetime.date``, a ``pd.Timestamp`` or ``np.datetime64`` (the day, as
    ``Records.filter(as_of=...)`` reads it) or a ``pd.Period`` (its last day).

    Raises
    ------
    ForecastTypeError
        For another type (a float, a bool, None).
    ParameterError
        For text that is not a calendar date, a year outside [1900, 2200] or NaT.

    Examples
    --------
    >>> import datetime
    >>> [origin_label(o) for o in ("2019-6", 2019, "2019-06-30", datetime.date(2019, 6, 15),
    ...                            pd.Timestamp("2019-06-30 12:00"), pd.Period("2019Q2"))]
    ['2019-06', '2019-12', '2019-06', '2019-06-15', '2019-06', '2019-06']
    """
    if isinstance(origin, bool) or not isinstance(
            origin, str | numbers.Integral | _dt.date | np.datetime64 | pd.Period):
        raise ForecastTypeError(f"`origins` of a pseudo-real-time backtest must be dates or "
                                f"years; got {origin!r} ({type(origin).__name__}). "
                                f"{_ORIGIN_FIX}", field="origins")
    if isinstance(origin, numbers.Integral):
        if not 1900 <= origin <= 2200:
            raise ParameterError(f"`origins` must be years in [1900, 2200] or dates; got "
                                 f"{origin}. {_ORIGIN_FIX}", field="origins")
        day = _dt.date(int(origin), 12, 31)
    elif isinstance(origin, str):
        found = period_end_date(origin)
        if found is None:
            raise ParameterError(f"`origins` must be 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' text "
                                 f"naming a real calendar date from 1900; got {origin!r}. "
                                 f"{_ORIGIN_FIX}", field="origins")
        day = found
    else:
        ts = origin.end_time if isinstance(origin, pd.Period) else pd.Timestamp(origin)
        if pd.isna(ts):
            raise ParameterError(f"`origins` must be dates; got {origin!r}. {_ORIGIN_FIX}",
                                 field="origins")
        day = ts.date()
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return (f"{day.year:04d}-{day.month:02d}" if month_end
            else f"{day.year:04d}-{day.month:02d}-{day.day:02d}")
