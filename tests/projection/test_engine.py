"""Tests of forecast.project: seeding contract, common random numbers, executors,
validation and overflow. Exact checks use the test doubles of ``_engine_fakes``; the
integration tests at the end use the real models and presets."""

from __future__ import annotations

import zlib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from _engine_fakes import FakeFit, FakeScenario, FakeSet, Growth, Shift, history, scenarios
from _optional import need

from forecast.errors import (
    ForecastError,
    ForecastTypeError,
    ParameterError,
    ScenarioError,
    SimulationError,
)
from forecast.projection import project
from forecast.series import AnnualSeries

FIT = FakeFit(history())
SCEN = scenarios()


def _summed(effects: dict) -> np.ndarray | float:
    """The effects added in the order of their names, as the engine adds them."""
    return sum(effects[name] for name in sorted(effects))


def run(**kw):
    args = {"to": 2035, "n_paths": 250, "seed": 7, "chunk_size": 100}
    args.update(kw)
    return project(args.pop("fit", FIT), args.pop("scenarios", SCEN), **args)


# --------------------------------------------------------------------------- seeding contract
def test_samples_follow_the_seeding_contract_exactly():
    proj = run()
    years = np.arange(2026, 2036)
    center = FIT.point_forecast(10)
    children = np.random.SeedSequence(7).spawn(3)
    from forecast.scenarios import PathContext

    for i, (lo, hi) in enumerate([(0, 100), (100, 200), (200, 250)]):
        sim, eff = children[i].spawn(2)
        base = FIT.simulate(10, hi - lo, seed=sim)
        np.testing.assert_array_equal(proj.base_log[lo:hi], base)
        ctx = PathContext(years, base, center, 2025)
        for s, sc in enumerate(SCEN):
            expected = np.exp(base + _summed(sc.effects(ctx, eff)))
            np.testing.assert_array_equal(proj.samples[s, lo:hi], expected)


def test_effect_seeds_are_per_assumption_crc32_children():
    # the fake scenario follows the contract; check the engine passes it the effects child
    proj = run(scenarios=[FakeScenario("b"), FakeScenario("s", (Shift("x", 0.0, 2026, 1.0),))])
    eff_seed = np.random.SeedSequence(7).spawn(3)[0].spawn(2)[1]
    key = Shift("x", 0.0, 2026, 1.0).key
    crc = zlib.crc32(key.encode())
    ss = np.random.SeedSequence(entropy=7, spawn_key=(*eff_seed.spawn_key, crc))
    amp = np.random.default_rng(ss).standard_normal(100)
    np.testing.assert_allclose(np.log(proj.samples[1, :100, 0] / proj.samples[0, :100, 0]), amp,
                               rtol=1e-12, atol=1e-12)


def test_common_random_numbers_scenarios_share_baseline_draws():
    proj = run()
    # friction starts in 2027: before, every path equals the baseline path bit for bit
    np.testing.assert_array_equal(proj.samples[1][:, 0], proj.samples[0][:, 0])
    gap = np.log(proj.samples[1][:, 1:]) - np.log(proj.samples[0][:, 1:])
    # the gap is the per-path friction draw only: constant over years, no model noise
    np.testing.assert_allclose(gap, gap[:, :1].repeat(9, axis=1), atol=1e-12)
    assert gap.std() < 0.1


def test_zero_effect_scenario_reproduces_baseline_exactly():
    zero = FakeScenario("zero", (Shift("z", 0.0, 2026), Growth("g", 0.0, 2027)))
    proj = run(scenarios=[FakeScenario("baseline"), zero])
    np.testing.assert_array_equal(proj.samples[1], proj.samples[0])
    np.testing.assert_array_equal(proj.samples[0], np.exp(proj.base_log))


def test_seed_none_is_recorded_and_reproduces():
    a = run(seed=None)
    assert isinstance(a.seed, int)
    b = run(seed=a.seed)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_generator_and_seedsequence_seeds():
    gen = np.random.default_rng(3)
    a = run(seed=gen)
    b = run(seed=a.seed)
    np.testing.assert_array_equal(a.samples, b.samples)
    ss = np.random.SeedSequence(11).spawn(2)[1]
    c = run(seed=ss)
    assert ss.n_children_spawned == 0  # the caller's SeedSequence is not advanced
    assert c.seed == 11
    assert c.settings["spawn_key"] == [1]
    d = run(seed=np.random.SeedSequence(11, spawn_key=(1,)))
    np.testing.assert_array_equal(c.samples, d.samples)
    assert not np.array_equal(c.samples, run(seed=11).samples)


