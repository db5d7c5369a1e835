"""decompose's memory does not grow with the number of assumptions beyond their effects
(which the run itself holds per chunk), and its numbers are those of the stacked rule."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast._seeds import rebuild
from forecast.projection import decompose as dec
from forecast.projection.chunks import chunk_bounds
from forecast.scenarios import Triangular, Uniform


def _assumption(k: int):
    kind = k % 3
    if kind == 0:
        return forecast.LevelShift(2027, Triangular(-0.15, -0.06, -0.02), phase_in=2,
                                   name=f"a{k:02d}")
    if kind == 1:
        return forecast.GrowthShift(2027, Uniform(-0.01, 0.01), half_life=5, name=f"a{k:02d}")
    return forecast.Adoption(2028, Uniform(0, 0.1), name=f"a{k:02d}")


@pytest.fixture(scope="module")
def fit():
    values = [10 * 1.1**i * (1 + 0.03 * (-1) ** i) for i in range(14)]
    return forecast.Drift().fit(forecast.AnnualSeries(range(2012, 2026), values))


def _projection(fit, k, n_paths=4000, chunk=2000):
    sc = forecast.Scenario("many", [_assumption(i) for i in range(k)])
    return forecast.project(fit, [forecast.presets.get("baseline"), sc], to=2050,
                            n_paths=n_paths, seed=1, chunk_size=chunk)


def _peak(p):
    """tracemalloc's peak of a first decompose of `p` (a second is cached)."""
    tracemalloc.start()
    try:
        p.decompose("many")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_decompose_memory_beyond_the_effects_does_not_grow_with_assumptions(fit):
    # every assumption's effect of a chunk was stacked into (k, chunk, h) and 3-4 more
    # arrays of that size made: 30 more assumptions took 300 MB at 10,000 x 25 (5 arrays
    # each); now only their effects (as the run holds them), 60 MB there (1 each)
    _projection(fit, 2, n_paths=100, chunk=100).decompose("many")  # one-off allocations
    small, large = _projection(fit, 10), _projection(fit, 40)
    effect = 2000 * 25 * 8  # one effect of a chunk
    grew = _peak(large) - _peak(small)
    assert grew < 1.5 * 30 * effect, grew / effect


def _stacked_decompose(p, scenario, baseline):
    """The decomposition as it was made: all assumptions of a chunk stacked."""
    s, b = p._index(scenario), p._index(baseline)
    root = rebuild(p.seed, tuple(p.settings.get("spawn_key", ())),
                   int(p.settings.get("pool_size", 4)))
    h, names = p.horizon, None
    for i, (lo, hi) in enumerate(chunk_bounds(p.n_paths, int(p.settings["chunk_size"]))):
        eff_s, eff_b = dec._chunk_effects(p, s, b, root, i, lo, hi)
        if names is None:
            names = list(eff_s) + [a for a in eff_b if a not in eff_s]
            calc = sorted(names)
            log_sum, lvl_sum = np.zeros((len(names), h)), np.zeros((len(names), h))
        zero = np.zeros((hi - lo, h))
        c = np.stack([np.broadcast_to(eff_s.get(a, zero), zero.shape)
                      - np.broadcast_to(eff_b.get(a, zero), zero.shape) for a in calc])
        lv_s, lv_b = p.samples[s, lo:hi], p.samples[b, lo:hi]
        gap = lv_s - lv_b
        total = c.sum(axis=0)
        tangent = np.abs(total) < dec.TANGENT_TOL
        slope = np.where(tangent, lv_b, gap / np.where(tangent, 1.0, total))
        shares = c * slope
        rest = gap - shares.sum(axis=0)
        top = np.abs(c).argmax(axis=0)
        np.put_along_axis(shares, top[None],
                          np.take_along_axis(shares, top[None], 0) + rest, 0)
        log_sum += c.sum(axis=1)
        lvl_sum += shares.sum(axis=1)
    shown = [calc.index(a) for a in names]
    log_sum, lvl_sum = log_sum[shown], lvl_sum[shown]
    k, n = len(names), p.n_paths
    return pd.DataFrame({
        "year": np.repeat(p.years, k),
        "assumption": np.tile(np.array(names, dtype=object), h),
        "log_points": (100.0 * log_sum / n).T.reshape(-1),
        "level": (lvl_sum / n).T.reshape(-1),
    })


def test_decompose_is_bit_identical_to_the_stacked_rule(fit):
    names = [n for n in forecast.presets.names() if n != "baseline"]
    p = forecast.project(fit, [forecast.presets.get("baseline")]
                         + [forecast.presets.get(n) for n in names],
                         to=2040, n_paths=1500, seed=4, chunk_size=500)
    pairs = [(n, "baseline") for n in names] + [(names[0], n) for n in names[1:]]
    many = _projection(fit, 12, n_paths=1000, chunk=400)
    for proj, (scenario, baseline) in [(p, pair) for pair in pairs] + [
            (many, ("many", "baseline"))]:
        got = proj.decompose(scenario, baseline=baseline)
        pd.testing.assert_frame_equal(got, _stacked_decompose(proj, scenario, baseline),
                                      check_exact=True)
