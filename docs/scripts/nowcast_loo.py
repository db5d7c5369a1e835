"""Leave-one-year-out study of the intra-year profile behind the nowcast.

Every (market, year) that has January-to-month levels and a full-year level is left out
in turn: the profile c(m) is estimated from the other years' pairs, each partial figure
of the left-out year is turned into a full-year prediction ``partial / c(m)``, and the
prediction's log error and 80% band (the profile's spread plus its estimation error at
m months, ``IntraYearProfile.log_var``) are compared with the published full year.

Run ``python docs/scripts/nowcast_loo.py`` to print the table shown in docs/history.md;
``tests/history/test_nowcast_loo.py`` checks the figures quoted there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import forecast
from forecast.history.profile import estimate_profile

Z80 = 1.2815515655446004


def series_rows(records) -> pd.DataFrame:
    """The rows the reconstruction pairs: offshore execution, all segments, US and China."""
    f = records.frame
    return f[(f["segment"] == "all") & (f["flow"] == "offshore_execution")
             & f["market"].isin(["US", "ALL"])]


def loo_profile(records) -> pd.DataFrame:
    """One row per left-out partial figure.

    Returns
    -------
    DataFrame
        ``market, year, months, ratio`` (published partial / full), ``predicted`` (c(m)
        without that year), ``error_pct`` (100 * (predicted full year / published - 1)),
        ``log_sd`` (the 80% band's log half-width / 1.2816) and ``covered_80``.
    """
    rows = series_rows(records)
    pairs = estimate_profile(rows, "all").pairs
    out = []
    for (market, year), group in pairs.groupby(["market", "year"]):
        keep = ~((rows["market"] == market) & (rows["year"] == year) & (rows["months"] < 12))
        profile = estimate_profile(rows[keep], f"without {market} {year}")
        for r in group.itertuples():
            m = int(r.months)
            log_c = float(profile.log_share(m)[0])
            err = log_c - np.log(r.ratio)  # log(predicted full / published full)
            sd = float(np.sqrt(profile.log_var(m)[0]))
            out.append({"market": market, "year": int(year), "months": m,
                        "ratio": float(r.ratio), "predicted": float(np.exp(log_c)),
                        "error_pct": 100 * float(np.expm1(-err)), "log_sd": sd,
                        "covered_80": bool(abs(err) <= Z80 * sd)})
    return pd.DataFrame(out)


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table of `frame` (no extra dependency)."""
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.shape[1]]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join(lines)


def table_text() -> str:
    """The table and its summary line, as docs/history.md shows them."""
    table = loo_profile(forecast.load_releases())
    return (markdown(table.round({"ratio": 3, "predicted": 3, "error_pct": 1, "log_sd": 3}))
            + f"\n\n{len(table)} partial figures: mean absolute error "
            f"{table['error_pct'].abs().mean():.1f}%, 80% band covers "
            f"{int(table['covered_80'].sum())} of {len(table)}\n")


def main() -> None:
    print(table_text(), end="")


if __name__ == "__main__":
    main()
