"""Sections of the HTML report (private to :mod:`forecast.report`).

Each function returns an HTML fragment; :func:`forecast.report.write_report` puts them in
the order a reader needs: key message, headline chart, one section per scenario, history
and model, sensitivity, data provenance (collapsed), reproduction.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ForecastError, ForecastTypeError, ParameterError
from ..plotting._shapes import decomposition_wide, history_kind
from ..plotting.names import (
    ASSUMPTION_COLORS,
    assumption_label,
    colors,
    label,
    part_label,
    scenario_label,
    unit_text,
)
from ..projection.engine import censoring
from ..records import Records
from ..records import provenance as provenance_table
from ..scenarios import Adoption, Diversion, Escalation, Fixed, LevelShift, Volatility
from . import _html as H
from ._markets_message import market_evidence
from .formats import format_parameter, format_value, significant


def key_block(message) -> str:
    """The title block's key message: the headline sentence, then the rest as a list."""
    first, *rest = message.sentences()
    items = "".join(f"<li>{H.esc(s)}</li>" for s in rest)
    return (f'<h2>Key message</h2><p class="lead">{H.esc(first)}</p>'
            + (f"<ul>{items}</ul>" if items else ""))


def img(figs: Mapping[str, bytes], key: str, alt: str, caption: str = "") -> str:
    if key not in figs:
        return ""
    return H.figure(figs[key], alt=alt, caption=caption, narrow=figs.get(f"{key}.narrow"))


def swatch(color: str) -> str:
    return f'<span class="swatch" style="background:{H.esc(color)}"></span>'


