"""What the multi-market report says: the numbers of its key message, computed from the
projection (private; :mod:`.markets` lays them out).

Every figure is recomputed from the samples: the focus market's share now and in the last
year, the scenario that moves it most (a mean paired gap, so the markets' gaps add up to
China's total's), what the largest diversion sends to the other markets (from
``projection.decompose``) and, when the scenarios carry probabilities, the focus market's
share and China's total in the probability-weighted mixture (``projection.mixture()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .._validation import level_label
from ..errors import ForecastError
from ..history.history import parse_series_name
from ..plotting.names import (
    EVIDENCE,
    assumption_label,
    evidence,
    scenario_label,
    unit_text,
)
from . import _html as H

__all__: list[str] = []

#: The market on which the preset scenarios' numbers are calibrated.
CALIBRATED_ON = "US"

_NAMES = {"ALL": "China's total", "ROW": "Rest of the world (ROW)"}


def _name(code: str) -> str:
    return _NAMES.get(code, code)


def _focus(projection) -> str:
    """The market the message is about: the scenarios' target, else the US, else the first."""
    for m in (projection.settings.get("target"), "US"):
        if m in projection.parts and m != "ROW":
            return m
    return projection.parts[0]


def _base(projection) -> str:
    names = projection.scenario_names
    return "baseline" if "baseline" in names else names[0]


def _the(scenario: str) -> str:
    """"the baseline" or "the <label> scenario", for a sentence."""
    text = scenario_label(scenario, in_sentence=True)
    return "the baseline" if scenario == "baseline" else f"the {text} scenario"


def _signed(value: float, digits: int = 1) -> str:
    """``+1.2`` / ``-0.4``; a value that rounds to zero is ``+0.0``, never ``-0.0``."""
    return f"{round(float(value), digits) + 0.0:+,.{digits}f}"


def _band(lo: float, hi: float, pct: str = "") -> str:
    return f"{lo:,.1f}{pct}-{hi:,.1f}{pct}"


def _gaps(projection, year: int):
    """Mean paired gaps to the baseline in `year`: levels (S, parts + 1), shares (S, parts).

    Means over paths, so the markets' level gaps add up to China's total's (last column)
    and their share gaps to zero.
    """
    j = int(np.flatnonzero(projection.years == year)[0])
    lv = projection.samples[:, :, :, j]
    tot = lv.sum(axis=1)
    sh = 100.0 * lv / tot[:, None]
    b = projection.scenario_names.index(_base(projection))
    levels = np.concatenate([(lv - lv[b]).mean(axis=-1), (tot - tot[b]).mean(axis=-1)[:, None]],
                            axis=1)
    return levels, (sh - sh[b]).mean(axis=-1)


def _diversions(projection) -> dict:
    """Scenario -> (reference, decomposition, [(assumption, source market)]) of each
    scenario that diverts, decomposed against its reference; None when it has none."""
    from ..scenarios.diversion import Diversion  # lazy: the report reads the scenarios last

    out = {}
    for sc in projection.scenarios or ():
        div = [(a.name, a.market) for a in sc.assumptions
               if isinstance(a, Diversion) and a.market in projection.parts]
        if not div:
            continue
        ref = _reference(projection, sc.name)
        if ref is None:  # alone in the run: said so in the report, not decomposed
            out[sc.name] = None
            continue
        try:
            out[sc.name] = (ref, projection.decompose(sc.name, ref), div)
        except ForecastError:  # e.g. a projection rebuilt without its seeds
            continue
    return out


