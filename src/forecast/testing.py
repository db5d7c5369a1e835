"""Contract checks for your own assumptions and models, as the library runs them on its own.

:func:`check_assumption` and :func:`check_model` run a battery of checks, as
scikit-learn's ``check_estimator`` does, and raise an :class:`AssertionError` naming the
check that failed and what to fix. They use only public API, so an assumption or a model
that passes them works with :func:`forecast.project`, ``Projection.decompose``, scenario
files, :func:`forecast.backtest`, :func:`forecast.tornado`/:func:`forecast.sobol` and
:class:`forecast.Auto`. ``docs/extending.md`` lists every check.

Not imported by ``import forecast``; import it as ``forecast.testing``.

Examples
--------
>>> from forecast.scenarios import LevelShift
>>> from forecast.testing import check_assumption
>>> check_assumption(LevelShift)
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field
from typing import Any, ClassVar

import numpy as np

from .errors import ForecastError, ForecastTypeError, ModelError
from .evaluation import backtest
from .models import Auto
from .projection import project
from .scenarios import (
    Assumption,
    Bound,
    DiscreteUniform,
    Distribution,
    Group,
    LevelShift,
    PathContext,
    Scenario,
    Uniform,
    dumps_scenarios,
    loads_scenarios,
    registered,
)
from .series import AnnualSeries

__all__ = ["ASSUMPTION_CHECKS", "CHECK_SERIES", "MODEL_CHECKS", "check_assumption", "check_model"]

#: the names of the checks :func:`check_assumption` runs, in order
ASSUMPTION_CHECKS = ("declaration", "toml round trip", "shape and finite", "deterministic",
                     "zero before start", "own streams", "company", "with parameters",
                     "error fields")
#: the names of the checks :func:`check_model` runs, in order
MODEL_CHECKS = ("members", "simulate", "innovations", "forecast", "short series", "project",
                "backtest", "Auto")

#: the series :func:`check_model` fits by default (a synthetic, US-like shape: not data)
CHECK_SERIES = AnnualSeries(
    np.arange(2009, 2025),
    [28.1, 40, 55, 75, 100, 117.5, 130, 152, 180, 200, 225, 245, 250, 272, 300, 316],
    name="check series (synthetic)")


def _require(ok: object, who: str, check: str, message: str) -> None:
    if not ok:
        raise AssertionError(f"{who}: {check}: {message}")


# ============================================================================ assumptions
def _inside(bound: Bound) -> Uniform:
    """A Uniform well inside `bound` (effect sizes of a few log points when unbounded)."""
    lo, hi = bound.low, bound.high
    if lo is not None and hi is not None:
        return Uniform(lo + 0.25 * (hi - lo), lo + 0.75 * (hi - lo))
    if lo is not None:
        return Uniform(lo + 0.5, lo + 1.5)
    if hi is not None:
        return Uniform(hi - 0.1, hi - 0.01)
    return Uniform(-0.05, 0.05)


def _example(cls: type[Assumption]) -> Assumption:
    """An instance of `cls` with every bounded parameter uncertain, start in 2027-2029."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        if f.name == "name" or not f.init:
            continue
        if f.name in cls.bounds:
            kwargs[f.name] = _inside(cls.bounds[f.name])
        elif f.name in cls.year_fields and not has_default:
            kwargs[f.name] = DiscreteUniform(2027, 2029)
        elif not has_default:
            raise ForecastTypeError(
                f"check_assumption cannot build an example of {cls.__name__}: field "
                f"{f.name!r} is in neither `bounds` nor `year_fields`. Pass an instance "
                "instead, e.g. check_assumption(MyAssumption(...)).", field=f.name)
    return cls(**kwargs)


@dataclass(frozen=True, eq=False)
class _Spy(Distribution):
    """Wraps a distribution and records every draw made from it (not a distribution)."""

    inner: Distribution = field(default_factory=lambda: Uniform(0, 1))
    log: list = field(default_factory=list)
    kind: ClassVar[str] = ""

    def _sample(self, n, rng):
        out = self.inner.sample(n, rng)
        self.log.append(np.array(out))
        return out

    def quantile(self, q):
        return self.inner.quantile(q)

    def mean(self) -> float:
        return self.inner.mean()


@dataclass(frozen=True, eq=False)
class _SpyYears(DiscreteUniform):
    """A spy for year parameters, which must be DiscreteUniform-like."""

    inner: Distribution | None = None
    log: list = field(default_factory=list)
    kind: ClassVar[str] = ""

    def _sample(self, n, rng):
        out = self.inner.sample(n, rng)
        self.log.append(np.array(out))
        return out


