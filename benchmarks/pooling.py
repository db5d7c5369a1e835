"""How ``Auto`` pools its families: the default moment pool against quantile averaging.

Run from the repository root (about two minutes; writes ``benchmarks/results/pooling.md``)::

    python benchmarks/pooling.py
    python benchmarks/pooling.py --series 50 --out -      # quick check, prints only

``Auto()`` turns its families' Gaussians (on the shared working scale) into one Gaussian
centred on the families' median, with the families' mean covariance plus their means'
second moment about that centre (``forecast.models.gaussian.pool``; docs/models.md, "How
the forecast distribution is built"). The alternative scored here is **quantile
averaging** (Vincentization: Lichtendahl, Grushka-Cockayne and Winkler 2013): every
quantile of the combination is the weighted average of the families' quantiles. For
Gaussians that is the average of their means (here: the same median centre as the
default, so that only the width differs) and the average of their standard deviations,
year by year; the dependence across years is the default pool's correlation matrix, so
that paths can still be drawn. It drops the disagreement term: it is never wider than
the widest family, and sharper than the moment pool wherever the families disagree.

Both are scored on the same four sets:

* the 181 M1 yearly series (``benchmarks/accuracy.py``'s scores, h = 6);
* the 200 synthetic series of ``benchmarks/calibration.py`` (coverage of the 80% interval
  by horizon, and of the 95% interval);
* random positive series whose growth stays within +-50% a year (``benchmarks/tails.py``:
  how many six-year 99.9th percentiles exceed that script's bound, and the largest);
* the US series (``docs/scripts/evaluation_figures.py``'s rolling-origin and
  pseudo-real-time backtests of ``Auto`` and ``Naive``: the ratio of the median 80%
  half-width to the 80th percentile of the absolute log error, and the log CRPS).

The alternative is installed by swapping ``forecast.models.gaussian.pool`` for the run of
one row, so every other step (scale, calibration, parameter uncertainty, history draws)
is the library's. docs/models.md ("Which pool") quotes the table.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine_note, write_result  # first: it pins the BLAS threads

# isort: split

import numpy as np
import pandas as pd
from accuracy import load_cases, run_family, summary_row
from calibration import coverages, synthetic

import forecast
from forecast.evaluation import backtest
from forecast.models import gaussian

sys.path.insert(0, str(ROOT / "docs" / "scripts"))
import tails  # benchmarks/tails.py
from _markdown import table  # docs/scripts: the docs' one table writer
from evaluation_figures import PRT_ORIGINS, ROLLING_ORIGINS, SEED

OUT = ROOT / "benchmarks" / "results" / "pooling.md"
_DEFAULT_POOL = gaussian.pool


def quantile_average(means: np.ndarray, covs: np.ndarray, weights: np.ndarray,
                     groups: np.ndarray | None = None, center: str = "mean"):
    """Centre (h,) and covariance (h, h): the families' quantiles averaged.

    Same arguments as :func:`forecast.models.gaussian.pool`. Without `groups` (one
    family's history draws) it is the default pool. Each family (group) is first pooled
    over its history draws as the default does (their mixture); the centre is the
    default pool's; each year's standard deviation is the weighted mean of the families'
    (so every quantile is the weighted mean of theirs about that centre), and the
    correlation across years is the default pool's.
    """
    centre, cov = _DEFAULT_POOL(means, covs, weights, groups, center)
    if groups is None:  # one family's history draws: their mixture, as by default
        return centre, cov
    inv = np.asarray(groups)
    n_groups = int(inv.max()) + 1
    gw = np.bincount(inv, weights=weights, minlength=n_groups)
    sd = np.zeros(centre.size)
    for k in range(n_groups):
        _, c = _DEFAULT_POOL(means[inv == k], covs[inv == k], weights[inv == k] / gw[k])
        sd += gw[k] / gw.sum() * np.sqrt(np.diag(c))
    d = np.sqrt(np.diag(cov))
    corr = cov / np.outer(d, d)
    out = corr * np.outer(sd, sd)
    return centre, 0.5 * (out + out.T)


@contextlib.contextmanager
def pooled_by(pool) -> Iterator[None]:
    """Fits made inside the block pool their families with `pool`."""
    gaussian.pool = pool
    try:
        yield
    finally:
        gaussian.pool = _DEFAULT_POOL


POOLS = {"moment pool (default)": _DEFAULT_POOL, "quantile average": quantile_average}


def m1_row(cases) -> dict[str, object]:
    row = summary_row(run_family("Auto", cases, 20_000), len(cases))
    return {k: row[k] for k in ("cov80", "cov95", "MSIS mean", "MSIS median", "sMAPE",
                                "MASE", "tail max")}


def synthetic_row(n: int) -> dict[str, object]:
    rng = np.random.default_rng(20251126)  # benchmarks/calibration.py's series
    cov = coverages(forecast.Auto(), [synthetic(i, rng) for i in range(n)])
    return {"80% all h": cov[80][0], "80% by h": " / ".join(f"{v:.1%}" for v in cov[80][1]),
            "95% all h": cov[95][0]}


def tails_row(n: int) -> dict[str, object]:
    rng = np.random.default_rng(20261127)  # benchmarks/tails.py's seed
    row: dict[str, object] = {}
    for label, kind in tails.KINDS.items():
        over, worst = 0, 0.0
        for y in (tails.draw(kind, rng) for _ in range(n)):
            fit = forecast.Auto().fit(forecast.AnnualSeries(range(2000, 2000 + y.size), y))
            q = tails.tail_ratio(fit, y)
            over += q > tails.bound(y)
            worst = max(worst, q)
        row[label] = f"{over} ({over / n:.1%}), largest {np.exp(worst):,.0f}x"
    return row


def us_rows(records, history) -> dict[str, pd.DataFrame]:
    specs = [forecast.Naive(), forecast.Auto()]
    roll = backtest(specs, history, origins=ROLLING_ORIGINS, horizon=5, n_paths=2000,
                    seed=SEED)
    prt = backtest(specs, records, origins=PRT_ORIGINS, horizon=5, n_paths=2000, seed=SEED)
    out = {}
    for name, frame in (("rolling origin", roll), ("pseudo-real time", prt)):
        f = frame[frame["target"] != "published"]
        err = np.abs(np.log(f["truth"] / f["median"]))
        half = 0.5 * np.log(f["upper_80"] / f["lower_80"])
        auto = f["model"] == "Auto(combine)"
        ratio = (half[auto].groupby(f.loc[auto, "horizon"]).median()
                 / err[auto].groupby(f.loc[auto, "horizon"]).quantile(0.8))
        crps = f.groupby(["model", "horizon"])["crps_log"].mean().unstack()
        out[name] = pd.DataFrame({"Auto: 80% half-width / 80th pct of abs log error": ratio,
                                  "Auto log CRPS x100": 100 * crps.loc["Auto(combine)"],
                                  "Naive log CRPS x100": 100 * crps.loc["Naive"]}).T
    return out


def _md(frame: pd.DataFrame, fmt: str = "{:.3f}") -> str:
    """`frame` with its index as the first column, in the docs' table format."""
    return table(frame.reset_index(), fmt)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=300,
                    help="random series of each kind for the tails (default 300)")
    ap.add_argument("--synthetic", type=int, default=200, help="synthetic series (200)")
    ap.add_argument("--out", default=str(OUT), help="Markdown output, '-' to only print")
    args = ap.parse_args(argv)
    out = None if args.out == "-" else Path(args.out)
    cases = load_cases()
    records = forecast.load_releases()
    history = forecast.reconstruct(records)
    m1, syn, tl, us = {}, {}, {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, pool in POOLS.items():
            with pooled_by(pool):
                m1[name] = m1_row(cases)
                syn[name] = synthetic_row(args.synthetic)
                tl[name] = tails_row(args.series)
                us[name] = us_rows(records, history)
            print(f"  {name}: done", file=sys.stderr, flush=True)
    command = "python benchmarks/pooling.py " + " ".join(sys.argv[1:] if argv is None else argv)
    parts = [
        "# Auto's pool: moment pool (default) against quantile averaging",
        "",
        f"{machine_note()}; command: `{command.strip()}`",
        "",
        "## M1 yearly (181 series, h = 6; scores of benchmarks/accuracy.py)",
        "",
        _md(pd.DataFrame(m1).T.rename_axis("pool")),
        "",
        f"## Synthetic series ({args.synthetic}, benchmarks/calibration.py): coverage",
        "",
        _md(pd.DataFrame(syn).T.rename_axis("pool")),
        "",
        f"## Random series with growth within +-50% a year ({args.series} of each kind): "
        "six-year 99.9th percentiles beyond benchmarks/tails.py's bound",
        "",
        _md(pd.DataFrame(tl).T.rename_axis("pool")),
        "",
    ]
    for target in ("rolling origin", "pseudo-real time"):
        parts += [f"## US series, {target} (truth = latest), by horizon", ""]
        for name in POOLS:
            frame = us[name][target].rename_axis("score / horizon")
            parts += [f"{name}:", "", _md(frame, "{:.2f}"), ""]
    write_result(out, "\n".join(parts))


if __name__ == "__main__":
    main()
