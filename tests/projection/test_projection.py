"""Tests of forecast.Projection: summaries, scenario comparisons, decomposition,
events and save/load. Exact checks use the test doubles of ``_engine_fakes``."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest
from _engine_fakes import FakeFit, FakeScenario, FakeSet, Growth, Shift, history, scenarios
from _optional import need

from forecast.errors import (
    DataError,
    ForecastTypeError,
    ParameterError,
    ScenarioError,
    SimulationError,
)
from forecast.projection import Projection, project

FIT = FakeFit(history())
SCEN = scenarios()
NAMES = ("baseline", "friction", "opening", "mixed")


@pytest.fixture(scope="module")
def proj():
    return project(FIT, FakeSet(SCEN, (0.4, 0.3, 0.2, 0.1)), to=2035, n_paths=401, seed=3,
                   chunk_size=150)


# --------------------------------------------------------------------------- summaries
def test_quantiles_long_frame_matches_numpy(proj):
    df = proj.quantiles([0.1, 0.5, 0.9])
    assert df.columns.tolist() == ["scenario", "year", "quantile", "value"]
    assert len(df) == 4 * 10 * 3
    sub = df[(df.scenario == "opening") & (df.year == 2030)]
    expected = np.quantile(proj.samples[2][:, 4], [0.1, 0.5, 0.9])
    np.testing.assert_allclose(sub["value"], expected, rtol=1e-14)
    one = proj.quantiles(0.5, scenario="mixed")
    assert set(one.scenario) == {"mixed"}
    assert len(one) == 10
    two = proj.quantiles(0.5, scenario=["mixed", "baseline"])
    assert two.scenario.unique().tolist() == ["mixed", "baseline"]
    with pytest.raises(ParameterError, match="percentages divided by 100"):
        proj.quantiles(50)
    with pytest.raises(ScenarioError, match="'nope'"):
        proj.quantiles(0.5, scenario="nope")


@pytest.mark.parametrize("shape", [(7, 300, 10), (1, 301, 10), (2, 5, 3), (3, 1, 1), (2, 1, 4)])
def test_blocked_quantiles_equal_numpy(shape):
    from forecast.projection.summaries import column_quantiles

    x = np.random.default_rng(4).standard_normal(shape)
    x.flags.writeable = False  # samples are read-only; the input must never be partitioned
    q = [0.0, 0.05, 0.5, 0.975, 1.0]
    np.testing.assert_array_equal(column_quantiles(x, q), np.quantile(x, q, axis=1))
    np.testing.assert_array_equal(column_quantiles(x[0], q), np.quantile(x[0], q, axis=0))



@pytest.mark.parametrize("budget", [None, 1, 10**9])
def test_quantile_copies_stay_within_their_budget(monkeypatch, budget):
    import tracemalloc

    from forecast.projection import summaries

    x = np.random.default_rng(5).standard_normal((2, 20_000, 10))  # 3.2 MB
    x.flags.writeable = False
    q = [0.05, 0.5, 0.95]
    expected = np.quantile(x, q, axis=1)
    monkeypatch.setattr(summaries, "COPY_FLOOR", 0)  # the bound itself, not its floor
    tracemalloc.start()
    try:
        got = summaries.column_quantiles(x, q, budget)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(got, expected)
    column = x.shape[1] * 8
    allowed = {None: x.nbytes // 4, 1: column, 10**9: x.nbytes // 2}[budget]
    assert peak <= allowed + 64 * 1024  # + the output and numpy's small temporaries
    assert peak >= min(allowed, x.nbytes // 2) - column  # whole blocks are copied


def test_small_quantile_copies_take_a_whole_scenario(monkeypatch):
    from forecast.projection import summaries

    x = np.random.default_rng(6).standard_normal((1, 1000, 12))
    sizes = []
    real = np.quantile
    monkeypatch.setattr(summaries.np, "quantile",
                        lambda a, *args, **kw: sizes.append(a.shape) or real(a, *args, **kw))
    summaries.column_quantiles(x, [0.5], budget=1)  # below COPY_FLOOR: one copy
    assert sizes == [(12, 1000)]

def test_interval_and_summary_frame(proj):
    iv = proj.interval(80)
    assert iv.columns.tolist() == ["scenario", "year", "lower", "upper"]
    sf = proj.summary_frame()
    assert sf.columns.tolist() == ["scenario", "year", "mean", "median", "lower_80",
                                   "upper_80", "lower_95", "upper_95"]
    np.testing.assert_allclose(sf["lower_80"], iv["lower"], rtol=1e-14)
    np.testing.assert_allclose(sf["mean"], proj.samples.mean(axis=1).reshape(-1), rtol=1e-14)
    assert (sf.lower_95 <= sf.lower_80).all()
    assert (sf.lower_80 <= sf["median"]).all()
    assert (sf["median"] <= sf.upper_80).all()
    assert (sf.upper_80 <= sf.upper_95).all()
    assert proj.summary_frame(levels=(50,), scenario="opening").columns.tolist()[-2:] == [
        "lower_50", "upper_50"]
    with pytest.raises(ParameterError, match="Did you mean 80"):
        proj.interval(0.8)


def test_to_frame_and_to_wide(proj):
    long = proj.to_frame()
    assert long.columns.tolist() == ["model", "scenario", "year", "quantile", "value"]
    assert (long.model == "FakeDrift").all()
    assert len(long) == 4 * 10 * 7
    wide = proj.to_wide()
    assert wide.columns.tolist() == ["scenario", "year", "mean", "p5", "p10", "p25", "p50",
                                     "p75", "p90", "p95"]
    merged = long[long["quantile"] == 0.25].reset_index(drop=True)
    np.testing.assert_allclose(merged["value"], wide["p25"], rtol=1e-14)


def test_to_iamc(proj):
    us = dataclasses.replace(proj, history=dataclasses.replace(
        proj.history, name="US offshore_execution"))
    df = us.to_iamc()
    assert df.columns.tolist()[:5] == ["model", "scenario", "region", "variable", "unit"]
    assert df.columns.tolist()[5:] == list(range(2026, 2036))
    assert df.scenario.tolist() == list(NAMES)
    assert (df.region == "United States").all()
    assert (df.variable == "Service Outsourcing|Offshore Execution|China").all()
    assert (df.unit == "billion USD/yr").all()
    np.testing.assert_allclose(df.loc[1, 2030], np.median(proj.samples[1][:, 4]), rtol=1e-14)
    more = us.to_iamc(model="m", region="USA", unit="bn", quantiles=[0.05, 0.95])
    assert len(more) == 12
    assert more.variable.iloc[-1] == "Service Outsourcing|Offshore Execution|China|p95"
    assert (more.model == "m").all()


@pytest.mark.parametrize(("name", "region", "variable"), [
    ("HK offshore_execution", "Hong Kong", "Service Outsourcing|Offshore Execution|China"),
    ("ALL so_contract (ITO)", "World", "Service Outsourcing|Contract|China|ITO"),
    ("US+EU offshore_contract", "United States+European Union",
     "Service Outsourcing|Offshore Contract|China"),
    ("XY offshore_execution", "XY", "Service Outsourcing|Offshore Execution|China"),
])
def test_to_iamc_labels_follow_the_projected_series(proj, name, region, variable):
    p = dataclasses.replace(proj, history=dataclasses.replace(proj.history, name=name))
    df = p.to_iamc(quantiles=[0.9])
    assert (df.region == region).all()
    assert df.variable.tolist()[:4] == [variable] * 4
    assert df.variable.iloc[-1] == f"{variable}|p90"


def test_to_iamc_needs_labels_the_series_does_not_tell(proj):
    assert proj.history.name == "test"
    with pytest.raises(ParameterError, match=r"`region` and `variable`.*'test'") as info:
        proj.to_iamc()
    assert info.value.field == "region"
    hk = dataclasses.replace(proj, history=dataclasses.replace(proj.history, name="HK"))
    with pytest.raises(ParameterError, match=r"needs `variable`"):
        hk.to_iamc()
    assert (hk.to_iamc(variable="v").region == "Hong Kong").all()
    assert (proj.to_iamc(region="r", variable="v").region == "r").all()


def test_repr_is_compact(proj):
    text = repr(proj)
    assert text.startswith("Projection(model='FakeDrift'")
    assert "n_paths=401" in text
    assert "2026-2035" in text
    assert "seed=3" in text
    assert len(text) < 200


# --------------------------------------------------------------------------- comparisons
def test_mixture_pools_paths_by_probability(proj):
    mix = proj.mixture()
    assert mix.scenario_names == ("mixture",)
    counts = mix.settings["mixture"]
    assert counts == {"baseline": 161, "friction": 120, "opening": 80, "mixed": 40}
    np.testing.assert_array_equal(mix.samples[0, :161], proj.samples[0, :161])
    np.testing.assert_array_equal(mix.samples[0, 161:281], proj.samples[1, 161:281])
    # blocks in the order of the names: baseline, friction, mixed, opening
    np.testing.assert_array_equal(mix.samples[0, 281:321], proj.samples[3, 281:321])
    np.testing.assert_array_equal(mix.samples[0, 321:], proj.samples[2, 321:])
    with pytest.raises(ScenarioError, match=r"cannot split a mixture.*'friction'.*"
                                            r"proj\.decompose\('friction'\)"):
        mix.decompose("mixture")  # it said "`baseline` must name a projected scenario"
    plain = dataclasses.replace(proj, probabilities=None)
    with pytest.raises(ScenarioError, match="probabilities"):
        plain.mixture()


@pytest.mark.parametrize(("name", "error", "text"), [
    ("", ScenarioError, "`name` must be a non-empty name .*got ''"),
    (" pooled", ScenarioError, "surrounding spaces"),
    ("a\nb", ScenarioError, "control"),
    (5, ForecastTypeError, r"`name` must be a str .*got 5 \(int\)"),
])
def test_mixture_name_is_checked_in_its_own_words(proj, name, error, text):
    """It said "`scenario_names` must be ...": an argument the caller never passed."""
    with pytest.raises(error, match=text + r'.*Pass e\.g\. name="mixture"'):
        proj.mixture(name=name)
    assert proj.mixture(name="weighted").scenario_names == ("weighted",)


def test_mixture_does_not_depend_on_the_order_of_the_scenarios(proj):
    """Each scenario's paths are keyed by its name; so is its block of the pool."""
    order = [2, 0, 3, 1]
    shuffled = dataclasses.replace(
        proj, scenario_names=tuple(proj.scenario_names[k] for k in order),
        samples=proj.samples[order],
        probabilities=tuple(proj.probabilities[k] for k in order), scenarios=None)
    np.testing.assert_array_equal(shuffled.mixture().samples, proj.mixture().samples)
    assert shuffled.mixture().settings["mixture"] == {
        name: proj.mixture().settings["mixture"][name] for name in shuffled.scenario_names}