def compact_wide(table):
    """One row per scenario, one ``median [lower, upper]`` cell per year."""
    lo, hi = (c for c in table.columns if c.startswith(("lower_", "upper_")))
    cells = table.assign(cell=[f"{m:,.1f} [{a:,.1f}, {b:,.1f}]" for m, a, b in
                               zip(table["median"], table[lo], table[hi], strict=True)])
    wide = cells.pivot(index="scenario", columns="year", values="cell")
    wide = wide.reindex(list(dict.fromkeys(table["scenario"])))
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def glance_table(summary, unit: str) -> str:
    """Scenario rows, one column per year: the median, its band in small type beneath."""
    lo, hi = (c for c in summary.columns if c.startswith(("lower_", "upper_")))
    years = sorted({int(y) for y in summary["year"]})
    palette = colors(summary["scenario"].unique())
    head = "".join(f'<th scope="col" class="num">{y}</th>' for y in years)
    rows = []
    for name, g in summary.groupby("scenario", sort=False):
        g = g.set_index("year")
        cells = "".join(
            f'<td class="num" data-label="{y}">{g.at[y, "median"]:,.1f}<br><small>'
            f"{g.at[y, lo]:,.1f}-{g.at[y, hi]:,.1f}</small></td>" for y in years)
        rows.append(f'<tr><th scope="row">{swatch(palette[name])}{H.esc(scenario_label(name))}</th>'
                    f"{cells}</tr>")
    cap = (f"Median and {lo[6:]}% band (small), {H.esc(unit_text(unit))}")
    return (f'<div class="table-wrap"><table class="glance"><caption>{cap}</caption><thead>'
            f'<tr><th scope="col">Scenario</th>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></div>")


def headline(figs, summary, unit: str, history=None) -> str:
    return (img(figs, "headline", "Baseline fan chart with every scenario's median",
                "The baseline's 50% and 80% bands (shaded) with the median of every "
                "scenario; end values labelled. Log scale: equal steps are equal ratios.")
            + glance_table(summary, unit) + fx_note(summary, unit, history))


#: How an exchange rate of the history was found (``History.observations()["fx_method"]``).
_FX_SOURCES = {"implied": "MOFCOM's own CNY and USD totals of the year",
               "annual": "the exchange-rate table's annual average",
               "monthly": "the exchange-rate table's monthly averages",
               "carried": "the exchange-rate table's last rate, carried forward"}


def _fx_used(history):
    """(year, CNY per USD, how found) of the rates that converted the history's records."""
    obs = history.observations() if hasattr(history, "observations") else None
    if obs is None or obs.empty:
        return []
    used = obs[obs["used"].astype(bool) & np.isfinite(obs["fx_rate"].astype(float))]
    rows = used.sort_values("year").groupby("year").agg(
        rate=("fx_rate", "mean"), method=("fx_method", "last"))
    return [(int(y), float(r.rate), str(r.method)) for y, r in rows.iterrows()]


def fx_note(summary, unit: str, history=None, of: str = "") -> str:
    """What a projection in CNY assumes about the exchange rate (empty in USD).

    The CNY series is projected as it is: no exchange-rate path is applied to the
    projected years, so its trend carries the yuan's past moves against the dollar into
    them, and set against a USD run it implies they go on (``forecast run --currency
    CNY`` against the default gives about 8.1 CNY per USD in 2030). The note says so,
    with the rates that converted the history's records and where they come from, and
    the baseline's last median at the last of them (`of` names whose median it is, e.g.
    " of China's total" in a report of several markets).
    """
    if not str(unit).startswith("CNY"):
        return ""
    rates = _fx_used(history)
    last_year = int(summary["year"].max())
    first = summary[summary["year"] == last_year].iloc[0]
    text = ("<b>Exchange rate:</b> the series is projected in CNY as it is: no "
            "exchange-rate path is applied to the projected years. Its trend carries the "
            "yuan's past moves against the US dollar into them, so set against a "
            "projection in USD it implies that they go on; it does not hold the rate "
            "fixed.")
    if rates:
        (y0, r0, _), (y1, r1, how) = rates[0], rates[-1]
        text += (f" The history's records in USD were converted at {r0:.2f} CNY per USD in "
                 f"{y0} to {r1:.2f} in {y1} (the last, from "
                 f"{H.esc(_FX_SOURCES.get(how, how or 'the exchange-rate table'))}). At "
                 f"{r1:.2f}, the {H.esc(scenario_label(first['scenario'], in_sentence=True))}"
                 f" median{H.esc(of)} in {last_year}, {first['median']:,.1f} CNY bn, is "
                 f"{first['median'] / r1:,.1f} USD bn.")
    return f'<p class="fx-note">{text}</p>'


def nowcast_year(history) -> int | None:
    """The last history year when it is estimated from partial-year figures, else None."""
    if history is None or not hasattr(history, "nowcast"):
        return None
    try:
        return int(history.nowcast(n=10).year)
    except (ForecastError, ValueError, TypeError):
        return None


def currency_caution_text(unit: str) -> str:
    """The caution read with the key message when the projection is in CNY ("" else).

    ``forecast run --currency CNY`` reads like a change of display unit, but the models
    extrapolate the CNY series, whose trend includes the yuan's past moves against the
    dollar, and no exchange-rate path is modelled: the growth, the key message's chances
    and the bands differ a lot from those of the same run in USD (docs/results.md, "The
    reporting currency", measures it). The note under the glance table (:func:`fx_note`)
    gives the rates; this says, where the key message is read (the report's key-message
    block, :func:`currency_caution`, and the command line's summary), that its figures
    are not those of a projection in USD.

    >>> currency_caution_text("CNY_bn").startswith("Caution, currency: this projection")
    True
    >>> currency_caution_text("USD_bn")
    ''
    """
    if not str(unit).startswith("CNY"):
        return ""
    return ("Caution, currency: this projection is of the series in CNY, not a projection "
            "in US dollars restated in yuan. Future exchange rates are not modelled: the "
            "CNY history's trend includes the yuan's past moves against the dollar, and the "
            "projection carries them on as growth, so its growth rates and the chances in "
            "the key message differ from those of the same run in USD. Its bands differ too, "
            "for another reason: the models are fitted to the CNY series afresh, and their "
            "widths on it are not those on the USD series. Neither is the same uncertainty "
            "in another unit. For the outlook in dollars, project in USD.")


def currency_caution(unit: str) -> str:
    """:func:`currency_caution_text` as the key-message block's HTML paragraph ("" in USD).

    >>> "not a projection in US dollars" in currency_caution("CNY_bn")
    True
    >>> currency_caution("USD_bn")
    ''
    """
    text = currency_caution_text(unit)
    if not text:
        return ""
    head, _, rest = text.partition(": ")
    return f'<p class="caution"><b>{H.esc(head)}:</b> {H.esc(rest)}</p>'


def unofficial_latest(records, history) -> tuple[list[int], list[tuple[str, list[int]]]]:
    """(years, [(source, its years), ...]) when every record the history uses in its last
    full year and its nowcast year comes from a source found at no official outlet (the
    ``official`` flag of :func:`forecast.records.provenance`), else ``([], [])``.

    The last full year is the latest year before the nowcast year that a used record
    informs (the year the key message compares with); without a nowcast year, the last
    year a used record informs. Records are matched to the history's observations by
    their ``origin`` and ``row``; a used record that `records` does not hold (or a
    history without observations) gives no caution: nothing is known of its source.
    """
    if records is None or not hasattr(history, "observations"):
        return [], []
    obs = history.observations()
    if obs is None or obs.empty or not {"used", "row", "origin"} <= set(obs.columns):
        return [], []
    used = obs[obs["used"].astype(bool)]
    now = nowcast_year(history)
    before = sorted(int(y) for y in used["year"].unique() if now is None or y < now)
    years = [y for y in (before[-1] if before else None, now)
             if y is not None and (used["year"] == y).any()]
    if not years:
        return [], []
    frame = records.frame
    keys = frame.set_index(["origin", "row"])["source"]
    keys = keys[~keys.index.duplicated()]
    official = dict(zip(*(provenance_table(records)[c] for c in ("source", "official")),
                        strict=True))
    found: dict[str, list[int]] = {}
    for y in years:
        for origin, row in used.loc[used["year"] == y, ["origin", "row"]].itertuples(
                index=False):
            source = keys.get((origin, row))
            if source is None or official.get(source, True):
                return [], []  # an official source, or one not known: no caution
            found.setdefault(str(source), [])
            if y not in found[str(source)]:
                found[str(source)].append(y)
    return years, list(found.items())


def source_caution(records, history) -> str:
    """A caution read with the key message when the latest years rest on unofficial
    sources (:func:`unofficial_latest`): the years, and each source with its years.

    The projection starts from the nowcast year, and the key message compares with the
    last full year: when no official outlet carries any figure behind them, a reader
    should know it before the figures (the provenance table says it only folded).
    Empty otherwise.
    """
    years, sources = unofficial_latest(records, history)
    if not years:
        return ""
    what = (f"{years[0]}, the last full year, and {years[1]}, the nowcast year the "
            "projection starts from," if len(years) == 2 else f"{years[0]}")
    cited = "; ".join(f"{H.esc(src)} ({', '.join(map(str, ys))})" for src, ys in sources)
    return (f'<p class="caution"><b>Caution, sources:</b> every figure behind {what} comes '
            "from a source found only as a re-post or a secondary report, at no official "
            f"outlet: {cited}. The projection and the key "
            'message\'s comparison rest on them (see <a href="#data-provenance">Data '
            "provenance</a>).</p>")


def _distribution(param: str, dist) -> str:
    """A parameter's value: a fixed one as a number, an uncertain one as its distribution."""
    if dataclasses.is_dataclass(dist):
        vals = [(f.name, getattr(dist, f.name)) for f in dataclasses.fields(dist)]
        if type(dist).__name__ == "Fixed":
            return _number(param, vals[0][1])
        inner = ", ".join(f"{k} {format_parameter(param, v)}" for k, v in vals)
        return f"{type(dist).__name__}({inner})"
    return _number(param, dist) if isinstance(dist, int | float) else str(dist)


def _number(param: str, value) -> str:
    """A fixed value: whole numbers (years, a 2-year phase-in) without decimals."""
    if isinstance(value, int | float) and float(value).is_integer():
        return f"{value:.0f}"
    return format_parameter(param, value)


#: Fields of an assumption that are not parameters (a group's parts are listed instead).
_NOT_PARAMETERS = ("name", "parts")


def all_parameters(assumption, prefix: str = "") -> dict[str, object]:
    """Every parameter of `assumption` that affects the result, fixed or uncertain.

    Its dataclass fields but the name (a :class:`~forecast.scenarios.Group`'s parts each
    under ``"<part>."``), without those left out (None) and without the assumption's own
    probability (the report gives it in a column of its own); a part's probability only
    when it is not 1. :meth:`Assumption.parameters` gives the uncertain ones only. A
    :class:`~forecast.scenarios.Diversion` gives its source's parameters under
    ``"source."``, the share of the loss it diverts and where to (which act only in a
    projection of several markets).
    """
    if isinstance(assumption, Diversion):  # on one market, the source acts alone
        out = all_parameters(assumption.source, f"{prefix}source.")
        to = ", ".join(assumption.to) or "every other market"
        out[f"{prefix}diverted_share"] = assumption.rate
        out[f"{prefix}diverted_to"] = (f"{to} (only in a projection of several markets; "
                                       "on one market the source acts alone)")
        return out
    out = {}
    for f in dataclasses.fields(assumption):
        value = getattr(assumption, f.name)
        if f.name in _NOT_PARAMETERS or value is None:
            continue
        if f.name == "probability" and (not prefix or _distribution(f.name, value) == "1"):
            continue
        out[prefix + f.name] = value
    for part in getattr(assumption, "parts", ()):
        out.update(all_parameters(part, f"{prefix}{part.name}."))
    return out


#: The primitives' parameters that are changes in the log level: a value x changes the
#: level by exp(x) - 1, which the report gives beside it (-0.25 is -22.1%, not -25%).
_LEVEL_EFFECTS = ((LevelShift, "size"), (Escalation, "size"), (Adoption, "ceiling"))


def level_effects(assumption, prefix: str = "") -> set[str]:
    """The keys of :func:`all_parameters` that are changes in the log level (sizes of
    steps and jumps, ceilings of S-curves), in the same ``"<part>."`` form."""
    if isinstance(assumption, Diversion):
        return level_effects(assumption.source, f"{prefix}source.")
    keys = {prefix + name for kind, name in _LEVEL_EFFECTS if isinstance(assumption, kind)}
    for part in getattr(assumption, "parts", ()):
        keys |= level_effects(part, f"{prefix}{part.name}.")
    return keys


def on_level(dist) -> str:
    """The change in the level that a log-level effect's values stand for, exp(x) - 1:
    a fixed value's, or an uncertain one's low, mode and high ("" when it has none).

    >>> from forecast.scenarios import Triangular
    >>> on_level(Triangular(-0.25, -0.10, -0.03))
    ' (on the level: -22.1%, -9.5%, -3.0%)'
    >>> on_level(0.05)
    ' (on the level: +5.1%)'
    """
    if isinstance(dist, numbers.Real) and not isinstance(dist, bool):
        values = [dist]
    elif isinstance(dist, Fixed):
        values = [getattr(dist, "value", None)]
    else:
        values = [getattr(dist, f, None) for f in ("low", "mode", "high")]
    values = [float(v) for v in values
              if isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)]
    if not values:
        return ""
    return " (on the level: " + ", ".join(f"{100 * math.expm1(v):+.1f}%" for v in values) + ")"


