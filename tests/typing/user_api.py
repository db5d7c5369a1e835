"""A typed user's session with the documented public API (checked by tests/test_typing.py).

mypy checks this file as a user's code: the package is followed silently, so only what a
user sees is reported, and ``typing.assert_type`` pins the key results. The test also
runs :func:`session`, small, so that every call here works as well as it type-checks.
Nothing runs on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_type

import numpy as np
import pandas as pd

import forecast
from forecast import plotting, presets
from forecast.errors import ModelError
from forecast.models import FitLike, SpecLike
from forecast.scenarios import (
    Adoption,
    Assumption,
    Bernoulli,
    Beta,
    DiscreteUniform,
    Distribution,
    Diversion,
    Escalation,
    Fixed,
    Group,
    GrowthShift,
    LevelShift,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    Volatility,
    on_market,
)

YEARS = range(2012, 2026)
#: the seeds the package takes (forecast._seeds.SeedLike, spelt out as a user would)
Seed = int | np.integer | np.random.Generator | np.random.SeedSequence | None


def series(name: str = "US", growth: float = 1.08) -> forecast.AnnualSeries:
    """A series from a range and a list, as the docstrings build them."""
    values = [10 * growth**i * (1 + 0.03 * (-1) ** i) for i in range(len(YEARS))]
    return forecast.AnnualSeries(YEARS, values, name=name)


def assumptions() -> list[Assumption]:
    """Every assumption class, by position and by keyword."""
    step = LevelShift(2027, -0.05)
    levy = LevelShift(start=DiscreteUniform(2027, 2029), size=Triangular(-0.15, -0.06, -0.02),
                      phase_in=2, name="levy", probability=0.4)
    assert_type(levy, LevelShift)
    drift = GrowthShift(2027, -0.01, name="drift")
    fading = GrowthShift(start=2026, delta=Uniform(-0.01, 0.0), end=2032, half_life=5.0,
                         name="fading")
    adoption = Adoption(2027, 0.03, name="adoption")
    curve = Adoption(start=2028, ceiling=Normal(0.03, 0.01), years_to_half=4.0,
                     steepness=LogNormal(1.0, 0.2), name="curve", probability=Beta(2, 3))
    shocks = Escalation(2027, 0.2, Uniform(-0.04, -0.01), name="shocks")
    fading_shocks = Escalation(start=2028, rate=Fixed(0.1), size=-0.02, decay=0.5,
                               name="fading_shocks", probability=0.5)
    wider = Volatility(2028, 1.5, name="wider")
    wider_maybe = Volatility(start=2028, scale=Triangular(1.0, 1.2, 1.5), name="wider_maybe",
                             probability=Bernoulli(0.5))
    group = Group("group", [step, drift])                   # a list of parts
    group_of_one = Group(name="group_of_one", parts=adoption, probability=0.5)
    assert_type(group, Group)
    assert_type(wider, Volatility)
    return [levy, fading, curve, shocks, fading_shocks, wider, wider_maybe, group, group_of_one]


def diversions() -> list[Diversion]:
    """Diversions (for multi-market projections), by position and by keyword."""
    source = LevelShift(2027, -0.1, name="levy")
    spread = Diversion(source, 0.5, "US", "EU,ROW")
    listed = Diversion(source=source, rate=Beta(2, 3), market="US", to=["EU"], name="listed")
    alone = on_market(source, "US")
    assert_type(alone, Diversion)
    return [spread, listed, alone]


def read_assumptions(scenario: forecast.Scenario) -> list[str]:
    """What users read of any assumption: its name and probability."""
    out = []
    for a in scenario.assumptions:
        assert_type(a, Assumption)
        assert_type(a.name, str)
        assert_type(a.probability, float | Distribution)
        out.append(f"{a.name}: {a.probability!r}")
    return out


def distributions() -> list[float]:
    """The documented methods of every distribution, through the base class."""
    dists: list[Distribution] = [
        Fixed(0.1), Uniform(0.0, 1.0), Triangular(0.0, 0.2, 1.0), Normal(0.0, 1.0, low=-1.0),
        LogNormal(1.0, 0.5), Beta(2, 3), Bernoulli(0.3), DiscreteUniform(2027, 2030),
        forecast.as_distribution(0.3),
    ]
    out = []
    for d in dists:
        assert_type(d.mean(), float)
        assert_type(d.median(), float)
        assert_type(d.quantile(0.5), float)
        assert_type(d.quantile([0.1, 0.9]), np.ndarray)
        assert_type(d.sample(3, np.random.default_rng(0)), np.ndarray)
        low, high = d.support
        out += [d.mean(), d.quantile(0.5), low, high]
    return out


@dataclass(frozen=True)
class MeanGrowthFit:
    """An outside model's fit, as in docs/extending.md (no base class)."""

    spec: MeanGrowth
    series: forecast.AnnualSeries
    mu: float
    sigma: float

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def last_year(self) -> int:
        return self.series.last_year

    @property
    def unit(self) -> str:
        return self.series.unit

    def point_forecast(self, h: int) -> np.ndarray:
        return self.series.log_values[-1] + self.mu * np.arange(1, h + 1)

    def simulate(self, h: int, n_paths: int, seed: Seed = None,
                 innovations: np.ndarray | None = None) -> np.ndarray:
        if innovations is None:
            innovations = np.random.default_rng(seed).standard_normal((n_paths, h))
        return self.point_forecast(h) + np.cumsum(self.sigma * innovations, axis=1)

    def forecast(self, h: int, levels: Sequence[float] = (80, 95)) -> pd.DataFrame:
        paths = np.exp(self.simulate(h, 2000, seed=0))
        out = {"year": np.arange(self.last_year + 1, self.last_year + h + 1),
               "mean": paths.mean(axis=0), "median": np.median(paths, axis=0)}
        for lv in levels:
            out[f"lower_{lv:g}"], out[f"upper_{lv:g}"] = np.quantile(
                paths, [0.5 - lv / 200, 0.5 + lv / 200], axis=0)
        return pd.DataFrame(out)


