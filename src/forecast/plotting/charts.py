"""Charts of projections: fan charts, scenario comparison, decomposition, tornado.

matplotlib (the ``plot`` extra) is imported only when a chart is drawn. Every function
takes an optional matplotlib ``ax``, draws on it (or on a new figure) and returns it;
none calls ``plt.show``, so the charts work the same in Jupyter, scripts and the
report.

Conventions: history in black (with its reconstruction band when a ``History`` is
given), projected bands nested from light (95%) to dark (50%), the median as a line.
Values are levels in the projection's unit (e.g. USD bn). The history and the nowcast
are drawn by :mod:`forecast.plotting.history_charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._keywords import checked_keywords
from .._validation import check_float, check_int, check_level, check_levels, level_label
from ..errors import ForecastTypeError
from ._base import (
    PALETTE,
    draw_history,
    finish,
    grid,
    history_to_draw,
    new_axes,
    new_figure,
    set_yscale,
    unit_of,
)
from ._shapes import (
    decomposition_wide,
    one_market,
    scenario_index,
    scenario_list,
    tornado_rows,
    unit_label,
)
from .names import ASSUMPTION_COLORS, assumption_label, colors, label, scenario_label

if TYPE_CHECKING:  # the `plot` extra, imported when a chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "comparison_chart",
    "decomposition_chart",
    "fan_chart",
    "fan_grid",
    "small_multiples",
    "tornado_chart",
]

def _anchored(anchor, projection, i, levels):
    """Years, median and bands of scenario `i`, joined to the last history point."""
    frame = projection.summary_frame(levels, scenario=projection.scenario_names[i])
    years = np.asarray(frame["year"], dtype=int)
    median = np.asarray(frame["median"], dtype=float)
    bnds = {float(lv): (np.asarray(frame[f"lower_{level_label(lv)}"], dtype=float),
                        np.asarray(frame[f"upper_{level_label(lv)}"], dtype=float))
            for lv in levels}
    if anchor is not None and anchor[0] == years[0] - 1:  # the fan starts where history ends
        years = np.r_[anchor[0], years]
        median = np.r_[anchor[1], median]
        bnds = {lv: (np.r_[anchor[1], lo], np.r_[anchor[1], hi]) for lv, (lo, hi) in bnds.items()}
    return years, median, bnds


@checked_keywords
def fan_chart(projection, scenario: str | int | None = None, *, history=None,
              levels: Sequence[float] = (50, 80, 95), color: str | None = None,
              yscale: str = "linear", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Fan chart of one scenario: history, nested central bands and the median.

    Parameters
    ----------
    projection : Projection
        The result of :func:`forecast.project`.
    scenario : str or int, optional
        Scenario name or index; default the first (usually ``"baseline"``).
    history : History or AnnualSeries, optional
        History to draw in black; a ``History`` adds its 95% reconstruction band.
        Default: ``projection.history``. It must be in the projection's unit.
    levels : float or sequence of float, default (50, 80, 95)
        Central interval levels in percent, drawn nested (widest lightest).
    color : str, optional
        Colour of the bands and median; default from the palette by scenario index.
    yscale : {"linear", "log"}, default "linear"
        "log" shows multiplicative uncertainty evenly (wide upper tails stop hiding the
        median).
    ax : matplotlib Axes, optional
        Axes to draw on; default a new figure.
    title : str, optional
        Default: the scenario name.

    Returns
    -------
    matplotlib.axes.Axes
        One filled band per level (plus one for a History's band), a median line,
        a legend.

    Raises
    ------
    ForecastTypeError
        For a MarketProjection: draw ``forecast.plotting.market_fans(mp, scenario)`` or
        ``fan_chart(mp.market("US"))``.
    """
    one_market(projection, "fan_chart")
    levels = check_levels("levels", levels)
    i = scenario_index(projection, scenario)
    name = list(projection.scenario_names)[i]
    past = history_to_draw(projection, history)
    ax = new_axes(ax)
    color = color or colors(projection.scenario_names)[name]
    anchor = draw_history(ax, past)
    years, median, bnds = _anchored(anchor, projection, i, levels)
    lvls = sorted(bnds, reverse=True)
    for k, lv in enumerate(lvls):
        alpha = 0.18 + 0.5 * (k + 1) / (len(lvls) + 1)
        ax.fill_between(years, *bnds[lv], color=color, alpha=alpha, linewidth=0,
                        label=f"{level_label(lv)}% band")
    ax.plot(years, median, color=color, linewidth=2, label="median")
    set_yscale(ax, yscale)
    return finish(ax, title if title is not None else scenario_label(name),
                  unit_label(unit_of(projection)) + _scale_note(yscale))


