"""Reconstruct an annual series, with honest uncertainty, from scattered MOFCOM releases.

:func:`reconstruct` turns every published figure of one market and flow (full-year and
January-to-month levels in USD or CNY, growth rates, shares) into observations of a
linear Gaussian state-space model on the log annual level (local linear trend plus the
lagged level), estimates its two variances and smooths it with statsmodels. The result
is a :class:`History`: medians, bands, whole-history draws, the evidence behind each
year, and a :class:`Nowcast` of the current partial year. See ``docs/history.md``.

:func:`reconstruct` checks its arguments; ``fit_history`` assembles the observations,
estimates and smooths the model (:mod:`forecast.history.statespace`, which imports
statsmodels, loads only then) and builds the :class:`History`.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from .._keywords import checked_keywords
from .._threads import single_blas_thread
from .._validation import check_int, user_stacklevel
from ..errors import DataError, ForecastTypeError, ParameterError
from ..records import ExchangeRates, Records, load_exchange_rates, load_releases
from ..records.schema import canonical_market, suggest
from . import observations as obsmod
from ._outliers import check_outliers, record_sources, warn_growth_slips
from .history import CURRENCIES, FLOWS, History, series_name
from .profile import IntraYearProfile, estimate_profile

__all__ = ["reconstruct"]

_SORT = ["year", "months", "measure", "unit", "basis", "value", "confidence", "origin", "row"]


def _profile_for(frame: pd.DataFrame, market: str, segment: str, flow: str
                 ) -> IntraYearProfile:
    own = (frame["market"] == market) & (frame["segment"] == segment) & (frame["flow"] == flow)
    ref = frame["market"].isin(("US", "ALL")) & (frame["segment"] == "all") & (
        frame["flow"] == "offshore_execution")
    markets = sorted(set(frame.loc[own | ref, "market"]))
    prof = estimate_profile(frame[own | ref], f"pairs from {', '.join(markets)}")
    if prof is not None:
        return prof
    emb = load_releases().frame
    ref = emb["market"].isin(("US", "ALL")) & (emb["segment"] == "all") & (
        emb["flow"] == "offshore_execution")
    prof = estimate_profile(emb[ref], "embedded US and ALL pairs (the records passed have "
                                      "fewer than 3 partial/full-year pairs)")
    if prof is None:  # pragma: no cover - the embedded data always have pairs
        raise DataError("no partial/full-year pairs to estimate the intra-year profile. "
                        "Pass profile=... to reconstruct().")
    return prof


def _check_params(params: object) -> np.ndarray:
    from .statespace import BOUNDS, PARAM_NAMES  # lazy: statespace imports statsmodels

    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        raise ForecastTypeError(f"`params` must be a dict with keys {', '.join(PARAM_NAMES)}; "
                                f"got {params!r}. Pass e.g. history.params (without the "
                                "extra keys) or None to estimate them.")
    out = []
    for (name, (lo, hi)) in zip(PARAM_NAMES, BOUNDS, strict=True):
        v = params[name]
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not lo <= v <= hi:
            raise ParameterError(f"`params['{name}']` must be a number in [{lo}, {hi}]; got "
                                 f"{v!r}. Pass a value inside the bounds or None.")
        out.append(float(v))
    return np.array(out)


@single_blas_thread()
def fit_history(records, fx, market: str, flow: str, segment: str, currency: str,
                start: int | None, end: int | None, profile: IntraYearProfile | None,
                params: dict | None):
    """Assemble the observations, estimate and smooth the model, build the History."""
    from . import statespace as ssm  # lazy: statsmodels loads only when a history is fitted

    fixed = None if params is None else _check_params(params)
    frame = records.frame
    sel, first, last = _select_records(frame, market, flow, segment, start, end)
    prof = profile if profile is not None else _profile_for(frame, market, segment, flow)
    totals = frame[(frame["market"] == "ALL") & (frame["segment"] == segment)
                   & (frame["flow"] == flow) & (frame["measure"] == "level")]
    # the fx stage reads only China's totals: hand it those rows (much faster)
    fx_records = records.filter(market="ALL", segment="all", measure="level") if (
        "ALL" in records.markets) else records
    obs, conv = obsmod.build(fx_records, sel, totals, market, currency, fx, prof, (first, last))
    used = _usable(obs, market, flow, segment, first, last)
    check_outliers([r for r in used if r["slot"] == 0], f"{market} {flow} ({segment})",
                   record_sources(sel))
    warn_growth_slips(used, f"{market} {flow} ({segment})", record_sources(sel))
    if end is None:  # the last year is the last one a usable record informs
        last = _last_informed(obs, used, last, f"{market} {flow} ({segment})", currency)
    years = np.arange(first, last + 1)
    endog = np.full((years.size, 2), np.nan)
    var = np.ones((years.size, 2))
    by_year: dict[int, list[dict]] = {int(y): [] for y in years}
    for r in used:
        endog[r["year"] - first, r["slot"]] = r["y"]
        var[r["year"] - first, r["slot"]] = r["var"]
        by_year[r["year"]].append(r)
    _check_pinned(endog, years, f"{market} {flow} ({segment})")
    model = ssm.LogLevelModel(endog, var)
    if fixed is None:
        est, loglike = ssm.estimate(model)
    else:
        est, loglike = fixed, float(model.loglike(fixed))
    mean, sd, dmap = ssm.smooth(model, est)
    n_rec = np.array([len(by_year[int(y)]) for y in years])
    evidence = tuple("; ".join(r["evidence"] for r in sorted(by_year[int(y)],
                                                             key=lambda r: r["slot"]))
                     for y in years)
    return History(years=years, log_mean=mean, log_sd=sd, unit=f"{currency}_bn",
                   name=series_name(market, flow, segment),
                   market=market, flow=flow, segment=segment, currency=currency,
                   profile=prof,
                   params={"sigma_level": float(est[0]), "sigma_slope": float(est[1]),
                           "loglike": loglike, "estimated": fixed is None},
                   n_records=n_rec, evidence=evidence, _map=dmap, _obs=obs,
                   _fx=_partial_year_rates(fx, fx_records, years, by_year), _conv=conv)


def _select_records(frame: pd.DataFrame, market: str, flow: str, segment: str,
                    start: int | None, end: int | None) -> tuple[pd.DataFrame, int, int]:
    """The series' records in canonical order, and the first and last year reconstructed."""
    sel = frame[(frame["market"] == market) & (frame["segment"] == segment)
                & (frame["flow"] == flow)]
    if sel.empty:
        have = frame[frame["market"] == market]
        pairs = sorted(set(zip(have["flow"], have["segment"], strict=True)))
        raise DataError(
            f"no record of market {market!r}, flow {flow!r}, segment {segment!r}; the records "
            f"hold for {market!r}: " + ", ".join(f"{f} ({s})" for f, s in pairs)
            + ". Pass one of those flow/segment pairs or add records.")
    sel = sel.sort_values(_SORT, kind="stable", ignore_index=True)
    _check_span(sel, market, flow, segment, start, end)
    inside = sel[(sel["year"] >= (start or -10**6)) & (sel["year"] <= (end or 10**6))]
    if inside.empty:
        raise DataError(f"no record of {market!r} {flow!r} falls {_years_text(start, end)}; "
                        f"records cover {sel['year'].min()}-{sel['year'].max()}. Widen "
                        "start/end.")
    first = start if start is not None else int(inside["year"].min())
    last = end if end is not None else int(inside["year"].max())
    return sel, first, last


