"""Structure of the charts (bands, lines, labels, legend) under the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from forecast import plotting
from forecast.errors import ForecastError, ParameterError
from forecast.plotting.names import label
from forecast.projection import Projection
from forecast.series import AnnualSeries


@pytest.fixture(scope="module")
def proj():
    rng = np.random.default_rng(3)
    base = np.log(31.6) + np.cumsum(rng.normal(0.05, 0.08, (400, 5)), axis=1)
    samples = np.exp(np.stack([base, base - 0.1, base + 0.05]))
    return Projection(
        years=np.arange(2026, 2031), scenario_names=("baseline", "escalation", "opening"),
        samples=samples, base_log=base, center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2020, 2026), [22.0, 24.0, 26.5, 28.0, 31.6, 31.0],
                             name="US offshore execution"),
        seed=3, model="Drift", settings={"n_paths": 400, "chunk_size": 400})


def _bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_fan_chart_has_nested_bands_median_and_history(proj):
    ax = plotting.fan_chart(proj, "escalation")
    assert len(_bands(ax)) == 3
    assert ax.get_title() == "Escalation"  # display names (forecast.plotting.names)
    assert ax.get_ylabel() == "USD bn"
    assert _legend(ax) == ["history", "95% band", "80% band", "50% band", "median"]
    median = ax.get_lines()[-1]
    x, y = median.get_data()
    # the fan starts at the last historical value and covers every projected year
    assert list(x) == list(range(2025, 2031))
    assert y[0] == pytest.approx(31.0)
    assert np.allclose(y[1:], np.median(proj.samples[1], axis=0))


def test_fan_chart_bands_nest(proj):
    ax = plotting.fan_chart(proj, levels=(50, 95))
    (outer, inner) = _bands(ax)
    lo_o, hi_o = _extent(outer)
    lo_i, hi_i = _extent(inner)
    assert np.all(lo_o <= lo_i + 1e-12)
    assert np.all(hi_i <= hi_o + 1e-12)


def _extent(poly):
    v = poly.get_paths()[0].vertices
    n = (len(v) - 1) // 2
    return np.minimum(v[:n, 1], v[n:2 * n, 1][::-1]), np.maximum(v[:n, 1], v[n:2 * n, 1][::-1])


def test_fan_chart_uses_given_axes_and_history_series(proj):
    fig, ax = plt.subplots()
    out = plotting.fan_chart(proj, 0, ax=ax, history=proj.history.window(2023, 2025),
                             title="")
    assert out is ax
    assert ax.get_title() == ""
    assert ax.get_lines()[0].get_data()[0].tolist() == [2023, 2024, 2025]


def test_fan_chart_unknown_scenario_names_choices(proj):
    with pytest.raises(ParameterError, match="baseline"):
        plotting.fan_chart(proj, "nope")


def test_comparison_chart_one_line_and_band_per_scenario(proj):
    ax = plotting.comparison_chart(proj)
    assert len(_bands(ax)) == 3
    assert _legend(ax) == ["history", "Baseline", "Escalation", "Opening"]
    ax = plotting.comparison_chart(proj, ["opening"], level=None, ax=plt.subplots()[1])
    assert len(_bands(ax)) == 0
    assert _legend(ax) == ["history", "Opening"]


def test_decomposition_chart_stacks_contributions():
    frame = pd.DataFrame({
        "year": [2026, 2026, 2027, 2027],
        "assumption": ["friction", "opening", "friction", "opening"],
        "log_points": [-5.0, 2.0, -8.0, 3.0],
        "level": [-1.5, 0.6, -2.6, 1.0],
    })
    ax = plotting.decomposition_chart(frame, "mixed", value="level", unit="USD_bn")
    assert len(ax.containers) == 2
    assert _legend(ax) == ["total", "Friction", "Opening"]
    assert ax.get_ylabel() == "contribution to the gap (USD bn)"
    total = ax.get_lines()[0].get_data()[1]
    assert np.allclose(total, [-0.9, -1.6])
    bars = ax.containers[1]  # "opening" stacked above zero
    assert [b.get_y() for b in bars] == [0.0, 0.0]


def test_decomposition_chart_defaults_to_log_points():
    frame = pd.DataFrame({"year": [2026, 2027], "assumption": "friction",
                          "log_points": [-5.0, -8.0], "level": [-1.5, -2.6]})
    ax = plotting.decomposition_chart(frame)
    assert "log points" in ax.get_ylabel()
    assert np.allclose(ax.get_lines()[0].get_data()[1], [-5.0, -8.0])
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_log_scale_and_bad_scale(proj):
    ax = plotting.comparison_chart(proj, yscale="log")
    assert ax.get_yscale() == "log"
    with pytest.raises(ParameterError, match="yscale"):
        plotting.fan_chart(proj, yscale="logarithmic", ax=plt.subplots()[1])


def test_fan_grid_one_panel_per_scenario(proj):
    fig = plt.figure()
    axes = plotting.fan_grid(proj, fig=fig, ncols=2, yscale="log")
    assert [ax.get_title() for ax in axes] == ["Baseline", "Escalation", "Opening"]
    assert all(len(_bands(ax)) == 3 for ax in axes)
    assert axes[0].get_legend() is not None
    assert axes[1].get_legend() is None
    assert sum(ax.get_visible() for ax in fig.axes) == 3  # the fourth panel is hidden


def test_tornado_chart_sorted_by_swing():
    frame = pd.DataFrame({"year": 2030, "parameter": ["a", "b", "c"],
                          "level_low": [9.0, 5.0, 9.5], "level_high": [11.0, 15.0, 10.5],
                          "level_median": [10.0, 10.0, 10.0]})
    ax = plotting.tornado_chart(frame)
    assert len(ax.containers) == 2
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "B"
    assert set(labels) == {"A", "B", "C"}
    assert "2030" in ax.get_xlabel()
    frame.attrs["unit"] = "USD_bn"  # as forecast.tornado sets it
    assert plotting.tornado_chart(frame).get_xlabel() == "median level in 2030 (USD bn)"


def test_the_tornado_median_line_stays_clear_of_the_legend_row():
    """On a phone's narrow axes the legend (lower right, in the empty bottom row) spans
    the median: the line drawn through the whole height crossed its text."""
    from matplotlib.figure import Figure

    frame = pd.DataFrame({"year": 2030, "parameter": ["a", "b"], "level_low": [9.0, 5.0],
                          "level_high": [11.0, 15.0], "level_median": [10.0, 10.0]})
    fig = Figure(figsize=(2.5, 3.0))
    ax = plotting.tornado_chart(frame, ax=fig.subplots())
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    (segment,) = ax.collections[-1].get_segments()  # the median's line (data coordinates)
    top_and_bottom = ax.transData.transform(segment)
    assert legend.x0 < top_and_bottom[0, 0] < legend.x1  # the legend spans the median ...
    assert min(top_and_bottom[:, 1]) > legend.y1  # ... and the line stops above it
    assert set(segment[:, 1]) == {-0.5, 1.6}  # from the lowest bar's row to the top


def test_history_chart_series():
    s = AnnualSeries([2020, 2021, 2022], [22.5, 24.0, 27.9], unit="CNY_bn", name="US")
    ax = plotting.history_chart(s)
    assert ax.get_title() == "US"
    assert ax.get_ylabel() == "CNY bn"
    assert len(ax.get_lines()) == 1


def test_history_chart_draws_bands_median_and_records_by_kind(us_history):
    ax = plotting.history_chart(us_history)
    assert len(_bands(ax)) == 2
    labels = _legend(ax)
    assert labels[:3] == ["95% band", "80% band", "median"]
    obs = us_history.observations()
    kinds = sorted(set(obs.loc[obs["used"] & obs["implied"].notna(), "kind"]))
    assert "level" in kinds
    # record kinds and the title in words, not identifiers
    assert labels[3:] == [label(k) for k in kinds]
    assert "partial_growth" not in labels
    assert ax.get_title() == "US offshore execution"
    assert ax.get_ylabel() == "USD bn"


def test_nowcast_chart(us_history):
    nc = us_history.nowcast(n=2000)
    ax = plotting.nowcast_chart(nc)
    assert len(ax.patches) >= 60  # histogram bars (the spans are patches too)
    assert ax.get_title() == "Nowcast of 2025 from its Jan-Oct figures"
    assert "USD bn" in ax.get_xlabel()
    assert any(t.startswith("median") for t in _legend(ax))


def test_bad_input_is_a_forecast_error(proj):
    with pytest.raises(ForecastError, match="History or an AnnualSeries"):
        plotting.history_chart([1, 2, 3])
    with pytest.raises(ForecastError, match="decompose"):
        plotting.decomposition_chart([1, 2])
