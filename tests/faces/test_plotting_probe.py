"""Charts against the inputs a user probe found drawn wrongly or refused unclearly.

A MarketProjection given to a single-market chart, a decomposition of several markets,
a history in another unit, a scalar `levels`, a one-year projection, grids with empty
slots, labels clipped on a plain ``savefig`` and the lesser checks of the headline,
comparison and difference charts.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from forecast import plotting
from forecast.errors import ForecastTypeError, ParameterError
from forecast.projection import Projection
from forecast.series import AnnualSeries


def _projection(years, names=("baseline", "escalation", "opening"), shifts=(0.0, -0.1, 0.05),
                seed=3, noise=0.0):
    rng = np.random.default_rng(seed)
    years = np.asarray(years)
    base = np.log(31.6) + np.cumsum(rng.normal(0.05, 0.08, (400, years.size)), axis=1)
    # scenario k > 0: the baseline shifted, plus noise of its own (a band around the shift)
    samples = np.exp(np.stack([base + s + (noise * rng.normal(size=base.shape) if k else 0.0)
                               for k, s in enumerate(shifts)]))
    return Projection(
        years=years, scenario_names=names, samples=samples, base_log=base,
        center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2020, int(years[0])), np.linspace(22.0, 31.6,
                                                                        int(years[0]) - 2020),
                             name="US offshore execution"),
        seed=seed, model="Drift", settings={"n_paths": 400, "chunk_size": 400})


@pytest.fixture(scope="module")
def proj():
    return _projection(np.arange(2026, 2031))


@pytest.fixture(scope="module")
def mp(market_projection):
    return market_projection  # tests/conftest.py: SplitModel of drifts, to 2032


def _bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# 1. a MarketProjection in a single-market chart ---------------------------------------

SINGLE = {
    "fan_chart": lambda p: plotting.fan_chart(p),
    "headline_chart": lambda p: plotting.headline_chart(p),
    "comparison_chart": lambda p: plotting.comparison_chart(p),
    "fan_grid": lambda p: plotting.fan_grid(p),
    "scenario_fan_chart": lambda p: plotting.scenario_fan_chart(p, "escalation"),
    "difference_chart": lambda p: plotting.difference_chart(p, "escalation"),
}


@pytest.mark.parametrize("chart", sorted(SINGLE))
def test_single_market_charts_refuse_a_market_projection_and_point_to_market_fans(mp, chart):
    before = plt.get_fignums()
    with pytest.raises(ForecastTypeError, match=r"`projection` of " + chart + r" must be the "
                       r"Projection of one market; got MarketProjection") as info:
        SINGLE[chart](mp)
    assert "forecast.plotting.market_fans(mp, scenario)" in str(info.value)
    assert f"{chart}(mp.market('US'), ...)" in str(info.value)
    assert info.value.field == "projection"
    assert plt.get_fignums() == before  # refused before a figure is made


def test_a_market_history_is_refused_with_the_call_for_one_market(proj, mp):
    with pytest.raises(ForecastTypeError, match=r"`history` must be the history of one "
                       r"market; got MarketHistory.*history\.series\('US'\)"):
        plotting.fan_chart(proj, history=mp.history)
    with pytest.raises(ForecastTypeError, match=r"got MarketHistory"):
        plotting.history_chart(mp.history)


def test_one_market_of_a_market_projection_is_drawn(mp):
    ax = plotting.fan_chart(mp.market("US"))
    years = ax.get_lines()[-1].get_xdata()
    assert list(years) == list(range(int(mp.years[0]) - 1, int(mp.years[-1]) + 1))


# 5. a single-market Projection in a markets chart -------------------------------------

@pytest.mark.parametrize("chart", [plotting.market_fans, plotting.share_chart])
def test_markets_charts_refuse_one_market_and_point_to_fan_chart(mp, chart):
    with pytest.raises(ForecastTypeError, match=rf"`projection` of {chart.__name__} must be a "
                       r"MarketProjection.*got Projection.*fan_chart\(projection, scenario\)"):
        chart(mp.market("US"))
    with pytest.raises(ForecastTypeError, match=r"must be a MarketProjection; got list"):
        chart([1, 2])


# 2. a decomposition of several markets -----------------------------------------------

def test_decomposition_of_several_markets_needs_market(mp):
    with pytest.raises(ParameterError, match=r"`market` must name the market to draw: the "
                       r"decomposition has 6 markets \['US', 'EU', 'HK', 'JP', 'ROW', 'ALL'\]; "
                       r"got None\. Pass e\.g\. market='ALL'"):
        plotting.decomposition_chart(mp, "friction_diversion")
    frame = mp.decompose("friction_diversion")
    with pytest.raises(ParameterError, match="`market` must name the market"):
        plotting.decomposition_chart(frame, "friction_diversion")
    with pytest.raises(ParameterError, match=r"one of the decomposition's markets .*got 'us'\. "
                       r"Did you mean 'US'\?"):
        plotting.decomposition_chart(frame, "friction_diversion", market="us")


@pytest.mark.parametrize("market", ["US", "ALL"])
def test_decomposition_draws_the_market_asked_for(mp, market):
    frame = mp.decompose("friction_diversion")
    rows = frame[frame["market"] == market]
    expected = rows.groupby("year")["log_points"].sum().to_numpy()
    for data in (mp, frame):
        ax = plotting.decomposition_chart(data, "friction_diversion", market=market)
        assert np.allclose(ax.get_lines()[0].get_ydata(), expected)
        assert ax.get_title().endswith("in US" if market == "US" else "in China")
    one = plotting.decomposition_chart(rows, "friction_diversion")  # one market: drawn
    assert np.allclose(one.get_lines()[0].get_ydata(), expected)


def test_market_is_refused_for_a_frame_without_markets():
    frame = pd.DataFrame({"year": [2026, 2027], "assumption": "friction",
                          "log_points": [-5.0, -8.0]})
    with pytest.raises(ParameterError, match=r"`market` applies to a decomposition of several "
                       r"markets.*got market='US'.*Leave `market` out"):
        plotting.decomposition_chart(frame, market="US")


# 3. a history in another unit ---------------------------------------------------------

CNY = AnnualSeries([2020, 2021, 2022, 2023], [300.0, 320, 330, 340], unit="CNY_bn")


@pytest.mark.parametrize("draw", [
    lambda p, h: plotting.fan_chart(p, history=h),
    lambda p, h: plotting.headline_chart(p, history=h),
    lambda p, h: plotting.comparison_chart(p, history=h),
    lambda p, h: plotting.scenario_fan_chart(p, "escalation", history=h),
    lambda p, h: plotting.fan_grid(p, history=h),
])
def test_a_history_in_another_unit_is_refused(proj, draw):
    before = plt.get_fignums()
    with pytest.raises(ParameterError, match=r"`history` is in CNY_bn but the projection is "
                       r"in USD_bn.*Pass a history in USD_bn") as info:
        draw(proj, CNY)
    assert info.value.field == "history"
    assert plt.get_fignums() == before


# 4. a scalar `levels` -----------------------------------------------------------------

def test_a_scalar_level_is_one_band(proj, us_history):
    ax = plotting.fan_chart(proj, levels=80)
    assert _legend(ax) == ["history", "80% band", "median"]
    assert len(_bands(plotting.fan_grid(proj, levels=80)[0])) == 1
    ax = plotting.headline_chart(proj, levels=80)
    assert [t for t in _legend(ax) if "band" in t] == ["Baseline: 80% band"]
    ax = plotting.scenario_fan_chart(proj, "escalation", levels=80)
    assert "80% band" in _legend(ax)
    ax = plotting.difference_chart(proj, "escalation", levels=80)
    assert [t for t in _legend(ax) if "paired" in t] == ["80% band of the paired difference"]
    ax = plotting.history_chart(us_history, levels=80)
    assert _legend(ax)[0] == "80% band"
    ax = plotting.nowcast_chart(us_history.nowcast(n=500), levels=80)
    assert "80% interval" in _legend(ax)


def test_levels_as_fractions_name_the_argument(us_history, proj):
    with pytest.raises(ParameterError, match=r"`levels` must be a percentage in \(0, 100\); "
                       r"got 0\.8\. Did you mean 80\?"):
        plotting.history_chart(us_history, levels=(0.8,))
    with pytest.raises(ParameterError, match=r"`levels` must be .*Did you mean 80\?"):
        plotting.fan_chart(proj, levels=0.8)


def test_duplicate_levels_draw_one_band(proj):
    assert len(_bands(plotting.fan_chart(proj, levels=(80, 80)))) == 1


# 6. a projection of one year ----------------------------------------------------------

def test_difference_chart_of_one_year_draws_a_box_per_band(tmp_path):
    p = _projection([2026], names=("baseline", "escalation"), shifts=(0.0, -0.1))
    ax = plotting.difference_chart(p, "escalation")
    diff = p.difference(levels=(50, 80)).iloc[0]
    bands = _bands(ax)
    assert len(bands) == 2
    for band, lv in zip(bands, (80, 50), strict=True):
        ys = band.get_paths()[0].vertices[:, 1]
        assert ys.min() == pytest.approx(diff[f"lower_{lv}_pct"])
        assert ys.max() == pytest.approx(diff[f"upper_{lv}_pct"])
        assert np.ptp(band.get_paths()[0].vertices[:, 0]) > 0.2  # a box, not a line
    median = next(ln for ln in ax.get_lines() if ln.get_label() == "median difference")
    assert np.allclose(median.get_ydata(), diff["median_pct"])
    assert ax.get_xlim() == (2025.0, 2027.0)
    assert list(ax.get_xticks()) == [2026]
    ax.figure.savefig(tmp_path / "one_year.png")


# 7. tick labels above an empty slot ---------------------------------------------------

def _labelled(ax):
    ax.figure.canvas.draw()
    return any(t.get_visible() and t.get_text() for t in ax.get_xticklabels())


def test_fan_grid_labels_years_on_the_lowest_panel_of_each_column(proj):
    names = ("a", "b", "c", "d", "e", "f", "g")
    rng = np.random.default_rng(1)
    base = np.log(30) + np.cumsum(rng.normal(0.05, 0.05, (50, 5)), axis=1)
    seven = Projection(years=np.arange(2026, 2031), scenario_names=names,
                       samples=np.exp(np.stack([base] * 7)), base_log=base,
                       center=base.mean(axis=0), history=proj.history, seed=1,
                       model="Drift", settings={"n_paths": 50, "chunk_size": 50})
    axes = plotting.fan_grid(seven)  # 4 + 3: the top right panel has no panel below
    assert [_labelled(ax) for ax in axes] == [False, False, False, True, True, True, True]
    axes = plotting.fan_grid(proj, ncols=2)  # 2 + 1
    assert [_labelled(ax) for ax in axes] == [False, True, True]
    axes = plotting.small_multiples(5, 3, fig=Figure())
    assert [_labelled(ax) for ax in axes] == [False, False, True, True, True]


def test_market_fans_label_years_on_the_lowest_panel_of_each_column(mp):
    axes = plotting.market_fans(mp, markets=["US", "EU", "HK", "ALL"], ncols=3)
    assert [_labelled(ax) for ax in axes] == [False, True, True, True]


# 8. labels kept on a plain savefig ----------------------------------------------------

def _inside(fig, artists):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for a in artists:
        ext = a.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1, a
        assert ext.x1 <= box.x1 + 1, a
        assert ext.y0 >= box.y0 - 1, a
        assert ext.y1 <= box.y1 + 1, a


def test_headline_end_labels_fit_a_figure_the_chart_makes(proj, tmp_path):
    ax = plotting.headline_chart(proj)
    assert isinstance(ax.figure.get_layout_engine(), ConstrainedLayoutEngine)
    # one end label per scenario (if they vanished, the check below would be vacuous)
    assert [t.get_text().split()[0] for t in ax.texts] == ["Baseline", "Escalation", "Opening"]
    _inside(ax.figure, ax.texts)
    ax.figure.savefig(tmp_path / "headline.png")


@pytest.mark.parametrize("n", [1, 2, 12])
def test_tornado_names_and_axis_label_fit(n):
    frame = pd.DataFrame({"year": 2030,
                          "parameter": [f"trade_friction.levy_step_{k}.size" for k in range(n)],
                          "level_low": 9.0 - np.arange(n) / 10, "level_high": 11.0,
                          "level_median": 10.0})
    frame.attrs["unit"] = "USD_bn"
    ax = plotting.tornado_chart(frame)
    _inside(ax.figure, [*ax.get_yticklabels(), ax.xaxis.label, ax.title])
    legend = ax.get_legend().get_window_extent()
    bars = [b.get_window_extent() for c in ax.containers for b in c]
    assert all(legend.y1 <= b.y0 + 1 for b in bars)  # the legend has its own row


def test_share_chart_legend_and_label_fit_a_figure_the_chart_makes(mp):
    ax = plotting.share_chart(mp)
    _inside(ax.figure, [ax.get_legend(), ax.yaxis.label])


def test_a_users_figure_is_not_laid_out(proj):
    fig, ax = plt.subplots()
    plotting.headline_chart(proj, ax=ax)
    plotting.fan_chart(proj, ax=plt.subplots()[1])
    assert fig.get_layout_engine() is None
    figure = Figure()
    plotting.fan_grid(proj, fig=figure)
    assert figure.get_layout_engine() is None


# 9. the lesser checks -----------------------------------------------------------------

def test_comparison_chart_refuses_a_zero_level(proj):
    with pytest.raises(ParameterError, match=r"`level` must be .*\(0, 100\).*got 0"):
        plotting.comparison_chart(proj, level=0)
    with pytest.raises(ParameterError, match=r"Did you mean 80\?"):
        plotting.comparison_chart(proj, level=0.8)


@pytest.mark.parametrize("draw", [
    lambda p, **kw: plotting.headline_chart(p, **kw),
    lambda p, **kw: plotting.scenario_fan_chart(p, "escalation", **kw),
])
def test_nowcast_year_and_since_must_fall_in_the_history(proj, draw):
    with pytest.raises(ParameterError, match=r"`nowcast_year` must be a year of the history "
                       r"\(2020-2025\); got 2040\..*usually its last, 2025"):
        draw(proj, nowcast_year=2040)
    with pytest.raises(ParameterError, match=r"`since` must be at most the history's last "
                       r"year 2025; got 2030\."):
        draw(proj, since=2030)
    ax = draw(proj, since=2023, nowcast_year=2025)
    assert list(ax.get_lines()[0].get_xdata()) == [2023, 2024, 2025]


def test_difference_chart_names_scenario_when_it_is_the_baseline(proj):
    with pytest.raises(ParameterError, match=r"`scenario` must differ from `baseline` "
                       r"\('baseline'\).*got 'baseline'\. Pass another scenario, e\.g\. "
                       r"'escalation'") as info:
        plotting.difference_chart(proj, "baseline")
    assert info.value.field == "scenario"
    alone = _projection(np.arange(2026, 2029), names=("low", "high"), shifts=(0.0, 0.1))
    with pytest.raises(ParameterError, match=r"`baseline` must be one of the projection's "
                       r"scenarios \['low', 'high'\]; got 'baseline'.*baseline='low'"):
        plotting.difference_chart(alone, "high")
    ax = plotting.difference_chart(alone, "high", baseline="low")
    assert ax.get_title() == "High minus Low"


def test_difference_chart_legend_leaves_a_band_around_zero_clear():
    """A scenario that moves nothing: its band straddles 0 from the first year to the last."""
    p = _projection(np.arange(2026, 2034), names=("baseline", "noise"), shifts=(0.0, 0.0),
                    noise=0.03)
    ax = plotting.difference_chart(p, "noise")
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent().transformed(ax.transData.inverted())
    for band in _bands(ax):
        v = band.get_paths()[0].vertices
        under = (v[:, 0] >= box.x0) & (v[:, 0] <= box.x1)
        assert under.any()
        inside = under & (v[:, 1] > box.y0) & (v[:, 1] < box.y1)
        assert not inside.any()
    assert not box.y0 < 0 < box.y1  # nor the zero line
