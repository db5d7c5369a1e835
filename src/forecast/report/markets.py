"""The markets section of the report, and a self-contained report of a multi-market run.

In the order a reader needs it: a key message computed from the projection (the share
of one market, by default the US, in China's total now and in the last projected year
under the baseline; the scenario that moves it most; what a diversion scenario sends to
the other markets; the probability-weighted mixture when the scenarios carry
probabilities), the charts, one table of the baseline in the last year, one of every
scenario's change against it, the mixture's table (:meth:`MarketProjection.mixture
<forecast.markets.MarketProjection.mixture>`), the chance that the share falls below a
threshold, the diversion decompositions, and the full tables folded in ``<details>``.
:func:`markets_section` returns all of it as the HTML of one section that any report can
add as ``("Markets", markets_section(mp))``; :func:`write_markets_report` writes it with
the joint history, the provenance of the figures and the settings as one HTML file (what
``forecast run --markets`` writes).

Examples
--------
>>> import forecast
>>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
>>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
>>> mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2030, n_paths=200,
...                               seed=1)
>>> html = markets_section(mp, plots=False)
>>> "the US share of China&#x27;s total" in html
True
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Mapping, Sequence

import pandas as pd

from .. import plotting
from .._keywords import checked_keywords
from .._optional import require
from .._validation import check_level, level_label
from .._version import __version__
from ..errors import ForecastTypeError, ParameterError
from ..plotting._base import fonts_for, quiet_font_lookup, source_line, text_renderer
from ..plotting.names import assumption_label, scenario_label, unit_text
from ..plotting.scenario_charts import SOURCE
from . import _html as H
from . import _sections as S
from ._markets_message import (
    _band,
    _base,
    _diversions,
    _gaps,
    _message,
    _name,
    _reference,
    _signed,
    _the,
    markets_preset_caution,
    unpublished,
)
from .figures import _Canvas
from .formats import percent
from .keymessage import _default_prob_year
from .report import MAX_BYTES, compact_years, reproduce_block
from .reproduce import markets_python_code
from .reproduce import stamp as report_stamp

__all__ = ["market_figures", "market_table", "markets_section", "write_markets_report"]


@checked_keywords
def market_table(projection, years: Sequence[int] | None = None, level: float = 80,
                 share: bool = False) -> pd.DataFrame:
    """``median [lower, upper]`` per scenario and market at a few years.

    Returns
    -------
    DataFrame
        Columns ``market, scenario`` and one text column per year (levels in the
        projection's unit, or shares in percent).
    """
    level = check_level("level", level)
    years = compact_years(projection.years) if years is None else [int(y) for y in years]
    f = projection.summary_frame((level,), share=share)
    f = f[f["year"].isin(years)]
    lo, hi = f"lower_{level_label(level)}", f"upper_{level_label(level)}"
    cell = [f"{m:,.1f} [{a:,.1f}, {b:,.1f}]" for m, a, b in zip(f["median"], f[lo], f[hi],
                                                                   strict=True)]
    wide = f.assign(cell=cell).pivot(index=["market", "scenario"], columns="year",
                                     values="cell")
    order = [(m, s) for m in dict.fromkeys(f["market"]) for s in projection.scenario_names]
    wide = wide.reindex(order)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def _grid(caption: str, first: str, heads: Sequence[str], rows: Sequence[str]) -> str:
    """A numeric table: a text first column, then `heads`; a list of blocks on a phone."""
    head = "".join(f'<th scope="col" class="num">{H.esc(h)}</th>' for h in heads)
    return (f'<div class="table-wrap"><table class="stack glance"><caption>{H.esc(caption)}'
            f'</caption><thead><tr><th scope="col">{first}</th>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def _row(name: str, first: str, cells: str) -> str:
    return f'<tr><td data-label="{first}"><b>{H.esc(name)}</b></td>{cells}</tr>'


def _thresholds(thresholds, now_share: float) -> tuple[float, ...]:
    """`thresholds` checked; by default today's share in whole percents, rounded down (a
    share of 18.6% gives 18: rounded to 19, paths whose share rose to 18.9% counted as
    "smaller"), and the multiple of 5 below."""
    if thresholds is None:
        now = float(math.floor(now_share))
        return tuple(t for t in (now, 5.0 * ((now - 1) // 5)) if 1 <= t <= 100)
    try:
        out = () if isinstance(thresholds, str) else tuple(float(t) for t in thresholds)
    except (TypeError, ValueError):
        out = ()
    if not out or not all(1 <= t <= 100 for t in out):
        raise ParameterError(f"`thresholds` must be shares in percent, in [1, 100]; got "
                             f"{thresholds!r}. Pass e.g. thresholds=(15, 20).")
    return out


def _probabilities(projection, market: str, thresholds, mixture=None) -> str:
    """Table of P(share < threshold) per scenario (and the `mixture`'s, last), whole
    percents, thresholds in the header."""
    years = [int(y) for y in projection.years]
    shown = list(dict.fromkeys((_default_prob_year(years), years[-1])))
    cols = [(y, t) for y in shown for t in thresholds]
    heads = [f"{y}: below {t:g}%" for y, t in cols]
    each = [p for p in (projection, mixture) if p is not None]
    probs = {(y, t): pd.concat([p.prob_below(t, y, market, share=True) for p in each])
             for y, t in cols}
    rows = [_row(scenario_label(n), "Scenario", "".join(
        f'<td class="num" data-label="{H.esc(h)}">{percent(probs[c][n])}</td>'
        for c, h in zip(cols, heads, strict=True)))
        for p in each for n in p.scenario_names]
    return _grid(f"Chance that the {market} share of China's total is below each threshold "
                 "(share of the paths)", "Scenario", heads, rows)


def _baseline_table(projection, level: float) -> str:
    """Rows: every market and China's total; level and share now and in the last year."""
    base, last = _base(projection), int(projection.years[-1])
    hist = {s: projection.history.to_frame(share=s) for s in (False, True)}
    now = int(hist[False]["year"].max())
    proj = {s: projection.summary_frame((level,), scenario=base, share=s) for s in (False, True)}
    heads = [f"Level {now}", f"Level {last}", f"Share {now}", f"Share {last}"]

    def cell(frame, market, k):
        """The median with its band beneath; history bands are 80%, projected `level`%."""
        pct, lab = ("%" if k > 1 else ""), level_label(80 if k % 2 == 0 else level)
        r = frame[(frame["market"] == market) & (frame["year"] == (now, last)[k % 2])]
        text = ("100%" if market == "ALL" and pct else "-" if r.empty else
                f'{r["median"].iloc[0]:,.1f}{pct}<br><small>'
                f'{_band(r[f"lower_{lab}"].iloc[0], r[f"upper_{lab}"].iloc[0], pct)}</small>'
                + (_basis_tag(r["basis"].iloc[0]) if "basis" in r else ""))
        return f'<td class="num" data-label="{heads[k]}">{text}</td>'

    frames = (hist[False], proj[False], hist[True], proj[True])
    rows = [_row(_name(m), "Market", "".join(cell(f, m, k) for k, f in enumerate(frames)))
            for m in projection.markets]
    return _grid(f"{scenario_label(base)}: median and {level_label(level)}% band (small); "
                 f"levels in "
                 f"{unit_text(projection.unit)}, shares of China's total in percent; {now} is "
                 f"the reconstruction (80% band)"
                 + _basis_key(hist[False], [now], projection.markets), "Market", heads, rows)


#: What the tags of reconstructed cells mean (MarketHistory.to_frame's ``basis``).
_BASIS_KEY = ("; (trend): no release of that market that year, the model's extrapolation; "
              "(combined): only a combined figure that includes it (a combined share; for "
              "ROW, China's total), split by the model's trends")


def _basis_key(frame, years, markets) -> str:
    """:data:`_BASIS_KEY` when a cell of `markets` in `years` carries a tag, else ""."""
    shown = frame[frame["market"].isin(markets) & frame["year"].isin(years)]
    tagged = "basis" in shown and shown["basis"].isin(("trend", "combined")).any()
    return _BASIS_KEY if tagged else ""


def _basis_tag(basis: str) -> str:
    """A reconstructed cell's tag when no release of that part informs it ("" otherwise)."""
    return f"<br><small>({H.esc(basis)})</small>" if basis in ("trend", "combined") else ""


def _change_table(projection) -> str:
    """Rows: every other scenario; columns: markets; mean gap to the baseline, last year."""
    base, last = _base(projection), int(projection.years[-1])
    levels, shares = _gaps(projection, last)
    cols = list(projection.markets)
    rows = [_row(scenario_label(n), "Scenario", "".join(
        f'<td class="num" data-label="{H.esc(_name(c))}">{_signed(levels[i, k])}'
        # "(+0.3 pp)" is one unit: a narrow (printed) column wraps before it, not in it
        + (f" <small>({_signed(shares[i, k])}&nbsp;pp)</small>" if c != "ALL" else "")
        + "</td>"
        for k, c in enumerate(cols)))
        for i, n in enumerate(projection.scenario_names) if n != base]
    return _grid(f"Change against {_the(base)} in {last}: level in "
                 f"{unit_text(projection.unit)}, share of China's total in percentage points "
                 "(pp); means over paths, so the markets' changes add up to China's total's "
                 "and their share changes to zero", "Scenario", [_name(c) for c in cols], rows)


def _mixture_section(projection, mixture, level: float, fig=None) -> str:
    """The scenarios' probabilities, the paths the mixture draws from each, its fan
    charts when drawn (``fig["mixture_fans"]``), and its table of every market (as the
    baseline's, :func:`_baseline_table`)."""
    names = projection.scenario_names
    probs = ", ".join(f"{scenario_label(n)} {q:.0%}"
                      for n, q in zip(names, projection.probabilities, strict=True))
    counts = mixture.settings["mixture"]
    drawn = ", ".join(f"{scenario_label(n)} {counts[n]:,}" for n in names)
    return (f"<p>Probabilities: {H.esc(probs)}. The mixture draws each of its "
            f"{mixture.n_paths:,} paths whole from one scenario ({H.esc(drawn)} paths), so "
            "its markets add up to China's total in every path.</p>"
            + (H.figure(fig["mixture_fans"], alt="Fan chart of every market, mixture",
                        caption="Every market and China's total, the scenarios pooled by "
                                "probability: median, 50%, 80% and 95% bands, each on its "
                                "own log axis; the reconstructed history (black) with its "
                                "80% band (grey).",
                        narrow=fig.get("mixture_fans.narrow"))
               if fig and "mixture_fans" in fig else "")
            + _baseline_table(mixture, level))


#: Font size of the fan charts (points), as in the other charts of the reports.
FONT = 10.5

#: Width of the fan charts in inches by panels a row: three on a desktop (shown 46rem,
#: 736 px, wide), two on a phone (366 px at 390). With :data:`FONT` their smallest text,
#: the source line, is shown at 9.5 CSS px at either width (the narrow shares chart is
#: 4.0 inches wide for the same reason).
FAN_WIDTH = {3: 7.8, 2: 4.0}


@checked_keywords
def market_figures(projection, scenario: str | None = None, dpi: int = 150, *,
                   narrow: bool = False, format: str = "png") -> dict[str, bytes]:
    """The fan charts per market and the stacked shares of `scenario`, as PNG or SVG bytes.

    `scenario` defaults to the baseline (else the first scenario), the scenario of the
    report's key message and first table. The report draws them as SVG (sharp at any
    screen density, text kept as text); ``forecast run --markets`` writes the PNG files
    (150 dpi, as the single-market run's). Every chart carries the source line of the
    single-market report's charts.

    Returns
    -------
    dict of str to bytes
        Keys ``market_fans`` and ``market_shares``, and ``mixture_fans`` (the fans of
        the probability-weighted mixture, :meth:`~forecast.markets.MarketProjection.
        mixture`) when the scenarios carry probabilities; with ``narrow=True`` also each
        chart's ``<key>.narrow`` (fans two panels a row), the versions shown on phones,
        legible at 390 px.
    """
    if format not in ("png", "svg"):
        raise ParameterError(f'`format` must be "png" or "svg"; got {format!r}.')
    scenario = scenario or _chart_scenario(projection)
    out = {"market_fans": _fans(projection, scenario, 3, dpi, format)}
    out.update(_shares(projection, scenario, dpi, format, narrow))
    if narrow:
        out["market_fans.narrow"] = _fans(projection, scenario, 2, dpi, format)
    if projection.probabilities is not None:
        mixture = projection.mixture()
        name = mixture.scenario_names[0]
        for key, ncols in (("mixture_fans", 3), *((("mixture_fans.narrow", 2),)
                                                   if narrow else ())):
            out[key] = _fans(mixture, name, ncols, dpi, format, title=MIXTURE_TITLE)
    return out


def _shares(projection, scenario: str, dpi: int, fmt: str, narrow: bool) -> dict[str, bytes]:
    """The stacked shares laid out as the single-market report's charts (``_Canvas``)."""
    canvas = _Canvas((fmt,), dpi, (), narrow)
    # the legend sits right of the axes: the right margins hold it
    canvas.draw("market_shares", plotting.share_chart, projection, scenario, right=0.9,
                narrow={"size": (4.0, 4.3), "right": 0.85})
    return canvas.out[fmt]


#: Title of the mixture's fan charts (its one scenario is named "mixture").
MIXTURE_TITLE = "Probability-weighted mixture of the scenarios"


def _fans(projection, scenario: str, ncols: int, dpi: int, fmt: str,
          title: str | None = None) -> bytes:
    """The market fans, `ncols` panels a row, one legend below them, then the source;
    titled `title`, by default the scenario's name."""
    import matplotlib  # lazy: the optional `plot` extra

    fig_cls = require("matplotlib.figure", "plot", "Drawing the markets charts").Figure
    texts = (title or scenario_label(scenario), *projection.markets)
    rc = {"font.size": FONT, "font.family": list(fonts_for(texts))}
    nrows = -(-len(projection.markets) // ncols)
    with matplotlib.rc_context(rc), quiet_font_lookup():
        fig = fig_cls(figsize=(FAN_WIDTH[ncols], 2.2 * nrows + 1.2), layout="constrained")
        axes = plotting.market_fans(projection, scenario, fig=fig, yscale="log", ncols=ncols)
        # the panels do not name the scenario
        fig.suptitle(title or f"Scenario: {scenario_label(scenario)}", fontsize="large")
        _legend_below(fig, axes[0], ncols)
        source_line(fig, SOURCE)
        return H.image_bytes(fig, fmt, dpi)


#: Height in inches of the strip at the bottom of the fan charts that holds the source.
_SOURCE_STRIP = 0.25


def _legend_below(fig, ax, ncols: int) -> None:
    """The legend of the first panel moved under the panels (it covered a phone's panel),
    above the source line's strip; the panels laid out in the space left above it."""
    first, height = ax.get_legend(), fig.get_figheight()
    handles = first.legend_handles
    legend = fig.legend(handles, [t.get_text() for t in first.get_texts()],
                        loc="lower center", bbox_to_anchor=(0.5, _SOURCE_STRIP / height),
                        ncols=len(handles) if ncols > 2 else ncols,  # a phone: two a row
                        fontsize="small", frameon=False)
    first.remove()
    box = legend.get_window_extent(text_renderer(fig))
    below = (_SOURCE_STRIP + box.height / fig.dpi + 0.05) / height
    fig.get_layout_engine().set(rect=(0, below, 1, 1 - below))


#: The report's charts (each with a phone version, ``"<key>.narrow"``).
_CHARTS = ("market_fans", "market_shares")


def _chart_scenario(projection) -> str:
    return _base(projection)


def _decomposition(projection, scenario: str, decomposed=None, heading: int = 4) -> str:
    """One diversion's decomposition under an ``<h{heading}>`` naming it and its reference."""
    last = int(projection.years[-1])
    label_s = H.esc(scenario_label(scenario))
    if decomposed is None:
        reference = _reference(projection, scenario)
        if reference is None:  # e.g. forecast run --markets ... --scenario friction_diversion
            return (f'<p class="muted">{label_s} is not decomposed: the run has no other '
                    "scenario to compare it with (add the baseline, e.g. --scenario "
                    "baseline).</p>")
        decomposed = (reference, projection.decompose(scenario, reference))
    reference, d = decomposed[:2]
    d = d[d["year"] == last]
    wide = d.pivot(index="market", columns="assumption", values="level").reindex(
        list(projection.markets))
    wide["total"] = wide.sum(axis=1)
    wide.index = [_name(m) for m in wide.index]
    wide.columns = [assumption_label(c) for c in wide.columns]
    wide = wide.rename_axis("Market").reset_index()
    fmt = {c: (lambda r, v: _signed(v, 2)) for c in wide.columns[1:]}
    defs = {s.name: s for s in (projection.scenarios or ())}
    note = S.spread_note(getattr(defs.get(scenario), "assumptions", ()), "level")
    return (f"<h{heading}>{label_s} against {H.esc(_the(reference))}</h{heading}>"
            + H.table(wide, formats=fmt, labels=False, stack=True,
                      caption=f"Contribution of each assumption to the mean level gap in "
                              f"{last}, {unit_text(projection.unit)}") + note)


def _full_tables(projection, level: float, mixture=None) -> str:
    parts = []
    for share, what in ((False, f"Levels, {unit_text(projection.unit)}"),
                        (True, "Shares of China's total, percent")):
        t = market_table(projection, level=level, share=share)
        if mixture is not None:  # each market's scenarios, then its mixture
            t = pd.concat([t, market_table(mixture, level=level, share=share)],
                          ignore_index=True)
            order = {m: k for k, m in enumerate(dict.fromkeys(t["market"]))}
            t = t.sort_values("market", key=lambda c: c.map(order), kind="stable")
        t["market"] = [_name(m) for m in t["market"]]
        t["scenario"] = [scenario_label(s) for s in t["scenario"]]
        t = t.rename(columns={"market": "Market", "scenario": "Scenario"})
        parts.append(H.table(t, labels=False, stack=True,
                             caption=f"{what}: median [{level_label(level)}% band]"))
    return ("<details><summary>Every market, scenario and year shown: levels and shares"
            "</summary>" + "".join(parts) + '<p class="muted">Every year and band: '
            "<code>summary_frame()</code> and <code>summary_frame(share=True)</code> of the "
            "projection (<code>summary.csv</code> and <code>shares.csv</code> of "
            "<code>forecast run --markets</code>).</p></details>")


def _parts(projection, *, figures, plots, decompose, level, dpi, thresholds, scenario,
           heading: int = 3):
    """The key message and the report's parts as (title, HTML), in reading order.

    `heading` is the level of the parts' titles (3 in a section of another report, 2 in
    the markets report): a heading inside a part is one level below, never two.
    """
    if not hasattr(projection, "parts") or not hasattr(projection, "shares"):
        raise ForecastTypeError(f"`projection` must be a MarketProjection; got "
                                f"{type(projection).__name__}. Pass the result of "
                                "forecast.project_markets(...).")
    _thresholds(thresholds, 0.0)  # a bad threshold fails before any chart is drawn
    level = check_level("level", level)  # as do a bad level and one named as another
    scenario = scenario or _chart_scenario(projection)
    fig = dict(figures or {})
    charts_needed = _CHARTS + (("mixture_fans",) if projection.probabilities is not None
                               else ())
    if plots and not {f"{k}{n}" for k in charts_needed for n in ("", ".narrow")} <= set(fig):
        drawn = market_figures(projection, scenario, dpi=dpi, narrow=True, format="svg")
        fig.update({k: v for k, v in drawn.items() if k not in fig})  # those not passed
    diversions = _diversions(projection)
    mixture = None if projection.probabilities is None else projection.mixture()
    message = _message(projection, level, diversions, mixture)
    shown = H.esc(_the(scenario))
    charts = "".join(
        H.figure(fig[key], alt=alt, caption=cap, narrow=fig.get(f"{key}.narrow"))
        for key, alt, cap in (
            ("market_fans", "Fan chart of every market",
             f"Every market and China's total under {shown}: median, 50%, 80% and 95% bands, "
             "each on its own log axis; the reconstructed history (black) with its 80% band "
             "(grey)."),
            ("market_shares", "Stacked shares of China's total",
             f"Shares of China's total under {shown}: reconstructed, then, from the dashed "
             "line, the mean projected share."))
        if key in fig)
    censored = projection.settings.get("censored") or []
    caution = ("" if not censored else
               '<p class="caution"><b>Caution, long horizon:</b> more than 1% of the baseline '
               f"paths fall below the boundary of their model's working scale in "
               f"{H.esc('; '.join(map(str, censored)))}. Such a path has no positive level: "
               "it is censored at a millionth of the smallest observation, so a lower "
               "quantile at that value means the channel (or its share) vanishes, not a "
               "figure.</p>")
    caution += markets_preset_caution(projection.scenarios,
                                      str(projection.settings.get("target", "US")))
    extrapolated = unpublished(projection.history, message.market)
    first = "" if extrapolated is None else extrapolated.caution()
    out = [("At a glance", first + charts + caution + _baseline_table(projection, level))]
    if len(projection.scenario_names) > 1:
        out.append((f"Scenarios against {_the(_base(projection))}", _change_table(projection)))
    if mixture is not None:
        out.append(("Probability-weighted mixture", _mixture_section(projection, mixture,
                                                                       level, fig)))
    m, cuts = message.market, _thresholds(thresholds, message.now_share)
    if cuts:  # none when the market's share is below 1%
        out.append((f"How likely is a smaller {m} share?",
                    _probabilities(projection, m, cuts, mixture)
                    + f'<p class="muted">{message.now_share:.1f}% is the {m} share in '
                      f"{message.now_year} (reconstructed).</p>"))
    chosen = list(diversions) if decompose is True else list(decompose or [])
    if chosen:
        body = "".join(_decomposition(projection, s, diversions.get(s), heading + 1)
                       for s in chosen)
        notes = projection.settings.get("diversion_notes") or {}
        if notes:
            body += ('<p class="muted">' + "; ".join(f"{H.esc(k)}: {H.esc(v)}"
                                                     for k, v in notes.items()) + "</p>")
        out.append(("Where diverted work goes", body))
    out.append(("All figures", _full_tables(projection, level, mixture)))
    return message, out


def _key_html(message, heading: str = "h2", projection=None) -> str:
    """The key message; with `projection` in CNY, what it assumes about the exchange rate
    (:func:`forecast.report._sections.fx_note`, as a report of one market says it)."""
    first, *rest = message.sentences()
    items = "".join(f"<li>{H.esc(s)}</li>" for s in rest)
    head = "<h2>Key message</h2>" if heading == "h2" else ""
    return (f'{head}<p class="lead">{H.esc(first)}</p>' + (f"<ul>{items}</ul>" if items else "")
            + (_fx(projection) if projection is not None else ""))


def _fx(projection) -> str:
    """The exchange-rate note of a projection in CNY, on China's total (empty in USD)."""
    if not str(projection.unit).startswith("CNY"):
        return ""
    names = list(projection.scenario_names)
    base = "baseline" if "baseline" in names else names[0]
    total = projection.summary_frame((80,), market="ALL", scenario=base)
    return S.fx_note(total, projection.unit, projection.history, of=" of China's total")


@checked_keywords
def markets_section(projection, *, figures: Mapping[str, bytes] | None = None,
                    plots: bool = True, decompose: bool | Sequence[str] = True,
                    level: float = 80, dpi: int = 150,
                    thresholds: Sequence[float] | None = None,
                    scenario: str | None = None) -> str:
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
    dpi : int, default 150
        Resolution of the charts' raster parts (they are SVG).
    thresholds : sequence of float, optional
        Shares in percent for the probability table; default the focus market's share
        in the last history year, rounded down, and the multiple of 5 below it.
    scenario : str, optional
        The scenario of the charts (say which one `figures` shows); default the baseline.

    Returns
    -------
    str
        HTML: the key sentences, the charts, the baseline in the last year, every
        scenario's change against it, the probability-weighted mixture (when the
        scenarios carry probabilities: a key sentence, its table, a row of the
        probabilities and of the full tables), the chance of a smaller share, the
        diversions' decompositions and the full tables (folded).
    """
    message, blocks = _parts(projection, figures=figures, plots=plots, decompose=decompose,
                             level=level, dpi=dpi, thresholds=thresholds, scenario=scenario)
    return (_key_html(message, heading="", projection=projection)
            + "".join(f"<h3>{H.esc(t)}</h3>{b}" for t, b in blocks))


@checked_keywords
def write_markets_report(projection, path, *, records=None, settings: Mapping | None = None,
                         plots: bool = True, figures: Mapping[str, bytes] | None = None,
                         title: str | None = None, dpi: int = 150, level: float = 80,
                         thresholds: Sequence[float] | None = None,
                         scenario: str | None = None, force: bool = False) -> pathlib.Path:
    """Write a self-contained HTML report of a multi-market projection.

    The key message, then the sections of :func:`markets_section`, the joint history,
    data provenance and the settings to reproduce the run. Returns the path written (at
    most 3 MB). `level`, `thresholds` and `scenario` as in :func:`markets_section`; an
    existing file at `path` is replaced only when forecast wrote it and nobody changed it
    since, or with `force`, as by :func:`forecast.report.write_report`.
    """
    S.check_records(records, " (the joint history is the projection's own)")
    # the path first: a folder, a link or a non-path fails before any chart is drawn
    H.check_report_path(path, force)
    message, sections = _parts(projection, figures=figures, plots=plots, decompose=True,
                               level=level, dpi=dpi, thresholds=thresholds, scenario=scenario,
                               heading=2)
    own = projection.settings if isinstance(projection.settings, Mapping) else {}
    conf = {"model": projection.model, "seed": projection.seed,
            **({"fit_seed": own["fit_seed"]} if "fit_seed" in own else {}),
            "n_paths": projection.n_paths, "markets": list(projection.parts),
            "scenarios": list(projection.scenario_names), **dict(settings or {})}
    # the versions have a table of their own (as in the report of one market)
    conf = {k: (v if isinstance(v, str | int | float | bool | list | type(None)) else str(v))
            for k, v in conf.items() if k != "versions"}
    sections += [("Joint history", _history(projection)),
                 ("Data provenance", S.provenance(records, None)),
                 ("Reproduce", reproduce_block(conf, markets_python_code(conf, projection)))]
    meta = (f"{H.esc(projection.model)} · {projection.n_paths:,} paths · seed "
            f"{H.esc(projection.seed)} · {H.esc(unit_text(projection.unit))} · forecast "
            f"{__version__} · {report_stamp()}")
    last = int(projection.years[-1])
    text = H.page(title or f"China's service outsourcing by source market: scenarios to {last}",
                  _key_html(message, projection=projection), sections, meta=meta)
    data = text.encode("utf-8")
    size = len(data) + H.SEAL.overhead  # as written, with the line of its digest
    if size > MAX_BYTES:
        raise ParameterError(f"the report must be at most {MAX_BYTES:,} bytes; got "
                             f"{size:,}. Pass fewer scenarios or a lower `dpi`.")
    path = pathlib.Path(path)
    # atomic; never through a link; an existing file only as check_report_path allowed
    H.write_report_file(path, data, force)
    return path



def _history(projection) -> str:
    """The joint reconstruction's last five years: one row per market, median and band."""
    h = projection.history
    frame = h.to_frame()
    years = [int(y) for y in h.years[-5:]]
    rows = []
    for m, g in frame.groupby("market", sort=False):
        g = g.set_index("year")
        rows.append(_row(_name(m), "Market", "".join(
            f'<td class="num" data-label="{y}">{g.at[y, "median"]:,.1f}<br><small>'
            f'{_band(g.at[y, "lower_80"], g.at[y, "upper_80"])}</small>'
            f'{_basis_tag(g.at[y, "basis"])}</td>' for y in years)))
    params = "; ".join(f"{k.replace('_', ' ')} {float(v):.3g}" for k, v in h.params.items()
                       if isinstance(v, float))
    return (_grid(f"Joint reconstruction, median and 80% band (small), "
                  f"{unit_text(projection.unit)}: the markets add up to China's total in every "
                  "draw" + _basis_key(frame, years, frame["market"].unique()), "Market",
                  [str(y) for y in years], rows)
            + f'<p class="muted">Estimates of the joint model: {H.esc(params)}. The sigmas '
              "are the standard deviations of the yearly shocks to China's total's log "
              "level and to its growth (sigma level, sigma slope), and to each market's "
              "log ratio to the rest of the world and to that ratio's trend (sigma ratio, "
              "sigma ratio slope, shared by the markets); loglike is the log likelihood "
              "at them.</p>")
