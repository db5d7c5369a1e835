"""check_assumption: the assumption contract, checked (see :mod:`forecast.testing`)."""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import MISSING, dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import ForecastError, ForecastTypeError
from ..scenarios import (
    Assumption,
    Bound,
    DiscreteUniform,
    Distribution,
    Fixed,
    Group,
    LevelShift,
    PathContext,
    Scenario,
    Uniform,
    dumps_scenarios,
    loads_scenarios,
    registered,
)
from ._common import require

__all__ = ["ASSUMPTION_CHECKS", "check_assumption"]

#: the names of the checks :func:`check_assumption` runs, in order
ASSUMPTION_CHECKS = ("declaration", "toml round trip", "shape and finite", "deterministic",
                     "zero before start", "own streams", "company", "with parameters",
                     "error fields")


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


def _sources(a: Assumption) -> list[Assumption]:
    """The assumptions `a` wraps: its fields that hold one (a Diversion's ``source``)."""
    values = (getattr(a, f.name) for f in dataclasses.fields(a))
    return [v for v in values if isinstance(v, Assumption)]


def _gated_by_source(a: Assumption) -> bool:
    """Whether `a` wraps a source and fixes ``probability`` to 1 as a class variable (no
    field): the source carries the probability gate, as in Diversion."""
    cls = type(a)
    return (bool(_sources(a)) and "probability" not in {f.name for f in dataclasses.fields(cls)}
            and getattr(cls, "probability", None) == Fixed(1.0))


def _is_number(value: object) -> bool:
    """A number or a distribution of numbers (not a bool flag)."""
    return isinstance(value, Distribution) or (
        isinstance(value, numbers.Real) and not isinstance(value, bool))


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
                f"check_assumption cannot build an example of {cls.__name__}: its required "
                f"field {f.name!r} is in neither `bounds` nor `year_fields`, so no value can "
                f"be guessed for it. Pass an instance instead, e.g. "
                f"check_assumption({cls.__name__}(...)).", field=f.name)
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
        require(ok, self.who, self.check, message)

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
            if name == "probability" and _gated_by_source(a):
                continue  # a wrapper whose source carries the gate (Diversion)
            self.need(name in fields and (fields[name].kw_only or issubclass(cls, Group)),
                      f"`{name}` must be a keyword-only field: field(default=..., "
                      "kw_only=True); got "
                      f"{'a positional field' if name in fields else 'no such field'}.")
        self.need(not set(cls.year_fields) & set(cls.bounds),
                  "a parameter is in both `year_fields` and `bounds`; keep it in one.")
        declared = set(cls.parameter_names())
        unknown = sorted(declared - set(fields))
        self.need(not unknown, f"{unknown} in `bounds`/`year_fields` are not fields; "
                  "declare them as dataclass fields.")
        # a number is a parameter to declare; text, flags and parts (a Group's parts, a
        # Diversion's source, market and receivers) describe the assumption instead
        hidden = sorted(k for k in set(fields) - declared - {"name"}
                        if _is_number(getattr(a, k)))
        self.need(not hidden, f"fields {hidden} are in neither `bounds` nor `year_fields`, "
                  "so scenario files and sensitivity analysis cannot see them; declare "
                  "their bounds.")
        self.need(registered().get(cls.kind) is cls,
                  f"type {cls.kind!r} must be registered to this class for scenario files; "
                  "decorate it with @forecast.scenarios.register.")
        own = f"{cls.kind}:{a.name}"
        sources = [s.key for s in _sources(a)]  # a wrapper may share its source's draws
        self.need(a.key == own or a.key in sources,
                  f"`key` must be '<kind>:<name>' = {own!r}"
                  f"{''.join(f' or its source key {k!r}' for k in sources)}; got {a.key!r}.")
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
        params = a.parameters()
        if params and np.array_equal(self.effect(seed=1), self.effect(seed=2)):
            # fine only if the effect ignores them: a Diversion's rate acts in multi-market
            # projections (Diversion.rates), never on effect()
            rng = np.random.default_rng(0)
            fixed = a.with_parameters(**{k: d.sample(1, rng)[0] for k, d in params.items()})
            self.need(np.array_equal(self.effect(fixed, seed=1), self.effect(seed=1)),
                      "different seeds must give different draws of the uncertain "
                      f"parameters {sorted(params)}; draw them with draw(name), not from a "
                      "fixed seed or their mean.")

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
        When `assumption` is neither an Assumption subclass nor an instance, or is a class
        with a required field that is no parameter (a Group's parts, a Diversion's source):
        pass an instance of it.

    Notes
    -----
    The checks hold every assumption to the same contract, with two allowances for a
    wrapper, an assumption with a field holding another assumption (its source, as in
    :class:`~forecast.scenarios.Diversion` and ``on_market(...)``):

    - its ``key`` may be its source's, so that it shares the source's draws;
    - ``probability`` may be a class variable ``Fixed(1.0)`` instead of a field, the
      source carrying the probability gate.

    For any assumption, a field need be in ``bounds`` or ``year_fields`` only if its value
    is a number or a distribution (text, flags and parts are not parameters), and the
    ``deterministic`` check asks different seeds to change the effect only if the effect
    uses the uncertain parameters (fixing them changes it): a Diversion's ``rate`` acts in
    multi-market projections only.

    Examples
    --------
    >>> from forecast.scenarios import Beta, Diversion, LevelShift
    >>> check_assumption(Diversion(LevelShift(2027, -0.1, name="levy"), rate=Beta(2, 2)))
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
