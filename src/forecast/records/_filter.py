"""The row selection behind :meth:`forecast.records.Records.filter` (private).

Every argument is checked against the schema's vocabulary (a typo raises with a
did-you-mean); markets are an open vocabulary, so a market that no row has warns instead.
A sum of markets matches in any order (``"HK+US"`` finds the rows stored as ``"US+HK"``).
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .._validation import check_int, user_stacklevel
from ..errors import ForecastTypeError, ParameterError
from . import schema as S

__all__ = ["filter_mask"]

_FILTERS = ("market", "segment", "flow", "measure", "months", "year", "basis", "confidence",
            "as_of")


def filter_mask(f: pd.DataFrame, market=None, segment=None, flow=None, measure=None,
                months=None, year=None, basis=None, confidence=None, as_of=None,
                **unknown) -> np.ndarray:
    """Boolean mask of the rows of the records frame `f` that match every given argument."""
    if unknown:
        _unknown_filter(unknown)
    keep = np.ones(len(f), dtype=bool)
    if market is not None:
        vals = _values("market", market)
        for v in vals:
            msg = S.market_problem(v) if isinstance(v, str) else f"{v!r} is not text"
            if msg is not None:
                raise ParameterError(f"`market`: {msg}")
        vals = [S.canonical_market(v) for v in vals]  # as stored: "HK+US" finds "US+HK"
        keep &= f["market"].isin(vals).to_numpy()
        _warn_absent_markets(vals, f["market"])
    for name, arg in (("segment", segment), ("flow", flow), ("measure", measure),
                      ("basis", basis), ("confidence", confidence)):
        if arg is not None:
            vals = [_check_choice(name, v, S.VOCABULARY[name]) for v in _values(name, arg)]
            keep &= f[name].isin(vals).to_numpy()
    if months is not None:
        vals = [check_int("months", v, 1, 12, "months counts from January (12 = full "
                          "year).") for v in _values("months", months)]
        keep &= f["months"].isin(vals).to_numpy()
    if year is not None:
        vals = [check_int("year", v, *S.YEAR_RANGE, "Pass a calendar year, e.g. 2023.")
                for v in _values("year", year)]
        keep &= f["year"].isin(vals).to_numpy()
    if as_of is not None:
        keep &= (f["published_date"] <= _as_of_end(as_of)).to_numpy()
    return keep


def _warn_absent_markets(values: list, present: pd.Series) -> None:
    """Warn for each market in `values` that no row of `present` has (a likely typo)."""
    have = sorted(set(present))
    for v in values:
        if have and v not in have:
            warnings.warn(f"Records.filter: no record has market {v!r}, so none is kept "
                          f"for it; the markets here are {', '.join(have)}."
                          f"{S.suggest(v, have)}", stacklevel=user_stacklevel())


def _unknown_filter(unknown: dict) -> None:
    key, value = next(iter(unknown.items()))
    hint = S.suggest(key, _FILTERS)
    raise ForecastTypeError(f"Records.filter has no argument `{key}` (got {key}={value!r}); "
                            f"filter by {', '.join(_FILTERS)}.{hint}")


def _as_of_end(as_of: object) -> pd.Timestamp:
    fix = ("Pass a year, 'YYYY-MM' or 'YYYY-MM-DD' text, a date or a Timestamp, "
           "e.g. as_of='2023-06' (= known by 30 June 2023).")
    if isinstance(as_of, bool):
        raise ForecastTypeError(f"`as_of` must be a date; got {as_of!r}. {fix}")
    if isinstance(as_of, int | np.integer):
        y = check_int("as_of", int(as_of), 1900, 2200, fix)
        return pd.Timestamp(y, 12, 31)
    if isinstance(as_of, str):
        end = S.parse_period_end(as_of)
        if end is None:
            raise ParameterError(f"`as_of` must be 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' "
                                 f"(a real calendar date); got {as_of!r}. {fix}")
        return end
    if isinstance(as_of, _dt.date | np.datetime64):
        ts = pd.Timestamp(as_of)
        if pd.isna(ts):
            raise ParameterError(f"`as_of` must be a date; got {as_of!r}. {fix}")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.normalize()
    raise ForecastTypeError(f"`as_of` must be a date; got {as_of!r} "
                            f"({type(as_of).__name__}). {fix}")


def _values(name: str, v: object) -> list:
    if isinstance(v, str) or not isinstance(v, Iterable):
        return [v]
    out = list(v)
    if not out:
        raise ParameterError(f"`{name}` must be a value or a non-empty list of values; got "
                             f"{v!r}. Pass None to keep every {name}.")
    return out


def _check_choice(name: str, v: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(v, str) or v not in allowed:
        shown = "', '".join(allowed)
        hint = S.suggest(v, allowed) if isinstance(v, str) else ""
        raise ParameterError(f"`{name}` must be one of '{shown}' (or a list of them); "
                             f"got {v!r}.{hint}")
    return v