def assumptions_table(scenario, market: str | None = None) -> str:
    """The assumptions of `scenario`: every parameter and the evidence behind it; with
    `market`, the evidence is said to be US evidence applied to that market. A size or
    ceiling (a change in the log level) is followed by the change in the level it is."""
    rows = []
    for a in scenario.assumptions:
        prob = getattr(a, "probability", 1.0)
        prob_text = _distribution(f"{a.name}.probability", prob)
        level = level_effects(a)
        what = "; ".join(f"{part_label(k)}: {_distribution(k, d)}"
                         + (on_level(d) if k in level else "")
                         for k, d in all_parameters(a).items())
        rows.append({"assumption": assumption_label(a.name), "probability": prob_text,
                     "parameters": what or "none",
                     "evidence": market_evidence(a.name, market)})
    if not rows:
        return '<p class="muted">No assumption: the baseline model alone.</p>'
    frame = pd.DataFrame(rows)
    return H.table(frame, caption="Assumptions: every parameter, a number when fixed, a "
                   "distribution when uncertain. Sizes and ceilings are changes in the log "
                   "level (growth changes, in its yearly change): x changes the level by "
                   "exp(x) - 1, close to x only when small (0.01 is +1.0%, -0.25 is "
                   "-22.1%), so sizes and ceilings are followed by that change in the level",
                   stack=True)


