"""How uncertainty is built: working scale, linear parameters, calibration, estimated
variances, pooling, and the guarantees that follow (finite moments, bounded tails)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from forecast.errors import ParameterError
from forecast.models import (
    Auto,
    DampedTrend,
    Drift,
    LocalLinearTrend,
    Naive,
    Theta,
    gaussian,
    scale,
)
from forecast.series import AnnualSeries

Z80 = 1.2815515655446004
PLUGIN = {"scale": "log", "param_uncertainty": False, "calibrate": False}


def _sd(fit, h):
    f = fit.forecast(h, levels=(80,), log=True)
    return ((f["upper_80"] - f["median"]) / Z80).to_numpy()


# ------------------------------------------------------------------ working scale
def test_scale_follows_the_shape_of_growth():
    t = np.arange(30)
    rng = np.random.default_rng(1)
    multiplicative = 10 * np.exp(0.1 * t + 0.03 * rng.standard_normal(30))
    additive = 100 + 5 * t + 2 * rng.standard_normal(30)
    assert scale.choose(multiplicative) < 0.2
    assert scale.choose(additive) > 0.8


def test_scale_rule_is_the_posterior_mean_of_the_profile_likelihood():
    x = np.array([159.0, 110, 80, 95, 141, 130, 111, 98, 97, 98, 142])
    grid = np.linspace(0, 1, 41)
    ll = scale.profile(x, grid)
    w = np.exp(ll - ll.max())
    w[[0, -1]] *= 0.5
    assert scale.choose(x) == pytest.approx((w @ grid) / w.sum())
    # a flat likelihood keeps lambda inside (0, 1): here the maximum is at 0
    assert np.argmax(ll) == 0
    assert 0.2 < scale.choose(x) < 0.8


def test_scale_is_invariant_to_the_unit():
    x = np.array([3.1, 4.0, 5.2, 6.1, 7.9, 9.5, 10.2, 12.8])
    assert scale.choose(x) == pytest.approx(scale.choose(1000 * x), abs=1e-9)


def test_exact_series_pick_their_scale():
    assert scale.choose(2 * 1.1 ** np.arange(10)) == 0.0
    assert scale.choose(np.arange(1.0, 11.0)) == 1.0
    assert scale.choose(np.full(10, 5.0)) == 1.0


@pytest.mark.parametrize("lam", [0.0, 0.3, 1.0])
def test_transform_round_trip_and_floor(lam):
    x = np.array([0.5, 1.0, 7.0, 300.0])
    z = scale.transform(x, lam)
    np.testing.assert_allclose(scale.to_log_level(z, lam, -50.0), np.log(x), rtol=1e-12)
    if lam > 0:  # below -1/lambda there is no level: censored at the floor
        assert scale.to_log_level(np.array([-2 / lam]), lam, -7.0)[0] == -7.0


def test_scale_argument_is_checked():
    for bad in ("sqrt", -0.1, 1.5, True, None):
        got = re.escape(repr(bad))
        with pytest.raises(ParameterError, match=rf"`scale` must be .*; got {got}\."):
            Drift(scale=bad)
    with pytest.warns(UserWarning, match="no variation"):  # a straight line
        assert Drift(scale="level").fit(
            AnnualSeries(range(2000, 2010), np.linspace(1, 2, 10))).lam == 1.0


# --------------------------------------------------- linear parameters, variances
def test_drift_uncertainty_and_variance_inflation(series):
    """Drift with parameter uncertainty: var = (h + h^2/N) sigma^2 * dof / (dof - 2),
    the Gaussian with the variance of the Student-t predictive (dof = N - 1)."""
    fit = Drift(scale="log", calibrate=False).fit(series)
    N = len(series) - 1
    dof = N - 1
    h = np.arange(1, 6)
    expected = fit.params["sigma"] * np.sqrt((h + h**2 / N) * dof / (dof - 2))
    np.testing.assert_allclose(_sd(fit, 5), expected, rtol=1e-9)
    plug = Drift(**PLUGIN).fit(series)
    np.testing.assert_allclose(_sd(plug, 5), fit.params["sigma"] * np.sqrt(h), rtol=1e-9)


@pytest.mark.parametrize("spec", [DampedTrend, Theta, Drift], ids=lambda s: s.__name__)
def test_parameter_uncertainty_widens_and_keeps_center(spec, series):
    on = spec(scale="log", calibrate=False).fit(series)
    off = spec(**PLUGIN).fit(series)
    assert np.all(_sd(on, 8) > _sd(off, 8))
    np.testing.assert_allclose(on.point_forecast(8), off.point_forecast(8), atol=1e-12)


def test_variance_factor_rules():
    """Student-t factors: dof/(dof-2) for sigma and (dof+m)/(dof+m-2) for the pooled
    calibration scale (m = number of origins: the count of one-step errors)."""
    calib = (np.array([8.0, 6.0]), np.array([4.0, 3.0]))
    assert gaussian.variance_factor(calib, 10.0, True, True) == pytest.approx(
        10 / 8 * 14 / 12)
    assert gaussian.variance_factor(calib, 10.0, False, True) == pytest.approx(10 / 8)
    assert gaussian.variance_factor(calib, 10.0, True, False) == 1.0
    assert gaussian.variance_factor(None, 1.0, True, True) == pytest.approx(3.0)


def test_calibration_scale_and_growth():
    """gamma by maximum likelihood; the scale pooled with the model's own (1, weight dof)."""
    rng = np.random.default_rng(7)
    h = np.arange(1, 7)
    counts = np.array([400, 380, 360, 340, 320, 300])
    sums = np.array([np.sum((1.5 * k**0.5) * rng.chisquare(1, c))
                     for k, c in zip(h, counts, strict=True)])
    k2, gamma, hmax = gaussian.calibration((sums, counts))
    assert k2 == pytest.approx(1.5, rel=0.1)
    assert gamma == pytest.approx(0.5, abs=0.1)
    assert hmax == 6
    k2_pooled, _, _ = gaussian.calibration((sums, counts), dof=400.0)
    assert k2_pooled == pytest.approx((400 + 400 * k2) / 800, rel=1e-9)
    f = gaussian.horizon_factor((k2, gamma, hmax), 9)
    assert f[6] == f[7] == f[8] == f[5]  # held beyond the horizons the data cover
    assert gaussian.calibration(None) == (1.0, 0.0, 0)
    # two or three errors say nothing about growth: gamma stays 0
    few = (np.array([30.0, 40.0, 0.0]), np.array([2.0, 1.0, 0.0]))
    assert gaussian.calibration(few)[1] == 0.0
    assert gaussian.calibration(few)[0] == pytest.approx(70 / 3)
    assert gaussian.calibration(few, dof=4.0)[0] == pytest.approx((4 + 2 * 70 / 3) / 6)


