"""How often the default model's upper tail exceeds what bounded growth supports.

Run from the repository root: ``python benchmarks/tails.py [--series N] [--seed S]``.

The hypothesis property ``test_upper_tail_is_bounded_by_what_the_data_support``
(tests/properties/test_models_properties.py) runs fixed examples. This script draws
random positive series whose growth stays within +-50% a year, of three kinds, and
counts those whose six-year 99.9th percentile (exact, from ``Fit.moments``) exceeds
the property's bound: 100 times the last value, or twice a random walk with the
series' own spread where that goes further. Both centres of ``Auto`` are scored on the
same series. docs/models.md ("Known limitations") quotes the table.
"""

from __future__ import annotations

import argparse
import os
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

import forecast

Z999 = 3.090232306167813
KINDS = {
    "growth uniform in [-50%, +50%]": "uniform",
    "a level step (one or two years of +-50%, flat otherwise)": "step",
    "every year -50%, 0 or +50%": "jumps",
}


def draw(kind: str, rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(10, 31))
    if kind == "uniform":
        g = rng.uniform(-0.5, 0.5, n - 1)
    elif kind == "step":
        g = np.zeros(n - 1)
        i = int(rng.integers(0, n - 3))
        g[i:i + int(rng.integers(1, 3))] = rng.choice([-0.5, 0.5])
    else:
        g = rng.choice([-0.5, 0.0, 0.5], n - 1)
    return 10.0 * np.cumprod(np.r_[1.0, 1.0 + g])


def tail_ratio(fit, y: np.ndarray) -> float:
    """log of the six-year 99.9th percentile over the last value."""
    mean, L = fit.moments(6)
    sd = float(np.sqrt(np.sum(L[-1] ** 2)))
    return float(fit.to_log_level(np.array([mean[-1] + Z999 * sd]))[0] - np.log(y[-1]))


def bound(y: np.ndarray) -> float:
    walk = Z999 * np.sqrt(6 * np.mean(np.diff(np.log(y)) ** 2))
    return max(np.log(100.0), walk + np.log(2.0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=500, help="series of each kind")
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    specs = {"median (default)": forecast.Auto(), "mean": forecast.Auto(center="mean")}
    print(f"{args.series} series of each kind, 10-30 years; seed {args.seed}\n")
    print("| series | centre | beyond the bound | beyond 100x | largest |")
    print("|---|---|---|---|---|")
    for label, kind in KINDS.items():
        ys = [draw(kind, rng) for _ in range(args.series)]
        for centre, spec in specs.items():
            over, over100, worst = 0, 0, 0.0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for y in ys:
                    q = tail_ratio(spec.fit(forecast.AnnualSeries(range(2000, 2000 + y.size),
                                                                  y)), y)
                    over += q > bound(y)
                    over100 += q > np.log(100.0)
                    worst = max(worst, q)
            print(f"| {label} | {centre} | {over} ({over / len(ys):.1%}) | {over100} | "
                  f"{np.exp(worst):,.0f}x |", flush=True)


if __name__ == "__main__":
    main()
