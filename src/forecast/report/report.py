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

import logging
import os
import pathlib
from collections.abc import Mapping, Sequence

import pandas as pd

from .._keywords import checked_keywords
from .._validation import check_level
from ..errors import ParameterError
from ..plotting._shapes import baseline_name
from ..plotting.names import scenario_label, unit_text
from ..records.schema import suggest
from . import _html as H
from . import _sections as S
from ._markets_message import applies_us_presets, preset_caution
from .figures import render_figures
from .keymessage import key_message
from .reproduce import python_code, settings_frame, settings_of, versions
from .reproduce import stamp as report_stamp

__all__ = ["compact_table", "compact_years", "render_figures", "write_report"]

log = logging.getLogger("forecast")

#: Reports above this size are refused: they would not be "a file you can mail".
MAX_BYTES = 3_000_000


#: At most this many years in the compact tables (:func:`compact_years`).
COMPACT_YEARS = 4


@checked_keywords
def compact_years(years: Sequence[int]) -> list[int]:
    """A few representative years: the first, every year ending in 0 or 5, the last.

    At most :data:`COMPACT_YEARS` (4) years are kept, so that the tables stay compact on
    long horizons: the first and the last, and between them the years ending in 0 or 5
    nearest to evenly spaced points.

    Parameters
    ----------
    years : sequence of int
        The projected years, in increasing order.

    Returns
    -------
    list of int

    Examples
    --------
    >>> compact_years(range(2026, 2041))
    [2026, 2030, 2035, 2040]
    >>> compact_years(range(2026, 2051))
    [2026, 2035, 2040, 2050]
    """
    years = [int(y) for y in years]
    if not years:
        return []
    picked = sorted({years[0], years[-1]} | {y for y in years[1:-1] if y % 5 == 0})
    if len(picked) <= COMPACT_YEARS:
        return picked
    first, last, inner = picked[0], picked[-1], picked[1:-1]
    chosen: list[int] = []
    for j in range(1, COMPACT_YEARS - 1):  # evenly spaced targets between first and last
        target = first + (last - first) * j / (COMPACT_YEARS - 1)
        chosen.append(min((y for y in inner if y not in chosen),
                          key=lambda y, t=target: (abs(y - t), y)))
    return [first, *sorted(chosen), last]


@checked_keywords
def compact_table(projection, years: Sequence[int] | None = None,
                  level: float = 80) -> pd.DataFrame:
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


