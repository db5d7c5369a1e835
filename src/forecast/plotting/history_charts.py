"""Charts of the reconstruction: the history with its records, and the nowcast.

As in :mod:`forecast.plotting.charts`: matplotlib (the ``plot`` extra) is imported only
when a chart is drawn, every function takes an optional ``ax`` and returns it, and none
calls ``plt.show``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from forecast.series import AnnualSeries
>>> ax = history_chart(AnnualSeries([2020, 2021, 2022], [22.5, 24.0, 27.9], name="US"))
>>> ax.get_ylabel()
'USD bn'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._keywords import checked_keywords
from .._validation import check_bool, check_int, check_levels, level_label
from ..errors import ForecastTypeError
from ..history.profile import month_label
from ._base import HISTORY_COLOR, PALETTE, draw_observations, finish, new_axes
from ._shapes import history_parts, unit_label
from .names import label

if TYPE_CHECKING:  # the `plot` extra, imported when a chart is drawn
    from matplotlib.axes import Axes

__all__ = ["history_chart", "nowcast_chart"]


@checked_keywords
def history_chart(history, *, records: bool = True, levels: Sequence[float] = (80, 95),
                  ax: Axes | None = None, title: str | None = None) -> Axes:
    """The reconstructed history: median, bands and each published record as a point.

    Parameters
    ----------
    history : History or AnnualSeries
        Not a Projection: draw that with :func:`fan_chart` or
        :func:`~forecast.plotting.headline_chart`.
    records : bool, default True
        Draw ``history.observations()`` as points, one marker per kind of record (a
        bool: ``"yes"`` is a ForecastTypeError, as for every flag of the package).
    levels : float or sequence of float, default (80, 95)
        Reconstruction bands in percent (a History only).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One band per level, the median line, one marker series per record kind.
    """
    if history is None:  # history_parts lets None through: fan_chart's history is optional
        raise ForecastTypeError(
            "`history` must be a History or an AnnualSeries; got None. Pass "
            "forecast.reconstruct(...), its .series, or a projection's .history.",
            field="history")
    parts = history_parts(history)
    levels = check_levels("levels", levels)
    records = check_bool("records", records, "Pass records=False to leave the published "
                         "records out, records=True to draw them.")
    ax = new_axes(ax)
    years, median, _, unit, name = parts
    if hasattr(history, "interval"):
        for k, lv in enumerate(sorted(levels, reverse=True)):
            iv = history.interval(lv)
            ax.fill_between(np.asarray(iv["year"], int), np.asarray(iv["lower"], float),
                            np.asarray(iv["upper"], float), color="0.55",
                            alpha=0.2 + 0.2 * k, linewidth=0, label=f"{level_label(lv)}% band")
    ax.plot(years, median, color=HISTORY_COLOR, linewidth=1.8, label="median")
    if records and hasattr(history, "observations"):
        draw_observations(ax, history.observations())
    return finish(ax, title or (label(name) if name else "History"), unit_label(unit))


@checked_keywords
def nowcast_chart(nowcast, *, levels: Sequence[float] = (80, 95), bins: int = 60,
                  ax: Axes | None = None, title: str | None = None) -> Axes:
    """Distribution of a full-year nowcast: histogram of samples, median and bands.

    Parameters
    ----------
    nowcast : Nowcast
        ``History.nowcast()``; needs ``samples``, ``median`` and ``interval(level)``.
    levels : float or sequence of float, default (80, 95)
        Intervals in percent, shaded.
    bins : int, default 60
        Histogram bins, at least 1.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        A histogram, one shaded span per level and a median line.
    """
    bins = check_int("bins", bins, 1, fix="Pass e.g. bins=60.")
    if not all(hasattr(nowcast, a) for a in ("samples", "median", "interval")):
        hint = (" Pass its nowcast: nowcast_chart(history.nowcast())."
                if hasattr(nowcast, "nowcast") else
                " Pass History.nowcast(), e.g. nowcast_chart(forecast.reconstruct(...).nowcast()).")
        raise ForecastTypeError(
            f"`nowcast` must be a Nowcast (with samples, median and interval); got "
            f"{type(nowcast).__name__}.{hint}", field="nowcast")
    levels = check_levels("levels", levels)
    samples = np.asarray(nowcast.samples, dtype=float).ravel()
    ax = new_axes(ax)
    ax.hist(samples, bins=bins, density=True, color="0.75", label="nowcast samples")
    for k, lv in enumerate(sorted(levels, reverse=True)):
        lo, hi = nowcast.interval(lv)
        ax.axvspan(lo, hi, color=PALETTE[0], alpha=0.12 + 0.12 * k,
                   label=f"{level_label(lv)}% interval")
    med = float(nowcast.median)
    ax.axvline(med, color=PALETTE[1], linewidth=2, label=f"median {med:,.2f}")
    ax.set_ylabel("density")
    unit = getattr(nowcast, "unit", "")
    year = getattr(nowcast, "year", None)
    months = getattr(nowcast, "months", None)
    ax.set_xlabel(f"full-year {year or ''} level, {unit_label(unit)}".replace("  ", " "))
    # "from its Jan-Oct figures", not "from January-to-month 10 figures"
    default = f"Nowcast of {year}" + (f" from its {month_label(months)} figures"
                                      if months else "")
    return finish(ax, title or default, None, years=False)
