"""The figures of docs/results.md's section on the reporting currency (repository root).

    PYTHONPATH=src python docs/scripts/currency_figures.py

One run in USD and one in CNY: the same releases, model (``Auto()``), seeds and presets;
only ``forecast.reconstruct(currency=...)`` differs. :func:`table_text` is the block
``doc_outputs.py`` registers (``refresh.py`` writes it, ``tests/test_docs.py`` checks
it); it also asserts the claims the page's prose makes around it (:func:`claim`).
"""

from __future__ import annotations

import functools

from _markdown import prose

import forecast
from forecast import presets
from forecast.report import key_message

TO, N_PATHS, SEED = 2035, 10_000, 1
BASE_YEAR, MID_YEAR = 2024, 2030  # the key message's comparison, and the CAGR's end


@functools.cache
def _run(currency: str):
    history = forecast.reconstruct(currency=currency)
    fit = forecast.Auto().fit(history, seed=SEED)
    proj = forecast.project(fit, presets.scenario_set(), to=TO, n_paths=N_PATHS, seed=SEED)
    return history, proj


def claim(holds: bool, text: str) -> None:
    """Fail the refresh when the page's prose around the block says `text` and it is false."""
    if not holds:
        raise AssertionError(f"docs/results.md says {text}; no longer: rewrite that sentence")


def _band(proj, year: int) -> tuple[float, float, float]:
    s = proj.summary_frame((80,))
    row = s[(s["scenario"] == "baseline") & (s["year"] == year)].iloc[0]
    return float(row["median"]), float(row["lower_80"]), float(row["upper_80"])


def _growth(history, year: int) -> float:
    m = history.to_frame().set_index("year")["median"]
    return 100 * (m[year] / m[year - 1] - 1)


def _llt_band(history) -> tuple[float, float]:
    """The local linear trend's own 80% band in TO, relative to its median."""
    f = forecast.LocalLinearTrend().fit(history, seed=SEED).forecast(TO - history.series.last_year)
    row = f.set_index("year").loc[TO]
    return row["lower_80"] / row["median"] - 1, row["upper_80"] / row["median"] - 1


def _rel(lo: float, hi: float) -> str:
    return f"{100 * lo:+.0f}% / {100 * hi:+.0f}%"


def _implied_rates(history) -> dict[int, float]:
    """The rates MOFCOM's own CNY and USD totals imply, by year, as the history used them."""
    obs = history.observations()
    used = obs[obs["used"].astype(bool) & (obs["fx_method"] == "implied")]
    return {int(y): float(r) for y, r in used.groupby("year")["fx_rate"].mean().items()}


def table_text() -> str:
    """The USD and the CNY run side by side, and why they differ."""
    (h_usd, usd), (h_cny, cny) = _run("USD"), _run("CNY")
    last = int(h_usd.series.last_year)
    rate = forecast.load_exchange_rates().annual(last)
    (m_u, lo_u, hi_u), (m_c, lo_c, hi_c) = _band(usd, TO), _band(cny, TO)
    g_u = usd.cagr(BASE_YEAR, MID_YEAR, levels=80, scenario="baseline").iloc[0]
    g_c = cny.cagr(BASE_YEAR, MID_YEAR, levels=80, scenario="baseline").iloc[0]
    k_u, k_c = key_message(usd, h_usd), key_message(cny, h_cny)
    claim((k_u.prob_year, k_u.base_year) == (MID_YEAR, BASE_YEAR) == (k_c.prob_year,
                                                                      k_c.base_year),
          f"the key message compares {MID_YEAR} with {BASE_YEAR}")
    claim(g_c["median"] > g_u["median"] + 1, "the CNY run grows faster")
    claim((hi_c - lo_c) / m_c < 0.7 * (hi_u - lo_u) / m_u,
          "the CNY run's band is far narrower relative to its median")
    claim(k_c.prob_above["baseline"] > k_u.prob_above["baseline"] + 0.1,
          "the CNY run is far more confident that the level rises")

    def rel(lo, m, hi):
        return _rel(lo / m - 1, hi / m - 1)

    def chance(k, name):
        return forecast.report.formats.percent(k.prob_above[name])

    growth = {cur: ", ".join(f"{_growth(h, y):+.1f}%" for y in (last - 1, last))
              for cur, h in (("USD", h_usd), ("CNY", h_cny))}
    rows = [
        (f"baseline {TO} median [80% band]", f"{m_u:.1f} [{lo_u:.1f}, {hi_u:.1f}] USD bn",
         f"{m_c:.0f} [{lo_c:.0f}, {hi_c:.0f}] CNY bn",
         f"{m_u * rate.rate:.0f} [{lo_u * rate.rate:.0f}, {hi_u * rate.rate:.0f}] CNY bn"),
        ("80% band about its median", rel(lo_u, m_u, hi_u), rel(lo_c, m_c, hi_c),
         rel(lo_u, m_u, hi_u)),
        (f"CAGR {BASE_YEAR}-{MID_YEAR}, median [80% band]",
         f"{g_u['median']:.1f}% [{g_u['lower_80']:.1f}, {g_u['upper_80']:.1f}]",
         f"{g_c['median']:.1f}% [{g_c['lower_80']:.1f}, {g_c['upper_80']:.1f}]", "as in USD"),
        (f"chance that {MID_YEAR} is above {BASE_YEAR} (key message), baseline",
         chance(k_u, "baseline"), chance(k_c, "baseline"), "as in USD"),
        ("the same, fragmentation", chance(k_u, "fragmentation"),
         chance(k_c, "fragmentation"), "as in USD"),
        (f"history's growth in {last - 1}, {last} (medians)", growth["USD"], growth["CNY"], ""),
    ]
    lines = ["| | run in USD | run in CNY | the USD run at " + f"{rate.rate:.2f} CNY per USD |",
             "|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    implied = {**_implied_rates(h_usd), **_implied_rates(h_cny)}  # CNY records; USD ones
    years = sorted(y for y in implied if y >= last - 3)
    claim(len(years) >= 2 and all(implied[a] < implied[b] for a, b in zip(years, years[1:],
                                                                        strict=False)),
          "the yuan weakened over the last years of the history")
    through = " -> ".join(f"{implied[y]:.3f}" for y in years)
    ratio = m_c / m_u
    llt = {cur: _llt_band(h) for cur, h in (("USD", h_usd), ("CNY", h_cny))}
    claim(llt["USD"][1] - llt["USD"][0] > 2 * (llt["CNY"][1] - llt["CNY"][0]),
          "the local linear trend member is far wider in USD")
    text = (
        f"Same releases, model (`Auto()`), seeds and presets ({N_PATHS:,} paths); only "
        "`reconstruct(currency=...)` differs. The CNY series grew faster at the end of the "
        "history because the yuan weakened against the dollar (the rates MOFCOM's own CNY "
        f"and USD totals imply went {through} over {years[0]}-{years[-1]}), and the models "
        "extrapolate each series' own trend: no exchange-rate path is modelled, so the "
        "CNY run projects the past depreciation forward as growth. Set against the USD run "
        f"its {TO} median implies {ratio:.2f} CNY per USD, against {rate.rate:.2f} in "
        f"{last} (the exchange-rate table's annual average). The bands differ as well: "
        "the local linear trend member is far wider on the USD series (its own "
        f"{TO} 80% band {_rel(*llt['USD'])} of its median, against {_rel(*llt['CNY'])} in "
        "CNY), and the combination keeps that width.")
    return "\n".join(lines) + "\n\n" + prose(text)


if __name__ == "__main__":
    print(table_text())
