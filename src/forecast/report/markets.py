"""The markets section of the report, and a self-contained report of a multi-market run.

:func:`markets_section` returns the HTML of one section (tables, fan charts per market,
stacked shares, decompositions of the diversion scenarios) that any report can add as
``("Markets", markets_section(mp))``; :func:`write_markets_report` writes it with the
joint history, the provenance of the figures and the settings as one HTML file (what
``forecast run --markets`` writes).

Examples
--------
>>> import forecast
>>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
>>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
>>> mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2030, n_paths=200,
...                               seed=1)
>>> html = markets_section(mp, plots=False)
>>> "P(US share" in html
True
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping, Sequence

import pandas as pd

from .. import _fsio, plotting
from .._optional import require
from .._version import __version__
from ..errors import ForecastTypeError, ParameterError
from ..plotting._shapes import unit_label
from . import _html as H
from . import _sections as S
from .report import MAX_BYTES, compact_years
from .reproduce import settings_frame
from .reproduce import stamp as report_stamp

__all__ = ["market_figures", "market_table", "markets_section", "write_markets_report"]

DIVERSION_SCENARIOS = ("fragmentation_diversion", "friction_diversion")


def market_table(projection, years: Sequence[int] | None = None, level: float = 80,
                 share: bool = False) -> pd.DataFrame:
    """``median [lower, upper]`` per scenario and market at a few years.

    Returns
    -------
    DataFrame
        Columns ``market, scenario`` and one text column per year (levels in the
        projection's unit, or shares in percent).
    """
    years = compact_years(projection.years) if years is None else [int(y) for y in years]
    f = projection.summary_frame((level,), share=share)
    f = f[f["year"].isin(years)]
    lo, hi = f"lower_{level:g}", f"upper_{level:g}"
    cell = [f"{m:,.1f} [{a:,.1f}, {b:,.1f}]" for m, a, b in zip(f["median"], f[lo], f[hi],
                                                                   strict=True)]
    wide = f.assign(cell=cell).pivot(index=["market", "scenario"], columns="year",
                                     values="cell")
    order = [(m, s) for m in dict.fromkeys(f["market"]) for s in projection.scenario_names]
    wide = wide.reindex(order)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def _probabilities(projection, market: str = "US", thresholds=(15.0, 20.0)) -> pd.DataFrame:
    years = [y for y in (2030, int(projection.years[-1])) if y in projection.years.tolist()]
    out = {"scenario": list(projection.scenario_names)}
    for y in dict.fromkeys(years):
        for t in thresholds:
            out[f"P({market} share < {t:g}%, {y})"] = projection.prob_below(
                t, y, market, share=True).to_numpy()
    return pd.DataFrame(out)


def market_figures(projection, scenario: str | None = None, dpi: int = 90) -> dict[str, bytes]:
    """The fan charts per market and the stacked shares of `scenario`, as PNG bytes.

    Returns
    -------
    dict of str to bytes
        Keys ``market_fans`` and ``market_shares``.
    """
    fig_cls = require("matplotlib.figure", "plot", "Drawing the markets charts").Figure
    scenario = scenario or _chart_scenario(projection)
    n = len(projection.markets)
    fig = fig_cls(figsize=(3.4 * min(3, n), 2.7 * -(-n // 3) + 0.6))
    plotting.market_fans(projection, scenario, fig=fig, yscale="log")
    fig.suptitle(f"Scenario: {scenario}", fontsize="large")  # the panels do not name it
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=0.95 / w, right=0.99, top=1 - 0.65 / h, bottom=0.35 / h,
                        wspace=0.25, hspace=0.3)
    out = {"market_fans": H.png_bytes(fig, dpi)}
    fig = fig_cls(figsize=(7.5, 4.2))
    plotting.share_chart(projection, scenario, ax=fig.subplots())
    fig.subplots_adjust(left=0.11, right=0.88, top=0.9, bottom=0.12)  # legend at the right
    out["market_shares"] = H.png_bytes(fig, dpi)
    return out


def _chart_scenario(projection) -> str:
    names = projection.scenario_names
    return next((s for s in DIVERSION_SCENARIOS if s in names), names[0])


def _reference(projection, scenario: str) -> str | None:
    """The scenario `scenario` is decomposed against: "baseline", else the first other one.

    None when the projection holds no other scenario (nothing to compare with).
    """
    names = projection.scenario_names
    if "baseline" in names and scenario != "baseline":
        return "baseline"
    return next((n for n in names if n != scenario), None)


def _decomposition(projection, scenario: str) -> str:
    last = int(projection.years[-1])
    reference = _reference(projection, scenario)
    if reference is None:  # e.g. forecast run --markets ... --scenario friction_diversion
        return (f'<p class="muted">{H.esc(scenario)} is not decomposed: the run has no other '
                "scenario to compare it with (add the baseline, e.g. --scenario baseline)."
                "</p>")
    d = projection.decompose(scenario, reference)
    d = d[d["year"] == last]
    wide = d.pivot(index="market", columns="assumption", values="level").reindex(
        list(projection.markets))
    wide["total"] = wide.sum(axis=1)
    return (f"<h3>{H.esc(scenario)}: contributions to the gap to {H.esc(reference)} in {last} "
            f"({H.esc(unit_label(projection.unit))}, mean level)</h3>"
            + H.table(wide.reset_index(), labels=False))


def markets_section(projection, *, figures: Mapping[str, bytes] | None = None,
                    plots: bool = True, decompose: bool | Sequence[str] = True,
                    level: float = 80, dpi: int = 90) -> str:
    """HTML of the markets section of a report (no heading: the caller names it).

    Parameters
    ----------
    projection : MarketProjection
    figures : mapping, optional
        Charts already drawn by :func:`market_figures`.
    plots : bool, default True
        False: tables only (no matplotlib needed).
    decompose : bool or sequence of str, default True
        Decompose the diversion scenarios present (True), these scenarios, or none.
    level : float, default 80
    dpi : int, default 90

    Returns
    -------
    str
        HTML: levels and shares per market and scenario, the probabilities that the US
        share falls below 15% and 20%, the charts, and the decompositions.
    """
    if not hasattr(projection, "parts") or not hasattr(projection, "shares"):
        raise ForecastTypeError(f"`projection` must be a MarketProjection; got "
                                f"{type(projection).__name__}. Pass the result of "
                                "forecast.project_markets(...).")
    fig = dict(figures or {})
    if plots and not {"market_fans", "market_shares"} <= set(fig):
        fig.update(market_figures(projection, dpi=dpi))
    unit = unit_label(projection.unit)
    parts = [f"<p>China's total and {len(projection.parts) - 1} source markets plus the rest "
             f"of the world (ROW), projected together: the markets add up to the total in "
             f"every path. Median and {level:g}% band ({H.esc(unit)}):</p>",
             H.table(market_table(projection, level=level), labels=False)]
    parts.append(f"<h3>Shares of China's total (%), median and {level:g}% band</h3>"
                 + H.table(market_table(projection, level=level, share=True), labels=False))
    if "US" in projection.parts:
        parts.append("<h3>How likely is a smaller US share?</h3>"
                     + H.table(_probabilities(projection), labels=False))
    shown = H.esc(_chart_scenario(projection))
    for key, cap in (("market_fans", f"Fan chart of every market, scenario {shown} (log "
                                     "scale)."),
                     ("market_shares", f"Shares of China's total, scenario {shown}: "
                                       "reconstructed, then the mean projected share.")):
        if key in fig:
            parts.append(H.figure(fig[key], alt=key.replace("_", " "), caption=cap))
    if decompose is True:
        chosen = [s for s in DIVERSION_SCENARIOS if s in projection.scenario_names]
    else:
        chosen = list(decompose or [])
    parts += [_decomposition(projection, s) for s in chosen]
    notes = projection.settings.get("diversion_notes") or {}
    if notes:
        parts.append("<p class=\"muted\">" + "; ".join(f"{H.esc(k)}: {H.esc(v)}"
                                                      for k, v in notes.items()) + "</p>")
    return "".join(parts)


def write_markets_report(projection, path, *, records=None, settings: Mapping | None = None,
                         plots: bool = True, figures: Mapping[str, bytes] | None = None,
                         title: str | None = None, dpi: int = 90) -> pathlib.Path:
    """Write a self-contained HTML report of a multi-market projection.

    Sections: markets (:func:`markets_section`), the joint history, data provenance and
    the settings to reproduce the run. Returns the path written (at most 3 MB).
    """
    # the path first: a folder, a link or a non-path fails before any chart is drawn
    _fsio.check_new_file(path, force=True, what="report")
    body = markets_section(projection, figures=figures, plots=plots, dpi=dpi)
    hist = projection.history.to_frame()
    last = hist[hist["year"] >= int(hist["year"].max()) - 4]
    params = {k: round(float(v), 4) for k, v in projection.history.params.items()
              if isinstance(v, float)}
    history_html = ("<p>Joint reconstruction (median and bands; ALL is China's total), last "
                    "five years:</p>" + H.table(last.drop(columns=["evidence"]))
                    + f'<p class="muted">Estimates: {H.esc(json.dumps(params))}</p>')
    conf = {"model": projection.model, "seed": projection.seed,
            "n_paths": projection.n_paths, "markets": list(projection.parts),
            "scenarios": list(projection.scenario_names), **dict(settings or {})}
    conf = {k: (v if isinstance(v, str | int | float | bool | list | type(None)) else str(v))
            for k, v in conf.items()}
    sections = [("Markets", body), ("Joint history", history_html),
                ("Data provenance", S.provenance(records, None)),
                ("Reproduce", H.table(settings_frame(conf))
                 + H.pre(json.dumps(conf, indent=2, default=str)))]
    stamp = report_stamp()
    key = ("<h2>Key message</h2><p class=\"lead\">China's total and its source markets, "
           "projected together: the markets add up to the total on every path, and "
           "diversion scenarios move part of what one market loses to the others.</p>")
    meta = (f"{H.esc(projection.model)} · {projection.n_paths:,} paths · seed "
            f"{H.esc(projection.seed)} · forecast {__version__} · {stamp}")
    text = H.page(title or "China's service outsourcing by source market", key, sections,
                  meta=meta)
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ParameterError(f"the report must be at most {MAX_BYTES:,} bytes; got "
                             f"{len(data):,}. Pass fewer scenarios or a lower `dpi`.")
    path = pathlib.Path(path)
    _fsio.write_bytes(path, data, what="report")  # atomic; never through a link
    return path
