"""The model contract: :class:`ModelSpec`, :class:`Estimate`, :class:`Fit` and :class:`FitLike`.

A spec is a frozen dataclass of constructor arguments. ``spec.fit(data)`` resolves the
working scale (:mod:`forecast.models.scale`), estimates the family on the series or on
history draws (``estimate_batch``), calibrates each member and pools them into the
Fit's Gaussian forecast distribution (:mod:`forecast.models.gaussian`). A new family
subclasses :class:`ModelSpec` and implements ``estimate(y) -> Estimate`` for one
series on its working scale (``docs/extending.md``); the built-in families override
``estimate_batch`` to estimate all history draws at once.

Examples
--------
>>> import forecast
>>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12.5, 13, 15, 16, 18.5, 20, 21, 24])
>>> fit = forecast.Drift().fit(s)
>>> fit.simulate(h=3, n_paths=4, seed=1).shape
(4, 3)
>>> list(fit.forecast(2)["year"])
[2025, 2026]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .._seeds import as_seed_sequence
from .._validation import check_int, check_levels, readonly
from ..errors import ForecastError, ForecastTypeError, ModelError
from ..series import AnnualSeries
from . import gaussian, scale
from ._args import Params, as_data, check_innovations, forecast_frame, matmul_rows
from .linear import Estimate, Linear

__all__ = ["DEFAULT_IMPUTATIONS", "Estimate", "Fit", "FitLike", "ModelSpec"]

#: number of history draws a spec fits on when given a History (multiple imputation)
DEFAULT_IMPUTATIONS = 20
MAX_H = 200
_TOKEN = object()


@runtime_checkable
class FitLike(Protocol):
    """What :func:`forecast.project`, backtests, sensitivity and the report need of a fit."""

    name: str
    series: AnnualSeries
    last_year: int
    unit: str

    def simulate(self, h: int, n_paths: int, seed: Any = None,
                 innovations: np.ndarray | None = None) -> np.ndarray: ...

    def point_forecast(self, h: int) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class Fit:
    """A fitted model: estimates and its Gaussian forecast distribution on the working scale.

    Made only by ``spec.fit(data)``. It holds plain arrays and small dataclasses, so it
    crosses process boundaries cheaply.

    Attributes
    ----------
    spec : ModelSpec
        The spec that was fitted.
    series : AnnualSeries
        The series fitted (the History median when fitted on a History).
    params : Mapping[str, float]
        Estimates by name (averaged over history draws; combination weights
        ``weight.<family>`` for ``Auto``), plus ``scale.lambda`` and the mean
        calibration factor ``calibration``.
    aicc : float
        Small-sample AIC of the family's own likelihood (NaN for an ``Auto``
        combination, whose members' AICc are in ``params``).
    residuals : ndarray
        One-step in-sample errors on the working scale, read-only.
    notes : tuple of str
        What happened during fitting (skipped families, imputations, orders, seed).
    components : tuple of Linear
        The calibrated members (one per family and history draw).
    weights : ndarray
        Their weights in the combination, summing to 1.
    lam : float
        Box-Cox lambda of the working scale (0 = log, 1 = level).
    seed : int or tuple or None
        Entropy of the history draws (None when fitted on an AnnualSeries).

    Examples
    --------
    >>> import forecast
    >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12.5, 13, 15, 16, 18.5, 20, 21, 24],
    ...                           name="US")
    >>> forecast.Drift(scale="log").fit(s)
    Fit(Drift, 'US' 2015-2024 USD_bn, log scale, 1 member, drift=0.0973, sigma=0.0416, \
aicc=-26.8)
    """

    spec: Any
    series: AnnualSeries
    params: Mapping[str, float]
    aicc: float
    residuals: np.ndarray
    notes: tuple[str, ...] = ()
    components: tuple[Linear, ...] = field(default=(), repr=False)
    weights: np.ndarray = field(default_factory=lambda: np.ones(1), repr=False)
    lam: float = 0.0
    seed: Any = None
    calibrations: tuple[tuple[float, float, int], ...] = field(default=(), repr=False)
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
        object.__setattr__(self, "_moments", {})
        object.__setattr__(self, "_floor", scale.floor_log(self.series.values))

    def __repr__(self) -> str:
        # one line: a Fit holds the series, residuals and up to 1000 members, which the
        # dataclass repr would print in full; summary() gives every estimate
        s = self.series
        scale_ = {0.0: "log scale", 1.0: "level scale"}.get(self.lam, f"lambda={self.lam:.3g}")
        n = len(self.components)
        shown = [f"{k}={v:.3g}" for k, v in self.params.items()
                 if not k.startswith(("scale.", "calibration", "aicc."))][:4]
        if self.aicc == self.aicc:  # a combination has none (NaN): its members' are in params
            shown.append(f"aicc={self.aicc:.3g}")
        return (f"Fit({self.name}, {s.name!r} {s.first_year}-{s.last_year} {s.unit}, "
                f"{scale_}, {n} member{'s' if n != 1 else ''}"
                + "".join(f", {x}" for x in shown) + ")")

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_moments"] = {}
        return state

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
        """The forecast years last_year+1 .. last_year+h.

        Parameters
        ----------
        h : int
            Horizon in years, 1 to 200.

        Returns
        -------
        ndarray of int64, shape (h,)
        """
        h = check_int("h", h, 1, MAX_H, "Pass a horizon of 1 to 200 years.")
        return np.arange(self.last_year + 1, self.last_year + 1 + h, dtype=np.int64)

    def moments(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean (h,) and lower-triangular factor (h, h) of the working-scale forecast.

        The distribution of the next h values on the working scale is Gaussian with this
        mean and covariance ``L @ L.T``: the members' mixture, moment-matched.

        Parameters
        ----------
        h : int
            Horizon in years, 1 to 200.

        Returns
        -------
        tuple of ndarray
            ``(mean, L)``, read-only, shapes (h,) and (h, h).
        """
        h = check_int("h", h, 1, MAX_H, "Pass a horizon of 1 to 200 years.")
        hit = self._moments.get(h)
        if hit is None:
            ms = [self._member_moments(i, h) for i in range(len(self.components))]
            if len(ms) == 1:
                mean, cov = ms[0]
            else:
                mean, cov = gaussian.pool(np.stack([m for m, _ in ms]),
                                          np.stack([c for _, c in ms]), self.weights)
            hit = (readonly(np.array(mean)), readonly(gaussian.factor(cov)))
            if len(self._moments) > 16:
                self._moments.clear()
            self._moments[h] = hit
        return hit

    def _member_moments(self, i: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        mean, cov = self.components[i].moments(h)
        if self.calibrations:
            root = np.sqrt(gaussian.horizon_factor(self.calibrations[i], h))
            cov = cov * root[:, None] * root[None, :]
        return mean, cov

    def to_log_level(self, z: np.ndarray) -> np.ndarray:
        """Log levels for working-scale values (censored at the floor, see ``scale``).

        Parameters
        ----------
        z : ndarray
            Values on the working scale (Box-Cox lambda ``lam``).

        Returns
        -------
        ndarray
            Same shape: the log of the level each value stands for.
        """
        return scale.to_log_level(z, self.lam, self._floor)

    @property
    def floor_log(self) -> float:
        """Log of the level at which paths are censored; -inf on the log scale.

        On a Box-Cox working scale with lambda > 0 a value below ``-1 / lambda`` has no
        positive level; such paths are censored at one millionth of the smallest
        observation (:mod:`forecast.models.scale`). On the log scale (lambda = 0) every
        value has a level and nothing is censored.
        """
        return -np.inf if self.lam == 0.0 else float(self._floor)

    def censored_share(self, h: int) -> np.ndarray:
        """Probability (h,) that the level has left the working scale by each year.

        The share of the forecast distribution below the Box-Cox boundary ``-1 / lambda``
        (zeros on the log scale): the share of simulated baseline paths that
        :meth:`simulate` censors at :attr:`floor_log`. Additive shocks on a near-level
        scale reach it at long horizons; :func:`forecast.project` warns when it
        exceeds 1%.

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2010, 2025), [10.0 + i for i in range(15)])
        >>> fit = forecast.Drift(scale="level").fit(s)
        >>> bool(fit.censored_share(60)[-1] < 0.01), float(fit.censored_share(5)[0])
        (True, 0.0)
        """
        mean, L = self.moments(h)
        if self.lam == 0.0:
            return np.zeros(h)
        sd = np.sqrt(np.einsum("ij,ij->i", L, L))
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (-1.0 / self.lam - mean) / sd
        # sd = 0 at the boundary itself gives NaN: half the mass is on either side
        return np.array([0.5 if v != v else NormalDist().cdf(v) for v in u.tolist()])

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
            numbers): the paths are then a function of `innovations` alone.

        Returns
        -------
        ndarray of shape (n_paths, h)
            Log levels. Path ``i`` is ``g^-1(mean + L e_i)`` with ``e_i`` standard normal
            and ``(mean, L)`` from :meth:`moments`.

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12, 13, 15, 16, 18, 20, 21, 24])
        >>> forecast.Drift().fit(s).simulate(h=5, n_paths=1000, seed=1).shape
        (1000, 5)
        """
        h = check_int("h", h, 1, MAX_H, "Pass a horizon of 1 to 200 years.")
        n = check_int("n_paths", n_paths, 1, 50_000_000, "Pass e.g. n_paths=10_000.")
        if innovations is None:
            e = np.random.default_rng(as_seed_sequence(seed)).standard_normal((n, h))
        else:
            e = check_innovations(innovations, n, h)
        mean, L = self.moments(h)
        out = matmul_rows(e, L.T)
        out += mean
        if self.lam != 0.0:
            out = self.to_log_level(out)
        return out

    def point_forecast(self, h: int) -> np.ndarray:
        """The log-level median path (the back-transformed working-scale mean).

        Parameters
        ----------
        h : int
            Horizon in years, 1 to 200.

        Returns
        -------
        ndarray, shape (h,)
            Log levels for the years :meth:`years` ``(h)``.
        """
        return self.to_log_level(np.array(self.moments(h)[0]))

    def forecast(self, h: int, levels: Any = (80, 95), *, log: bool = False) -> pd.DataFrame:
        """Forecast distribution summary per year, exact (no simulation).

        Parameters
        ----------
        h : int
            Horizon in years, 1 to 200.
        levels : float or sequence of float, default (80, 95)
            Interval levels in percent, each in (0, 100) (80, not 0.8).
        log : bool, default False
            If True report log levels, else levels in ``unit``.

        Returns
        -------
        DataFrame
            Columns ``year``, ``mean``, ``median``, then ``lower_<L>``, ``upper_<L>``
            for each level L (default ``lower_80, upper_80, lower_95, upper_95``).

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12, 13, 15, 16, 18, 20, 21, 24])
        >>> forecast.Drift().fit(s).forecast(3, levels=80).columns.tolist()
        ['year', 'mean', 'median', 'lower_80', 'upper_80']
        """
        h = check_int("h", h, 1, MAX_H, "Pass a horizon of 1 to 200 years.")
        if not isinstance(log, bool | np.bool_):
            raise ForecastTypeError(f"`log` must be True or False; got {log!r}. Pass "
                                    "log=True for log levels.")
        return forecast_frame(self, h, check_levels("levels", levels), log)

    def summary(self) -> str:
        """A short text report: model, data, scale, estimates, AICc, notes.

        Returns
        -------
        str
            Several lines; ``print(fit.summary())`` to read them.

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12, 13, 15, 16, 18, 20, 21, 24])
        >>> print(forecast.Drift(scale="log").fit(s).summary().splitlines()[0])
        Drift fitted to series 2015-2024 (10 years, USD_bn; Box-Cox lambda 0)
        """
        s = self.series
        lines = [f"{self.name} fitted to {s.name or 'series'} {s.first_year}-{s.last_year} "
                 f"({len(s)} years, {s.unit}; Box-Cox lambda {self.lam:.3g})",
                 f"members: {len(self.components)}; parameter uncertainty: "
                 f"{'on' if self.spec.param_uncertainty else 'off'}; calibration: "
                 f"{'on' if getattr(self.spec, 'calibrate', False) else 'off'}",
                 f"AICc: {self.aicc:.3f}"]
        lines += [f"  {k:<20s} {v: .6g}" for k, v in self.params.items()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def make_fit(spec: Any, series: AnnualSeries, ests: list[Estimate], lam: float,
             notes: tuple[str, ...], seed: Any = None,
             weights: np.ndarray | None = None, extra: Mapping[str, float] | None = None,
             aicc: float | None = None, average: bool = True) -> Fit:
    """Calibrate the estimates and pool them into a Fit (equal weights by default).

    With `average`, ``Fit.params`` holds the members' estimates averaged by name (the
    history draws of one family); a combination of families passes ``average=False``
    and reports its own figures in `extra`.
    """
    calibrate = bool(getattr(spec, "calibrate", True))
    inflate = bool(getattr(spec, "param_uncertainty", True))
    factors = np.array([gaussian.variance_factor(e.calib, e.dof, calibrate, inflate)
                        for e in ests])
    comps = tuple(e.rep.scaled(f) for e, f in zip(ests, factors, strict=True))
    cals = tuple(gaussian.calibration(e.calib, e.dof) if calibrate else (1.0, 0.0, 0)
                 for e in ests)
    keys = list(ests[0].params) if average else []
    params = {k: float(np.mean([e.params.get(k, np.nan) for e in ests])) for k in keys}
    params["scale.lambda"] = float(lam)
    params["calibration"] = float(np.mean([c[0] for c in cals]))
    params["calibration.growth"] = float(np.mean([c[1] for c in cals]))
    if extra:
        params.update(extra)
    n_res = min(e.residuals.size for e in ests)
    res = np.mean([np.asarray(e.residuals)[e.residuals.size - n_res:] for e in ests], axis=0)
    w = np.full(len(ests), 1.0 / len(ests)) if weights is None else weights
    a = float(np.mean([e.aicc for e in ests])) if aicc is None else aicc
    return Fit(spec, series, params, a, res, notes, comps, w, float(lam), seed, cals, _TOKEN)


@dataclass(frozen=True)
class ModelSpec:
    """Base class of every model spec: shared arguments, validation and ``fit``.

    A family subclasses it, sets ``min_length`` and implements :meth:`estimate` (one
    series) or :meth:`estimate_batch` (many). Every spec accepts these keyword
    arguments besides its own.

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale: the Box-Cox lambda in [0, 1] (0 = log, 1 = level), or "auto"
        to choose it from the data (:mod:`forecast.models.scale`).
    param_uncertainty : bool, default True
        Integrate the linear parameters (drift, trend, initial states) and the
        estimation error of the variances into the forecast distribution; False gives
        the textbook plug-in distribution.
    calibrate : bool, default True
        Rescale the model's variance by the mean squared standardised error of its own
        out-of-sample forecasts within the sample (:mod:`forecast.models.gaussian`).
    imputations : int, default 20
        Number of history draws fitted and pooled when ``fit`` receives a History.
    """

    scale: Any = field(default="auto", kw_only=True)
    param_uncertainty: bool = field(default=True, kw_only=True)
    calibrate: bool = field(default=True, kw_only=True)
    imputations: int = field(default=DEFAULT_IMPUTATIONS, kw_only=True)
    min_length: ClassVar[int] = 3
    #: True when :meth:`estimate_batch` treats its rows as unrelated series and does not
    #: read ``scale``: :func:`forecast.models.fit_many` may then estimate many series of
    #: one length in one batch. False (safe) for outside families unless they say so.
    batch_rows: ClassVar[bool] = False

    def __post_init__(self) -> None:
        for arg in ("param_uncertainty", "calibrate"):
            v = getattr(self, arg)
            if not isinstance(v, bool):
                raise ForecastTypeError(f"`{arg}` must be True or False; got {v!r}.")
        object.__setattr__(self, "scale", scale.check_scale(self.scale))
        check_int("imputations", self.imputations, 1, 1000, "Pass e.g. imputations=20.")

    @property
    def name(self) -> str:
        """The family's name, e.g. ``"Drift"``."""
        return type(self).__name__

    # ------------------------------------------------------------------ hooks
    def estimate(self, y: np.ndarray) -> Estimate:
        """Estimate the family on one series `y` (1-D, working scale); override this."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement estimate(y) or estimate_batch(Y).")

    def estimate_batch(self, Y: np.ndarray) -> list[Estimate]:
        """Estimate on each row of `Y` (B, n); the default calls :meth:`estimate` per row."""
        return [self.estimate(np.array(y)) for y in Y]

    # ------------------------------------------------------------------- fitting
    def check_length(self, series: AnnualSeries) -> None:
        """Raise ModelError when `series` is shorter than ``min_length``.

        Parameters
        ----------
        series : AnnualSeries
            The series about to be fitted.

        Examples
        --------
        >>> import forecast
        >>> forecast.Drift().check_length(forecast.AnnualSeries([2023, 2024], [1.0, 2.0]))
        Traceback (most recent call last):
        ...
        forecast.errors.ModelError: Drift needs a series of at least 3 years; got 2 \
