"""Wording found by a probe: a singular, a suggestion too far, advice naming another
function's argument, a refusal without a fix, a flag taking text, and a sibling method
whose scenario filter had another name."""

from __future__ import annotations

import numpy as np
import pytest

import forecast


@pytest.fixture(scope="module")
def proj():
    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    sset = [forecast.Scenario("baseline"),
            forecast.Scenario("escalation", [forecast.LevelShift(2026, -0.1)]),
            forecast.Scenario("opening", [forecast.LevelShift(2026, 0.1)])]
    return forecast.project(forecast.Drift().fit(s), sset, to=2028, n_paths=50, seed=1)


def test_a_nowcast_of_one_sample_says_sample(us_history):
    assert repr(us_history.nowcast(n=1)).endswith(", 1 sample)")
    assert repr(us_history.nowcast(n=2)).endswith(", 2 samples)")
