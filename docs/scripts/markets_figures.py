"""Print the figures of docs/markets.md and draw its two charts (run from the repository root).

    PYTHONPATH=src python docs/scripts/markets_figures.py [--backtest]

Reconstructs China's total with the US, EU, Hong Kong and Japan jointly, compares the US
with the single-market reconstruction, runs the leave-one-out of the published market
levels and the worked example (split model, nine market presets, 10,000 paths to 2035),
and with ``--backtest`` the pseudo-real-time comparison of the joint and single-market US
forecasts (Auto, several minutes). Output is Markdown, pasted into docs/markets.md; the
charts go to docs/img/markets_fans.png and docs/img/markets_shares.png.
"""

from __future__ import annotations

import argparse
import pathlib

import pandas as pd

import forecast
from forecast.evaluation import backtest, backtest_markets, leave_one_out_markets, summarize

IMG = pathlib.Path(__file__).resolve().parents[1] / "img"
YEARS = (2009, 2013, 2016, 2019, 2021, 2023, 2025)


def _md(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cells(frame: pd.DataFrame, years, fmt: str = "{:.1f}") -> pd.DataFrame:
    f = frame[frame["year"].isin(years)]
    cell = [f"{fmt.format(m)} [{fmt.format(a)}, {fmt.format(b)}]" for m, a, b in
            zip(f["median"], f["lower_80"], f["upper_80"], strict=True)]
    wide = f.assign(cell=cell).pivot(index="market", columns="year", values="cell")
    return wide.reindex(list(dict.fromkeys(f["market"]))).reset_index()


def reconstruction(mh, records) -> None:
    params = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in mh.params.items()}
    print(f"params: {params}\n")
    print("## Joint reconstruction: levels (USD bn, median [80% band])\n")
    print(_md(_cells(mh.to_frame(), YEARS)))
    print("\n## Shares of China's total (%, median [80% band])\n")
    print(_md(_cells(mh.to_frame(share=True), YEARS)))
    print("\n## The US: joint against single-market reconstruction (USD bn)\n")
    single = forecast.reconstruct(records).to_frame().set_index("year")
    joint = mh.to_frame()
    joint = joint[joint["market"] == "US"].set_index("year")
    rows = [{"year": y, "single": single.loc[y, "median"],
             "single 80%": f"[{single.loc[y, 'lower_80']:.2f}, {single.loc[y, 'upper_80']:.2f}]",
             "joint": joint.loc[y, "median"],
             "joint 80%": f"[{joint.loc[y, 'lower_80']:.2f}, {joint.loc[y, 'upper_80']:.2f}]",
             "in single 80%": bool(single.loc[y, "lower_80"] <= joint.loc[y, "median"]
                                   <= single.loc[y, "upper_80"]),
             "joint evidence": joint.loc[y, "evidence"][:70]}
            for y in single.index]
    print(_md(pd.DataFrame(rows)))
    obs = mh.observations()
    used = obs[obs["used"]]
    print(f"\nrecords considered: {len(obs)}, used: {len(used)} "
          f"({', '.join(f'{k} {v}' for k, v in used['slot'].value_counts().items())})")


def linearisation_check(mh, n: int = 2000) -> None:
    """How far the draws' mean of each nonlinear observation is from its value at the mode."""
    import numpy as np

    from forecast.history.market_model import log_share

    obs = mh._obs
    used = obs[obs["used"] & (obs["members"].map(len) > 0)]
    _, r = mh._states(n, 0)
    t0 = int(mh.years[0])
    gaps = []
    for o in used.itertuples():
        idx, t = tuple(mh.markets.index(m) for m in o.members), o.year - t0

        def f(rr, t=t, idx=idx):
            return log_share(rr[:, t], idx)[0]

        def g(rr, o=o, t=t, f=f, idx=idx):
            return f(rr) - (log_share(rr[:, t - 1], idx)[0] if o.slot == "growth" else 0.0)

        draws = np.array([g(r[i]) for i in range(n)])
        at_mode = g(mh.mean.T[1:])
        gaps.append((abs(draws.mean() - at_mode) / np.sqrt(o.var), o.market, o.year, o.slot))
    gaps.sort(reverse=True)
    med = float(np.median([g[0] for g in gaps]))
    print(f"\nlinearisation check ({len(gaps)} nonlinear observations, {n} draws): "
          f"|mean over draws - value at the mode| / measurement sd: median {med:.3f}; "
          "largest " + "; ".join(f"{m} {y} {s} {v:.2f}" for v, m, y, s in gaps[:3]))


