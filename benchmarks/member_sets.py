"""Compare member sets of ``Auto`` on the M1 yearly set and on synthetic series.

Run from the repository root: ``python benchmarks/member_sets.py [--limit N]``. Prints,
for each candidate set of families (equal-weight pools, everything else default) and
each centre of the pool (``Auto(center=...)``: the families' median, the default, and
their mean): the M1 scores of ``benchmarks/accuracy.py`` (coverage of the 80% and 95%
intervals, mean MSIS, sMAPE and MASE of the median, h = 6) and the coverage of the 80%
interval on the 200 synthetic series of ``benchmarks/calibration.py`` (pooled over h = 1..5 and its
lowest horizon). The table is quoted in docs/models.md ("Auto: which families").
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from accuracy import load_cases, score_series
from calibration import coverages, synthetic

import forecast

CANDIDATES = [
    ("Drift", "LocalLinearTrend", "Theta"),
    ("Drift", "LocalLinearTrend"),
    ("Drift", "LocalLinearTrend", "DampedTrend"),
    ("Drift", "LocalLinearTrend", "DampedTrend", "Theta"),
    ("LocalLinearTrend", "Theta"),
    ("Drift", "Theta"),
    ("Drift", "DampedTrend"),
    ("DampedTrend", "LocalLinearTrend", "Theta"),
]


def m1_scores(spec, series) -> dict[str, float]:
    rows = []
    for case in series:
        s = forecast.AnnualSeries(case.years, case.train, unit="x", name=case.id)
        f = spec.fit(s).forecast(len(case.test), levels=(80, 95))
        rows.append(score_series(case.test, case.train, f))
    df = pd.DataFrame(rows)
    return {"cov80": df["cov80"].mean(), "cov95": df["cov95"].mean(),
            "msis": df["msis"].mean(), "smape": df["smape"].mean(), "mase": df["mase"].mean()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    series = load_cases(limit=args.limit)
    rng = np.random.default_rng(20251126)
    synth = [synthetic(i, rng) for i in range(200 if args.limit is None else 20)]
    print("| families | center | M1 cov 80 | M1 cov 95 | M1 MSIS | M1 sMAPE | M1 MASE "
          "| synthetic 80% (lowest h) |")
    print("|---|---|---|---|---|---|---|---|")
    for fams in CANDIDATES:
        for center in ("median", "mean"):
            spec = forecast.Auto(families=fams, center=center)
            m = m1_scores(spec, series)
            total, by_h = coverages(spec, synth, (80,))[80]
            print(f"| {' + '.join(fams)} | {center} | {m['cov80']:.3f} | {m['cov95']:.3f} | "
                  f"{m['msis']:.1f} | {m['smape']:.2f} | {m['mase']:.2f} | "
                  f"{total:.1%} ({by_h.min():.1%}) |", flush=True)


if __name__ == "__main__":
    main()
