"""A level is named one way everywhere, and never by another number.

Columns, dict keys and legends name a level with six significant digits
(``lower_80``). Two levels that would share a name (80 and 80.00001) are a
ParameterError naming the argument, both values and the fix, as is a lone level whose
name is another number (80.0000001 would be ``lower_80``): in every public function
taking ``levels`` or a band's ``level``. Before, the first was a raw pandas TypeError
(compare), duplicate columns (backtest) or one level silently dropped (summary_frame);
the second a ``lower_80`` holding the 80.0000001% bound.
"""

from __future__ import annotations

import ast
import pathlib
import re

import numpy as np
import pytest
from _engine_fakes import toy_projection
from _optional import need

import forecast
from forecast import plotting, report
from forecast._validation import check_levels, level_label
from forecast.errors import ParameterError

SRC = pathlib.Path(forecast.__file__).parent
TWO = (80, 80.00001)
ONE = (80.0000001,)
TWO_MESSAGE = (r"`levels`: 80 and 80\.00001 both make the column lower_80 \(names keep 6 "
               r"significant digits\)\. Pass levels that differ in their first 6 significant "
               r"digits, e.g\. \(80, 90\)\.")


def one_message(name: str) -> str:
    return (rf"`{name}`: 80\.0000001 would be named 80 \(column lower_80, legend '80%'\), "
            r"which is another level \(names keep 6 significant digits\)\. Pass the level "
            r"with at most 6 significant digits, e.g\. 80\.")


@pytest.fixture(scope="module")
def proj():
    return toy_projection(1, 200, shifts=(0.0, -0.1), names=("baseline", "down"))


@pytest.fixture(scope="module")
def series():
    return forecast.AnnualSeries(range(2010, 2022),
                                 [10 * 1.1**i * (1 + 0.03 * (-1) ** i) for i in range(12)])


@pytest.fixture(scope="module")
def history():
    return forecast.History([2020, 2021, 2022], [3.0, 3.1, 3.2], [0.0, 0.05, 0.05])


