"""Calibration of Auto's intervals on synthetic series, and a backtest on the US median.

Run: ``PYTHONPATH=src python benchmarks/calibration.py [--series 200]``.

Part 1 (issue 3): ``--series`` synthetic series of length 16 (half random walks with
drift, half local linear trends; parameters drawn per series, seed fixed), forecast
h = 1..5 ahead; prints the share of true values inside the 80% interval for several
configurations of ``Auto`` and for the candidate default member sets compared in
docs/models.md (and, after "95%:", the coverage of the 95% interval). Target for the
default: between 72% and 88% of the 80% intervals over h = 1..5.

Part 2: rolling-origin backtest on the reconstructed US median (tests/reference/
series_us_median.csv): origins 2016-2020, h = 1..5, mean absolute log error and 80%
coverage per family and for Auto.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from forecast.models import ARIMA, Auto, DampedTrend, Drift, LocalLinearTrend, Theta
from forecast.series import AnnualSeries

H = 5
#: other member sets of Auto(method="combine") (docs/models.md, "Auto: which families")
CANDIDATES = [
    ("Drift", "DampedTrend", "ARIMA", "LocalLinearTrend", "Theta"),  # default until 2026-11
    ("DampedTrend", "LocalLinearTrend", "Theta"),  # default until the Box-Cox design
    ("Drift", "LocalLinearTrend", "DampedTrend"),
    ("Drift", "DampedTrend"),
    ("DampedTrend", "Theta"),
    ("Drift",),  # for reference: single families
    ("LocalLinearTrend",),
]


def synthetic(i: int, rng: np.random.Generator, n: int = 16 + H) -> np.ndarray:
    """Log levels of one series: even i random walk with drift, odd i local linear trend."""
    if i % 2 == 0:
        mu, sd = rng.uniform(0.03, 0.2), rng.uniform(0.03, 0.12)
        return 2.0 + np.cumsum(mu + sd * rng.standard_normal(n))
    s_slope, s_level, s_irr = rng.uniform(0.005, 0.03), rng.uniform(0.01, 0.05), \
        rng.uniform(0.0, 0.03)
    slope = rng.uniform(0.05, 0.2) + np.cumsum(s_slope * rng.standard_normal(n))
    level = 2.0 + np.cumsum(slope + s_level * rng.standard_normal(n))
    return level + s_irr * rng.standard_normal(n)


def coverage(spec, series: list[np.ndarray], level: int = 80) -> tuple[float, np.ndarray]:
    """Share of truths inside the central `level`% interval: overall and by horizon."""
    return coverages(spec, series, (level,))[level]


def coverages(spec, series: list[np.ndarray],
              levels: tuple[int, ...] = (80, 95)) -> dict[int, tuple[float, np.ndarray]]:
    """`coverage` for several levels from the same fits and forecasts."""
    hits: dict[int, list[np.ndarray]] = {lv: [] for lv in levels}
    for y in series:
        s = AnnualSeries(np.arange(2000, 2016), np.exp(y[:16]))
        f = spec.fit(s).forecast(H, levels=levels, log=True)
        for lv in levels:
            hits[lv].append((f[f"lower_{lv}"].to_numpy() <= y[16:])
                            & (y[16:] <= f[f"upper_{lv}"].to_numpy()))
    return {lv: (float(np.mean(h)), np.mean(h, axis=0)) for lv, h in hits.items()}


def part1(n_series: int) -> None:
    rng = np.random.default_rng(20251126)
    series = [synthetic(i, rng) for i in range(n_series)]
    configs = {
        "Auto() [default: combine, equal weights, median centre, parameter uncertainty]":
            Auto(),
        "Auto(center='mean')": Auto(center="mean"),
        "Auto(param_uncertainty=False)": Auto(param_uncertainty=False),
        "Auto(method='select')": Auto(method="select"),
        "Auto(weights='aicc')": Auto(weights="aicc"),
        "Auto(scale='log') [the true scale of these series]": Auto(scale="log"),
    }
    for fams in CANDIDATES:
        configs["families=" + "+".join(fams)] = Auto(families=fams)
    print(f"Part 1: 80% interval coverage, {n_series} synthetic series of length 16, h=1..{H}")
    se = np.sqrt(0.16 / n_series)
    print(f"(binomial sd of a coverage with one independent event per series: {se:.3f})")
    for label, spec in configs.items():
        t0 = time.perf_counter()
        cov = coverages(spec, series)
        total, by_h = cov[80]
        print(f"  {label:<66s} {total:6.1%}   by h: "
              + " ".join(f"{v:.1%}" for v in by_h) + f"   95%: {cov[95][0]:.1%}"
              + f"   ({time.perf_counter() - t0:.0f} s)")


def part2() -> None:
    path = Path(__file__).resolve().parent.parent / "tests/reference/series_us_median.csv"
    us = AnnualSeries.from_csv(path)
    y = us.log_values
    specs = [Drift(), DampedTrend(), ARIMA(), LocalLinearTrend(), Theta(), Auto(),
             Auto(method="select")]
    print("\nPart 2: rolling-origin backtest on the reconstructed US median (log scale)")
    print(f"  {'model':<18s} {'MAE h=1..5':>10s} {'MAE h=5':>8s} {'80% cover':>9s}")
    for spec in specs:
        errs, hits, err5 = [], [], []
        for origin in range(2016, 2021):
            train = us.window(end=origin)
            f = spec.fit(train).forecast(H, levels=(80,), log=True)
            truth = y[(us.years > origin) & (us.years <= origin + H)]
            k = truth.size
            errs.extend(np.abs(f["median"].to_numpy()[:k] - truth))
            hits.extend((f["lower_80"].to_numpy()[:k] <= truth)
                        & (truth <= f["upper_80"].to_numpy()[:k]))
            if k == H:
                err5.append(abs(f["median"].to_numpy()[-1] - truth[-1]))
        print(f"  {spec.name:<18s} {np.mean(errs):10.3f} {np.mean(err5):8.3f} "
              f"{np.mean(hits):9.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--skip-backtest", action="store_true")
    args = parser.parse_args()
    part1(args.series)
    if not args.skip_backtest:
        part2()


if __name__ == "__main__":
    main()
