"""The charts say what they show (probe 36c, defects 7, 8 and 11).

The mixture chart and the markets fans were on log axes labelled "USD bn"; the mixture
figure had no caption; the history chart's partial and growth records were not said to
be implied annual levels; the markets shares chart's dashed line had no name; the
difference charts' axis said "% of the baseline level" for differences and their legend
did not say what its band is measured against; headline.png had no title; a fan's band
ran below the lowest tick. Each is checked on the chart as drawn, and the charts were
looked at (PNG files written by ``forecast run``).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import forecast
from forecast import plotting
from forecast.plotting._base import cover_data
from forecast.projection import Projection
from forecast.report import render_figures
from forecast.report._sections import model_section
from forecast.report.figures import headline_title
from forecast.series import AnnualSeries


@pytest.fixture(scope="module")
def proj():
    """A wide fan: the lower band edges fall far below the history."""
    rng = np.random.default_rng(7)
    base = np.log(31.6) + np.cumsum(rng.normal(0.03, 0.2, (2000, 10)), axis=1)
    samples = np.exp(np.stack([base, base + np.linspace(0, -0.3, 10)]))
    return Projection(
        years=np.arange(2026, 2036), scenario_names=("baseline", "fragmentation"),
        samples=samples, base_log=base, center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2016, 2026), np.geomspace(17, 31.6, 10),
                             name="US offshore_execution"),
        seed=7, model="Drift", settings={"n_paths": 2000, "chunk_size": 2000})


def test_a_log_axis_says_so(proj):
    assert plotting.fan_chart(proj, yscale="log").get_ylabel() == "USD bn (log scale)"
    assert plotting.fan_chart(proj).get_ylabel() == "USD bn"
    assert plotting.comparison_chart(proj, yscale="log").get_ylabel() == (
        "USD bn (median, 80% band; log scale)")


def test_the_markets_fans_say_their_axes_are_log(market_projection):
    axes = plotting.market_fans(market_projection, yscale="log", ncols=2)
    assert axes[0].get_ylabel() == "USD bn (log scale)"


def test_the_shares_chart_names_its_dashed_line(market_projection):
    ax = plotting.share_chart(market_projection)
    first = int(market_projection.years[0])
    named = [t for t in ax.texts if t.get_text() == f"projected from {first}"]
    assert len(named) == 1
    line = next(ln for ln in ax.get_lines() if ln.get_linestyle() == "--")
    assert line.get_xdata()[0] == first - 0.5 == named[0].xy[0]


def test_the_difference_chart_says_difference_and_what_its_scale_band_is_against(proj):
    ax = plotting.difference_chart(proj, "fragmentation")
    assert ax.get_ylabel() == "% difference from the baseline"
    note = [t.get_text() for t in ax.get_legend().get_texts()][-1]
    assert note.startswith("for scale, Fragmentation's own 80% level\nband in 2035, against "
                           "the baseline\nmedian: ")


def test_headline_png_carries_a_title(proj):
    figs = render_figures(proj, format="svg", skip=("fan_fragmentation",
                                                    "difference_fragmentation"))
    assert headline_title(proj) == "US offshore execution: scenarios to 2035"
    assert b"US offshore execution: scenarios to 2035" in figs["headline"]


def test_every_fan_has_a_tick_at_or_beyond_each_end_of_its_bands(proj):
    """The fragmentation fan's 80% band reached 12.0 under a lowest tick of 15."""
    charts = [plotting.scenario_fan_chart(proj, "fragmentation", levels=(50, 80),
                                          nowcast_year=2025),
              plotting.headline_chart(proj), plotting.fan_chart(proj, yscale="log")]
    for ax in charts:
        ax.figure.canvas.draw()
        lo, hi = ax.get_ylim()
        ticks = [t for t in ax.get_yticks() if lo <= t <= hi]
        data_lo, data_hi = ax.yaxis.get_data_interval()
        assert ticks[0] <= data_lo
        assert ticks[-1] >= data_hi
        plt.close(ax.figure)
    # the added tick is round, and one it would crowd gives way
    assert cover_data([15.0, 20.0, 30.0], 11.001, 35.0, 11.99, 33.0) == [11.5, 15.0, 20.0,
                                                                         30.0, 35.0]
    assert cover_data([20.0, 30.0], 17.0, 60.0, 19.0, 30.0) == [18.0, 30.0]


def test_the_history_caption_says_partial_and_growth_records_are_implied_levels(
        us_history):
    figs = {"history": b"<svg></svg>"}
    html = model_section(None, None, us_history, figs)
    assert ("A partial-year figure or a growth rate is drawn as the annual level it "
            "implies") in html


def test_the_mixture_figure_has_a_caption_and_a_log_axis(tmp_path):
    s = AnnualSeries(range(2012, 2026), np.geomspace(10, 31.6, 14), name="US")
    sset = forecast.ScenarioSet((forecast.presets.baseline(), forecast.presets.escalation()),
                                probabilities=(0.6, 0.4))
    p = forecast.project(forecast.Drift().fit(s), sset, to=2030, n_paths=200, seed=1)
    figs = render_figures(p, format="svg", skip=[k for k in ("headline", "fan_escalation",
                                                               "difference_escalation")])
    assert b"USD bn (log scale)" in figs["mixture"]
    page = forecast.report.write_report(p, tmp_path / "m.html", figures=figs, plots=False,
                                        decompose=False).read_text()
    mixture = page[page.index('id="probability-weighted-mixture"'):]
    assert "<figcaption>The scenarios pooled by their probabilities" in mixture
