"""Benchmark Sobol' indices and a rolling-origin backtest of Auto (not run by pytest).

    PYTHONPATH=src python benchmarks/bench_evaluation.py [--quick] [--default-blas]

Targets (issue 5): Sobol' indices for 8 parameters x 15 years with n = 4096 base samples
in at most 5 s; a whole rolling-origin backtest of ``Auto()`` on the US series in at most
10 s. Each timing is printed with a ratio against a baseline measured in the same run:
for Sobol', one plain evaluation of the model on all ``n (d + 2)`` design rows (so the
ratio is the cost of sampling, estimation and 200 bootstrap resamples per evaluation);
for the backtest, one ``Auto().fit`` + ``simulate`` on the full series (so the ratio is
the number of fit-equivalents).

BLAS threads are limited to one (``OPENBLAS_NUM_THREADS=1`` etc., unless already set or
``--default-blas`` is given): the model fits call L-BFGS-B and small matrix products,
and OpenBLAS's default thread pool oversubscribes a busy two-core machine so badly that
the Auto backtest runs 3-4 times slower (11 s instead of 3 s, measured here).
"""

from __future__ import annotations

import os
import sys

if "--default-blas" not in sys.argv:  # must happen before numpy is imported
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import forecast
from forecast.evaluation import sobol, sobol_indices
from forecast.scenarios import (
    Adoption,
    Beta,
    Escalation,
    GrowthShift,
    LevelShift,
    Scenario,
    Triangular,
    Uniform,
)

YEARS = np.arange(2026, 2041)  # 15 years


def timed(fn, repeat: int = 1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def eight_parameter_scenario() -> Scenario:
    return Scenario("bench", [
        LevelShift(2027, Uniform(-0.15, 0.0), phase_in=Uniform(1, 4), name="step"),
        GrowthShift(2026, Triangular(-0.03, -0.01, 0.0), half_life=Uniform(2, 8), name="drift"),
        Escalation(2027, Beta(2, 5), Uniform(-0.05, -0.01), name="jumps"),
        Adoption(2028, Uniform(0.0, 0.2), years_to_half=Uniform(2, 6), name="green"),
    ])


def vectorised_model(x: np.ndarray) -> np.ndarray:
    """8 inputs -> 15 yearly outputs, with interactions (a stand-in for a scenario)."""
    t = (YEARS - 2025)[None, :]
    lin = x[:, [0]] + x[:, [1]] * t + x[:, [2]] * np.minimum(t, 5)
    s_curve = x[:, [3]] / (1 + np.exp(-(t - 3 * x[:, [4]])))
    return lin + s_curve + x[:, [5]] * x[:, [6]] * np.sqrt(t) + 0.1 * np.sin(x[:, [7]] * t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the Auto backtest")
    ap.add_argument("--default-blas", action="store_true",
                    help="keep the BLAS library's default thread count")
    args = ap.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(default)')}")
    n, d = 4096, 8
    problem = {f"x{i}": (0.0, 1.0) for i in range(d)}
    design = np.random.default_rng(0).random((n * (d + 2), d))
    t_eval, _ = timed(lambda: vectorised_model(design), repeat=3)
    t_generic, df = timed(lambda: sobol_indices(vectorised_model, problem, n=n, seed=1,
                                                outputs=list(YEARS)), repeat=3)
    print(f"sobol_indices, 8 inputs x 15 outputs, n=4096, 200 bootstrap: {t_generic:.2f} s "
          f"(baseline one model evaluation {t_eval * 1e3:.0f} ms; ratio "
          f"{t_generic / t_eval:.0f}x) -> {'PASS' if t_generic <= 5 else 'FAIL'} (<= 5 s)")
    assert len(df) == d * len(YEARS)

    series = forecast.reconstruct().series
    fit = forecast.Drift().fit(series)
    sc = eight_parameter_scenario()
    assert len(sc.parameters()) == d, sc.parameters()
    t_sim, _ = timed(lambda: fit.simulate(15, n * (d + 2), seed=1), repeat=3)
    t_scen, df2 = timed(lambda: sobol(fit, sc, YEARS, n=n, seed=1), repeat=3)
    print(f"sobol(fit, scenario), 8 parameters x 15 years, n=4096: {t_scen:.2f} s "
          f"(baseline simulating {n * (d + 2)} baseline paths {t_sim * 1e3:.0f} ms; ratio "
          f"{t_scen / t_sim:.0f}x) -> {'PASS' if t_scen <= 5 else 'FAIL'} (<= 5 s)")
    assert set(df2["year"]) == set(YEARS.tolist())

    if args.quick:
        return
    history = forecast.reconstruct()
    t_one, _ = timed(lambda: forecast.Auto().fit(history.series, seed=1).simulate(5, 2000,
                                                                                  seed=2))
    from forecast.evaluation import backtest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_bt, bt = timed(lambda: backtest(forecast.Auto(), history, horizon=5, n_paths=2000,
                                          seed=1))
    n_origins = bt["origin"].nunique()
    print(f"rolling-origin backtest of Auto on the US series ({n_origins} origins, h=5, "
          f"2000 paths), serial: {t_bt:.1f} s (baseline one Auto fit+simulate {t_one:.2f} s; "
          f"ratio {t_bt / t_one:.1f}x) -> {'PASS' if t_bt <= 10 else 'FAIL'} (<= 10 s)")
    with ProcessPoolExecutor(2) as ex, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_par, bt2 = timed(lambda: backtest(forecast.Auto(), history, horizon=5,
                                            n_paths=2000, seed=1, executor=ex))
    same = bt2.equals(bt)
    print(f"  same backtest, 2 worker processes: {t_par:.1f} s (ratio {t_par / t_one:.1f}x; "
          f"bit-identical to serial: {same}) -> {'PASS' if t_par <= 10 else 'FAIL'} (<= 10 s)")


if __name__ == "__main__":
    main()
