"""Sensitivity analyses' memory: linear in the number of inputs, and refused up front
(ResourceError) when it cannot fit, as ``project`` is."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

import forecast
from forecast import _resources
from forecast._seeds import as_generator, as_seed_sequence, children
from forecast.evaluation import _sobol, sensitivity, sobol, sobol_indices, tornado
from forecast.scenarios import LevelShift, Scenario, Uniform


class FakeFit:
    """A log random walk with drift: no model estimation."""

    last_year = 2025
    unit = "USD_bn"

    def point_forecast(self, h):
        return 3.4 + 0.08 * np.arange(1, h + 1)

    def simulate(self, h, n_paths, seed=None, innovations=None):
        z = as_generator(seed).standard_normal((n_paths, h))
        return self.point_forecast(h) + 0.05 * np.cumsum(z, axis=1)


def _scenario(d: int, per_assumption: int = 1) -> Scenario:
    """`d` uncertain parameters: LevelShifts with an uncertain size (and phase-in)."""
    out = []
    for k in range(d // per_assumption):
        extra = {"phase_in": forecast.scenarios.DiscreteUniform(1, 3)} if per_assumption == 2 \
            else {}
        out.append(LevelShift(2027, Uniform(-0.1 - 0.01 * k, 0.0), name=f"a{k}", **extra))
    return Scenario("many", out)


def _sobol_peak(d: int, n: int) -> int:
    tracemalloc.start()
    try:
        sobol(FakeFit(), _scenario(d), [2030], n=n, seed=1, output="effect", n_bootstrap=0)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_sobol_memory_grows_linearly_with_the_parameters():
    # all d + g swapped (n, d) matrices were built up front: 4x the parameters took 11.6x
    # the memory (6.5 to 75 MB, growing as d^2); now one at a time, 3.6x (2.4 to 8.9 MB)
    _sobol_peak(4, 64)  # one-off allocations (imports, the allocator's workspace) first
    small, large = _sobol_peak(16, 1024), _sobol_peak(64, 1024)
    assert large / small < 6.0, (small, large)


def _old_pick_and_freeze_swaps(fit, scenario, n, seed, years):
    """f(A_B^g) as the engine made them before: every swapped matrix built in full and
    the quantiles of all its columns recomputed (the reference for bit-identity)."""
    ev, params, yrs, cols, h = sensitivity._setup(fit, scenario, years, "sobol")
    s_design, _, *s_paths = children(as_seed_sequence(seed), 6)
    u = _sobol.base_uniforms(n, len(params), np.random.default_rng(s_design), "sobol")
    dd = len(params)
    a = u[:, :dd]
    base_a = np.asarray(fit.simulate(h, n, seed=s_paths[0]), dtype=float)
    ctx = ev.context(base_a)
    names = [p.assumption for p in params]
    groups = list(dict.fromkeys(names))
    col_groups = [[i] for i in range(dd)] + [
        [i for i, nm in enumerate(names) if nm == g] for g in groups]

    def values(mat):
        return [np.asarray(p.dist.quantile(mat[:, j])) for j, p in enumerate(params)]

    eff_a = ev.effects(sensitivity.by_assumption(params, values(a)), ctx, s_paths[2])
    tot_a = sum(eff_a.values())
    out = []
    for cg in col_groups:
        m = a.copy()
        m[:, cg] = u[:, dd:][:, cg]
        owner = names[cg[0]]
        e = ev.effect(owner, sensitivity.by_assumption(params, values(m))[owner], ctx,
                      s_paths[2])
        out.append((base_a + (tot_a - eff_a[owner] + e))[:, cols])
    return out, ev, params, u, s_paths, h, cols


@pytest.mark.parametrize(("d", "per"), [(32, 1), (8, 2)])
def test_sobol_swapped_outputs_are_bit_identical_to_full_matrices(d, per):
    fit, sc = FakeFit(), _scenario(d, per)
    ref, ev, params, u, s_paths, h, cols = _old_pick_and_freeze_swaps(fit, sc, 128, 5,
                                                                      [2028, 2031])
    _, _, f_ab, _, _ = sensitivity._pick_and_freeze(
        fit, ev, params, u, s_paths, h, lambda base, tot: (base + tot)[:, cols])
    assert len(f_ab) == len(ref) + 2  # plus the baseline and chance blocks
    for got, want in zip(f_ab, ref, strict=False):
        np.testing.assert_array_equal(got, want)


def _little_memory(monkeypatch, avail=50_000_000):
    monkeypatch.setattr(_resources, "available_memory", lambda: avail)


def test_sobol_too_big_for_memory_is_a_one_line_resource_error(monkeypatch):
    _little_memory(monkeypatch)
    with pytest.raises(forecast.ResourceError) as info:
        sobol(FakeFit(), _scenario(8), [2030, 2035], n=2**16, seed=1)
    msg = str(info.value)
    assert "\n" not in msg
    assert "n=65,536 base rows needs about" in msg
    assert "Pass n <= " in msg
    largest = int(msg.split("Pass n <= ")[1].split(" ")[0].replace(",", ""))
    assert 16 <= largest < 2**16
    # the n it names fits under the same guard
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sensitivity.check_sobol_memory(largest, 8, 8, 10, 2, 200)
        with pytest.raises(forecast.ResourceError):
            sensitivity.check_sobol_memory(largest + 1, 8, 8, 10, 2, 200)


def test_sobol_indices_too_big_for_memory_is_a_resource_error(monkeypatch):
    _little_memory(monkeypatch)
    with pytest.raises(forecast.ResourceError, match=r"n=65,536 .*Pass n <= "):
        sobol_indices(lambda x: x[:, 0], {f"x{i}": (0, 1) for i in range(20)}, n=2**16,
                      seed=1)


def test_tornado_too_big_for_memory_is_a_one_line_resource_error(monkeypatch):
    # tornado had no memory guard: at --n 10,000,000 it grew past 7.5 GB and ended in a
    # MemoryError blamed on the assumption; now refused before the baseline is simulated
    _little_memory(monkeypatch, 200_000_000)
    with pytest.raises(forecast.ResourceError) as info:
        tornado(FakeFit(), _scenario(2), [2030, 2035], n_paths=200_000, seed=1)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("tornado with n_paths=200,000 to 10 years ahead needs about")
    largest = int(msg.split("Pass n_paths <= ")[1].split(", or")[0].replace(",", ""))
    assert 10 <= largest < 200_000
    tornado(FakeFit(), _scenario(2), [2030, 2035], n_paths=min(largest, 20_000), seed=1)
