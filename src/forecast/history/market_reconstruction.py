"""Reconstruct China's total and its named markets together from every release.

:func:`reconstruct_markets` turns the levels, shares, growth rates and combined shares
("US+HK+EU" = 52.4%) of China's total and the named markets into observations of one
state-space model (log total plus each market's log ratio to the rest of the world),
estimates its variances, smooths it by relinearisation and returns a
:class:`~forecast.history.markets.MarketHistory`. See ``docs/markets.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np

from .._keywords import checked_keywords
from .._threads import single_blas_thread
from .._validation import user_stacklevel
from ..errors import DataError, ForecastTypeError, ModelError, ParameterError
from ..records import ExchangeRates, Records, load_exchange_rates, load_releases
from ..records.schema import suggest
from . import market_observations as mobs
from ._outliers import check_outliers, record_sources
from .history import CURRENCIES, FLOWS
from .markets import ROW, TOTAL, MarketHistory
from .observations import _Converter
from .reconstruction import (
    _SORT,
    MAX_EXTRAPOLATION,
    _check_str,
    _last_informed,
    _profile_for,
    _year_arg,
)

__all__ = ["DEFAULT_MARKETS", "reconstruct_markets"]

#: The four source markets with the most releases (levels, shares, growth rates).
DEFAULT_MARKETS = ("US", "EU", "HK", "JP")
#: Aggregates that contain other codes: modelling both would count a market twice. The
#: Belt and Road countries of MOFCOM's statistics (those along the routes) include
#: Singapore and the EU's central and eastern members (Poland, Hungary, ...), so BRI
#: overlaps EU as a whole.
OVERLAPS = {"RCEP": ("JP", "KR", "SG"), "BRI": ("EU", "SG")}


def _code_hint(code: object, have: list[str]) -> str:
    """Why `code` is refused and what was probably meant."""
    if code in (TOTAL, ROW):
        return (f" {code} ({'the total' if code == TOTAL else 'the rest of the world'}) is "
                "always part of the model: drop it.")
    return suggest(code, have) if isinstance(code, str) else ""


def _check_markets(markets: object, records: Records) -> tuple[str, ...]:
    if isinstance(markets, str):  # "US,EU" and "US, EU," alike, as --markets reads them
        markets = tuple(m.strip() for m in markets.split(",") if m.strip())
    if isinstance(markets, Mapping) or not isinstance(markets, Iterable):
        raise ForecastTypeError(f"`markets` must be a sequence of market codes; got "
                                f"{markets!r}. Pass e.g. ('US', 'EU', 'HK', 'JP').")
    if isinstance(markets, set | frozenset):  # its order changes with PYTHONHASHSEED
        raise ForecastTypeError(
            f"`markets` must be an ordered sequence of market codes; got a "
            f"{type(markets).__name__} ({sorted(map(str, markets))}), whose order changes from "
            "one Python session to the next, and the order fixes the model and its random "
            f"draws. Pass a tuple or list, e.g. {tuple(sorted(map(str, markets)))!r}.",
            field="markets")
    markets = tuple(markets)
    have = [m for m in records.markets if "+" not in m and m != TOTAL]
    bad = [m for m in markets if not isinstance(m, str) or m not in have]
    if not markets or bad:
        hint = _code_hint(bad[0], have) if bad else ""
        got = f"{bad[0]!r} in {list(markets)!r}" if bad else f"{list(markets)!r}"
        raise ParameterError(f"`markets` must be 1 to 8 distinct market codes present in the "
                             f"records ({', '.join(have)}); got {got}."
                             + (hint or f" ALL (the total) and {ROW} (the rest) are added by "
                                "the model."))
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
    informed = (int(np.min(both["year"] - (both["measure"] == "yoy_growth"))),
                int(both["year"].max()))
    first = start if start is not None else int(mine["year"].min())
    last = end if end is not None else informed[1]
    if first > last:
        if start is not None and end is not None:
            fix = f"Swap them: pass start={end}, end={start}."
        elif start is not None:
            fix = (f"`end` defaults to {last}, the last year the records inform: pass a "
                   f"`start` of at most {last}, or an `end`.")
        else:
            fix = (f"`start` defaults to {first}, the first year of these markets' records: "
                   f"pass an `end` of at least {first}, or a `start`.")
        raise ParameterError(f"`start` must be <= `end`; got start={first}, end={last}. {fix}")
    _check_extrapolation(markets, informed, start, end)
    return first, last


def _check_extrapolation(markets, informed: tuple[int, int], start, end) -> None:
    """As :func:`forecast.reconstruct`: refuse years far beyond the records, warn near them."""
    lo, hi = informed
    k, what = MAX_EXTRAPOLATION, f"{', '.join(markets)} or China's total"
    if start is not None and start < lo - k:
        raise ParameterError(f"`start` must be >= {lo - k}, at most {k} years before {lo}, the "
                             f"first year the records of {what} inform; got {start}. Earlier "
                             f"years would be invented, not reconstructed: pass start >= {lo} "
                             "or None.")
    if end is not None and end > hi + k:
        raise ParameterError(f"`end` must be <= {hi + k}, at most {k} years after {hi}, the "
                             f"last year with a record of {what}; got {end}. Later years are "
                             "forecasts: fit forecast.BottomUpModel and project_markets, or pass "
                             "end=None.")
    outside = [*range(start, lo)] if start is not None else []
    outside += [*range(hi + 1, end + 1)] if end is not None else []
    if outside:
        warnings.warn(f"reconstruct_markets: no record of {what} informs "
                      f"{', '.join(map(str, outside))}; those years extrapolate the model's "
                      "trends (n_records 0, wide bands). Pass start/end inside the records to "
                      "avoid it.", UserWarning, stacklevel=user_stacklevel())


@single_blas_thread()
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
    usable = obs[obs["used"].astype(bool)]
    if end is None and len(usable):  # as reconstruct: end where the usable records end
        last = _last_informed(obs, usable.to_dict("records"), last,
                              f"{', '.join(markets)} or China's total {flow} ({segment})",
                              currency, who="reconstruct_markets")
    n = last - first + 1
    used, per_year, endog, var = _design_slots(obs, first, n)
    _check_inputs(obs, used, sel, markets, flow, segment, (first, last))
    slots = []
    for t, rows in per_year.items():
        for j, r in enumerate(rows):
            endog[t, j], var[t, j] = r["y"], r["var"]
            idx = tuple(markets.index(m) for m in r["members"])
            slots.append((t, j, r["slot"], idx))
    model = mm.MarketModel(endog, var, len(markets))
    ratios = _initial_ratios(obs, markets, n)
    est = _check_params(params) if params is not None else np.array(mm.PRIOR_CENTRE)
    try:
        if params is None:
            for _ in range(2):  # estimate at the mode, move the mode, estimate again
                ratios, _ = mm.iterate(model, slots, ratios, est)
                est, _ = mm.estimate(model, est)
        ratios, iters = mm.iterate(model, slots, ratios, est)
    except ModelError as err:
        # the fix first (the markets too thinly published), then what to inspect, the
        # thinnest market first
        thin = _thin(obs, markets)
        first = tuple(sorted(markets, key=lambda m: m not in thin))
        raise ModelError(f"{err}{_sparse_hint(obs, markets)} No MarketHistory was built, so "
                         f"inspect the inputs instead: {_inspect_hint(first, flow, segment)}."
                         ) from None
    except DataError as err:  # the records do not pin every level: name the thin markets
        hint = _sparse_hint(obs, markets, some=True)
        if not hint:  # none thin, or all of them: the window is what is short
            raise
        raise DataError(f"{err}{hint}", field=err.field) from None
    loglike = float(model.loglike(est))
    mean, dmap = mm.smooth(model, est)
    return MarketHistory(
        years=np.arange(first, last + 1), markets=markets, mean=mean,
        unit=f"{currency}_bn", currency=currency, flow=flow, segment=segment,
        params={**dict(zip(mm.PARAM_NAMES, map(float, est), strict=True)),
                "loglike": loglike, "estimated": params is None, "iterations": iters},
        profiles=profiles, _map=dmap, _obs=obs)


def _inspect_hint(markets: tuple[str, ...], flow: str, segment: str) -> str:
    """What a user can look at when the joint model fails (there is no history yet)."""
    names = ", ".join(repr(m) for m in (*markets, TOTAL))
    return (f"the records of each market with records.filter(market=[{names}], flow={flow!r},"
            f" segment={segment!r}).frame (records: what you passed, by default forecast."
            f"load_releases()), and what each record implies, used or not, with "
            f"forecast.reconstruct(records, market={markets[0]!r}, flow={flow!r}, "
            f"segment={segment!r}).observations() (likewise for the other markets and 'ALL')")


def _check_inputs(obs, used: list[dict], sel, markets: tuple[str, ...], flow: str,
                  segment: str, span: tuple[int, int]) -> None:
    """Refuse, before fitting, records the joint model cannot use.

    The model needs levels (shares and growth rates give ratios and changes only) and
    China's total: a level of market ALL, or a share of it (which, with the market's
    level, implies the total). Without the total the split between the named markets and
    the rest of the world is undetermined and the relinearisation wanders instead of
    converging. The levels of every market set are also checked for unit and currency
    slips, as :func:`forecast.reconstruct` checks them.
    """
    first, last = span
    what = f"{', '.join(markets)} or China's total"
    if not any(r["slot"] == "level" for r in used):
        unused = obs[(obs["measure"] == "level") & ~obs["used"].astype(bool)
                     & obs["market"].isin((*markets, TOTAL))]
        why = "; ".join(dict.fromkeys(unused["reason"]))
        why = f" (their level records are unused: {why[:300]})" if why else ""
        raise DataError(f"the records hold no usable level of {what} in {first}-{last}{why}; "
                        "shares and growth rates alone cannot pin the levels. Add level "
                        "records.")
    if not any(r["slot"] == "share" or (r["slot"] == "level" and r["members"] == ())
               for r in used):
        raise DataError(_no_total_message(obs, markets, flow, segment, span))
    pinned = {r["members"][0] for r in used
              if r["slot"] in ("level", "share") and len(r["members"]) == 1}
    loose = [m for m in markets if m not in pinned]
    if loose:
        raise DataError(
            f"the records hold no usable level or share of {', '.join(loose)} alone in "
            f"{first}-{last} (growth rates give changes only, a combined share such as "
            f"US+HK+EU only the sum): {'their shares' if len(loose) > 1 else 'its share'} of "
            f"China's total would be made up by the model, not estimated. Drop "
            f"{', '.join(loose)} from `markets`, or widen the years (start=, end=) to "
            "include level or share records of each.")
    by_set: dict[tuple, list[dict]] = {}
    for r in used:
        if r["slot"] == "level":
            by_set.setdefault(r["members"], []).append(r)
    sources = record_sources(sel)
    for members, rows in sorted(by_set.items()):
        check_outliers(rows, f"{'+'.join(members) or TOTAL} {flow} ({segment})", sources)


def _no_total_message(obs, markets: tuple[str, ...], flow: str, segment: str,
                      span: tuple[int, int]) -> str:
    """Why China's total is missing and the two fixes."""
    first, last = span
    total = obs[obs["market"] == TOTAL]
    if total.empty:
        have = f"no record of market {TOTAL} for {flow} ({segment})"
    else:
        kinds = ", ".join(f"{n} {m}" for m, n in
                          sorted(total["measure"].value_counts().items()))
        levels = total[total["measure"] == "level"]
        why = ("; ".join(dict.fromkeys(f"{r.year}: {r.reason}" for r in levels.itertuples()))
               [:300] if len(levels) else "growth rates alone cannot pin it")
        have = (f"{len(total)} record(s) of market {TOTAL} for {flow} ({segment}) ({kinds}) but "
                f"no usable level of it in {first}-{last} ({why})")
    emb = load_releases().frame
    n_emb = int(((emb["market"] == TOTAL) & (emb["flow"] == flow) & (emb["segment"] == segment)
                 & (emb["measure"] == "level")).sum())
    add = (f" (the embedded releases hold {n_emb} such levels: records + forecast."
           f"load_releases().filter(market='ALL', flow={flow!r}, segment={segment!r}))"
           if n_emb else "")
    return (f"the joint model splits China's total among {', '.join(markets)} and the rest "
            f"of the world, so it needs China's total: a level of market {TOTAL}, or a share "
            f"of it; the records hold {have}, and no share. Add rows with market {TOTAL} for "
            f"{flow} (China's total), e.g. market {TOTAL}, segment {segment}, flow {flow}, "
            f"year 2023, months 12, measure level, value <China's total>, unit CNY_1e8, "
            f"basis CNY{add}; or reconstruct one market alone with "
            f"forecast.reconstruct(records, market={markets[0]!r}).")


