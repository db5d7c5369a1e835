"""Wording found by a probe: a singular, a suggestion too far, advice naming another
function's argument, a refusal without a fix, a flag taking text, and a sibling method
whose scenario filter had another name."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.errors import ForecastTypeError, ParameterError, ScenarioError


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


def test_seed_is_not_offered_series():
    """fit_many(spec, [s], seed=1) answered "Did you mean 'series'?" (difflib's 0.6)."""
    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    with pytest.raises(ForecastTypeError) as info:
        forecast.fit_many(forecast.Drift(), [s], seed=1)
    assert "Did you mean" not in str(info.value)
    from forecast._keywords import suggest

    assert suggest("seed", ["spec", "series", "errors"]) == ""
    # the near misses are still proposed: a typo, one letter, a swap, a beginning
    assert suggest("horizn", ["horizon", "seed"]) == " Did you mean 'horizon'?"
    assert suggest("hx", ["h", "levels"]) == " Did you mean 'h'?"
    assert suggest("levles", ["levels", "log"]) == " Did you mean 'levels'?"
    assert suggest("descr", ["name", "description"]) == " Did you mean 'description'?"


def test_a_backtest_origin_too_early_is_told_to_move_the_origin(releases):
    """The skip reason said "Pass a later `as_of`.", an argument backtest does not take."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = forecast.evaluation.backtest(forecast.Drift(), releases,
                                             origins=["2005-06"])
    (reason,) = table.attrs["skipped"]
    assert "as_of" not in reason
    assert "Pass later `origins` (the default ones start in 2013)" in reason


def test_quantiles_refusals_say_how_to_fix(proj):
    with pytest.raises(ParameterError) as info:
        proj.quantiles([])
    assert str(info.value) == ("`q` must be probabilities in [0, 1], at least one; got an "
                               "empty list ([]). Pass e.g. [0.1, 0.5, 0.9].")
    with pytest.raises(ParameterError) as info:
        proj.quantiles(-0.1)
    assert str(info.value) == ("`q` must be probabilities in [0, 1]; got -0.1. Pass a flat "
                               "list of numbers from 0 to 1, e.g. [0.1, 0.5, 0.9] (0.1 is "
                               "the 10th percentile).")
    with pytest.raises(ParameterError, match=r"Did you mean percentages divided by 100"):
        proj.quantiles([50])


def test_history_chart_records_is_a_flag(us_history):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    with pytest.raises(ForecastTypeError) as info:
        forecast.plotting.history_chart(us_history, records="yes")
    assert str(info.value).startswith("`records` must be True or False; got 'yes' (str).")
    assert info.value.field == "records"
    ax = forecast.plotting.history_chart(us_history, records=np.bool_(False))
    plt.close(ax.figure)


def test_difference_takes_scenario_like_its_siblings(proj):
    """difference(scenario=...) was a ForecastTypeError: only `scenarios` was taken."""
    new = proj.difference(scenario="escalation")
    old = proj.difference(scenarios="escalation")
    assert new.equals(old)
    assert set(new["scenario"]) == {"escalation"}
    both = proj.difference("baseline", 80, ["opening", "escalation"])  # positional as before
    assert both.equals(proj.difference(levels=80, scenarios=["opening", "escalation"]))
    assert list(dict.fromkeys(both["scenario"])) == ["opening", "escalation"]
    with pytest.raises(ParameterError, match=r"`scenario` and `scenarios` are one argument"):
        proj.difference(scenario="escalation", scenarios="opening")
    with pytest.raises(ParameterError, match=r"^`scenario` must name at least one"):
        proj.difference(scenario=[])
    with pytest.raises(ScenarioError, match=r"^`scenarios` must not contain the baseline"):
        proj.difference(scenarios=["baseline"])


def test_market_difference_takes_scenario_too(market_projection):
    name = market_projection.scenario_names[-1]
    new = market_projection.difference(market="US", scenario=name)
    assert new.equals(market_projection.difference(market="US", scenarios=name))
    assert set(new["scenario"]) == {name}
