"""The report's charts read on a phone: no text cut off, no legend over the bars.

Every chart the report saves (wide for desktops and 4.4 inches wide for phones) is
measured as matplotlib draws it: each text (titles, axis labels, tick labels inside the
view, annotations, legends, the source line) lies inside the image, and a bar chart's
legend covers none of its bars. The inputs are those that broke it: the presets'
tornado (long parameter names, a long title) and a decomposition whose bars fill every
corner (an immediate, lasting shock).
"""

from __future__ import annotations

import pandas as pd
import pytest
from _optional import need

import forecast
from forecast import presets, report
from forecast.report import _html as H

need("matplotlib", module_level=True)

#: The presets' tornado in 2035 (``forecast report --seed 1``): long names, long title.
TORNADO = pd.DataFrame({
    "year": 2035,
    "parameter": ["trade_friction.drift.delta", "trade_friction.levy_step.size",
                  "trade_friction.control_shocks.size",
                  "data_flow_fragmentation.adoption.ceiling", "policy_uncertainty.scale",
                  "data_flow_fragmentation.adoption.start", "trade_friction.levy_step.start"],
    "level_low": [28.3, 29.13, 29.54, 30.28, 30.66, 30.53, 30.53],
    "level_high": [32.51, 31.67, 31.55, 30.78, 30.5, 30.53, 30.53],
    "level_median": 30.53,
})
TORNADO.attrs["scenario"] = "fragmentation"


@pytest.fixture(scope="module")
def proj():
    series = forecast.AnnualSeries(range(2015, 2026), [10 * 1.08**i for i in range(11)])
    return forecast.project(forecast.Drift().fit(series),
                            [presets.baseline(), presets.escalation()], to=2035,
                            n_paths=100, seed=1)


def _shock(sizes: dict[str, float]) -> pd.DataFrame:
    """A decomposition with the same contributions every year: bars in every corner."""
    years = range(2026, 2036)
    return pd.DataFrame([{"year": y, "assumption": a, "log_points": v, "level": v / 3}
                         for y in years for a, v in sizes.items()])


class _Saved:
    """Every figure the report saves, measured when it is saved (PNG: drawn by Agg)."""

    def __init__(self, monkeypatch):
        self.problems: dict[str, list[str]] = {}
        self.sizes: list[tuple[float, float]] = []
        #: per figure saved: the axes' share of its width and the texts beside the axes
        self.shares: list[float] = []
        self.labels: list[list[str]] = []
        save = H.image_bytes

        def measure(fig, fmt="svg", dpi=150):
            self.sizes.append(tuple(round(float(v), 2) for v in fig.get_size_inches()))
            self.problems[f"{len(self.sizes)}: {self.sizes[-1]}"] = _layout_problems(fig)
            self.shares.append(fig.axes[0].get_position().width)
            self.labels.append([t.get_text() for t in fig.axes[0].texts])
            return save(fig, fmt, dpi)

        monkeypatch.setattr(H, "image_bytes", measure)


def _layout_problems(fig) -> list[str]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    edge = fig.bbox
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.texts]
    problems = []
    for ax in fig.axes:
        boxes += [(t.get_text(), t.get_window_extent(renderer)) for t in ax.get_children()
                  if isinstance(t, Text) and t.get_visible() and t.get_text()]
        for axis in (ax.xaxis, ax.yaxis):  # tick labels drawn (inside the view) and label
            box = axis.get_tightbbox(renderer)
            if box is not None:
                boxes.append((f"{axis.axis_name} axis", box))
        legend = ax.get_legend()
        if legend is None:
            continue
        lbox = legend.get_window_extent(renderer)
        boxes.append(("legend", lbox))
        for container in ax.containers:
            if getattr(container, "orientation", None) != "vertical":
                continue
            for bar in container:
                bbox = bar.get_window_extent(renderer)
                if bbox.height > 1 and lbox.overlaps(bbox):
                    problems.append(f"legend {lbox.bounds} covers bar {bbox.bounds} "
                                    f"({bar.get_label() or container.get_label()})")
    for text, box in boxes:
        if (box.x0 < edge.x0 - 0.5 or box.x1 > edge.x1 + 0.5 or box.y0 < edge.y0 - 0.5
                or box.y1 > edge.y1 + 0.5):
            problems.append(f"{text[:50]!r} at {tuple(round(v) for v in box.extents)} "
                            f"outside the image {tuple(round(v) for v in edge.extents)}")
    return problems


def _bad(saved: _Saved) -> dict[str, list[str]]:
    return {k: v for k, v in saved.problems.items() if v}


def test_tornado_title_axis_label_and_names_fit_on_a_phone(proj, monkeypatch):
    saved = _Saved(monkeypatch)
    report.render_figures(proj, sensitivity=TORNADO, format="png", dpi=72, narrow=True,
                          skip=("headline", "history", "fan_escalation",
                                "difference_escalation"))
    assert [w for w, _ in saved.sizes] == [7.8, 4.4]  # desktop, phone
    assert not _bad(saved)


