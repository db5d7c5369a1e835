"""Leave-one-out check of the history model: a validation study, not part of the library.

Used by ``docs/scripts/history_figures.py`` (the table in ``docs/history.md``) and by
``tests/history/test_history.py``; it uses only the public API.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecast import Records, load_exchange_rates, reconstruct

__all__ = ["loo_full_year"]


def loo_full_year(records, years, market: str = "US", flow: str = "offshore_execution",
                  currency: str = "USD") -> pd.DataFrame:
    """Drop each published full-year level in turn and check the reconstructed band.

    For each year, the full-year level records of the series (and the shares of the same
    period, which restate them) are removed; the history is reconstructed over the same
    years and the dropped figure, converted to `currency` at the year's rate, is compared
    with the 80% and 95% bands.

    Returns
    -------
    DataFrame
        Columns ``year``, ``published`` (value and unit as published), ``dropped``
        (in billions of `currency`), ``median``, ``lower_95``, ``upper_95``,
        ``covered_80``, ``covered_95`` and ``z`` ((log dropped - log mean) / log sd).
    """
    fx = load_exchange_rates()
    frame = records.frame
    own = (frame["market"] == market) & (frame["segment"] == "all") & (frame["flow"] == flow)
    first, last = int(frame.loc[own, "year"].min()), int(frame.loc[own, "year"].max())
    series = own & (frame["months"] == 12)
    rows = []
    for year in years:
        drop = series & (frame["year"] == year) & frame["measure"].isin(("level", "share"))
        lev = frame[drop & (frame["measure"] == "level")]
        value, unit = float(lev["value"].iloc[0]), str(lev["unit"].iloc[0])
        dropped = value / 10.0
        if unit[:3] != currency:
            rate = fx.for_period(records, int(year), 12).rate
            dropped = dropped / rate if currency == "USD" else dropped * rate
        with warnings.catch_warnings():  # dropping the first year extrapolates it, on purpose
            warnings.simplefilter("ignore", UserWarning)
            h = reconstruct(Records.from_frame(frame[~drop]), market, flow, currency=currency,
                            fx=fx, start=first, end=last)
        i = int(year - h.years[0])
        mu, sd = float(h.log_mean[i]), float(h.log_sd[i])
        z = (np.log(dropped) - mu) / sd
        rows.append({"year": int(year), "published": f"{value:g} {unit}",
                     "dropped": dropped, "median": float(np.exp(mu)),
                     "lower_95": float(np.exp(mu - 1.959964 * sd)),
                     "upper_95": float(np.exp(mu + 1.959964 * sd)),
                     "covered_80": bool(abs(z) <= 1.281552), "covered_95": bool(abs(z) <= 1.959964),
                     "z": float(z)})
    return pd.DataFrame(rows)