def _plt():
    need("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


#: every public function or method with a `levels` argument: name -> call(levels, ctx)
LEVELS_CALLS = {
    "Projection.summary_frame": lambda lv, c: c["proj"].summary_frame(levels=lv),
    "Projection.difference": lambda lv, c: c["proj"].difference("baseline", levels=lv),
    "Projection.cagr": lambda lv, c: c["proj"].cagr(2026, 2028, levels=lv),
    "Projection.to_excel": lambda lv, c: c["proj"].to_excel(c["tmp"] / "p.xlsx", levels=lv),
    "MarketProjection.summary_frame": lambda lv, c: c["mp"].summary_frame(levels=lv),
    "MarketProjection.summary_frame(share)":
        lambda lv, c: c["mp"].summary_frame(levels=lv, share=True),
    "MarketProjection.difference": lambda lv, c: c["mp"].difference(levels=lv),
    "MarketProjection.to_excel": lambda lv, c: c["mp"].to_excel(c["tmp"] / "m.xlsx", levels=lv),
    "Fit.forecast": lambda lv, c: forecast.Drift().fit(c["series"]).forecast(3, levels=lv),
    "Nowcast.summary": lambda lv, c: forecast.Nowcast(2025, 10, [30.0, 31.0, 32.0],
                                                      "USD").summary(levels=lv),
    "backtest": lambda lv, c: forecast.backtest(forecast.Naive(), c["series"], horizon=2,
                                                n_paths=50, seed=1, levels=lv),
    "compare": lambda lv, c: forecast.compare([forecast.Drift()], c["series"], horizon=2,
                                              n_paths=50, seed=1, levels=lv),
    "backtest_markets": lambda lv, c: forecast.evaluation.backtest_markets(
        forecast.load_releases(), market="US", horizon=2, n_paths=50, seed=1, levels=lv),
    "fan_chart": lambda lv, c: (_plt(), plotting.fan_chart(c["proj"], "baseline", levels=lv)),
    "fan_grid": lambda lv, c: (_plt(), plotting.fan_grid(c["proj"], levels=lv)),
    "headline_chart": lambda lv, c: (_plt(), plotting.headline_chart(c["proj"], levels=lv)),
    "difference_chart": lambda lv, c: (_plt(), plotting.difference_chart(c["proj"], "down",
                                                                          levels=lv)),
    "scenario_fan_chart": lambda lv, c: (_plt(), plotting.scenario_fan_chart(c["proj"], "down",
                                                                              levels=lv)),
    "history_chart": lambda lv, c: (_plt(), plotting.history_chart(c["history"], levels=lv)),
    "nowcast_chart": lambda lv, c: (_plt(), plotting.nowcast_chart(
        forecast.Nowcast(2025, 10, [30.0, 31.0, 32.0], "USD"), levels=lv)),
    "market_fans": lambda lv, c: (_plt(), plotting.market_fans(c["mp"], levels=lv)),
}

#: public functions whose one `level` names a band (a column, a legend or a sentence)
LEVEL_CALLS = {
    "compact_table": lambda lv, c: report.compact_table(c["proj"], level=lv),
    "key_message": lambda lv, c: report.key_message(c["proj"], level=lv),
    "market_table": lambda lv, c: report.market_table(c["mp"], level=lv),
    "markets_section": lambda lv, c: report.markets_section(c["mp"], plots=False, level=lv),
    "comparison_chart": lambda lv, c: (_plt(), plotting.comparison_chart(c["proj"], level=lv)),
    "Projection.interval": lambda lv, c: c["proj"].interval(level=lv),
    "Nowcast.interval": lambda lv, c: forecast.Nowcast(2025, 10, [30.0, 31.0, 32.0],
                                                       "USD").interval(lv),
    "History.interval": lambda lv, c: c["history"].interval(lv),
}

#: functions with a `levels` argument that are internal, or not confidence levels
NOT_PUBLIC = {"check_levels", "check_level_labels", "forecast_frame", "summary_row",
              "summary_stats", "medians", "check_outliers"}


@pytest.fixture
def ctx(request, proj, series, history, tmp_path):
    out = {"proj": proj, "series": series, "history": history, "tmp": tmp_path}
    if "market" in request.node.name.lower():
        out["mp"] = request.getfixturevalue("market_projection")
    return out


@pytest.mark.parametrize("call", LEVELS_CALLS.values(), ids=LEVELS_CALLS)
def test_two_levels_sharing_a_name_are_refused(call, ctx):
    with pytest.raises(ParameterError, match=TWO_MESSAGE):
        call(TWO, ctx)


@pytest.mark.parametrize("call", LEVELS_CALLS.values(), ids=LEVELS_CALLS)
def test_a_level_named_as_another_is_refused(call, ctx):
    with pytest.raises(ParameterError, match=one_message("levels")):
        call(ONE, ctx)


@pytest.mark.parametrize("call", LEVEL_CALLS.values(), ids=LEVEL_CALLS)
def test_a_band_level_named_as_another_is_refused(call, ctx):
    with pytest.raises(ParameterError, match=one_message("level")):
        call(ONE[0], ctx)


def test_every_public_levels_argument_is_tested():
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                args = [a.arg for a in node.args.args + node.args.kwonlyargs]
                if "levels" in args:
                    found.add(node.name)
    tested = {re.sub(r"\(.*\)$", "", k).split(".")[-1] for k in LEVELS_CALLS}
    assert found - NOT_PUBLIC <= tested, sorted(found - NOT_PUBLIC - tested)


def test_the_probe_reproducers(proj):
    """The defect report's calls, on a small projection: each level keeps its own name."""
    frame = proj.summary_frame(levels=(80, 80.5), scenario="baseline")
    assert [c for c in frame.columns if c.startswith("lower_")] == ["lower_80", "lower_80.5"]
    assert not frame["lower_80"].equals(frame["lower_80.5"])
    with pytest.raises(ParameterError, match=TWO_MESSAGE):
        proj.summary_frame(levels=TWO, scenario="baseline")
    now = forecast.Nowcast(2025, 10, [30.0, 31.0, 32.0], "USD")
    with pytest.raises(ParameterError, match=one_message("levels")):
        now.summary(levels=ONE)
    assert set(now.summary(levels=(97.5,))) >= {"lower_97.5", "upper_97.5"}


def test_the_names_and_the_check_agree():
    assert check_levels("levels", np.array([95, 80, 80, 97.5])) == (80.0, 95.0, 97.5)
    assert [level_label(x) for x in (80.0, 97.5, 99.9999)] == ["80", "97.5", "99.9999"]
    with pytest.raises(ParameterError, match=r"`levels`: 99\.99999 would be named 100"):
        check_levels("levels", (99.99999,))


#: every public method naming columns or IAMC variables by quantile (p<100 q>)
QUANTILE_CALLS = {
    "Projection.to_wide": lambda q, c: c["proj"].to_wide(q),
    "Projection.to_iamc": lambda q, c: c["proj"].to_iamc(quantiles=q),
    "Projection.to_excel": lambda q, c: c["proj"].to_excel(c["tmp"] / "p.xlsx", quantiles=q),
    "MarketProjection.to_wide": lambda q, c: c["mp"].to_wide(q),
    "MarketProjection.to_iamc": lambda q, c: c["mp"].to_iamc(quantiles=q),
}


@pytest.mark.parametrize("call", QUANTILE_CALLS.values(), ids=QUANTILE_CALLS)
def test_a_quantile_named_as_another_is_refused_as_a_level_is(call, ctx):
    """0.1000001 made a column p10 holding the 0.1000001 quantile; 0.1 and 0.1000001
    together were already refused (they share p10)."""
    with pytest.raises(ParameterError, match=r"`quantiles`: 0\.1000001 would be named p10, "
                       r"which is the 0\.1 quantile \(names keep 6 significant digits of the "
                       r"percentage\)\. Pass the quantile .* e\.g\. 0\.1\."):
        call((0.1000001, 0.9), ctx)
    with pytest.raises(ParameterError, match=r"0\.3333333333333333 would be named p33\.3333"):
        call((1 / 3,), ctx)
    call((0.025, 0.123, 0.29, 0.57, 0.975), ctx)  # 100 q's rounding is not a new name