(2023-2024). Use a longer series or Naive() (2 years).
        """
        if len(series) < self.min_length:
            # suggest only a model that needs fewer years than this one
            fix = ("Use a longer series or a simpler model such as Drift() (3 years)."
                   if self.min_length > 3 else
                   "Use a longer series or Naive() (2 years)." if self.min_length > 2 else
                   "Use a longer series: no model is fitted to fewer than 2 years.")
            raise ModelError(
                f"{self.name} needs a series of at least {self.min_length} years; got "
                f"{len(series)} ({series.first_year}-{series.last_year}). {fix}"
            )

    def fit(self, data: Any, *, seed: Any = None) -> Fit:
        """Estimate the model on an AnnualSeries, or on History draws.

        Parameters
        ----------
        data : AnnualSeries or History
            The series. With a History the model is fitted to ``imputations`` draws of
            the whole history and the draws' forecasts are pooled (Rubin's rules).
        seed : int, Generator, SeedSequence or None
            Seeds the history draws (unused for an AnnualSeries). With None, fresh
            entropy is drawn and recorded in ``Fit.seed`` so the fit can be repeated.

        Returns
        -------
        Fit

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12, 13, 15, 16, 18, 20, 21, 24])
        >>> forecast.Theta().fit(s).name
        'Theta'
        >>> h = forecast.History(range(2015, 2025), np.log(s.values), [0.05] * 10)
        >>> forecast.Drift(imputations=5).fit(h, seed=1).notes
        ('multiple imputation over 5 history draws (seed 1)',)
        """
        series, history = as_data(data, self.name)
        check_seed(seed)  # every path, though a series alone needs no seed
        self.check_length(series)
        lam = scale.resolve(self.scale, series.values)
        if history is None:
            ests = self.safe_estimates(scale.transform(series.values, lam)[None, :])
            return make_fit(self, series, ests, lam, ())
        draws, entropy = history_draws(history, series, self.imputations, seed)
        ests = self.safe_estimates(scale.transform(draws, lam))
        return make_fit(self, series, ests, lam, (
            f"multiple imputation over {len(ests)} history draws (seed {entropy})",),
            seed=entropy)

    def safe_estimates(self, Y: np.ndarray) -> list[Estimate]:
        """:meth:`estimate_batch` with failures and non-finite results as ModelError."""
        try:
            with np.errstate(all="ignore"):
                ests = list(self.estimate_batch(Y))
        except ForecastError:
            raise
        except (ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError) as exc:
            raise ModelError(
                f"{self.name} could not be estimated on this series ({type(exc).__name__}: "
                f"{exc}). Try a simpler model such as Drift()."
            ) from None
        if len(ests) != Y.shape[0] or not all(isinstance(e, Estimate) for e in ests):
            raise ModelError(
                f"{self.name}.estimate_batch must return one Estimate per series; got "
                f"{len(ests)} for {Y.shape[0]}. Fix the family's estimator.")
        for e in ests:
            if not e.rep.is_finite():
                raise ModelError(
                    f"{self.name} produced non-finite estimates on this series; try a "
                    "simpler model such as Drift().")
        return ests

    def with_scale(self, lam: float) -> ModelSpec:
        """This spec with a fixed working scale (used by Auto to share one scale).

        Parameters
        ----------
        lam : float
            Box-Cox lambda in [0, 1].

        Returns
        -------
        ModelSpec
            A copy with ``scale=lam``.

        Examples
        --------
        >>> import forecast
        >>> forecast.Drift().with_scale(0).scale
        0.0
        """
        return dataclasses.replace(self, scale=float(lam))


def check_seed(seed: Any, name: str = "seed") -> None:
    """Refuse what is not a seed, as ``as_seed_sequence`` does (a Generator is not drawn).

    A seed is an int >= 0, a Generator, a SeedSequence or None. ``fit(series, seed=...)``
    ignores the seed, but a seed that ``fit(history, ...)`` and ``project(...)`` refuse
    must not pass silently there either.
    """
    if seed is not None and not isinstance(seed, np.random.Generator):
        as_seed_sequence(seed, name)


def history_draws(history: Any, series: AnnualSeries, k: int, seed: Any):
    """`k` whole-history draws (k, n) and the entropy that seeded them."""
    ss = as_seed_sequence(seed)
    entropy = ss.entropy if isinstance(ss.entropy, int) else tuple(ss.entropy)
    draws = np.asarray(history.draws(k, seed=ss), dtype=float)
    if draws.shape != (k, len(series)) or not np.all(np.isfinite(draws)) \
            or not np.all(draws > 0):
        raise ModelError(
            f"History.draws must return positive finite levels of shape ({k}, "
            f"{len(series)}); got shape {draws.shape}.")
    return draws, entropy
