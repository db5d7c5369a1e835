"""Metrics against hand-computed cases, closed forms and known distributions."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ForecastTypeError, ParameterError
from forecast.evaluation import metrics as M


def _crps_kernel(y, x):
    """Brute-force CRPS of an ensemble: E|X - y| - E|X - X'| / 2 (O(n^2))."""
    x = np.asarray(x, dtype=float)
    return np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))


# --------------------------------------------------------------------------- point metrics
def test_point_metrics_hand_computed():
    y, f = [10.0, 20.0, 40.0], [12.0, 17.0, 40.0]
    assert M.mae(y, f) == pytest.approx(5.0 / 3)
    assert M.mape(y, f) == pytest.approx(100 * (0.2 + 0.15 + 0.0) / 3)
    assert M.smape(y, f) == pytest.approx(100 * (4 / 22 + 6 / 37 + 0) / 3)
    # naive in-sample errors |10-8|, |12-10| -> scale 2
    assert M.mase(y, f, insample=[8.0, 10.0, 12.0]) == pytest.approx(5.0 / 3 / 2)
    # seasonal scale with m=2: |12-8| -> 4
    assert M.mase(y, f, insample=[8.0, 10.0, 12.0], m=2) == pytest.approx(5.0 / 3 / 4)


def test_axis_rules_keep_or_reduce():
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    f = np.zeros((2, 2))
    assert M.mae(y, f) == pytest.approx(2.5)
    np.testing.assert_allclose(M.mae(y, f, axis=0), [2.0, 3.0])
    np.testing.assert_allclose(M.mae(y, f, axis=()), y)
    np.testing.assert_allclose(M.mae(y, 0.0, axis=1), [1.5, 3.5])  # broadcasting