def test_difference_is_per_path(proj):
    df = proj.difference()
    assert df.columns.tolist() == [
        "scenario", "year", "mean", "median", "lower_80", "upper_80", "lower_95", "upper_95",
        "mean_pct", "median_pct", "lower_80_pct", "upper_80_pct", "lower_95_pct",
        "upper_95_pct", "prob_below"]
    assert df.scenario.unique().tolist() == ["friction", "opening", "mixed"]
    d = proj.samples[1] - proj.samples[0]
    row = df[(df.scenario == "friction") & (df.year == 2031)].iloc[0]
    assert row["mean"] == pytest.approx(d[:, 5].mean(), rel=1e-14)
    pct = 100 * (proj.samples[1][:, 5] / proj.samples[0][:, 5] - 1)
    assert row["median_pct"] == pytest.approx(np.median(pct), rel=1e-14)
    assert row["prob_below"] == 1.0
    first = df[(df.scenario == "friction") & (df.year == 2026)].iloc[0]
    assert first["upper_95"] == 0.0  # friction starts in 2027: identical paths (CRN)
    assert proj.difference(baseline="opening").scenario.tolist()[0] == "baseline"
    with pytest.raises(ScenarioError, match="'none'"):
        proj.difference(baseline="none")
    # a subset, in the order given, row for row the same as in the full frame
    some = proj.difference(scenarios=["mixed", "friction"])
    assert some.scenario.unique().tolist() == ["mixed", "friction"]
    full = df.set_index(["scenario", "year"])
    pd.testing.assert_frame_equal(some.set_index(["scenario", "year"]),
                                  full.loc[some.set_index(["scenario", "year"]).index])
    with pytest.raises(ScenarioError, match="must not contain the baseline"):
        proj.difference(scenarios=["baseline"])
    with pytest.raises(ScenarioError, match="`scenarios`.*'nope'"):
        proj.difference(scenarios=["nope"])
    # one name, as every scenario= argument takes (docs/results.md)
    pd.testing.assert_frame_equal(proj.difference(scenarios="friction"),
                                  proj.difference(scenarios=["friction"]))
    with pytest.raises(ScenarioError, match="`scenarios`.*'nope'"):
        proj.difference(scenarios="nope")
    with pytest.raises(ParameterError, match="at least one scenario"):
        proj.difference(scenarios=[])
    with pytest.raises(ParameterError, match="'friction' 2 times"):
        proj.difference(scenarios=["friction", "friction"])
    with pytest.raises(ForecastTypeError, match="scenario name or a list of names"):
        proj.difference(scenarios=3)


