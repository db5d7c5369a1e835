"""The charts that show scenario differences: headline, paired difference, scenario fan."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from forecast import plotting
from forecast.plotting import names
from forecast.plotting._base import log_ticks
from forecast.projection import Projection
from forecast.series import AnnualSeries


@pytest.fixture(scope="module")
def proj():
    rng = np.random.default_rng(7)
    base = np.log(31.6) + np.cumsum(rng.normal(0.03, 0.12, (2000, 10)), axis=1)
    shift = np.linspace(0, -0.3, 10)
    samples = np.exp(np.stack([base, base + shift, base + 0.02]))
    return Projection(
        years=np.arange(2026, 2036), scenario_names=("baseline", "fragmentation", "mine"),
        samples=samples, base_log=base, center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2009, 2026), np.geomspace(2.8, 31.6, 17),
                             name="US offshore_execution"),
        seed=7, model="Drift", settings={"n_paths": 2000, "chunk_size": 2000})


def test_log_ticks_are_readable_where_the_scenarios_sit():
    assert log_ticks(18, 62) == [20, 30, 40, 50, 60]
    # 10..100 would skip 30-40 (12 labels the lowest fifth of the range)
    assert log_ticks(12, 130)[:6] == [12, 20, 30, 40, 50, 60]
    assert len(log_ticks(1, 1000)) <= 9
    assert log_ticks(5, 5) == []


def test_headline_labels_every_scenario_and_marks_the_nowcast(proj):
    ax = plotting.headline_chart(proj, nowcast_year=2025)
    texts = [t.get_text() for t in ax.texts]
    ends = [t for t in texts if t.split(" ")[0] in ("Baseline", "Fragmentation", "Mine")]
    assert len(ends) == 3
    end = float(next(t for t in ends if t.startswith("Fragmentation")).split()[-1])
    assert end == pytest.approx(np.median(proj.samples[1][:, -1]), abs=0.05)
    assert any("2025" in t and "nowcast" in t for t in texts)
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert {"20", "30", "40", "50"} <= set(ticks)
    assert ax.get_yscale() == "log"
    assert min(ax.get_lines()[0].get_xdata()) >= 2016  # a recent window of history


def test_a_baseline_name_that_is_not_projected_is_refused_unless_it_is_the_default(proj):
    from forecast.errors import ParameterError

    for draw in (lambda **kw: plotting.headline_chart(proj, **kw),
                 lambda **kw: plotting.scenario_fan_chart(proj, "fragmentation", **kw)):
        with pytest.raises(ParameterError, match="got 'basline'. Did you mean 'baseline'?"):
            draw(baseline="basline")
    alone = Projection(  # no scenario named "baseline": the default falls back quietly
        years=proj.years, scenario_names=("fragmentation", "mine"), samples=proj.samples[1:],
        base_log=proj.base_log, center=proj.center, history=proj.history, seed=7,
        model="Drift", settings=proj.settings)
    head = plotting.headline_chart(alone)
    bands = [t.get_text() for t in head.get_legend().get_texts() if "band" in t.get_text()]
    assert sorted(bands) == ["Fragmentation: 50% band", "Fragmentation: 80% band"]  # its fan
    outlined = plotting.scenario_fan_chart(proj, "mine")  # with a baseline: outlined
    assert "Baseline median" in [ln.get_label() for ln in outlined.get_lines()]
    fan = plotting.scenario_fan_chart(alone, "mine")  # without: nothing else is drawn
    assert [ln.get_label() for ln in fan.get_lines() if ln.get_label().endswith(" median")
            ] == ["Mine median"]  # its own only


def test_difference_chart_draws_the_paired_difference(proj):
    ax = plotting.difference_chart(proj, "fragmentation")
    diff = proj.difference().query("scenario == 'fragmentation'")
    median = next(ln for ln in ax.get_lines() if ln.get_label() == "median difference")
    assert np.allclose(median.get_ydata(), diff["median_pct"])
    # the mean too: an assumption on fewer than half the paths leaves the median at 0
    mean = next(ln for ln in ax.get_lines() if ln.get_label() == "mean difference")
    assert np.allclose(mean.get_ydata(), diff["mean_pct"])
    assert mean.get_linestyle() != median.get_linestyle()
    paired = (diff["upper_80_pct"] - diff["lower_80_pct"]).iloc[-1]
    own = proj.interval(80, "fragmentation").iloc[-1]
    base = np.median(proj.samples[0][:, -1])
    assert paired < 100 * (own["upper"] - own["lower"]) / base / 5  # far narrower
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("own 80% level" in t for t in legend)


def test_one_colour_per_scenario_across_charts(proj):
    head = plotting.headline_chart(proj)
    fan = plotting.scenario_fan_chart(proj, "fragmentation", ax=plt.subplots()[1])
    colour = names.SCENARIO_COLORS["fragmentation"]
    frag = [ln for ln in head.get_lines() if ln.get_label() == "Fragmentation"]
    assert to_hex(frag[0].get_color()) == colour.lower()
    med = [ln for ln in fan.get_lines() if ln.get_label() == "Fragmentation median"]
    assert to_hex(med[0].get_color()) == colour.lower()
    assert names.colors(["baseline", "mine"])["mine"] != names.SCENARIO_COLORS["baseline"]


def test_display_names():
    assert names.label("lower_80_pct") == "80% band, lower (%)"
    assert names.label("offshore_execution") == "offshore execution"
    assert names.part_label("levy_step.size") == "levy step, size"
    assert names.evidence("unknown_thing").startswith("Judgement")
    assert "Amiti" in names.evidence("trade_friction")
    cols = names.colors(["a", "b", "baseline"])
    assert len(set(cols.values())) == 3


def _contrast_on_white(color) -> float:
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 1.05 / (0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] + 0.05)


def test_headline_end_labels_are_readable_on_white_and_their_lines_keep_their_colour():
    """Cooperation's sky blue and managed friction's orange made 2.3:1 text on white."""
    rng = np.random.default_rng(1)
    base = np.log(31.6) + np.cumsum(rng.normal(0.03, 0.05, (200, 5)), axis=1)
    names_ = ("baseline", "cooperation", "managed_friction", "green_partnership")
    p = Projection(years=np.arange(2026, 2031), scenario_names=names_,
                   samples=np.exp(np.stack([base + 0.01 * k for k in range(4)])),
                   base_log=base, center=base.mean(axis=0),
                   history=AnnualSeries(np.arange(2016, 2026), np.geomspace(10, 31.6, 10)),
                   seed=1, model="Drift", settings={"n_paths": 200, "chunk_size": 200})
    ax = plotting.headline_chart(p)
    labels = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(labels) == 4
    for t in labels:
        assert _contrast_on_white(t.get_color()) >= 4.5, (t.get_text(), t.get_color())
    lines = {to_hex(t.arrow_patch.get_edgecolor()) for t in labels}
    assert lines == {names.SCENARIO_COLORS[n].lower() for n in names_}  # lines unchanged


def test_log_ticks_reach_both_ends_of_the_range():
    """The phone headline (24 to 62 USD bn) had ticks at 30, 40, 50, 60 only: nothing
    labelled its lower quarter; a narrow range had fewer than three ticks."""
    ticks = log_ticks(22.5, 65)
    assert ticks[0] < 30
    assert ticks[0] >= 22.5
    assert len(log_ticks(31, 33)) >= 3
    assert len(log_ticks(28, 45)) >= 3


def test_the_phone_headline_labels_its_lower_values(proj):
    """The y axis of the narrow headline as the report saves it, 4.4 inches wide."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.4, 4.4))
    ax = plotting.headline_chart(proj, since=-6, ax=fig.subplots())
    ax.set_ylim(22.5, 65)  # the range of the phone headline of `forecast run --seed 1`
    lo, hi = ax.get_ylim()
    ticks = [v for v in ax.yaxis.get_major_locator()() if lo <= v <= hi]
    assert len(ticks) >= 4
    assert np.log(ticks[0] / lo) <= 0.2 * np.log(hi / lo)


def test_scenario_fan_legend_covers_no_data_and_names_the_dotted_baseline_band(proj):
    """The legend sat in the upper-left corner over the history and the medians (a long
    horizon spreads the bands over the whole height); the dotted lines of the baseline's
    80% band had no entry."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 4.9), layout="constrained")
    ax = plotting.scenario_fan_chart(proj, "fragmentation", ax=fig.subplots())
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "Baseline 80% band" in texts
    assert texts.count("Baseline 80% band") == 1  # one entry for both edges
    below = legend.get_window_extent(renderer)
    assert below.y1 <= ax.get_window_extent(renderer).y0  # under the axes: on no data
    assert below.y1 <= ax.xaxis.get_tightbbox(renderer).y0 + 1  # and under the years
    assert below.y0 >= fig.bbox.y0  # inside the figure