def _years_text(start: int | None, end: int | None) -> str:
    """The years from `start` to `end` in words: "in 2010-2020", "in 2030 or later"."""
    if start is not None and end is not None:
        return f"in {start}-{end}"
    if start is not None:
        return f"in {start} or later"
    return "in any year" if end is None else f"in {end} or earlier"


def _no_usable_message(obs: pd.DataFrame, market: str, flow: str, segment: str) -> str:
    """Why no record of the series can be used, once per reason, and the fix.

    Records that could not be converted are summed up in one reason naming their years
    and currency (each row's own reason, in ``History.observations()``, keeps the
    exchange-rate table's full message), with the two fixes: the records' own
    currency, or the missing rates.
    """
    no_rate = obs[obs["reason"].astype(str).str.startswith(obsmod.NO_RATE)]
    reasons = sorted({str(r).rstrip(".") for r in obs["reason"]
                      if not str(r).startswith(obsmod.NO_RATE)})
    fixes = []
    if len(no_rate):
        years = ", ".join(map(str, sorted(set(no_rate["year"].astype(int)))))
        bases = sorted(set(no_rate["basis"]))
        reasons.insert(0, f"no exchange rate to convert the {'/'.join(bases)} records of "
                          f"{years} (load_exchange_rates() lists the years it has)")
        fixes.append(f"pass currency={bases[0]!r} to reconstruct in the records' own "
                     "currency, or add those years' rates to an fx CSV and pass "
                     "fx=ExchangeRates.from_csv(path)")
    if len(reasons) > 4:
        reasons = [*reasons[:4], f"and {len(reasons) - 4} more (History.observations() "
                                 "lists each record's)"]
    fixes.append("add level records or pass other start/end")
    fix = "; or ".join(fixes)
    return (f"no usable record of {market!r} {flow!r} ({segment}): {'; '.join(reasons)}. "
            f"{fix[0].upper()}{fix[1:]}.")