def _scale_note(yscale: str) -> str:
    """What the y label adds on a log axis, whose ticks (3, 5, 7, 10, 20) alone do not
    say it: equal steps are equal ratios there, as every log chart of the reports says."""
    return " (log scale)" if yscale == "log" else ""


@checked_keywords
def small_multiples(n: int, ncols: int = 4, *, panel=(3.2, 2.6),
                    fig: Figure | None = None) -> list[Axes]:
    """A grid of `n` panels sharing both axes (unused panels hidden).

    Parameters
    ----------
    n : int
        Number of panels, at least 1.
    ncols : int, default 4
        Panels per row, at least 1 (fewer when `n` is smaller).
    panel : (float, float)
        Width and height of one panel in inches (for a new figure), both positive.
    fig : matplotlib Figure, optional
        Figure to draw on; default a new pyplot figure.

    Returns
    -------
    list of matplotlib.axes.Axes
        The `n` visible panels, row by row; the lowest visible panel of each column
        labels the years. A new figure uses constrained layout (labels kept on saving).
    """
    n = check_int("n", n, 1, fix="Pass the number of panels to draw, at least 1.")
    ncols = min(check_int("ncols", ncols, 1, fix="Pass e.g. ncols=3."), n)
    nrows = -(-n // ncols)
    if fig is None:
        panel = _panel_size(panel)
        fig = new_figure((panel[0] * ncols, panel[1] * nrows))
    return grid(fig, n, ncols, sharey=True)


def _panel_size(panel) -> tuple[float, float]:
    if isinstance(panel, str) or not isinstance(panel, Sequence) or len(panel) != 2:
        raise ForecastTypeError(f"`panel` must be (width, height) in inches; got {panel!r}. "
                                "Pass e.g. panel=(3.2, 2.6).", field="panel")
    fix = "Pass e.g. panel=(3.2, 2.6)."
    return tuple(check_float(f"panel[{k}]", v, 0, lo_open=True, fix=fix)
                 for k, v in enumerate(panel))


@checked_keywords
def fan_grid(projection, scenarios: Sequence[str] | None = None, *, history=None,
             levels: Sequence[float] = (50, 80, 95), yscale: str = "linear", ncols: int = 4,
             fig: Figure | None = None) -> list[Axes]:
    """Fan charts of several scenarios as small multiples on shared axes.

    One figure instead of one per scenario: easier to compare, and much cheaper to draw.

    Parameters
    ----------
    projection : Projection
    scenarios : sequence of str, optional
        Default: every scenario.
    history : History or AnnualSeries, optional
        Default ``projection.history``.
    levels : float or sequence of float, default (50, 80, 95)
    yscale : {"linear", "log"}, default "linear"
    ncols : int, default 4
        Panels per row, at least 1.
    fig : matplotlib Figure, optional

    Returns
    -------
    list of matplotlib.axes.Axes
        One panel per scenario, titled by its name; the legend only on the first.
    """
    one_market(projection, "fan_grid")
    names = scenario_list(projection, scenarios)
    levels = check_levels("levels", levels)
    ncols = check_int("ncols", ncols, 1, fix="Pass e.g. ncols=3.")
    history_to_draw(projection, history)  # checked before the figure is made
    axes = small_multiples(len(names), ncols, fig=fig)
    for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
        fan_chart(projection, name, history=history, levels=levels, yscale=yscale, ax=ax)
        if k:
            ax.get_legend().remove()
        if k % ncols:
            ax.set_ylabel("")
        ax.title.set_fontsize("medium")
    from matplotlib.ticker import MaxNLocator  # lazy: matplotlib is the optional `plot` extra

    for ax in axes:  # small panels: few ticks read better (and draw faster)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        if yscale == "linear":
            ax.yaxis.set_major_locator(MaxNLocator(5))
    return axes


@checked_keywords
def comparison_chart(projection, scenarios: Sequence[str] | None = None, *,
                     level: float | None = 80, history=None, yscale: str = "linear",
                     ax: Axes | None = None, title: str | None = "Scenarios compared",
                     ) -> Axes:
    """Medians of several scenarios on one axis, each with a light central band.

    Parameters
    ----------
    projection : Projection
    scenarios : sequence of str, optional
        Default: every scenario of the projection.
    level : float or None, default 80
        Band drawn around each median, a percentage in (0, 100); None for medians only.
    history : History or AnnualSeries, optional
        Default ``projection.history``.
    yscale : {"linear", "log"}, default "linear"
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One median line per scenario labelled by its name (and one band each when
        `level` is given).
    """
    one_market(projection, "comparison_chart")
    names = scenario_list(projection, scenarios)
    level = None if level is None else check_level("level", level)
    past = history_to_draw(projection, history)
    ax = new_axes(ax)
    anchor = draw_history(ax, past)
    palette = colors(projection.scenario_names)
    for name in names:
        i = scenario_index(projection, name)
        color = palette[projection.scenario_names[i]]
        years, median, bnds = _anchored(anchor, projection, i, (level or 50,))
        if level:
            ax.fill_between(years, *next(iter(bnds.values())), color=color, alpha=0.12,
                            linewidth=0)
        ax.plot(years, median, color=color, linewidth=1.8, label=scenario_label(name))
    set_yscale(ax, yscale)
    scale = "; log scale" if yscale == "log" else ""
    band = f" (median, {level_label(level)}% band{scale})" if level else f" (median{scale})"
    ylabel = unit_label(unit_of(projection)) + band
    return finish(ax, title, ylabel)


@checked_keywords
def decomposition_chart(data, scenario: str | None = None, *, value: str | None = None,
                        unit: str | None = None, market: str | None = None, ax: Axes | None = None,
                        title: str | None = None) -> Axes:
    """Stacked contribution of each assumption to a scenario's gap to the baseline, per year.

    Parameters
    ----------
    data : Projection, MarketProjection or DataFrame
        A projection (its ``decompose(scenario)`` is drawn) or that frame itself, in
        long layout (``year, assumption, <value columns>``, and ``market`` for a
        MarketProjection's) or wide (one column per assumption).
    scenario : str, optional
        Scenario to decompose when `data` is a Projection.
    value : str, optional
        Which numeric column to draw from a long frame: ``"log_points"`` (default:
        100 x the contribution to the mean log gap, about percent of the baseline level;
        robust to heavy tails) or ``"level"`` (contribution to the gap between mean
        levels, in the projection's unit). Any other name is a ``ParameterError``.
    unit : str, optional
        Unit of the level, for the axis label; default the projection's.
    market : str, optional
        The market drawn from a decomposition of several markets (a MarketProjection or
        its ``decompose()`` frame), e.g. ``"US"`` or ``"ALL"``; required when there are
        several (their contributions cannot be added up), ignored when there is one.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per assumption (positive parts stacked up, negative down),
        a black line with the total, a legend.

    Raises
    ------
    ParameterError
        A decomposition of several markets without `market`, or a `market` it lacks.
    """
    wide, value = decomposition_wide(data, scenario, value, market)
    ax = new_axes(ax)
    years = np.asarray(wide.index, dtype=int)
    palette = colors(wide.columns, ASSUMPTION_COLORS)
    pos = np.zeros(len(years))
    neg = np.zeros(len(years))
    for col in wide.columns:
        v = np.asarray(wide[col], dtype=float)
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(years, v, bottom=bottom, width=0.75, color=palette[str(col)],
               label=assumption_label(col))
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax.plot(years, pos + neg, color="black", marker="o", markersize=3, linewidth=1.2,
            label="total")
    ax.axhline(0, color="0.3", linewidth=0.8)
    unit = unit or getattr(data, "unit", None)
    if value == "log_points":
        ylab = "contribution to the gap (log points)"  # -34 of them are -28.8%, not -34%
    elif value == "level" and unit:
        ylab = f"contribution to the gap ({unit_label(unit)})"
    else:
        ylab = "contribution" + (f" ({value.replace('_', ' ')})" if value else "")
    down = (pos + neg).sum() < 0  # keep the legend clear of the bars
    where = "" if market is None else f" in {'China' if str(market) == 'ALL' else market}"
    return finish(ax, title or (f"What drives {scenario_label(scenario)}{where}" if scenario
                                else f"Decomposition{where}"),
                  ylab, loc="lower left" if down else "upper left")


@checked_keywords
def tornado_chart(frame, year: int | None = None, *, top: int = 12, ax: Axes | None = None,
                  title: str | None = None) -> Axes:
    """Tornado chart: the median level with each parameter at its low and high value.

    Parameters
    ----------
    frame : DataFrame
        The result of :func:`forecast.tornado` (columns ``year, parameter, level_low,
        level_high, level_median``).
    year : int, optional
        Year to draw, one of the table's; default the last.
    top : int, default 12
        Draw the `top` parameters with the largest swing (at least 1).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (low, high), parameters as y tick labels, widest on top, the
        legend in an empty row below them.
    """
    which = getattr(frame, "attrs", {}).get("scenario")
    unit = getattr(frame, "attrs", {}).get("unit")  # read before the rows are selected
    top = check_int("top", top, 1, fix="Pass the number of parameters to draw, e.g. top=8.")
    frame, par, low, high, base, year = tornado_rows(frame, year)
    lo = np.asarray(frame[low], dtype=float)
    hi = np.asarray(frame[high], dtype=float)
    names = [label(n).replace(": ", ":\n") for n in frame[par]]  # two short lines
    centre = (np.asarray(frame[base], dtype=float) if base is not None
              else np.full(len(lo), np.median(np.r_[lo, hi])))
    order = np.argsort(np.abs(hi - lo))[::-1][:top][::-1]
    # one row more than the parameters: the legend's, below the narrowest bar
    ax = new_axes(ax, figsize=(7.5, 0.45 * (len(order) + 1) + 1.5))
    y = np.arange(len(order))
    ax.barh(y, lo[order] - centre[order], left=centre[order], color=PALETTE[0],
            label="parameter at its low value")
    ax.barh(y, hi[order] - centre[order], left=centre[order], color=PALETTE[1],
            label="parameter at its high value")
    ax.set_yticks(y, [names[k] for k in order])
    ax.set_ylim(-1.6, len(order) - 0.4)  # the empty row at the bottom holds the legend
    # the median's line over the bars' rows only: through the legend's row (a phone's
    # narrow axes put the legend under it) it crossed the legend's text
    ax.vlines(float(np.median(centre)), -0.5, len(order) - 0.4, color="black",
              linewidth=0.9)
    ax.set_xlabel("median level" + (f" in {year}" if year is not None else "")
                  + (f" ({unit_label(unit)})" if unit else ""))
    default = ("Sensitivity of the median"
               + (f": {scenario_label(which)}" if which else " (tornado)"))
    return finish(ax, title or default, None, years=False, loc="lower right")
