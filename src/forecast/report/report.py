"""A self-contained HTML report of a projection, and the compact summary table.

:func:`write_report` writes ONE HTML file from ``template.html``: CSS inline, charts as
embedded SVG images, no scripts and no external addresses, so it can be mailed, archived
or opened offline, and read from 360 to 1920 px. In the order a reader needs it: the
title block with the key message (:func:`forecast.report.key_message`), the headline
chart, one section per scenario (what is assumed, with parameters and evidence; its fan
against the baseline; its paired difference; its decomposition), the mixture when the
scenarios carry probabilities, the history and the model, sensitivity, the data
provenance (collapsed), and what reproduces the run. ``forecast run`` and
``forecast report`` call it; so can you::

    proj = forecast.project(fit, forecast.presets.scenario_set(), to=2035, seed=1)
    forecast.report.write_report(proj, "report.html", history=history, fit=fit)

Examples
--------
>>> compact_years([2026, 2027, 2028, 2029, 2030, 2031])
[2026, 2030, 2031]
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import pathlib
from collections.abc import Mapping, Sequence

import pandas as pd

from .. import _fsio
from .._validation import check_level
from ..errors import ForecastTypeError, ParameterError
from ..plotting.names import label, unit_text
from . import _html as H
from . import _sections as S
from .figures import render_figures
from .keymessage import key_message
from .reproduce import python_code, settings_frame, settings_of, versions

__all__ = ["compact_table", "compact_years", "render_figures", "write_report"]

log = logging.getLogger("forecast")

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


def write_report(projection, path: str | os.PathLike[str], *, history=None, fit=None,
                 records=None, scenarios=None, decompose: bool | Sequence[str] = True,
                 sensitivity=None, backtest=None, nowcast=None,
                 settings: Mapping | None = None, figures: Mapping[str, bytes] | None = None,
                 plots: bool = True, title: str | None = None,
                 baseline: str = "baseline") -> pathlib.Path:
    """Write a self-contained HTML report of a projection.

    Parameters
    ----------
    projection : Projection
        The result of :func:`forecast.project`.
    path : str or path-like
        The HTML file to write (its folder must exist).
    history : History or AnnualSeries, optional
        Default ``projection.history``; a History adds its bands, records and nowcast year.
    fit : Fit, optional
        The baseline fit (model section; its ``seed`` goes into the reproduction block).
    records : Records, optional
        The releases used (provenance section).
    scenarios : ScenarioSet, optional
        Scenario definitions; default those stored in the projection.
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
        False: draw nothing (tables, plus any `figures` passed; no matplotlib needed).
    title : str, optional
    baseline : str, default "baseline"

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
    base = baseline if baseline in names else names[0]
    if decompose is True:
        chosen = [n for n in names if n != base] if projection.scenarios is not None else []
    else:
        chosen = list(decompose or [])
    decomps = {n: projection.decompose(n, base) for n in chosen}
    fig = dict(figures or {})
    if plots:  # draw only the charts not passed in
        log.info("report: drawing charts")
        fig.update(render_figures(projection, history=history, decompositions=decomps,
                                  sensitivity=sensitivity, nowcast=nowcast, baseline=base,
                                  skip=tuple(fig), narrow=True))
    message = key_message(projection, history, baseline=base)
    unit = unit_text(projection.unit)
    summary = compact_table(projection)
    if projection.probabilities is not None:
        summary = _with_mixture(projection, summary)
    sections = [("Scenarios at a glance", S.headline(fig, summary, projection.unit))]
    defs = scenarios.scenarios if scenarios is not None else (projection.scenarios or ())
    by_name = {s.name: s for s in defs}
    effects = message.effects
    articles = "".join(
        S.scenario_article(projection, by_name[n], fig, decomps, compact_years(
            [int(y) for y in projection.years]), base, effects.get(n))
        for n in names if n != base and n in by_name)
    if articles:
        sections.append(("Scenario by scenario", articles))
    if projection.probabilities is not None:
        probs = ", ".join(f"{label(n)} {p:.0%}" for n, p in
                          zip(names, projection.probabilities, strict=True))
        sections.append(("Probability-weighted mixture", f"<p>Probabilities: {H.esc(probs)}."
                         "</p>" + S.img(fig, "mixture", "Mixture fan chart")))
    sections.append(("History and baseline model", S.model_section(fit, backtest, history, fig)))
    sections.append(("Sensitivity", S.sensitivity_section(sensitivity, fig)))
    sections.append(("Data provenance", S.provenance(records, history)))
    conf = settings_of(projection, settings, fit)
    sections.append(("Reproduce", _reproduce(conf, projection)))
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = (f"{H.esc(getattr(projection, 'model', ''))} · {projection.n_paths:,} paths · "
            f"seed {H.esc(projection.seed)} · {unit} · forecast {versions()['forecast']} · "
            f"{stamp}")
    name = str(getattr(projection.history, "name", "") or "the series").replace("_", " ")
    text = H.page(title or f"{name}: scenarios to {int(projection.years[-1])}",
                  S.key_block(message), sections, meta=meta)
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ParameterError(
            f"the report must be at most {MAX_BYTES:,} bytes; got {len(data):,}. "
            "Pass fewer scenarios or `decompose=False`."
        )
    _fsio.write_bytes(path, data, what="report")  # atomic; never through a link
    log.info("report: wrote %s (%.2f MB)", path, len(data) / 1e6)
    return path


def _with_mixture(projection, summary):
    level = next(c for c in summary.columns if c.startswith("lower_"))[6:]
    mix = compact_table(projection.mixture(), years=sorted(set(summary["year"])),
                        level=float(level))
    return pd.concat([summary, mix], ignore_index=True)


def _reproduce(conf, projection) -> str:
    ver = versions()
    vt = H.table(settings_frame(ver).rename(columns={"setting": "library",
                                                     "value": "version"}), labels=False)
    command = conf.get("command")
    cmd = f"<h3>Command</h3>{H.pre(command)}" if command else ""
    return (f"<h3>Library versions</h3>{vt}{cmd}<h3>Python</h3>"
            f"{H.pre(python_code(conf, projection))}<h3>Settings</h3>"
            + H.table(settings_frame(conf)))