def _usable(obs: pd.DataFrame, market: str, flow: str, segment: str, first: int,
            last: int) -> list[dict]:
    """The observations the model uses; at least one must be a level."""
    used = [r for r in obs.to_dict("records") if r["used"]]
    if not used:
        raise DataError(_no_usable_message(obs, market, flow, segment))
    if not any(r["slot"] == 0 for r in used):
        raise DataError(f"{market!r} {flow!r} ({segment}) has growth rates but no level in "
                        f"{first}-{last}; growth alone cannot pin the level. Add at least one "
                        "level record (full-year, January-to-month or a share of ALL).")
    return used


def _unpinned_years(endog: np.ndarray, years: np.ndarray) -> list[int]:
    """Years whose level no observation determines, under the model's diffuse start.

    The log level is ``x_t = a + b t + (noise of finite variance)`` with the initial
    level ``a``, slope ``b`` and lagged level ``c`` diffuse: a level observation in year
    ``t`` informs ``(1, t, 0)``, a growth rate ``(0, 1, 0)`` (``(1, 0, -1)`` in the first
    year). ``x_t`` has a finite band only if ``(1, t, 0)`` lies in the span of the
    observations; otherwise the smoother's figure for it is an artefact of its numerics
    (a level pinned in one year and nothing else: every other year's "band" is then the
    sd of a made-up value).
    """
    rows = [(1.0, float(i), 0.0) for i in np.flatnonzero(np.isfinite(endog[:, 0]))]
    rows += [(1.0, 0.0, -1.0) if i == 0 else (0.0, 1.0, 0.0)
             for i in np.flatnonzero(np.isfinite(endog[:, 1]))]
    design = np.array(rows, dtype=float).reshape(-1, 3)
    rank = np.linalg.matrix_rank(design)
    return [int(years[i]) for i in range(years.size)
            if np.linalg.matrix_rank(np.vstack([design, (1.0, float(i), 0.0)])) > rank]


def _check_pinned(endog: np.ndarray, years: np.ndarray, what: str) -> None:
    """Refuse years no record pins (see :func:`_unpinned_years`), naming them."""
    loose = _unpinned_years(endog, years)
    if loose:
        pinned = [int(y) for y in years if int(y) not in loose]
        only = ", ".join(map(str, pinned))
        raise DataError(
            f"the usable records of {what} pin the level of {only} only, and no growth rate "
            f"links it to another year: {', '.join(map(str, loose))} would be made up by the "
            f"model, not reconstructed. Pass start={pinned[0]}, end={pinned[-1]} to "
            "reconstruct the pinned years alone, or add a level or a growth rate of another "
            "year.")


