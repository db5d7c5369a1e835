"""Hypothesis properties of the engine and the Projection.

Quantiles are monotone; decompositions sum exactly to the gap; a zero-effect scenario
reproduces the baseline bit for bit; one seed gives identical samples for any executor and
worker count; every level is positive and finite, or the run fails with a
SimulationError naming the scenario and the year.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _engine_fakes import FakeFit, FakeScenario, Growth, Shift, Vol, history
from hypothesis import given
from hypothesis import strategies as st
from strategies import scenarios as real_scenarios

from forecast.errors import SimulationError
from forecast.projection import project

FIT = FakeFit(history())
BASELINE = FakeScenario("baseline")

seeds = st.integers(0, 2**32 - 1)
n_paths = st.integers(1, 40)
chunk_sizes = st.integers(1, 50)
starts = st.integers(2026, 2031)


@st.composite
def assumptions(draw, name: str):
    kind = draw(st.sampled_from(["shift", "growth", "vol"]))
    start = draw(starts)
    if kind == "shift":
        return Shift(name, draw(st.floats(-1, 1)), start, draw(st.floats(0, 0.5)))
    if kind == "growth":
        return Growth(name, draw(st.floats(-0.2, 0.2)), start)
    return Vol(name, draw(st.floats(0, 3)), start)


@st.composite
def scenario(draw, name: str = "alt"):
    k = draw(st.integers(1, 3))
    return FakeScenario(name, tuple(draw(assumptions(f"a{i}")) for i in range(k)))


@given(seeds, n_paths, st.lists(st.floats(0, 1), min_size=1, max_size=6), scenario())
def test_quantiles_are_monotone(seed, n, qs, alt):
    proj = project(FIT, [BASELINE, alt], horizon=6, n_paths=n, seed=seed)
    q = np.unique(qs)  # sorted, a repeated quantile once (as quantiles() gives it)
    df = proj.quantiles(q)
    values = df["value"].to_numpy().reshape(2, 6, q.size)
    assert np.all(np.diff(values, axis=-1) >= 0)
    sf = proj.summary_frame(levels=(50, 80, 95))
    cols = ["lower_95", "lower_80", "lower_50", "median", "upper_50", "upper_80", "upper_95"]
    assert np.all(np.diff(sf[cols].to_numpy(), axis=1) >= 0)


@given(seeds, n_paths, chunk_sizes, scenario("alt"), scenario("other"))
def test_decomposition_sums_exactly(seed, n, chunk, alt, other):
    proj = project(FIT, [BASELINE, alt, other], horizon=6, n_paths=n, seed=seed,
                   chunk_size=chunk)
    for s, b in (("alt", "baseline"), ("other", "alt")):
        df = proj.decompose(s, baseline=b)
        totals = df.groupby("year")[["log_points", "level"]].sum()
        i, j = proj.scenario_names.index(s), proj.scenario_names.index(b)
        log_gap = 100 * (np.log(proj.samples[i]) - np.log(proj.samples[j])).mean(axis=0)
        level_gap = (proj.samples[i] - proj.samples[j]).mean(axis=0)
        if len(df):
            np.testing.assert_allclose(totals["log_points"], log_gap, rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(totals["level"], level_gap, rtol=1e-12, atol=1e-9)
        else:
            assert np.all(level_gap == 0)


@given(seeds, n_paths, chunk_sizes, st.lists(starts, min_size=1, max_size=3))
def test_zero_effect_scenario_reproduces_baseline(seed, n, chunk, when):
    zero = [Shift("s", 0.0, when[0]), Growth("g", 0.0, when[-1]), Vol("v", 1.0, when[0])]
    alt = FakeScenario("zero", tuple(zero[: len(when)]))
    proj = project(FIT, [BASELINE, alt], horizon=7, n_paths=n, seed=seed, chunk_size=chunk)
    assert np.array_equal(proj.samples[1], proj.samples[0])


# random starts may fall after the horizon: project warns that they have no effect
@pytest.mark.filterwarnings(r"ignore:project. .* start\(s\) after .*:UserWarning")
@given(seeds, n_paths, chunk_sizes, st.integers(1, 3), scenario())
def test_same_seed_same_samples_for_any_executor(seed, n, chunk, workers, alt):
    kw = {"horizon": 5, "n_paths": n, "seed": seed, "chunk_size": chunk}
    serial = project(FIT, [BASELINE, alt], **kw)
    with ThreadPoolExecutor(workers) as ex:
        threaded = project(FIT, [BASELINE, alt], executor=ex, **kw)
    assert np.array_equal(serial.samples, threaded.samples)
    assert np.array_equal(serial.base_log, threaded.base_log)


# random starts may fall after the horizon: project warns that they have no effect
@pytest.mark.filterwarnings(r"ignore:project. .* start\(s\) after .*:UserWarning")
@given(seeds, st.floats(-150, 150), starts, st.integers(1, 12))
def test_levels_positive_finite_or_named_simulation_error(seed, rate, start, h):
    alt = FakeScenario("steep", (Growth("g", rate, start),))
    try:
        proj = project(FIT, [BASELINE, alt], horizon=h, n_paths=5, seed=seed)
    except SimulationError as exc:
        msg = str(exc)
        assert "scenario 'steep'" in msg
        # overflow of exp, or a combined effect beyond MAX_EFFECT log points
        year = int(re.search(r"in (\d{4}) (the log level|it reached)", msg).group(1))
        assert 2026 <= year <= 2025 + h
        assert year >= start
    else:
        assert np.all(np.isfinite(proj.samples))
        assert proj.samples.min() > 0


@given(seeds, st.integers(1, 30), st.integers(2026, 2030))
def test_real_zero_assumption_reproduces_baseline(seed, n, start):
    from forecast import models, scenarios

    fit = _real_fit(models)
    zero = scenarios.Scenario("zero", [scenarios.LevelShift(start, 0.0, name="nothing")])
    proj = project(fit, [scenarios.Scenario("baseline"), zero], horizon=5, n_paths=n,
                   seed=seed, chunk_size=7)
    assert np.array_equal(proj.samples[1], proj.samples[0])


@given(seeds, st.integers(1, 30), st.integers(1, 12), st.data())
def test_real_scenarios_decompose_exactly_and_ignore_the_executor(seed, n, chunk, data):
    from forecast import models, scenarios

    fit = _real_fit(models)
    alt = data.draw(real_scenarios(name="alt"))
    sset = [scenarios.Scenario("baseline"), alt]
    kw = {"horizon": 8, "n_paths": n, "seed": seed, "chunk_size": chunk}
    try:
        proj = project(fit, sset, **kw)
    except SimulationError as exc:  # extreme draws: the error names scenario and year
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert "scenario 'alt'" in message
        return
    with ThreadPoolExecutor(2) as ex:
        assert np.array_equal(project(fit, sset, executor=ex, **kw).samples, proj.samples)
    df = proj.decompose("alt")
    totals = df.groupby("year")[["log_points", "level"]].sum()
    log_gap = 100 * (np.log(proj.samples[1]) - np.log(proj.samples[0])).mean(axis=0)
    level_gap = (proj.samples[1] - proj.samples[0]).mean(axis=0)
    if len(df):
        scale = 1e-12 * (1 + np.abs(proj.samples).max())
        np.testing.assert_allclose(totals["log_points"], log_gap, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(totals["level"], level_gap, rtol=1e-12, atol=scale)


@given(seeds, st.integers(1, 30), st.integers(1, 12), st.data())
def test_the_order_of_a_scenarios_assumptions_changes_no_bit(seed, n, chunk, data):
    """Assumptions act additively on the log level and are added in the order of their
    names, so a scenario listing them in any order gives the same samples and the same
    decomposition, bit for bit (floating-point addition is not associative: summed in
    the listed order, three or more effects differed in the last bits)."""
    from forecast import models, scenarios

    fit = _real_fit(models)
    alt = data.draw(real_scenarios(name="alt", max_assumptions=4))
    order = data.draw(st.permutations(alt.assumptions))
    shuffled = scenarios.Scenario("alt", tuple(order))
    kw = {"horizon": 8, "n_paths": n, "seed": seed, "chunk_size": chunk}
    base = scenarios.Scenario("baseline")
    try:
        one = project(fit, [base, alt], **kw)
    except SimulationError:  # extreme draws: the same error either way
        with pytest.raises(SimulationError):
            project(fit, [base, shuffled], **kw)
        return
    two = project(fit, [base, shuffled], **kw)
    assert np.array_equal(one.samples, two.samples)
    d1, d2 = one.decompose("alt"), two.decompose("alt")
    key = ["year", "assumption"]
    assert d1.sort_values(key).reset_index(drop=True).equals(
        d2.sort_values(key).reset_index(drop=True))


_FITS: dict = {}


def _real_fit(models):
    if "drift" not in _FITS:
        from forecast.series import AnnualSeries

        s = AnnualSeries(np.arange(2010, 2026), 5 * 1.1 ** np.arange(16)
                         * (1 + 0.03 * np.cos(np.arange(16))))
        _FITS["drift"] = models.Drift().fit(s)
    return _FITS["drift"]
