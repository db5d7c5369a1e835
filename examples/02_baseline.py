"""Fit the baseline model families and project the baseline (no scenario) as a fan chart.

Every family models the series on a working scale between level and log (a Box-Cox
lambda chosen per series by a documented rule, see docs/models.md; ``scale="log"``
forces logs). Fitted on a History (not just its median), a model is
estimated on several plausible histories (multiple imputation), so the uncertainty of
the gap years carries into the projection. `Auto` pools three families (Drift,
LocalLinearTrend and Theta, equal weights) into one forecast distribution centred on
the median of their means, with their mean variance plus the spread of their means
(docs/models.md, "Auto: which families").

Run: ``python examples/02_baseline.py``. The test suite shrinks it with
``FORECAST_EXAMPLE_PATHS`` (paths) and ``FORECAST_EXAMPLE_IMPUTATIONS`` (history draws).
"""

import os

import matplotlib.pyplot as plt
import pandas as pd

import forecast
from forecast import plotting

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "10000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

history = forecast.reconstruct()
specs = [forecast.Drift(), forecast.DampedTrend(), forecast.ARIMA(),
         forecast.LocalLinearTrend(), forecast.Theta(), forecast.LogLinearTrend()]
rows = []
for spec in specs:
    fit = spec.fit(history.series)             # on the median: fast, for comparison
    point = fit.forecast(10)                   # year, mean, median, lower_80, ...
    rows.append({"model": fit.name, "aicc": fit.aicc,
                 "median_2030": float(point.loc[point.year == 2030, "median"].iloc[0]),
                 "median_2035": float(point.loc[point.year == 2035, "median"].iloc[0])})
# AICc values of different families are not strictly comparable (they are computed on
# different numbers of observations), which is one reason Auto pools instead of picking.
print("Each family on the reconstructed median (medians in USD bn):")
print(pd.DataFrame(rows).round(2).to_string(index=False))

auto = forecast.Auto(imputations=imputations).fit(history, seed=1)
print()
print(auto.summary())                          # scale, calibration, weights of the families

proj = forecast.project(auto, forecast.Scenario("baseline"), to=2035, n_paths=n_paths, seed=1)
print("\nBaseline projection, USD bn:")
print(proj.summary_frame((80, 95)).round(1).to_string(index=False))

plotting.fan_chart(proj, history=history)  # history band, 50/80/95% fan, median
plt.savefig("baseline_fan.png", dpi=100, bbox_inches="tight")
print("wrote baseline_fan.png")