def _spy(dist: Distribution) -> _Spy | _SpyYears:
    if isinstance(dist, DiscreteUniform):
        return _SpyYears(dist.low, dist.high, inner=dist)
    return _Spy(inner=dist)


class _AssumptionChecks:
    """The checks of one assumption instance: one method per name in ASSUMPTION_CHECKS."""

    def __init__(self, a: Assumption, seed: int, n_paths: int) -> None:
        self.a, self.seed = a, seed
        self.who = f"check_assumption({type(a).__name__} {a.name!r})"
        self.check = ""  # the check running, named in every message
        first = a.first_start
        years = np.arange(first - 2, first + 7)
        rng = np.random.default_rng(12345)
        base = np.cumsum(rng.normal(0.05, 0.1, (n_paths, years.size)), axis=1)
        self.ctx = PathContext(years, base, 0.05 * np.arange(1, years.size + 1),
                               int(years[0]) - 1)

    def run(self) -> None:
        """Every check in order; an unexpected exception fails the check it came from."""
        for name in ASSUMPTION_CHECKS:
            self.check = name
            try:
                getattr(self, name.replace(" ", "_"))()
            except AssertionError:
                raise
            except Exception as e:  # any crash is a failed check, named as such
                raise AssertionError(f"{self.who}: {name}: raised {type(e).__name__}: "
                                     f"{e}") from e

    def need(self, ok: object, message: str) -> None:
        _require(ok, self.who, self.check, message)

    def effect(self, a: Assumption | None = None, seed: int | None = None) -> np.ndarray:
        a = self.a if a is None else a
        return a.effect(self.ctx, np.random.default_rng(self.seed if seed is None else seed))

    def declaration(self) -> None:
        a, cls = self.a, type(self.a)
        self.need(dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen,
                  "the class must be a frozen dataclass; decorate it with "
                  "@dataclass(frozen=True).")
        self.need(isinstance(cls.kind, str) and cls.kind,
                  "`kind` must be a non-empty str class variable.")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for name in ("name", "probability"):  # a Group takes its name first
            self.need(name in fields and (fields[name].kw_only or issubclass(cls, Group)),
                      f"`{name}` must be a keyword-only field: field(default=..., "
                      "kw_only=True).")
        self.need(not set(cls.year_fields) & set(cls.bounds),
                  "a parameter is in both `year_fields` and `bounds`; keep it in one.")
        declared = set(cls.parameter_names())
        unknown = sorted(declared - set(fields))
        self.need(not unknown, f"{unknown} in `bounds`/`year_fields` are not fields; "
                  "declare them as dataclass fields.")
        hidden = sorted(set(fields) - declared - {"name", "parts"})
        self.need(not hidden, f"fields {hidden} are in neither `bounds` nor `year_fields`, "
                  "so scenario files and sensitivity analysis cannot see them; declare "
                  "their bounds.")
        self.need(registered().get(cls.kind) is cls,
                  f"type {cls.kind!r} must be registered to this class for scenario files; "
                  "decorate it with @forecast.scenarios.register.")
        self.need(a.key == f"{cls.kind}:{a.name}",
                  f"`key` must be '<kind>:<name>'; got {a.key!r}.")
        self.need(all(isinstance(d, Distribution) and not d.is_fixed
                      for d in a.parameters().values()),
                  "parameters() must map names to non-fixed Distributions.")

    def toml_round_trip(self) -> None:
        back = loads_scenarios(dumps_scenarios(Scenario("check", [self.a])))
        self.need(back["check"][self.a.name] == self.a,
                  "load_scenarios(dump_scenarios(...)) must give back an equal assumption; "
                  "check to_dict() and the field types.")

    def shape_and_finite(self) -> None:
        eff = self.effect()
        want = (self.ctx.n_paths, self.ctx.horizon)
        self.need(isinstance(eff, np.ndarray) and eff.shape == want,
                  f"effect(ctx, rng) must return an ndarray of shape (n_paths, horizon) = "
                  f"{want}; got {getattr(eff, 'shape', type(eff))}.")
        self.need(np.issubdtype(eff.dtype, np.floating) and np.all(np.isfinite(eff)),
                  f"effects must be finite floats; got NaN, inf or {eff.dtype}.")

    def deterministic(self) -> None:
        a = self.a
        self.need(np.array_equal(self.effect(), self.effect()),
                  "the same generator seed must give the same effect; draw only through "
                  "`draw`, never from global or saved state.")
        ss = np.random.SeedSequence(self.seed)
        one, two = (Scenario("check", [a]).effects(self.ctx, ss)[a.name] for _ in range(2))
        self.need(np.array_equal(one, two), "Scenario.effects must repeat for one seed.")
        if a.parameters():
            self.need(not np.array_equal(self.effect(seed=1), self.effect(seed=2)),
                      "different seeds must give different draws of the uncertain "
                      "parameters.")

    def zero_before_start(self) -> None:
        a, years = self.a, self.ctx.years
        eff = self.effect()
        self.need(np.all(eff[:, years < a.first_start] == 0.0),
                  f"the effect must be exactly 0 before the start year {a.first_start}.")
        if "start" in type(a).year_fields:
            late = a.first_start + 2
            eff = self.effect(a.with_parameters(start=late))
            self.need(np.all(eff[:, years < late] == 0.0),
                      f"with start={late} the effect must be exactly 0 before {late}.")
        if "probability" in type(a).parameter_names():
            eff = self.effect(a.with_parameters(probability=0.0))
            self.need(np.all(eff == 0.0), "with probability=0 the effect must be exactly 0.")

    def own_streams(self) -> None:
        params = self.a.parameters()
        spies = {k: _spy(d) for k, d in params.items()}
        if len(spies) < 2:
            return
        spied = self.a.with_parameters(**spies)

        def draws(a: Assumption) -> dict[str, list[np.ndarray]]:
            for s in spies.values():
                s.log.clear()
            self.effect(a)
            return {k: list(s.log) for k, s in spies.items()}

        base = draws(spied)
        for fixed, dist in params.items():
            other = draws(spied.with_parameters(
                **{fixed: dist.sample(1, np.random.default_rng(0))[0]}))
            for k, seen in base.items():
                if k == fixed or not seen or not other[k]:
                    continue  # a draw made only for some values of another parameter
                same = len(seen) == len(other[k]) and all(
                    np.array_equal(x, y) for x, y in zip(seen, other[k], strict=True))
                self.need(same, f"fixing {fixed!r} changed the draws of {k!r}; draw each "
                          "parameter with draw(name) so it has its own stream.")

    def company(self) -> None:
        a = self.a
        other = LevelShift(a.first_start, Uniform(-0.1, 0.0), name=f"{a.name}_x")
        ss = np.random.SeedSequence(self.seed)
        alone = Scenario("a", [a]).effects(self.ctx, ss)[a.name]
        for items in ([other, a], [a, other]):
            self.need(np.array_equal(alone, Scenario("b", items).effects(self.ctx, ss)[a.name]),
                      "the effect must not depend on the other assumptions of the scenario "
                      "or their order.")

    def with_parameters(self) -> None:
        a = self.a
        for name, dist in a.parameters().items():
            b = a.with_parameters(**{name: dist.sample(1, np.random.default_rng(0))[0]})
            self.need(set(b.parameters()) == set(a.parameters()) - {name},
                      f"with_parameters({name}=...) must fix {name!r} and leave the other "
                      "parameters uncertain.")
        try:
            a.with_parameters(not_a_parameter=1.0)
        except ForecastError as e:
            self.need(e.field == "not_a_parameter" and "not_a_parameter" in str(e),
                      "an unknown parameter must raise an error whose `field` and message "
                      "name it.")
        else:
            self.need(False, "an unknown parameter name must raise a ForecastError.")

    def error_fields(self) -> None:
        cls = type(self.a)
        bad: dict[str, object] = {k: "not a year" for k in cls.year_fields}
        for key, bound in cls.bounds.items():
            if bound.low is not None:
                bad[key] = bound.low if bound.low_open else bound.low - 1.0
            elif bound.high is not None:
                bad[key] = bound.high + 1.0
        bad["name"] = "has.dots"
        for key, value in bad.items():
            try:
                dataclasses.replace(self.a, **{key: value})
            except ForecastError as e:
                self.need(e.field == key and key in str(e),
                          f"{key}={value!r} must raise an error whose `field` is {key!r} and "
                          f"whose message names it; got field={e.field!r}: {e}")
            else:
                self.need(False, f"{key}={value!r} is outside its bound and must raise a "
                          "ForecastError.")