@dataclass(frozen=True)
class MeanGrowth:
    """An outside model spec, as in docs/extending.md (no base class)."""

    name: str = "MeanGrowth"
    min_length: int = 4

    def fit(self, data: forecast.AnnualSeries | forecast.History, *,
            seed: object = None) -> MeanGrowthFit:
        s = data if isinstance(data, forecast.AnnualSeries) else data.series
        g = np.diff(s.log_values)
        return MeanGrowthFit(self, s, float(g.mean()), float(g.std(ddof=1)))


def session(n_paths: int = 200, charts: bool = True) -> dict[str, object]:
    """The documented workflow, typed; returns what it made (for the runtime test)."""
    s = series()
    items = assumptions()
    levy = items[0]

    # scenarios: a list, one assumption, a generator; sets with lists
    mine = forecast.Scenario("levy", [levy], description="A possible outsourcing levy")
    one = forecast.Scenario("one", levy)
    many = forecast.Scenario("many", (a for a in items[1:]))
    both = forecast.combine(mine, presets.digital_opening())
    scenarios = forecast.ScenarioSet([presets.baseline(), mine, both])
    weighted = forecast.ScenarioSet([presets.baseline(), mine], probabilities=[0.7, 0.3])
    assert_type(weighted.probabilities, tuple[float, ...] | None)
    assert_type(mine.assumptions, tuple[Assumption, ...])
    read_assumptions(many)

    # presets, and the modules reached as attributes of forecast
    assert_type(presets.scenario_set(), forecast.ScenarioSet)
    assert_type(presets.get("escalation"), forecast.Scenario)
    assert_type(presets.names(), tuple[str, ...])
    assert_type(presets.trade_friction("severe"), Group)
    assert_type(forecast.market_presets.names(), tuple[str, ...])
    assert_type(forecast.presets.fragmentation(), forecast.Scenario)
    text = forecast.dumps_scenarios(weighted)
    assert_type(forecast.loads_scenarios(text), forecast.ScenarioSet)

    # models: a series, a History; every kind of seed
    fit = forecast.Drift().fit(s, seed=1)
    assert_type(fit, forecast.Fit)
    history = forecast.History(np.arange(2012, 2026), np.log(s.values), np.full(14, 0.05))
    assert_type(history.draws(3, seed=np.random.default_rng(2)), np.ndarray)
    theta = forecast.Theta(imputations=2).fit(history, seed=np.random.default_rng(1))
    auto = forecast.Auto(families=("Drift", "Theta"), imputations=2).fit(
        history, seed=np.random.SeedSequence(3))
    assert_type(auto.forecast(5), pd.DataFrame)
    assert_type(theta.simulate(3, 10, seed=np.int64(4)), np.ndarray)

    # fit_many: the documented loop, and errors="return"
    fits = forecast.fit_many(forecast.Auto(), [series("US"), series("EU", 1.05)])
    assert_type(fits, list[forecast.Fit])
    medians = [f.forecast(6)["median"].round(1).tolist() for f in fits]
    names = [f.series.name for f in fits]
    short = forecast.AnnualSeries([2024, 2025], [1.0, 2.0], name="short")
    maybe = forecast.fit_many(forecast.Drift(), [s, short], errors="return")
    assert_type(maybe, list[forecast.Fit | ModelError])
    failed = [m for m in maybe if isinstance(m, ModelError)]

    # projection and its queries
    proj = forecast.project(fit, [presets.baseline(), presets.fragmentation(), mine], to=2035,
                            n_paths=n_paths, seed=7)
    assert_type(proj, forecast.Projection)
    assert_type(proj.summary_frame(levels=(80,)), pd.DataFrame)
    assert_type(proj.summary_frame(80, scenario="levy"), pd.DataFrame)
    assert_type(proj.decompose("fragmentation"), pd.DataFrame)
    assert_type(proj.prob_above(30.0, 2030, scenario="baseline"), float)
    assert_type(proj.prob_above(30.0, 2030), pd.Series)
    assert_type(proj.prob_below(30.0, 2030, ["baseline", "levy"]), pd.Series)
    assert_type(proj.difference(levels=80), pd.DataFrame)
    assert_type(proj.cagr(2026, 2035, levels=[80]), pd.DataFrame)
    assert_type(proj.quantiles([0.1, 0.9], scenario=["levy"]), pd.DataFrame)
    assert_type(proj.interval(80, scenario="levy"), pd.DataFrame)
    assert_type(proj.year_reaching(40.0, "baseline"), pd.DataFrame)
    chance: float = proj.prob_above(30.0, 2030, scenario="levy")
    mixed = forecast.project(auto, weighted, horizon=5, n_paths=n_paths,
                             seed=np.random.SeedSequence(3)).mixture()
    assert_type(mixed, forecast.Projection)
    assert_type(forecast.project(theta, one, horizon=5, n_paths=n_paths, seed=None),
                forecast.Projection)
    assert_type(forecast.report.compact_table(proj), pd.DataFrame)

    # an outside model (docs/extending.md): a FitLike and a SpecLike
    outside: SpecLike = MeanGrowth()
    outside_fit: FitLike = outside.fit(s)
    forecast.project(outside_fit, scenarios, to=2030, n_paths=n_paths, seed=1)

    # evaluation
    bt = forecast.backtest(forecast.Drift(), s, origins=[2020, 2021], horizon=2,
                           n_paths=n_paths, seed=1)
    assert_type(bt, pd.DataFrame)
    table = forecast.compare([forecast.Theta(), forecast.Drift(scale="log"), MeanGrowth()], s,
                             origins=[2020, 2021], horizon=2, n_paths=n_paths,
                             seed=np.random.default_rng(1))
    assert_type(table, pd.DataFrame)
    tor = forecast.tornado(fit, mine, [2030, 2035], n_paths=n_paths, seed=1)
    assert_type(tor, pd.DataFrame)
    sob = forecast.sobol(fit, many, 2030, n=16, seed=np.random.SeedSequence(2), n_bootstrap=40)
    assert_type(sob, pd.DataFrame)

    made: dict[str, object] = {
        "projection": proj, "tornado": tor, "sobol": sob, "backtest": bt, "compare": table,
        "medians": medians, "names": names, "failed": failed, "chance": chance,
        "distributions": distributions(), "diversions": diversions(), "scenarios": scenarios,
    }
    if charts:
        made["titles"] = draw(proj, tor)
    return made


def draw(proj: forecast.Projection, tor: pd.DataFrame) -> list[str]:
    """Charts: their results used as matplotlib Axes (the ``plot`` extra)."""
    from matplotlib.axes import Axes

    ax = plotting.fan_chart(proj, "levy")
    assert_type(ax, Axes)
    ax.set_ylabel("USD bn")
    bars = plotting.tornado_chart(tor, 2035)
    assert_type(bars, Axes)
    panels = plotting.fan_grid(proj)
    assert_type(panels, list[Axes])
    own = proj.plot("baseline")
    assert_type(own, Axes)
    return [ax.get_title(), bars.get_title(), own.get_title(), *(p.get_title() for p in panels)]
