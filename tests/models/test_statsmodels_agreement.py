"""Each family's plug-in forecast distribution against statsmodels, an independent
implementation of the same models.

With ``scale="log"``, ``param_uncertainty=False`` and ``calibrate=False`` a fit's
forecast is the textbook plug-in distribution given its estimates, which statsmodels
computes from the same parameters (``smooth(params)``): means and standard deviations
must agree to numerical precision, and simulated paths must reproduce them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from forecast.models import (
    ARIMA,
    DampedTrend,
    Drift,
    LocalLinearTrend,
    LogLinearTrend,
    Naive,
    Theta,
)

H, N = 5, 100_000
PLUGIN = {"scale": "log", "param_uncertainty": False, "calibrate": False}


def _statsmodels(spec, fit, y):
    """Mean and sd of statsmodels' analytic h-step distribution at fit's estimates."""
    from statsmodels.tsa.arima.model import ARIMA as SmARIMA
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    p = fit.params
    n = y.size
    if isinstance(spec, Naive):
        res = SARIMAX(y, order=(0, 1, 0)).smooth([p["sigma"] ** 2])
    elif isinstance(spec, Drift):
        res = SARIMAX(y, order=(0, 1, 0), trend="c").smooth([p["drift"], p["sigma"] ** 2])
    elif isinstance(spec, LogLinearTrend) and not spec.ar1:
        # statsmodels counts trend time from 1, ours from 0
        res = SmARIMA(y, order=(0, 0, 0), trend="ct").smooth(
            [p["intercept"] - p["slope"], p["slope"], p["sigma"] ** 2])
    elif isinstance(spec, LogLinearTrend):
        res = SmARIMA(y, order=(1, 0, 0), trend="ct").smooth(
            [p["intercept"] - p["slope"], p["slope"], p["ar1"], p["sigma"] ** 2])
    elif isinstance(spec, DampedTrend):
        model = ETSModel(pd.Series(y), trend="add", damped_trend=True)
        r = model.smooth([p["alpha"], p["beta"], p["phi"], p["level0"], p["trend0"]])
        pr = r.get_prediction(start=n, end=n + H - 1)
        sd = p["sigma"] * np.sqrt(np.asarray(pr.var_pred_mean) / r.mse)
        return np.asarray(pr.predicted_mean), sd
    elif isinstance(spec, ARIMA):
        ar = [p[k] for k in ("ar1", "ar2") if k in p]
        ma = [p[k] for k in ("ma1", "ma2") if k in p]
        c = p["drift"] * (1 - sum(ar))
        res = SARIMAX(y, order=(len(ar), 1, len(ma)), trend="c").smooth(
            [c, *ar, *ma, p["sigma"] ** 2])
    else:
        res = UnobservedComponents(y, "local linear trend").smooth(
            [p["sigma2_irregular"], p["sigma2_level"], p["sigma2_trend"]])
    fc = res.get_forecast(H)
    return np.asarray(fc.predicted_mean), np.sqrt(np.asarray(fc.var_pred_mean))


SPECS = [Naive(**PLUGIN), Drift(**PLUGIN), LogLinearTrend(**PLUGIN),
         LogLinearTrend(ar1=True, **PLUGIN), DampedTrend(**PLUGIN), ARIMA(**PLUGIN),
         ARIMA(order=(0, 1), **PLUGIN), ARIMA(order=(1, 1), **PLUGIN),
         LocalLinearTrend(**PLUGIN)]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.name}{getattr(s, 'ar1', '')}")
def test_forecast_equals_statsmodels(spec, series):
    """Tolerance 1e-6 on means and sds; the local linear trend 1e-4 relative, because
    our filter starts from a large finite variance where statsmodels uses the exact
    diffuse initialisation."""
    y = series.log_values
    fit = spec.fit(series)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mean, sd = _statsmodels(spec, fit, y)
    frame = fit.forecast(H, levels=(80,), log=True)
    rtol = 1e-4 if isinstance(spec, LocalLinearTrend) else 1e-6
    np.testing.assert_allclose(frame["median"], mean, rtol=rtol, atol=1e-8)
    np.testing.assert_allclose((frame["upper_80"] - frame["median"]) / 1.2815515655446004,
                               sd, rtol=max(rtol, 1e-6), atol=1e-8)
    np.testing.assert_allclose(fit.point_forecast(H), mean, rtol=rtol, atol=1e-8)


@pytest.mark.parametrize("spec", SPECS[:2] + SPECS[4:6], ids=lambda s: s.name)
def test_simulated_paths_reproduce_the_distribution(spec, series):
    """100,000 paths: mean within 4.5 standard errors, sd within 1.5%, deciles within
    2% of a standard deviation of the analytic values."""
    fit = spec.fit(series)
    frame = fit.forecast(H, levels=(80,), log=True)
    mean = frame["median"].to_numpy()
    sd = ((frame["upper_80"] - frame["median"]) / 1.2815515655446004).to_numpy()
    paths = fit.simulate(H, N, seed=2024)
    np.testing.assert_array_less(np.abs(paths.mean(axis=0) - mean), 4.5 * sd / np.sqrt(N) + 1e-9)
    np.testing.assert_allclose(paths.std(axis=0), sd, rtol=0.015)
    for q, z in ((0.1, -1.2815515655), (0.9, 1.2815515655)):
        np.testing.assert_allclose(np.quantile(paths, q, axis=0), mean + z * sd,
                                   atol=float(np.max(0.02 * sd)) + 1e-9)


def test_theta_variance_is_that_of_ses(series):
    """Theta's variance is SES's, sigma^2 (1 + (h-1) alpha^2), as R's thetaf (statsmodels'
    ThetaModel.prediction_intervals uses another formula: docs/models.md)."""
    fit = Theta(**PLUGIN).fit(series)
    f = fit.forecast(H, levels=(80,), log=True)
    sd = (f["upper_80"] - f["median"]) / 1.2815515655446004
    a, s = fit.params["alpha"], fit.params["sigma"]
    np.testing.assert_allclose(sd, s * np.sqrt(1 + np.arange(H) * a**2), rtol=1e-9)
