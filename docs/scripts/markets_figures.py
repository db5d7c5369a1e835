"""The figures of docs/markets.md and its two charts (run from the repository root).

    python docs/scripts/markets_figures.py [--backtest]

Each ``*_text`` function returns one block of docs/markets.md; ``doc_outputs.py``
registers them, so ``python docs/scripts/refresh.py`` rewrites the page and
``tests/test_docs.py`` checks it. Run as a script, it prints every block, draws
docs/img/markets_fans.png and docs/img/markets_shares.png and, with ``--backtest``, the
pseudo-real-time comparison of the joint (bottom-up and split) and single-market US
forecasts (Auto, about 20 s; also registered, as a slow key). Beside each chart,
docs/img/NAME.txt records the figures it shows, which ``refresh.py --check`` compares
(``_images.py``).
"""

from __future__ import annotations

import argparse
import functools
import pathlib
import warnings

import numpy as np
import pandas as pd
from _images import record, shown
from _markdown import prose, table

import forecast
from forecast.evaluation import backtest, backtest_markets, leave_one_out_markets, summarize

IMG = pathlib.Path(__file__).resolve().parents[1] / "img"
YEARS = (2009, 2013, 2016, 2019, 2021, 2023, 2025)
EXAMPLE_SCENARIOS = ["baseline", "escalation", "friction_diversion", "fragmentation",
                     "fragmentation_diversion"]


def _md(df: pd.DataFrame, floatfmt: str = "{:.2f}") -> str:
    return table(df, floatfmt) + "\n"


def _cells(frame: pd.DataFrame, years, fmt: str = "{:.1f}") -> pd.DataFrame:
    f = frame[frame["year"].isin(years)]
    cell = [f"{fmt.format(m)} [{fmt.format(a)}, {fmt.format(b)}]" for m, a, b in
            zip(f["median"], f["lower_80"], f["upper_80"], strict=True)]
    wide = f.assign(cell=cell).pivot(index="market", columns="year", values="cell")
    return wide.reindex(list(dict.fromkeys(f["market"]))).reset_index()


@functools.cache
def _mh():
    return forecast.reconstruct_markets(forecast.load_releases())


@functools.cache
def _mp():
    fit = forecast.BottomUpModel().fit(_mh(), seed=1)
    mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2035,
                                  n_paths=10_000, seed=1)
    return fit, mp


def params_text() -> str:
    params = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in _mh().params.items()}
    return f"{params}\n"


def levels_text() -> str:
    return _md(_cells(_mh().to_frame(), YEARS))


def shares_text() -> str:
    return _md(_cells(_mh().to_frame(share=True), YEARS))


def agreement_text() -> str:
    single = forecast.reconstruct(forecast.load_releases()).to_frame().set_index("year")
    joint = _mh().to_frame()
    joint = joint[joint["market"] == "US"].set_index("year")
    rows = [{"year": y, "single": single.loc[y, "median"],
             "single 80%": f"[{single.loc[y, 'lower_80']:.2f}, {single.loc[y, 'upper_80']:.2f}]",
             "joint": joint.loc[y, "median"],
             "joint 80%": f"[{joint.loc[y, 'lower_80']:.2f}, {joint.loc[y, 'upper_80']:.2f}]",
             "in single 80%": bool(single.loc[y, "lower_80"] <= joint.loc[y, "median"]
                                   <= single.loc[y, "upper_80"]),
             "joint evidence": joint.loc[y, "evidence"][:70]}
            for y in single.index]
    return _md(pd.DataFrame(rows))