def _decomposition_table(frame, years) -> str:
    """Each assumption's part of the gap in log points, which add up to the total exactly,
    and the total, also as the change in the level it stands for, ``exp(total / 100) - 1``:
    log points read as percent only when small (-34.0 of them are -28.8%)."""
    wide, _ = decomposition_wide(frame, None, None)
    wide = wide[wide.index.isin(years)].copy()
    wide.columns = [assumption_label(c) for c in wide.columns]  # as in the other tables
    wide["total"] = wide.sum(axis=1)
    wide = wide.reset_index()
    *parts, total = wide.columns[1:]
    formats = {c: (lambda r, v: f"{round(v, 1) + 0.0:+.1f}") for c in parts}
    formats[total] = lambda r, v: (f"{round(v, 1) + 0.0:+.1f} "
                                   f"({round(100 * math.expm1(v / 100), 1) + 0.0:+.1f}%)")
    return H.table(wide, formats=formats,
                   caption="Contribution to the gap in log points (100 times the mean log "
                   "ratio of the scenario to the baseline), which add up exactly to the "
                   "total; in brackets, that total as a change in the level, "
                   "exp(total / 100) - 1, because log points are close to percent only "
                   "when small (-10 log points are -9.5%, -34 are -28.8%). Each figure is "
                   "rounded on its own, so the parts can differ from the total by 0.1",
                   stack=True)  # on a phone a block per year: the total's level is too wide


