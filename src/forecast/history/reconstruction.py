"""Assemble, estimate and smooth the history model (private to :mod:`forecast.history`)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import DataError, ForecastTypeError, ParameterError
from . import observations as obsmod
from .profile import IntraYearProfile, estimate_profile

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
    from ..records.releases import load_releases

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
    from .statespace import BOUNDS, PARAM_NAMES

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


def fit_history(records, fx, market: str, flow: str, segment: str, currency: str,
                start: int | None, end: int | None, profile: IntraYearProfile | None,
                params: dict | None):
    from . import statespace as ssm
    from .history import History

    fixed = None if params is None else _check_params(params)
    frame = records.frame
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
    inside = sel[(sel["year"] >= (start or -10**6)) & (sel["year"] <= (end or 10**6))]
    if inside.empty:
        raise DataError(f"no record of {market!r} {flow!r} falls in {start}-{end}; records "
                        f"cover {sel['year'].min()}-{sel['year'].max()}. Widen start/end.")
    first = start if start is not None else int(inside["year"].min())
    last = end if end is not None else int(inside["year"].max())
    prof = profile if profile is not None else _profile_for(frame, market, segment, flow)
    totals = frame[(frame["market"] == "ALL") & (frame["segment"] == segment)
                   & (frame["flow"] == flow) & (frame["measure"] == "level")]
    # the fx stage reads only China's totals: hand it those rows (much faster)
    fx_records = records.filter(market="ALL", segment="all", measure="level") if (
        "ALL" in records.markets) else records
    obs, conv = obsmod.build(fx_records, sel, totals, market, currency, fx, prof, (first, last))
    used = [r for r in obs.to_dict("records") if r["used"]]
    if not used:
        reasons = "; ".join(sorted(set(obs["reason"])))[:400]
        raise DataError(f"no usable record of {market!r} {flow!r} ({segment}): {reasons}. "
                        "Add level records or pass other start/end.")
    if not any(r["slot"] == 0 for r in used):
        raise DataError(f"{market!r} {flow!r} ({segment}) has growth rates but no level in "
                        f"{first}-{last}; growth alone cannot pin the level. Add at least one "
                        "level record (full-year, January-to-month or a share of ALL).")
    years = np.arange(first, last + 1)
    n = years.size
    endog = np.full((n, 2), np.nan)
    var = np.ones((n, 2))
    by_year: dict[int, list[dict]] = {int(y): [] for y in years}
    for r in used:
        endog[r["year"] - first, r["slot"]] = r["y"]
        var[r["year"] - first, r["slot"]] = r["var"]
        by_year[r["year"]].append(r)
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
    fxs = []
    for y in years:
        rows = by_year[int(y)]
        rate, method = np.nan, ""
        full = any(r["slot"] == 0 and r["months"] == 12 for r in rows)
        if not full and any(r["months"] < 12 for r in rows):
            try:
                r = fx.for_period(fx_records, int(y), 12)
                rate, method = float(r.rate), str(r.method)
            except DataError:
                pass
        fxs.append((rate, method))
    unit = f"{currency}_bn"
    name = f"{market} {flow}" + ("" if segment == "all" else f" ({segment})")
    return History(years=years, log_mean=mean, log_sd=sd, unit=unit, name=name,
                   market=market, flow=flow, segment=segment, currency=currency,
                   profile=prof,
                   params={"sigma_level": float(est[0]), "sigma_slope": float(est[1]),
                           "loglike": loglike, "estimated": fixed is None},
                   n_records=n_rec, evidence=evidence, _map=dmap, _obs=obs, _fx=tuple(fxs),
                   _conv=conv)