def test_chunk_size_defines_the_draws_and_one_chunk_works():
    a = run(chunk_size=1000)
    assert a.settings["n_chunks"] == 1
    b = run(chunk_size=100)
    assert a.samples.shape == b.samples.shape == (4, 250, 10)
    assert not np.array_equal(a.samples, b.samples)
    assert run(n_paths=1, chunk_size=1).samples.shape == (4, 1, 10)


# --------------------------------------------------------------------------- executors
class ShuffledExecutor:
    """Returns results out of order: the engine must place chunks by their index."""

    def map(self, fn, iterable):
        items = list(iterable)
        out = [fn(i) for i in items]
        return reversed(out)


def test_bit_identical_for_any_executor_and_worker_count():
    serial = run(n_paths=330, chunk_size=50)
    with ThreadPoolExecutor(1) as one, ThreadPoolExecutor(3) as three:
        for ex in (one, three):
            np.testing.assert_array_equal(run(n_paths=330, chunk_size=50, executor=ex).samples,
                                          serial.samples)
    with ProcessPoolExecutor(2) as pool:
        par = run(n_paths=330, chunk_size=50, executor=pool)
    assert np.array_equal(par.samples, serial.samples)
    assert np.array_equal(par.base_log, serial.base_log)
    shuffled = run(n_paths=330, chunk_size=50, executor=ShuffledExecutor())
    assert np.array_equal(shuffled.samples, serial.samples)


def test_progress_bar(capsys, monkeypatch):
    need("tqdm")
    run(progress=True)
    assert "chunk" in capsys.readouterr().err
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)  # tqdm not installed
    quiet = run(progress=True)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(quiet.samples, run().samples)


# --------------------------------------------------------------------------- settings/result
def test_projection_records_seed_model_settings_and_probabilities():
    proj = run(scenarios=FakeSet(SCEN, (0.4, 0.2, 0.2, 0.2)))
    assert proj.scenario_names == ("baseline", "friction", "opening", "mixed")
    assert proj.probabilities == (0.4, 0.2, 0.2, 0.2)
    assert proj.model == "FakeDrift"
    assert proj.unit == "USD_bn"
    assert proj.seed == 7
    assert proj.years.tolist() == list(range(2026, 2036))
    assert proj.history is FIT.series
    s = proj.settings
    assert (s["n_paths"], s["chunk_size"], s["n_chunks"], s["horizon"]) == (250, 100, 3, 10)
    assert set(s["versions"]) == {"forecast", "numpy"}
    assert not proj.samples.flags.writeable
    assert not proj.base_log.flags.writeable
    assert run(to=None, horizon=3).years.tolist() == [2026, 2027, 2028]
    one = run(scenarios=SCEN[1])
    assert one.scenario_names == ("friction",)
    assert one.probabilities is None


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"to": None}, ParameterError, "exactly one of `to`"),
        ({"horizon": 5}, ParameterError, "exactly one of `to`"),
        ({"to": 2025}, ParameterError, "`to`"),
        ({"to": 2200}, ParameterError, "`to`"),
        ({"to": "2035"}, ForecastTypeError, "`to`"),
        ({"to": None, "horizon": 0}, ParameterError, "`horizon`"),
        ({"to": None, "horizon": 101}, ParameterError, "`horizon`"),
        ({"n_paths": 0}, ParameterError, "`n_paths`"),
        ({"n_paths": 10.5}, ForecastTypeError, "`n_paths`"),
        ({"chunk_size": 0}, ParameterError, "`chunk_size`"),
        ({"chunk_size": "big"}, ForecastTypeError, "`chunk_size`"),
        ({"seed": -1}, ParameterError, "`seed`"),
        ({"seed": "abc"}, ForecastTypeError, "`seed`"),
        ({"seed": 1.5}, ForecastTypeError, "`seed`"),
        ({"executor": object()}, ForecastTypeError, "`executor`"),
        ({"progress": "yes"}, ForecastTypeError, "`progress`"),
        ({"scenarios": []}, ScenarioError, "at least one scenario"),
        ({"scenarios": "baseline"}, ForecastTypeError, "`scenarios`"),
        ({"scenarios": "escalation"}, ForecastTypeError, "forecast.presets.get('escalation')"),
        ({"scenarios": [SCEN[0], 3]}, ForecastTypeError, "scenarios[1]"),
        ({"scenarios": [SCEN[0], "escalation"]}, ForecastTypeError,
         "scenarios[1]` must be a Scenario; got str. Build it with forecast.Scenario(name, "
         "assumptions). For a preset by name, pass forecast.presets.get('escalation')"),
        ({"scenarios": [SCEN[0], SCEN[0]]}, ScenarioError, "unique"),
        ({"fit": object()}, ForecastTypeError, "`fit`"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, words):
    with pytest.raises(error) as info:
        run(**kwargs)
    assert isinstance(info.value, ForecastError)
    assert words in str(info.value)


