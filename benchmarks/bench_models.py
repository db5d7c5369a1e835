"""Speed of model simulation and fitting, as ratios against baselines timed in the same run.

Run: ``PYTHONPATH=src python benchmarks/bench_models.py``. Targets (issue 3):

1. ``DampedTrend`` 100,000 paths x 10 years: at most 1.5x the pure-numpy lower bound
   (standard normals + cumsum + exp on an array of the same size, float64);
2. ARIMA(1,1,1) with drift: at least 20x faster than statsmodels' SARIMAX ``simulate``
   of the same model and parameters (same number of paths);
3. ``Auto().fit`` on 16 points: at most 0.5 s.

Timings are the best of several repeats (the machine is shared; the minimum is the
least disturbed measurement); sections are separated by a 1 s pause so that BLAS
thread pools left spinning by one section do not slow the next.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from forecast.models import ARIMA, Auto, DampedTrend
from forecast.series import AnnualSeries

US_FIXTURE = [28.1, 40, 55, 75, 100, 117.5, 130, 152, 180, 200, 225, 245, 250, 272, 300, 316]


def best_of(fn, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def numpy_lower_bound(n: int, h: int, seed: int = 0) -> float:
    def run():
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, h))
        np.cumsum(x, axis=1, out=x)
        np.exp(x, out=x)
    return best_of(run)


def main() -> None:
    series = AnnualSeries(np.arange(2009, 2025), US_FIXTURE, name="fixture (not data)")
    n, h = 100_000, 10

    base = numpy_lower_bound(n, h)
    damped = DampedTrend().fit(series)
    damped_off = DampedTrend(param_uncertainty=False).fit(series)
    t_on = best_of(lambda: damped.simulate(h, n, seed=1))
    t_off = best_of(lambda: damped_off.simulate(h, n, seed=1))
    print(f"numpy lower bound (normals+cumsum+exp) {n:,} x {h}: {base * 1e3:7.1f} ms")
    print(f"DampedTrend.simulate, parameter uncertainty on : {t_on * 1e3:7.1f} ms "
          f"-> {t_on / base:.2f}x lower bound (target <= 1.5x)")
    print(f"DampedTrend.simulate, parameter uncertainty off: {t_off * 1e3:7.1f} ms "
          f"-> {t_off / base:.2f}x lower bound")

    Auto().fit(series)  # warm imports
    time.sleep(1.0)  # let BLAS thread pools of the previous section go idle
    t_auto = best_of(lambda: Auto().fit(series), repeats=5)
    print(f"Auto().fit on 16 points: {t_auto * 1e3:.0f} ms (target <= 500 ms)")

    from statsmodels.tsa.statespace.sarimax import SARIMAX

    fit = ARIMA(order=(1, 1)).fit(series)
    p = fit.params
    c = p["drift"] * (1 - p["ar1"])
    sm = SARIMAX(series.log_values, order=(1, 1, 1), trend="c").smooth(
        [c, p["ar1"], p["ma1"], p["sigma"] ** 2])
    m = 5_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_sm = best_of(lambda: sm.simulate(h, repetitions=m, anchor="end"), repeats=3)
    time.sleep(1.0)
    t_ours = best_of(lambda: fit.simulate(h, m, seed=1))
    print(f"ARIMA(1,1,1)+drift {m:,} x {h}: statsmodels SARIMAX.simulate {t_sm * 1e3:7.1f} ms, "
          f"ours {t_ours * 1e3:6.2f} ms -> {t_sm / t_ours:.0f}x faster (target >= 20x)")



if __name__ == "__main__":
    main()