@dataclass(frozen=True)
class _Message:
    """The numbers of the key message (all in the last projected year, `year`)."""

    market: str
    baseline: str
    year: int
    level: float
    unit: str
    now_year: int
    now_share: float
    share: tuple[float, float, float]            # median, lower, upper (percent)
    value: tuple[float, float, float]            # the market's level
    total: tuple[float, float, float]            # China's total
    mover: tuple[str, float, float] | None = None  # scenario, mean pp gap, median share
    # scenario, reference, source, assumption, source's gap, {market: gain}, total's gap
    diversion: tuple[str, str, str, str, float, dict, float] | None = None
    # the probability-weighted mixture's market share and China's total (median, lower,
    # upper), when the scenarios carry probabilities
    mixture: tuple[tuple[float, float, float], tuple[float, float, float]] | None = None

    def sentences(self) -> list[str]:
        m, y, u, lv = self.market, self.year, unit_text(self.unit), f"{level_label(self.level)}%"
        med, lo, hi = self.share
        out = [f"Under {_the(self.baseline)} the {m} share of China's total goes from "
               f"{self.now_share:.1f}% in {self.now_year} (reconstructed) to {med:.1f}% in "
               f"{y} ({lv} band {_band(lo, hi, '%')})."]
        t, v = self.total, self.value
        out.append(f"Medians in {y}: China's total {t[0]:,.1f} {u} ({lv} band "
                   f"{_band(*t[1:])}), the {m} {v[0]:,.1f} {u} ({_band(*v[1:])}).")
        if self.mover is not None:
            name, gap, share = self.mover
            if abs(gap) < 0.05:
                out.append(f"No scenario moves the {m} share by more than 0.1 percentage "
                           f"point against {_the(self.baseline)} by {y}.")
            else:
                out.append(f"{scenario_label(name)} moves the {m} share most: "
                           f"{_signed(gap)} points by {y} (mean), to a median {share:.1f}%.")
        if self.diversion is not None:
            name, ref, src, part, loss, gains, total = self.diversion
            to = ", ".join(f"{k} {_signed(g)}" for k, g in gains.items())
            against = "" if ref == self.baseline else f", against {_the(ref)}"
            out.append(f"{scenario_label(name)}: of the {src}'s {_signed(loss)} {u} "
                       f"through {assumption_label(part, in_sentence=True)} in {y} "
                       f"(mean{against}), "
                       f"{sum(gains.values()):,.1f} moves to other markets ({to}); China's "
                       f"total: {_signed(total)}.")
        if self.mixture is not None:
            (med, lo, hi), t = self.mixture
            out.append(f"Weighted by probability: a {m} share of "
                       f"{med:.1f}% in {y} ({lv} band {_band(lo, hi)}%), China's total "
                       f"{t[0]:,.1f} {u} ({_band(*t[1:])}).")
        return out


def _span(years) -> str:
    """``2024-2025`` for a run of years, ``2019, 2021`` otherwise; one year alone."""
    years = [int(y) for y in years]
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


@dataclass(frozen=True)
class Unpublished:
    """The reconstructed years after each part's last release of its own, and the
    rankings against the focus market that rest on them.

    ``years``: part -> the years after its last release (markets and China's total;
    ROW, a remainder, is not named); ``combined``: part -> those of them informed by a
    combined figure that includes it (e.g. the US+HK+EU share); ``above``: (part, years,
    chances) where the part's median is above the focus market's, in years with a
    release of the focus market, and the chance of it in the reconstruction's draws.
    """

    market: str
    years: dict
    combined: dict
    above: tuple = ()

    def sentences(self) -> list[str]:
        named = [f"{_name(p)} {_span(ys)}" for p, ys in self.years.items()]
        joint = (", ".join(named[:-1]) + " and " + named[-1]) if len(named) > 1 else named[0]
        via = [f"{_name(p)} {_span(ys)}" for p, ys in self.combined.items() if ys]
        out = [f"Extrapolated, not published: {joint} rest on no release of "
               f"{'that market' if len(named) == 1 else 'their own'}"
               + (f" ({'; '.join(via)}: only a combined share that includes it)" if via
                  else "")
               + "; the reconstruction carries them by the model's trends, and the "
               "projection starts from them."]
        for part, ys, chances in self.above:
            odds = ", ".join(f"{100 * c:.0f}%" for c in chances)
            out.append(f"The reconstruction puts {_name(part)} above the {self.market} in "
                       f"{_span(ys)} (median; chance {odds} in its draws), years with no "
                       f"release of {_name(part)}: that ranking is the model's "
                       "extrapolation, not a published figure.")
        return out

    def caution(self) -> str:
        """HTML of the caution the markets report carries under its key message."""
        return ('<p class="caution"><b>Caution, extrapolated history:</b> '
                + H.esc(" ".join(self.sentences())) + "</p>")


