"""Edges of the models found by probing as a user: every ARIMA order the spec accepts
fits, a forecast that overflows is a ModelError, and a family cannot change the rows
that Auto hands to every member."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import forecast
from forecast.errors import ModelError
from forecast.models import ModelSpec


@pytest.mark.parametrize("order", [(2, 3), (3, 2), (3, 3)])
def test_every_arima_order_the_spec_accepts_fits(order):
    # orders with p + q >= 5 used to fail with "KeyError: 5" (no search grid for them)
    s = forecast.AnnualSeries(range(2000, 2040), np.exp(np.cumsum(
        np.random.default_rng(1).normal(0.1, 0.2, 40))))
    frame = forecast.ARIMA(order=order).fit(s).forecast(3)
    assert np.isfinite(frame.drop(columns="year").to_numpy()).all()


def test_a_forecast_that_overflows_is_a_model_error_not_inf():
    s = forecast.AnnualSeries(range(2010, 2022), [1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8,
                                                  1.9, 2.0, 2000.0])
    fit = forecast.Auto(scale="log").fit(s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no bare numpy overflow warning either
        assert np.isfinite(fit.forecast(9).drop(columns="year").to_numpy()).all()
        with pytest.raises(ModelError, match=r"forecast is not a finite number from 2031 "
                                             r"\(h = 10\) on: its mean .*Forecast fewer "
                                             r"years \(h <= 9\)"):
            fit.forecast(12)


@dataclass(frozen=True)
class _Demean(ModelSpec):
    """A family that changes its input rows in place (a bug of its own)."""

    min_length = 3

    def estimate_batch(self, Y):
        Y -= Y[:, -1:]
        return forecast.Drift(scale=self.scale).estimate_batch(Y)


def test_a_family_that_changes_its_rows_in_place_is_refused_and_harms_no_other():
    s = forecast.AnnualSeries(range(2010, 2025), 10 * 1.08 ** np.arange(15))
    with pytest.raises(ModelError, match="read-only"):
        _Demean().fit(s)
    # in Auto it is skipped, and the other members see the rows unchanged (its in-place
    # change used to pull the pooled median from about 34 to 11)
    fit = forecast.Auto(families=(_Demean(), "Drift", "Theta")).fit(s)
    alone = forecast.Auto(families=("Drift", "Theta")).fit(s)
    assert any("skipped _Demean" in n for n in fit.notes)
    np.testing.assert_allclose(fit.forecast(3)["median"], alone.forecast(3)["median"])


def test_auto_refuses_a_family_named_twice():
    # the pooled params held one weight.Drift for the two (0.5): the keys collided
    with pytest.raises(forecast.ParameterError, match=r"`families` must name each family "
                                                      r"once; got Drift more than once"):
        forecast.Auto(families=("Drift", forecast.Drift(scale="log"), "Theta"))
