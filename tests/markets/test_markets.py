"""Tests of forecast.markets: the split and bottom-up models, the multi-market engine with
diversion, the MarketProjection summaries and the exact per-market decomposition.

Fits use Drift on every coordinate (fast); properties are asserted, never model numbers.
The fit and projection fixtures run once per joint design."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from _optional import need

import forecast
from forecast import (
    ForecastTypeError,
    ParameterError,
    ResourceError,
    ScenarioError,
    SimulationError,
)
from forecast.markets import (
    BottomUpModel,
    MarketProjection,
    SplitFit,
    SplitModel,
    project_markets,
)
from forecast.markets.split import coordinates_of_parts, residual_correlation
from forecast.scenarios import (
    Diversion,
    Group,
    GrowthShift,
    LevelShift,
    Scenario,
    Uniform,
    market_presets,
    on_market,
)

LOSS = LevelShift(2027, Uniform(-0.3, -0.1), name="loss")


DESIGNS = {"split": SplitModel(forecast.Drift(), forecast.Drift()),
           "bottom-up": BottomUpModel(forecast.Drift())}


@pytest.fixture(scope="module", params=sorted(DESIGNS))
def fit(request, market_history) -> SplitFit:
    return DESIGNS[request.param].fit(market_history, seed=11)


@pytest.fixture(scope="module")
def mp(fit) -> MarketProjection:
    scen = [*market_presets.scenario_set(),
            Scenario("lost", (LOSS,)),
            Scenario("all_moves", (Diversion(LOSS, rate=1.0),)),
            Scenario("to_eu", (Diversion(LOSS, rate=0.5, to=("EU", "XX")),)),
            Scenario("total_down", (on_market(LevelShift(2027, -0.1, name="global"), "ALL"),)),
            Scenario("mixed", (Diversion(LOSS, rate=0.5), GrowthShift(2026, 0.01, name="up"),
                               on_market(GrowthShift(2026, -0.02, name="eu_down"), "EU")))]
    with pytest.warns(UserWarning, match="receivers XX are not named markets"):
        return project_markets(fit, scen, to=2032, n_paths=600, seed=5, chunk_size=250)


def _i(mp, name):
    return mp.scenario_names.index(name)


# --------------------------------------------------------------------------- joint models
def test_joint_model_fits_every_coordinate(fit, market_history):
    import dataclasses

    assert fit.parts == ("US", "EU", "HK", "JP", "ROW")
    assert len(fit.fits) == 5
    assert fit.last_year == int(market_history.years[-1])
    c = fit.correlation
    np.testing.assert_allclose(c, c.T)
    np.testing.assert_allclose(np.diag(c), 1.0)
    assert np.all(np.linalg.eigvalsh(c) > 0)
    assert np.all(np.abs(c[~np.eye(5, dtype=bool)]) < 1)
    assert fit.name == {"ratios": "Split(Drift; Drift)", "parts": "BottomUp(Drift)"}[
        fit.coordinates]
    ind = dataclasses.replace(fit.model, correlation="independent").fit(market_history, seed=11)
    np.testing.assert_array_equal(ind.correlation, np.eye(5))


def test_bottom_up_fits_each_part_as_its_own_series(market_history):
    fit = BottomUpModel(forecast.Drift()).fit(market_history, seed=11)
    comps = market_history.components("parts")
    assert [c.name for c in comps] == list(market_history.parts)
    for part, comp, f in zip(market_history.parts, comps, fit.fits, strict=True):
        # the part's history is its reconstructed median and band (the same linearisation)
        np.testing.assert_allclose(comp.series.values, market_history.series(part).values,
                                   rtol=1e-12)
        band = market_history.interval(80, part)
        z = 1.2815515655446004
        np.testing.assert_allclose(np.exp(comp.log_mean + z * comp.log_sd), band["upper"],
                                   rtol=1e-12)
        # and its fit is the one the spec makes of that series alone (same seed)
        alone = forecast.Drift().fit(comp, seed=np.random.SeedSequence(11))
        np.testing.assert_array_equal(f.point_forecast(4), alone.point_forecast(4))
    # simulated part log levels are each fit's own paths under the correlated shocks
    from forecast._seeds import as_seed_sequence, child

    ss = as_seed_sequence(5)
    z = np.random.default_rng(child(ss, 0)).standard_normal((300, 4, 5)) @ fit._chol.T
    own = np.stack([f.simulate(4, 300, seed=child(ss, k + 1),
                               innovations=np.ascontiguousarray(z[:, :, k]))
                    for k, f in enumerate(fit.fits)], axis=1)
    np.testing.assert_allclose(fit.simulate_log_levels(4, 300, seed=5), own, rtol=0,
                               atol=1e-12)


def test_part_coordinates_convert_without_overflow():
    y = np.array([[[700.0, -700.0], [699.0, 0.0], [-5.0, 1.0]]])  # (1, K + 1 = 3, h = 2)
    coords = coordinates_of_parts(y)
    assert np.all(np.isfinite(coords))
    np.testing.assert_allclose(coords[0, 1:], y[0, :-1] - y[0, -1:])
    np.testing.assert_allclose(coords[0, 0], np.log(np.exp(y[0] - 700).sum(axis=0)) + 700)
    from forecast.history.markets import softmax_levels

    small = np.random.default_rng(1).normal(3.0, 1.0, (50, 4, 6))
    c = coordinates_of_parts(small)
    np.testing.assert_allclose(softmax_levels(c[:, 0], c[:, 1:]), np.exp(small), rtol=1e-12)


def test_joint_paths_are_coherent(fit):
    logs = fit.simulate(6, 400, seed=3)
    assert logs.shape == (400, 5, 6)
    lv = fit.simulate_levels(6, 400, seed=3)
    assert np.all(lv > 0)
    np.testing.assert_allclose(lv.sum(axis=1), np.exp(logs[:, 0]), rtol=1e-13)
    shares = lv / lv.sum(axis=1, keepdims=True)
    assert np.all((shares > 0) & (shares < 1))
    np.testing.assert_array_equal(fit.simulate(6, 400, seed=3), logs)
    # what was fitted (checked for range by the engine), then converted
    fitted = fit.simulate_fitted(6, 400, seed=3)
    np.testing.assert_array_equal(fit.as_ratios(fitted), logs)
    assert fit.coordinate_names == {"ratios": ("total", *fit.markets),
                                    "parts": fit.parts}[fit.coordinates]


def test_residual_correlation_is_shrunk():
    class F:
        def __init__(self, r):
            self.residuals = np.asarray(r)

    r = np.random.default_rng(0).standard_normal(16)
    c = residual_correlation((F(r), F(r)))  # perfectly correlated residuals
    assert c[0, 1] == pytest.approx(16 / 21)
    np.testing.assert_array_equal(residual_correlation((F(r[:3]), F(r[:3]))), np.eye(2))
    np.testing.assert_array_equal(residual_correlation((F(np.zeros(8)), F(r))), np.eye(2))


def test_joint_model_errors(market_history):
    with pytest.raises(ForecastTypeError, match="`total` must be a model spec.*'drift'"):
        SplitModel(total="drift")
    with pytest.raises(ForecastTypeError, match="`spec` must be a model spec.*'drift'"):
        BottomUpModel("drift")
    for model in (SplitModel, BottomUpModel):
        with pytest.raises(ParameterError, match="`correlation`.*'full'") as info:
            model(correlation="full")
        assert info.value.field == "correlation"
        with pytest.raises(ForecastTypeError, match="MarketHistory"):
            model().fit(forecast.AnnualSeries([2020, 2021, 2022], [1.0, 2.0, 3.0]))
    with pytest.raises(ParameterError, match='"ratios" or "parts"; got \'levels\'') as info:
        market_history.components("levels")
    assert info.value.field == "coordinates"


# --------------------------------------------------------------------------- engine
def test_shapes_and_coherence(mp):
    s, p, n, h = mp.samples.shape
    assert (p, n, h) == (5, 600, 7)
    assert s == len(mp.scenario_names)
    assert mp.parts == ("US", "EU", "HK", "JP", "ROW")
    assert mp.markets[-1] == "ALL"
    np.testing.assert_allclose(mp.levels("ALL"), mp.samples.sum(axis=1))
    shares = np.stack([mp.shares(m) for m in mp.parts], axis=1)
    np.testing.assert_allclose(shares.sum(axis=1), 100.0, rtol=1e-12)
    assert np.all((shares > 0) & (shares < 100))
    assert not mp.samples.flags.writeable


def test_progress_bar_as_in_project(fit, capsys, monkeypatch):
    """project had `progress`, project_markets not (a long multi-market run was silent);
    the bar changes no number, and without tqdm it is simply absent."""
    need("tqdm")
    scen = [market_presets.get("baseline")]
    kw = {"to": 2030, "n_paths": 300, "seed": 9, "chunk_size": 70}
    shown = project_markets(fit, scen, progress=True, **kw)
    err = capsys.readouterr().err
    assert "project_markets" in err
    assert "5/5" in err  # 300 paths in chunks of 70
    np.testing.assert_array_equal(shown.samples, project_markets(fit, scen, **kw).samples)
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)  # tqdm not installed
    project_markets(fit, scen, progress=True, **kw)
    assert capsys.readouterr().err == ""
    with pytest.raises(forecast.ForecastTypeError, match="`progress`"):
        project_markets(fit, scen, progress="yes", **kw)


def test_same_result_whatever_the_executor(fit):
    scen = [market_presets.get("baseline"), market_presets.get("friction_diversion")]
    kw = {"to": 2030, "n_paths": 300, "seed": 9, "chunk_size": 70}
    serial = project_markets(fit, scen, **kw)

    class Mapper:  # not a thread pool: results come back as arrays
        def map(self, fn, items):
            return [fn(i) for i in reversed(list(items))][::-1]

    with ThreadPoolExecutor(3) as ex:
        threaded = project_markets(fit, scen, executor=ex, **kw)
    other = project_markets(fit, scen, executor=Mapper(), **kw)
    with ProcessPoolExecutor(2) as pool:
        procs = project_markets(fit, scen, executor=pool, **kw)
    for run in (threaded, other, procs):
        np.testing.assert_array_equal(run.samples, serial.samples)
        np.testing.assert_array_equal(run.base_log, serial.base_log)


class _BadMapper:
    """An executor that runs the chunks, then drops, repeats or reshapes one result."""

    def __init__(self, fault):
        self.fault = fault

    def map(self, fn, items):
        out = [fn(i) for i in items]
        if self.fault == "drop":
            return out[:-1]
        if self.fault == "repeat":
            return [*out, out[0]]
        i, levels, logs = out[1]
        return [out[0], (i, levels[:, :-1], logs), *out[2:]]


@pytest.mark.parametrize(("fault", "words"), [
    ("drop", ("never did", "chunk 4 of 5")),
    ("repeat", ("came back twice", "chunk 0 of 5")),
    ("shape", ("chunk 1 of 5", "levels must be a float64 array of shape (2, 5, 70, 5)")),
])
def test_a_faulty_executor_is_reported_not_trusted(fit, fault, words):
    # the same checked collection as forecast.project: a dropped chunk would otherwise
    # leave np.empty memory in the samples, and a repeated one would go unnoticed
    scen = [market_presets.get("baseline"), market_presets.get("friction_diversion")]
    with pytest.raises(SimulationError) as info:
        project_markets(fit, scen, to=2030, n_paths=300, seed=9, chunk_size=70,
                        executor=_BadMapper(fault))
    for w in words:
        assert w in str(info.value)


def test_memory_is_checked_before_allocating(fit, monkeypatch):
    scen = market_presets.scenario_set()
    # far beyond any machine: refused before numpy tries to allocate ~ 40 TB
    with pytest.raises(ResourceError) as info:
        project_markets(fit, scen, to=2035, n_paths=10**11, seed=1)
    msg = str(info.value)
    for w in ("100,000,000,000 paths", "TB", "Pass n_paths <=", "Nothing was allocated"):
        assert w in msg
    # a small machine: the largest run that fits is named, and it does fit
    from forecast import _resources
    monkeypatch.setattr(_resources, "available_memory", lambda: 200_000_000)
    with pytest.raises(ResourceError) as info:
        project_markets(fit, scen, to=2035, n_paths=200_000, seed=1)
    fits = int(str(info.value).split("n_paths <= ")[1].split(" ")[0].replace(",", ""))
    assert 1_000 < fits < 200_000
    small = project_markets(fit, scen, to=2035, n_paths=fits, seed=1)
    assert small.samples.nbytes + small.base_log.nbytes <= 0.8 * 200_000_000


@pytest.mark.parametrize("n_paths", [10**12, 10**18])
def test_a_huge_n_paths_is_refused_before_the_chunks_are_listed(fit, monkeypatch, n_paths):
    # the chunk bounds (a list of n_paths / chunk_size tuples) used to be built before the
    # memory guard: a raw MemoryError at 10**12 paths, the OOM killer at 10**18
    import tracemalloc

    from forecast import _resources

    monkeypatch.setattr(_resources, "available_memory", lambda: 8 * 2**30)
    tracemalloc.start()
    try:
        with pytest.raises(ResourceError, match=f"{n_paths:,} paths"):
            project_markets(fit, market_presets.scenario_set(), to=2035, n_paths=n_paths,
                            seed=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_the_samples_are_held_once(fit):
    # MarketProjection copied the engine's freshly filled samples (np.array): 100,000
    # paths stored 400 MB and peaked at 800 MB, while the memory guard counts them once
    import tracemalloc

    scen = market_presets.scenario_set()
    project_markets(fit, scen, to=2035, n_paths=50, seed=1)  # warm: workspace, caches
    tracemalloc.start()
    try:
        mp = project_markets(fit, scen, to=2035, n_paths=20_000, seed=1, chunk_size=1_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    stored = mp.samples.nbytes + mp.base_log.nbytes  # 48 MB
    assert peak < 1.25 * stored  # 2.0x before; a chunk's workspace is about 3%
    assert not mp.samples.flags.writeable
    assert not mp.base_log.flags.writeable


def test_a_callers_writable_array_is_copied_a_read_only_one_kept(mp):
    from dataclasses import replace

    samples = np.array(mp.samples)  # writable: the caller can still change it
    other = replace(mp, samples=samples)
    samples[:] = 0.0
    assert other.samples.min() > 0
    assert not other.samples.flags.writeable
    view = samples.view()
    view.flags.writeable = False  # read-only, but a view of a writable array
    assert not np.shares_memory(replace(mp, samples=view).samples, samples)
    kept = replace(mp)  # read-only throughout: kept as it is
    assert np.shares_memory(kept.samples, mp.samples)
    assert np.shares_memory(kept.base_log, mp.base_log)


def test_an_unpickled_market_projection_is_frozen_and_checked(mp):
    """Pickle restored a MarketProjection's fields as they came, writable and unchecked
    (what executors and copies between processes do); it is rebuilt through __init__ now."""
    import copy
    import pickle

    for back in (pickle.loads(pickle.dumps(mp)), copy.deepcopy(mp)):
        np.testing.assert_array_equal(back.samples, mp.samples)
        for name in ("samples", "base_log", "centers", "years"):
            assert not getattr(back, name).flags.writeable
        assert back.parts == mp.parts
        assert back.settings == mp.settings


def test_common_random_numbers_and_diversion(mp):
    us, all_ = mp.parts.index("US"), slice(None)
    frag, div = _i(mp, "fragmentation"), _i(mp, "fragmentation_diversion")
    # same friction draws: the US is identical with and without diversion
    np.testing.assert_array_equal(mp.samples[frag, us], mp.samples[div, us])
    others = [k for k, p in enumerate(mp.parts) if p != "US"]
    base = mp.samples[0]
    np.testing.assert_array_equal(mp.samples[frag, others], base[others])
    assert np.all(mp.samples[div, others] >= base[others])  # diversion only adds
    assert np.all(mp.levels("ALL")[div] >= mp.levels("ALL")[frag] * (1 - 1e-12))
    assert mp.samples[all_].shape[0] == len(mp.scenario_names)


def test_full_diversion_keeps_the_total(mp):
    """rate = 1 on a pure loss: whatever the US loses, the others gain."""
    lost, moved = _i(mp, "lost"), _i(mp, "all_moves")
    np.testing.assert_allclose(mp.levels("ALL")[moved], mp.levels("ALL")[0], rtol=1e-12)
    assert np.all(mp.levels("ALL")[lost][:, 1:] < mp.levels("ALL")[0][:, 1:])
    us = mp.parts.index("US")
    np.testing.assert_array_equal(mp.samples[moved, us], mp.samples[lost, us])
    # receivers in proportion to their size: shares among the others are unchanged
    others = [k for k, p in enumerate(mp.parts) if p != "US"]
    a = mp.samples[moved, others] / mp.samples[moved, others].sum(axis=0)
    b = mp.samples[0, others] / mp.samples[0, others].sum(axis=0)
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_named_receivers_and_folding(mp):
    k = _i(mp, "to_eu")
    changed = [p for j, p in enumerate(mp.parts)
               if not np.array_equal(mp.samples[k, j], mp.samples[0, j])]
    assert changed == ["US", "EU", "ROW"]  # XX is not a market here: it counts as ROW
    assert "XX" in mp.settings["diversion_notes"]["to_eu.loss"]


def test_an_assumption_on_the_total_moves_every_market_alike(mp):
    k = _i(mp, "total_down")
    for m in mp.parts:
        np.testing.assert_allclose(mp.shares(m)[k], mp.shares(m)[0], rtol=1e-12)
    ratio = mp.levels("ALL")[k][:, 2:] / mp.levels("ALL")[0][:, 2:]
    np.testing.assert_allclose(ratio, np.exp(-0.1), rtol=1e-12)


# --------------------------------------------------------------------------- decomposition
@pytest.mark.parametrize(("scenario", "baseline"), [
    ("fragmentation_diversion", "baseline"), ("mixed", "baseline"),
    ("friction_diversion", "escalation"), ("baseline", "mixed"), ("to_eu", "lost")])
def test_decomposition_is_exact_for_every_market(mp, scenario, baseline):
    d = mp.decompose(scenario, baseline)
    assert list(d.columns) == ["market", "year", "assumption", "log_points", "level"]
    assert list(dict.fromkeys(d["market"])) == list(mp.markets)
    sums = d.groupby(["market", "year"], sort=False)[["log_points", "level"]].sum()
    s, b = _i(mp, scenario), _i(mp, baseline)
    for m in mp.markets:
        lv = mp.levels(m)
        level_gap = (lv[s] - lv[b]).mean(axis=0)
        log_gap = 100 * (np.log(lv[s]) - np.log(lv[b])).mean(axis=0)
        scale = float(np.abs(lv[b]).mean(axis=0).max())
        np.testing.assert_allclose(sums.loc[m, "level"], level_gap, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(sums.loc[m, "log_points"], log_gap, rtol=0, atol=1e-10)


def test_decomposition_attributes_diversion_to_its_assumption(mp):
    d = mp.decompose("mixed").set_index(["market", "year", "assumption"])
    # the EU gains from the diverted US loss and loses from its own assumption
    assert d.loc[("EU", 2032, "loss"), "level"] > 0
    assert d.loc[("EU", 2032, "eu_down"), "level"] < 0
    assert d.loc[("HK", 2032, "eu_down"), "level"] == 0.0
    assert d.loc[("US", 2026, "loss"), "level"] == 0.0  # before its start
    one = mp.decompose("mixed", market="EU")
    assert set(one["market"]) == {"EU"}


@pytest.mark.parametrize(("kwargs", "arg"), [
    ({"scenario": ["lost", "escalation"]}, "scenario"),  # used to decompose "lost" alone
    ({"scenario": "lost", "baseline": None}, "baseline"),  # used to mean the first scenario
    ({"scenario": "lost", "baseline": ["baseline", "lost"]}, "baseline"),
])
def test_decompose_takes_one_scenario_and_one_baseline(mp, kwargs, arg):
    with pytest.raises(ScenarioError, match=rf"`{arg}` must be one scenario name; got "):
        mp.decompose(**kwargs)


def test_decomposition_detects_changed_samples(mp):
    bad = mp.samples.copy()
    bad[_i(mp, "mixed"), 0, 0, 0] *= 1.01
    tampered = MarketProjection(**{**{f: getattr(mp, f) for f in (
        "years", "parts", "scenario_names", "base_log", "centers", "history", "seed", "model",
        "unit", "probabilities", "scenarios", "settings")}, "samples": bad})
    with pytest.raises(SimulationError, match="reproduce the stored samples"):
        tampered.decompose("mixed")
    with pytest.raises(ScenarioError, match="must differ"):
        mp.decompose("mixed", "mixed")


# --------------------------------------------------------------------------- summaries
def test_frames_and_queries(mp):
    f = mp.to_frame(quantiles=(0.1, 0.5, 0.9))
    assert list(f.columns) == ["model", "scenario", "market", "year", "quantile", "value"]
    assert len(f) == len(mp.scenario_names) * 6 * 7 * 3
    sh = mp.to_frame(quantiles=(0.5,), share=True)
    assert "ALL" not in set(sh["market"])
    sf = mp.summary_frame((80,), market="US", scenario="baseline")
    assert list(sf.columns) == ["scenario", "market", "year", "mean", "median", "lower_80",
                                "upper_80"]
    one = mp.market("US").summary_frame((80,), scenario="baseline")
    np.testing.assert_allclose(sf["median"], one["median"])
    p = mp.prob_below(15, 2030, market="US", share=True, scenario="baseline")
    x = mp.shares("US")[0][:, 2030 - 2026]
    assert p == pytest.approx((x < 15).mean())
    series = mp.prob_above(100, 2032)
    assert list(series.index) == list(mp.scenario_names)
    wide = mp.share_frame("baseline")
    np.testing.assert_allclose(wide[list(mp.parts)].sum(axis=1), 100.0)
    with pytest.raises(ParameterError, match=r"in \[1, 100\]; got 150\.$"):
        mp.prob_below(0.15 * 1000, 2030, "US", share=True)
    with pytest.raises(ParameterError, match="must be one of"):
        mp.levels("FR")
    with pytest.raises(ScenarioError, match="projected scenario"):
        mp.summary_frame(scenario="nope")
    with pytest.raises(ParameterError, match="'ALL' is 100%"):
        mp.shares("ALL")


def test_wide_frame_has_the_mean_and_the_quantiles(mp):
    """to_wide is to_frame pivoted, plus the mean, as Projection.to_wide (the CLI's
    projection_wide.csv of a markets run)."""
    w = mp.to_wide((0.1, 0.5, 0.9))
    assert list(w.columns) == ["scenario", "market", "year", "mean", "p10", "p50", "p90"]
    long = mp.to_frame((0.1, 0.5, 0.9))
    pivot = long.pivot_table(index=["scenario", "market", "year"], columns="quantile",
                             values="value").reset_index()
    pivot.columns = ["scenario", "market", "year", "p10", "p50", "p90"]
    both = w.merge(pivot, on=["scenario", "market", "year"], suffixes=("", "_long"))
    assert len(both) == len(w) == len(pivot)
    for col in ("p10", "p50", "p90"):
        np.testing.assert_array_equal(both[col], both[f"{col}_long"])
    eu = w[(w["market"] == "EU") & (w["scenario"] == "escalation")]
    np.testing.assert_allclose(eu["mean"], mp.levels("EU")[1].mean(axis=0))
    shares = mp.to_wide((0.5,), share=True)
    assert "ALL" not in set(shares["market"])
    assert shares["p50"].between(0, 100).all()
    us = mp.market("US").to_wide((0.5,))
    np.testing.assert_allclose(w[w["market"] == "US"]["mean"].to_numpy(), us["mean"].to_numpy())
    assert mp.to_wide((0.5, 0.5)).equals(mp.to_wide((0.5,)))  # a repeat counts once
    with pytest.raises(ParameterError, match="quantiles"):
        mp.to_wide((0.5, 0.5 + 1e-12))  # two quantiles sharing the name p50


def test_iamc_regions(mp):
    t = mp.to_iamc(shares=True)
    assert list(t.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    regions = set(t["region"])
    assert {"United States", "European Union", "Hong Kong", "Japan", "Rest of the World",
            "World"} == regions
    assert set(t.loc[t["variable"].str.endswith("|Share"), "unit"]) == {"%"}
    assert 2032 in t.columns


def test_market_projection_is_a_projection(mp):
    us = mp.market("US")
    assert isinstance(us, forecast.Projection)
    assert us.history.last_year == 2025
    np.testing.assert_array_equal(us.samples, mp.samples[:, 0])
    assert "difference" in dir(us)
    d = mp.difference("baseline", market="ALL", levels=(80,))
    assert "prob_below" in d.columns
    assert list(d.columns[:3]) == ["scenario", "market", "year"]
    assert set(d["market"]) == {"ALL"}
    pd.testing.assert_frame_equal(d.drop(columns="market"),
                                  mp.market("ALL").difference("baseline", levels=(80,)))
    every = mp.difference(market=None, scenarios=["escalation"], levels=80)
    assert every["market"].unique().tolist() == list(mp.markets)
    assert set(every["scenario"]) == {"escalation"}
    us_rows = every[every["market"] == "US"].drop(columns="market").reset_index(drop=True)
    pd.testing.assert_frame_equal(us_rows, mp.market("US").difference(levels=80,
                                                                 scenarios=["escalation"]))
    with pytest.raises(ParameterError, match="`market` must be one of"):
        mp.difference(market="USA")
    with pytest.raises(ScenarioError, match="MarketProjection.decompose"):
        us.decompose("lost")


@pytest.mark.parametrize(("call", "got", "hint"), [
    (lambda mp: mp.difference("baseline", (80,)), "got (80,): 80 is not one of US, ",
     "Did you mean levels=(80,)? `market` comes before `levels` here (difference(baseline, "
     "market, levels, scenario)): pass levels= by name."),
    (lambda mp: mp.difference("baseline", 80), "got 80.", "Did you mean levels=80?"),
    (lambda mp: mp.prob_above(30, 2030, "escalation"), "got 'escalation'.",
     "Did you mean scenario='escalation'? `market` comes before `scenario` here (prob_above("
     "value, year, market, scenario, share)): pass scenario= by name."),
    (lambda mp: mp.prob_below(30, 2030, ["escalation"]), "got ['escalation']",
     "Did you mean scenario=['escalation']?"),
    (lambda mp: mp.summary_frame((80,), "escalation"), "got 'escalation'.",
     "Did you mean scenario='escalation'?"),
    (lambda mp: mp.difference("baseline", ["US", "us"]), "got ['US', 'us']: 'us' is not one",
     "Did you mean 'US'?"),
])
def test_a_market_message_shows_the_value_received_and_the_argument_meant(mp, call, got,
                                                                         hint):
    """`mp.difference("baseline", (80,))` said "got 80." (an item of what was passed) and
    nothing of why: `market` comes before `levels` in MarketProjection.difference, not in
    Projection.difference. The message shows the value received and, when it reads as a
    later argument given by position, names that argument."""
    with pytest.raises(ParameterError) as info:
        call(mp)
    msg = str(info.value)
    assert "`market` must be" in msg, msg
    assert got in msg, msg
    assert hint in msg, msg
    assert info.value.field == "market"


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(("target", "hint"), [
    ("us", "Did you mean 'US'?"), ("all", "Did you mean 'ALL'?"), (" EU", "Did you mean 'EU'?"),
    ("FR", "'FR' is not a market of this projection: reconstruct it"),
    ("", "Pass one of those (e.g. target='US')")])
def test_an_unknown_target_lists_the_targets_and_says_what_was_meant(fit, target, hint):
    """target='us' said only that it was not a market; now the targets and the spelling."""
    with pytest.raises(ParameterError) as info:
        project_markets(fit, Scenario("baseline"), to=2030, n_paths=10, target=target)
    msg = str(info.value)
    assert f"`target` must be a market of the projection or 'ALL' ({', '.join(fit.parts)}, " \
           f"ALL); got {target!r}." in msg, msg
    assert hint in msg, msg
    assert info.value.field == "target"


def test_a_target_that_is_no_string_is_a_type_error(fit):
    with pytest.raises(ForecastTypeError, match=r"`target` must be a market code \(str\), one "
                       r"of US, .*ALL; got None \(NoneType\)\. Pass e\.g\. target='US'\."):
        project_markets(fit, Scenario("baseline"), to=2030, n_paths=10, target=None)


def test_engine_errors(fit):
    with pytest.raises(ForecastTypeError, match="SplitFit"):
        project_markets(forecast.Drift(), Scenario("baseline"), to=2030)
    with pytest.raises(ParameterError, match="`target`"):
        project_markets(fit, Scenario("baseline"), to=2030, target="FR")
    bad = Scenario("x", (Diversion(LOSS, rate=0.5, market="KR"),))
    with pytest.raises(ScenarioError, match="not a market of this projection"):
        project_markets(fit, bad, to=2030, n_paths=10)
    nested = Scenario("x", (Group("g", (Diversion(LOSS, rate=0.5),)),))
    with pytest.raises(ScenarioError, match="not a part of group"):
        project_markets(fit, nested, to=2030, n_paths=10)
    with pytest.raises(ScenarioError, match="must start"):
        project_markets(fit, Scenario("x", (LevelShift(2020, -0.1),)), to=2030, n_paths=10)
    # receivers that all fold into the source: the diverted loss used to vanish silently
    into_itself = Scenario("x", (Diversion(LOSS, rate=0.9, market="ROW", to=("KR",)),))
    with pytest.raises(ScenarioError, match=r"diverts ROW's loss to KR, which in this "
                                            r"projection count as ROW itself .*Name receivers "
                                            r"among US, EU, HK, JP"):
        project_markets(fit, into_itself, to=2030, n_paths=10)
    assert isinstance(pd.DataFrame(), pd.DataFrame)


def test_a_failed_allocation_is_a_resource_error(fit, monkeypatch):
    # where the memory available cannot be read, the estimate is skipped: numpy's own
    # MemoryError is then reported as a ResourceError naming the run and the fix
    from forecast import _resources

    monkeypatch.setattr(_resources, "available_memory", lambda: None)
    scen = market_presets.scenario_set()
    with pytest.raises(ResourceError, match=r"100,000,000,000 paths.*Reduce `n_paths`"):
        project_markets(fit, scen, to=2035, n_paths=10**11, seed=1)
    series = forecast.AnnualSeries(range(2015, 2025), [10 * 1.05**i for i in range(10)])
    drift = forecast.Drift().fit(series)
    with pytest.raises(ResourceError, match=r"100,000,000,000 paths.*Reduce `n_paths`"):
        forecast.project(drift, forecast.Scenario("baseline"), to=2035, n_paths=10**11, seed=1)


def test_a_repeated_quantile_counts_once_in_to_frame_as_in_to_wide(mp):
    # to_frame used to repeat the rows of a quantile asked for twice; one rule for all
    # (tests/projection/test_levels_quantiles_rule.py): a repeat counts once
    for method in (mp.to_frame, mp.to_wide):
        assert method(quantiles=(0.5, 0.5)).equals(method(quantiles=(0.5,)))
        with pytest.raises(ParameterError, match="must be unique; got 'p50' 2 times"):
            method(quantiles=(0.5, 0.5 + 1e-12))  # two quantiles sharing a name


def test_the_order_of_a_market_scenarios_assumptions_changes_no_bit(market_history):
    """As for one market: the assumptions are applied and summed in the order of their
    names, so listing them in another order gives the same samples and decomposition."""
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    sset = forecast.market_presets.scenario_set()
    three = [s for s in sset if len(s.assumptions) >= 3]
    assert three
    for sc in three:
        rev = forecast.Scenario(sc.name, tuple(reversed(sc.assumptions)))
        one = forecast.project_markets(fit, [sset[0], sc], to=2030, n_paths=200, seed=4)
        two = forecast.project_markets(fit, [sset[0], rev], to=2030, n_paths=200, seed=4)
        assert np.array_equal(one.samples, two.samples), sc.name
        d1, d2 = one.decompose(sc.name), two.decompose(sc.name)
        key = [c for c in d1.columns if d1[c].dtype == object] + ["year"]
        assert d1.sort_values(key).reset_index(drop=True).equals(
            d2.sort_values(key).reset_index(drop=True)), sc.name