def linearisation_text(n: int = 2000) -> str:
    """How far the draws' mean of each nonlinear observation is from its value at the mode."""
    from forecast.history.market_model import log_share

    mh = _mh()
    obs = mh._obs
    used = obs[obs["used"] & (obs["members"].map(len) > 0)]
    _, r = mh._states(n, 0)
    t0 = int(mh.years[0])
    gaps = []
    for o in used.itertuples():
        idx, t = tuple(mh.markets.index(m) for m in o.members), o.year - t0

        def g(rr, o=o, t=t, idx=idx):
            value = log_share(rr[:, t], idx)[0]
            return value - (log_share(rr[:, t - 1], idx)[0] if o.slot == "growth" else 0.0)

        draws = np.array([g(r[i]) for i in range(n)])
        gaps.append((abs(draws.mean() - g(mh.mean.T[1:])) / np.sqrt(o.var), o.market, o.year,
                     o.slot))
    gaps.sort(reverse=True)
    med = float(np.median([x[0] for x in gaps]))
    return (f"{len(gaps)} nonlinear observations, {n} draws: |mean over draws - value at the "
            f"mode| / measurement sd: median {med:.3f}; largest "
            + "; ".join(f"{m} {y} {s} {v:.2f}" for v, m, y, s in gaps[:3]) + "\n")


def loo_text() -> str:
    t = leave_one_out_markets()
    return (_md(t.drop(columns=["lower_95", "upper_95"]))
            + f"\ncovered by the 80% band: {int(t['covered_80'].sum())} of {len(t)}; by the "
            f"95% band: {int(t['covered_95'].sum())} of {len(t)}\n")


def backtest_text() -> str:
    """Joint (both designs) against single-market US forecasts, pseudo-real time (Auto)."""
    records = forecast.load_releases()
    with warnings.catch_warnings():  # the skipped origins are listed under the table
        warnings.simplefilter("ignore", UserWarning)
        frames = [backtest(forecast.Auto(), records, horizon=3, n_paths=2000, seed=1)
                  .assign(model="single")]
        frames += [backtest_markets(records, horizon=3, n_paths=2000, seed=1, design=d)
                   .assign(model=d) for d in ("bottom-up", "split")]
    skipped = sorted({s for f in frames for s in f.attrs.get("skipped", [])})
    both = set.intersection(*(set(f["origin"]) for f in frames))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[frame["origin"].isin(both)]
    t = summarize(frame)
    med = frame.groupby(["model", "target", "horizon"])["crps"].median().rename("crps_median")
    t = t.merge(med.reset_index(), on=["model", "target", "horizon"])
    cols = ["target", "horizon", "model", "n", "mape", "crps", "crps_median", "crps_log",
            "interval_score_80", "coverage_80"]
    return (_md(t.sort_values(["target", "horizon", "model"])[cols], "{:.3f}")
            + f"\norigins: {', '.join(sorted(both))}\n"
            + "".join(f"skipped: {s}\n" for s in skipped))


