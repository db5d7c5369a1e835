"""forecast.testing, from a probe of the contract checkers: no raw exception escapes
check_model, every built-in assumption (Diversion and on_market included) passes
check_assumption, and `bounds`/`year_fields` naming a non-field fail at class definition."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pytest

import forecast.scenarios as scenarios
from forecast import models, presets
from forecast.errors import ForecastTypeError, ParameterError
from forecast.scenarios import (
    PROBABILITY,
    Assumption,
    Beta,
    Distribution,
    Diversion,
    Fixed,
    Group,
    GrowthShift,
    LevelShift,
    Uniform,
    market_presets,
    on_market,
    register,
    registered,
)
from forecast.scenarios import assumption as assumption_module
from forecast.testing import CHECK_SERIES, MODEL_CHECKS, check_assumption, check_model


@pytest.fixture
def clean_registry():
    before = dict(assumption_module._KINDS)
    yield
    assumption_module._KINDS.clear()
    assumption_module._KINDS.update(before)


# =========================================================================== check_model
@pytest.mark.parametrize("spec", [42, "Drift", None, object()])
def test_check_model_refuses_what_is_no_spec(spec):
    with pytest.raises(ForecastTypeError) as info:
        check_model(spec)
    msg = str(info.value)
    assert info.value.field == "spec"
    assert type(spec).__name__ in msg
    for need in ("`name`", "`min_length`", "fit(data, *, seed=None)", "Pass e.g."):
        assert need in msg


def test_check_model_names_what_a_spec_lacks():
    @dataclass(frozen=True)
    class NoFit:
        name: str = "NoFit"
        min_length: int = 3

    with pytest.raises(ForecastTypeError, match=r"has no `fit\(data, \*, seed=None\)`\."):
        check_model(NoFit())
    with pytest.raises(ForecastTypeError, match=r"class Drift\. .*check_model\(Drift\(\)\)"):
        check_model(models.Drift)


def test_check_model_refuses_a_series_shorter_than_min_length():
    with pytest.raises(ParameterError, match=r"at least spec.min_length = 3 years.*got 2"):
        check_model(models.Drift(), CHECK_SERIES.window(end=CHECK_SERIES.first_year + 1))


class _Misbehaving:
    """Wraps a Drift fit; one of its methods crashes or returns the wrong type."""

    def __init__(self, fit, how):
        self.fit, self.how = fit, how
        self.name, self.series = fit.name, fit.series
        self.last_year, self.unit = fit.last_year, fit.unit

    def simulate(self, h, n_paths, seed=None, innovations=None):
        if self.how == "simulate_type_error":
            raise TypeError("simulate() got an unexpected keyword")
        return self.fit.simulate(h, n_paths, seed=seed, innovations=innovations)

    def point_forecast(self, h):
        pf = self.fit.point_forecast(h)
        return np.exp(pf) if self.how == "point_levels" else pf

    def forecast(self, h, levels=(80, 95)):
        if self.how == "forecast_text":
            return "a forecast as text"
        frame = self.fit.forecast(h, levels)
        if self.how == "mean_nan":
            frame["mean"] = np.nan
        if self.how == "forecast_logs":
            cols = [c for c in frame.columns if c != "year"]
            frame[cols] = np.log(frame[cols]) + 10  # positive, increasing, but log levels
        return frame


@dataclass(frozen=True)
class _Spec:
    how: str
    name: str = "Drift"
    min_length: int = 3

    def fit(self, data, *, seed=None):
        if self.how == "fit_type_error":
            raise TypeError("fit() got an unexpected keyword argument 'seed'")
        if self.how == "fit_attribute_error":
            return None  # members reads fit.name: AttributeError
        return _Misbehaving(models.Drift().fit(data, seed=seed), self.how)


@pytest.mark.parametrize(("how", "check", "error"), [
    ("fit_type_error", "members", TypeError),
    ("fit_attribute_error", "members", AttributeError),
    ("simulate_type_error", "simulate", TypeError),
    ("forecast_text", "forecast", AttributeError),
])
def test_a_crash_in_the_spec_fails_the_check_it_happened_in(how, check, error):
    with pytest.raises(AssertionError) as info:
        check_model(_Spec(how))
    msg = str(info.value)
    assert check in MODEL_CHECKS
    assert msg.startswith(f"check_model(Drift): {check}: raised {error.__name__}: ")
    assert "Fix the spec" in msg
    assert isinstance(info.value.__cause__, error)  # the original, chained with `from`


def test_a_crash_in_an_expected_failed_check_counts_as_its_failure():
    check_model(_Spec("forecast_text"), expected_failed_checks={
        "forecast": "returns text", "Auto": "Auto(families=...) takes ModelSpec subclasses"})


# =========================================================================== check_assumption
#: built-in classes whose example cannot be guessed (a Group's parts, a Diversion's source)
NEEDS_AN_INSTANCE = {
    Group: lambda: [presets.trade_friction("severe")],
    Diversion: lambda: [
        Diversion(LevelShift(2027, -0.1, name="levy"), rate=Beta(2, 2), to=("EU", "ROW")),
        Diversion(presets.trade_friction("severe"), rate=0.5),
        on_market(GrowthShift(2026, 0.01, name="eu_boom"), "EU"),
        on_market(GrowthShift(2026, 0.01), "ALL"),
    ],
}

EXPORTED = sorted((obj for obj in (getattr(scenarios, n) for n in scenarios.__all__)
                   if isinstance(obj, type) and issubclass(obj, Assumption)
                   and obj is not Assumption), key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", EXPORTED, ids=lambda c: c.__name__)
def test_every_exported_assumption_class_passes(cls):
    if cls not in NEEDS_AN_INSTANCE:
        check_assumption(cls)
        return
    with pytest.raises(ForecastTypeError, match="instance"):
        check_assumption(cls)
    for a in NEEDS_AN_INSTANCE[cls]():
        check_assumption(a)


def test_every_builtin_registered_assumption_class_is_exported():
    builtin = {c for c in registered().values() if c.__module__.startswith("forecast.")}
    assert builtin <= set(EXPORTED)


@pytest.mark.parametrize("name", market_presets.names())
def test_every_assumption_of_the_market_presets_passes(name):
    for a in market_presets.get(name).assumptions:
        check_assumption(a)


@dataclass(frozen=True)
class _Wrap(Assumption):
    """A wrapper, as Diversion, whose key is its source's unless `own_key` is given."""

    source: Assumption
    own_key: str = ""
    name: str = field(default="", kw_only=True)
    kind: ClassVar[str] = "probe_wrap"
    year_fields: ClassVar[tuple[str, ...]] = ()
    probability: ClassVar[Fixed] = Fixed(1.0)

    def __post_init__(self) -> None:
        if self.name == "":
            object.__setattr__(self, "name", self.source.name)
        super().__post_init__()

    @property
    def key(self) -> str:
        return self.own_key or self.source.key

    @property
    def first_start(self) -> int:
        return self.source.first_start

    def parameters(self) -> dict[str, Distribution]:
        return {f"source.{k}": v for k, v in self.source.parameters().items()}

    def with_parameters(self, **values):
        src = {k.removeprefix("source."): v for k, v in values.items()}
        bad = [k for k in values if not k.startswith("source.")]
        if bad:
            raise ParameterError(f"no parameter {bad[0]!r}", field=bad[0])
        return dataclasses.replace(self, source=self.source.with_parameters(**src))

    def effect(self, ctx, rng):
        return self.source.effect(ctx, rng)

    def to_dict(self):
        return {"type": self.kind, "name": self.name, "part": [self.source.to_dict()]}