def spreads(assumptions) -> list[str]:
    """The names of `assumptions` that widen the spread of the paths: a
    :class:`~forecast.scenarios.Volatility`, or a group or diversion holding one."""
    out = []
    for a in assumptions or ():
        inner = [a.source] if isinstance(a, Diversion) else list(getattr(a, "parts", ()))
        if isinstance(a, Volatility) or spreads(inner):
            out.append(a.name)
    return out


def spread_note(assumptions, shown: str = "log") -> str:
    """The note under a decomposition table whose scenario has a spread assumption
    (:func:`spreads`; "" without one): its sign can differ between the mean log level
    and the mean level. `shown` is the table's measure, "log" or "level".

    Fragmentation's policy uncertainty is -2.6 log points for the US in 2035 in the report
    of one market and +1.22 USD bn in the report of several: a volatility scale keeps the
    median path and widens the spread; the log paths' long lower tail lowers the mean log
    level, while the level, convex in the log level, gains on average (docs/results.md,
    "Decomposition").
    """
    names = spreads(assumptions)
    if not names:
        return ""
    which = ", ".join(assumption_label(n) for n in names)
    other = ("on the mean level (in the unit) instead of these log points" if shown == "log"
             else "on the mean log level (in log points, as a report of one market gives "
                  "it) instead of these levels")
    return (f'<p class="muted"><b>Reading {H.esc(which)}:</b> an assumption that widens '
            "the spread of the paths (a volatility scale) keeps the median path, but it "
            "can lower the mean log level while it raises the mean level: the log paths "
            "have a long lower tail, and the level is convex in the log level. Measured "
            f"{other}, its part of the gap can have the opposite sign.</p>")


def scenario_article(projection, scenario, figs, decomps, years, baseline, effect,
                     market: str | None = None) -> str:
    name = scenario.name
    color = colors(projection.scenario_names)[name]
    parts = [f'<article class="scenario" id="scenario-{H.anchor(name)}">'
             f"<h3>{swatch(color)}{H.esc(scenario_label(name))}</h3>"]
    desc = getattr(scenario, "description", "")
    if desc:
        parts.append(f"<p>{H.esc(desc)}</p>")
    if effect is not None:
        parts.append(f"<p><b>Effect in {years[-1]}:</b> {effect:+.1f}% against the "
                     f"{H.esc(scenario_label(baseline, in_sentence=True))} on average (the "
                     "geometric mean of the path-by-path ratios, which the decomposition "
                     "splits by assumption).</p>")
    parts.append(assumptions_table(scenario, market))
    charts = (img(figs, f"fan_{name}", f"{scenario_label(name)} fan chart against the baseline",
                  "Fan of the scenario (shaded) with the baseline's median (dashed) and 80% "
                  "band (dotted).")
              + img(figs, f"difference_{name}", f"{scenario_label(name)} minus the baseline",
                    "Difference to the baseline on the same paths (common random numbers), in "
                    "percent of the baseline's level. The legend gives, for scale, the "
                    "scenario's own 80% level band in the last year, in percent of the "
                    "baseline's median: far wider, because it carries the baseline's "
                    "uncertainty too."))
    if charts:
        parts.append(f'<div class="charts">{charts}</div>')
    if name in decomps:
        parts.append(img(figs, f"decomposition_{name}", f"What drives {scenario_label(name)}",
                         "Each assumption's contribution to the gap, per year; black: "
                         "the total."))
        parts.append(_decomposition_table(decomps[name], years)
                     + spread_note(scenario.assumptions, "log"))
    parts.append("</article>")
    return "".join(parts)