def unpublished(history, market: str, n: int = 10_000) -> Unpublished | None:
    """What the last reconstructed years of `history` (a MarketHistory) rest on.

    None when the history says nothing of its records (one loaded from a file written
    before they were summarised in it) or every part's last year is a release of it.
    The chances use `n` draws with a fixed seed, so a report says the same whatever the
    run's seed.
    """
    frame = history.to_frame()
    if (frame["basis"] == "").all():
        return None
    years, combined = {}, {}
    for part, g in frame.groupby("market", sort=False):
        if part == "ROW":
            continue
        released = g.loc[g["basis"] == "release", "year"]
        after = g[g["year"] > (released.max() if len(released) else g["year"].min() - 1)]
        if len(after):
            years[part] = [int(y) for y in after["year"]]
            combined[part] = [int(y) for y in after.loc[after["basis"] == "combined", "year"]]
    if not years:
        return None
    above = []
    if market in history.markets:
        mine = frame[frame["market"] == market].set_index("year")
        draws = None
        for part, ys in years.items():
            if part not in history.markets or part == market:
                continue
            g = frame[frame["market"] == part].set_index("year")
            over = [y for y in ys if mine.at[y, "basis"] == "release"
                    and g.at[y, "median"] > mine.at[y, "median"]]
            if not over:
                continue
            if draws is None:
                draws = history.draws(n, seed=0)
            i, k = history.parts.index(part), history.parts.index(market)
            cols = [int(np.flatnonzero(history.years == y)[0]) for y in over]
            above.append((part, over, [float((draws[:, i, c] > draws[:, k, c]).mean())
                                       for c in cols]))
    return Unpublished(market=market, years=years, combined=combined, above=tuple(above))


def _message(projection, level: float = 80, diversions=None, mixture=None) -> _Message:
    """The key message's numbers; `mixture` is ``projection.mixture()`` (None: none)."""
    m, base, y = _focus(projection), _base(projection), int(projection.years[-1])

    def stats(market, share=False, scenario=base, p=projection):
        f = p.summary_frame((level,), market=market, scenario=scenario, share=share)
        r = f[f["year"] == y].iloc[0]
        lab = level_label(level)
        return (float(r["median"]), float(r[f"lower_{lab}"]), float(r[f"upper_{lab}"]))

    hist = projection.history.to_frame(share=True)
    hist = hist[hist["market"] == m]
    now = hist[hist["year"] == hist["year"].max()].iloc[0]
    names = projection.scenario_names
    mover = None
    if len(names) > 1:
        _, shares = _gaps(projection, y)
        k = projection.parts.index(m)
        i = max((i for i, n in enumerate(names) if n != base), key=lambda i: abs(shares[i, k]))
        mover = (names[i], float(shares[i, k]), stats(m, True, names[i])[0])
    return _Message(market=m, baseline=base, year=y, level=level, unit=projection.unit,
                    now_year=int(now["year"]), now_share=float(now["median"]),
                    share=stats(m, True), value=stats(m), total=stats("ALL"), mover=mover,
                    diversion=_largest_diversion(projection, diversions, y),
                    mixture=None if mixture is None else (
                        stats(m, True, mixture.scenario_names[0], mixture),
                        stats("ALL", False, mixture.scenario_names[0], mixture)))


def _largest_diversion(projection, diversions, year):
    """The diverting assumption that sends most to other markets in `year`, or None."""
    found = []
    for name, (ref, frame, div) in ((k, v) for k, v in (diversions or {}).items() if v):
        d = frame[frame["year"] == year]
        for part, src in div:
            rows = d[d["assumption"] == part].set_index("market")["level"]
            gains = {k: float(rows[k]) for k in projection.parts if k != src and k in rows.index
                     and rows[k] > 0.05}
            loss = float(rows.get(src, 0.0))
            if gains and loss < 0:
                found.append((name, ref, src, part, loss, gains, float(rows.get("ALL", 0.0))))
    return max(found, key=lambda t: sum(t[5].values()), default=None)


def _reference(projection, scenario: str) -> str | None:
    """The scenario `scenario` is decomposed against: "baseline", else the first other one.

    None when the projection holds no other scenario (nothing to compare with).
    """
    names = projection.scenario_names
    if "baseline" in names and scenario != "baseline":
        return "baseline"
    return next((n for n in names if n != scenario), None)


# ------------------------------------------------- presets applied to another market
def preset_note(market: str) -> str:
    """What the command line warns when the US-calibrated presets act on `market`.

    Examples
    --------
    >>> preset_note("HK")[:57]
    'the preset scenarios are calibrated on the US channel (do'
    """
    return (f"the preset scenarios are calibrated on the {CALIBRATED_ON} channel "
            f"(docs/scenarios.md, SOURCES.md); --market {market} applies their assumptions "
            f"to {market}'s series as written. Write a scenario file for this market to "
            "change them.")


def report_market(settings: Mapping | None, history=None) -> str | None:
    """The market a single-market report is about: its settings' ``market`` (the
    command line's ``--market``), else the one in its history's name, else None."""
    market = (settings or {}).get("market")
    if market is None:
        parsed = parse_series_name(str(getattr(history, "name", "") or ""))
        market = parsed[0] if parsed else None
    return None if market is None else str(market)


