"""Model families: simulation against statsmodels' analytic distributions, History
fitting (multiple imputation), Auto's rules, parameter uncertainty and calibration."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ModelError
from forecast.models import (
    ARIMA,
    Auto,
    DampedTrend,
    Drift,
    LocalLinearTrend,
    LogLinearTrend,
    Naive,
    Theta,
)
from forecast.series import AnnualSeries

US_FIXTURE = [28.1, 40, 55, 75, 100, 117.5, 130, 152, 180, 200, 225, 245, 250, 272, 300, 316]
H, N = 5, 100_000


@pytest.fixture(scope="module")
def series():
    return AnnualSeries(np.arange(2009, 2025), US_FIXTURE, name="fixture (not data)")


class FakeHistory:
    """Duck-typed History: a median series and whole-history draws around it."""

    def __init__(self, series: AnnualSeries, sd: float = 0.05):
        self.series = series
        self._sd = sd
        self.calls = 0

    def draws(self, n, seed=None):
        self.calls += 1
        rng = np.random.default_rng(seed)
        noise = np.cumsum(rng.standard_normal((n, len(self.series))), axis=1) * self._sd / 3
        return self.series.values * np.exp(noise - noise.mean(axis=1, keepdims=True))


# ------------------------------------------------------------ analytic comparisons
def _statsmodels_analytic(spec, fit, y):
    """Mean and sd of statsmodels' analytic h-step distribution with fit's estimates."""
    from statsmodels.tsa.arima.model import ARIMA as SmARIMA
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    p = fit.params
    n = y.size
    if isinstance(spec, Drift):
        res = SARIMAX(y, order=(0, 1, 0), trend="c").smooth([p["drift"], p["sigma"] ** 2])
    elif isinstance(spec, LogLinearTrend) and not spec.ar1:
        # statsmodels counts trend time from 1, ours from 0
        res = SmARIMA(y, order=(0, 0, 0), trend="ct").smooth(
            [p["intercept"] - p["slope"], p["slope"], p["sigma"] ** 2])
    elif isinstance(spec, LogLinearTrend):
        res = SmARIMA(y, order=(1, 0, 0), trend="ct").smooth(
            [p["intercept"] - p["slope"], p["slope"], p["ar1"], p["sigma"] ** 2])
    elif isinstance(spec, DampedTrend):
        r = ETSModel(pd.Series(y), trend="add", damped_trend=True).fit(disp=False)
        pr = r.get_prediction(start=n, end=n + H - 1)
        return np.asarray(pr.predicted_mean), np.sqrt(np.asarray(pr.var_pred_mean))
    elif isinstance(spec, ARIMA):
        ar = [p[k] for k in ("ar1", "ar2") if k in p]
        ma = [p[k] for k in ("ma1", "ma2") if k in p]
        c = p["drift"] * (1 - sum(ar))
        res = SARIMAX(y, order=(len(ar), 1, len(ma)), trend="c").smooth(
            [c, *ar, *ma, p["sigma"] ** 2])
    elif isinstance(spec, LocalLinearTrend):
        res = UnobservedComponents(y, "local linear trend").smooth(
            [p["sigma2_irregular"], p["sigma2_level"], p["sigma2_trend"]])
    else:  # Theta: statsmodels' point forecast; SES (ARIMA(0,1,1)) variance
        mean = np.asarray(ThetaModel(y, period=1, deseasonalize=False).fit().forecast(H))
        a = p["alpha"]
        return mean, p["sigma"] * np.sqrt(1 + np.arange(H) * a**2)
    fc = res.get_forecast(H)
    return np.asarray(fc.predicted_mean), np.sqrt(np.asarray(fc.var_pred_mean))


ANALYTIC = [Drift(param_uncertainty=False), LogLinearTrend(param_uncertainty=False),
            LogLinearTrend(ar1=True, param_uncertainty=False),
            DampedTrend(param_uncertainty=False), ARIMA(param_uncertainty=False),
            ARIMA(order=(0, 1), param_uncertainty=False),
            LocalLinearTrend(param_uncertainty=False), Theta(param_uncertainty=False)]


@pytest.mark.parametrize("spec", ANALYTIC, ids=lambda s: s.name)
def test_simulation_matches_statsmodels_analytic(spec, series):
    y = series.log_values
    fit = spec.fit(series)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean, sd = _statsmodels_analytic(spec, fit, y)
    paths = fit.simulate(H, N, seed=2024)
    se = sd / np.sqrt(N)
    np.testing.assert_array_less(np.abs(paths.mean(axis=0) - mean), 4.5 * se + 1e-9)
    np.testing.assert_allclose(paths.std(axis=0), sd, rtol=0.015)
    for q, z in ((0.1, -1.2815515655), (0.9, 1.2815515655)):
        np.testing.assert_allclose(np.quantile(paths, q, axis=0), mean + z * sd,
                                   atol=float(np.max(0.02 * sd)) + 1e-9)
    np.testing.assert_allclose(fit.point_forecast(H), mean, atol=1e-6)
    frame = fit.forecast(H, levels=(80,), log=True)
    np.testing.assert_allclose(frame["upper_80"], mean + 1.2815515655 * sd, atol=1e-6)


def test_drift_parameter_uncertainty_is_the_student_t_predictive(series):
    """With parameter uncertainty the h-step sd is s * sqrt(df/(df-2) * (h + h^2/N))."""
    fit = Drift().fit(series)
    paths = fit.simulate(H, N, seed=7)
    Nd = len(series) - 1
    df = Nd - 1
    h = np.arange(1, H + 1)
    sd = fit.params["sigma"] * np.sqrt(df / (df - 2) * (h + h**2 / Nd))
    np.testing.assert_allclose(paths.std(axis=0), sd, rtol=0.03)
    narrow = Drift(param_uncertainty=False).fit(series).simulate(H, N, seed=7)
    assert np.all(paths.std(axis=0) > narrow.std(axis=0))


@pytest.mark.parametrize("spec", [LogLinearTrend(), DampedTrend(), ARIMA(order=(1, 0)),
                                  Theta()], ids=lambda s: s.name)
def test_parameter_uncertainty_widens_and_keeps_center(spec, series):
    on = spec.fit(series).simulate(8, 20_000, seed=3)
    off_spec = type(spec)(**{**spec.__dict__, "param_uncertainty": False})
    off = off_spec.fit(series).simulate(8, 20_000, seed=3)
    assert on.std(axis=0)[-1] > off.std(axis=0)[-1]
    np.testing.assert_allclose(np.median(on, axis=0), np.median(off, axis=0),
                               atol=float(0.05 * on.std(axis=0)[-1]) + 0.01)


# ------------------------------------------------------------ multiple imputation
def test_history_fit_pools_draws(series):
    hist = FakeHistory(series)
    fit = Theta(imputations=6).fit(hist, seed=4)
    assert len(fit.components) == 6
    assert fit.series is series
    assert hist.calls == 1
    assert "6 history draws" in fit.notes[0]
    again = Theta(imputations=6).fit(hist, seed=4)
    assert np.array_equal(fit.simulate(4, 300, seed=1), again.simulate(4, 300, seed=1))
    on_median = Theta().fit(series).simulate(4, 20_000, seed=1)
    pooled = fit.simulate(4, 20_000, seed=1)
    # the uncertainty of the history itself widens the projection
    assert pooled.std(axis=0)[-1] > on_median.std(axis=0)[-1]
    np.testing.assert_allclose(fit.params["alpha"],
                               np.mean([Theta().fit(AnnualSeries(series.years, d)).params["alpha"]
                                        for d in hist.draws(6, np.random.SeedSequence(4))]))


def test_fit_on_the_real_us_history(us_history):
    fit = Auto(families=("Drift", "Theta"), imputations=5).fit(us_history, seed=3)
    assert fit.series == us_history.series
    assert fit.last_year == us_history.series.last_year
    assert len(fit.components) == 10
    paths = fit.simulate(6, 500, seed=1)
    assert paths.shape == (500, 6)
    assert np.all(np.isfinite(paths))
    again = Auto(families=("Drift", "Theta"), imputations=5).fit(us_history, seed=3)
    assert np.array_equal(paths, again.simulate(6, 500, seed=1))
    # imputation spreads the fitted drifts: members differ
    assert len({round(c.origin[1], 12) for c in fit.components[:5]}) > 1


def test_history_draws_checked(series):
    class Bad(FakeHistory):
        def draws(self, n, seed=None):
            return np.ones((n, 3))

    with pytest.raises(ModelError, match="shape"):
        Drift().fit(Bad(series))


def test_arima_on_history_chooses_order_once(series):
    fit = ARIMA(imputations=4).fit(FakeHistory(series), seed=1)
    assert len(fit.components) == 4
    assert "chosen on the median" in fit.notes[-1]
    assert fit.name == "ARIMA"


def test_auto_on_history_gives_every_member_the_same_draws(series):
    fit = Auto(families=("Drift", "Theta"), imputations=3).fit(FakeHistory(series), seed=2)
    assert len(fit.components) == 6
    np.testing.assert_allclose(fit.weights, 1 / 6)


# ------------------------------------------------------------------------ Auto
def test_auto_skips_ineligible_families_and_says_why(series):
    short = series.window(end=series.first_year + 6)  # 7 years
    fit = Auto().fit(short)
    assert any("skipped DampedTrend: needs 8 years, got 7" in n for n in fit.notes)
    assert "weight.DampedTrend" not in fit.params
    assert fit.params["weight.Theta"] == pytest.approx(0.5)  # LocalLinearTrend, Theta


def test_auto_errors_when_nothing_fits(series):
    with pytest.raises(ModelError, match="at least 4 years"):  # Theta, the shortest default
        Auto().fit(series.window(end=series.first_year + 2))
    with pytest.raises(ModelError, match="at least 3 years"):
        Auto(families=("Drift", "Theta")).fit(series.window(end=series.first_year + 1))
    flat = AnnualSeries(np.arange(2000, 2010), np.full(10, 5.0))
    with pytest.raises(ModelError, match="no family"):
        _fit_with_broken_family(flat)


def _fit_with_broken_family(flat):
    class Broken(DampedTrend):
        def _estimate(self, y):
            raise np.linalg.LinAlgError("singular")

    from forecast.models import auto

    saved = auto._FAMILIES["DampedTrend"]
    auto._FAMILIES["DampedTrend"] = Broken
    try:
        Auto(families=("DampedTrend",)).fit(flat)
    finally:
        auto._FAMILIES["DampedTrend"] = saved


@pytest.fixture(scope="module")
def auto_fit(series):
    return Auto().fit(series)


def test_auto_select_and_combine_rules(series, auto_fit):
    sel = Auto(method="select").fit(series)
    aiccs = {k[5:]: v for k, v in sel.params.items() if k.startswith("aicc.")}
    best = min(aiccs, key=aiccs.get)
    assert sel.params[f"weight.{best}"] == 1.0
    assert sel.aicc == pytest.approx(aiccs[best])
    assert len(sel.components) == 1
    members = [s.fit(series) for s in (DampedTrend(), LocalLinearTrend(), Theta())]
    expected = np.mean([m.point_forecast(4) for m in members], axis=0)
    np.testing.assert_allclose(auto_fit.point_forecast(4), expected, atol=1e-9)
    assert np.isnan(auto_fit.aicc)
    assert [k for k in auto_fit.params if k.startswith("weight.")] == [
        f"weight.{m.name}" for m in members]


def test_akaike_weights():
    from forecast.models.auto import combination_weights

    w = combination_weights(np.array([-10.0, -8.0, np.inf]), "aicc")
    np.testing.assert_allclose(w, [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0])
    np.testing.assert_allclose(combination_weights(np.array([1.0, 5.0]), "equal"), 0.5)


def test_auto_argument_errors():
    with pytest.raises(ValueError, match="method"):
        Auto(method="best")
    with pytest.raises(ValueError, match="families"):
        Auto(families=("Prophet",))
    with pytest.raises(TypeError, match="order"):
        ARIMA(order=(1, 1, 1))


def test_forecast_frame_agrees_with_simulate(auto_fit):
    fit = auto_fit
    f = fit.forecast(3)
    paths = np.exp(fit.simulate(3, 40_000, seed=8))
    np.testing.assert_allclose(f["median"], np.median(paths, axis=0), rtol=0.01)
    np.testing.assert_allclose(f["upper_95"], np.quantile(paths, 0.975, axis=0), rtol=0.03)


# ------------------------------------------------------------------ calibration
def _synthetic(kind: str, rng: np.random.Generator, n: int) -> np.ndarray:
    if kind == "drift":
        return 3 + np.cumsum(0.08 + 0.06 * rng.standard_normal(n))
    slope = 0.1 + np.cumsum(0.02 * rng.standard_normal(n))
    return 3 + np.cumsum(slope + 0.04 * rng.standard_normal(n))


@pytest.mark.slow
def test_auto_80_percent_intervals_are_calibrated():
    """20 series x 5 horizons: coverage of 80% intervals within binomial error.

    Coverage events of one series are correlated, so the effective sample lies between
    20 and 100 events: sd between 0.04 and 0.09. We require [0.62, 0.95] (about 2 sd
    of the pessimistic case), which catches intervals badly too narrow or too wide.
    The full study (>= 200 series) is benchmarks/calibration.py.
    """
    rng = np.random.default_rng(20251126)
    hits = []
    for i in range(20):
        y = _synthetic("drift" if i % 2 else "llt", rng, 21)
        s = AnnualSeries(np.arange(2000, 2016), np.exp(y[:16]))
        f = Auto().fit(s).forecast(5, levels=(80,), log=True)
        hits.append((f["lower_80"] <= y[16:]) & (y[16:] <= f["upper_80"]))
    cover = float(np.mean(hits))
    assert 0.62 <= cover <= 0.95, cover


def test_naive_matches_its_closed_form():
    """Naive: median = last value; log-level sd = sigma * sqrt(h), sigma = RMS of changes."""
    s = AnnualSeries(np.arange(2010, 2020), np.exp(np.cumsum([0.1, -0.05, 0.2, 0.0, 0.1,
                                                              -0.1, 0.05, 0.15, 0.0, 0.1])))
    fit = Naive(param_uncertainty=False).fit(s)
    d = np.diff(s.log_values)
    sigma = np.sqrt(np.mean(d**2))
    assert fit.params["sigma"] == pytest.approx(sigma)
    np.testing.assert_allclose(fit.point_forecast(3), s.log_values[-1])
    paths = fit.simulate(3, 200_000, seed=4)
    np.testing.assert_allclose(paths.std(axis=0), sigma * np.sqrt([1, 2, 3]), rtol=0.01)
    np.testing.assert_allclose(np.median(paths, axis=0), s.log_values[-1], atol=0.005)
    # with parameter uncertainty the bands widen (sigma drawn from its sampling distribution)
    wide = Naive().fit(s).simulate(3, 200_000, seed=4)
    assert wide.std(axis=0)[-1] > paths.std(axis=0)[-1]


def test_naive_is_a_family_of_auto():
    s = AnnualSeries(np.arange(2010, 2020), np.linspace(1.0, 2.0, 10))
    fit = Auto(families=("Naive", "Drift")).fit(s)
    assert fit.params["weight.Naive"] == pytest.approx(0.5)
