"""How well would each model have forecast? Rolling-origin and pseudo-real-time backtests.

Rolling origin: fit on the history up to each year, forecast the next years, score
against the reconstruction. Pseudo-real time: at each origin, rebuild the history from
only what MOFCOM had published by then (the releases carry their publication dates).

Run: ``python examples/06_backtest.py``; the test suite shrinks it with
``FORECAST_EXAMPLE_PATHS``.
"""

import os

import forecast
from forecast.evaluation import summarize

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "2000"))
small = n_paths < 2000

history = forecast.reconstruct()
# the naive and drift benchmarks are added to these
specs: list[forecast.ModelSpec] = [forecast.Theta(imputations=2)]
if not small:
    specs += [forecast.DampedTrend(imputations=5), forecast.Auto(imputations=5)]
origins = [2020, 2021, 2022] if small else None  # default: every possible origin
table = forecast.compare(specs, history, origins=origins, horizon=3, n_paths=n_paths, seed=1)
# mase: mean absolute error over that of the in-sample naive forecast (below 1 is better);
# crps: the whole forecast distribution's error, in USD bn (lower is better);
# coverage: share of outcomes inside the 80% / 95% bands (ideally 0.80 / 0.95).
print("Rolling origin (truth: the latest reconstruction); n = forecasts scored:")
print(table[["model", "horizon", "n", "mase", "crps", "coverage_80", "coverage_95"]]
      .round(3).to_string(index=False))

# Pseudo-real time: origins are publication cut-offs
cutoffs = ["2022-06"] if small else ["2016-06", "2018-06", "2020-06", "2022-06"]
records = forecast.load_releases()
frame = forecast.backtest(forecast.Drift(), records, origins=cutoffs, horizon=2,
                          n_paths=n_paths, seed=1)
# target "latest": scored against today's reconstruction; "published": against the
# full-year figures MOFCOM published for that year (only where one exists). mae in USD bn,
# mape in percent.
print("\nPseudo-real time, Drift:")
print(summarize(frame)[["target", "horizon", "n", "mae", "mape", "crps", "coverage_80",
                        "coverage_95"]].round(2).to_string(index=False))
frame.to_csv("pseudo_real_time.csv", index=False)
print("wrote pseudo_real_time.csv")
