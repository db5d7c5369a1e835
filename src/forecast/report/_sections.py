"""Sections of the HTML report and chart layout helpers (private to :mod:`forecast.report`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..plotting._shapes import decomposition_wide
from . import _html as H


def few_ticks(axes) -> None:
    from matplotlib.ticker import MaxNLocator  # lazy: matplotlib is the optional `plot` extra

    for ax in axes:  # ticks are most of the drawing time of small panels
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(5))


def grid_margins(fig) -> None:
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=0.95 / w, right=0.99, top=1 - 0.35 / h, bottom=0.35 / h,
                        wspace=0.08, hspace=0.3)


def grid_size(n: int, ncols: int = 4) -> tuple[float, float]:
    ncols = max(1, min(ncols, n))
    return (3.3 * ncols, 2.7 * -(-n // ncols) + 0.3)


def merged_settings(projection, settings: Mapping | None) -> dict:
    merged: dict = {}
    own = getattr(projection, "settings", None)
    if isinstance(own, Mapping):
        merged.update(own)
    for key in ("seed", "model"):
        value = getattr(projection, key, None)
        if value is not None and key not in merged:
            merged[key] = value
    merged.setdefault("n_paths", int(np.shape(projection.samples)[1]))
    merged.setdefault("years", f"{int(projection.years[0])}-{int(projection.years[-1])}")
    merged.setdefault("scenarios", list(projection.scenario_names))
    merged.update(settings or {})
    return {k: (v if isinstance(v, str | int | float | bool | list | type(None)) else str(v))
            for k, v in merged.items()}


def provenance(records, history) -> str:
    parts = []
    if records is not None:
        frame = records.frame
        if history is not None and "market" in frame.columns:
            frame = frame[frame["market"] == getattr(history, "market", "US")]
        parts.append(f"<p>{len(records.frame):,} published figures in total; "
                     f"{len(frame):,} for this market. Every figure carries its source; "
                     "the addresses are given as text (this file loads nothing).</p>")
        src = (frame.groupby(["source", "address"], sort=False)
               .agg(figures=("value", "size"), years=("year", lambda y: f"{y.min()}-{y.max()}"))
               .reset_index())
        parts.append(H.table(src))
    if history is not None and hasattr(history, "to_frame"):
        ev = history.to_frame()
        if "evidence" in ev.columns:
            parts.append("<h3>What informed each year</h3>"
                         + H.table(ev[[c for c in ("year", "n_records", "evidence")
                                       if c in ev.columns]]))
    return "".join(parts) or '<p class="muted">No records were passed to the report.</p>'


def model_section(fit, backtest) -> str:
    parts = []
    if fit is not None:
        parts.append(f"<p>Baseline model: <b>{H.esc(getattr(fit, 'name', fit))}</b>"
                     + (f", AICc {fit.aicc:,.2f}" if np.isfinite(getattr(fit, "aicc", np.nan))
                        else "") + ".</p>")
        members = _members(getattr(fit, "params", {}) or {})
        if members is not None:
            parts.append("<p>The families compared and combined (AICc of each family's own "
                         "fit; weight in the combination):</p>" + H.table(members, "{:,.3f}"))
        if hasattr(fit, "summary"):
            parts.append(H.pre(fit.summary()))
    if backtest is not None:
        parts.append("<h3>Backtest</h3>" + H.table(backtest))
    return "".join(parts) or '<p class="muted">No fit was passed to the report.</p>'


def _members(params):
    """Table ``family, aicc, weight`` from an Auto fit's ``weight.*``/``aicc.*`` params."""
    fams = [k[len("weight."):] for k in params if str(k).startswith("weight.")]
    if not fams:
        return None
    return pd.DataFrame({"family": fams,
                         "aicc": [params.get(f"aicc.{f}", np.nan) for f in fams],
                         "weight": [params[f"weight.{f}"] for f in fams]})


def compact_wide(table):
    """One row per scenario, one ``median [lower, upper]`` cell per year."""
    lo, hi = (c for c in table.columns if c.startswith(("lower_", "upper_")))
    cells = table.assign(cell=[f"{m:,.1f} [{a:,.1f}, {b:,.1f}]" for m, a, b in
                               zip(table["median"], table[lo], table[hi], strict=True)])
    wide = cells.pivot(index="scenario", columns="year", values="cell")
    wide = wide.reindex(list(dict.fromkeys(table["scenario"])))
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def wide_decomposition(frame):
    wide, _ = decomposition_wide(frame, None, None)
    wide = wide.copy()
    wide["total"] = wide.sum(axis=1)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def python_code(conf: Mapping, projection) -> str:
    """The Python calls that reproduce the projection, from the recorded settings."""
    seed = conf.get("seed")
    data = conf.get("data", "embedded")
    lines = ["import forecast", "from forecast import presets", "",
             "records = forecast.load_releases()" if data in ("embedded", None)
             else f"records = forecast.Records.from_csv({data!r})"]
    lines += [f"records = records + forecast.Records.from_csv({a!r})"
              for a in conf.get("added") or []]
    if conf.get("as_of"):
        lines.append(f"records = records.filter(as_of={conf['as_of']!r})")
    kw = "".join(f", {k}={conf[k]!r}" for k in ("market", "flow", "segment", "currency")
                 if k in conf)
    lines.append(f"history = forecast.reconstruct(records{kw})")
    lines.append(f"fit = forecast.{conf.get('model_spec', 'Auto()')}.fit(history, seed={seed})")
    src = conf.get("scenario_file", "presets")
    lines.append("scenarios = presets.scenario_set()" if src in ("presets", None)
                 else f"scenarios = forecast.load_scenarios({src!r})")
    names = list(projection.scenario_names)
    lines.append(f"scenarios = [scenarios[name] for name in {names!r}]")
    lines.append(f"proj = forecast.project(fit, scenarios, to={int(projection.years[-1])}, "
                 f"n_paths={conf.get('n_paths')}, seed={seed})")
    return "\n".join(lines)


def settings_frame(conf: Mapping):
    return pd.DataFrame({"setting": list(conf), "value": [str(v) for v in conf.values()]})