def applies_us_presets(settings: Mapping | None, history, scenarios: Iterable) -> str | None:
    """The market the US-calibrated presets are applied to as written, or None.

    None for the US, an unknown market, a scenario file (its own numbers: the command
    line does not warn either), or scenarios without a preset assumption (the only ones
    with recorded evidence, :data:`~forecast.plotting.names.EVIDENCE`).
    """
    market = report_market(settings, history)
    given = (settings or {}).get("scenario_file", "presets")
    if market in (None, CALIBRATED_ON) or given != "presets":
        return None
    uses = any(a.name in EVIDENCE for s in scenarios for a in getattr(s, "assumptions", ()))
    return market if uses else None


def preset_caution(settings: Mapping | None, history, scenarios: Iterable) -> str:
    """HTML of the caution a single-market report carries when it applies the
    US-calibrated presets to another market's series ("" otherwise).

    The command line warns (:func:`preset_note`); the report, read without the
    terminal, says it in its key-message block. `settings`, `history` and `scenarios`
    as :func:`forecast.report.write_report` holds them (its recorded settings, the
    history, the scenario definitions).

    Examples
    --------
    >>> import forecast
    >>> sc = [forecast.presets.escalation()]
    >>> "calibrated on the US" in preset_caution({"market": "HK"}, None, sc)
    True
    >>> preset_caution({"market": "US"}, None, sc)
    ''
    """
    market = applies_us_presets(settings, history, scenarios)
    if market is None:
        return ""
    m = H.esc(market)
    return ('<p class="caution"><b>Caution, US calibration:</b> the preset scenarios are '
            f"calibrated on the {CALIBRATED_ON} channel, on {CALIBRATED_ON} evidence (cited "
            "beside each assumption below). "
            f"This report applies their assumptions to {m}'s series as written: their "
            f"effects, and the evidence cited for them, are {CALIBRATED_ON} figures, not "
            f"{m}'s. Write a scenario file for {m} to change them.</p>")


def preset_markets(scenarios: Iterable | None, target: str) -> dict[str, list[str]]:
    """The preset assumptions of a multi-market projection that act on a market other
    than the one they are calibrated on: market -> their names.

    A plain assumption acts on the projection's `target`; a Diversion (or
    :func:`~forecast.on_market`) on its own ``market``. ``"ALL"`` (every market in
    proportion) counts as another market too.

    Examples
    --------
    >>> import forecast
    >>> sc = [forecast.presets.escalation()]
    >>> preset_markets(sc, "JP"), preset_markets(sc, "US")
    ({'JP': ['trade_friction']}, {})
    """
    out: dict[str, list[str]] = {}
    for s in scenarios or ():
        for a in getattr(s, "assumptions", ()):
            market = str(getattr(a, "market", target))
            if a.name in EVIDENCE and market != CALIBRATED_ON:
                names = out.setdefault(market, [])
                if a.name not in names:
                    names.append(a.name)
    return out


def markets_preset_caution(scenarios: Iterable | None, target: str) -> str:
    """HTML of the caution a markets report carries when US-calibrated presets act on
    another market as written ("" otherwise): :func:`preset_caution`'s counterpart.

    Examples
    --------
    >>> import forecast
    >>> "to JP's series" in markets_preset_caution([forecast.presets.escalation()], "JP")
    True
    """
    acting = preset_markets(scenarios, target)
    if not acting:
        return ""
    where = "; ".join(
        f"{', '.join(assumption_label(n, in_sentence=True) for n in names)} to "
        + ("every market in proportion" if m == "ALL" else f"{H.esc(m)}'s series")
        for m, names in acting.items())
    return ('<p class="caution"><b>Caution, US calibration:</b> the preset scenarios are '
            f"calibrated on the {CALIBRATED_ON} channel, on {CALIBRATED_ON} evidence. "
            f"This projection applies {where} as written: their effects, and the evidence "
            f"cited for them, are {CALIBRATED_ON} figures. Write scenarios for those markets "
            "to change them.</p>")


def market_evidence(assumption: str, market: str | None = None) -> str:
    """The evidence of `assumption`, said to be US evidence when applied to `market`.

    Examples
    --------
    >>> market_evidence("trade_friction", "HK")[:66]
    'US evidence, applied to HK as written (not HK figures): US share o'
    >>> market_evidence("trade_friction") == evidence("trade_friction")
    True
    """
    text = evidence(assumption)
    if market in (None, CALIBRATED_ON) or str(assumption) not in EVIDENCE:
        return text
    return (f"{CALIBRATED_ON} evidence, applied to {market} as written (not {market} "
            f"figures): {text}")