@checked_keywords
def write_report(projection, path: str | os.PathLike[str], *, history=None, fit=None,
                 records=None, scenarios=None, decompose: bool | Sequence[str] = True,
                 sensitivity=None, backtest=None, nowcast=None,
                 settings: Mapping | None = None, figures: Mapping[str, bytes] | None = None,
                 plots: bool = True, title: str | None = None,
                 baseline: str = "baseline", force: bool = False) -> pathlib.Path:
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
        The releases used (provenance section); another type is a ForecastTypeError.
    scenarios : ScenarioSet, optional
        Scenario definitions; default those stored in the projection.
    decompose : bool, sequence of str or mapping, default True
        Decompose every non-baseline scenario (True), these scenarios, or none; or a
        mapping of scenario name -> ``projection.decompose(name)`` already computed.
    sensitivity : DataFrame, optional
        A :func:`forecast.tornado` result; the report names its scenario and unit from
        ``sensitivity.attrs`` (``"scenario"``, ``"unit"``), which ``tornado`` sets.
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
    force : bool, default False
        Replace an existing file at `path` that forecast did not write, or that changed
        since. A report forecast wrote (its head carries ``<meta name="generator"
        content="forecast">``, then ``<meta name="forecast-sha256" content="...">``, the
        SHA-256 of the page without that line) and that nobody changed is replaced
        without it; an annotated report, or one an older version wrote (no digest), only
        with it; a link or a folder is refused even with it.

    Returns
    -------
    pathlib.Path
        The file written (at most 3 MB).
    """
    S.check_projection(projection, "write_report")
    S.check_records(records)
    S.check_inputs(history, fit, figures, projection)
    # the path first: a folder, a link or a non-path fails before any chart is drawn
    H.check_report_path(path, force)
    path = pathlib.Path(path)
    history = projection.history if history is None else history
    names = list(projection.scenario_names)
    base = baseline_name(projection, baseline) or names[0]
    if isinstance(decompose, Mapping):
        decomps = dict(decompose)
        for n, frame in decomps.items():
            if n not in names or not isinstance(frame, pd.DataFrame):
                raise ParameterError(
                    f"`decompose` as a mapping must map scenario names of the projection "
                    f"({', '.join(names)}) to projection.decompose(name) frames; got "
                    f"{n!r} -> {type(frame).__name__}. Pass e.g. decompose={{name: "
                    "projection.decompose(name)}, or decompose=True.")
    else:
        if decompose is True:
            chosen = ([n for n in names if n != base] if projection.scenarios is not None
                      else [])
        else:
            chosen = list(decompose or [])
            for n in chosen:  # in this argument's words, before any work
                if n not in names:
                    raise ParameterError(
                        f"`decompose` must list scenarios of the projection ({', '.join(names)}"
                        f"); got {n!r}.{suggest(n, names) if isinstance(n, str) else ''} Pass "
                        "those names, True (every scenario but the baseline) or False.")
        decomps = {n: projection.decompose(n, base) for n in chosen}
    fig = dict(figures or {})
    if plots:  # draw only the charts not passed in
        log.info("report: drawing charts")
        fig.update(render_figures(projection, history=history, decompositions=decomps,
                                  sensitivity=sensitivity, nowcast=nowcast, baseline=base,
                                  skip=tuple(fig), narrow=True))
    parts = _Parts(projection, history, fit, records, scenarios, sensitivity, backtest,
                   settings, base, decomps)
    page = parts.page(fig, title)
    size = len(page) + H.SEAL.overhead  # as written, with the line of its digest
    if size > MAX_BYTES:  # the phone versions of the charts go first
        log.info("report: %.2f MB; dropping the phone versions of the charts", size / 1e6)
        page = parts.page({k: v for k, v in fig.items() if not k.endswith(".narrow")}, title)
        size = len(page) + H.SEAL.overhead
    if size > MAX_BYTES:
        raise ParameterError(
            f"the report must be at most {MAX_BYTES:,} bytes; got {size:,}. "
            "Pass fewer scenarios or `decompose=False`."
        )
    # atomic; never through a link; an existing file only as check_report_path allowed
    H.write_report_file(path, page, force)
    log.info("report: wrote %s (%.2f MB)", path, len(page) / 1e6)
    return path


class _Parts:
    """The report's sections from its inputs; :meth:`page` renders them with the charts."""

    def __init__(self, projection, history, fit, records, scenarios, sensitivity, backtest,
                 settings, base, decomps):
        self.p, self.history, self.fit, self.records = projection, history, fit, records
        self.sensitivity, self.backtest, self.base, self.decomps = (sensitivity, backtest,
                                                                     base, decomps)
        defs = scenarios.scenarios if scenarios is not None else (projection.scenarios or ())
        self.by_name = {s.name: s for s in defs}
        self.message = key_message(projection, history, baseline=base)
        self.conf = settings_of(projection, settings, fit)
        # the US-calibrated presets applied to another market as written: said in the
        # key-message block and beside each assumption's evidence
        self.us_presets_on = applies_us_presets(self.conf, history, self.by_name.values())
        summary = compact_table(projection)
        self.summary = (_with_mixture(projection, summary)
                        if projection.probabilities is not None else summary)

    def sections(self, fig) -> list[tuple[str, str]]:
        p, names = self.p, list(self.p.scenario_names)
        years = compact_years([int(y) for y in p.years])
        out = [("Scenarios at a glance", S.headline(fig, self.summary, p.unit, self.history))]
        articles = "".join(
            S.scenario_article(p, self.by_name[n], fig, self.decomps, years, self.base,
                               self.message.effects.get(n), market=self.us_presets_on)
            for n in names if n != self.base and n in self.by_name)
        if articles:
            out.append(("Scenario by scenario", articles))
        if p.probabilities is not None:
            probs = ", ".join(f"{scenario_label(n)} {q:.0%}" for n, q in
                              zip(names, p.probabilities, strict=True))
            out.append(("Probability-weighted mixture", f"<p>Probabilities: {H.esc(probs)}."
                        "</p>" + S.img(fig, "mixture", "Fan chart of the probability-weighted "
                                       "mixture of the scenarios", MIXTURE_CAPTION)))
        out.append(("History and baseline model",
                    S.model_section(self.fit, self.backtest, self.history, fig,
                                    years=p.years)))
        out.append(("Sensitivity", S.sensitivity_section(self.sensitivity, fig)))
        out.append(("Data provenance", S.provenance(self.records, self.history)))
        out.append(("Reproduce", _reproduce(self.conf, p)))
        return out

    def page(self, fig, title: str | None) -> bytes:
        p = self.p
        stamp = report_stamp()
        meta = (f"{H.esc(getattr(p, 'model', ''))} · {p.n_paths:,} paths · seed "
                f"{H.esc(p.seed)} · {unit_text(p.unit)} · forecast {versions()['forecast']} · "
                f"{stamp}")
        name = str(getattr(p.history, "name", "") or "the series").replace("_", " ")
        text = H.page(title or f"{name}: scenarios to {int(p.years[-1])}",
                      S.key_block(self.message) + S.currency_caution(p.unit)
                      + preset_caution(self.conf, self.history, self.by_name.values()),
                      self.sections(fig), meta=meta,
                      notes=S.source_caution(self.records, self.history))
        return text.encode("utf-8")


#: The mixture chart's caption (it had none, alone of the report's figures).
MIXTURE_CAPTION = ("The scenarios pooled by their probabilities: each path is drawn whole "
                   "from one scenario, as many paths from each as its probability gives. "
                   "Median and 50%, 80% and 95% bands, with the whole reconstructed history "
                   "(black, its 95% band grey). Log scale: equal steps are equal ratios.")


def _with_mixture(projection, summary):
    level = next(c for c in summary.columns if c.startswith("lower_"))[6:]
    mix = compact_table(projection.mixture(), years=sorted(set(summary["year"])),
                        level=float(level))
    return pd.concat([summary, mix], ignore_index=True)


def _reproduce(conf, projection) -> str:
    return reproduce_block(conf, python_code(conf, projection))


def reproduce_block(conf, code: str) -> str:
    """The "Reproduce" section of both reports: the library versions, the command (when
    one ran), the Python `code` that reproduces the run, and the settings."""
    ver = versions()
    vt = H.table(settings_frame(ver).rename(columns={"setting": "library",
                                                     "value": "version"}), labels=False)
    command = conf.get("command")
    cmd = f"<h3>Command</h3>{H.pre(command, keep_words=True)}" if command else ""
    # the settings' names wrap between words; a value longer than its column (a path)
    # breaks anywhere, and on a phone each setting is a block, so the table never scrolls
    # sideways (report.css, as the markets report's)
    return (f"<h3>Library versions</h3>{vt}{cmd}<h3>Python</h3>"
            f"{H.pre(code)}<h3>Settings</h3>"
            f'<div class="settings-cells">{H.table(settings_frame(conf), stack=True)}</div>')