def provenance(records, history) -> str:
    parts = []
    if records is not None:
        frame = records.frame
        market = getattr(history, "market", "US")
        if history is not None and "market" in frame.columns:
            frame = frame[frame["market"] == market]
        # a report of several markets (no history) has no one market to count
        count = (f"{len(records.frame):,} published figures in total; {len(frame):,} for "
                 "this market." if history is not None else
                 f"{len(records.frame):,} published figures.")
        parts.append(f"<p>{count} Every figure carries its source. The addresses are "
                     "links: this file loads nothing, and a link only when clicked.</p>")
        # the official outlet's address where one was found, else the re-post; records
        # without this market have no row to cite (and filtering them would warn)
        mine = records if len(frame) == len(records.frame) else (
            records.filter(market=market) if market in records.markets else None)
        if mine is not None:
            src = provenance_table(mine)[["source", "address", "official", "figures",
                                          "years"]]
            parts.append(H.table(src, stack=True, anywhere=("address",), whole_words=True,
                                 links=("address",)))
    if history is not None and hasattr(history, "to_frame"):
        ev = history.to_frame()
        if "evidence" in ev.columns:
            parts.append("<h3>What informed each year</h3>"
                         + H.table(ev[[c for c in ("year", "n_records", "evidence")
                                       if c in ev.columns]], stack=True, whole_words=True))
    inner = "".join(parts) or '<p class="muted">No records were passed to the report.</p>'
    # addresses break anywhere (no table wider than a phone); the other cells wrap
    # between words, or they were squeezed into "2009-202/5" at a desktop's width
    return ("<details><summary>Sources of every figure and what informed each year"
            f'</summary><div class="provenance">{inner}</div></details>')


def model_section(fit, backtest, history, figs, years=None) -> str:
    parts = [img(figs, "history", "Reconstructed history with the published records",
                 "Reconstructed history: median, bands and every published record used. A "
                 "partial-year figure or a growth rate is drawn as the annual level it "
                 "implies: a partial figure scaled up to the full year by the months' usual "
                 "share of it, a growth rate applied to the median of the year before (a "
                 "rate for the first months drawn as if the whole year grew at it).")]
    if "nowcast" in figs:
        parts.append(img(figs, "nowcast", "Nowcast of the latest year"))
    if fit is not None:
        aicc = getattr(fit, "aicc", np.nan)
        parts.append(f"<p>Baseline model: <b>{H.esc(getattr(fit, 'name', fit))}</b>"
                     + (f", AICc {aicc:,.1f}" if np.isfinite(aicc) else "") + ".</p>")
        parts.append(censoring_note(fit, years))
        members = _members(getattr(fit, "params", {}) or {})
        if members is not None:
            spec = getattr(fit, "spec", None)
            parts.append(H.table(members, caption="Families in the baseline model: the "
                                 "weight of each in the combination, and the AICc of its "
                                 "own fit (not comparable between families: see below)"))
            parts.append(aicc_note(spec))
            if getattr(spec, "method", None) == "combine" and \
                    len(set(getattr(fit, "groups", ()))) > 1:  # families were pooled
                parts.append(_centre_note(getattr(spec, "center", None)))
    if backtest is not None:
        cols = [c for c in ("model", "target", "horizon", "n", "mase", "crps_log",
                            "coverage_80", "coverage_95") if c in backtest.columns]
        parts.append("<h3>Backtest</h3>"
                     + H.table(backtest[cols] if cols else backtest,
                               caption="Rolling-origin backtest, averaged over origins"))
    return "".join(parts)


def aicc_note(spec) -> str:
    """Why the families' AICc values in the model section do not rank the families.

    Each family's likelihood counts other observations (the changes, the levels, the
    second differences: docs/models.md), so the values are not comparable between
    families, although a table invites comparing them. Says too whether the weights use
    them (``Auto(weights="aicc")``, ``method="select"``) or not (equal weights).
    """
    text = ("<b>Reading the AICc column:</b> the values are not comparable between "
            "families, so a lower one does not show that a family fits better. Each "
            "family's likelihood is computed on different observations (for example Drift on the "
            "year-to-year changes, Theta on the levels, the local linear trend on the "
            "second differences), and an AICc can only compare models of the same "
            "observations.")
    if getattr(spec, "method", None) == "select":
        text += (" This model still selects the family with the lowest one, on a scale "
                 "that keeps the choice from depending on the unit: a convention, not a "
                 "test of fit.")
    elif getattr(spec, "weights", None) == "aicc":
        text += (" This model still weights the families by them (Akaike weights), on a "
                 "scale that keeps the weights from depending on the unit: a convention, "
                 "not a test of fit.")
    else:
        text += " The families are weighted equally: the values play no part in the model."
    return f'<p class="muted">{text}</p>'


