"""Reconstruct China's total and its named markets together from every release.

:func:`reconstruct_markets` turns the levels, shares, growth rates and combined shares
("US+HK+EU" = 52.4%) of China's total and the named markets into observations of one
state-space model (log total plus each market's log ratio to the rest of the world),
estimates its variances, smooths it by relinearisation and returns a
:class:`~forecast.history.markets.MarketHistory`. See ``docs/markets.md``.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError, ForecastTypeError, ParameterError
from ..records import ExchangeRates, Records, load_exchange_rates, load_releases
from . import market_observations as mobs
from .history import CURRENCIES, FLOWS
from .markets import ROW, TOTAL, MarketHistory
from .observations import _Converter
from .reconstruction import _SORT, _check_str, _profile_for, _year_arg

__all__ = ["DEFAULT_MARKETS", "reconstruct_markets"]

#: The four source markets with the most releases (levels, shares, growth rates).
DEFAULT_MARKETS = ("US", "EU", "HK", "JP")
#: Aggregates that contain other codes: modelling both would count a market twice.
OVERLAPS = {"RCEP": ("JP", "KR", "SG"), "BRI": ("SG",)}


def _check_markets(markets: object, records: Records) -> tuple[str, ...]:
    if isinstance(markets, str):
        markets = tuple(m.strip() for m in markets.split(","))
    try:
        markets = tuple(markets)
    except TypeError:
        raise ForecastTypeError(f"`markets` must be a sequence of market codes; got "
                                f"{markets!r}. Pass e.g. ('US', 'EU', 'HK', 'JP').") from None
    have = [m for m in records.markets if "+" not in m and m != TOTAL]
    bad = [m for m in markets if not isinstance(m, str) or m not in have]
    if not markets or bad:
        raise ParameterError(f"`markets` must be 1 to 8 distinct market codes present in the "
                             f"records ({', '.join(have)}); got {list(markets)!r}. ALL (the "
                             f"total) and {ROW} (the rest) are added by the model.")
    if len(set(markets)) != len(markets) or len(markets) > 8:
        raise ParameterError(f"`markets` must be 1 to 8 distinct codes; got {list(markets)!r}."
                             " Drop the repeats.")
    for agg, inside in OVERLAPS.items():
        both = [m for m in inside if m in markets]
        if agg in markets and both:
            raise ParameterError(f"`markets` must not overlap: {agg} contains "
                                 f"{', '.join(both)}; got {list(markets)!r}. Drop one of them "
                                 "(the rest of the world holds what is not named).")
    return markets


def _initial_ratios(obs, markets: tuple[str, ...], n_years: int) -> np.ndarray:
    """A constant starting point r* from the shares (or level/total pairs) published."""
    used = obs[obs["used"]]
    totals = {(r.year, r.months): r.y for r in used.itertuples() if r.members == ()
              and r.slot == "level"}
    shares = np.full(len(markets), 0.1)
    for k, m in enumerate(markets):
        mine = used[[mm == (m,) for mm in used["members"]]]
        vals = list(np.exp(mine.loc[mine["slot"] == "share", "y"]))
        vals += [np.exp(r.y - totals[(r.year, r.months)]) for r in mine.itertuples()
                 if r.slot == "level" and (r.year, r.months) in totals]
        if vals:
            shares[k] = float(np.clip(np.median(vals), 0.005, 0.9))
    scale = min(1.0, 0.95 / shares.sum())
    shares = shares * scale
    rest = 1.0 - shares.sum()
    return np.tile(np.log(shares / rest), (n_years, 1))


def _design_slots(obs, first: int, n_years: int):
    """Per used observation (t, j, slot, member indices), and endog/variance arrays."""
    used = [r for r in obs.to_dict("records") if r["used"]]
    per_year: dict[int, list[dict]] = {}
    for r in used:
        per_year.setdefault(r["year"] - first, []).append(r)
    width = max((len(v) for v in per_year.values()), default=1)
    endog = np.full((n_years, width), np.nan)
    var = np.ones((n_years, width))
    return used, per_year, endog, var


def _span(sel, markets: tuple[str, ...], start, end) -> tuple[int, int]:
    mine = sel[sel["market"].isin(markets)]
    if mine.empty:
        raise DataError(f"no record of {', '.join(markets)} for this flow and segment. Pass "
                        "markets with records, or another flow/segment.")
    both = sel[sel["market"].isin((*markets, TOTAL))]
    first = start if start is not None else int(mine["year"].min())
    last = end if end is not None else int(both["year"].max())
    if first > last:
        raise ParameterError(f"`start` must be <= `end`; got {first}-{last}. Widen them.")
    return first, last


def fit_markets(records: Records, fx: ExchangeRates, markets: tuple[str, ...], flow: str,
                segment: str, currency: str, start, end, params) -> MarketHistory:
    from . import market_model as mm  # lazy: statsmodels loads only when a model is fitted

    frame = records.frame
    sel = frame[(frame["segment"] == segment) & (frame["flow"] == flow)]
    sel = sel.sort_values(_SORT, kind="stable", ignore_index=True)
    first, last = _span(sel, markets, start, end)
    profiles = {TOTAL: _profile_for(frame, TOTAL, segment, flow)}
    for m in markets:  # the US profile is the total's: both pool the US and ALL pairs
        same = m == "US" and segment == "all" and flow == "offshore_execution"
        profiles[m] = profiles[TOTAL] if same else _profile_for(frame, m, segment, flow)
    fx_records = records.filter(market=TOTAL, segment="all", measure="level") if (
        TOTAL in records.markets) else records
    conv = _Converter(fx_records, fx, currency)
    obs = mobs.build(sel, markets, conv, profiles, (first, last))
    n = last - first + 1
    used, per_year, endog, var = _design_slots(obs, first, n)
    if not any(r["slot"] == "level" for r in used):
        raise DataError(f"the records hold no usable level of {', '.join(markets)} or China's "
                        f"total in {first}-{last}; shares and growth rates alone cannot pin "
                        "the levels. Add level records.")
    slots = []
    for t, rows in per_year.items():
        for j, r in enumerate(rows):
            endog[t, j], var[t, j] = r["y"], r["var"]
            idx = tuple(markets.index(m) for m in r["members"])
            slots.append((t, j, r["slot"], idx))
    model = mm.MarketModel(endog, var, len(markets))
    ratios = _initial_ratios(obs, markets, n)
    if params is not None:
        est = _check_params(params)
        ratios, iters = mm.iterate(model, slots, ratios, est)
    else:
        est = np.array(mm.PRIOR_CENTRE)
        for _ in range(2):  # estimate at the mode, move the mode, estimate again
            ratios, _ = mm.iterate(model, slots, ratios, est)
            est, _ = mm.estimate(model, est)
        ratios, iters = mm.iterate(model, slots, ratios, est)
    loglike = float(model.loglike(est))
    mean, dmap = mm.smooth(model, est)
    return MarketHistory(
        years=np.arange(first, last + 1), markets=markets, mean=mean,
        unit=f"{currency}_bn", currency=currency, flow=flow, segment=segment,
        params={**dict(zip(mm.PARAM_NAMES, map(float, est), strict=True)),
                "loglike": loglike, "estimated": params is None, "iterations": iters},
        profiles=profiles, _map=dmap, _obs=obs)


def _check_params(params: object) -> np.ndarray:
    from .market_model import BOUNDS, PARAM_NAMES  # lazy: market_model imports statsmodels

    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        raise ForecastTypeError(f"`params` must be a dict with keys {', '.join(PARAM_NAMES)}; "
                                f"got {params!r}. Pass None to estimate them.")
    out = []
    for name, (lo, hi) in zip(PARAM_NAMES, BOUNDS, strict=True):
        v = params[name]
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
            raise ParameterError(f"`params['{name}']` must be a number in [{lo}, {hi}]; got "
                                 f"{v!r}. Pass a value inside the bounds or None.")
        out.append(float(v))
    return np.array(out)


def reconstruct_markets(records=None, markets=DEFAULT_MARKETS,
                        flow: str = "offshore_execution", segment: str = "all",
                        currency: str = "USD", *, fx=None, start: int | None = None,
                        end: int | None = None, params: dict | None = None) -> MarketHistory:
    """Reconstruct China's total, the named markets and the rest of the world together.

    Every level, share, growth rate and combined share of the total and the named markets
    informs one state-space model (log total and each market's log ratio to the rest of
    the world, local linear trends), so the markets sum to the total in every draw and
    each market's band uses the others' releases: a year without a market's release is
    reconstructed from the total and the shares.

    Parameters
    ----------
    records : Records, optional
        Default the embedded releases.
    markets : sequence of str or str, default ("US", "EU", "HK", "JP")
        Named source markets (disjoint; "US,EU" also works). The rest of the world
        (``"ROW"``) is China's total minus them.
    flow, segment, currency : str
        As in :func:`forecast.reconstruct`.
    fx : ExchangeRates, optional
    start, end : int, optional
        Default: the first year with a record of a named market, the last year with a
        record of a named market or the total.
    params : dict, optional
        Fix ``sigma_level``, ``sigma_slope``, ``sigma_ratio`` and ``sigma_ratio_slope``
        instead of estimating them.

    Returns
    -------
    MarketHistory

    Raises
    ------
    ParameterError, ForecastTypeError
        Unknown or overlapping markets, bad years or parameters.
    DataError
        No usable level; no record of the markets.

    Examples
    --------
    >>> import forecast
    >>> mh = forecast.reconstruct_markets()
    >>> mh.parts
    ('US', 'EU', 'HK', 'JP', 'ROW')
    >>> f = mh.to_frame()
    >>> sorted(set(f["market"]))
    ['ALL', 'EU', 'HK', 'JP', 'ROW', 'US']
    """
    records = load_releases() if records is None else records
    if not isinstance(records, Records):
        raise ForecastTypeError(f"`records` must be Records; got {type(records).__name__}. "
                                "Load them with forecast.load_releases().")
    fx = load_exchange_rates() if fx is None else fx
    if not isinstance(fx, ExchangeRates):
        raise ForecastTypeError(f"`fx` must be ExchangeRates; got {type(fx).__name__}. "
                                "Use forecast.load_exchange_rates().")
    markets = _check_markets(markets, records)
    currency = _check_str("currency", currency, CURRENCIES, "Pass 'USD' or 'CNY'.")
    flow = _check_str("flow", flow, FLOWS, "")
    segment = _check_str("segment", segment, None, "Pass e.g. 'all'.")
    start, end = _year_arg("start", start), _year_arg("end", end)
    return fit_markets(records, fx, markets, flow, segment, currency, start, end, params)