def test_calibration_growth_must_pay_for_itself_on_the_origins():
    """The same error pattern (variance growing as h^0.5) from 11 origins and from 220:
    the growth is kept only where the origins, not the overlapping errors, support it
    by AIC; without it the scale is the plain maximum likelihood one."""
    h = np.arange(1, 7)
    few = np.array([11, 10, 9, 8, 7, 6])
    k2, gamma, _ = gaussian.calibration((few * h**0.5, few))
    assert gamma == 0.0
    assert k2 == pytest.approx(np.sum(few * h**0.5) / few.sum())
    many = 20 * few
    k2, gamma, _ = gaussian.calibration((many * h**0.5, many))
    assert (k2, gamma) == (pytest.approx(1.0), pytest.approx(0.5))
    # the rule itself: twice the gain, scaled to the origins, must exceed 2
    assert not gaussian._growth_pays(3.0, 10 / 40)
    assert gaussian._growth_pays(3.0, 1.0)


def test_a_late_break_does_not_blow_up_the_tail():
    """Flat for eight years, then +50% twice: three out-of-sample errors only, too few to
    fit a growth exponent (fitted, it put the damped trend's six-year 99.9th percentile
    at 1,080 times the last value). The percentile stays below 100 times for the local
    linear trend (76) and Auto (28), and below 120 for the damped trend (105; 98 with
    its variance estimate SSE / n, which its restricted estimate SSE / (n - 2) exceeds by
    a quarter on ten years)."""
    s = AnnualSeries(range(2000, 2010), [1.0] * 8 + [1.5, 2.25])
    for spec, bound in ((DampedTrend(), 120), (LocalLinearTrend(), 100), (Auto(), 100)):
        f = spec.fit(s)
        assert f.params["calibration.growth"] == 0.0
        mean, L = f.moments(6)
        q = f.to_log_level(mean[-1:] + 3.090232306 * np.sqrt(np.sum(L[-1] ** 2)))[0]
        assert q - np.log(2.25) < np.log(bound), spec.name