def leave_one_out() -> None:
    print("\n## Leave-one-out of the published full-year market levels\n")
    t = leave_one_out_markets()
    print(_md(t.drop(columns=["lower_95", "upper_95"])))
    print(f"\ncovered by the 80% band: {int(t['covered_80'].sum())} of {len(t)}; by the 95% "
          f"band: {int(t['covered_95'].sum())} of {len(t)}")


def backtest_comparison() -> None:
    print("\n## Pseudo-real-time backtest, US, Auto (joint vs single), horizons 1-3\n")
    records = forecast.load_releases()
    joint = backtest_markets(records, horizon=3, n_paths=2000, seed=1)
    single = backtest(forecast.Auto(), records, horizon=3, n_paths=2000, seed=1)
    single = single.assign(model="single")
    joint = joint.assign(model="joint")
    both = set(joint["origin"]) & set(single["origin"])
    frame = pd.concat([single, joint], ignore_index=True)
    frame = frame[frame["origin"].isin(both)]
    t = summarize(frame)
    med = frame.groupby(["model", "target", "horizon"])["crps"].median().rename("crps_median")
    t = t.merge(med.reset_index(), on=["model", "target", "horizon"])
    cols = ["target", "horizon", "model", "n", "mape", "crps", "crps_median", "crps_log",
            "interval_score_80", "coverage_80"]
    print(_md(t.sort_values(["target", "horizon", "model"])[cols], "{:.3f}"))
    print(f"\norigins: {sorted(both)}; mean level CRPS (dominated by explosive tails): " +
          "; ".join(f"{r.model} {r.target} h{r.horizon} {r.crps:.3g}" for r in t.itertuples()))


def worked_example(mh) -> None:
    print("\n## Worked example\n")
    fit = forecast.SplitModel().fit(mh, seed=1)
    mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2035,
                                  n_paths=10_000, seed=1)
    print(f"{mp!r}\n")
    print("correlation of the shocks (total, US, EU, HK, JP ratios):\n")
    print(_md(pd.DataFrame(fit.correlation, columns=["total", "US", "EU", "HK", "JP"])))
    keep = ["baseline", "escalation", "friction_diversion", "fragmentation",
            "fragmentation_diversion"]
    f = mp.summary_frame((80,), market=["US", "EU", "ALL"], scenario=keep)
    f = f[f["year"].isin([2030, 2035])]
    f = f.assign(cell=[f"{m:.1f} [{a:.1f}, {b:.1f}]" for m, a, b in
                       zip(f["median"], f["lower_80"], f["upper_80"], strict=True)])
    print("\nlevels (USD bn, median [80% band]):\n")
    print(_md(f.pivot(index=["market", "scenario"], columns="year", values="cell")
              .reindex([(m, s) for m in ("US", "EU", "ALL") for s in keep]).reset_index()))
    sh = mp.summary_frame((80,), market="US", scenario=keep, share=True)
    sh = sh[sh["year"].isin([2030, 2035])]
    print("\nUS share of China's total (%):\n")
    print(_md(sh.drop(columns=["market", "mean"])))
    p = mp.prob_below(15, 2030, "US", share=True)
    print("\nP(US share < 15% in 2030):\n")
    print(_md(p.rename("P").reset_index().rename(columns={"index": "scenario"}), "{:.3f}"))
    d = mp.decompose("friction_diversion", "escalation")
    d = d[d["year"] == 2035]
    print("\nfriction_diversion against escalation, 2035 (the diversion alone):\n")
    print(_md(d.drop(columns=["year"]), "{:.3f}"))
    d = mp.decompose("fragmentation_diversion")
    d = d[d["year"] == 2035].pivot(index="market", columns="assumption", values="level")
    print("\nfragmentation_diversion against baseline, 2035, mean level gap (USD bn):\n")
    print(_md(d.reindex(list(mp.markets)).reset_index(), "{:.2f}"))
    charts(mp)


def charts(mp) -> None:
    from matplotlib.figure import Figure

    from forecast import plotting

    fig = Figure(figsize=(10.2, 5.7))
    plotting.market_fans(mp, "friction_diversion", fig=fig, yscale="log")
    fig.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.07, hspace=0.3)
    fig.savefig(IMG / "markets_fans.png", dpi=80)
    fig = Figure(figsize=(7.5, 4.2))
    plotting.share_chart(mp, "fragmentation_diversion", ax=fig.subplots())
    fig.subplots_adjust(left=0.11, right=0.98, top=0.9, bottom=0.12)
    fig.savefig(IMG / "markets_shares.png", dpi=80)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backtest", action="store_true", help="also run the slow backtest")
    args = ap.parse_args()
    records = forecast.load_releases()
    mh = forecast.reconstruct_markets(records)
    reconstruction(mh, records)
    linearisation_check(mh)
    leave_one_out()
    if args.backtest:
        backtest_comparison()
    worked_example(mh)


if __name__ == "__main__":
    main()
