"""Bad arguments to the chart functions raise clear ForecastErrors (new-user audit)."""

from __future__ import annotations

import dataclasses
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from forecast import plotting
from forecast.errors import ForecastTypeError, ParameterError
from forecast.projection import Projection
from forecast.series import AnnualSeries


@pytest.fixture(scope="module")
def proj():
    rng = np.random.default_rng(3)
    base = np.log(31.6) + np.cumsum(rng.normal(0.05, 0.08, (200, 5)), axis=1)
    samples = np.exp(np.stack([base, base - 0.1]))
    return Projection(
        years=np.arange(2026, 2031), scenario_names=("baseline", "escalation"),
        samples=samples, base_log=base, center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2022, 2026), [26.5, 28.0, 31.6, 31.0], name="US"),
        seed=3, model="Drift", settings={"n_paths": 200, "chunk_size": 200})


def _decomposition():
    return pd.DataFrame({"year": [2026, 2027], "assumption": "trade_friction",
                         "log_points": [-3.0, -8.0], "level": [-1.0, -2.7]})


def _tornado():
    return pd.DataFrame({"year": np.array([2030, 2030], dtype=np.int64),
                         "parameter": ["a.b.c", "a.b.d"], "level_low": [9.0, 9.5],
                         "level_high": [11.0, 10.5], "level_median": [10.0, 10.0]})


def test_decomposition_chart_unknown_value_names_the_columns():
    with pytest.raises(ParameterError, match=r"`value` must be .*'log_points', 'level'.*'pct'"):
        plotting.decomposition_chart(_decomposition(), "fragmentation", value="pct")


def test_history_chart_refuses_a_projection_and_names_the_charts_to_use(proj):
    with pytest.raises(ForecastTypeError, match=r"got Projection.*fan_chart.*projection\.history"):
        plotting.history_chart(proj)


@pytest.mark.parametrize("ncols", [0, -1])
def test_fan_grid_ncols_must_be_positive(proj, ncols):
    with pytest.raises(ParameterError, match=rf"`ncols` must be an int in \[1, inf\]; got {ncols}"):
        plotting.fan_grid(proj, ncols=ncols)


def test_fan_grid_ncols_must_be_an_int(proj):
    with pytest.raises(ForecastTypeError, match=r"`ncols` must be an int.*got 2\.5"):
        plotting.fan_grid(proj, ncols=2.5)


@pytest.mark.parametrize("chart", [plotting.fan_grid, plotting.comparison_chart])
def test_scenarios_must_be_a_non_empty_list(proj, chart):
    with pytest.raises(ForecastTypeError, match=r"`scenarios` must be a list.*'baseline' \(str\)"):
        chart(proj, "baseline")
    with pytest.raises(ParameterError, match="`scenarios` must name at least one"):
        chart(proj, [])


def test_small_multiples_sizes_must_be_positive():
    with pytest.raises(ParameterError, match=r"`n` must be an int in \[1, inf\]; got 0"):
        plotting.small_multiples(0)
    with pytest.raises(ParameterError, match=r"`ncols` must be .*got 0"):
        plotting.small_multiples(2, 0)
    with pytest.raises(ParameterError, match=r"`panel\[0\]` must be .*got 0"):
        plotting.small_multiples(2, panel=(0, 2.6))


def test_market_fans_ncols_and_markets_are_checked():
    mp = types.SimpleNamespace(markets=("US", "ALL"), scenario_names=("baseline",))
    with pytest.raises(ParameterError, match=r"`ncols` must be .*got 0"):
        plotting.market_fans(mp, ncols=0)
    with pytest.raises(ForecastTypeError, match=r"`markets` must be a list.*'US' \(str\)"):
        plotting.market_fans(mp, markets="US")


def test_tornado_chart_year_choices_are_plain_ints():
    with pytest.raises(ParameterError, match=r"one of the table's years \[2030\]; got 2040\.") as e:
        plotting.tornado_chart(_tornado(), year=2040)
    assert "np.int64" not in str(e.value)


def test_tornado_chart_top_must_be_positive():
    with pytest.raises(ParameterError, match=r"`top` must be an int in \[1, inf\]; got 0"):
        plotting.tornado_chart(_tornado(), top=0)


def test_history_chart_refuses_none_and_says_what_to_pass():
    with pytest.raises(ForecastTypeError, match=r"`history` must be a History or an "
                       r"AnnualSeries; got None\. Pass forecast\.reconstruct") as info:
        plotting.history_chart(None)
    assert info.value.field == "history"


def test_nowcast_chart_refuses_a_history_and_says_how_to_get_its_nowcast(us_history):
    with pytest.raises(ForecastTypeError, match=r"`nowcast` must be a Nowcast .*got History\. "
                       r"Pass its nowcast: nowcast_chart\(history\.nowcast\(\)\)") as info:
        plotting.nowcast_chart(us_history)
    assert info.value.field == "nowcast"
    with pytest.raises(ForecastTypeError, match=r"got AnnualSeries\. Pass History\.nowcast"):
        plotting.nowcast_chart(us_history.series)
    with pytest.raises(ForecastTypeError, match=r"got NoneType"):
        plotting.nowcast_chart(None)


def test_nowcast_chart_bins_must_be_positive():
    nowcast = types.SimpleNamespace(samples=np.ones(10), median=1.0)
    with pytest.raises(ParameterError, match=r"`bins` must be an int in \[1, inf\]; got 0"):
        plotting.nowcast_chart(nowcast, bins=0)


def test_headline_chart_checks_nowcast_year_and_since(proj):
    with pytest.raises(ForecastTypeError, match=r"`nowcast_year` must be an int.*'x'"):
        plotting.headline_chart(proj, nowcast_year="x")
    with pytest.raises(ForecastTypeError, match=r"`since` must be an int.*'x'"):
        plotting.headline_chart(proj, since="x")


def test_dotted_scenario_names_are_shown_verbatim(proj):
    from forecast.plotting.names import scenario_label

    p = dataclasses.replace(proj, scenario_names=("baseline", "v2.0"))
    assert plotting.fan_chart(p, "v2.0").get_title() == "v2.0"
    ax = plotting.comparison_chart(p, ax=plt.subplots()[1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["history", "Baseline", "v2.0"]
    assert scenario_label("a.b") == "a.b"
    assert scenario_label("managed_friction", in_sentence=True) == "managed friction"


@pytest.mark.parametrize(("chart", "args"), [
    ("fan_chart", lambda p: (p, "escalation")),
    ("difference_chart", lambda p: (p, "escalation")),
    ("headline_chart", lambda p: (p,)),
    ("decomposition_chart", lambda p: (_decomposition(), "escalation")),
    ("history_chart", lambda p: (p.history,)),
])
@pytest.mark.parametrize("ax", [5, "left", plt])
def test_ax_must_be_axes(proj, chart, args, ax):
    """It was an AttributeError from deep inside the chart ("'int' object has no
    attribute 'plot'")."""
    with pytest.raises(ForecastTypeError, match=r"`ax` must be matplotlib Axes; got .*"
                                                r"Pass e\.g\. ax=plt\.subplots\(\)\[1\]"):
        getattr(plotting, chart)(*args(proj), ax=ax)
