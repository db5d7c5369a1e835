"""Year arguments are read alike everywhere: a whole float is a year, a fraction is not."""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast.errors import ForecastTypeError


def test_whole_float_years_are_years_and_fractions_are_refused():
    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    p = forecast.project(forecast.Drift().fit(s), forecast.Scenario("baseline"), to=2030,
                         n_paths=50, seed=1)
    # project(to=2030.0) was taken while prob_above(..., 2030.0) and cagr(2024.0) were not
    assert p.prob_above(40, 2030.0).equals(p.prob_above(40, 2030))
    assert p.cagr(2024.0, 2030).equals(p.cagr(2024, 2030))
    with pytest.raises(ForecastTypeError, match=r"`year` must be an int year; got 2030\.5"):
        p.prob_above(40, 2030.5)
    # window(2015.7, ...) silently truncated to 2015
    assert s.window(2015.0, 2020).first_year == 2015
    with pytest.raises(ForecastTypeError, match=r"`start` must be an int; got 2015\.7"):
        s.window(2015.7, 2020)
