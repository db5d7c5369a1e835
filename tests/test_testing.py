"""forecast.testing: the contract checks pass on every built-in and on the docs' outside
examples, and catch the mistakes they are meant to catch."""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from forecast import models, presets
from forecast.errors import ForecastTypeError
from forecast.scenarios import (
    PROBABILITY,
    Adoption,
    Assumption,
    Beta,
    DiscreteUniform,
    Distribution,
    Escalation,
    GrowthShift,
    LevelShift,
    Uniform,
    Volatility,
    register,
)
from forecast.scenarios import assumption as assumption_module
from forecast.testing import CHECK_SERIES, MODEL_CHECKS, check_assumption, check_model

EXTENDING = (Path(__file__).resolve().parents[1] / "docs" / "extending.md").read_text(
    encoding="utf-8")



@pytest.fixture
def clean_registry():
    before = dict(assumption_module._KINDS)
    yield
    assumption_module._KINDS.clear()
    assumption_module._KINDS.update(before)


def _docs_block(first_line: str, stop: str) -> dict:
    """Run the Python block of docs/extending.md that contains `first_line`, up to `stop`.

    It runs as a module of its own (dataclasses look their module up in sys.modules).
    """
    block = next(b for b in re.findall(r"```python\n(.*?)```", EXTENDING, flags=re.S)
                 if first_line in b)
    module = types.ModuleType("docs_extending")
    sys.modules[module.__name__] = module
    try:
        exec(compile(block[: block.index(stop)], "docs/extending.md", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


# =========================================================================== assumptions
@pytest.mark.parametrize("cls", [LevelShift, GrowthShift, Adoption, Escalation, Volatility])
def test_every_builtin_primitive_passes(cls):
    check_assumption(cls)


@pytest.mark.parametrize("make", [
    lambda: presets.trade_friction("mild"),
    lambda: presets.trade_friction("severe"),
    presets.data_flow_liberalization,
    presets.data_flow_fragmentation,
    presets.green_tech_cooperation,
    lambda: presets.fragmentation()["policy_uncertainty"],
], ids=["friction_mild", "friction_severe", "liberalization", "fragmentation",
        "green", "policy_uncertainty"])
def test_every_preset_assumption_passes(make):
    check_assumption(make())


def test_optional_and_uncertain_parameters_pass():
    check_assumption(GrowthShift(DiscreteUniform(2027, 2029), Uniform(-0.02, 0.0),
                                 end=DiscreteUniform(2030, 2032), half_life=Uniform(1, 3),
                                 probability=Beta(2, 3)))
    check_assumption(Escalation(2027, Uniform(0.1, 0.3), Uniform(-0.05, 0.0),
                                decay=Uniform(0.1, 0.5), probability=0.5))
    check_assumption(LevelShift(2030, -0.1))  # nothing uncertain


def test_the_docs_assumption_example_passes():
    ns = _docs_block("class ShockAndRecovery", "scenario = forecast.Scenario(")
    check_assumption(ns["ShockAndRecovery"])
    check_assumption(ns["shock"])


@dataclass(frozen=True)
class _Bump(Assumption):
    """A bump of `size` in `start` (the base of the broken assumptions below)."""

    start: int | DiscreteUniform
    size: float | Distribution
    width: float | Distribution = 1.0
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "test_bump"
    bounds: ClassVar[dict] = {"size": (None, None, "Pass a size."),
                              "width": (0.5, None, "Pass a width >= 0.5."),
                              "probability": PROBABILITY}

    def compute_effect(self, ctx, draw):
        since = ctx.years[None, :] - draw("start")[:, None]
        return np.where(since >= 0, draw("size")[:, None] * draw("width")[:, None], 0.0)


def test_a_good_assumption_passes(clean_registry):
    check_assumption(register(_Bump))


@dataclass(frozen=True)
class _SharedStream(_Bump):
    kind: ClassVar[str] = "test_shared"

    def compute_effect(self, ctx, draw):  # draws both parameters from one generator
        g = np.random.default_rng(int(draw("seed_source")[0] * 1e9))
        size = self.size.sample(ctx.n_paths, g)
        width = self.width.sample(ctx.n_paths, g)
        since = ctx.years[None, :] - draw("start")[:, None]
        return np.where(since >= 0, (size * width)[:, None], 0.0)


@dataclass(frozen=True)
class _Early(_Bump):
    kind: ClassVar[str] = "test_early"

    def compute_effect(self, ctx, draw):
        return np.ones((ctx.n_paths, ctx.horizon)) * draw("size")[:, None]


@dataclass(frozen=True)
class _Transposed(_Bump):
    kind: ClassVar[str] = "test_transposed"

    def compute_effect(self, ctx, draw):
        return super().compute_effect(ctx, draw).T


@dataclass(frozen=True)
class _Global(_Bump):
    kind: ClassVar[str] = "test_global"

    def compute_effect(self, ctx, draw):
        return super().compute_effect(ctx, draw) + np.random.random() * 1e-3  # noqa: NPY002


@dataclass(frozen=True)
class _Hidden(_Bump):
    kind: ClassVar[str] = "test_hidden"
    extra: float = 0.0


@pytest.mark.parametrize(("cls", "check", "words"), [
    (_SharedStream, "own streams", "changed the draws of"),
    (_Early, "zero before start", "exactly 0 before"),
    (_Transposed, "shape and finite", "compute_effect must return an effect of shape"),
    (_Global, "deterministic", "same generator seed"),
    (_Hidden, "declaration", "['extra']"),
])
def test_broken_assumptions_are_caught(cls, check, words, clean_registry):
    register(cls)
    with pytest.raises(AssertionError) as info:
        check_assumption(cls)
    msg = str(info.value)
    assert msg.startswith(f"check_assumption({cls.__name__} ")
    assert f": {check}: " in msg
    assert words in msg


def test_an_unregistered_class_is_caught(clean_registry):
    with pytest.raises(AssertionError, match=r"declaration: .*@forecast.scenarios.register"):
        check_assumption(_Bump)


def test_check_assumption_arguments():
    with pytest.raises(ForecastTypeError, match="Group instance"):
        check_assumption(type(presets.trade_friction()))
    with pytest.raises(ForecastTypeError, match="Assumption subclass or instance"):
        check_assumption(3)


# =========================================================================== models
SPECS = [
    models.Naive(), models.Drift(), models.LogLinearTrend(), models.LogLinearTrend(ar1=True),
    models.DampedTrend(), models.ARIMA(), models.ARIMA(order=(1, 0)),
    models.LocalLinearTrend(), models.Theta(), models.Auto(),
    models.Auto(method="select", weights="aicc"),
]


#: Auto pools families that implement estimate() (ModelSpec subclasses), so an Auto is no
#: member of another Auto, nor is a spec that keeps only the duck-typed protocol
NOT_AN_AUTO_MEMBER = {"Auto": "Auto(families=...) takes ModelSpec subclasses with estimate()"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: repr(s)[:40])
def test_every_builtin_family_passes(spec):
    expected = NOT_AN_AUTO_MEMBER if isinstance(spec, models.Auto) else None
    # Fit.simulate promises paths that are a function of `innovations` alone
    check_model(spec, exact_innovations=True, expected_failed_checks=expected)


@pytest.mark.parametrize("spec", [models.Drift(param_uncertainty=False),
                                  models.DampedTrend(param_uncertainty=False)],
                         ids=["Drift", "DampedTrend"])
def test_without_parameter_uncertainty_paths_depend_on_innovations_alone(spec):
    check_model(spec, exact_innovations=True)


def test_a_history_series_and_seed_can_be_given():
    check_model(models.Drift(), CHECK_SERIES.window(start=2012), seed=3)


def test_the_docs_model_examples_pass():
    ns = _docs_block("class MeanGrowth", "history = forecast.reconstruct()")
    check_model(ns["MeanGrowth"](), expected_failed_checks=NOT_AN_AUTO_MEMBER)
    ns = _docs_block("class AverageGrowth", "history = forecast.reconstruct()")
    check_model(ns["AverageGrowth"]())


class _Levels:
    """Wraps a fit and breaks one promise of the contract."""

    def __init__(self, fit, how):
        self.fit, self.how = fit, how
        self.name, self.series = fit.name, fit.series
        self.last_year, self.unit = fit.last_year, fit.unit

    def simulate(self, h, n_paths, seed=None, innovations=None):
        if self.how == "levels":
            return np.exp(self.fit.simulate(h, n_paths, seed=seed, innovations=innovations))
        if self.how == "ignores_innovations":
            return self.fit.simulate(h, n_paths, seed=seed)
        return self.fit.simulate(h, n_paths, seed=seed, innovations=innovations)

    def point_forecast(self, h):
        return self.fit.point_forecast(h)

    def forecast(self, h, levels=(80, 95)):
        frame = self.fit.forecast(h, levels)
        return frame.drop(columns="mean") if self.how == "columns" else frame


@dataclass(frozen=True)
class _Broken:
    how: str
    name: str = "Drift"
    min_length: int = 3

    def fit(self, data, *, seed=None):
        if self.how == "no_short_error" and len(data) < 3:
            data = CHECK_SERIES
        return _Levels(models.Drift().fit(data, seed=seed), self.how)


@pytest.mark.parametrize(("how", "check"), [
    ("levels", "simulate"), ("ignores_innovations", "innovations"), ("columns", "forecast"),
])
def test_broken_models_are_caught(how, check):
    with pytest.raises(AssertionError, match=rf"^check_model\(Drift\): {check}: "):
        check_model(_Broken(how))


def test_expected_failures_must_fail_and_exist():
    with pytest.raises(AssertionError, match="remove it"):
        check_model(models.Drift(), expected_failed_checks={"members": "no reason"})
    with pytest.raises(ForecastTypeError, match="among"):
        check_model(models.Drift(), expected_failed_checks={"speed": "?"})
    assert MODEL_CHECKS[-1] == "Auto"