def check_assumption(assumption: type[Assumption] | Assumption, *, seed: int = 0,
                     n_paths: int = 64) -> None:
    """Check that an assumption class (or instance) keeps the assumption contract.

    Parameters
    ----------
    assumption : Assumption subclass or instance
        A class is instantiated with every bounded parameter uncertain (a Uniform inside
        its bound) and ``start`` in 2027-2029; pass an instance to check your own values.
    seed : int, default 0
        Seed of the generators the checks use.
    n_paths : int, default 64
        Paths of the checking context.

    Raises
    ------
    AssertionError
        Naming the check (:data:`ASSUMPTION_CHECKS`) and the fix.
    ForecastTypeError
        When `assumption` is neither an Assumption subclass nor an instance.
    """
    if isinstance(assumption, type) and issubclass(assumption, Assumption):
        if issubclass(assumption, Group):
            raise ForecastTypeError("check_assumption needs a Group instance (its parts "
                                    "cannot be guessed); pass e.g. presets.trade_friction().")
        assumption = _example(assumption)
    if not isinstance(assumption, Assumption):
        raise ForecastTypeError(f"check_assumption takes an Assumption subclass or instance; "
                                f"got {assumption!r}. Pass e.g. LevelShift or LevelShift(2027,"
                                " -0.1).")
    _AssumptionChecks(assumption, seed, n_paths).run()