# --------------------------------------------------------------------------- decomposition
def _gaps(proj, s, b):
    i, j = NAMES.index(s), NAMES.index(b)
    log_gap = 100 * (np.log(proj.samples[i]) - np.log(proj.samples[j])).mean(axis=0)
    level_gap = (proj.samples[i] - proj.samples[j]).mean(axis=0)
    return log_gap, level_gap


def test_decomposition_sums_exactly_to_the_gap(proj):
    df = proj.decompose("mixed")
    assert df.columns.tolist() == ["year", "assumption", "log_points", "level"]
    assert df.assumption.unique().tolist() == ["friction", "opening", "volatility"]
    totals = df.groupby("year", sort=True)[["log_points", "level"]].sum()
    log_gap, level_gap = _gaps(proj, "mixed", "baseline")
    np.testing.assert_allclose(totals["log_points"], log_gap, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(totals["level"], level_gap, rtol=1e-12, atol=1e-12)
    # before its start an assumption contributes nothing
    early = df[(df.year == 2026) & (df.assumption == "friction")].iloc[0]
    assert early["log_points"] == 0.0
    assert early["level"] == 0.0


def test_single_assumption_gets_the_whole_gap(proj):
    df = proj.decompose("opening")
    log_gap, level_gap = _gaps(proj, "opening", "baseline")
    np.testing.assert_allclose(df["log_points"], log_gap, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(df["level"], level_gap, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(df["log_points"].to_numpy()[2:], 3.0 * np.arange(1, 9))


def test_decomposition_against_a_baseline_with_assumptions(proj):
    df = proj.decompose("friction", baseline="mixed")
    by = df.pivot(index="year", columns="assumption", values="log_points")
    assert np.all(by["friction"] == 0.0)  # shared assumption: identical draws cancel
    assert np.all(by["opening"].to_numpy()[2:] < 0)
    totals = df.groupby("year")[["log_points", "level"]].sum()
    log_gap, level_gap = _gaps(proj, "friction", "mixed")
    np.testing.assert_allclose(totals["log_points"], log_gap, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(totals["level"], level_gap, rtol=1e-12, atol=1e-12)


def test_offsetting_assumptions_use_the_tangent_rule():
    up, down = Shift("up", 0.1, 2027), Shift("down", -0.1, 2027)
    p = project(FIT, [FakeScenario("baseline"), FakeScenario("both", (up, down))], horizon=4,
                n_paths=50, seed=1)
    df = p.decompose("both")
    lv = df.pivot(index="year", columns="assumption", values="level")
    base_mean = p.samples[0].mean(axis=0)
    np.testing.assert_allclose(lv["up"].to_numpy()[1:], 0.1 * base_mean[1:], rtol=1e-9)
    np.testing.assert_allclose((lv["up"] + lv["down"]).to_numpy(),
                               (p.samples[1] - p.samples[0]).mean(axis=0), atol=1e-12)
    assert np.all(np.isfinite(lv.to_numpy()))


def test_decompose_detects_changed_definitions_and_bad_arguments(proj):
    changed = list(proj.scenarios)
    changed[2] = FakeScenario("opening", (Growth("opening", 0.031, 2028),))
    with pytest.raises(SimulationError, match="reproduce its stored samples"):
        dataclasses.replace(proj, scenarios=tuple(changed)).decompose("opening")
    with pytest.raises(ScenarioError, match="must differ"):
        proj.decompose("baseline")
    with pytest.raises(ForecastTypeError):
        proj.decompose(3)


# --------------------------------------------------------------------------- events
def test_prob_above(proj):
    p = proj.prob_above(30.0, 2030, "friction")
    assert isinstance(p, float)
    assert p == pytest.approx((proj.samples[1][:, 4] > 30).mean())
    s = proj.prob_above(30.0, 2030)
    assert isinstance(s, pd.Series)
    assert s.index.tolist() == list(NAMES)
    assert s["friction"] == p
    with pytest.raises(ParameterError, match=r"\[2026, 2035\]"):
        proj.prob_above(30.0, 2024)
    with pytest.raises(ParameterError, match="`value`"):
        proj.prob_above(-1.0, 2030)


def test_prob_below(proj):
    p = proj.prob_below(30.0, 2030, "friction")
    assert p == pytest.approx((proj.samples[1][:, 4] < 30).mean())
    s = proj.prob_below(30.0, 2030)
    assert s.name == "prob_below"
    assert s.index.tolist() == list(NAMES)
    assert s["friction"] == p
    # with no path exactly at the value, below and above are complements
    np.testing.assert_allclose(s + proj.prob_above(30.0, 2030), 1.0)
    assert proj.prob_below(1e-9, 2030, "friction") == 0.0
    with pytest.raises(ParameterError, match=r"\[2026, 2035\]"):
        proj.prob_below(30.0, 2036)
    with pytest.raises(ParameterError, match="`value`"):
        proj.prob_below(0.0, 2030)


def test_year_reaching(proj):
    df = proj.year_reaching(40.0)
    assert df.columns.tolist() == ["scenario", "first_year", "share", "cumulative"]
    assert len(df) == 4 * 11
    for name, g in df.groupby("scenario"):
        assert g["share"].sum() == pytest.approx(1.0)
        assert g["cumulative"].iloc[-1] == 1.0
        assert pd.isna(g["first_year"].iloc[-1])
        x = proj.samples[NAMES.index(name)]
        never = (~(x >= 40).any(axis=1)).mean()
        assert g["share"].iloc[-1] == pytest.approx(never)
        by_2030 = (x[:, :5] >= 40).any(axis=1).mean()
        assert g[g.first_year == 2030]["cumulative"].iloc[0] == pytest.approx(by_2030)


def test_cagr(proj):
    df = proj.cagr(2025, 2035)
    assert df.columns.tolist() == ["scenario", "start", "end", "mean", "median", "lower_80",
                                   "upper_80", "lower_95", "upper_95"]
    last = FIT.series.values[-1]
    g = 100 * ((proj.samples[0][:, -1] / last) ** 0.1 - 1)
    assert df["median"].iloc[0] == pytest.approx(np.median(g), rel=1e-12)
    inner = proj.cagr(2027, 2030, scenario="opening")
    g2 = 100 * ((proj.samples[2][:, 4] / proj.samples[2][:, 1]) ** (1 / 3) - 1)
    assert inner["mean"].iloc[0] == pytest.approx(g2.mean(), rel=1e-12)
    with pytest.raises(ParameterError, match=r"before `end`; got start=2030, end=2027\. "
                       r"Swap them: pass start=2027, end=2030\."):
        proj.cagr(2030, 2027)
    with pytest.raises(ParameterError, match=r"needs two years: pass an earlier `start`"):
        proj.cagr(2030, 2030)
    with pytest.raises(ParameterError, match="`end`"):
        proj.cagr(2020, 2024)


def test_cagr_from_a_history_year_starts_at_the_reconstructions_median(us_history):
    """docs/results.md said a history year's "observed value" was the start: it is the
    reconstruction's median (the nowcast's for the partial 2025), the figures it quotes."""
    import pathlib

    import forecast

    fit = forecast.Drift(imputations=5).fit(us_history, seed=1)
    p = project(fit, [forecast.presets.baseline()], to=2030, n_paths=300, seed=1)
    frame = us_history.to_frame().set_index("year")
    for year in (2024, 2025):
        start = float(frame.loc[year, "median"])
        g = 100 * ((p.samples[0][:, -1] / start) ** (1 / (2030 - year)) - 1)
        assert p.cagr(year, 2030)["median"].iloc[0] == pytest.approx(np.median(g), rel=1e-12)
    docs = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "results.md").read_text(
        encoding="utf-8")
    assert f"the US 2024 is {frame.loc[2024, 'median']:.3f}" in docs
    assert f"(2025: {frame.loc[2025, 'median']:.2f}," in docs


def test_cagr_start_outside_history_and_projection_says_both_ranges(proj):
    """A start year before the history is not told "must be a projected year" only."""
    with pytest.raises(ParameterError, match=r"`start` must be a year of the history "
                       r"\(2016-2025\) or a projected year \(2026-2035\); got 2000"):
        proj.cagr(2000, 2030)


def test_year_arguments_that_are_not_ints_say_how_to_fix(proj):
    with pytest.raises(ForecastTypeError, match=r"got 2030.5 \(float\)\. Pass a projected "
                       r"year such as 2035"):
        proj.prob_above(40, 2030.5)
    with pytest.raises(ForecastTypeError, match=r"got '2030' \(str\)\. Pass a projected "):
        proj.prob_above(40, "2030")


def test_to_frame_names_its_own_argument(proj):
    with pytest.raises(ParameterError, match="`quantiles` must be probabilities"):
        proj.to_frame(quantiles=[50])


SCENARIO_METHODS = {
    "quantiles": lambda p, s: p.quantiles(0.5, scenario=s),
    "interval": lambda p, s: p.interval(80, scenario=s),
    "summary_frame": lambda p, s: p.summary_frame(scenario=s),
    "year_reaching": lambda p, s: p.year_reaching(40, scenario=s),
    "cagr": lambda p, s: p.cagr(2025, 2030, scenario=s),
    "prob_above": lambda p, s: p.prob_above(40, 2030, scenario=s),
    "prob_below": lambda p, s: p.prob_below(40, 2030, scenario=s),
}


@pytest.mark.parametrize("method", sorted(SCENARIO_METHODS))
@pytest.mark.parametrize("empty", [[], ()])
def test_every_method_refuses_an_empty_scenario_list_alike(proj, method, empty):
    with pytest.raises(ParameterError, match=r"`scenario` must name at least one scenario; "
                       rf"got {re.escape(repr(empty))}\. Pass e\.g\. scenario='baseline' "
                       "or leave it out") as info:
        SCENARIO_METHODS[method](proj, empty)
    assert info.value.field == "scenario"


@pytest.mark.parametrize("method", sorted(SCENARIO_METHODS))
def test_every_method_refuses_a_repeated_scenario_alike(proj, method):
    with pytest.raises(ParameterError, match=r"names in `scenario` must be unique; got "
                       r"'mixed' 2 times\. Pass each scenario once"):
        SCENARIO_METHODS[method](proj, ["mixed", "baseline", "mixed"])


def test_quantiles_refuse_text_as_interval_does(proj):
    with pytest.raises(ForecastTypeError, match=r"`q` must be probabilities .*got '0\.5' "
                       r"\(str\)\. Pass numbers"):
        proj.quantiles("0.5")
    with pytest.raises(ForecastTypeError, match=r"got \['0\.1', 0\.9\].*'0\.1' is a str"):
        proj.quantiles(["0.1", 0.9])
    with pytest.raises(ForecastTypeError, match=r"`quantiles` must be .*True is a bool"):
        proj.to_wide([True, 0.5])
    with pytest.raises(ForecastTypeError, match=r"`level` must be a number"):
        proj.interval("80")


def test_to_wide_counts_a_repeated_quantile_once_and_refuses_a_shared_name(proj):
    # one rule for levels and quantiles (test_levels_quantiles_rule.py): a repeat counts once
    assert proj.to_wide([0.05, 0.5, 0.05]).equals(proj.to_wide([0.05, 0.5]))
    # two quantiles that would share a column name (p5) are refused, never one hidden
    with pytest.raises(ParameterError, match=r"quantiles in `quantiles`.*unique; got 'p5' 2 "
                       r"times\. Pass each quantile once; got \[0\.05, 0\.5, 0\.05000"):
        proj.to_wide([0.05, 0.5, 0.05 + 1e-12])


def test_to_iamc_refuses_quantiles_sharing_a_name_and_labels_that_are_not_text(proj):
    us = dataclasses.replace(proj, history=dataclasses.replace(
        proj.history, name="US offshore_execution"))
    assert us.to_iamc(quantiles=(0.05, 0.05)).equals(us.to_iamc(quantiles=(0.05,)))
    with pytest.raises(ParameterError, match=r"got 'p5' 2 times\. Pass each quantile once; "
                       r"got \[0\.05, 0\.05000") as info:
        us.to_iamc(quantiles=(0.05, 0.05 + 1e-12))
    assert info.value.field == "quantiles"
    for arg in ("region", "variable", "model", "unit"):
        with pytest.raises(ForecastTypeError, match=rf"`{arg}` must be a str or None; got 5 "
                           rf"\(int\)\. Pass e\.g\. {arg}=") as info:
            us.to_iamc(**{arg: 5})
        assert info.value.field == arg
    with pytest.raises(ParameterError, match=r"`region` must be a non-empty str or None; "
                       r"got ''"):
        us.to_iamc(region="")


def test_plot_takes_a_scenario_name_as_every_other_method(proj):
    for position in (1, 3):
        with pytest.raises(ForecastTypeError, match=rf"`scenario` must be a scenario name "
                           rf"\(str\); got {position}\. Pass one of \['baseline'"):
            proj.plot(position)


# --------------------------------------------------------------------------- save / load
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_save_load_round_trip(proj, tmp_path, fmt):
    if fmt == "parquet":
        need("pyarrow")
    out = proj.save(tmp_path / "run", format=fmt)
    assert (out / f"samples.{fmt}").is_file()
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 3
    assert meta["model"] == "FakeDrift"
    assert meta["settings"]["chunk_size"] == 150
    back = Projection.load(out)
    np.testing.assert_array_equal(back.samples, proj.samples)
    np.testing.assert_array_equal(back.base_log, proj.base_log)
    np.testing.assert_array_equal(back.center, proj.center)
    np.testing.assert_array_equal(back.history.values, proj.history.values)
    # bit for bit: the loaded samples are C-ordered too, so means add in the same order
    assert back.samples.flags.c_contiguous
    for name in ("summary_frame", "difference", "to_wide"):
        pd.testing.assert_frame_equal(getattr(back, name)(), getattr(proj, name)(),
                                      check_exact=True)
    assert back.scenario_names == proj.scenario_names
    assert back.probabilities == proj.probabilities
    assert (back.seed, back.model, back.unit) == (proj.seed, proj.model, proj.unit)
    # fake scenarios cannot be written as TOML: decompose says why and how to re-run
    assert back.scenarios is None
    with pytest.raises(ScenarioError, match=r"Re-run forecast.project\(.*seed=3"):
        back.decompose("mixed")
    again = dataclasses.replace(back, scenarios=proj.scenarios)
    pd.testing.assert_frame_equal(again.decompose("mixed"), proj.decompose("mixed"))


def test_the_rerun_hint_rebuilds_a_spawned_seed():
    """A run seeded with a spawned SeedSequence: the hint's seed is that SeedSequence, and
    running the hint's call gives the same samples (``seed=<entropy>`` would not)."""
    child = np.random.SeedSequence(5).spawn(3)[2]
    run = project(FIT, FakeSet(SCEN[:2], (0.5, 0.5)), to=2030, n_paths=50, seed=child)
    bare = dataclasses.replace(run, scenarios=None)
    with pytest.raises(ScenarioError) as info:
        bare.decompose(SCEN[1].name)
    text = str(info.value).split("seed=", 1)[1].split(") with the same fit")[0]
    assert text == "numpy.random.SeedSequence(5, spawn_key=(2,))"
    again = project(FIT, FakeSet(SCEN[:2], (0.5, 0.5)), to=2030, n_paths=50,
                    seed=eval(text, {"numpy": np}))
    np.testing.assert_array_equal(again.samples, run.samples)


def test_a_folder_saved_by_format_version_1_still_loads(proj, tmp_path):
    """Version 1 (before checksums) loads with a warning saying how to add them."""
    out = proj.save(tmp_path / "old", format="csv")
    meta = json.loads((out / "metadata.json").read_text())
    meta["format_version"] = 1
    del meta["checksums"]
    (out / "metadata.json").write_text(json.dumps(meta))
    (out / ".forecast-output.json").unlink()  # loading needs no marker
    with pytest.warns(UserWarning, match="without checksums.*save it again"):
        back = Projection.load(out)
    np.testing.assert_array_equal(back.samples, proj.samples)


def test_save_falls_back_to_csv_without_pyarrow(proj, tmp_path, monkeypatch):
    from forecast.projection import files

    monkeypatch.setattr(files, "_has_pyarrow", lambda: False)
    out = proj.save(tmp_path / "run")
    assert (out / "samples.csv").is_file()
    assert not (out / "samples.parquet").exists()
    np.testing.assert_array_equal(Projection.load(out).samples, proj.samples)


def test_load_errors(proj, tmp_path):
    with pytest.raises(DataError, match="metadata.json"):
        Projection.load(tmp_path / "missing")
    out = proj.save(tmp_path / "run", format="csv")
    (out / "metadata.json").write_text("{not json")
    with pytest.raises(DataError, match="valid JSON"):
        Projection.load(out)
    out = proj.save(tmp_path / "run2", format="csv")
    df = pd.read_csv(out / "samples.csv")
    df.drop(columns="2030").to_csv(out / "samples.csv", index=False)
    with pytest.raises(DataError, match="SHA-256"):  # changed after save: the checksum says so
        Projection.load(out)
    with pytest.raises(ParameterError, match="format"):
        proj.save(tmp_path / "x", format="xlsx")


# --------------------------------------------------------------------------- validation
def test_projection_is_frozen_and_validated(proj):
    with pytest.raises(dataclasses.FrozenInstanceError):
        proj.seed = 4
    with pytest.raises(ValueError, match="read-only"):
        proj.samples[0, 0, 0] = 1.0
    bad = proj.samples.copy()
    bad[0, 0, 0] = -1.0
    with pytest.raises(ParameterError, match="positive"):
        dataclasses.replace(proj, samples=bad)
    with pytest.raises(ParameterError, match="shape"):
        dataclasses.replace(proj, samples=proj.samples[:, :, :3])
    with pytest.raises(ScenarioError, match="unique"):
        dataclasses.replace(proj, scenario_names=("a", "a", "b", "c"), scenarios=None)
    with pytest.raises(ParameterError, match="sum"):
        dataclasses.replace(proj, probabilities=(0.5, 0.5, 0.5, 0.5))
    with pytest.raises(ScenarioError, match="order"):
        dataclasses.replace(proj, scenarios=proj.scenarios[::-1])
    with pytest.raises(TypeError, match="read-only"):
        proj.settings["n_paths"] = 3


def _echo(x):
    return x


def test_projection_crosses_process_boundaries(proj):
    import copy
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1) as pool:  # what executors do with results
        back = pool.submit(_echo, proj).result()
    for other in (back, copy.deepcopy(proj)):
        np.testing.assert_array_equal(other.samples, proj.samples)
        assert not other.samples.flags.writeable
        assert other.settings == proj.settings
        assert other.scenario_names == proj.scenario_names


def test_a_callers_writable_array_is_copied_a_read_only_one_kept(proj):
    """A Projection kept a read-only *view* of the caller's writable array: the caller
    could still change a frozen projection's samples through it (MarketProjection copied
    them). Now both copy such an array and keep the library's own, handed over read-only."""
    samples = np.array(proj.samples)  # writable: the caller can still change it
    other = dataclasses.replace(proj, samples=samples)
    samples[:] = 1.0
    np.testing.assert_array_equal(other.samples, proj.samples)
    view = samples.view()
    view.flags.writeable = False  # read-only, but a view of a writable array
    assert not np.shares_memory(dataclasses.replace(proj, samples=view).samples, samples)
    kept = dataclasses.replace(proj)  # the engine's arrays: read-only throughout, kept
    for name in ("samples", "base_log"):
        assert np.shares_memory(getattr(kept, name), getattr(proj, name))
        assert not getattr(proj, name).base.flags.writeable  # handed over, not a view
    mixed = proj.mixture()
    assert np.shares_memory(dataclasses.replace(mixed).samples, mixed.samples)


def test_a_projection_is_stored_once_and_unpickled_without_a_copy(proj):
    import pickle
    import tracemalloc

    project(FIT, SCEN, to=2035, n_paths=50, seed=1)  # warm: workspace, caches
    tracemalloc.start()
    try:
        big = project(FIT, SCEN, to=2035, n_paths=40_000, seed=1, chunk_size=2_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    stored = big.samples.nbytes + big.base_log.nbytes
    assert peak < 1.25 * stored  # a copy of the samples made it 1.75x
    blob = pickle.dumps(big)
    tracemalloc.start()
    try:
        back = pickle.loads(blob)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.25 * stored
    np.testing.assert_array_equal(back.samples, big.samples)
    assert not back.samples.flags.writeable
    assert not back.samples.base.flags.writeable


# --------------------------------------------------------------------------- real classes
def test_decompose_and_round_trip_with_real_presets(tmp_path):
    from forecast import models, presets
    from forecast.series import AnnualSeries

    s = AnnualSeries(np.arange(2012, 2026), 10 * 1.09 ** np.arange(14), name="US")
    fit = models.Drift().fit(s)
    proj = project(fit, presets.scenario_set(), to=2035, n_paths=200, seed=9, chunk_size=64)
    for name in proj.scenario_names[1:]:
        df = proj.decompose(name)
        totals = df.groupby("year")[["log_points", "level"]].sum()
        log_gap, level_gap = (
            100 * (np.log(proj.samples[proj.scenario_names.index(name)])
                   - np.log(proj.samples[0])).mean(axis=0),
            (proj.samples[proj.scenario_names.index(name)] - proj.samples[0]).mean(axis=0),
        )
        np.testing.assert_allclose(totals["log_points"], log_gap, rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(totals["level"], level_gap, rtol=1e-12, atol=1e-10)
    back = Projection.load(proj.save(tmp_path / "real"))
    np.testing.assert_array_equal(back.samples, proj.samples)
    if back.scenarios is not None:  # TOML round trip through forecast.scenarios.files
        last = proj.scenario_names[-1]
        pd.testing.assert_frame_equal(back.decompose(last), proj.decompose(last))


def test_an_assumption_starting_after_the_horizon_is_warned_once():
    """It would have no effect on any path: a short horizon or a mistyped year."""
    import warnings

    import forecast
    from forecast.scenarios import LevelShift

    fit = forecast.Drift().fit(forecast.AnnualSeries(range(2015, 2025), [10.0 + i for i in
                                                                          range(10)]))
    late = forecast.Scenario("late", [LevelShift(2031, -0.1, name="levy")])
    with pytest.warns(UserWarning, match=r"'levy' of 'late' \(2031\) start\(s\) after 2028") \
            as record:
        proj = forecast.project(fit, [forecast.Scenario("baseline"), late], to=2028,
                                n_paths=50, seed=1)
    assert len([w for w in record if "start(s) after" in str(w.message)]) == 1
    np.testing.assert_array_equal(proj.samples[0], proj.samples[1])  # indeed no effect
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast.project(fit, [forecast.Scenario("baseline"), late], to=2031, n_paths=50,
                         seed=1)


def test_one_iamc_region_name_per_market_code():
    """A market's own projection (``mp.market("ROW").to_iamc()``) and the joint one
    (``mp.to_iamc()``) named the rest of the world "ROW" and "Rest of the World"."""
    from forecast.markets.projection import REGIONS
    from forecast.projection.summaries import IAMC_REGIONS

    for code, region in REGIONS.items():
        assert IAMC_REGIONS.get(code, region) == region, code
    assert IAMC_REGIONS["ROW"] == "Rest of the World"
