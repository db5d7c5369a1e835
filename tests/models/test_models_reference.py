"""Point forecasts and criteria against R's forecast package (independent implementation).

Reference values: tests/reference/r_forecast.json, written by
tests/reference/make_reference.R (R forecast 8.20) from the committed fixture series
tests/reference/series_*.csv. R fits every model to the log of the values, so ours run
with ``scale="log"``; tolerances are on the log scale and explained in docs/models.md
("Comparison with R").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from forecast.models import ARIMA, DampedTrend, Drift, Theta
from forecast.series import AnnualSeries

REF = Path(__file__).resolve().parents[1] / "reference"
R = json.loads((REF / "r_forecast.json").read_text())
NAMES = sorted(R["series"])
Z80 = 1.2815515655446004
LOG = {"scale": "log"}


@pytest.fixture(scope="module", params=NAMES)
def case(request):
    name = request.param
    s = AnnualSeries.from_csv(REF / f"series_{name}.csv", name=name)
    ref = R["series"][name]
    np.testing.assert_allclose(s.log_values, ref["log_values"], atol=1e-9)
    return name, s, ref


def test_drift_matches_rwf_exactly(case):
    """Same estimator; R's rwf intervals include the drift's sampling error, which is
    our linear-parameter uncertainty; our variance also carries the Student-t factor
    dof / (dof - 2) of the estimated sigma (dof = n - 2), so it is divided out here."""
    _, s, ref = case
    fit = Drift(scale="log", calibrate=False).fit(s)
    r = ref["rwf_drift"]
    np.testing.assert_allclose(fit.point_forecast(5), r["mean"], atol=1e-9)
    f = fit.forecast(5, levels=(80,), log=True)
    dof = len(s) - 2
    sd = (f["upper_80"] - f["median"]) / Z80 / np.sqrt(dof / (dof - 2))
    np.testing.assert_allclose(sd, (np.array(r["upper_80"]) - r["mean"]) / Z80, rtol=1e-6)


@pytest.mark.parametrize("order", [(1, 0), (0, 1), (1, 1)])
def test_arima_fixed_order_matches_arima_ml(case, order):
    """Same exact likelihood and parameter count: equal AICc and point forecasts at
    R's optimum; where R stops at a worse local optimum ours is at least as good."""
    _, s, ref = case
    key = f"arima_{order[0]}1{order[1]}"
    r = ref[key]
    fit = ARIMA(order=order, **LOG).fit(s)
    assert fit.aicc <= r["aicc"] + 1e-3
    if abs(fit.aicc - r["aicc"]) < 0.01:
        np.testing.assert_allclose(fit.point_forecast(5), r["mean"], atol=2e-3)
        np.testing.assert_allclose(fit.params["drift"], r["coef"]["drift"], atol=2e-3)


def test_arima_search_at_least_as_good_as_auto_arima(case):
    name, s, ref = case
    p, _, q = (int(v) for v in ref["auto_arima"]["order"])
    ours = ARIMA(**LOG).fit(s)
    theirs = ARIMA(order=(p, q), **LOG).fit(s)
    assert ours.aicc <= theirs.aicc + 1e-6
    if name in ("drift", "llt"):  # no near-tie in the criterion: same order as R
        assert (ours.params["p"], ours.params["q"]) == (p, q)
        np.testing.assert_allclose(ours.point_forecast(5), ref["auto_arima"]["mean"],
                                   atol=2e-3)


#: ETS point-forecast tolerance per series (log scale); see docs/models.md
ETS_TOL = {"us_median": 0.01, "llt": 0.01, "drift": 0.06}


def test_damped_trend_close_to_ets_aadn(case):
    name, s, ref = case
    fit = DampedTrend(**LOG).fit(s)
    np.testing.assert_allclose(fit.point_forecast(5), ref["ets_damped"]["mean"],
                               atol=ETS_TOL[name])


def test_theta_matches_thetaf(case):
    _, s, ref = case
    np.testing.assert_allclose(Theta(**LOG).fit(s).point_forecast(5), ref["thetaf"]["mean"],
                               atol=1e-3)
