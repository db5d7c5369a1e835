"""Decompose a scenario's gap to the baseline into its assumptions, year by year.

Effects add on the log scale, so each assumption's contribution is exact and the
contributions sum to the total gap (in log points and in USD bn).

Run: ``python examples/05_decompose.py``; the test suite shrinks it
with ``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import os

import matplotlib.pyplot as plt

import forecast
from forecast import plotting, presets

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "10000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

fit = forecast.Auto(imputations=imputations).fit(forecast.reconstruct(), seed=1)
proj = forecast.project(fit, [presets.baseline(), presets.fragmentation()], to=2035,
                        n_paths=n_paths, seed=7)

parts = proj.decompose("fragmentation")      # year, assumption, log_points, level
# log_points: 100 x the mean log gap (about percent); level: the mean gap in USD bn.
# The two can differ in sign: policy_uncertainty keeps the median path and widens the
# spread; the log paths' long lower tail makes that lower the mean log level, while the
# convexity of exp raises the mean level (docs/results.md, "Decomposition").
for column, unit in [("log_points", "log points"), ("level", "USD bn")]:
    wide = parts.pivot(index="year", columns="assumption", values=column)
    wide["total"] = wide.sum(axis=1)
    print(f"\nWhat fragmentation changes against the baseline, {unit}:")
    print(wide.round(2).to_string())

# The parts add up to the gap between the scenario's and the baseline's mean level
gap = proj.samples[1].mean(axis=0) - proj.samples[0].mean(axis=0)
total = parts.groupby("year")["level"].sum().to_numpy()
print(f"\nlargest difference between parts and gap: {float(abs(total - gap).max()):.1e} USD bn")

plotting.decomposition_chart(proj, "fragmentation")
plt.savefig("decomposition.png", dpi=100, bbox_inches="tight")
print("wrote decomposition.png")