def _last_informed(obs: pd.DataFrame, used: list[dict], last: int, what: str,
                   currency: str, who: str = "reconstruct") -> int:
    """The last year a used observation informs; warns, naming the records and why, when
    the records of later years cannot be used (a new release in another currency with no
    exchange rate for its year, typically): the history ends before them instead of
    extrapolating into years it has no figure for."""
    informed = max(int(r["year"]) for r in used)
    if informed >= last:
        return last
    late = obs[(obs["year"] > informed) & ~obs["used"].astype(bool)]
    reasons = "; ".join(dict.fromkeys(str(r).split("; ")[0] for r in late["reason"]))
    if len(reasons) > 300:
        reasons = reasons[:297] + "..."
    years = ", ".join(map(str, sorted(set(late["year"].astype(int)))))
    fix = "Add usable records for those years or pass end=<year> to extrapolate."
    if "exchange rate" in reasons:
        other = sorted(set(late["basis"]) - {currency})
        fix = (f"Add an exchange rate for {years} (fx=forecast.ExchangeRates.from_csv(path); "
               "on the command line --fx path)"
               + (f", or reconstruct in the records' currency (currency={other[0]!r}; on "
                  f"the command line --currency {other[0]})" if other else "") + ".")
    warnings.warn(
        f"{who}: {len(late)} record(s) of {what} for {years} cannot be used "
        f"({reasons}); the history ends in {informed}, the last year a usable record "
        f"informs. {fix}", UserWarning, stacklevel=user_stacklevel())
    return informed


def _partial_year_rates(fx, fx_records, years: np.ndarray, by_year: dict[int, list[dict]]
                        ) -> tuple[tuple[float, str], ...]:
    """(rate, method) of each year known only from partial-year figures, for the nowcast."""
    out = []
    for y in years:
        rows = by_year[int(y)]
        rate, method = np.nan, ""
        full = any(r["months"] == 12 for r in rows)  # a level or a growth rate: as nowcast
        if not full and any(r["months"] < 12 for r in rows):
            try:
                r = fx.for_period(fx_records, int(y), 12)
                rate, method = float(r.rate), str(r.method)
            except DataError:
                pass
        out.append((rate, method))
    return tuple(out)


#: Years a reconstruction may reach beyond the first or last year its records inform.
#: Inside, the smoother extrapolates the trend (with a widening band) and reconstruct
#: warns; further out, the years would be invented, not reconstructed, and are refused.
MAX_EXTRAPOLATION = 3


def _check_span(sel: pd.DataFrame, market: str, flow: str, segment: str,
                start: int | None, end: int | None) -> None:
    """Refuse years far beyond the records; warn about the few extrapolated ones.

    A growth rate in year t also informs t - 1, so the first informed year may be one
    before the first growth record.
    """
    first = int(np.min(sel["year"] - (sel["measure"] == "yoy_growth")))
    last = int(sel["year"].max())
    what = f"{market} {flow} ({segment})"
    k = MAX_EXTRAPOLATION
    if start is not None and start < first - k:
        raise ParameterError(
            f"`start` must be >= {first - k}, at most {k} years before {first}, the first year "
            f"the records of {what} inform; got {start}. Earlier years would be invented by "
            f"the model, not reconstructed: pass start >= {first} or None.")
    if end is not None and end > last + k:
        raise ParameterError(
            f"`end` must be <= {last + k}, at most {k} years after {last}, the last year with "
            f"a record of {what}; got {end}. Later years are forecasts: fit a model and "
            "project it (forecast.project), or pass end=None.")
    outside = [y for y in (range(start, first) if start is not None else ())] + [
        y for y in (range(last + 1, end + 1) if end is not None else ())]
    if outside:
        warnings.warn(
            f"reconstruct: no record of {what} informs {', '.join(map(str, outside))}; those "
            "years extrapolate the model's trend (their n_records is 0 and their band is "
            "wide). Pass start/end inside the records to avoid it.",
            UserWarning, stacklevel=user_stacklevel())


def _check_str(name: str, value: object, allowed: tuple[str, ...] | None, fix: str) -> str:
    if not isinstance(value, str):
        raise ForecastTypeError(f"`{name}` must be a str; got {value!r} "
                                f"({type(value).__name__}). {fix}")
    if allowed is not None and value not in allowed:
        near = [a for a in allowed if a.lower() == value.lower()]
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise ParameterError(f"`{name}` must be one of {', '.join(allowed)}; got "
                             f"{value!r}.{hint} {fix}".rstrip())
    return value


def _year_arg(name: str, value: object) -> int | None:
    if value is None:
        return None
    return check_int(name, value, 1950, 2200, fix=f"Pass a calendar year or None for {name}.")


