"""Print the validation figures of docs/history.md (run from the repository root).

    PYTHONPATH=src python docs/scripts/history_figures.py

Reconstructs US offshore execution from the embedded releases and prints: medians
against the published full-year figures, the leave-one-out table, the 2025 nowcast
and the intra-year profile. Output is Markdown; `doc_outputs.py` writes the same
texts into docs/history.md (`python docs/scripts/refresh.py`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _markdown import prose
from _markdown import table as _md
from history_loo import loo_full_year  # this folder: python puts a script's folder on sys.path

import forecast
from forecast.history.profile import month_label

PUBLISHED_USD = {2009: 2.81, 2013: 11.75, 2024: 31.59}
LOO_YEARS = (2009, 2013, 2020, 2022, 2023, 2024)


def _records_and_history():
    records = forecast.load_releases()
    return records, forecast.reconstruct(records)


def loo_text() -> str:
    """The leave-one-out table of published US full-year levels and its count."""
    records, _ = _records_and_history()
    loo = loo_full_year(records, LOO_YEARS)
    return _md(loo) + f"\n\ncovered: {int(loo['covered_95'].sum())} of {len(loo)}\n"


def nowcast_text() -> str:
    """The 2025 nowcast in USD, converted to CNY, and from the CNY reconstruction."""
    records, h = _records_and_history()
    nc = h.nowcast()
    ncc = forecast.reconstruct(records, currency="CNY").nowcast()
    rows = []
    for label, n in (("USD bn (USD reconstruction)", nc),
                     ("CNY bn (converted at the 2025 rate)", nc.in_currency("CNY")),
                     ("CNY bn (CNY reconstruction)", ncc)):
        s = n.summary()
        rows.append({"nowcast": label, "median": s["median"], "lower_80": s["lower_80"],
                     "upper_80": s["upper_80"], "lower_95": s["lower_95"],
                     "upper_95": s["upper_95"]})
    return (f"year {nc.year}, from the {month_label(nc.months)} figure; fx {nc.fx_rate:.4f} "
            f"({nc.fx_method})\n\n" + _md(pd.DataFrame(rows)) + "\n")


def profile_text() -> str:
    """The intra-year profile: its parameters and the share by month."""
    p = forecast.reconstruct().profile
    return (f"c(11) = {np.exp(p.log_c11):.3f} (December share {1 - np.exp(p.log_c11):.3f}), "
            f"exponent {p.exponent:.3f}, spread scale s = {p.scale:.3f}, "
            f"{len(p.pairs)} pairs, dof {p.dof:g} ({p.source})\n\n"
            + _md(p.to_frame().drop(columns=["months"]), "{:.3f}") + "\n")


def pairs_text() -> str:
    """The (partial, full-year) pairs the profile is fitted on."""
    return _md(forecast.reconstruct().profile.pairs, "{:.3f}") + "\n"


def widths_text() -> str:
    """The 80% half-widths of the history table, put into words."""
    f = forecast.reconstruct().to_frame().set_index("year")
    half = 100 * np.log(f["upper_80"] / f["lower_80"]) / 2  # in % of the level
    full = [y for y, e in f["evidence"].items() if "level(" in e]
    gaps = [y for y, n in f["n_records"].items() if n == 0]

    def pct(years) -> str:
        lo, hi = half[list(years)].min(), half[list(years)].max()
        return f"{lo:.1f}%" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}-{hi:.1f}%"

    # the sentence's groups, checked against the evidence so a new release cannot leave
    # them stale: the gap years, the January-May years and the January-October nowcast
    wide = {"gap": [2010, 2011], "gap2": [2018], "may": [2016, 2017], "oct": [2025],
            "held": [2019]}
    assert gaps == wide["gap"] + wide["gap2"] + wide["held"], gaps
    assert all("Jan-May" in f.loc[y, "evidence"] for y in wide["may"])
    assert "Jan-Oct" in f.loc[2025, "evidence"]
    others = [y for y in f.index if y not in full]
    assert half[full].max() < half[others].min(), "a full-year year is not the narrowest"
    assert half[2019] < min(half[wide[k]].min() for k in ("gap", "gap2", "may", "oct"))
    return prose(
        f"Years with a full-year figure have the narrowest bands (80% half-width "
        f"{pct(full)}). Years without one are wider (tested): the gap years 2010-2011 and "
        f"2018 ({pct(wide['gap'])} and {pct(wide['gap2'])}), 2016-2017 (a January-May "
        f"figure only, {pct(wide['may'])}) and 2025 (January-October only, "
        f"{pct(wide['oct'])}). 2019, also a gap year, is held to {pct(wide['held'])} by "
        "2020's full-year growth rate, which ties it to 2020's level.")


def main() -> None:
    records, h = _records_and_history()
    print(f"params: {h.params}\n")
    frame = h.to_frame()
    print("## Reconstructed history (USD bn)\n")
    print(_md(frame))
    print("\n## Medians against published full-year figures (USD bn)\n")
    rows = []
    for year, pub in PUBLISHED_USD.items():
        med = float(frame.loc[frame["year"] == year, "median"].iloc[0])
        rows.append({"year": year, "published": pub, "median": med,
                     "error %": 100 * (med / pub - 1)})
    print(_md(pd.DataFrame(rows)))
    print("\n## Leave-one-out (each published US full-year level dropped in turn)\n")
    print(loo_text())
    print("## 2025 nowcast\n")
    print(nowcast_text())
    print("## Intra-year profile\n")
    print(profile_text())
    print("### Pairs\n")
    print(pairs_text())


if __name__ == "__main__":
    main()
