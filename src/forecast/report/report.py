"""A self-contained HTML report of a projection, and the compact summary table.

:func:`write_report` writes ONE HTML file: CSS inline, charts as embedded PNG images,
no scripts and no external addresses, so it can be mailed, archived or opened offline.
Sections: summary, data provenance, history, baseline model, scenario fan charts,
comparison table, decomposition, sensitivity, and the exact settings and seed to
reproduce the run. ``forecast run`` and ``forecast report`` call it; so can you::

    proj = forecast.project(fit, forecast.presets.scenario_set(), to=2035, seed=1)
    forecast.report.write_report(proj, "report.html", history=history, fit=fit)

Examples
--------
>>> compact_years([2026, 2027, 2028, 2029, 2030, 2031])
[2026, 2030, 2031]
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import pathlib
from collections.abc import Mapping, Sequence

from .. import _fsio, plotting
from .._optional import require
from .._validation import check_level
from .._version import __version__
from ..errors import ForecastTypeError, ParameterError
from ..plotting._shapes import unit_label
from . import _html as H
from . import _sections as S

__all__ = ["compact_table", "compact_years", "render_figures", "write_report"]

#: Reports above this size are refused: they would not be "a file you can mail".
MAX_BYTES = 3_000_000


def compact_years(years: Sequence[int]) -> list[int]:
    """A few representative years: the first, every fifth (ending in 0 or 5), the last."""
    years = [int(y) for y in years]
    if not years:
        return []
    picked = {years[0], years[-1]} | {y for y in years[1:-1] if y % 5 == 0}
    out = sorted(picked)
    if len(out) > 4:  # keep it compact on long horizons
        out = [out[0], *out[1:-1][-2:], out[-1]]
    return out


def compact_table(projection, years: Sequence[int] | None = None, level: float = 80):
    """Median and central band of every scenario at a few years.

    Parameters
    ----------
    projection : Projection
    years : sequence of int, optional
        Default :func:`compact_years` of the projected years.
    level : float, default 80
        Central interval in percent.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, year, median, lower_<level>, upper_<level>`` (levels in the
        projection's unit), one row per scenario and year.
    """
    level = check_level("level", level)
    all_years = [int(y) for y in projection.years]
    years = compact_years(all_years) if years is None else [int(y) for y in years]
    missing = [y for y in years if y not in all_years]
    if missing:
        raise ParameterError(
            f"`years` must be projected years {all_years[0]}..{all_years[-1]}; got {missing}. "
            "Pick years inside the projection or project further with `to=`."
        )
    frame = projection.summary_frame((level,))
    frame = frame[frame["year"].isin(years)].drop(columns="mean")
    return frame.reset_index(drop=True)


def _figure(fig_cls, size=(7.5, 4.2)):
    fig = fig_cls(figsize=size)
    return fig, fig.subplots()


def render_figures(projection, *, history=None, decompositions: Mapping | None = None,
                   sensitivity=None, nowcast=None, dpi: int = 90,
                   skip: Sequence[str] = ()) -> dict[str, bytes]:
    """Draw the report's charts as PNG bytes (without pyplot; no display needed).

    Parameters
    ----------
    projection : Projection
    history : History or AnnualSeries, optional
        Drawn with its records in ``"history"``, and behind each fan.
    decompositions : mapping of str to DataFrame, optional
        Scenario name -> ``projection.decompose(name)``.
    sensitivity : DataFrame, optional
        The result of :func:`forecast.tornado`.
    nowcast : Nowcast, optional
    dpi : int, default 90
    skip : sequence of str, optional
        Keys not to draw (e.g. charts you already have).

    Returns
    -------
    dict of str to bytes
        Keys ``history``, ``nowcast``, ``comparison``, ``fans`` (every scenario's fan
        chart as small multiples), ``decompositions`` (one panel per decomposed
        scenario), ``tornado`` (those that apply), PNG bytes each; write them to
        ``<key>.png``.
    """
    fig_cls = require("matplotlib.figure", "plot", "Drawing the report's charts").Figure
    out: dict[str, bytes] = {}

    def draw(key, func, *args, size=(7.5, 4.2), tight=False, **kwargs):
        if key in skip:
            return
        fig, ax = _figure(fig_cls, size)
        func(*args, ax=ax, **kwargs)
        # fixed margins: a tight bounding box would draw every chart twice
        fig.subplots_adjust(left=0.75 / size[0] + 0.02, right=0.98, top=0.9,
                            bottom=0.45 / size[1] + 0.02)
        out[key] = H.png_bytes(fig, dpi, tight=tight)

    if history is not None:
        draw("history", plotting.history_chart, history)
    if nowcast is not None:
        draw("nowcast", plotting.nowcast_chart, nowcast, size=(6.5, 3.4))
    # log scale: the fans are multiplicative, and their upper tails would flatten the rest
    band = 80 if len(projection.scenario_names) <= 3 else None  # many bands only blur
    draw("comparison", plotting.comparison_chart, projection, history=history, yscale="log",
         level=band)
    names = list(projection.scenario_names)
    if "fans" not in skip:  # small multiples: one figure is far cheaper than one per scenario
        fig = fig_cls(figsize=S.grid_size(len(names)))
        plotting.fan_grid(projection, history=history, fig=fig, yscale="log")
        S.grid_margins(fig)
        out["fans"] = H.png_bytes(fig, dpi)
    decomps = dict(decompositions or {})
    if decomps and "decompositions" not in skip:
        fig = fig_cls(figsize=S.grid_size(len(decomps), 3))
        axes = plotting.small_multiples(len(decomps), 3, fig=fig)
        for ax, (name, frame) in zip(axes, decomps.items(), strict=True):
            plotting.decomposition_chart(frame, name, ax=ax, title=name,
                                         unit=getattr(projection, "unit", None))
            label = ax.get_ylabel()
            ax.set_ylabel("")
        fig.supylabel(label, fontsize="medium")
        S.few_ticks(axes)
        S.grid_margins(fig)
        out["decompositions"] = H.png_bytes(fig, dpi)
    if sensitivity is not None:  # long parameter names: fit the box to them
        n = int(sensitivity["parameter"].nunique()) if "parameter" in sensitivity else 8
        draw("tornado", plotting.tornado_chart, sensitivity, size=(7.5, 0.42 * min(n, 12) + 1.6),
             tight=True)
    return out


def write_report(projection, path: str | os.PathLike[str], *, history=None, fit=None,
                 records=None, scenarios=None, decompose: bool | Sequence[str] = True,
                 sensitivity=None, backtest=None, nowcast=None,
                 settings: Mapping | None = None, figures: Mapping[str, bytes] | None = None,
                 plots: bool = True, title: str | None = None, dpi: int = 90) -> pathlib.Path:
    """Write a self-contained HTML report of a projection.

    Parameters
    ----------
    projection : Projection
        The result of :func:`forecast.project`.
    path : str or path-like
        The HTML file to write (its folder must exist).
    history : History or AnnualSeries, optional
        Default ``projection.history``; a History adds its bands and records.
    fit : Fit, optional
        The baseline fit (model section).
    records : Records, optional
        The releases used (provenance section).
    scenarios : ScenarioSet, optional
        Describes each scenario's assumptions.
    decompose : bool or sequence of str, default True
        Decompose every non-baseline scenario (True), these scenarios, or none.
    sensitivity : DataFrame, optional
        A :func:`forecast.tornado` result; name its scenario in
        ``sensitivity.attrs["scenario"]`` to show it in the report.
    backtest : DataFrame, optional
        A :func:`forecast.compare` result.
    nowcast : Nowcast, optional
    settings : mapping, optional
        Extra settings to record (e.g. the command line).
    figures : mapping of str to bytes, optional
        Charts already drawn by :func:`render_figures`; only the missing ones are drawn.
    plots : bool, default True
        False: draw nothing (a report with tables, plus any `figures` passed; no
        matplotlib needed).
    title : str, optional
    dpi : int, default 90

    Returns
    -------
    pathlib.Path
        The file written (at most 3 MB).
    """
    if not hasattr(projection, "samples") or not hasattr(projection, "scenario_names"):
        raise ForecastTypeError(
            f"`projection` must be a Projection; got {type(projection).__name__}. "
            "Pass the result of forecast.project(...)."
        )
    path = pathlib.Path(path)
    history = projection.history if history is None else history
    names = list(projection.scenario_names)
    if decompose is True:
        chosen = [n for n in names if n != "baseline"] if "baseline" in names else names[1:]
    else:
        chosen = list(decompose or [])
    decomps = {n: projection.decompose(n) for n in chosen}
    fig = dict(figures or {})
    if plots:  # draw only the charts not passed in
        fig.update(render_figures(projection, history=history, decompositions=decomps,
                                  sensitivity=sensitivity, nowcast=nowcast, dpi=dpi,
                                  skip=tuple(fig)))

    def img(key, caption=""):
        return H.figure(fig[key], alt=key.replace("_", " "), caption=caption) if key in fig else ""

    unit = unit_label(getattr(projection, "unit", None) or projection.history.unit)
    name = (getattr(projection.history, "name", "") or "the series").replace("_", " ")
    summary = compact_table(projection)
    conf = S.merged_settings(projection, settings)
    sections = [("Summary", f"<p>Median and 80% band of {H.esc(name)} ({H.esc(unit)}) "
                 "at a few years, per scenario: <code>median [lower, upper]</code>.</p>"
                 + H.table(S.compact_wide(summary)) + img("comparison"))]
    sections.append(("Data provenance", S.provenance(records, history)))
    hist_html = img("history", "Reconstructed history: median, bands and published records.")
    if history is not None and hasattr(history, "to_frame"):
        hist_html += H.table(history.to_frame().drop(columns=["evidence"], errors="ignore"))
    if nowcast is not None:
        hist_html += "<h3>Nowcast of the latest year</h3>" + img("nowcast")
    sections.append(("History", hist_html))
    sections.append(("Baseline model", S.model_section(fit, backtest)))
    fans = img("fans", "Median, 50%, 80% and 95% bands of each scenario, same axes "
               "(log scale: equal steps are equal ratios).")
    if scenarios is not None:
        fans += "".join(
            f"<h3>{H.esc(s.name)}</h3><p>{H.esc(getattr(s, 'description', ''))}</p><ul>"
            + "".join(f"<li>{H.esc(a.name)}: <code>{H.esc(a.key)}</code></li>"
                      for a in s.assumptions) + "</ul>"
            for s in scenarios.scenarios)
    sections.append(("Scenario fan charts", f'<div class="grid">{fans}</div>'))
    full = projection.summary_frame((80, 95)) if hasattr(projection, "summary_frame") else None
    sections.append(("Comparison table", H.table(full if full is not None else summary)))
    dec_html = ""
    if chosen:
        dec_html = img("decompositions", "Contribution of each assumption to the gap between "
                       "the scenario and the baseline, per year, in log points (100 x the "
                       "mean log gap: about percent of the baseline level).") + "".join(
            f"<h3>{H.esc(n)} (log points)</h3>" + H.table(S.wide_decomposition(decomps[n]))
            for n in chosen)
    sections.append(("Decomposition", dec_html or '<p class="muted">Not requested.</p>'))
    sens = '<p class="muted">No sensitivity analysis was run.</p>'
    if sensitivity is not None:
        which = sensitivity.attrs.get("scenario")
        sens = ((f"<p>Scenario <b>{H.esc(which)}</b>: " if which else "<p>")
                + "the median level with each uncertain parameter at its 10th and 90th "
                "percentile, the others at their medians.</p>"
                + img("tornado") + H.table(sensitivity))
    sections.append(("Sensitivity", sens))
    code = S.python_code(conf, projection)
    sections.append(("Reproduce", H.table(S.settings_frame(conf)) + H.pre(code)
                     + H.pre(json.dumps(conf, indent=2, default=str))))
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = H.page(title or f"forecast: {name} scenarios",
                  sections, subtitle=f"forecast {__version__}, {stamp}")
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ParameterError(
            f"the report must be at most {MAX_BYTES:,} bytes; got {len(data):,}. "
            "Pass fewer scenarios, a lower `dpi`, or `decompose=False`."
        )
    _fsio.write_bytes(path, data, what="report")  # atomic; never through a link
    return path