def test_calibration_widens_an_overconfident_model():
    """A trend that breaks: the drift model's past errors exceed its variance."""
    y = np.r_[np.linspace(1, 2, 10), np.linspace(2.05, 4, 10)] ** 2
    s = AnnualSeries(range(2000, 2020), y)
    cal = Drift(scale="log", param_uncertainty=False).fit(s)
    raw = Drift(**PLUGIN).fit(s)
    assert cal.params["calibration"] > 1.0
    assert np.all(_sd(cal, 4) > _sd(raw, 4))


def test_calibration_narrows_a_random_walk_on_a_mean_reverting_series():
    rng = np.random.default_rng(3)
    y = np.exp(4 + 0.5 * rng.standard_normal(40))  # white noise around a level
    s = AnnualSeries(range(1980, 2020), y)
    cal = Naive(scale="log", param_uncertainty=False).fit(s)
    assert cal.params["calibration"] < 0.9
    assert _sd(cal, 6)[-1] < _sd(Naive(**PLUGIN).fit(s), 6)[-1]


# -------------------------------------------------------------------- pooling
def test_pool_is_the_moment_matched_mixture():
    rng = np.random.default_rng(0)
    means = rng.standard_normal((3, 4))
    L = rng.standard_normal((3, 4, 4)) * 0.3
    covs = L @ np.swapaxes(L, 1, 2) + 0.1 * np.eye(4)
    w = np.array([0.2, 0.3, 0.5])
    mean, cov = gaussian.pool(means, covs, w)
    k = rng.choice(3, size=400_000, p=w)
    x = means[k] + np.einsum("nij,nj->ni", np.linalg.cholesky(covs)[k],
                             rng.standard_normal((400_000, 4)))
    np.testing.assert_allclose(mean, x.mean(0), atol=0.01)
    np.testing.assert_allclose(cov, np.cov(x.T), atol=0.02)


def test_auto_point_forecast_is_the_mean_of_its_members(series):
    fit = Auto(families=("Drift", "Theta")).fit(series)
    lam = fit.lam
    members = [s(scale=lam).fit(series) for s in (Drift, Theta)]
    z = np.mean([np.array(m.moments(4)[0]) for m in members], axis=0)
    # two families: their median is their mean, whichever centre is asked for
    np.testing.assert_allclose(fit.moments(4)[0], z, atol=1e-10)
    mean_fit = Auto(families=("Drift", "Theta"), center="mean").fit(series)
    np.testing.assert_allclose(mean_fit.moments(4)[0], z, atol=1e-10)


def _three_families(series, **kw):
    fit = Auto(**kw).fit(series)
    members = [s(scale=fit.lam).fit(series) for s in (Drift, LocalLinearTrend, Theta)]
    return fit, [m.moments(6) for m in members]


def test_auto_is_centred_on_the_middle_family_year_by_year(series):
    fit, ms = _three_families(series)
    means = np.stack([np.array(m) for m, _ in ms])
    covs = np.stack([L @ L.T for _, L in ms])
    centre = np.median(means, axis=0)
    mean, L = fit.moments(6)
    np.testing.assert_allclose(mean, centre, atol=1e-10)
    # its covariance: the families' mean covariance plus their second moment about it
    dev = means - centre
    want = covs.mean(0) + np.einsum("mi,mj->ij", dev, dev) / 3
    np.testing.assert_allclose(L @ L.T, want, rtol=1e-9, atol=1e-14)
    # which is the mixture's covariance plus (mean - centre)(mean - centre)'
    mix_mean, mix_L = Auto(center="mean").fit(series).moments(6)
    gap = np.array(mix_mean) - centre
    np.testing.assert_allclose(L @ L.T, mix_L @ mix_L.T + np.outer(gap, gap),
                               rtol=1e-9, atol=1e-14)
    assert np.all(np.linalg.eigvalsh(L @ L.T - mix_L @ mix_L.T) > -1e-12)


