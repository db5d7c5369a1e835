"""User-defined Distribution subclasses: their draws are checked, and files refuse them
unless a file can give them back.

Two bugs: a custom distribution without a `kind` was written to scenario files as
``dist = ""`` (a file that cannot be loaded), and whatever a custom ``_sample`` returned
(out of support, the wrong shape, NaN, text) went on into the simulation.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
from _engine_fakes import FakeFit, history

import forecast
from forecast.errors import ConfigError, ScenarioError
from forecast.report.reproduce import _scenarios_code
from forecast.scenarios import (
    Bernoulli,
    Beta,
    DiscreteUniform,
    Distribution,
    Diversion,
    Fixed,
    Group,
    LevelShift,
    LogNormal,
    Normal,
    PathContext,
    Scenario,
    ScenarioSet,
    Triangular,
    Uniform,
    dump_scenarios,
    dumps_scenarios,
    loads_scenarios,
)

BUILT_INS = [
    Fixed(0.02), Uniform(-0.04, -0.02), Uniform(0.1, 0.3), Triangular(-0.2, -0.1, -0.02),
    Triangular(0.1, 0.1, 1.0), Beta(2.0, 5.0), Beta(0.05, 0.05, low=0.1, high=0.3),
    Bernoulli(0.3), Bernoulli(1.0), DiscreteUniform(2027, 2030), Normal(0.0, 1.0),
    Normal(0.1, 0.05, low=0.0, high=0.12), LogNormal(0.01, 3.0),
]


@dataclass(frozen=True)
class Coin(Distribution):
    """-0.1 or 0.0 with equal odds; no `kind`, so no scenario file can name it."""

    def _sample(self, n, rng):
        return rng.choice([-0.1, 0.0], n)

    def mean(self) -> float:
        return -0.05

    def quantile(self, q):
        return np.where(np.asarray(q) <= 0.5, -0.1, 0.0)


@dataclass(frozen=True)
class Step(Distribution):
    """A registered custom distribution: `low` or `high` with equal odds."""

    low: float
    high: float
    kind: ClassVar[str] = "test_custom_step"

    def _sample(self, n, rng):
        return np.where(rng.random(n) < 0.5, self.low, self.high)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def quantile(self, q):
        return np.where(np.asarray(q) <= 0.5, self.low, self.high)


@dataclass(frozen=True)
class WideUniform(Uniform):
    """Inherits kind "uniform": a file would give back a plain Uniform."""


@dataclass(frozen=True, eq=False)
class Returns(Distribution):
    """Returns `out(n)` from ``_sample``; support [0, 1] (from its quantile) unless bare."""

    out: object = None

    def _sample(self, n, rng):
        return self.out(n)

    def mean(self) -> float:
        return 0.5

    def quantile(self, q):
        return np.asarray(q, dtype=float)


@dataclass(frozen=True, eq=False)
class Bare(Distribution):
    """Declares no support (neither `support` nor `quantile`)."""

    out: object = None

    def _sample(self, n, rng):
        return self.out(n)


def _scenario(dist, name="levy") -> Scenario:
    return Scenario("custom", [LevelShift(2027, dist, name=name)])


# ------------------------------------------------------------------- writing to files
def test_dumps_refuses_a_distribution_without_kind(tmp_path):
    """Used to write ``size = {dist = ""}``, which load_scenarios refused."""
    with pytest.raises(ConfigError) as info:
        dumps_scenarios(_scenario(Coin()))
    msg = str(info.value)
    for part in ("scenario[1].assumption[1].size", "scenario 'custom'", "assumption 'levy'",
                 "parameter `size`", "Coin()", "test_custom_distributions.Coin",
                 "has no `kind`", 'kind: ClassVar[str] = "coin"', "uniform"):
        assert part in msg
    assert info.value.field == "size"
    path = tmp_path / "s.toml"
    with pytest.raises(ConfigError, match="has no `kind`"):
        dump_scenarios(_scenario(Coin()), path)
    assert not path.exists()


def test_dumps_finds_the_distribution_in_groups_and_diversions():
    grp = Group("grp", [LevelShift(2027, -0.1, name="a"), LevelShift(2028, Coin(), name="b")])
    with pytest.raises(ConfigError, match=r"^scenario\[2\]\.assumption\[1\]\.part\[2\]\.size"
                                          r": .*assumption 'grp', part 'b'"):
        dumps_scenarios([_scenario(Uniform(-0.1, 0.0)), Scenario("g", [grp])])
    half = Returns(lambda n: np.full(n, 0.5))  # support [0, 1], as a probability needs
    with pytest.raises(ConfigError, match=r"assumption\[1\]\.probability: .*Returns"):
        dumps_scenarios(Scenario("g", [Group("grp", [LevelShift(2027, -0.1)], half)]))
    div = Diversion(LevelShift(2027, -0.1, name="src"), rate=half)
    with pytest.raises(ConfigError, match=r"assumption\[1\]\.rate: .*Returns"):
        dumps_scenarios(Scenario("d", [div]))


def test_dumps_refuses_a_subclass_that_inherits_a_kind():
    """The file would say "uniform" and give back a Uniform: a silent change of class."""
    with pytest.raises(ConfigError, match=r"inherits kind 'uniform'.*give back a Uniform, not "
                                          r'a WideUniform.*"wide_uniform"'):
        dumps_scenarios(_scenario(WideUniform(-0.1, 0.0)))


def test_a_registered_custom_distribution_round_trips():
    scen = _scenario(Step(-0.1, 0.0))
    text = dumps_scenarios(scen)
    assert 'size = {dist = "test_custom_step", low = -0.1, high = 0.0}' in text
    assert loads_scenarios(text)["custom"] == scen


def test_reproduce_falls_back_when_the_scenarios_cannot_be_written():
    """The report's reproduction code writes Python-built scenarios as TOML, or says it
    cannot, and why (the ConfigError's text, as comment lines: give the class a kind)."""
    fake = types.SimpleNamespace(scenario_names=("custom",), probabilities=None,
                                 scenarios=(_scenario(Coin()),))
    lines = _scenarios_code({}, fake)
    assert lines[0].startswith("# The scenarios were built in Python and cannot be written")
    assert lines[-1] == "scenarios = ..."
    assert all(line.startswith("#") for line in lines[:-1])
    why = " ".join(line[2:] for line in lines[1:-2])
    assert "has no `kind`" in why
    assert "Give the class a kind" in why
    fake.scenarios = (_scenario(Step(-0.1, 0.0)),)
    assert _scenarios_code({}, fake)[0].startswith("scenarios = forecast.loads_scenarios(")


def test_project_and_save_with_a_custom_distribution(tmp_path):
    """The projection runs, and save() describes the scenarios in JSON instead of TOML."""
    proj = forecast.project(FakeFit(history()), [_scenario(Coin())], to=2030, n_paths=50,
                            seed=1)
    out = proj.save(tmp_path / "p", format="csv")
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["scenarios"]["file"] is None
    assert "has no `kind`" in meta["scenarios"]["unavailable"]


# ------------------------------------------------------------------- checked draws
@pytest.mark.parametrize("d", BUILT_INS, ids=repr)
def test_built_in_draws_are_unchanged(d):
    """sample() returns _sample's own array: the same numbers and dtype for a seed."""
    for seed in range(5):
        for n in (0, 1, 1000):
            got = d.sample(n, np.random.default_rng(seed))
            want = d._sample(n, np.random.default_rng(seed))
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want, strict=True)


