"""Fit one spec to many series: the estimators' batches span series as well as draws.

Every built-in estimator takes a batch of rows (B, n) and treats them as unrelated
series; ``fit`` uses that for the draws of one History. :func:`fit_many` uses it across
series: the series are grouped by length, each group is estimated in one batch (each
row on its own working scale), and each series gets the Fit that ``spec.fit(series)``
would give (equal to rounding, tested). On short series, where a fit's time goes to
Python's per-call work rather than to arithmetic, the batch costs a fraction of the
separate fits (``benchmarks/bench_fit.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

import pandas as pd

from .._keywords import checked_keywords
from ..errors import ForecastTypeError, ModelError, ParameterError
from ..series import AnnualSeries
from . import scale
from .auto import Auto
from .base import Fit, ModelSpec, make_fit

__all__ = ["fit_many"]


@overload
def fit_many(spec: ModelSpec, series: Sequence[AnnualSeries], *,
             errors: Literal["raise"] = "raise") -> list[Fit]: ...


@overload
def fit_many(spec: ModelSpec, series: Sequence[AnnualSeries], *,
             errors: Literal["return"]) -> list[Fit | ModelError]: ...


@overload
def fit_many(spec: ModelSpec, series: Sequence[AnnualSeries], *,
             errors: str) -> list[Fit | ModelError]: ...


@checked_keywords
def fit_many(spec: ModelSpec, series: Sequence[AnnualSeries], *,
             errors: str = "raise") -> list[Fit] | list[Fit | ModelError]:
    """Fit `spec` to each series, batching the estimation across series of one length.

    Parameters
    ----------
    spec : ModelSpec
        Any spec, e.g. ``forecast.Auto()``. Families whose ``batch_rows`` is false
        (outside families by default, ``ARIMA()`` with a searched order) are fitted
        series by series, with the same result.
    series : sequence of AnnualSeries
        The series, in any order and of any lengths. (A History is fitted with
        ``spec.fit(history, seed=...)``: its draws are already one batch.)
    errors : {"raise", "return"}, default "raise"
        What to do when a series cannot be fitted (too short, or no family fits):
        raise its ModelError, naming the series, or put the ModelError in its place in
        the returned list.

    Returns
    -------
    list of Fit (or ModelError with ``errors="return"``)
        In the order of `series`; each as ``spec.fit(series[i])`` would return it, to
        rounding: a batch sums and multiplies over arrays of several series, so its
        forecasts may differ from a single fit's in the last bits (about 1e-14 relative
        on M1; Drift and Naive are exact). The batch a series falls in (the other series
        of its length) can therefore move its last bits too; a run that must be
        bit-identical whatever else is passed fits series one at a time.

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.05**i * (1 + 0.03 * (-1)**i) for i in range(10)]
    >>> a = forecast.AnnualSeries(range(2010, 2020), values)
    >>> values = [3 + 0.2 * i + 0.1 * (i % 3) for i in range(10)]
    >>> b = forecast.AnnualSeries(range(2012, 2022), values)
    >>> fits = forecast.fit_many(forecast.Theta(), [a, b])
    >>> [f.last_year for f in fits]
    [2019, 2021]
    """
    if not isinstance(spec, ModelSpec):
        raise ForecastTypeError(f"`spec` must be a model spec such as forecast.Auto(); got "
                                f"{type(spec).__name__}.")
    if errors not in ("raise", "return"):
        raise ParameterError(f'`errors` must be "raise" or "return"; got {errors!r}.')
    if isinstance(series, AnnualSeries | str) or not isinstance(series, Sequence):
        raise ForecastTypeError(f"`series` must be a list of AnnualSeries; got "
                                f"{type(series).__name__}. {_as_list_hint(series)}")
    for k, s in enumerate(series):
        if not isinstance(s, AnnualSeries):
            raise ForecastTypeError(
                f"`series[{k}]` must be an AnnualSeries; got {type(s).__name__}. "
                f"{_item_hint(s)}")
    out: list[Fit | ModelError | None] = [None] * len(series)
    groups: dict[int, list[int]] = {}
    for k, s in enumerate(series):
        groups.setdefault(len(s), []).append(k)
    for idx in groups.values():
        group = [series[k] for k in idx]
        fits = spec.fit_group(group) if isinstance(spec, Auto) else _family_group(spec, group)
        for k, f in zip(idx, fits, strict=True):
            out[k] = f
    if errors == "raise":
        for k, f in enumerate(out):
            if isinstance(f, ModelError):
                name = f" ({series[k].name})" if series[k].name else ""
                raise ModelError(f"series[{k}]{name}: {f}") from f
    return out  # type: ignore[return-value]


def _family_group(spec: ModelSpec, group: list[AnnualSeries]) -> list[Fit | ModelError]:
    """One family on series of one length: one batch when it can, else one by one."""
    if spec.batch_rows and len(group[0]) >= spec.min_length:
        try:
            lams, refs, Y = scale.rows(spec.scale, [s.values for s in group])
            ests = spec.safe_estimates(Y)
        except ModelError:
            pass  # a series the batch cannot take: each on its own, with its own message
        else:
            return [make_fit(spec, s, [e], lam, (), ref=ref)
                    for s, e, lam, ref in zip(group, ests, lams, refs, strict=True)]
    return [_one(spec, s) for s in group]


def _one(spec: ModelSpec, series: AnnualSeries) -> Fit | ModelError:
    try:
        return spec.fit(series)
    except ModelError as exc:
        return exc


def _as_list_hint(series: object) -> str:
    """How to turn what `fit_many` was given into a list of AnnualSeries."""
    if isinstance(series, pd.DataFrame):  # a wide frame: one column per series
        return ("For a frame with one column per series and years as the index, pass "
                "[AnnualSeries.from_pandas(df[c].dropna(), unit='USD_bn', name=c) for c in "
                "df.columns].")
    return "Pass e.g. [series_a, series_b]."


def _item_hint(item: object) -> str:
    """How to turn one item of `fit_many`'s list into an AnnualSeries."""
    if hasattr(item, "series") and hasattr(item, "draws"):  # a History, as _args.as_data
        return "Fit a History on its own, with spec.fit(history, seed=...)."
    if isinstance(item, pd.Series):
        return ("Convert it with AnnualSeries.from_pandas(s, unit='USD_bn') (years as the "
                "index).")
    return "Build it with AnnualSeries(years, values, unit=...)."