@pytest.mark.parametrize("sizes", [
    {"trade_friction": -12.0, "data_flow_liberalization": 3.0},   # down, legend below
    {"data_flow_liberalization": 8.0, "green_tech_cooperation": 4.0},  # up, legend above
])
def test_decomposition_legend_is_clear_of_the_bars_at_both_widths(proj, monkeypatch, sizes):
    saved = _Saved(monkeypatch)
    report.render_figures(proj, decompositions={"escalation": _shock(sizes)}, format="png",
                          dpi=72, narrow=True,
                          skip=("headline", "history", "fan_escalation",
                                "difference_escalation"))
    assert len(saved.sizes) == 2
    assert not _bad(saved)


def test_a_decomposition_drawn_alone_keeps_its_legend_clear_of_the_bars():
    """The same rule in the chart function: a chart on its own figure, as in a notebook."""
    from matplotlib.figure import Figure

    from forecast import plotting

    fig = Figure(figsize=(4.4, 4.0), layout="constrained")
    ax = plotting.decomposition_chart(_shock({"trade_friction": -12.0,
                                              "data_flow_liberalization": 3.0}),
                                      "escalation", ax=fig.subplots())
    assert not _layout_problems(fig)
    lo, hi = ax.get_ylim()
    assert lo < -12.5  # room made below the bars
    assert hi > 3  # the bars all drawn


def test_phone_layout_of_a_chart_built_wide_equals_one_built_narrow(proj):
    """The fitted layout depends only on the final size (the report resizes one figure)."""
    from forecast import plotting
    from forecast.report.figures import _Canvas

    dec = _shock({"trade_friction": -12.0, "data_flow_liberalization": 3.0})
    both = _Canvas(("svg",), 72, (), narrow=True)
    both.draw("d", plotting.decomposition_chart, dec, "escalation")
    both.draw("t", plotting.tornado_chart, TORNADO, size=(7.8, 5.4), left=2.7,
              narrow={"size": (4.4, 5.5), "left": 2.2})
    for key, kwargs in (("d", {"size": (4.4, 4.3 * 0.9 + 0.5), "left": 0.8, "right": 0.2}),
                        ("t", {"size": (4.4, 5.5), "left": 2.2, "right": 0.2})):
        fresh = _Canvas(("svg",), 72, (), narrow=False)
        func, args = ((plotting.decomposition_chart, (dec, "escalation")) if key == "d"
                      else (plotting.tornado_chart, (TORNADO,)))
        fresh.draw(key, func, *args, **kwargs)
        assert both.out["svg"][f"{key}.narrow"] == fresh.out["svg"][key]


def test_every_chart_of_the_presets_report_fits_at_both_widths(monkeypatch):
    """All the charts of a seven-preset report: the headline's end labels ("Green
    partnership 53.1") ran past the right edge of the phone chart."""
    series = forecast.AnnualSeries(range(2015, 2026), [10 * 1.08**i for i in range(11)])
    proj = forecast.project(forecast.Drift().fit(series), presets.scenario_set(), to=2035,
                            n_paths=200, seed=1)
    saved = _Saved(monkeypatch)
    report.render_figure_sets(proj, formats=("svg",), dpi=100, narrow=True)
    assert (4.4, 4.9) in saved.sizes  # the phone headline was measured
    assert not _bad(saved)


#: A scenario name of about 100 characters (a probe's): it took the headline's width.
LONG = ("Escalation with a possible services levy, persistent export-control shocks and a "
        "faster structural drift")


@pytest.fixture(scope="module")
def long_proj():
    import dataclasses

    series = forecast.AnnualSeries(range(2015, 2026), [10 * 1.08**i for i in range(11)])
    return forecast.project(forecast.Drift().fit(series),
                            [presets.baseline(), dataclasses.replace(presets.escalation(),
                                                                     name=LONG)],
                            to=2035, n_paths=100, seed=1)


def test_a_long_scenario_name_is_cut_in_the_headline_and_leaves_the_axes_their_width(
        long_proj, monkeypatch):
    """A 100-character name widened the right margin to 45% of the headline (its axes
    kept 44% of the width, the label was cut at the image's edge): it is now shortened
    with an ellipsis, its value kept, and the axes keep their share of the width."""
    saved = _Saved(monkeypatch)
    report.render_figures(long_proj, format="png", dpi=72, narrow=True,
                          skip=("history", f"fan_{LONG}", f"difference_{LONG}"))
    assert saved.sizes == [(7.8, 5.0), (4.4, 4.9)]  # the headline, desktop and phone
    assert not _bad(saved)  # no text cut at the image's edge
    wide, phone = saved.shares
    assert wide >= 0.55, f"the axes keep {wide:.0%} of the desktop headline"
    assert phone >= 0.42, f"the axes keep {phone:.0%} of the phone headline"
    for texts in saved.labels:
        label = next(t for t in texts if t.startswith("Escalation"))
        assert "\u2026" in label
        assert len(label) < 40
        assert label.split()[-1].replace(".", "").isdigit()  # the end value is kept
        assert any(t.startswith("Baseline ") and "\u2026" not in t for t in texts)


def test_the_fan_legend_under_the_axes_stays_in_the_image_at_both_widths(proj, monkeypatch):
    """The report's fan keeps room under its axes for the legend, above the source line."""
    saved = _Saved(monkeypatch)
    report.render_figures(proj, format="png", dpi=72, narrow=True,
                          skip=("headline", "history", "difference_escalation"))
    assert [w for w, _ in saved.sizes] == [7.2, 4.4]
    assert not _bad(saved)
