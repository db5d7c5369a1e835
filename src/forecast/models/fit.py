"""The fitted model: :class:`Fit` (a Gaussian forecast distribution on the working
scale of the series over its geometric mean, pooled from its members) and
:class:`FitLike` (what the rest of the package needs of a fit), and :func:`make_fit`,
which every spec's ``fit`` ends with.

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

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .._keywords import checked_init, checked_methods
from .._seeds import SeedLike, as_seed_sequence
from .._validation import check_bool, check_int, check_levels, readonly, user_stacklevel
from ..errors import ForecastTypeError, ModelError
from ..series import AnnualSeries
from . import gaussian, scale
from ._args import Params, check_innovations, forecast_frame, matmul_rows
from .linear import Estimate, Linear

if TYPE_CHECKING:
    from ..history import History

__all__ = ["MAX_H", "Fit", "FitLike", "SpecLike", "make_fit"]

#: the longest horizon a fit forecasts
MAX_H = 200
#: one-step standard deviation on the working scale (of the series divided by its
#: geometric mean, so relative to the level), relative to the series' largest
#: working-scale magnitude (at least 1), at or below which a fit saw no variation: the
#: estimators floor a zero variance at a standard deviation of 1e-10 of that magnitude
#: (``estimation._floor_var``), and the factors later applied to it (degrees of
#: freedom, parameter uncertainty, calibration) leave it within a few times that, two
#: orders of magnitude below this bound; a series with any noise is far above it
NO_VARIATION = 1e-8
_TOKEN = object()


@runtime_checkable
class FitLike(Protocol):
    """What :func:`forecast.project`, backtests, sensitivity and the report need of a fit.

    The attributes are read-only (properties): a :class:`Fit`, a frozen dataclass, and an
    outside fit (``docs/extending.md``) satisfy it.
    """

    @property
    def name(self) -> str: ...

    @property
    def series(self) -> AnnualSeries: ...

    @property
    def last_year(self) -> int: ...

    @property
    def unit(self) -> str: ...

    def simulate(self, h: int, n_paths: int, seed: SeedLike = None,
                 innovations: np.ndarray | None = None) -> np.ndarray: ...

    def point_forecast(self, h: int) -> np.ndarray: ...


class SpecLike(Protocol):
    """What :func:`forecast.backtest` and :func:`forecast.compare` need of a model spec.

    For type checkers: a :class:`~forecast.models.ModelSpec`, or any object with a
    ``name`` and a ``fit`` returning a :class:`FitLike` (``docs/extending.md``, "The
    protocol"; its optional ``min_length`` is read when present).
    """

    @property
    def name(self) -> str: ...

    def fit(self, data: AnnualSeries | History, *, seed: SeedLike = None) -> FitLike: ...


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False)
class Fit:
    """A fitted model: estimates and its Gaussian forecast distribution on the working scale.

    Made only by ``spec.fit(data)``. It holds plain arrays and small dataclasses, so it
    crosses process boundaries cheaply.

    The working scale is the Box-Cox transform (lambda ``lam``) of the series divided by
    its reference magnitude ``ref``, its geometric mean (:mod:`forecast.models.scale`):
    :meth:`moments` and ``components`` are on that unit-free scale, and
    :meth:`to_log_level`, :meth:`simulate`, :meth:`forecast` and :meth:`point_forecast`
    multiply ``ref`` back, so that a fit of ``c y`` forecasts ``c`` times the fit of ``y``.
    ``params``, ``residuals`` and ``aicc`` are given on the working scale of the series in
    its own unit.

    Attributes
    ----------
    spec : ModelSpec
        The spec that was fitted.
    series : AnnualSeries
        The series fitted (the History median when fitted on a History).
    params : Mapping[str, float]
        Estimates by name (averaged over history draws; combination weights
        ``weight.<family>`` for ``Auto``), plus ``scale.lambda``, ``scale.reference``
        (``ref``) and the mean calibration factor ``calibration``. Levels, changes and
        variances are on the working scale of the series in its own unit (the family's
        ``param_units``; a variance beyond the float range there is inf).
    aicc : float
        Small-sample AIC of the family's own likelihood on the working scale of the
        series in its own unit (NaN for an ``Auto`` combination, whose members' AICc are
        in ``params``).
    residuals : ndarray
        One-step in-sample errors on the working scale of the series in its own unit,
        read-only.
    notes : tuple of str
        What happened during fitting (skipped families, imputations, orders, seed, a
        series too short to choose its scale, a series with no variation to estimate
        uncertainty from).
    components : tuple of Linear
        The calibrated members (one per family and history draw).
    weights : ndarray
        Their weights in the combination, summing to 1.
    groups : tuple of int
        The family of each member in a combination (``Auto``), which is pooled around
        the spec's ``center``; empty for one family (its draws pooled as their mixture).
    lam : float
        Box-Cox lambda of the working scale (0 = log, 1 = level).
    ref : float
        Reference magnitude of the series, its geometric mean: the models work on the
        series divided by it.
    seed : int, SeedSequence or None
        The seed of the history draws, so that ``spec.fit(history, seed=fit.seed)``
        repeats the fit: the int entropy for an int seed or none, else a copy of the
        SeedSequence given (None when fitted on an AnnualSeries).
    source : mapping of str to str
        What the History the fit was made on measures (``market``, ``flow``, ``segment``,
        ``currency``, as :func:`forecast.reconstruct` set them), so that a report can
        rebuild it; empty when fitted on an AnnualSeries.

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
    groups: tuple[int, ...] = field(default=(), repr=False)
    _token: object = field(default=None, repr=False, compare=False)
    source: Mapping[str, str] = field(default_factory=dict, repr=False)
    ref: float = 1.0

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
        object.__setattr__(self, "_log_ref", float(np.log(self.ref)))

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

        The working scale is that of the series divided by ``ref`` (unit-free; the
        class's notes): :meth:`to_log_level` turns its values into log levels in the
        series' unit. The distribution of the next h values on it is Gaussian with this
        mean and covariance ``L @ L.T``: the members pooled (history draws as their
        equal-weight mixture, not by Rubin's rules; an ``Auto``'s families around its
        ``center``, :func:`gaussian.pool`).

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
                                          np.stack([c for _, c in ms]), self.weights,
                                          self.groups or None,
                                          getattr(self.spec, "center", "mean"))
            hit = (readonly(np.array(mean)), readonly(gaussian.factor(cov)))
            if len(self._moments) > 16:
                self._moments.clear()
            self._moments[h] = hit
        return hit

    def _member_moments(self, i: int, h: int) -> tuple[np.ndarray, np.ndarray]:
        mean, cov = self.components[i].moments(h)
        if self.calibrations:
            root = np.sqrt(gaussian.monotone_factor(self.calibrations[i], np.diag(cov)))
            cov = cov * root[:, None] * root[None, :]
        return mean, cov

    def to_log_level(self, z: np.ndarray) -> np.ndarray:
        """Log levels for working-scale values (censored at the floor, see ``scale``).

        Parameters
        ----------
        z : ndarray
            Values on the working scale (Box-Cox lambda ``lam`` of the series divided by
            ``ref``), e.g. from :meth:`moments`.

        Returns
        -------
        ndarray
            Same shape: the log of the level each value stands for, in the series' unit.
        """
        out = scale.to_log_level(z, self.lam, self._floor - self._log_ref)
        return out + self._log_ref if self._log_ref else out

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
        >>> values = [10.0 + i + 0.3 * (-1)**i for i in range(15)]
        >>> s = forecast.AnnualSeries(range(2010, 2025), values)
        >>> fit = forecast.Drift(scale="level").fit(s)
        >>> bool(fit.censored_share(60)[-1] < 0.01), float(fit.censored_share(5)[0])
        (True, 0.0)
        """
        h = check_int("h", h, 1, MAX_H, "Pass a horizon of 1 to 200 years.")
        hit = self._moments.get(("censored", h))  # every projection asks, with one h
        if hit is not None:
            return hit.copy()
        share = self._censored_share(h)
        self._moments[("censored", h)] = share.copy()  # cleared with the moments
        return share

    def _censored_share(self, h: int) -> np.ndarray:
        mean, L = self.moments(h)
        if self.lam == 0.0:
            return np.zeros(h)
        sd = np.sqrt(np.einsum("ij,ij->i", L, L))
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (-1.0 / self.lam - mean) / sd
        # sd = 0 at the boundary itself gives NaN: half the mass is on either side
        return np.array([0.5 if v != v else NormalDist().cdf(v) for v in u.tolist()])

    def simulate(self, h: int, n_paths: int, seed: SeedLike = None,
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
        if self.lam != 0.0:  # in place: `out` is this call's own
            out = scale.to_log_level(out, self.lam, self._floor - self._log_ref,
                                     in_place=True)
        if self._log_ref:
            out += self._log_ref
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
        h = check_int("h", h, 1, MAX_H, "Pass a horizon of 1 to 200 years.")
        hit = self._moments.get(("point", h))  # every projection asks, with one h
        if hit is None:
            hit = self.to_log_level(np.array(self.moments(h)[0]))
            self._moments[("point", h)] = hit.copy()  # cleared with the moments
            return hit
        return hit.copy()

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
        check_bool("log", log, "Pass log=True for log levels.")
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
                 f"AICc: {self.aicc:.3f}" if self.aicc == self.aicc else
                 "AICc: none for a combination (each family's is aicc.<family> below)"]
        width = max((len(k) for k in self.params), default=0)
        lines += [f"  {k:<{width}s}  {v: .6g}" for k, v in self.params.items()]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def make_fit(spec: Any, series: AnnualSeries, ests: list[Estimate], lam: float,
             notes: tuple[str, ...], seed: Any = None,
             weights: np.ndarray | None = None, extra: Mapping[str, float] | None = None,
             aicc: float | None = None, average: bool = True,
             groups: tuple[int, ...] = (), history: Any = None, ref: float = 1.0) -> Fit:
    """Calibrate the estimates and pool them into a Fit (equal weights by default).

    With `average`, ``Fit.params`` holds the members' estimates averaged by name (the
    history draws of one family); a combination of families passes ``average=False``,
    reports its own figures in `extra` and labels each member's family in `groups`.
    `history`, the History the estimates were made on, gives ``Fit.source``.

    `ests` were made on the series divided by `ref` (:func:`scale.normalised`);
    parameters (by the spec's ``param_units``), residuals and the AICc (by its
    ``likelihood_lost``; unless `aicc` is given) are put back in the series' own units
    (:func:`aicc_to_units`).

    A note is added when ``scale="auto"`` met a series too short to choose the scale
    (:func:`forecast.models.scale.short_note`), and a note and a UserWarning when the
    forecast has no width because the series had no variation the model could see
    (:func:`_no_variation_note`).
    """
    short = scale.short_note(getattr(spec, "scale", None), series.values)
    notes = (*notes, short) if short else tuple(notes)
    calibrate = bool(getattr(spec, "calibrate", True))
    inflate = bool(getattr(spec, "param_uncertainty", True))
    factors = np.array([gaussian.variance_factor(e.calib, e.dof, calibrate, inflate)
                        for e in ests])
    comps = tuple(e.rep.scaled(f) for e, f in zip(ests, factors, strict=True))
    cals = tuple(gaussian.calibration(e.calib, e.dof) if calibrate else (1.0, 0.0, 0)
                 for e in ests)
    keys = list(ests[0].params) if average else []
    units = getattr(spec, "param_units", {})
    params = {k: scale.to_units(_mean([e.params.get(k, np.nan) for e in ests]),
                                units.get(k, ""), lam, ref) for k in keys}
    params["scale.lambda"] = float(lam)
    params["scale.reference"] = float(ref)
    params["calibration"] = _mean([c[0] for c in cals])
    params["calibration.growth"] = _mean([c[1] for c in cals])
    if extra:
        params.update(extra)
    n_res = min(e.residuals.size for e in ests)
    res = np.array(ests[0].residuals, dtype=float) if len(ests) == 1 else \
        np.mean([np.asarray(e.residuals)[e.residuals.size - n_res:] for e in ests], axis=0)
    work_res = res
    if ref != 1.0 and lam != 0.0:  # changes: multiplied by ref^lambda (scale.to_units)
        with np.errstate(under="ignore"):
            res = res * ref**lam
    w = np.full(len(ests), 1.0 / len(ests)) if weights is None else weights
    a = aicc_to_units(spec, _mean([e.aicc for e in ests]), len(series), lam, ref) \
        if aicc is None else aicc
    source = {k: v for k in ("market", "flow", "segment", "currency")
              if isinstance(v := getattr(history, k, None), str) and v}
    fit = Fit(spec, series, params, a, res, notes, comps, w, float(lam), seed, cals,
              tuple(groups), _TOKEN, source, float(ref))
    flat = _no_variation_note(fit, work_res)
    if flat:
        fit = replace(fit, notes=(*fit.notes, flat))
        warnings.warn(f"{fit.name} fitted to {series.name or 'the series'} "
                      f"{series.first_year}-{series.last_year}: {flat}.", UserWarning,
                      stacklevel=user_stacklevel())
    return fit


def _mean(values: list[float]) -> float:
    """The mean of `values` as a float; one value is returned as it is (the same bits as
    ``np.mean`` of it, without its cost on the path every fit of one series takes)."""
    return float(values[0]) if len(values) == 1 else float(np.mean(values))


def aicc_to_units(spec: Any, aicc: float, n: int, lam: float, ref: float) -> float:
    """`spec`'s AICc of the series divided by `ref`, on the series' own working scale.

    Each of the likelihood's ``N = n - spec.likelihood_lost`` working values of the series
    is ``ref^lambda`` times that of the normalised series plus a constant, so its
    log-likelihood is lower by ``N lambda log(ref)`` and its AICc higher by twice that.
    Unchanged when the spec does not say how many years its likelihood loses.

    Examples
    --------
    >>> import forecast
    >>> round(aicc_to_units(forecast.Drift(), 10.0, 11, 1.0, 100.0), 6)  # + 20 log(100)
    102.103404
    """
    lost = getattr(spec, "likelihood_lost", None)
    if lost is None or lam == 0.0 or ref == 1.0 or aicc != aicc:
        return float(aicc)
    return float(aicc + 2.0 * (n - lost) * lam * np.log(ref))


def _no_variation_note(fit: Fit, residuals: np.ndarray) -> str | None:
    """The note of a fit whose forecast has no width, or None.

    A series that is constant, or that the model reproduces exactly (a geometric series
    on the log scale, a straight line on the level), leaves the model no error to
    estimate its variance from: the variance is floored to keep the algebra defined,
    and the band it gives (:data:`NO_VARIATION`) states no uncertainty, not certainty.

    Examples
    --------
    >>> import forecast, warnings
    >>> s = forecast.AnnualSeries(range(2015, 2021), [5.0] * 6)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fit = forecast.Drift().fit(s)
    >>> fit.notes[-1][:62]
    'no variation: the model reproduces the series exactly, so its '
    """
    z = scale.transform(fit.series.values / fit.ref, fit.lam)  # the estimators' scale
    unit = max(float(np.max(np.abs(z))), 1.0)
    # one-step errors a hundred times the bound give a variance far above it whatever
    # the factors applied to it (each at least a fraction of one): no need to build the
    # moments, which cost as much as a tenth of a small fit
    res = np.abs(np.asarray(residuals, dtype=float))  # the estimators', unit-free
    if res.size and np.nanmax(res, initial=0.0) > 100 * NO_VARIATION * unit:
        return None
    _, L = fit.moments(1)
    if not L[0, 0] <= NO_VARIATION * unit:
        return None
    return ("no variation: the model reproduces the series exactly, so its errors give no "
            "uncertainty to estimate and the forecast band has zero width (it says nothing "
            "about uncertainty); fit a History with the measurement uncertainty of the "
            "data, or judge the uncertainty by other means")
