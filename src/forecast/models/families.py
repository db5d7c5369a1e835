"""The model families: Naive, Drift, LogLinearTrend, DampedTrend, LocalLinearTrend, Theta, ARIMA.

Each spec is a frozen dataclass over :class:`~forecast.models.base._Spec` that names its
minimum length and calls its estimator in :mod:`forecast.models.estimation`. ARIMA's order
screening (``order=None``) is here too.

Examples
--------
>>> from forecast.series import AnnualSeries
>>> s = AnnualSeries(range(2015, 2025), [10, 11, 12.5, 13, 15, 16, 18.5, 20, 21, 24])
>>> fit = Drift().fit(s)
>>> fit.simulate(h=3, n_paths=4, seed=1).shape
(4, 3)
>>> list(fit.forecast(2)["year"])
[2025, 2026]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int
from ..errors import ForecastTypeError
from . import estimation as fam
from ._args import as_data
from .base import Fit, _Spec
from .estimation import aicc, arima_mle

__all__ = ["ARIMA", "DampedTrend", "Drift", "LocalLinearTrend", "LogLinearTrend", "Naive",
           "Theta"]


@dataclass(frozen=True)
class Naive(_Spec):
    """Random walk without drift on the log level: ``y_t = y_(t-1) + e_t``.

    The last value carried forward, with random-walk bands; the benchmark every
    evaluation includes (``forecast.evaluation.compare``). ``sigma`` is the root mean
    square of the log changes (maximum likelihood, no mean removed).
    """

    min_length = 2

    def _estimate(self, y):
        return fam.fit_naive(y)


@dataclass(frozen=True)
class Drift(_Spec):
    """Random walk with drift on the log level: ``y_t = y_(t-1) + mu + e_t``."""

    min_length = 3

    def _estimate(self, y):
        return fam.fit_drift(y)


@dataclass(frozen=True)
class LogLinearTrend(_Spec):
    """Deterministic linear trend on the log level, errors iid or AR(1) (``ar1=True``)."""

    ar1: bool = False

    @property
    def min_length(self) -> int:  # type: ignore[override]
        return 6 if self.ar1 else 4

    def _estimate(self, y):
        return fam.fit_trend(y, self.ar1)


@dataclass(frozen=True)
class DampedTrend(_Spec):
    """ETS(A,Ad,N) on the log level (statsmodels ``ETSModel``)."""

    min_length = 8

    def _estimate(self, y):
        return fam.fit_damped(y)


@dataclass(frozen=True)
class LocalLinearTrend(_Spec):
    """Local linear trend: level and slope random walks plus noise (statsmodels UC)."""

    min_length = 6

    def _estimate(self, y):
        return fam.fit_llt(y)


@dataclass(frozen=True)
class Theta(_Spec):
    """The theta method (theta = 2; statsmodels ``ThetaModel``): SES plus half the trend."""

    min_length = 4

    def _estimate(self, y):
        return fam.fit_theta(y)


@dataclass(frozen=True)
class ARIMA(_Spec):
    """ARIMA(p, 1, q) with drift; ``order=None`` searches p, q in 0..2 by AICc."""

    order: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.order is not None:
            if not isinstance(self.order, tuple | list) or len(self.order) != 2:
                raise ForecastTypeError(
                    f"`order` must be (p, q) or None; got {self.order!r}. The differencing "
                    "order is always 1, e.g. ARIMA(order=(1, 1)) for ARIMA(1,1,1)."
                )
            p, q = (check_int(f"order[{i}]", v, 0, 3) for i, v in enumerate(self.order))
            object.__setattr__(self, "order", (p, q))

    @property
    def name(self) -> str:
        return "ARIMA" if self.order is None else f"ARIMA({self.order[0]},1,{self.order[1]})"

    @property
    def min_length(self) -> int:  # type: ignore[override]
        return 6 if self.order is None else sum(self.order) + 6

    def _estimate(self, y):
        order = self.order if self.order is not None else select_order(y)
        est = fam.fit_arima(y, order)
        est.params["p"], est.params["q"] = map(float, order)
        return est

    def fit(self, data: Any, *, seed: Any = None) -> Fit:
        series, history = as_data(data, self.name)
        if history is None or self.order is not None:
            return super().fit(data, seed=seed)
        # choose the order once, on the median, then fit it on every history draw
        self._check_length(series)
        chosen = self._safe(series.log_values).params
        order = (int(chosen["p"]), int(chosen["q"]))
        fixed = dataclasses.replace(self, order=order)
        fit = fixed.fit(data, seed=seed)
        return dataclasses.replace(fit, spec=self, notes=(
            *fit.notes, f"order ({order[0]},1,{order[1]}) chosen on the median by AICc"))


def arima_grid(n: int, max_order: int = 2) -> list[tuple[int, int]]:
    """Orders (p, q) with p, q <= max_order that a series of length n supports."""
    return [(p, q) for p in range(max_order + 1) for q in range(max_order + 1)
            if n >= p + q + 6]


def _near_unit_root(ar: np.ndarray, ma: np.ndarray, bound: float = 1.01) -> bool:
    """True when an AR or MA root lies within `bound` of the unit circle.

    Such fits (e.g. MA(1) at -0.999 from over-differencing) are rejected, as R's
    ``auto.arima`` does, because their forecasts and intervals are unstable.
    """
    for poly in (np.r_[1.0, -ar], np.r_[1.0, ma]):
        if poly.size > 1 and np.any(poly[1:] != 0):
            roots = np.roots(poly[::-1])
            if roots.size and np.min(np.abs(roots)) < bound:
                return True
    return False


def select_order(y: np.ndarray) -> tuple[int, int]:
    """The (p, q) of the grid with the smallest exact AICc on the differences."""
    w = np.diff(y)
    best, best_order = np.inf, (0, 0)
    for p, q in arima_grid(y.size):
        llf, ar, ma, _, _ = arima_mle(w, p, q)
        if _near_unit_root(ar, ma):
            continue
        score = aicc(llf, p + q + 2, w.size)
        if score < best - 1e-9:
            best, best_order = score, (p, q)
    return best_order
