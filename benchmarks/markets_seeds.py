"""Is the joint (bottom-up) model's lead over the single-market one larger than seed noise?

Issue 14 asks that the joint model not be worse than the single-market one in CRPS at
h = 1-3 in the pseudo-real-time backtest of the US series. docs/markets.md shows one seed;
with 2,000 paths a seed moves the mean CRPS by a few per cent, enough to flip the closest
cell. This script runs the same comparison with many seeds: the single-market ``Auto()``
(``forecast.evaluation.backtest``) and ``backtest_markets(design="bottom-up")`` on the same
origins, seeds and truths (the latest reconstruction), as ``docs/scripts/markets_figures.py``
does for one seed. Per seed and horizon it takes the difference of the two models' mean
CRPS (level, USD bn, and log); the table gives the mean difference over seeds, its
standard error (sd / sqrt(seeds): the seeds are independent, the origins and truths are
the same, so this is the Monte Carlo noise of the comparison, not the sampling error of
12 origins) and in how many seeds the joint model was worse.

Run from the repository root: ``python benchmarks/markets_seeds.py [--seeds 20]
[--n-paths 2000]`` (about 5 s a seed); writes ``benchmarks/results/markets_seeds.md``.
Not run by pytest.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import ROOT, machine_note, write_result  # first: it pins the BLAS threads

# isort: split

import numpy as np
import pandas as pd

import forecast
from forecast.evaluation import backtest, backtest_markets, summarize

SCORES = {"crps": "{:.3f}", "crps_log": "{:.4f}"}


def one_seed(records, seed: int, n_paths: int) -> pd.DataFrame:
    """Mean CRPS by model and horizon for one seed (latest truth, shared origins)."""
    with warnings.catch_warnings():  # skipped origins: the same for every seed
        warnings.simplefilter("ignore", UserWarning)
        single = backtest(forecast.Auto(), records, horizon=3, n_paths=n_paths, seed=seed)
        joint = backtest_markets(records, horizon=3, n_paths=n_paths, seed=seed,
                                 design="bottom-up")
    both = set(single["origin"]) & set(joint["origin"])
    frame = pd.concat([single.assign(model="single"), joint.assign(model="bottom-up")])
    frame = frame[frame["origin"].isin(both) & (frame["target"] == "latest")]
    kept = ", ".join(sorted(both))
    return summarize(frame)[["model", "horizon", "n", *SCORES]].assign(seed=seed, origins=kept)


def table(runs: pd.DataFrame) -> str:
    """Mean scores, mean difference (joint - single), its standard error, seeds worse."""
    rows = []
    for score, fmt in SCORES.items():
        wide = runs.pivot_table(index=["seed", "horizon"], columns="model", values=score)
        diff = (wide["bottom-up"] - wide["single"]).groupby(level="horizon")
        means = wide.groupby(level="horizon").mean()
        for h, d in diff:
            se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
            rows.append([score, h, fmt.format(means.loc[h, "single"]),
                         fmt.format(means.loc[h, "bottom-up"]), fmt.format(d.mean()),
                         fmt.format(se), f"{d.mean() / se:.1f}" if se > 0 else "",
                         f"{int((d > 0).sum())} of {len(d)}"])
    header = ["score", "horizon", "single", "bottom-up", "difference", "se", "t",
              "seeds where bottom-up is worse"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 1..N (default 20)")
    parser.add_argument("--n-paths", type=int, default=2000, help="paths a forecast")
    parser.add_argument("--out", type=pathlib.Path,
                        default=ROOT / "benchmarks" / "results" / "markets_seeds.md")
    args = parser.parse_args()
    records = forecast.load_releases()
    start, runs = time.perf_counter(), []
    for seed in range(1, args.seeds + 1):
        runs.append(one_seed(records, seed, args.n_paths))
        print(f"seed {seed}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    runs = pd.concat(runs, ignore_index=True)
    n = runs.groupby("horizon")["n"].first()
    origins = " / ".join(runs["origins"].unique())  # the same for every seed
    text = "\n".join([
        "# Joint (bottom-up) against single-market US forecasts, over seeds", "",
        machine_note(), "",
        f"Pseudo-real-time backtest, origins {origins}, truth = the latest "
        f"reconstruction, `Auto()` on every coordinate, {args.n_paths:,} paths, seeds 1-"
        f"{args.seeds}; forecasts per horizon: "
        + ", ".join(f"h = {h}: {k}" for h, k in n.items())
        + f". Difference = bottom-up - single (negative: the joint model is better); se = "
        f"sd over seeds / sqrt({args.seeds}). {time.perf_counter() - start:.0f} s.", "",
        table(runs), ""])
    write_result(args.out, text)


if __name__ == "__main__":
    main()