@pytest.mark.parametrize(("out", "match"), [
    (lambda n: np.full(n, 5.0),
     r"Returns\._sample\(3, rng\) must return values in its support \[0\.0, 1\.0\]; got 3 of 3 "
     r"outside it: \[5\.0, 5\.0, 5\.0\]\. Fix Returns\._sample"),
    (lambda n: np.array([0.5, -2.0, 0.25]), r"got 1 of 3 outside it: \[-2\.0\]"),
    (lambda n: np.full((n, 1), 0.5), r"must return an array of shape \(n,\) = \(3,\); got shape "
                                     r"\(3, 1\)"),
    (lambda n: 0.5, r"shape \(n,\) = \(3,\); got shape \(\): 0\.5"),
    (lambda n: np.full(n + 1, 0.5), r"got shape \(4,\)"),
    (lambda n: np.array([np.nan, 0.1, np.inf]),
     r"must return finite numbers; got 2 of 3 NaN or infinite: \[nan, inf\]"),
    (lambda n: np.ones(n, bool), r"must return numbers \(an int or float array\); got an "
                                 r"array of dtype bool"),
    (lambda n: np.array(["0.1"] * n), r"got an array of dtype <U3"),
    (lambda n: np.full(n, 0.5 + 0j), r"dtype complex128"),
    (lambda n: None, r"got a NoneType: None"),
    (lambda n: [[0.1], [0.2, 0.3], 0.4], r"got a list: \[\[0\.1\], \[0\.2, 0\.3\], 0\.4\]"),
])
def test_bad_draws_are_refused(out, match):
    with pytest.raises(ScenarioError, match=match) as info:
        Returns(out).sample(3, np.random.default_rng(0))
    assert "Returns._sample" in str(info.value)