def test_a_wrapper_must_still_take_its_own_or_its_source_key(clean_registry):
    register(_Wrap)
    src = LevelShift(2027, Uniform(-0.1, 0.0), name="levy")
    with pytest.raises(AssertionError, match=r"declaration: `key` must be .*'probe_wrap:levy'"
                                             r" or its source key 'level_shift:levy'"):
        check_assumption(_Wrap(src, own_key="other:levy"))


@dataclass(frozen=True)
class _Always(Assumption):
    """No wrapper, yet `probability` a class variable: the allowance is for wrappers only."""

    start: int
    size: float | Distribution = 0.0
    name: str = field(default="", kw_only=True)
    kind: ClassVar[str] = "probe_always"
    bounds: ClassVar[dict] = {"size": (None, None, "Pass a size.")}
    probability: ClassVar[Fixed] = Fixed(1.0)

    def compute_effect(self, ctx, draw):
        return np.where(ctx.years[None, :] >= self.start, draw("size")[:, None], 0.0)


def test_probability_as_a_class_variable_is_refused_without_a_source(clean_registry):
    register(_Always)
    with pytest.raises(AssertionError, match=r"declaration: `probability` must be a "
                                             r"keyword-only field.*got no such field"):
        check_assumption(_Always)


@dataclass(frozen=True)
class _Mean(Assumption):
    """Uses the mean of `size` instead of drawing it: seeds change nothing."""

    start: int
    size: float | Distribution = 0.0
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "probe_mean"
    bounds: ClassVar[dict] = {"size": (None, None, "Pass a size."),
                              "probability": PROBABILITY}

    def compute_effect(self, ctx, draw):
        return np.where(ctx.years[None, :] >= self.start, self.size.mean(), 0.0) + np.zeros(
            (ctx.n_paths, 1))