def test_a_far_family_widens_the_band_without_moving_the_median_centre():
    means = np.array([[0.0, 0.1], [0.1, 0.2], [5.0, 9.0]])  # the third extrapolates far
    covs = np.stack([np.eye(2) * 0.01] * 3)
    w = np.full(3, 1 / 3)
    centre, cov = gaussian.pool(means, covs, w, groups=np.arange(3), center="median")
    np.testing.assert_allclose(centre, [0.1, 0.2])
    mean, mix = gaussian.pool(means, covs, w)
    assert np.all(np.diag(cov) >= np.diag(mix))
    np.testing.assert_allclose(mean, means.mean(0))


def test_history_draws_are_pooled_as_a_mixture_before_the_families_are_centred():
    rng = np.random.default_rng(4)
    means = rng.standard_normal((6, 3))  # two families x three draws
    covs = np.stack([np.eye(3) * (0.1 + k) for k in range(6)])
    w = np.full(6, 1 / 6)
    groups = np.array([0, 0, 0, 1, 1, 1])
    centre, cov = gaussian.pool(means, covs, w, groups=groups, center="median")
    parts = [gaussian.pool(means[groups == g], covs[groups == g], np.full(3, 1 / 3))
             for g in (0, 1)]
    np.testing.assert_allclose(centre, (parts[0][0] + parts[1][0]) / 2)
    # two groups: the median is their mean, so the result is the one-stage mixture's
    mean, mix = gaussian.pool(means, covs, w)
    np.testing.assert_allclose(centre, mean, atol=1e-12)
    np.testing.assert_allclose(cov, mix, atol=1e-12)


@pytest.mark.parametrize(("values", "weights", "want"), [
    ([[3.0], [1.0], [2.0]], [1 / 3] * 3, [2.0]),
    ([[1.0], [4.0]], [0.5, 0.5], [2.5]),  # an even count: the midpoint
    ([[1.0], [2.0], [10.0]], [0.2, 0.3, 0.5], [6.0]),  # exactly half at 2: midpoint
    ([[1.0], [2.0], [10.0]], [0.6, 0.3, 0.1], [1.0]),
    ([[1.0, 5.0], [2.0, 4.0], [10.0, 3.0]], [0.1, 0.1, 0.8], [10.0, 3.0]),
])
def test_weighted_median(values, weights, want):
    got = gaussian.weighted_median(np.array(values), np.array(weights))
    np.testing.assert_allclose(got, want)


def test_weighted_median_with_equal_weights_is_numpys_median():
    rng = np.random.default_rng(2)
    for m in (1, 2, 3, 4, 5, 60):
        v = rng.standard_normal((m, 7))
        np.testing.assert_allclose(gaussian.weighted_median(v, np.full(m, 1 / m)),
                                   np.median(v, axis=0), atol=1e-12)


def test_auto_center_must_be_median_or_mean():
    with pytest.raises(ParameterError, match=r"`center` must be \"median\" or \"mean\"; "
                                             r"got 'middle'"):
        Auto(center="middle")


# ------------------------------------------------------------ finite, bounded tails
def test_level_mean_is_finite_and_close_to_the_median(series):
    """Gaussian tails on the working scale: the level's mean exists and, for a 10-year
    projection of a smooth series, stays within 1.5x the median."""
    fit = Auto().fit(series)
    f = fit.forecast(10)
    assert np.all(np.isfinite(f["mean"]))
    assert np.all(f["mean"] / f["median"] < 1.5)
    paths = np.exp(fit.simulate(10, 200_000, seed=5))
    np.testing.assert_allclose(f["mean"], paths.mean(axis=0), rtol=0.01)


@pytest.mark.parametrize("lam", [0.0, 0.4, 1.0])
def test_level_mean_quadrature(lam):
    mean, sd = np.array([1.0, 2.0]), np.array([0.3, 0.8])
    got = gaussian.level_mean(mean, sd, lambda z: scale.to_log_level(z, lam, -60.0))
    z = mean + sd * np.random.default_rng(1).standard_normal((1_000_000, 1))
    mc = np.exp(scale.to_log_level(z, lam, -60.0)).mean(axis=0)
    np.testing.assert_allclose(got, mc, rtol=5e-3)


def test_constant_series_forecast_flat():
    s = AnnualSeries(range(2000, 2016), np.full(16, 5.0))
    for spec in (Naive(), Drift(), Theta(), DampedTrend(), LocalLinearTrend(), Auto()):
        with pytest.warns(UserWarning, match="no variation") as said:
            fit = spec.fit(s)
        assert said[0].filename == __file__  # pointed at the caller, not the library
        assert fit.notes[-1].startswith("no variation: the model reproduces the series")
        f = fit.forecast(10)
        np.testing.assert_allclose(f[["median", "lower_95", "upper_95", "mean"]], 5.0,
                                   rtol=1e-6, err_msg=spec.name)


