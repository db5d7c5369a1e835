"""Charts of a multi-market projection: a fan chart per market and the stacked shares.

matplotlib (the ``plot`` extra) loads only when a chart is drawn. Like the other chart
functions these draw on given axes (or new ones), return them and never call
``plt.show``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import forecast
>>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
>>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
>>> mp = forecast.project_markets(fit, forecast.Scenario("baseline"), to=2030, n_paths=200,
...                               seed=1)
>>> [ax.get_title() for ax in market_fans(mp)]
['US', 'EU', 'ROW', 'ALL (China total)']
>>> share_chart(mp).get_ylabel().startswith("share of China")
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._keywords import checked_keywords
from .._validation import check_int, check_levels
from ..errors import ForecastTypeError
from ._base import PALETTE, finish, grid, new_axes, new_figure
from ._shapes import many_markets, name_list
from .charts import fan_chart
from .names import colors, scenario_label

if TYPE_CHECKING:  # the `plot` extra, imported when a chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["market_fans", "share_chart"]

_TITLES = {"ALL": "ALL (China total)", "ROW": "ROW"}


def _one_scenario(projection, scenario) -> str:
    """The scenario a chart draws: one name (default the first); a list is refused."""
    if scenario is None:
        return projection.scenario_names[0]
    if not isinstance(scenario, str):
        raise ForecastTypeError(
            f"`scenario` must be one scenario name or None (the first); got {scenario!r}. "
            f"Draw one chart per scenario, e.g. scenario={projection.scenario_names[0]!r}.",
            field="scenario")
    return scenario


@checked_keywords
def market_fans(projection, scenario: str | None = None, *, markets: Sequence[str] | None = None,
                levels: Sequence[float] = (50, 80, 95), yscale: str = "linear", ncols: int = 3,
                fig: Figure | None = None) -> list[Axes]:
    """Fan charts of one scenario for every market (and China's total), as small multiples.

    Parameters
    ----------
    projection : MarketProjection
        The result of :func:`forecast.project_markets` (a Projection of one market is
        drawn by :func:`~forecast.plotting.fan_chart`).
    scenario : str, optional
        Default the first scenario (usually ``"baseline"``).
    markets : sequence of str, optional
        Default every part and ``"ALL"``.
    levels, yscale
        As in :func:`~forecast.plotting.fan_chart`.
    ncols : int, default 3
        Panels per row, at least 1.
    fig : matplotlib Figure, optional

    Returns
    -------
    list of matplotlib.axes.Axes
        One panel per market with its reconstructed history in black over its 80% band
        (grey) and its own y axis;
        the legend only on the first; the lowest panel of each column labels the years.
    """
    many_markets(projection, "market_fans")
    names = (list(projection.markets) if markets is None
             else name_list("markets", markets, "markets=['US', 'ALL']"))
    scenario = _one_scenario(projection, scenario)
    ncols = min(check_int("ncols", ncols, 1, fix="Pass e.g. ncols=3."), len(names))
    levels = check_levels("levels", levels)
    nrows = -(-len(names) // ncols)
    if fig is None:
        fig = new_figure((3.4 * ncols, 2.7 * nrows))
    # markets differ in size: shared years, one y axis per panel
    axes = grid(fig, len(names), ncols, sharey=False)
    # the scenario's colour in every other chart (fixed for the presets; never the
    # palette's pale yellow by position)
    color = colors(projection.scenario_names).get(scenario, PALETTE[0])
    from matplotlib.ticker import MaxNLocator  # lazy: matplotlib is the optional `plot` extra

    for k, (ax, m) in enumerate(zip(axes, names, strict=True)):
        _history_band(ax, projection.history, m)  # first: the legend lists it
        fan_chart(projection.market(m), scenario, levels=levels, yscale=yscale, ax=ax,
                  color=color, title=_TITLES.get(m, m))
        ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))  # decades: room on a phone
        if k:
            ax.get_legend().remove()
        if k % ncols:
            ax.set_ylabel("")
        ax.title.set_fontsize("medium")
    return axes


#: The central band of the reconstructed history drawn under each market's fan (the
#: report's tables give the reconstruction's 80% band too).
HISTORY_LEVEL = 80


def _history_band(ax, history, market: str) -> None:
    """The joint reconstruction's 80% band of `market` (or the total), in grey.

    The band of :meth:`MarketHistory.interval`: the part's log level linearised at the
    mode, as in ``history.to_frame()`` (exact for the total).
    """
    band = history.interval(HISTORY_LEVEL, market=market)
    ax.fill_between(np.asarray(band["year"], int), np.asarray(band["lower"], float),
                    np.asarray(band["upper"], float), color="0.6", alpha=0.35, linewidth=0,
                    label=f"history {HISTORY_LEVEL}% band")


@checked_keywords
def share_chart(projection, scenario: str | None = None, *, ax: Axes | None = None,
                title: str | None = None) -> Axes:
    """Stacked shares of China's total: the reconstructed history, then the projection.

    History shares are the medians of the joint reconstruction (normalised to 100);
    projected shares are the mean share over paths (they add up to 100 exactly, path by
    path and on average). A vertical line marks the first projected year.

    Parameters
    ----------
    projection : MarketProjection
        The result of :func:`forecast.project_markets` (a Projection of one market has no
        shares: draw it with :func:`~forecast.plotting.fan_chart`).
    scenario : str, optional
        Default the first scenario (usually ``"baseline"``).
    ax : matplotlib Axes, optional
        Default a new figure, laid out to keep the legend (right of the axes) and the y
        label. On your own axes leave a right margin for the legend (about 0.8 inch), or
        save with ``fig.savefig(path, bbox_inches="tight")``.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One stacked area per part (named markets, then ROW) and a legend to the right,
        listing the parts top to bottom as they are stacked.
    """
    many_markets(projection, "share_chart")
    scenario = _one_scenario(projection, scenario)
    ax = new_axes(ax)
    hist = projection.history.to_frame(share=True).pivot(index="year", columns="market",
                                                         values="median")
    hist = hist[list(projection.parts)]
    hist = 100.0 * hist.div(hist.sum(axis=1), axis=0)
    proj = projection.share_frame(scenario).set_index("year")[list(projection.parts)]
    years = np.r_[hist.index.to_numpy(), proj.index.to_numpy()]
    values = np.vstack([hist.to_numpy(), proj.to_numpy()]).T
    colors = [PALETTE[k % len(PALETTE)] for k in range(len(projection.parts))]
    ax.stackplot(years, values, labels=list(projection.parts), colors=colors, alpha=0.85)
    first = int(proj.index[0])
    ax.axvline(first - 0.5, color="black", linewidth=0.8, linestyle="--")
    # named along its foot, as the single-market charts name their nowcast line; on a
    # white ground, legible over any part's colour
    ax.annotate(f"projected from {first}", xy=(first - 0.5, 0.0),
                xycoords=("data", "axes fraction"), xytext=(4, 4),
                textcoords="offset points", ha="left", va="bottom", rotation=90,
                fontsize="x-small", color="black",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.85})
    ax.set_ylim(0, 100)
    ax.set_xlim(years[0], years[-1])
    title = f"Shares of China's total: {scenario_label(scenario)}" if title is None else title
    # short enough to fit beside the axes of a phone's chart
    finish(ax, title, "share of China's total (%)", legend=False)
    from matplotlib.ticker import MaxNLocator  # lazy: matplotlib is the optional `plot` extra

    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True, steps=[1, 2, 5, 10]))  # decades
    # outside the plot, top to bottom as stacked: the legend never hides a share
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5),
              fontsize="small", frameon=False)
    return ax
