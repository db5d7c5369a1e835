"""Input checks of the backtests (private): data kind, specs, origins, extra keywords.

Split from :mod:`forecast.evaluation.backtests` so that module keeps to the designs and
their scoring; every check raises a :class:`~forecast.errors.ForecastError` naming the
argument, the value and the fix.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any

from .._validation import check_int, check_spec
from ..errors import ForecastTypeError, ParameterError
from ..history import reconstruct
from ..records import Records
from ..records.schema import suggest
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
    hint = suggest(key, _OWN_KW + (RECONSTRUCT_KW if kind == "records" else ()))
    if key in ("workers", "n_workers", "n_jobs", "jobs", "processes"):
        hint += (" To run origins in parallel pass executor=concurrent.futures."
                 "ProcessPoolExecutor(2).")
    if kind == "records":
        why = (f"it is neither an argument of the backtest ({', '.join(_OWN_KW)}) nor of "
               f"forecast.reconstruct ({', '.join(RECONSTRUCT_KW)})")
    else:
        why = (f"extra keyword arguments go to forecast.reconstruct and apply only when "
               f"`data` is Records, but `data` is {type(data).__name__}; the backtest's own "
               f"arguments are {', '.join(_OWN_KW)}")
    raise ForecastTypeError(f"unexpected keyword argument `{key}` "
                            f"({key}={kw[key]!r}): {why}.{hint} Remove it or fix its spelling.",
                            field=key)


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
            raise ParameterError(
                f"the series ({series.first_year}-{series.last_year}, {len(series)} years) is "
                f"too short for a backtest of this model: it needs at least {need} years (a "
                f"training window of {need - 1} ending at the first origin, then a year to "
                f"score). Pass a series of {need} years or more."
            )
        return list(range(lo, hi + 1))
    if isinstance(origins, numbers.Integral):
        origins = [origins]
    origins = _origin_list(origins, f"last training years such as {hi - 3}")
    out = []
    for o in origins:
        oi = check_int("origins", o, series.first_year, hi,
                       f"Origins are the last training years, in [{series.first_year}, {hi}].")
        out.append(oi)
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


def _check_horizon(horizon: int, last: int, origins: list[int]) -> None:
    """Refuse a horizon that no origin can score (it would be silently cut short)."""
    reach = last - min(origins)
    if horizon > reach:
        raise ParameterError(
            f"`horizon` must be at most {reach}: the first origin is {min(origins)} and the "
            f"data end in {last}, so no forecast further ahead can be scored; got {horizon}. "
            f"Pass horizon <= {reach}, or earlier origins.")


def _records_origins(records: Any, origins: Any) -> list[str]:
    if origins is None:
        years = records.frame["published_date"].dt.year
        first, last = int(years.min()), int(years.max())
        origins = [f"{y}-06" for y in range(max(first, 2013), last + 1)]
    if isinstance(origins, str | numbers.Integral):
        origins = [origins]
    origins = _origin_list(origins, "publication cut-offs such as ['2019-06', '2022-06']")
    out = []
    for o in origins:
        if isinstance(o, numbers.Integral) and not isinstance(o, bool):
            out.append(str(int(o)))
        elif isinstance(o, str) and o.strip():
            out.append(o.strip())
        else:
            raise ForecastTypeError(f"pseudo-real-time origins must be dates such as '2016-06' "
                                    f"or years; got {o!r}.")
    return out