# ============================================================================ models
def _model_checks(spec: Any, series: AnnualSeries, seed: int,
                  exact_innovations: bool) -> list[tuple[str, Callable[[Any], None]]]:
    who = f"check_model({getattr(spec, 'name', type(spec).__name__)})"
    h, n = 5, 64

    def need(ok: object, check: str, message: str) -> None:
        _require(ok, who, check, message)

    def members(fit: Any) -> None:
        need(isinstance(spec.name, str) and spec.name, "spec", "`name` must be a non-empty "
             "str.")
        need(isinstance(spec.min_length, int) and spec.min_length >= 1, "spec",
             "`min_length` must be an int >= 1.")
        need(fit.name == spec.name, "fit", f"fit.name must be the spec's name; got "
             f"{fit.name!r}.")
        need(fit.series == series and fit.last_year == series.last_year
             and fit.unit == series.unit, "fit", "fit.series, last_year and unit must be "
             "those of the series fitted.")

    def simulate(fit: Any) -> None:
        paths = fit.simulate(h, n, seed=1)
        need(isinstance(paths, np.ndarray) and paths.shape == (n, h), "simulate",
             f"simulate({h}, {n}) must return an ndarray of shape ({n}, {h}); got "
             f"{getattr(paths, 'shape', type(paths))}.")
        need(np.all(np.isfinite(paths)), "simulate", "paths must be finite.")
        log_last = float(np.log(series.values[-1]))
        need(abs(float(np.median(paths[:, 0])) - log_last) < 2.0, "simulate",
             "paths must be LOG levels continuing the series; the first year's median is "
             f"{np.median(paths[:, 0]):.3g}, the last log value {log_last:.3g}.")
        need(np.array_equal(paths, fit.simulate(h, n, seed=1)), "deterministic",
             "the same int seed must give the same paths.")
        ss = np.random.SeedSequence(99)
        need(np.array_equal(fit.simulate(h, n, seed=ss), fit.simulate(h, n, seed=ss)),
             "deterministic", "the same SeedSequence must give the same paths.")
        need(not np.array_equal(paths, fit.simulate(h, n, seed=2)), "deterministic",
             "different seeds must give different paths.")

    def innovations(fit: Any) -> None:
        e = np.random.default_rng(5).standard_normal((2000, 3))
        e.flags.writeable = False  # must be accepted and never written
        a = fit.simulate(3, 2000, seed=1, innovations=e)
        need(np.array_equal(a, fit.simulate(3, 2000, seed=1, innovations=e)), "innovations",
             "the same seed and innovations must give the same paths.")
        need(not np.array_equal(a, fit.simulate(3, 2000, seed=1, innovations=-e)),
             "innovations", "paths must be a function of `innovations`: use them.")
        b = fit.simulate(3, 2000, seed=2, innovations=e)
        if exact_innovations:
            need(np.array_equal(a, b), "innovations", "paths must depend on `innovations` "
                 "alone (exact_innovations=True): other draws came from the seed.")
        else:
            need(np.corrcoef(a[:, 0], b[:, 0])[0, 1] > 0.3, "innovations", "shared "
                 "innovations must make paths of two seeds agree (common random numbers).")

    def point_and_frame(fit: Any) -> None:
        pf = np.asarray(fit.point_forecast(h))
        need(pf.shape == (h,) and np.all(np.isfinite(pf)), "point_forecast",
             f"point_forecast({h}) must return {h} finite log levels; got {pf.shape}.")
        frame = fit.forecast(h, levels=(50, 90))
        cols = ["year", "mean", "median", "lower_50", "upper_50", "lower_90", "upper_90"]
        need(list(frame.columns) == cols, "forecast", f"forecast({h}, levels=(50, 90)) must "
             f"have columns {cols}; got {list(frame.columns)}.")
        need(frame["year"].tolist() == list(range(series.last_year + 1,
                                                  series.last_year + h + 1)),
             "forecast", "years must continue the series.")
        q = frame[["lower_90", "lower_50", "median", "upper_50", "upper_90"]].to_numpy()
        need(np.all(np.diff(q, axis=1) >= 0) and np.all(q > 0), "forecast", "quantiles must "
             "be positive levels, increasing from lower_90 to upper_90.")

    def short(fit: Any) -> None:
        if spec.min_length < 2:
            return
        window = series.window(end=series.first_year + spec.min_length - 2)
        try:
            spec.fit(window, seed=seed)
        except ModelError:
            return
        raise AssertionError(f"{who}: short series: fitting {len(window)} years (min_length "
                             f"{spec.min_length}) must raise ModelError.")

    def projects(fit: Any) -> None:
        s = [Scenario("baseline"), Scenario("shift", [LevelShift(
            series.last_year + 2, -0.05, name="shift")])]
        p1 = project(fit, s, horizon=4, n_paths=50, seed=seed)
        p2 = project(fit, s, horizon=4, n_paths=50, seed=seed)
        need(p1.samples.shape == (2, 50, 4) and np.array_equal(p1.samples, p2.samples),
             "project", "forecast.project must run and repeat for one seed.")

    def backtests(fit: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a skipped origin would hide a failure
            bt = backtest(spec, series, origins=[series.last_year - 2], horizon=2,
                          n_paths=50, seed=seed)
        need(len(bt) == 2 and set(bt["model"]) == {spec.name}, "backtest",
             "forecast.backtest must score the two forecast years.")

    def auto(fit: Any) -> None:
        member = Auto(families=(spec,)).fit(series, seed=seed).simulate(3, 20, seed=1)
        need(member.shape == (20, 3) and np.all(np.isfinite(member)), "Auto",
             "Auto(families=(spec,)) must fit and simulate.")

    return [("members", members), ("simulate", simulate), ("innovations", innovations),
            ("forecast", point_and_frame), ("short series", short), ("project", projects),
            ("backtest", backtests), ("Auto", auto)]


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
        Naming the check (:data:`MODEL_CHECKS`) and the fix.

    Examples
    --------
    >>> from forecast.models import Drift
    >>> check_model(Drift(param_uncertainty=False), exact_innovations=True,
    ...             expected_failed_checks={"Auto": "Auto takes family names"})
    """
    series = CHECK_SERIES if series is None else series
    if not isinstance(series, AnnualSeries):
        raise ForecastTypeError(f"`series` must be an AnnualSeries; got "
                                f"{type(series).__name__}.", field="series")
    expected = dict(expected_failed_checks or {})
    unknown = sorted(set(expected) - set(MODEL_CHECKS))
    if unknown:
        raise ForecastTypeError(f"`expected_failed_checks` must name checks among "
                                f"{', '.join(MODEL_CHECKS)}; got {unknown}.",
                                field="expected_failed_checks")
    who = f"check_model({getattr(spec, 'name', type(spec).__name__)})"
    before = series.values.copy()
    fit = spec.fit(series, seed=seed)
    for name, check in _model_checks(spec, series, seed, exact_innovations):
        try:
            check(fit)
        except (AssertionError, ForecastError) as e:
            if name in expected:
                continue
            if isinstance(e, AssertionError):
                raise
            raise AssertionError(f"{who}: {name}: raised {type(e).__name__}: {e}") from e
        else:
            _require(name not in expected, who, name, f"passes but is listed in "
                     f"expected_failed_checks ({expected.get(name)}); remove it from there.")
    _require(np.array_equal(series.values, before), who, "purity",
             "fitting and simulating must not change the series.")