#: A market whose own used records span fewer years is named when the model fails.
MIN_MARKET_YEARS = 3


def _thin(obs, markets: tuple[str, ...]) -> dict[str, list[int]]:
    """The markets whose own used records span fewer than MIN_MARKET_YEARS years, with
    those years."""
    used = obs[obs["used"]]
    out = {}
    for m in markets:
        years = sorted({int(y) for y, mem in zip(used["year"], used["members"], strict=True)
                        if mem == (m,)})
        if len(years) < MIN_MARKET_YEARS:
            out[m] = years
    return out


def _sparse_hint(obs, markets: tuple[str, ...], some: bool = False) -> str:
    """Name the markets too thinly published to pin their ratio (the usual cause).

    With `some`, only when others are not: where every market is thin the advice to leave
    them out would leave no market, and the years asked for are what is short.
    """
    thin = [f"{m} ({len(years)} year(s) of its own records"
            + (f": {', '.join(map(str, years))})" if years else ")")
            for m, years in _thin(obs, markets).items()]
    if not thin or (some and len(thin) == len(markets)):
        return ""
    return (f" Too few releases pin {', '.join(thin)}: leave "
            f"{'it' if len(thin) == 1 else 'them'} out of `markets` (the rest of the world "
            "then holds what they send), or narrow start/end to the years they are published.")


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


@checked_keywords
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
        No usable level; no record of the markets; no level (or share) of China's total,
        which the split needs; a level out of line with its neighbours (a unit or
        currency slip), as in :func:`forecast.reconstruct`.
    ModelError
        The relinearisation does not converge (records that contradict each other, or a
        market too thinly published); the message names what to inspect.

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