@pytest.mark.parametrize("values", [5 * 1.07 ** np.arange(12), 10 + 2.5 * np.arange(12)])
def test_an_exactly_reproduced_series_says_its_band_has_no_width(values):
    """A geometric series (log scale) and a straight line (level scale): Drift fits them
    without error, so its variance is the floor's; the fit says so instead of
    presenting a zero-width band as certainty. Auto's other members see variation."""
    s = AnnualSeries(range(2000, 2012), values)
    with pytest.warns(UserWarning, match=r"Drift fitted to the series 2000-2011: no variation"):
        fit = Drift().fit(s)
    assert any(n.startswith("no variation") for n in fit.notes)
    f = fit.forecast(3)
    assert ((f["upper_95"] - f["lower_95"]) / f["median"]).max() < 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        auto = Auto().fit(s)
    assert not any(n.startswith("no variation") for n in auto.notes)


def test_a_noisy_series_has_no_no_variation_note():
    """Noise of 0.1% a year is far above the variance floor: no note, no warning."""
    rng = np.random.default_rng(0)
    s = AnnualSeries(range(2000, 2012), 10 * np.exp(np.cumsum(rng.normal(0.05, 0.001, 12))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fits = [spec.fit(s) for spec in (Naive(), Drift(), Theta(), Auto())]
    assert not any("no variation" in n for f in fits for n in f.notes)


def test_three_years_take_the_middle_scale_not_the_pole():
    """Two changes that speed up in levels and slow down in logs are equal at some
    lambda (0.475 here), where the profile likelihood has a pole: choosing lambda there
    had put the drift's variance at zero (a five-year 80% band of [36.118, 36.122]).
    Three years take lambda 0.5 and say so; the band is the fixed scale's."""
    s = AnnualSeries([2022, 2023, 2024], [20, 22, 24.1])
    x = s.values
    # the pole: the likelihood grows without bound towards lambda = 0.47646
    ll = scale.profile(x, np.array([0.45, 0.476, 0.4764, 0.47645, 0.5]))
    assert np.all(np.diff(ll[:4]) > 4)
    assert ll[3] > ll[4] + 15
    for spec in (Drift(), Auto()):
        fit = spec.fit(s)
        assert fit.lam == scale.SHORT_LAMBDA
        assert any(n.startswith("scale: lambda 0.5") and "3 years" in n for n in fit.notes)
        fixed = Drift(scale=scale.SHORT_LAMBDA).fit(s)
        assert not any(n.startswith("scale:") for n in fixed.notes)
        got, ref = fit.forecast(5), fixed.forecast(5)
        np.testing.assert_allclose(got.drop(columns="year"), ref.drop(columns="year"))
    f = Drift().fit(AnnualSeries([2020, 2021, 2022], [1, 2, 3.1])).forecast(1)
    assert f["upper_80"].iloc[0] - f["lower_80"].iloc[0] > 1.0  # was 0.0005


def test_short_series_rule_leaves_four_years_and_constant_series_alone():
    assert scale.choose(np.array([5.0, 5.0, 5.0])) == 1.0
    assert scale.short_note("auto", np.array([5.0, 5.0, 5.0])) is None
    x = np.array([20.0, 22.0, 24.1, 26.7])
    grid = np.linspace(0, 1, 41)
    w = np.exp(scale.profile(x, grid) - scale.profile(x, grid).max())
    w[[0, -1]] *= 0.5
    assert scale.choose(x) == pytest.approx((w @ grid) / w.sum())
    assert scale.short_note("auto", x) is None
    assert scale.short_note(0.3, x[:3]) is None


def test_short_series_have_finite_forecasts():
    for values in ([2.0, 4.0], [3.0, 1.0, 9.0], [1.0, 50.0, 2.0, 80.0]):
        s = AnnualSeries(range(2000, 2000 + len(values)), values)
        for spec in (Naive(), Drift()):
            if len(s) >= spec.min_length:
                f = spec.fit(s).forecast(10)
                assert np.isfinite(f.drop(columns="year").to_numpy()).all()
