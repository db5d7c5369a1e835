"""No chart of the report hides its data under its legend, at a desktop's or a phone's size.

Every figure the report saves (wide, and 4.4 inches wide for phones) is measured as
matplotlib lays it out for saving (:mod:`_overlaps`): the legend's box may not meet a
band (``fill_between``), a line's segments or markers, or a bar inside the axes. The
projection reaches 2060, where a scenario's paired difference spreads over the whole
height (``forecast run --to 2060``: the phone's legend covered the fragmentation band).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from _overlaps import legend_over_data, renderer_of
from test_report_phone import _layout_problems

import forecast
from forecast import plotting, presets, report
from forecast.report import _html as H


@pytest.fixture(scope="module")
def run_2060(us_history):
    """The presets to 2060 on the US history, with probabilities (the mixture chart),
    their decompositions and a tornado: every chart of the report."""
    fit = forecast.Drift().fit(us_history, seed=1)
    sset = forecast.ScenarioSet(tuple(presets.scenario_set()),
                                probabilities=(0.3, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05))
    proj = forecast.project(fit, sset, to=2060, n_paths=600, seed=1)
    decomps = {n: proj.decompose(n) for n in proj.scenario_names if n != "baseline"}
    sens = forecast.tornado(fit, presets.fragmentation(), [2030, 2060], n_paths=60, seed=1)
    sens.attrs["scenario"] = "fragmentation"
    return proj, us_history, decomps, sens


class _Measured:
    """Each figure the report saves: its title, size and what its legend covers."""

    def __init__(self, monkeypatch):
        self.charts: list[tuple[str, tuple[float, float], list[str], list[str]]] = []
        save = H.image_bytes

        def measure(fig, fmt="svg", dpi=150):
            renderer = renderer_of(fig)
            size = tuple(round(float(v), 2) for v in fig.get_size_inches())
            self.charts.append((fig.axes[0].get_title().replace("\n", " "), size,
                                legend_over_data(fig, renderer), _layout_problems(fig)))
            return save(fig, fmt, dpi)

        monkeypatch.setattr(H, "image_bytes", measure)

    def covered(self, title_part: str = "") -> dict[str, list[str]]:
        return {f"{t} {s}": c for t, s, c, _ in self.charts if title_part in t and c}


def _draw(run, monkeypatch, skip=()):
    proj, history, decomps, sens = run
    measured = _Measured(monkeypatch)
    report.render_figure_sets(proj, history=history, decompositions=decomps,
                              sensitivity=sens, formats=("svg",), dpi=72, narrow=True,
                              skip=skip)
    return measured


def test_the_difference_charts_legend_covers_no_band_at_both_widths(run_2060, monkeypatch):
    """The phone's difference chart put its legend (a fixed 55% of the axes' width, in
    fact 70-80% on a phone) on the band in every scenario; at 2060 the fragmentation
    band fills every corner at both widths. The legend is now under the axes, in one
    column on a phone, and stays inside the image."""
    names = [n for n in run_2060[0].scenario_names if n != "baseline"]
    skip = ["headline", "history", "mixture", "tornado", *(f"fan_{n}" for n in names),
            *(f"decomposition_{n}" for n in names)]
    measured = _draw(run_2060, monkeypatch, skip)
    assert len(measured.charts) == 2 * len(names)
    assert measured.covered(" minus ") == {}
    assert {f"{t} {s}": p for t, s, _, p in measured.charts if p} == {}  # inside the image


def test_a_difference_chart_drawn_alone_keeps_its_legend_off_the_band(run_2060):
    from matplotlib.figure import Figure

    for size in ((7.5, 4.8), (4.4, 5.6)):
        fig = Figure(figsize=size, layout="constrained")
        plotting.difference_chart(run_2060[0], "fragmentation", ax=fig.subplots())
        assert legend_over_data(fig) == [], size


def test_no_chart_of_the_report_hides_data_under_its_legend(run_2060, monkeypatch):
    """Every chart at both widths: the mixture's fan kept its legend in the upper-left
    corner over the history and, on a phone, over the bands; the phone headline's legend
    lay on the baseline's band. Both now hang under the axes, as the fans' do; the
    history, tornado and decomposition charts keep theirs clear of their data."""
    measured = _draw(run_2060, monkeypatch)
    titles = {t for t, *_ in measured.charts}
    assert "Probability-weighted mixture of the scenarios" in titles
    assert any(t.startswith("Sensitivity of the median") for t in titles)
    assert any(t.startswith("What drives") for t in titles)
    assert len(measured.charts) == 2 * 22  # 22 charts, wide and phone
    assert measured.covered() == {}
    assert {f"{t} {s}": p for t, s, _, p in measured.charts if p} == {}


def test_no_title_touches_a_tick_label_or_text_in_either_report(run_2060, market_projection,
                                                                monkeypatch):
    """The phone's shares chart of the markets report had its top tick label ("100", at
    the axes' top) 1.4 px into its bold title, centred over the narrow axes. Every title
    of every chart of both reports, at both widths, keeps at least 1 pt from every tick
    label shown, axis label, text and legend (bounding boxes by the figure's renderer)."""
    from _overlaps import title_touches

    from forecast.report.markets import market_figures

    touches: dict[str, list[str]] = {}
    save = H.image_bytes

    def measure(fig, fmt="svg", dpi=150):
        size = tuple(round(float(v), 2) for v in fig.get_size_inches())
        found = title_touches(fig, renderer_of(fig), gap=fig.dpi / 72)
        if found:
            touches[f"{fig.axes[0].get_title()[:40]} {size}"] = found
        measure.n += 1
        return save(fig, fmt, dpi)

    measure.n = 0
    monkeypatch.setattr(H, "image_bytes", measure)
    proj, history, decomps, sens = run_2060
    report.render_figure_sets(proj, history=history, decompositions=decomps,
                              sensitivity=sens, formats=("svg",), dpi=72, narrow=True)
    market_figures(market_projection, narrow=True, format="svg", dpi=72)
    assert measure.n >= 44 + 2  # both reports' charts through _Canvas, wide and phone
    assert touches == {}