@checked_keywords
def reconstruct(records=None, market: str = "US", flow: str = "offshore_execution",
                segment: str = "all", currency: str = "USD", *, fx=None,
                start: int | None = None, end: int | None = None,
                profile: IntraYearProfile | None = None,
                params: dict | None = None, markets: object = None) -> History:
    """Reconstruct the annual history of one market and flow from all its records.

    Parameters
    ----------
    records : Records, optional
        Release records; default the embedded ones (:func:`forecast.load_releases`).
    market, flow, segment : str
        The series, e.g. "US" (default), "ALL" (China total) or a user's own market.
    currency : {"USD", "CNY"}
        Target currency; values are in billions of it.
    fx : ExchangeRates, optional
        Exchange rates; default :func:`forecast.load_exchange_rates`.
    start, end : int, optional
        First and last year reconstructed; default the first and last year with a
        record. Records outside are reported as unused.
    profile : IntraYearProfile, optional
        Fix the intra-year profile instead of estimating it from the records.
    params : dict, optional
        Fix ``sigma_level`` and ``sigma_slope`` instead of estimating them.
    markets : None
        Not used here: several markets with China's total are rebuilt together by
        :func:`forecast.reconstruct_markets` (a :class:`~forecast.MarketHistory`); passing
        `markets` raises a ParameterError that says so.

    Returns
    -------
    History

    Raises
    ------
    ParameterError, ForecastTypeError
        Unknown market, flow or currency; bad years or parameters.
    DataError
        The series has no usable record, or no level at all (growth rates alone cannot
        pin the level); the levels fall in one year and no growth rate links it to
        another, so the other years would be made up; a level is off from its neighbours
        by an order of magnitude or is an isolated spike (a unit or currency slip: see
        ``docs/history.md``).

    Examples
    --------
    >>> import forecast
    >>> h = forecast.reconstruct()            # US offshore execution, USD bn
    >>> (h.series.first_year, h.series.last_year, h.unit)
    (2009, 2025, 'USD_bn')
    >>> round(float(h.series.values[0]), 1)   # published: USD 2.81 bn
    2.8
    >>> h.draws(3, seed=1).shape
    (3, 17)
    >>> nc = h.nowcast()                      # full-year 2025 from January-October
    >>> (nc.year, nc.months, nc.currency)
    (2025, 10, 'USD')
    """
    if markets is not None:
        raise ParameterError(f"`markets` must be None: reconstruct() rebuilds one market "
                             f"(market='US'); got markets={markets!r}. Rebuild "
                             "several with China's total using forecast.reconstruct_markets("
                             f"records, markets={markets!r}).")
    records = load_releases() if records is None else records
    if not isinstance(records, Records):
        raise ForecastTypeError(f"`records` must be Records; got {type(records).__name__}. "
                                "Load them with forecast.load_releases() or "
                                "Records.from_csv(path).")
    fx = load_exchange_rates() if fx is None else fx
    if not isinstance(fx, ExchangeRates):
        raise ForecastTypeError(f"`fx` must be ExchangeRates; got {type(fx).__name__}. "
                                "Use forecast.load_exchange_rates().")
    currency = _check_str("currency", currency, CURRENCIES, "Pass 'USD' or 'CNY'.")
    flow = _check_str("flow", flow, FLOWS, "")
    segment = _check_str("segment", segment, None, "Pass e.g. 'all'.")
    # a sum in any order names the stored one ("HK+US" is "US+HK")
    market = canonical_market(_check_str("market", market, None, "Pass e.g. 'US' or 'ALL'."))
    if len(records) == 0:
        raise DataError("`records` must hold at least one record; got none (a filter such as "
                        "as_of='1999' may have removed them all). Pass a later as_of, or load "
                        "more releases.")
    if market not in records.markets:
        raise ParameterError(f"`market` must be a market present in the records; got "
                             f"{market!r}.{suggest(market, records.markets)} Markets present: "
                             f"{', '.join(records.markets)}.")
    start, end = _year_arg("start", start), _year_arg("end", end)
    if start is not None and end is not None and start > end:
        raise ParameterError(f"`start` must be <= `end`; got start={start}, end={end}. "
                             f"Swap them: pass start={end}, end={start}.")
    if profile is not None and not isinstance(profile, IntraYearProfile):
        raise ForecastTypeError(f"`profile` must be an IntraYearProfile or None; got "
                                f"{type(profile).__name__}. Pass history.profile.")
    return fit_history(records, fx, market, flow, segment, currency, start, end, profile,
                       params)
