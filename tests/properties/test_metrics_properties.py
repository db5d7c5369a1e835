"""Properties of the metrics (sign, zero at perfection, scaling) and of Sobol' indices."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import forecast_pairs

from forecast.evaluation import metrics as M
from forecast.evaluation import sobol_indices

scales = st.floats(0.01, 100.0, allow_nan=False)
shifts = st.floats(-100.0, 100.0, allow_nan=False)
levels = st.sampled_from([50, 80, 90, 95])


def _close(a, b, rel=1e-9, abs_=1e-9):
    return np.allclose(a, b, rtol=rel, atol=abs_)


@given(forecast_pairs(), levels)
def test_metrics_are_non_negative(pair, level):
    y, f, s = pair
    lo, hi = np.minimum(f, s[0]), np.maximum(f, s[0])
    assert M.mae(y, f) >= 0
    assert M.mape(y, f) >= 0
    assert 0 <= M.smape(y, f) <= 200
    assert np.all(M.crps_samples(y, s, axis=()) >= 0)
    assert np.all(M.pinball_loss(y, f, 0.3, axis=()) >= 0)
    assert np.all(M.interval_score(y, lo, hi, level, axis=()) >= 0)
    assert 0 <= M.coverage(y, lo, hi) <= 1
    p = M.pit(y, s)
    assert np.all((p >= 0) & (p <= 1))
    if len(y) > 1 and np.any(np.diff(y) != 0):
        assert M.mase(y, f, insample=y) >= 0


@given(forecast_pairs(), levels, st.floats(0.01, 0.99))
def test_metrics_are_zero_for_perfect_forecasts(pair, level, q):
    y, _, s = pair
    assert M.mae(y, y) == 0
    assert M.mape(y, y) == 0
    assert M.smape(y, y) == 0
    assert M.crps_samples(y, np.broadcast_to(y, s.shape)) == 0
    assert M.pinball_loss(y, y, q) == 0
    assert M.interval_score(y, y, y, level) == 0
    assert M.coverage(y, y, y) == 1
    if len(y) > 1 and np.any(np.diff(y) != 0):
        assert M.mase(y, y, insample=y) == 0


@given(forecast_pairs(), scales, shifts, levels)
def test_metrics_scale_as_documented(pair, c, b, level):
    y, f, s = pair
    lo, hi = np.minimum(f, s[0]), np.maximum(f, s[0])
    # location-scale equivariant scores: times c, shift-invariant
    assert _close(M.mae(c * y + b, c * f + b), c * M.mae(y, f), rel=1e-7, abs_=1e-6)
    assert _close(M.crps_samples(c * y + b, c * s + b), c * M.crps_samples(y, s),
                  rel=1e-7, abs_=1e-6)
    assert _close(M.pinball_loss(c * y + b, c * f + b, 0.7), c * M.pinball_loss(y, f, 0.7),
                  rel=1e-7, abs_=1e-6)
    assert _close(M.interval_score(c * y + b, c * lo + b, c * hi + b, level),
                  c * M.interval_score(y, lo, hi, level), rel=1e-7, abs_=1e-6)
    # scale-free scores: invariant to c (percentage errors are not shift-invariant)
    assert _close(M.mape(c * y, c * f), M.mape(y, f), rel=1e-9)
    assert _close(M.smape(c * y, c * f), M.smape(y, f), rel=1e-9)
    if len(y) > 1 and np.ptp(y) > 1e-3:
        assert _close(M.mase(c * y + b, c * f + b, insample=c * y + b),
                      M.mase(y, f, insample=y), rel=1e-6)
    # coverage and PIT: invariant to an increasing transformation (log); values on a
    # 1/16 grid so that rounding of the log cannot create ties that were not there
    y, lo, hi, s = (np.round(v * 16) / 16 for v in (y, lo, hi, s))
    assert M.coverage(np.log(y), np.log(lo), np.log(hi)) == M.coverage(y, lo, hi)
    assert np.array_equal(M.pit(np.log(y), np.log(s)), M.pit(y, s))


@settings(max_examples=20)
@given(st.floats(-5, 5), st.floats(0.1, 5), levels, st.integers(0, 2**32 - 1))
def test_coverage_of_exact_quantiles_is_nominal(mu, sd, level, seed):
    n = 4000
    y = np.random.default_rng(seed).normal(mu, sd, size=n)
    nd = NormalDist(mu, sd)
    lo, hi = nd.inv_cdf(0.5 - level / 200), nd.inv_cdf(0.5 + level / 200)
    p = level / 100
    se = np.sqrt(p * (1 - p) / n)
    assert abs(M.coverage(y, lo, hi) - p) < 5 * se


def _make_func(coefs, inter):
    def f(x):
        lin = x @ np.asarray(coefs)
        return lin + inter * x[:, 0] * x[:, 1]
    return f


@settings(max_examples=10)
@given(
    st.lists(st.floats(-3, 3, allow_nan=False), min_size=2, max_size=4).filter(
        lambda c: max(abs(v) for v in c) > 0.1),
    st.floats(-3, 3, allow_nan=False),
    st.integers(0, 2**16),
)
def test_sobol_indices_bounded_and_total_not_below_first(coefs, inter, seed):
    problem = {f"x{i}": (-1.0, 1.0) for i in range(len(coefs))}
    df = sobol_indices(_make_func(coefs, inter), problem, n=512, seed=seed, n_bootstrap=100)
    # The indices lie in [0, 1]; each estimate within its noise: 0.05, or the width of its
    # bootstrap 95% interval (about 4 sd) where an interaction makes the estimator noisier
    # (coefs [0, 0.5], inter 2: first order of x0 is 0, estimated -0.063 in [-0.19, 0.06])
    for kind in ("first_order", "total"):
        tol = np.maximum(0.05, df[f"{kind}_upper"] - df[f"{kind}_lower"])
        assert (df[kind] >= -tol).all(), kind
        assert (df[kind] <= 1 + tol).all(), kind
    # total >= first order, unless within the two estimates' confidence intervals
    assert (df["total_upper"] >= df["first_order_lower"]).all()
