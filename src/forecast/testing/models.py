"""check_model: the model contract, checked through public API only (see
:mod:`forecast.testing`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ForecastTypeError, ModelError, ParameterError
from ..evaluation import backtest
from ..models import Auto
from ..models.auto import SHARED_SETTINGS
from ..projection import project
from ..scenarios import LevelShift, Scenario
from ..series import AnnualSeries
from ._common import require

__all__ = ["CHECK_SERIES", "MODEL_CHECKS", "check_model"]

#: the names of the checks :func:`check_model` runs, in order
MODEL_CHECKS = ("members", "simulate", "innovations", "forecast", "short series", "project",
                "backtest", "Auto")

#: the series :func:`check_model` fits by default (a synthetic, US-like shape: not data)
CHECK_SERIES = AnnualSeries(
    np.arange(2009, 2025),
    [28.1, 40, 55, 75, 100, 117.5, 130, 152, 180, 200, 225, 245, 250, 272, 300, 316],
    name="check series (synthetic)")

H, N = 5, 64  # horizon and paths of the simulate checks


class _ModelChecks:
    """The checks of one spec and its fit: one method per name in MODEL_CHECKS."""

    def __init__(self, spec: Any, series: AnnualSeries, seed: int,
                 exact_innovations: bool) -> None:
        self.spec, self.series, self.seed = spec, series, seed
        self.exact = exact_innovations
        self.who = f"check_model({getattr(spec, 'name', type(spec).__name__)})"
        self.check = ""  # the check running, named in every message
        self._fit: Any = None

    @property
    def fit(self) -> Any:
        """The spec fitted to the series, on first use: inside the check that needs it,
        so a spec whose fit fails fails that check (``members``) like any other."""
        if self._fit is None:
            self._fit = self.spec.fit(self.series, seed=self.seed)
        return self._fit

    def need(self, ok: object, message: str) -> None:
        require(ok, self.who, self.check, message)

    def members(self) -> None:
        spec, fit, series = self.spec, self.fit, self.series
        self.need(isinstance(spec.name, str) and spec.name, "`name` must be a non-empty str.")
        self.need(isinstance(spec.min_length, int) and spec.min_length >= 1,
                  "`min_length` must be an int >= 1.")
        self.need(fit.name == spec.name, f"fit.name must be the spec's name; got {fit.name!r}.")
        self.need(fit.series == series and fit.last_year == series.last_year
                  and fit.unit == series.unit,
                  "fit.series, last_year and unit must be those of the series fitted.")

    def simulate(self) -> None:
        fit = self.fit
        paths = fit.simulate(H, N, seed=1)
        self.need(isinstance(paths, np.ndarray) and paths.shape == (N, H),
                  f"simulate({H}, {N}) must return an ndarray of shape ({N}, {H}); got "
                  f"{getattr(paths, 'shape', type(paths))}.")
        self.need(np.all(np.isfinite(paths)), "paths must be finite.")
        log_last = float(np.log(self.series.values[-1]))
        self.need(abs(float(np.median(paths[:, 0])) - log_last) < 2.0,
                  "paths must be LOG levels continuing the series; the first year's median "
                  f"is {np.median(paths[:, 0]):.3g}, the last log value {log_last:.3g}.")
        self.need(np.array_equal(paths, fit.simulate(H, N, seed=1)),
                  "the same int seed must give the same paths.")
        ss = np.random.SeedSequence(99)
        self.need(np.array_equal(fit.simulate(H, N, seed=ss), fit.simulate(H, N, seed=ss)),
                  "the same SeedSequence must give the same paths.")
        self.need(not np.array_equal(paths, fit.simulate(H, N, seed=2)),
                  "different seeds must give different paths.")

    def innovations(self) -> None:
        fit = self.fit
        e = np.random.default_rng(5).standard_normal((2000, 3))
        e.flags.writeable = False  # must be accepted and never written
        a = fit.simulate(3, 2000, seed=1, innovations=e)
        self.need(np.array_equal(a, fit.simulate(3, 2000, seed=1, innovations=e)),
                  "the same seed and innovations must give the same paths.")
        self.need(not np.array_equal(a, fit.simulate(3, 2000, seed=1, innovations=-e)),
                  "paths must be a function of `innovations`: use them.")
        b = fit.simulate(3, 2000, seed=2, innovations=e)
        if self.exact:
            self.need(np.array_equal(a, b), "paths must depend on `innovations` alone "
                      "(exact_innovations=True): other draws came from the seed.")
        else:
            self.need(np.corrcoef(a[:, 0], b[:, 0])[0, 1] > 0.3, "shared innovations must "
                      "make paths of two seeds agree (common random numbers).")

    def forecast(self) -> None:
        pf = np.asarray(self.fit.point_forecast(H))
        self.need(pf.shape == (H,) and np.all(np.isfinite(pf)),
                  f"point_forecast({H}) must return {H} finite log levels; got {pf.shape}.")
        frame = self.fit.forecast(H, levels=(50, 90))
        cols = ["year", "mean", "median", "lower_50", "upper_50", "lower_90", "upper_90"]
        self.need(list(frame.columns) == cols, f"forecast({H}, levels=(50, 90)) must have "
                  f"columns {cols}; got {list(frame.columns)}.")
        last = self.series.last_year
        self.need(frame["year"].tolist() == list(range(last + 1, last + H + 1)),
                  "years must continue the series.")
        q = frame[["lower_90", "lower_50", "median", "upper_50", "upper_90"]].to_numpy()
        self.need(np.all(np.diff(q, axis=1) >= 0) and np.all(q > 0), "quantiles must be "
                  "positive levels, increasing from lower_90 to upper_90.")
        mean = frame["mean"].to_numpy(dtype=float)
        self.need(np.all(np.isfinite(mean)) and np.all(mean > 0), "the mean must be a "
                  f"finite positive level; got {mean.tolist()}.")
        # levels, not logs: the forecast's median agrees with the simulated paths' median
        sim = np.median(np.exp(self.fit.simulate(H, 4000, seed=3)), axis=0)
        ratio = frame["median"].to_numpy(dtype=float) / sim
        self.need(bool(np.all(np.abs(np.log(ratio)) < 0.1)), "forecast()'s median must be the "
                  "level the simulated paths have (exp of their log levels) within 10%; got "
                  f"ratios {np.round(ratio, 3).tolist()}. Return levels, not log levels.")
        centre = np.exp(pf) / sim
        self.need(bool(np.all(np.abs(np.log(centre)) < 0.25)), "point_forecast must be log "
                  "levels near the paths' median (exp of it within 25%); got ratios "
                  f"{np.round(centre, 3).tolist()}. Return log levels, not levels.")

    def short_series(self) -> None:
        spec, series = self.spec, self.series
        if spec.min_length < 2:
            return
        shortest = series.window(end=series.first_year + spec.min_length - 1)
        try:  # exactly min_length years: a fit, and finite paths and centre
            fit = spec.fit(shortest, seed=self.seed)
            got = np.concatenate([np.ravel(fit.point_forecast(2)),
                                  np.ravel(fit.simulate(2, 50, seed=1))]).astype(float)
            ok, what = bool(np.isfinite(got).all()), "non-finite values"
        except ModelError as exc:
            ok, what = False, f"ModelError: {exc}"
        self.need(ok, f"fitting min_length = {spec.min_length} years must give finite "
                  f"point forecasts and paths; got {what}. Raise min_length, or handle that "
                  "length.")
        window = series.window(end=series.first_year + spec.min_length - 2)
        try:
            spec.fit(window, seed=self.seed)
        except ModelError:
            return
        self.need(False, f"fitting {len(window)} years (min_length {spec.min_length}) must "
                  "raise ModelError.")

    def project(self) -> None:
        s = [Scenario("baseline"), Scenario("shift", [LevelShift(
            self.series.last_year + 2, -0.05, name="shift")])]
        p1 = project(self.fit, s, horizon=4, n_paths=50, seed=self.seed)
        p2 = project(self.fit, s, horizon=4, n_paths=50, seed=self.seed)
        self.need(p1.samples.shape == (2, 50, 4) and np.array_equal(p1.samples, p2.samples),
                  "forecast.project must run and repeat for one seed.")

    def backtest(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a skipped origin would hide a failure
            bt = backtest(self.spec, self.series, origins=[self.series.last_year - 2],
                          horizon=2, n_paths=50, seed=self.seed)
        self.need(len(bt) == 2 and set(bt["model"]) == {self.spec.name},
                  "forecast.backtest must score the two forecast years.")

    def auto(self) -> None:
        # Auto applies its settings to its members and refuses a member's other ones
        shared = {k: getattr(self.spec, k) for k in SHARED_SETTINGS if hasattr(self.spec, k)}
        fit = Auto(families=(self.spec,), **shared).fit(self.series, seed=self.seed)
        paths = fit.simulate(3, 20, seed=1)
        self.need(paths.shape == (20, 3) and np.all(np.isfinite(paths)),
                  "Auto(families=(spec,)) must fit and simulate.")

    def run(self, expected: Mapping[str, str]) -> None:
        """Every check in order; a check in `expected` must fail, the others pass.

        The one place where a crash becomes a failure: any exception a check raises
        (the spec's ``TypeError`` as much as a ``ForecastError``) fails that check with an
        AssertionError naming it, the original chained.
        """
        for name in MODEL_CHECKS:
            self.check = name
            try:
                getattr(self, name.lower().replace(" ", "_"))()
            except AssertionError:
                if name in expected:
                    continue
                raise
            except Exception as e:  # the spec's own code: any crash is a failed check
                if name in expected:
                    continue
                raise AssertionError(f"{self.who}: {name}: raised {type(e).__name__}: "
                                     f"{str(e).rstrip('.')}. Fix the spec (or its fit) so "
                                     "this check runs; the chained traceback shows where."
                                     ) from e
            self.need(name not in expected, f"passes but is listed in "
                      f"expected_failed_checks ({expected.get(name)}); remove it from there.")


def _check_spec(spec: object) -> None:
    """Refuse, as a bad argument, what is no model spec at all (before any check runs)."""
    missing = [m for m in ("name", "min_length") if not hasattr(spec, m)]
    if not callable(getattr(spec, "fit", None)):
        missing.append("fit(data, *, seed=None)")
    if isinstance(spec, type):
        raise ForecastTypeError(f"`spec` must be a model spec instance; got the class "
                                f"{spec.__qualname__}. Pass an instance, e.g. "
                                f"check_model({spec.__qualname__}()).", field="spec")
    if missing:
        raise ForecastTypeError(f"`spec` must be a model spec: an object with `name`, "
                                f"`min_length` and `fit(data, *, seed=None)`; got {spec!r} "
                                f"({type(spec).__name__}), which has no "
                                f"{', '.join(f'`{m}`' for m in missing)}. Pass e.g. "
                                "forecast.models.Drift(), or see docs/extending.md.",
                                field="spec")


def check_model(spec: Any, series: AnnualSeries | None = None, *, seed: int = 0,
                exact_innovations: bool = False,
                expected_failed_checks: Mapping[str, str] | None = None) -> None:
    """Check that a model spec keeps the model contract, through public API only.

    Parameters
    ----------
    spec : model spec
        An object with ``name``, ``min_length`` and ``fit(data, *, seed=None)``.
    series : AnnualSeries, optional
        The series to fit; default :data:`CHECK_SERIES` (16 synthetic years).
    seed : int, default 0
        Seed of the fits and of the projection and backtest.
    exact_innovations : bool, default False
        Require paths to depend on `innovations` alone (a spec without parameter
        uncertainty); by default shared innovations need only make paths agree.
    expected_failed_checks : mapping, optional
        Check name -> reason, for checks known to fail (as in scikit-learn's
        ``check_estimator``). Each must fail; one that passes is reported, so the entry
        can be removed.

    Raises
    ------
    AssertionError
        Naming the check (:data:`MODEL_CHECKS`) and the fix. Whatever the spec or its fit
        raises, a ``TypeError`` as much as a ``ForecastError``, fails the check that was
        running (fitting is part of ``members``), the original exception chained.
    ForecastTypeError
        When `spec` is no spec (it lacks ``name``, ``min_length`` or a callable ``fit``,
        or is a class), `series` is no AnnualSeries or `expected_failed_checks` names
        no check.
    ParameterError
        When `series` is shorter than ``spec.min_length``.

    Examples
    --------
    >>> from forecast.models import Drift
    >>> check_model(Drift(param_uncertainty=False), exact_innovations=True)
    """
    _check_spec(spec)
    series = CHECK_SERIES if series is None else series
    if not isinstance(series, AnnualSeries):
        raise ForecastTypeError(f"`series` must be an AnnualSeries; got "
                                f"{type(series).__name__}.", field="series")
    min_length = spec.min_length
    if isinstance(min_length, int) and len(series) < min_length:
        raise ParameterError(f"`series` must have at least spec.min_length = {min_length} "
                             f"years to fit {spec.name!r}; got {len(series)}. Pass a longer "
                             "series, or none for CHECK_SERIES.", field="series")
    expected = dict(expected_failed_checks or {})
    unknown = sorted(set(expected) - set(MODEL_CHECKS))
    if unknown:
        raise ForecastTypeError(f"`expected_failed_checks` must name checks among "
                                f"{', '.join(MODEL_CHECKS)}; got {unknown}.",
                                field="expected_failed_checks")
    before = series.values.copy()
    checks = _ModelChecks(spec, series, seed, exact_innovations)
    checks.run(expected)
    checks.check = "purity"
    checks.need(np.array_equal(series.values, before),
                "fitting and simulating must not change the series.")