def test_an_effect_ignoring_the_seed_is_still_caught(clean_registry):
    """The deterministic check spares parameters the effect does not use (a Diversion's
    rate), not parameters it uses without drawing them."""
    register(_Mean)
    with pytest.raises(AssertionError, match=r"deterministic: .*\['size'\]; draw them"):
        check_assumption(_Mean(2027, Uniform(-0.1, 0.0)))


# =========================================================================== declarations
def test_bounds_naming_a_non_field_fail_at_class_definition():
    with pytest.raises(ForecastTypeError) as info:
        @dataclass(frozen=True)
        class Typo(Assumption):
            start: int
            size: float | Distribution = 0.0
            name: str = field(default="", kw_only=True)
            probability: float | Distribution = field(default=1.0, kw_only=True)
            kind: ClassVar[str] = "probe_typo"
            bounds: ClassVar[dict] = {"sise": (None, None, "Pass a size."),
                                      "probability": PROBABILITY}
    msg = str(info.value)
    assert info.value.field == "bounds"
    assert "`bounds` of " in msg
    assert "Typo" in msg
    assert "'sise'" in msg
    assert "(its fields: start, size, name, probability)" in msg
    assert "Rename the entry to a field, or declare the field, e.g. sise:" in msg


def test_year_fields_naming_a_non_field_fail_at_class_definition():
    with pytest.raises(ForecastTypeError, match=r"`year_fields` of .*Spell must name its "
                                                r"fields; got 'finish', which is no field"):
        @dataclass(frozen=True)
        class Spell(Assumption):
            start: int
            name: str = field(default="", kw_only=True)
            probability: float | Distribution = field(default=1.0, kw_only=True)
            kind: ClassVar[str] = "probe_spell"
            year_fields: ClassVar[tuple[str, ...]] = ("start", "finish")
            bounds: ClassVar[dict] = {"probability": PROBABILITY}
    with pytest.raises(ForecastTypeError, match=r"got the str 'start'.*\('start',\)"):
        class Text(Assumption):
            year_fields: ClassVar[tuple[str, ...]] = "start"  # type: ignore[assignment]


def test_a_class_variable_is_no_field_to_bound():
    with pytest.raises(ForecastTypeError, match=r"got 'probability', which is no field"):
        class Gated(Assumption):
            start: int
            probability: ClassVar[float] = 1.0
            bounds: ClassVar[dict] = {"probability": PROBABILITY}


def test_a_subclass_may_bound_an_inherited_field():
    @dataclass(frozen=True)
    class Narrow(LevelShift):
        bounds: ClassVar[dict] = {**LevelShift.bounds, "size": (-0.5, 0.0, "Pass a fall.")}

    assert Narrow(2027, -0.1).size == Fixed(-0.1)


@pytest.mark.parametrize("cls", sorted((c for c in registered().values()
                                         if c.__module__.startswith("forecast.")),
                                        key=lambda c: c.kind), ids=lambda c: c.kind)
def test_no_builtin_names_a_non_field(cls):
    fields = {f.name for f in dataclasses.fields(cls)}
    assert set(cls.bounds) <= fields
    assert set(cls.year_fields) <= fields


@pytest.mark.parametrize(("how", "check", "words"), [
    ("mean_nan", "forecast", "the mean must be a finite positive level"),
    ("forecast_logs", "forecast", "Return levels, not log levels"),
    ("point_levels", "forecast", "Return log levels, not levels"),
])
def test_check_model_catches_a_broken_forecast(how, check, words):
    """Each of these passed check_model (only the quantile columns were checked)."""
    with pytest.raises(AssertionError, match=rf"{check}: .*{words}"):
        check_model(_Spec(how))


@pytest.mark.filterwarnings("ignore:Degrees of freedom")
def test_check_model_fits_exactly_min_length_years():
    @dataclass(frozen=True)
    class TooShort(models.ModelSpec):
        min_length = 2  # Drift's sigma is NaN from 2 years: its real minimum is 3

        def estimate_batch(self, Y):
            return models.Drift(scale=self.scale).estimate_batch(Y)

    with pytest.raises(AssertionError, match=r"min_length = 2 years must give finite point "
                                             r"forecasts and paths"):
        check_model(TooShort())