def test_smape_zero_over_zero_is_zero():
    assert M.smape([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert M.smape([1.0], [-1.0]) == pytest.approx(200.0)


# --------------------------------------------------------------------------- CRPS
def test_crps_samples_matches_kernel_form(rng):
    for n in (1, 2, 5, 50):
        x = rng.normal(size=n)
        y = float(rng.normal())
        assert M.crps_samples(y, x) == pytest.approx(_crps_kernel(y, x), abs=1e-12)


def test_crps_samples_hand_cases():
    assert M.crps_samples(0.0, [-1.0, 1.0]) == pytest.approx(0.5)
    assert M.crps_samples(3.0, [3.0]) == 0.0
    assert M.crps_samples(5.0, [3.0]) == pytest.approx(2.0)  # one draw: absolute error
    # fair CRPS of two draws: E|X-y| - |x1-x2| / 2 = 1 - 1 = 0
    assert M.crps_samples(0.0, [-1.0, 1.0], fair=True) == pytest.approx(0.0)
    # the fair CRPS of one draw is undefined (n (n - 1) = 0): it used to return the plain one
    with pytest.raises(ParameterError, match=r"at least 2 draws .* got 1\. .*fair=False"):
        M.crps_samples(0.0, [1.0], fair=True)


def test_crps_samples_is_vectorised_over_forecasts(rng):
    s = rng.normal(size=(300, 4))  # (n_paths, h): sample axis 0
    y = rng.normal(size=4)
    per = M.crps_samples(y, s, axis=())
    assert per.shape == (4,)
    for j in range(4):
        assert per[j] == pytest.approx(_crps_kernel(y[j], s[:, j]), rel=1e-10)
    same = M.crps_samples(y, s.T, sample_axis=1, axis=())
    np.testing.assert_allclose(per, same)
    assert M.crps_samples(y, s) == pytest.approx(per.mean())


def test_crps_stable_for_very_wide_ensembles():
    x = np.array([1.0, 2.0, 1e300])
    assert np.isfinite(M.crps_samples(1.5, x))
    assert M.crps_samples(1.5, x) > 1e299 / 10


def _crps_exact(y, x, fair=False):
    """The kernel form in exact fractions: mean|X - y| - sum_ij |x_i - x_j| / (2 n^2), or
    / (2 n (n - 1)) for the fair CRPS (O(n^2), no rounding)."""
    from fractions import Fraction

    y, x = Fraction(y), [Fraction(v) for v in x]
    n = len(x)
    spread = sum(abs(a - b) for a in x for b in x)
    return sum(abs(v - y) for v in x) / n - spread / (2 * n * ((n - 1) if fair else n))


def test_crps_samples_equals_the_exact_kernel_form(rng):
    """Both forms against exact fractions, on small integer ensembles with ties."""
    for _ in range(200):
        n = int(rng.integers(2, 9))
        x = [int(v) for v in rng.integers(-20, 20, n)]
        y = float(rng.integers(-50, 50)) / 2
        for fair in (False, True):
            want = float(_crps_exact(y, x, fair))
            assert M.crps_samples(y, x, fair=fair) == pytest.approx(want, rel=1e-13, abs=1e-13)


def test_fair_crps_stays_exact_for_very_wide_ensembles():
    """The fair correction was subtracted from the plain score afterwards, from the draws
    themselves: with a draw of 1e17 it cancelled to 0.0 (exactly: 1/6)."""
    x = [1.0, 2.0, 3.0, 1e17]
    assert float(_crps_exact(2.5, x, fair=True)) == pytest.approx(1 / 6, rel=1e-15)
    assert M.crps_samples(2.5, x, fair=True) == pytest.approx(1 / 6, rel=1e-14)
    wide = [1.0, 2.0, 1e300]
    assert M.crps_samples(1.5, wide, fair=True) == pytest.approx(
        float(_crps_exact(1.5, wide, fair=True)), rel=1e-14)
    # never negative: every term of the sorted sum is >= 0
    rng = np.random.default_rng(5)
    ens = rng.standard_cauchy(size=(2000, 4)) * 10.0 ** rng.integers(0, 12, size=(2000, 1))
    assert np.all(M.crps_samples(rng.standard_cauchy(2000), ens, sample_axis=1, axis=(),
                                 fair=True) >= 0)


def test_crps_normal_closed_form():
    # sd * (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)); at z = 0: sd (2 phi(0) - 1/sqrt(pi))
    assert M.crps_normal(0.0, 0.0, 2.0) == pytest.approx(
        2 * (2 / math.sqrt(2 * math.pi) - 1 / math.sqrt(math.pi))
    )
    # numerical integral of (F(x) - 1{x >= y})^2
    nd = NormalDist(1.0, 0.5)
    left, right = np.linspace(-6, 2, 40_001), np.linspace(2, 8, 30_001)  # split at y = 2
    cdf = np.vectorize(nd.cdf)
    # numpy < 2 (still supported) has only trapz
    trapezoid = np.trapezoid if hasattr(np, "trapezoid") else np.trapz  # noqa: NPY201
    integral = trapezoid(cdf(left) ** 2, left) + trapezoid((1 - cdf(right)) ** 2, right)
    assert M.crps_normal(2.0, 1.0, 0.5) == pytest.approx(integral, rel=1e-6)


def test_crps_of_normal_samples_matches_closed_form(rng):
    draws = rng.normal(1.0, 2.0, size=200_000)
    for y in (-1.0, 1.0, 4.0):
        assert M.crps_samples(y, draws) == pytest.approx(M.crps_normal(y, 1.0, 2.0), rel=0.01)


def test_fair_crps_is_unbiased_for_small_ensembles(rng):
    # mean over many 5-member ensembles: fair CRPS matches the true CRPS, plain is above
    ens = rng.normal(size=(40_000, 5))
    y = rng.normal(size=40_000)
    truth = M.crps_normal(y, 0.0, 1.0)
    fair = M.crps_samples(y, ens, sample_axis=1, fair=True)
    plain = M.crps_samples(y, ens, sample_axis=1)
    assert fair == pytest.approx(truth, rel=0.02)
    assert plain > truth * 1.05


def test_crps_quantiles_approximates_crps():
    q = (np.arange(199) + 0.5) / 199
    nd = NormalDist(0.0, 1.0)
    quants = np.array([nd.inv_cdf(p) for p in q])
    assert M.crps_quantiles(0.7, quants, q) == pytest.approx(M.crps_normal(0.7, 0, 1), rel=0.01)


# --------------------------------------------------------------------------- quantiles/intervals
def test_pinball_hand_computed():
    assert M.pinball_loss(10.0, 8.0, 0.9) == pytest.approx(1.8)  # under-forecast: q (y - f)
    assert M.pinball_loss(10.0, 12.0, 0.9) == pytest.approx(0.2)  # over: (1 - q)(f - y)
    per = M.pinball_loss([10.0, 0.0], [[8.0, 12.0], [0.0, 0.0]], [0.1, 0.9], axis=())
    np.testing.assert_allclose(per, [0.2, 0.0])


def test_interval_score_and_coverage_hand_computed():
    y = [5.0, 12.0, 1.0]
    np.testing.assert_allclose(M.interval_score(y, 4.0, 10.0, 80, axis=()), [6.0, 26.0, 36.0])
    assert M.coverage(y, 4.0, 10.0) == pytest.approx(1 / 3)
    assert M.coverage([4.0, 10.0], 4.0, 10.0) == 1.0  # closed interval


def test_coverage_of_known_distribution(rng):
    y = rng.normal(size=100_000)
    for level in (50, 80, 95):
        z = NormalDist().inv_cdf(0.5 + level / 200)
        assert M.coverage(y, -z, z) == pytest.approx(level / 100, abs=0.01)


def test_interval_from_samples_and_pit(rng):
    s = rng.normal(size=(100_000, 2))
    lo, hi = M.interval_from_samples(s, 90)
    np.testing.assert_allclose(lo, -1.645, atol=0.03)
    np.testing.assert_allclose(hi, 1.645, atol=0.03)
    # PIT of truths from the forecast distribution is uniform
    draws = rng.normal(size=2000)
    truths = rng.normal(size=4000)
    p = M.pit(truths, draws[:, None])
    assert p.shape == (4000,)
    assert abs(p.mean() - 0.5) < 0.02
    assert abs(np.mean(p < 0.2) - 0.2) < 0.02


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: M.mae([1.0, 2.0], [1.0, 2.0, 3.0]), "broadcast"),
        (lambda: M.mae([1.0, np.nan], [1.0, 2.0]), "finite"),
        (lambda: M.mape([0.0], [1.0]), "non-zero"),
        (lambda: M.mase([1.0], [1.0], insample=[2.0, 2.0]), "constant"),
        (lambda: M.mase([1.0], [1.0], insample=[2.0]), "longer"),
        (lambda: M.crps_normal(0.0, 0.0, 0.0), "sd"),
        (lambda: M.interval_score(1.0, 0.0, 2.0, 0.8), "Did you mean 80"),
        (lambda: M.interval_score(1.0, 3.0, 2.0, 80), "lower"),
        (lambda: M.pinball_loss(1.0, [1.0, 2.0], [0.1, 0.5, 0.9]), "one entry per"),
        (lambda: M.pinball_loss(1.0, 1.0, 1.5), "probabilities"),
        (lambda: M.crps_samples(1.0, 2.0), "sample axis"),
        (lambda: M.crps_samples(1.0, [[1.0]], sample_axis=3), "sample_axis"),
        (lambda: M.mae([1.0], [1.0], axis=4), "axis"),
        (lambda: M.mae([], []), "empty"),
    ],
)
def test_bad_input_raises_parameter_error(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_non_numeric_raises_type_error():
    with pytest.raises(ForecastTypeError, match="numbers"):
        M.mae(["a"], [1.0])


# --------------------------------------------------------------------------- integer settings
@pytest.mark.parametrize("m", [0, -1, -3])
def test_mase_refuses_a_period_below_one(m):
    # m=-1 used to return 0.125 (x[-1:] - x[:1]) and m=0 a raw numpy broadcast error
    with pytest.raises(ParameterError, match=rf"`m` must be an int in \[1, inf\]; got {m}\. "
                                             r"Pass the seasonal period") as info:
        M.mase([1.0, 2.0], [1.0, 3.0], np.array([1.0, 2, 3, 4, 5]), m=m)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("m", [1.5, True, "1", None])
def test_mase_refuses_a_period_that_is_not_a_whole_number(m):
    with pytest.raises(ForecastTypeError, match=r"`m` must be an int in \[1, inf\]; got "):
        M.mase([1.0, 2.0], [1.0, 3.0], [1.0, 2, 3, 4, 5], m=m)


def test_mase_takes_a_whole_float_period_as_the_int_like_every_int_argument():
    x = [1.0, 2.0, 4.0, 7.0, 11.0]
    assert M.mase([5.0], [6.0], x, m=2.0) == M.mase([5.0], [6.0], x, m=2)


@pytest.mark.parametrize(("m", "n"), [(5, 5), (6, 5), (1, 1)])
def test_mase_says_how_many_insample_values_a_period_needs(m, n):
    with pytest.raises(ParameterError, match=rf"longer than m={m} \(at least {m + 1} values.*"
                                             rf"of {m + 1} values or more, or a smaller m"):
        M.mase([1.0], [2.0], np.arange(1.0, n + 1), m=m)
    assert M.mase([1.0], [2.0], np.arange(1.0, m + 2), m=m) == pytest.approx(1.0 / m)


@pytest.mark.parametrize("call", [
    lambda a: M.crps_samples([1.0, 1.0], np.ones((4, 2)), sample_axis=a),
    lambda a: M.pit([1.0, 1.0], np.ones((4, 2)), sample_axis=a),
    lambda a: M.interval_from_samples(np.ones((4, 2)), 80, sample_axis=a),
])
@pytest.mark.parametrize("axis", [1.5, True, "0", None])
def test_sample_axis_must_be_an_int(call, axis):
    with pytest.raises(ForecastTypeError, match=r"`sample_axis` must be an int; got "):
        call(axis)


def test_fair_must_be_a_bool():
    with pytest.raises(ForecastTypeError, match=r"`fair` must be True or False; got 'no'"):
        M.crps_samples(0.0, [-1.0, 1.0], fair="no")  # "no" is truthy: it would mean fair


@pytest.mark.parametrize(("call", "hint"), [
    (lambda: M.mae([1.0], [1.0], axs=()), "Did you mean 'axis'?"),
    (lambda: M.mase([1.0], [1.0], insample=[1.0, 2.0], M=1), "Did you mean 'm'?"),
    (lambda: M.crps_samples(1.0, [1.0, 2.0], sampel_axis=0), "Did you mean 'sample_axis'?"),
    (lambda: M.interval_score(1.0, 0.0, 2.0, levle=80), "Did you mean 'level'?"),
])
def test_a_misspelt_keyword_names_the_metrics_arguments(call, hint):
    with pytest.raises(ForecastTypeError, match=r"unexpected keyword argument `\w+` .*takes "
                                                r"actual, ") as info:
        call()
    assert hint in str(info.value)


# --------------------------------------------------------------------------- pandas labels
Y = pd.Series([10.0, 20.0, 40.0], index=[2021, 2022, 2023])
SHUFFLED = [2023, 2021, 2022]


def _shuffled(x):
    return x.loc[SHUFFLED]


@pytest.mark.parametrize(("name", "call"), [
    ("mae", lambda y, f: M.mae(y, f, axis=())),
    ("mape", lambda y, f: M.mape(y, f, axis=())),
    ("smape", lambda y, f: M.smape(y, f, axis=())),
    ("mase", lambda y, f: M.mase(y, f, [1.0, 2.0, 4.0], axis=())),
    ("crps_normal", lambda y, f: M.crps_normal(y, f, f / 10, axis=())),
    ("coverage", lambda y, f: M.coverage(y, f - 3, f + 3, axis=())),
    ("interval_score", lambda y, f: M.interval_score(y, f - 3, f + 3, 80, axis=())),
    ("pinball_loss", lambda y, f: M.pinball_loss(y, f, 0.9, axis=())),
])
def test_pandas_series_are_matched_by_label_not_position(name, call):
    f = pd.Series([12.0, 17.0, 40.0], index=Y.index)
    by_position = call(Y.to_numpy(), f.to_numpy())
    np.testing.assert_array_equal(call(Y, _shuffled(f)), by_position)
    np.testing.assert_array_equal(call(_shuffled(Y), f), by_position[[2, 0, 1]])
    # a pandas object scored with a plain array still matches by position
    np.testing.assert_array_equal(call(Y, f.to_numpy()), by_position)


def test_pandas_labels_of_samples_and_quantiles():
    rng = np.random.default_rng(1)
    draws = pd.DataFrame(rng.normal(20, 5, (50, 3)), columns=Y.index)  # (n_paths, h)
    want = M.crps_samples(Y.to_numpy(), draws.to_numpy(), axis=())
    np.testing.assert_array_equal(M.crps_samples(Y, draws[SHUFFLED], axis=()), want)
    np.testing.assert_array_equal(M.crps_samples(Y, draws[SHUFFLED].T, sample_axis=1,
                                                 axis=()), want)
    np.testing.assert_array_equal(M.pit(Y, draws[SHUFFLED]), M.pit(Y.to_numpy(),
                                                                   draws.to_numpy()))
    qs = pd.DataFrame({"q10": [8.0, 15.0, 30.0], "q90": [14.0, 25.0, 45.0]}, index=Y.index)
    want = M.pinball_loss(Y.to_numpy(), qs.to_numpy(), [0.1, 0.9], axis=())
    np.testing.assert_array_equal(M.pinball_loss(Y, qs.loc[SHUFFLED], [0.1, 0.9], axis=()),
                                  want)


@pytest.mark.parametrize("other", [
    pd.Series([1.0, 2.0, 3.0], index=[2021, 2022, 2024]),    # another year
    pd.Series([1.0, 2.0], index=[2021, 2022]),                # a year missing
    pd.Series([1.0, 2.0, 3.0], index=[2021, 2021, 2022]),    # a repeated year
])
def test_pandas_inputs_with_different_labels_are_refused(other):
    with pytest.raises(ParameterError, match=r"`actual` and `predicted` are pandas objects, "
                                             r"which metrics match by label, but .*"
                                             r"predicted\.reindex\(actual\.index\)") as info:
        M.mae(Y, other)
    assert info.value.field == "predicted"
    with pytest.raises(ParameterError, match=r"`lower` and `upper` are pandas objects"):
        M.coverage(Y.to_numpy(), Y - 1, other)
