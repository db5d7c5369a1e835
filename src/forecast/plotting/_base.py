"""Drawing helpers shared by the chart functions of :mod:`forecast.plotting` (private)."""

from __future__ import annotations

import numpy as np

from .._optional import require
from ..errors import ParameterError
from ._shapes import history_parts

#: Colours of scenarios, in order (colour-blind-safe Okabe-Ito palette, baseline grey-blue).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B",
           "#F0E442", "#000000")
HISTORY_COLOR = "black"


def new_axes(ax, figsize=(7.5, 4.2)):
    if ax is not None:
        return ax
    plt = require("matplotlib.pyplot", "plot", "Plotting")
    _, ax = plt.subplots(figsize=figsize)
    return ax


def finish(ax, title: str | None, ylabel: str | None, legend: bool = True,
            years: bool = True, loc: str = "upper left"):
    if years:  # calendar years on the x axis, never 2027.5
        from matplotlib.ticker import MaxNLocator  # lazy: matplotlib is the optional `plot` extra

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3, linewidth=0.6)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc=loc, fontsize="small", frameon=False)
    return ax


def set_yscale(ax, yscale: str) -> None:
    if yscale not in ("linear", "log"):
        raise ParameterError(f'`yscale` must be "linear" or "log"; got {yscale!r}. Pass "log" '
                             "to read wide fans as ratios.")
    if yscale == "log":
        from matplotlib.ticker import (  # lazy: matplotlib is the optional `plot` extra
            FuncFormatter,
            LogLocator,
            NullFormatter,
        )

        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())


def unit_of(projection) -> str:
    return getattr(projection, "unit", None) or getattr(projection.history, "unit", "")


def draw_history(ax, history, label: str = "history"):
    parts = history_parts(history)
    if parts is None:
        return None
    years, median, band, _, _ = parts
    if band is not None:
        ax.fill_between(years, band[0], band[1], color="0.6", alpha=0.35, linewidth=0,
                        label="history 95% band")
    ax.plot(years, median, color=HISTORY_COLOR, linewidth=1.8, label=label)
    return years[-1], median[-1]


def draw_observations(ax, obs):
    cols = set(obs.columns)
    value = next((c for c in ("implied", "implied_value", "level", "value") if c in cols), None)
    kind = next((c for c in ("kind", "record_kind", "measure") if c in cols), None)
    if value is None or "year" not in cols or obs.empty:
        return
    if "used" in cols:  # records the reconstruction did not use imply nothing to draw
        obs = obs[obs["used"].astype(bool)]
    obs = obs[np.isfinite(np.asarray(obs[value], dtype=float))]
    markers = "osD^v<>PX*"
    groups = obs.groupby(kind, sort=True) if kind else [("records", obs)]
    for k, (label, g) in enumerate(groups):
        ax.plot(np.asarray(g["year"], float), np.asarray(g[value], float), linestyle="none",
                marker=markers[k % len(markers)], markersize=4.5, alpha=0.8,
                color=PALETTE[(k + 1) % len(PALETTE)], label=str(label))