def test_assumption_starting_before_the_projection_is_rejected():
    early = FakeScenario("early", (Shift("friction_2025", -0.1, 2025),))
    with pytest.raises(ScenarioError, match=r"'early'.*'friction_2025'.*2026.*2025"):
        run(scenarios=[SCEN[0], early])


def test_bad_effect_shape_is_a_scenario_error():
    class Bad(Shift):
        def effect(self, ctx, rng):
            return np.zeros((3, 3))

    with pytest.raises(ScenarioError, match=r"'bad'.*shape"):
        run(scenarios=[FakeScenario("bad", (Bad("b", 0.0, 2026),))])


# --------------------------------------------------------------------------- overflow
def test_huge_effect_names_scenario_assumption_and_first_year():
    """A scenario may move the level by at most MAX_EFFECT log points (issue 11, item 11)."""
    boom = FakeScenario("boom", (Growth("runaway", 100.0, 2028),))
    with pytest.raises(SimulationError, match=r"scenario 'boom'.*in 2028.*'runaway'"):
        run(scenarios=[SCEN[0], boom])
    sink = FakeScenario("sink", (Shift("collapse", -800.0, 2030),))
    with pytest.raises(SimulationError, match=r"'sink'.*in 2030 it reached -800 .*assumption "
                                              r"'collapse', -800\)"):
        run(scenarios=[sink])  # signed: it said 800 for a fall


def test_overflow_and_nan_are_simulation_errors():
    # the baseline sits near the edge, so a sane effect pushes the level past 1e300
    edge = FakeFit(AnnualSeries(range(2016, 2026), np.full(10, 1e299)), drift=0.0,
                   sigma=0.0)
    up = FakeScenario("up", (Shift("step", 5.0, 2030),))
    with pytest.raises(SimulationError, match=r"scenario 'up'.*in 2030.*overflow"):
        run(fit=edge, scenarios=[up])
    class NaNFrom(Shift):
        def effect(self, ctx, rng):
            return np.where(ctx.years >= self.start, np.nan, 0.0) + np.zeros_like(ctx.base)

    nan = FakeScenario("nan", (NaNFrom("v", 0.0, 2027),))
    with pytest.raises(SimulationError, match=r"'nan'.*2027.*NaN"):
        run(scenarios=[nan])
    assert issubclass(SimulationError, ArithmeticError)


def test_baseline_model_overflow_is_reported():
    wild = FakeFit(history(), drift=200.0, name="Wild")
    with pytest.raises(SimulationError, match=r"baseline model 'Wild'.*2029"):
        run(fit=wild)


# --------------------------------------------------------------------------- real classes
def _real_fit():
    from forecast import models
    from forecast.series import AnnualSeries

    s = AnnualSeries(np.arange(2012, 2026), 10 * 1.09 ** np.arange(14) * (1 + 0.02 * np.sin(
        np.arange(14))), name="US")
    return models.Drift().fit(s)