def _centre_note(center) -> str:
    """How an ``Auto`` combination is centred, in a sentence (empty for other fits)."""
    if center not in ("median", "mean"):
        return ""
    return (f"<p>Each year the baseline is centred on the {center} of the families' "
            "forecasts; how far they disagree widens its bands.</p>")


def check_records(records, history_hint: str = "; a History goes to `history=`") -> None:
    """Refuse `records` that are not Records (or None), before anything is drawn."""
    if records is not None and not isinstance(records, Records):
        raise ForecastTypeError(
            f"`records` must be Records (the releases used) or None; got "
            f"{type(records).__name__}. Pass forecast.load_releases() or "
            f"Records.from_csv(path){history_hint}.", field="records")


def check_inputs(history=None, fit=None, figures=None, projection=None) -> None:
    """Refuse a `history`, `fit` or `figures` of the wrong kind (ForecastTypeError), before
    any work: each would otherwise show up on the page as text or fail deep inside. With
    `projection`, a history or fit of another series (market, flow, currency) or ending
    in another year is refused too (ParameterError): the page would describe one series
    with another's history, model and evidence."""
    if history is not None:
        kind = history_kind(history)  # a History or an AnnualSeries (its own message otherwise)
        if projection is not None:
            _check_same_series("history", history.series if kind == "history" else history,
                               projection)
    if fit is not None and not (isinstance(getattr(fit, "name", None), str)
                                and callable(getattr(fit, "simulate", None))):
        raise ForecastTypeError(
            f"`fit` must be the baseline Fit (what ModelSpec.fit returns) or None; got "
            f"{type(fit).__name__} {fit!r:.60}. Pass e.g. fit=forecast.Auto().fit(history), "
            "or leave it out.", field="fit")
    if fit is not None and projection is not None and hasattr(fit, "series"):
        _check_same_series("fit", fit.series, projection)
    if figures is not None and not (
            isinstance(figures, Mapping)
            and all(isinstance(k, str) and isinstance(v, bytes) for k, v in figures.items())):
        raise ForecastTypeError(
            f"`figures` must map chart names to image bytes (what render_figures returns) "
            f"or be None; got {type(figures).__name__} {figures!r:.60}. Pass "
            "figures=forecast.report.render_figures(projection), or leave it out.",
            field="figures")


def _check_same_series(name: str, series, projection) -> None:
    """`series` (of the `name` argument) is the series `projection` was projected from."""
    own = getattr(projection, "history", None)
    if own is None or not hasattr(series, "last_year"):
        return
    names_differ = bool(series.name and own.name) and series.name != own.name
    if names_differ or (series.unit, int(series.last_year)) != (own.unit,
                                                                 int(own.last_year)):
        raise ParameterError(
            f"`{name}` must belong to the projected series, {own.name or 'unnamed'} in "
            f"{own.unit} to {own.last_year}; got {series.name or 'an unnamed series'} in "
            f"{series.unit} to {series.last_year}. Pass the {name} the projection was made "
            f"from (the same market, flow and currency), or leave it out.", field=name)


def check_projection(projection, caller: str) -> None:
    """Refuse what is not a single-market Projection (ForecastTypeError), pointing a
    MarketProjection to the markets report or to one of its markets."""
    if hasattr(projection, "parts") and hasattr(projection, "shares"):
        raise ForecastTypeError(
            f"`projection` must be a single-market Projection for {caller}; got a "
            "MarketProjection. Use forecast.report.write_markets_report(mp, path) (its key "
            f"message covers every market), or pass one market: {caller}(mp.market(\"US\"), "
            "...).", field="projection")
    if not hasattr(projection, "samples") or not hasattr(projection, "scenario_names"):
        raise ForecastTypeError(
            f"`projection` must be a Projection; got {type(projection).__name__}. "
            "Pass the result of forecast.project(...).", field="projection")


