"""The public assumption contract: hooks, explicit registration, errors that carry their field."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pytest

from forecast.errors import ConfigError, ForecastTypeError, ParameterError, ScenarioError
from forecast.scenarios import (
    PROBABILITY,
    Assumption,
    Bound,
    DiscreteUniform,
    Distribution,
    GrowthShift,
    LevelShift,
    PathContext,
    Scenario,
    ScenarioSet,
    dumps_scenarios,
    loads_scenarios,
    register,
    registered,
)
from forecast.scenarios import assumption as assumption_module


@dataclass(frozen=True)
class Ramp(Assumption):
    """A linear ramp of `slope` per year between `start` and `stop` (a test assumption)."""

    start: int | DiscreteUniform
    stop: int | DiscreteUniform
    slope: float | Distribution
    cap: float | Distribution | None = None
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)

    kind: ClassVar[str] = "test_ramp"
    year_fields: ClassVar[tuple[str, ...]] = ("start", "stop")
    bounds: ClassVar[dict] = {
        "slope": (None, None, "Pass a slope in log points per year."),  # a plain tuple works
        "cap": Bound(0.0, None, "Pass a positive cap.", low_open=True),
        "probability": PROBABILITY,
    }

    def compute_effect(self, ctx, draw):
        t = ctx.years[None, :]
        since = np.clip(t - draw("start")[:, None] + 1, 0, None)
        until = np.clip(draw("stop")[:, None] - draw("start")[:, None] + 1, 0, None)
        out = draw("slope")[:, None] * np.minimum(since, until)
        return out if self.cap is None else np.minimum(out, draw("cap")[:, None])


@pytest.fixture(autouse=True)
def _clean_registry():
    before = dict(assumption_module._KINDS)
    yield
    assumption_module._KINDS.clear()
    assumption_module._KINDS.update(before)


def test_hooks_are_public_and_bounds_are_normalised():
    assert Ramp.bounds["slope"] == Bound(None, None, "Pass a slope in log points per year.")
    assert Ramp.parameter_names() == ("start", "stop", "slope", "cap", "probability")
    assert GrowthShift.year_fields == ("start", "end")
    assert GrowthShift.bounds["half_life"].low_open
    assert Bound(0.0, 1.0).describe() == "[0, 1]"
    assert Bound(0.0, None, low_open=True).describe() == "(0, inf)"
    r = Ramp(2027, 2030, 0.01)
    assert r.cap is None  # a field defaulting to None is optional
    eff = r.effect(PathContext.flat(range(2026, 2033), 2), np.random.default_rng(1))
    np.testing.assert_allclose(eff[0], [0, 0.01, 0.02, 0.03, 0.04, 0.04, 0.04])


def test_a_class_is_loadable_only_once_registered():
    """Unregistered, the class is neither written (the file could not be read back) nor
    read; registered, it round-trips."""
    scen = Scenario("s", [Ramp(2027, 2030, 0.01, name="r")])
    with pytest.raises(ConfigError, match="register"):
        dumps_scenarios(scen)
    text = ('[[scenario]]\nname = "s"\n[[scenario.assumption]]\ntype = "test_ramp"\n'
            'name = "r"\nstart = 2027\nstop = 2030\nslope = 0.01\n')
    with pytest.raises(ConfigError, match="register"):
        loads_scenarios(text)
    assert register(Ramp) is Ramp
    assert dumps_scenarios(scen).count('type = "test_ramp"') == 1
    assert registered()["test_ramp"] is Ramp
    back = loads_scenarios(text)
    assert back == ScenarioSet([Scenario("s", [Ramp(2027, 2030, 0.01, name="r")])])
    # the year fields the class declares are read as years, not numbers
    assert isinstance(back["s"]["r"].stop, int)
    with pytest.raises(TypeError):
        registered()["x"] = Ramp  # type: ignore[index]


def test_a_kind_already_taken_is_refused():
    @dataclass(frozen=True)
    class MyShift(LevelShift):
        kind: ClassVar[str] = "level_shift"

    with pytest.raises(ScenarioError) as info:
        register(MyShift)
    assert info.value.field == "kind"
    msg = str(info.value)
    assert "forecast.scenarios.primitives.LevelShift" in msg
    assert "MyShift" in msg
    assert "another kind" in msg
    assert registered()["level_shift"] is LevelShift


def test_registering_again_or_redefining_is_allowed():
    register(Ramp)
    register(Ramp)
    redefined = type("Ramp", (Ramp,), {"__module__": Ramp.__module__,
                                       "__qualname__": Ramp.__qualname__})
    assert register(redefined) is redefined
    assert registered()["test_ramp"] is redefined


@pytest.mark.parametrize("bad", [LevelShift(2027, 0.1), int, Assumption])
def test_register_needs_an_assumption_class(bad):
    with pytest.raises(ForecastTypeError, match="Assumption subclass"):
        register(bad)


def test_register_needs_a_kind():
    @dataclass(frozen=True)
    class NoKind(LevelShift):
        kind: ClassVar[str] = ""

    with pytest.raises(ForecastTypeError, match="kind") as info:
        register(NoKind)
    assert info.value.field == "kind"


@pytest.mark.parametrize(
    ("make", "error", "fld"),
    [
        (lambda: LevelShift(2027, -0.1, phase_in=0.5), ParameterError, "phase_in"),
        (lambda: LevelShift("2027", -0.1), ForecastTypeError, "start"),
        (lambda: LevelShift(2027, "big"), ForecastTypeError, "size"),
        (lambda: LevelShift(2027, -0.1, name="a.b"), ParameterError, "name"),
        (lambda: GrowthShift(2030, 0.01, end=2028), ParameterError, "end"),
        (lambda: Ramp(2027, 2030, 0.01, cap=0.0), ParameterError, "cap"),
        (lambda: LevelShift(2027, -0.1).with_parameters(sise=1), ParameterError, "sise"),
        (lambda: Scenario(""), ScenarioError, "name"),
        (lambda: Scenario("s", (LevelShift(2027, 0), LevelShift(2028, 0))), ScenarioError,
         "assumptions"),
        (lambda: ScenarioSet([Scenario("a"), Scenario("a")]), ScenarioError, "scenarios"),
        (lambda: ScenarioSet([Scenario("a")], [2.0]), ParameterError, "probabilities"),
        (lambda: Scenario("s", (LevelShift(2025, 0),)).validate_against(2025), ScenarioError,
         "start"),
    ],
)
def test_errors_carry_their_field(make, error, fld):
    with pytest.raises(error) as info:
        make()
    assert info.value.field == fld
    assert fld in str(info.value) or fld in ("assumptions", "scenarios")


def test_the_field_survives_pickling():
    err = ParameterError("`x` must be 1; got 2. Pass 1.", field="x")
    assert pickle.loads(pickle.dumps(err)).field == "x"
    assert ParameterError("no field").field is None


def test_files_blame_the_key_the_error_names():
    # from a preset: the field of the error is a key the file gave
    text = ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\n'
            'preset = "data_flow_liberalization"\nyears_to_half = -1.0\n')
    with pytest.raises(ConfigError, match=r"^scenario\[1\]\.assumption\[1\]\.years_to_half:"):
        loads_scenarios(text)
    # the field names no key of the file: the preset itself is blamed
    text = ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\n'
            'preset = "trade_friction"\nname = "x.y"\n')
    with pytest.raises(ConfigError, match=r"^scenario\[1\]\.assumption\[1\]\.name:"):
        loads_scenarios(text)


def test_with_parameters_revalidates():
    a = LevelShift(2027, -0.1)
    with pytest.raises(ParameterError) as info:
        a.with_parameters(phase_in=0.0)
    assert info.value.field == "phase_in"
    assert dataclasses.replace(a, size=0.2).size.value == 0.2


@dataclass(frozen=True)
class _Broken(Assumption):
    """compute_effect fails (`mode` "raise") or returns (years, paths) (`mode` "transposed")."""

    mode: str = "raise"
    name: str = field(default="broken", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)

    kind: ClassVar[str] = "test_broken"
    year_fields: ClassVar[tuple[str, ...]] = ()
    bounds: ClassVar[dict] = {"probability": PROBABILITY}

    def compute_effect(self, ctx, draw):
        if self.mode == "raise":
            return 1 / 0
        return np.zeros((ctx.years.size, ctx.n_paths))


@pytest.mark.parametrize("probability", [1.0, 0.5])
def test_a_failing_or_misshapen_compute_effect_is_named_whatever_its_probability(
        probability):
    """A ZeroDivisionError in compute_effect was reported as "chunk 0 failed in the
    executor ... run with executor=None" (already None), naming no assumption; a
    transposed effect was caught only with probability 1 (the gate broadcast it into a
    raw ValueError otherwise)."""
    import forecast

    fit = forecast.Drift().fit(forecast.AnnualSeries(range(2015, 2025),
                                                     [10 * 1.1**i for i in range(10)]))
    for mode, words in (("raise", r"'broken' \(_Broken\): compute_effect failed "
                                  r"\(ZeroDivisionError: division by zero\)"),
                        ("transposed", r"'broken' \(_Broken\): compute_effect must return an "
                                       r"effect of shape \(paths, years\) = \(50, 4\); got "
                                       r"\(4, 50\)")):
        scen = Scenario("s", (_Broken(mode, probability=probability),))
        with pytest.raises(ScenarioError, match=words) as info:
            forecast.project(fit, scen, to=2028, n_paths=50, seed=1)
        assert "executor" not in str(info.value)


def test_a_distribution_kind_names_one_class():
    """A user class declaring a built-in kind ("uniform") silently replaced it for every
    later file load; now it is refused, while a subclass that inherits the kind (and a
    class defined again, as in a notebook) is fine."""
    from forecast.scenarios import Uniform
    from forecast.scenarios._distribution_base import Distribution as Base

    with pytest.raises(ScenarioError, match=r"distribution kind 'uniform' must name one "
                                            r"class.*kind = \"my_uniform\""):
        @dataclass(frozen=True)
        class FakeUniform(Distribution):
            low: float
            high: float
            kind: ClassVar[str] = "uniform"

    @dataclass(frozen=True)
    class Wider(Uniform):  # inherits "uniform": the built-in stays the one files load
        pass

    assert Base._registry["uniform"] is Uniform
    loaded = loads_scenarios('[[scenario]]\nname = "x"\n[[scenario.assumption]]\n'
                             'type = "level_shift"\nname = "c"\nstart = 2027\n'
                             'size = {dist = "uniform", low = -0.1, high = 0.0}\n')
    assert type(loaded["x"]["c"].size) is Uniform


@pytest.mark.parametrize(("years", "n", "error", "match"), [
    ([], 10, ParameterError, r"`years` must be a non-empty 1-d sequence of int years; got \[\]"),
    ([2026.5], 3, ParameterError, r"`years` must be a non-empty 1-d sequence"),
    (range(2026, 2028), 0, ParameterError, r"`n_paths` must be an int in \[1, inf\]; got 0"),
    (range(2026, 2028), "x", ForecastTypeError, r"`n_paths` must be an int .*got 'x'"),
])
def test_a_flat_context_of_bad_years_or_paths_names_the_argument(years, n, error, match):
    # an empty `years` used to be a raw IndexError
    with pytest.raises(error, match=match):
        PathContext.flat(years, n)


@pytest.mark.parametrize("readable", [True, False])
def test_a_flat_context_of_too_many_paths_is_a_resource_error(monkeypatch, readable):
    # used to be numpy's raw MemoryError (10**12 paths) or ValueError (10**18)
    from forecast import _resources
    from forecast.errors import ResourceError

    monkeypatch.setattr(_resources, "available_memory",
                        (lambda: 8 * 2**30) if readable else (lambda: None))
    for n in (10**12, 10**18) if readable else (10**18,):  # (numpy may map 10**12 lazily)
        with pytest.raises(ResourceError, match=f"{n:,} paths.*Pass a smaller n_paths"):
            PathContext.flat(range(2026, 2031), n)


@dataclass(frozen=True)
class _Exhausting(Assumption):
    """compute_effect raises `exc` (by name): memory running out, or the user stopping."""

    exc: str = "MemoryError"
    name: str = field(default="heavy", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)

    kind: ClassVar[str] = "test_exhausting"
    year_fields: ClassVar[tuple[str, ...]] = ()
    bounds: ClassVar[dict] = {"probability": PROBABILITY}

    def compute_effect(self, ctx, draw):
        raise {"MemoryError": MemoryError("Unable to allocate 763. MiB for an array"),
               "KeyboardInterrupt": KeyboardInterrupt(),
               "SystemExit": SystemExit(3)}[self.exc]


def _flat_context(n=20, h=4):
    from forecast.scenarios import PathContext

    return PathContext(np.arange(2026, 2026 + h), np.zeros((n, h)), np.zeros(h), 2025)


def test_memory_running_out_in_compute_effect_is_not_blamed_on_the_assumption():
    """A MemoryError in compute_effect was relabelled "compute_effect failed (MemoryError
    ...) ... fix it": a ScenarioError telling the user their assumption is wrong. Now it
    is the library's memory error (a ResourceError, still a MemoryError) saying so."""
    from forecast.errors import ResourceError

    with pytest.raises(ResourceError) as info:
        _Exhausting().effect(_flat_context(), np.random.default_rng(1))
    msg = str(info.value)
    assert isinstance(info.value, MemoryError)
    assert not isinstance(info.value, ScenarioError)
    assert "ran out of memory computing the effect of assumption 'heavy'" in msg
    assert "20 paths x 4 years" in msg
    assert "Unable to allocate" in msg
    assert "fix it" not in msg
    assert "compute_effect failed" not in msg


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_in_compute_effect_passes_through_unwrapped(exc):
    with pytest.raises(exc) as info:
        _Exhausting(exc.__name__).effect(_flat_context(), np.random.default_rng(1))
    assert type(info.value) is exc