def test_draws_outside_the_support_show_a_few_of_many():
    with pytest.raises(ScenarioError, match=r"got 1000 of 1000 outside it: \[2\.0, 2\.0, 2\.0,"
                                            r" 2\.0, 2\.0, \.\.\.\]"):
        Returns(lambda n: np.full(n, 2.0)).sample(1000, np.random.default_rng(0))


def test_good_custom_draws_pass():
    ints = Returns(lambda n: np.zeros(n, dtype=np.int32)).sample(3, np.random.default_rng(0))
    assert ints.dtype == np.int32
    listed = Returns(lambda n: [0.0, 0.5, 1.0]).sample(3, np.random.default_rng(0))
    np.testing.assert_array_equal(listed, [0.0, 0.5, 1.0])


def test_the_support_allows_rounding_only():
    """``low + (high - low) * u`` can pass a bound by an ulp; a real overshoot is refused."""
    ulp_over = np.nextafter(1.0, 2.0)
    x = Returns(lambda n: np.array([0.0, ulp_over])).sample(2, np.random.default_rng(0))
    assert x[1] == ulp_over
    with pytest.raises(ScenarioError, match="outside it"):
        Returns(lambda n: np.array([0.0, 1.0 + 1e-9])).sample(2, np.random.default_rng(0))


def test_no_declared_support_checks_the_rest():
    x = Bare(lambda n: np.full(n, 1e6)).sample(2, np.random.default_rng(0))
    np.testing.assert_array_equal(x, [1e6, 1e6])
    with pytest.raises(ScenarioError, match=r"Bare\._sample\(2, rng\) must return finite"):
        Bare(lambda n: np.full(n, np.nan)).sample(2, np.random.default_rng(0))


def test_bad_draws_stop_a_simulation():
    """The error reaches the caller of Scenario.effects and project, unchanged."""
    bad = Returns(lambda n: np.full(n, 7.0))
    ctx = PathContext.flat([2026, 2027, 2028], n_paths=4)
    with pytest.raises(ScenarioError, match=r"Returns\._sample\(4, rng\).*\[7\.0, 7\.0"):
        _scenario(bad).effects(ctx, 1)
    with pytest.raises(ScenarioError, match=r"Returns\._sample\(\d+, rng\).*support"):
        forecast.project(FakeFit(history()), ScenarioSet([_scenario(bad)]), to=2030,
                         n_paths=20, seed=1)


@dataclass(frozen=True)
class Counted(Distribution):
    """Draws in [0, 1); support [0, 1] from its quantile, which records its calls in
    `calls`."""

    calls: list = None

    def _sample(self, n, rng):
        return rng.random(n)

    def mean(self) -> float:
        return 0.5

    def quantile(self, q):
        self.calls.append(q)
        return np.asarray(q, dtype=float)


def test_the_support_is_asked_once_per_distribution():
    """Every chunk of a projection checks its draws against the support: a frozen
    distribution's support is remembered, not recomputed from two quantiles each time."""
    dist = Counted(calls=[])
    for seed in range(5):
        dist.sample(10, np.random.default_rng(seed))
    assert len(dist.calls) == 2  # quantile(0.0) and quantile(1.0), once


@dataclass(frozen=True, eq=False)
class UpTo(Distribution):
    """Draws `value`; support [0, `top`]. Declared ``eq=False``, it inherits an equality
    under which all its instances are equal, as the sensitivity analysis' pinned values
    and check_assumption's spies do."""

    value: float = 0.5
    top: float = 1.0

    def _sample(self, n, rng):
        return np.full(n, self.value)

    def mean(self) -> float:
        return self.value

    def quantile(self, q):
        return self.top * np.asarray(q, dtype=float)


def test_the_support_is_each_instances_own():
    """Remembered per instance, not by equality (which broke sobol and check_assumption)."""
    assert UpTo(0.5, top=1.0) == UpTo(5.0, top=10.0)  # the inherited equality
    np.testing.assert_array_equal(UpTo(0.5, top=1.0).sample(2, np.random.default_rng(0)),
                                  [0.5, 0.5])
    np.testing.assert_array_equal(UpTo(5.0, top=10.0).sample(2, np.random.default_rng(0)),
                                  [5.0, 5.0])
    with pytest.raises(ScenarioError, match=r"UpTo\._sample\(2, rng\).*outside it"):
        UpTo(5.0, top=1.0).sample(2, np.random.default_rng(0))