def censoring_note(fit, years) -> str:
    """A caution when more than 1% of the baseline paths leave the working scale.

    The report's reader does not see the command line's warning (``forecast.project``);
    the same figures, from ``Fit.censored_share``, are stated here. Empty otherwise.
    """
    found = None if years is None else censoring(fit, years)
    if found is None:
        return ""
    first, _, share_last = found
    last = int(years[-1])
    when = (f"in {last}, {100 * share_last:.1f}% of the baseline paths" if int(first) == last
            else f"from {first} more than 1% of the baseline paths ({100 * share_last:.1f}% "
                 f"by {last})")
    return (f'<p class="caution"><b>Caution, long horizon:</b> {when} fall below the '
            f"boundary of the model's working scale (Box-Cox lambda {fit.lam:.2f}, close to "
            "the level: "
            "additive shocks can cross zero). Such a path has no positive level; it is "
            "censored at a millionth of the smallest observation, so lower quantiles at that "
            "value mean that the channel vanishes, not a figure. A fit on the log scale has "
            "no boundary, but its bands widen multiplicatively instead: this far from the "
            "data, fewer years are better supported.</p>")


def _members(params):
    """Table ``family, weight, aicc`` from an Auto fit's ``weight.*``/``aicc.*`` params."""
    fams = [k[len("weight."):] for k in params if str(k).startswith("weight.")]
    if not fams:
        return None
    return pd.DataFrame({"family": fams,
                         "weight": [params[f"weight.{f}"] for f in fams],
                         "aicc": [params.get(f"aicc.{f}", np.nan) for f in fams]})


def sensitivity_section(sensitivity, figs) -> str:
    if sensitivity is None:
        return '<p class="muted">No sensitivity analysis was run.</p>'
    which = sensitivity.attrs.get("scenario")
    # the level with every parameter at its median is one figure a year: said once in
    # the text, not repeated in every row (which leaves room for the swing's s.e.)
    once = "level_median" in sensitivity.columns and "swing_se" in sensitivity.columns \
        and "year" in sensitivity.columns
    cols = [c for c in ("year", "parameter", "low_value", "high_value", "level_low",
                        "level_high", "level_median", "swing", "swing_se")
            if c in sensitivity.columns and not (once and c == "level_median")]
    frame = sensitivity[cols].copy()
    at_median = ""
    if once and len(sensitivity):
        by_year = sensitivity.groupby("year", sort=True)["level_median"].first()
        unit = sensitivity.attrs.get("unit")
        figures = [f"{format_value('level_median', v)} in {int(y)}" for y, v in by_year.items()]
        at_median = (" With every parameter at its median the level is "
                     + (", ".join(figures[:-1]) + " and " if len(figures) > 1 else "")
                     + figures[-1] + (f" ({H.esc(unit_text(unit))})" if unit else "") + ".")
    if "parameter" in frame.columns:  # values first, while the parameter names are raw
        for c in ("low_value", "high_value"):
            if c in frame.columns:
                frame[c] = [format_parameter(p, v) for p, v in
                            zip(frame["parameter"].astype(str), frame[c], strict=True)]
        frame["parameter"] = [label(p) for p in frame["parameter"]]
    return ((f"<p>Scenario <b>{H.esc(scenario_label(which))}</b>: " if which else "<p>")
            + "the median level with each uncertain parameter at its 10th and 90th "
            "percentile, the others at their medians." + at_median
            + (" Swing s.e. is the swing's Monte Carlo standard error: a swing within two "
               "of them is not told apart from no effect by this many paths."
               if "swing_se" in cols else "") + "</p>"
            + img(figs, "tornado", _tornado_alt(sensitivity, which))
            # eight columns: one block a row on a phone; the s.e. to two significant digits
            + H.table(frame, stack=True, formats={"swing_se": lambda _, v: significant(v, 2)}))


def _tornado_alt(sensitivity, which) -> str:
    """The tornado's text alternative: what it shows and which parameter matters most."""
    alt = (f"Tornado chart{' of ' + scenario_label(which) if which else ''}: the median "
           "level with each uncertain parameter at its low and high value")
    if {"year", "parameter", "swing"} <= set(sensitivity.columns) and len(sensitivity):
        last = sensitivity[sensitivity["year"] == sensitivity["year"].max()]
        top = last.loc[last["swing"].abs().idxmax()]
        unit = sensitivity.attrs.get("unit")
        unit = f" {unit_text(unit)}" if unit else ""
        alt += (f"; in {int(top['year'])} the widest is {label(top['parameter'])} "
                f"(the median moves {abs(float(top['swing'])):,.1f}{unit} between its low "
                "and high value)")
    return alt


def assumption_legend(names) -> str:
    cols = colors(names, ASSUMPTION_COLORS)
    return " ".join(f"{swatch(c)}{H.esc(assumption_label(n))}" for n, c in cols.items())