def test_real_model_and_presets_integration():
    from forecast import presets

    fit = _real_fit()
    sset = presets.scenario_set()
    proj = project(fit, sset, to=2035, n_paths=300, seed=5, chunk_size=128)
    assert proj.samples.shape == (len(sset.scenarios), 300, 10)
    assert proj.scenario_names[0] == "baseline"
    assert np.all(np.isfinite(proj.samples))
    assert proj.samples.min() > 0
    with ThreadPoolExecutor(2) as ex:
        again = project(fit, sset, to=2035, n_paths=300, seed=5, chunk_size=128, executor=ex)
    np.testing.assert_array_equal(again.samples, proj.samples)
    with ProcessPoolExecutor(2) as pool:  # real Fit and scenarios cross process boundaries
        par = project(fit, sset, to=2035, n_paths=300, seed=5, chunk_size=128, executor=pool)
    np.testing.assert_array_equal(par.samples, proj.samples)
    # the empty baseline scenario is exactly the model's simulation
    np.testing.assert_array_equal(proj.samples[0], np.exp(proj.base_log))
    # shared assumptions are evaluated once per chunk; values equal Scenario.effects
    from forecast.scenarios import PathContext

    sim, eff = np.random.SeedSequence(5).spawn(3)[1].spawn(2)
    base = fit.simulate(10, 128, seed=sim)
    np.testing.assert_array_equal(proj.base_log[128:256], base)
    ctx = PathContext(np.arange(2026, 2036), base, fit.point_forecast(10), 2025)
    for k, sc in enumerate(sset.scenarios):
        expected = np.exp(base + _summed(sc.effects(ctx, eff)))
        np.testing.assert_array_equal(proj.samples[k, 128:256], expected)


def test_real_scenario_start_error():
    from forecast import scenarios

    fit = _real_fit()
    early = scenarios.Scenario("early", [scenarios.LevelShift(2024, -0.1, name="step")])
    with pytest.raises(ScenarioError, match=r"'early'.*'step'.*2024"):
        project(fit, early, horizon=5, n_paths=10, seed=1)


def test_process_pools_of_every_start_method_are_bit_identical():
    """Chunks computed in worker processes (every start method) equal the serial run's.

    forkserver is Linux's default from Python 3.14.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    import forecast

    s = forecast.AnnualSeries(range(2010, 2025), np.linspace(10, 30, 15))
    fit = forecast.Drift().fit(s)
    scen = forecast.presets.scenario_set()
    serial = forecast.project(fit, scen, horizon=6, n_paths=3000, seed=5, chunk_size=700)
    for method in ("spawn", "fork", "forkserver"):
        with ProcessPoolExecutor(2, mp_context=mp.get_context(method)) as ex:
            par = forecast.project(fit, scen, horizon=6, n_paths=3000, seed=5,
                                   chunk_size=700, executor=ex)
        assert np.array_equal(par.samples, serial.samples), method
        assert np.array_equal(par.base_log, serial.base_log), method


@pytest.mark.parametrize(("n_paths", "readable"),
                         [(10**12, True), (10**18, True), (10**18, False)])
def test_a_huge_n_paths_is_refused_before_anything_proportional_is_built(
        monkeypatch, n_paths, readable):
    # the chunk bounds used to be a list of n_paths / chunk_size tuples built before the
    # memory guard: 10**12 paths raised a raw MemoryError there, 10**18 was OOM-killed;
    # where the memory cannot be read, numpy refuses 10**18 paths with a ValueError
    # ("array is too big"), which must be the same ResourceError as its MemoryError
    import tracemalloc

    from forecast import _resources
    from forecast.errors import ResourceError
    from forecast.projection.chunks import chunk_bounds

    if readable:
        monkeypatch.setattr(_resources, "available_memory", lambda: 8 * 2**30)
    else:  # no estimate: numpy's own MemoryError becomes the ResourceError
        monkeypatch.setattr(_resources, "available_memory", lambda: None)
    tracemalloc.start()
    try:
        with pytest.raises(ResourceError, match=f"{n_paths:,} paths"):
            run(n_paths=n_paths)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20
    bounds = chunk_bounds(n_paths, 10_000)  # lazy: built in no time, sized by its length
    assert len(bounds) == -(-n_paths // 10_000)
    assert bounds[-1] == ((len(bounds) - 1) * 10_000, n_paths)


def test_chunk_bounds_is_the_sequence_of_ranges():
    from forecast.projection.chunks import chunk_bounds

    assert list(chunk_bounds(25, 10)) == [(0, 10), (10, 20), (20, 25)]
    assert chunk_bounds(25, 10)[-1] == (20, 25)
    assert list(chunk_bounds(10, 10)) == [(0, 10)]
    assert len(chunk_bounds(0, 10)) == 0
    with pytest.raises(IndexError):
        chunk_bounds(25, 10)[3]