def backtest_specs_text() -> str:
    """The three designs with Drift and Theta on every coordinate (latest truth, log CRPS)."""
    from forecast.evaluation import compare_markets

    rows = []
    for spec in (forecast.Drift(), forecast.Theta()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            t = compare_markets(spec=spec, horizon=3, n_paths=2000, seed=1)
        t = t[t["target"] == "latest"]
        for (h, model), r in t.set_index(["horizon", "model"]).iterrows():
            rows.append({"spec": spec.name, "design": model.split(" ")[0], "horizon": h,
                         "n": int(r["n"]), "crps": r["crps"], "crps_log": r["crps_log"],
                         "coverage_80": r["coverage_80"]})
    wide = pd.DataFrame(rows).pivot(index=["spec", "horizon", "n"], columns="design",
                                    values="crps_log").reset_index()
    wide.columns.name = None
    return _md(wide[["spec", "horizon", "n", "single", "bottom-up", "split"]], "{:.4f}")


def example_repr_text() -> str:
    return repr(_mp()[1]) + "\n"


def example_text() -> str:
    fit, mp = _mp()
    parts = [f"correlation of the shocks ({', '.join(fit.parts)} log levels):\n",
             _md(pd.DataFrame(fit.correlation, columns=list(fit.parts)))]
    f = mp.summary_frame((80,), market=["US", "EU", "ALL"], scenario=EXAMPLE_SCENARIOS)
    f = f[f["year"].isin([2030, 2035])]
    f = f.assign(cell=[f"{m:.1f} [{a:.1f}, {b:.1f}]" for m, a, b in
                       zip(f["median"], f["lower_80"], f["upper_80"], strict=True)])
    wide = f.pivot(index=["market", "scenario"], columns="year", values="cell").reindex(
        [(m, s) for m in ("US", "EU", "ALL") for s in EXAMPLE_SCENARIOS]).reset_index()
    parts += ["levels (USD bn, median [80% band]):\n", _md(wide)]
    sh = mp.summary_frame((80,), market="US", scenario=EXAMPLE_SCENARIOS, share=True)
    parts += ["US share of China's total (%):\n",
              _md(sh[sh["year"].isin([2030, 2035])].drop(columns=["market", "mean"]))]
    p = mp.prob_below(15, 2030, "US", share=True)
    parts += ["P(US share < 15% in 2030):\n",
              _md(p.rename("P").reset_index().rename(columns={"index": "scenario"}), "{:.3f}")]
    d = mp.decompose("friction_diversion", "escalation")
    parts += ["friction_diversion against escalation, 2035 (the diversion alone):\n",
              _md(d[d["year"] == 2035].drop(columns=["year"]), "{:.3f}")]
    d = mp.decompose("fragmentation_diversion")
    d = d[d["year"] == 2035].pivot(index="market", columns="assumption", values="level")
    parts += ["fragmentation_diversion against baseline, 2035, mean level gap (USD bn):\n",
              _md(d.reindex(list(mp.markets)).reset_index(), "{:.2f}")]
    return "\n".join(parts)


def censoring_text(to: int = 2045) -> str:
    """Which coordinates `project_markets` warns about (more than 1% of paths censored)."""
    from forecast.markets.engine import market_censoring  # what settings["censored"] holds
    from forecast.projection.engine import censoring

    fit = _mp()[0]
    years = np.arange(fit.last_year + 1, to + 1)
    assert market_censoring(fit, years)  # the page says some are
    names = {"US": "the US", "EU": "the EU", "HK": "Hong Kong", "JP": "Japan"}
    found = []
    for coord in fit.fits:
        hit = censoring(coord, years)
        if hit is not None:
            name = coord.series.name or coord.name
            found.append(f"{names.get(name, name)} from {hit[0]} ({100 * hit[1]:.1f}%; "
                         f"{100 * hit[2]:.1f}% by {to})")
    listed = ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else found[0]
    return prose(f"With `BottomUpModel()` on the embedded data, projected to {to}, it names "
                 f"{listed}.")


def figures() -> dict[str, object]:
    """The two charts of docs/markets.md, drawn (not saved), by file name."""
    from matplotlib.figure import Figure

    from forecast import plotting

    mp = _mp()[1]
    fans = Figure(figsize=(10.2, 5.7))
    plotting.market_fans(mp, "friction_diversion", fig=fans, yscale="log")
    fans.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.07, hspace=0.3)
    shares = Figure(figsize=(7.5, 4.2))
    plotting.share_chart(mp, "fragmentation_diversion", ax=shares.subplots())
    shares.subplots_adjust(left=0.11, right=0.86, top=0.9, bottom=0.12)  # the legend: right
    return {"markets_fans.png": fans, "markets_shares.png": shares}


def record_text(name: str) -> str:
    """The figures docs/img/`name` shows (its record, checked by refresh.py)."""
    return shown(figures()[name], pathlib.Path(__file__).name)


def charts() -> dict[str, str]:
    """Save both charts and their records; return the records by file name."""
    out = {}
    for name, fig in figures().items():
        fig.savefig(IMG / name, dpi=80)
        out[name] = shown(fig, pathlib.Path(__file__).name)
        record(name).write_text(out[name], encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backtest", action="store_true", help="also run the slow backtest")
    args = ap.parse_args()
    blocks = [("params", params_text), ("levels", levels_text), ("shares", shares_text),
              ("agreement", agreement_text), ("linearisation", linearisation_text),
              ("leave-one-out", loo_text), ("example repr", example_repr_text),
              ("example", example_text)]
    if args.backtest:
        blocks += [("backtest", backtest_text), ("backtest specs", backtest_specs_text)]
    for name, func in blocks:
        print(f"## {name}\n\n{func()}")
    charts()


if __name__ == "__main__":
    main()
