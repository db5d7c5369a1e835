"""The model contract: the :class:`ModelSpec` protocol, :class:`Fit` and the shared spec logic.

``_Spec`` holds what every family shares (length check, multiple imputation over History
draws, error wrapping); a family implements only ``_estimate(y) -> Estimate``. A
:class:`Fit` is made only by a spec and simulates log-level paths with the library's own
recursions (:mod:`forecast.models.linear`), not statsmodels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .._validation import as_seed_sequence, check_int, check_levels, readonly, seed_record
from ..errors import ForecastError, ForecastTypeError, ModelError
from ..series import AnnualSeries
from . import estimation as fam
from ._args import Params, as_data, check_innovations, forecast_frame
from .linear import Linear, simulate_mixture

__all__ = ["DEFAULT_IMPUTATIONS", "Fit", "ModelSpec"]

#: number of history draws a spec fits on when given a History (multiple imputation)
DEFAULT_IMPUTATIONS = 20
#: paths and seed behind ``Fit.forecast`` when it cannot be computed analytically
FORECAST_PATHS, FORECAST_SEED = 40_000, 20_251_126
_TOKEN = object()


@runtime_checkable
class ModelSpec(Protocol):
    """What every model spec provides: a name, a minimum length and ``fit``."""

    name: str
    min_length: int

    def fit(self, data: Any, *, seed: Any = None) -> Fit: ...


@dataclass(frozen=True, eq=False)
class Fit:
    """A fitted model: estimates, residuals and a fast path simulator.

    Made only by ``spec.fit(data)``. It holds plain arrays and dataclasses (no
    statsmodels objects), so it pickles cheaply for process pools.

    Attributes
    ----------
    spec : ModelSpec
        The spec that was fitted.
    series : AnnualSeries
        The series fitted (the History median when fitted on a History).
    params : Mapping[str, float]
        Estimates by name (averaged over imputations for a History; combination
        weights ``weight.<family>`` for ``Auto``).
    aicc : float
        Small-sample AIC of the family's own likelihood (NaN for an ``Auto``
        combination, whose members' AICc are in ``summary()``).
    residuals : ndarray
        One-step in-sample errors on the log scale, read-only.
    notes : tuple of str
        What happened during fitting (skipped families, imputations, orders).
    """

    spec: Any
    series: AnnualSeries
    params: Mapping[str, float]
    aicc: float
    residuals: np.ndarray
    notes: tuple[str, ...] = ()
    components: tuple[Linear, ...] = field(default=(), repr=False)
    weights: np.ndarray = field(default_factory=lambda: np.ones(1), repr=False)
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise ForecastTypeError(
                "Fit objects are made by a model spec; got a direct Fit(...) call. "
                "Use e.g. forecast.DampedTrend().fit(series)."
            )
        w = np.asarray(self.weights, dtype=float)
        if not self.components or w.shape != (len(self.components),) or abs(w.sum() - 1) > 1e-9:
            raise ModelError("a Fit needs components with weights summing to 1.")
        object.__setattr__(self, "weights", readonly(w))
        object.__setattr__(self, "params", Params(self.params))
        object.__setattr__(self, "residuals", readonly(np.array(self.residuals, dtype=float)))

    @property
    def name(self) -> str:
        """The spec's name, e.g. ``"DampedTrend"``."""
        return str(self.spec.name)

    @property
    def last_year(self) -> int:
        """The last fitted year; simulated paths start the year after."""
        return self.series.last_year

    @property
    def unit(self) -> str:
        """Unit of the fitted series (paths are logs of values in this unit)."""
        return self.series.unit

    def years(self, h: int) -> np.ndarray:
        """The forecast years last_year+1 .. last_year+h."""
        h = check_int("h", h, 1, 200, "Pass a horizon of 1 to 200 years.")
        return np.arange(self.last_year + 1, self.last_year + 1 + h, dtype=np.int64)

    def simulate(self, h: int, n_paths: int, seed: Any = None,
                 innovations: np.ndarray | None = None) -> np.ndarray:
        """Simulate log-level paths for the years last_year+1 .. last_year+h.

        Parameters
        ----------
        h : int
            Horizon in years, 1 to 200.
        n_paths : int
            Number of paths, at least 1.
        seed : int, Generator, SeedSequence or None
            Random source (SPEC 7); an int or SeedSequence makes the output repeatable.
        innovations : ndarray of shape (n_paths, h), optional
            Standard-normal shocks to use instead of fresh draws (common random
            numbers); parameter and member draws still come from `seed`.

        Returns
        -------
        ndarray of shape (n_paths, h)
            Log levels; parameter (and, for a History, imputation) uncertainty
            included unless the spec has ``param_uncertainty=False``.
        """
        h = check_int("h", h, 1, 200, "Pass a horizon of 1 to 200 years.")
        n = check_int("n_paths", n_paths, 1, 50_000_000, "Pass e.g. n_paths=10_000.")
        e = None if innovations is None else check_innovations(innovations, n, h)
        return simulate_mixture(self.components, self.weights, n, h, as_seed_sequence(seed),
                                bool(self.spec.param_uncertainty), e)

    def point_forecast(self, h: int) -> np.ndarray:
        """The log-level point path without noise (mean of members' median paths)."""
        h = check_int("h", h, 1, 200, "Pass a horizon of 1 to 200 years.")
        return sum(w * c.mean(h) for w, c in zip(self.weights, self.components, strict=True))

    def forecast(self, h: int, levels: Any = (80, 95), *, log: bool = False) -> pd.DataFrame:
        """Forecast distribution summary per year, consistent with :meth:`simulate`.

        Analytic for a single member without parameter uncertainty; otherwise from
        ``FORECAST_PATHS`` simulated paths with a fixed seed (repeatable).

        Parameters
        ----------
        h : int
            Horizon in years.
        levels : sequence of float
            Interval levels in percent.
        log : bool
            If True report log levels, else levels in ``unit``.

        Returns
        -------
        DataFrame
            Columns ``year``, ``mean``, ``median``, then ``lower_<L>``, ``upper_<L>``
            for each level L (default ``lower_80, upper_80, lower_95, upper_95``).
        """
        h = check_int("h", h, 1, 200, "Pass a horizon of 1 to 200 years.")
        return forecast_frame(self, h, check_levels("levels", levels), log,
                              FORECAST_PATHS, FORECAST_SEED)

    def summary(self) -> str:
        """A short text report: model, data, estimates, AICc, uncertainty, notes."""
        s = self.series
        lines = [f"{self.name} fitted to {s.name or 'series'} {s.first_year}-{s.last_year} "
                 f"({len(s)} years, log {s.unit})",
                 f"members: {len(self.components)}; parameter uncertainty: "
                 f"{'on' if self.spec.param_uncertainty else 'off'}",
                 f"AICc: {self.aicc:.3f}"]
        lines += [f"  {k:<20s} {v: .6g}" for k, v in self.params.items()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _pool(spec: Any, series: AnnualSeries, ests: list[fam.Estimate],
          notes: tuple[str, ...]) -> Fit:
    """A Fit whose members are the estimates, equally weighted (a linear pool)."""
    keys = list(ests[0].params)
    params = {k: float(np.mean([e.params.get(k, np.nan) for e in ests])) for k in keys}
    n_res = min(e.residuals.size for e in ests)
    res = np.mean([e.residuals[-n_res:] for e in ests], axis=0)
    return Fit(spec, series, params, float(np.mean([e.aicc for e in ests])), res, notes,
               tuple(e.rep for e in ests), np.full(len(ests), 1.0 / len(ests)), _TOKEN)


@dataclass(frozen=True)
class _Spec:
    """Shared fitting logic; subclasses implement ``_estimate(y) -> Estimate``.

    Every spec accepts these keyword arguments besides its own.

    Parameters
    ----------
    param_uncertainty : bool, default True
        Draw the innovation variance and the parameters that enter the forecast
        linearly (drift, trend, initial states) per path; False gives the plug-in
        (statsmodels-analytic) distribution.
    imputations : int, default 20
        Number of history draws fitted and pooled when ``fit`` receives a History.
    """

    param_uncertainty: bool = field(default=True, kw_only=True)
    imputations: int = field(default=DEFAULT_IMPUTATIONS, kw_only=True)
    min_length = 3

    def __post_init__(self) -> None:
        if not isinstance(self.param_uncertainty, bool):
            raise ForecastTypeError(
                f"`param_uncertainty` must be True or False; got {self.param_uncertainty!r}."
            )
        check_int("imputations", self.imputations, 1, 1000, "Pass e.g. imputations=20.")

    @property
    def name(self) -> str:
        return type(self).__name__

    def _check_length(self, series: AnnualSeries) -> None:
        if len(series) < self.min_length:
            raise ModelError(
                f"{self.name} needs a series of at least {self.min_length} years; got "
                f"{len(series)} ({series.first_year}-{series.last_year}). Use a longer "
                "series or a simpler model such as Drift() (3 years)."
            )

    def _safe(self, y: np.ndarray) -> fam.Estimate:
        try:
            est = self._estimate(y)
        except ForecastError:
            raise
        except (ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError) as exc:
            raise ModelError(
                f"{self.name} could not be estimated on this series ({type(exc).__name__}: "
                f"{exc}). Try a simpler model such as Drift()."
            ) from None
        rep = est.rep
        if not all(np.all(np.isfinite(v)) for v in (rep.origin, rep.a, rep.b, rep.c, rep.sigma)):
            raise ModelError(f"{self.name} produced non-finite estimates on this series; "
                             "try a simpler model such as Drift().")
        return est

    def fit(self, data: Any, *, seed: Any = None) -> Fit:
        """Estimate the model on an AnnualSeries, or on History draws (see class doc).

        Parameters
        ----------
        data : AnnualSeries or History
            The series (log levels are modelled). With a History the model is fitted
            to ``imputations`` draws of the whole history and the fits are pooled:
            each simulated path follows one draw's fit chosen uniformly.
        seed : int, Generator, SeedSequence or None
            Seeds the history draws (unused for an AnnualSeries).

        Returns
        -------
        Fit
        """
        series, history = as_data(data, self.name)
        self._check_length(series)
        if history is None:
            return _pool(self, series, [self._safe(series.log_values)], ())
        draws = self._history_draws(history, series, seed)
        ests = [self._safe(np.log(d)) for d in draws]
        return _pool(self, series, ests, (
            f"multiple imputation over {len(ests)} history draws "
            f"(seed {seed_record(seed)})",))

    def _history_draws(self, history: Any, series: AnnualSeries, seed: Any) -> np.ndarray:
        draws = np.asarray(history.draws(self.imputations, seed=as_seed_sequence(seed)),
                           dtype=float)
        if draws.shape != (self.imputations, len(series)) or not np.all(draws > 0):
            raise ModelError(
                f"History.draws must return positive levels of shape "
                f"({self.imputations}, {len(series)}); got {draws.shape}."
            )
        return draws
