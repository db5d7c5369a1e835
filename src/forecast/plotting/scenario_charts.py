"""Charts that show what the scenarios change: the headline, paired differences, one fan.

- :func:`headline_chart`: the baseline fan with every scenario's median and a labelled
  end point, on a readable log axis, the nowcast year marked: the one chart to read first.
- :func:`difference_chart`: one scenario minus the baseline, path by path (common random
  numbers), in percent, with the scenario's own level band behind it for scale: the
  paired band is far narrower, which is what common random numbers buy.
- :func:`scenario_fan_chart`: one scenario's fan with the baseline's median and band
  outlined, so the two can be told apart.

Colours and names come from :mod:`forecast.plotting.names`, the same in every chart.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from forecast.projection.projection import _example
>>> ax = headline_chart(_example())
>>> ax.texts[0].get_text().startswith("Baseline ")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._keywords import checked_keywords
from .._validation import check_int, check_levels, level_label
from .._version import __version__
from ..errors import ParameterError
from ._base import (
    HISTORY_COLOR,
    draw_history,
    end_label,
    finish,
    history_to_draw,
    legend_below,
    log_axis,
    mark_nowcast,
    new_axes,
    shorten,
    text_color,
    unit_of,
)
from ._shapes import baseline_name, one_market, scenario_index, unit_label
from .names import colors, scenario_label

if TYPE_CHECKING:  # the `plot` extra, imported when a chart is drawn
    from matplotlib.axes import Axes

__all__ = ["SOURCE", "difference_chart", "headline_chart", "scenario_fan_chart"]

#: The source line under every chart of the report.
SOURCE = (f"Source: MOFCOM releases; reconstruction and projection by forecast "
          f"{__version__}.")


def _summary(projection, name: str, levels: Sequence[float]):
    frame = projection.summary_frame(tuple(levels), scenario=name)
    years = np.asarray(frame["year"], dtype=int)
    bands = {float(lv): (np.asarray(frame[f"lower_{level_label(lv)}"], float),
                         np.asarray(frame[f"upper_{level_label(lv)}"], float)) for lv in levels}
    return years, np.asarray(frame["median"], float), bands


def _join(anchor, years, median, bands):
    """Start the projection at the last history point, so lines do not float."""
    if anchor is None or anchor[0] != years[0] - 1:
        return years, median, bands
    a = anchor[1]
    return (np.r_[anchor[0], years], np.r_[a, median],
            {lv: (np.r_[a, lo], np.r_[a, hi]) for lv, (lo, hi) in bands.items()})


def _since(projection, since: int | None) -> int | None:
    if since is None:
        return None
    since = check_int("since", since, fix="Pass a year, a negative offset such as -10, or None.")
    if since >= 0:
        return since
    return int(projection.years[0]) + int(since)


def _spread(values: np.ndarray, gap: float, lo: float = 0.02, hi: float = 0.98) -> np.ndarray:
    """Move sorted label positions apart by at least `gap`, keeping their mean order, and
    keep them in [`lo`, `hi`] (the axes' height: a label above it left the image).

    >>> _spread(np.array([0.97, 0.975, 0.98]), 0.1).round(3).tolist()
    [0.78, 0.88, 0.98]
    """
    order = np.argsort(values)
    pos = values[order].astype(float).copy()
    gap = min(gap, (hi - lo) / max(pos.size - 1, 1))  # many labels: closer, not outside
    for _ in range(50):
        moved = False
        for k in range(1, pos.size):
            if pos[k] - pos[k - 1] < gap:
                mid = (pos[k] + pos[k - 1]) / 2
                pos[k - 1], pos[k] = mid - gap / 2 - 1e-9, mid + gap / 2 + 1e-9
                moved = True
        if not moved:
            break
    pos += max(0.0, lo - pos[0]) - max(0.0, pos[-1] - hi)  # the block slid inside
    out = np.empty_like(pos)
    out[order] = np.clip(pos, lo, hi)
    return out


def _end_labels(ax, ends: list[tuple[str, float, str]], fmt: str = "{:,.1f}") -> None:
    """Label each line's last value at the right edge, nudged apart so none overlap.

    A long name is cut with an ellipsis (:func:`~forecast.plotting._base.end_label`): the
    labels stay beside the axes instead of taking the chart's width. The text is the
    line's colour darkened to a readable contrast (:func:`~forecast.plotting._base.
    text_color`); the leader line keeps the line's colour.
    """
    lo, hi = ax.get_ylim()
    log = ax.get_yscale() == "log"
    tr = (lambda v: (np.log(v) - np.log(lo)) / (np.log(hi) - np.log(lo))) if log \
        else (lambda v: (v - lo) / (hi - lo))
    frac = np.array([tr(v) for _, v, _ in ends], dtype=float)
    placed = _spread(np.clip(frac, 0.02, 0.98), 0.075)
    for (text, value, color), y0, y1 in zip(ends, frac, placed, strict=True):
        note = ax.annotate("", xy=(1.0, y0), xycoords="axes fraction",
                           xytext=(1.02, y1), textcoords="axes fraction", ha="left",
                           va="center", fontsize="small", color=text_color(color),
                           fontweight="bold",
                           arrowprops={"arrowstyle": "-", "color": color, "linewidth": 0.6,
                                       "shrinkA": 0, "shrinkB": 0})
        end_label(note, text, fmt.format(value))


@checked_keywords
def headline_chart(projection, *, history=None, baseline: str = "baseline",
                   levels: Sequence[float] = (50, 80), nowcast_year: int | None = None,
                   since: int | None = -10, ax: Axes | None = None,
                   title: str | None = None) -> Axes:
    """The baseline fan with every scenario's median and a labelled end value.

    Parameters
    ----------
    projection : Projection
    history : History or AnnualSeries, optional
        Default ``projection.history``.
    baseline : str, default "baseline"
        The scenario drawn as a fan; the first scenario when the default is not projected
        (another name that is not projected is a ParameterError).
    levels : float or sequence of float, default (50, 80)
        Bands of the baseline fan (the 95% band's upper tail would squash the medians).
    nowcast_year : int, optional
        A history year estimated from partial-year figures, marked with a dotted line;
        one of the history's years.
    since : int or None, default -10
        First history year drawn, at most the history's last; negative: that many years
        before the projection (a recent window keeps the scenarios' range readable);
        None: all.
    ax : matplotlib Axes, optional
        The end labels are written right of the axes: a new figure keeps room for them;
        on your own axes leave a right margin (about 1.7 inches) or save with
        ``bbox_inches="tight"``.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Log y axis with readable ticks; one band per level, one median line per scenario
        (named by its display name), and one end label per scenario (``ax.texts``).

    Raises
    ------
    ForecastTypeError
        For a MarketProjection (draw one market: ``headline_chart(mp.market("US"))``).
    ParameterError
        A history in another unit, a `since` after the history's last year or a
        `nowcast_year` outside its years.
    """
    one_market(projection, "headline_chart")
    levels = check_levels("levels", levels)
    names = list(projection.scenario_names)
    base = baseline_name(projection, baseline) or names[0]
    palette = colors(names)
    past = history_to_draw(projection, history, _since(projection, since), nowcast_year)
    ax = new_axes(ax)
    anchor = draw_history(ax, past)
    years, median, bands = _join(anchor, *_summary(projection, base, levels))
    for k, lv in enumerate(sorted(bands, reverse=True)):
        ax.fill_between(years, *bands[lv], color=palette[base], alpha=0.10 + 0.12 * k,
                        linewidth=0,
                        label=f"{shorten(scenario_label(base))}: {level_label(lv)}% band")
    ends = []
    for name in [base] + [n for n in names if n != base]:
        y, m, _ = _join(anchor, *_summary(projection, name, (80,)))
        ax.plot(y, m, color=palette[name], linewidth=2.6 if name == base else 1.7,
                linestyle="-" if name == base else (0, (5, 1.5)), label=scenario_label(name),
                zorder=4 if name == base else 3)  # the baseline on top: never hidden
        ends.append((scenario_label(name), float(m[-1]), palette[name]))
    log_axis(ax)
    mark_nowcast(ax, nowcast_year)
    finish(ax, title, unit_label(unit_of(projection)) + " (log scale)", legend=False)
    handles, texts = ax.get_legend_handles_labels()
    keep = [(h, t) for h, t in zip(handles, texts, strict=True) if "band" in t or t == "history"]
    if keep:
        ax.legend(*zip(*keep, strict=True), loc="upper left", fontsize="x-small",
                  frameon=False)
    _end_labels(ax, ends)
    return ax


@checked_keywords
def difference_chart(projection, scenario: str, *, baseline: str = "baseline",
                     levels: Sequence[float] = (50, 80), ax: Axes | None = None,
                     title: str | None = None) -> Axes:
    """A scenario minus the baseline, path by path, as a % difference from the baseline.

    The bands are quantiles of ``100 * (scenario / baseline - 1)`` over paths that share
    their baseline draws (:meth:`Projection.difference`). A note gives, for scale, the
    scenario's own 80% level band against the baseline median in the last year: what
    a reader would see comparing two separate fan charts, far wider. A projection of one
    year is drawn as one box per band with the median across it.

    Parameters
    ----------
    projection : Projection
    scenario : str or int
        The scenario drawn; not the baseline.
    baseline : str, default "baseline"
        The projected scenario subtracted.
    levels : float or sequence of float, default (50, 80)
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One band per level, the median and the mean difference lines (dashed), a zero
        line and the note; the legend in two columns under the axes, where it covers
        none of them.

    Raises
    ------
    ForecastTypeError
        For a MarketProjection (draw one market: ``difference_chart(mp.market("US"),
        scenario)``).
    ParameterError
        An unknown scenario, a baseline that is not projected, or `scenario` equal to it.
    """
    one_market(projection, "difference_chart")
    levels = check_levels("levels", levels)
    names = list(projection.scenario_names)
    name = names[scenario_index(projection, scenario)]
    base = baseline_name(projection, baseline)
    if base is None:
        raise ParameterError(
            f"`baseline` must be one of the projection's scenarios {names}; got "
            f"{baseline!r}, which is not projected. Pass the scenario to subtract, e.g. "
            f"baseline={names[0]!r}.", field="baseline")
    if name == base:
        others = [n for n in names if n != base]
        hint = f"Pass another scenario, e.g. {others[0]!r}" if others else \
            "Project a second scenario to compare"
        raise ParameterError(
            f"`scenario` must differ from `baseline` ({base!r}): the difference of a "
            f"scenario to itself is 0; got {scenario!r}. {hint}.", field="scenario")
    color = colors(names)[name]
    diff = projection.difference(base, levels=levels, scenario=[name])
    years = np.asarray(diff["year"], dtype=int)
    one = years.size == 1  # one year: boxes, as a line of one point draws nothing
    x = np.array([years[0] - 0.2, years[0] + 0.2]) if one else years

    def along(column):
        v = np.asarray(diff[column], dtype=float)
        return np.repeat(v, 2) if one else v

    ax = new_axes(ax)
    for k, lv in enumerate(sorted(levels, reverse=True)):
        lab = level_label(lv)
        ax.fill_between(x, along(f"lower_{lab}_pct"), along(f"upper_{lab}_pct"),
                        color=color, alpha=0.18 + 0.2 * k, linewidth=0,
                        label=f"{level_label(lv)}% band of the paired difference")
    ax.plot(x, along("median_pct"), color=color, linewidth=2, label="median difference")
    # an assumption on fewer than half the paths leaves the median at 0: the mean shows
    # what it does on average (the figure the report's "Effect in YEAR" quotes)
    ax.plot(x, along("mean_pct"), color=color, linewidth=1.4, linestyle=(0, (4, 2)),
            label="mean difference")
    # for scale: the scenario's own 80% level band against the baseline median, in the last
    # year; drawn as lines it would squash the paired band, so it is written instead
    own = projection.interval(80, name).iloc[-1]
    base_median = float(projection.quantiles(0.5, base)["value"].iloc[-1])
    lo, hi = (100 * (own[k] / base_median - 1) for k in ("lower", "upper"))
    # against the baseline's median, as the paired band is: said, since the key message
    # gives the baseline's band against its own median
    ax.plot([], [], linestyle="none",  # a legend line only: it would squash the paired band
            label=f"for scale, {shorten(scenario_label(name))}'s own 80% level\nband in "
                  f"{int(years[-1])}, against the "
                  f"{shorten(scenario_label(base, in_sentence=True))}\nmedian: {lo:+.0f}% to "
                  f"{hi:+.0f}%")
    ax.axhline(0, color=HISTORY_COLOR, linewidth=0.8)
    if one:
        ax.set_xlim(years[0] - 1, years[0] + 1)
    default = f"{scenario_label(name)} minus {scenario_label(base)}"
    finish(ax, title if title is not None else default,
           f"% difference from the {shorten(scenario_label(base, in_sentence=True))}",
           legend=False)
    # under the axes, as the fans': a band that leaves 0 spreads over every corner by the
    # last year (a phone's legend, 55% of the width, covered it wherever it was put)
    legend_below(ax)
    if one:
        ax.set_xticks([int(years[0])])
    return ax


@checked_keywords
def scenario_fan_chart(projection, scenario: str, *, baseline: str = "baseline", history=None,
                       levels: Sequence[float] = (50, 80, 95), nowcast_year: int | None = None,
                       since: int | None = -10, ax: Axes | None = None,
                       title: str | None = None) -> Axes:
    """One scenario's fan, with the baseline's median (dashed) and 80% band (outlined).

    Parameters
    ----------
    projection : Projection
    scenario : str
    baseline : str, default "baseline"
        Outlined only when it is a projected scenario other than `scenario` (the default
        may be absent; another name that is not projected is a ParameterError).
    history : History or AnnualSeries, optional
        In the projection's unit; default ``projection.history``.
    levels : float or sequence of float, default (50, 80, 95)
    nowcast_year : int, optional
        One of the history's years, marked with a dotted line.
    since : int or None, default -10
        First history year drawn, at most the history's last (negative: relative to the
        first projected year).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Log y axis; the scenario's bands and median, the baseline's median and band edges
        (dotted); the legend, one entry for those edges included, in two columns under
        the axes, where it covers none of them.

    Raises
    ------
    ForecastTypeError
        For a MarketProjection (draw one market: ``scenario_fan_chart(mp.market("US"),
        scenario)``, or every market: ``forecast.plotting.market_fans(mp, scenario)``).
    """
    one_market(projection, "scenario_fan_chart")
    levels = check_levels("levels", levels)
    palette = colors(projection.scenario_names)
    name = projection.scenario_names[scenario_index(projection, scenario)]
    past = history_to_draw(projection, history, _since(projection, since), nowcast_year)
    ax = new_axes(ax)
    anchor = draw_history(ax, past)
    years, median, bands = _join(anchor, *_summary(projection, name, levels))
    for k, lv in enumerate(sorted(bands, reverse=True)):
        ax.fill_between(years, *bands[lv], color=palette[name], alpha=0.12 + 0.14 * k,
                        linewidth=0, label=f"{level_label(lv)}% band")
    ax.plot(years, median, color=palette[name], linewidth=2,
            label=f"{shorten(scenario_label(name))} median")
    if baseline_name(projection, baseline) not in (None, name):
        by, bm, bb = _join(anchor, *_summary(projection, baseline, (80,)))
        ax.plot(by, bm, color=palette[baseline], linewidth=1.4, linestyle="--",
                label=f"{shorten(scenario_label(baseline))} median")
        for k, edge in enumerate(bb[80.0]):  # one legend entry for both edges
            ax.plot(by, edge, color=palette[baseline], linewidth=0.8, linestyle=":",
                    label=f"{shorten(scenario_label(baseline))} 80% band" if k == 0
                    else "_edge")
    log_axis(ax)
    mark_nowcast(ax, nowcast_year)
    finish(ax, title if title is not None else scenario_label(name),
           unit_label(unit_of(projection)) + " (log scale)", legend=False)
    legend_below(ax)
    return ax
