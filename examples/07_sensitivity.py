"""Which uncertain scenario parameters move the projection most?

A one-at-a-time tornado (each parameter at its 10th and 90th percentile, the others at
their medians) and variance-based Sobol indices, both with common random numbers.
Sobol indices are shares of the variance of the 2035 log level: ``baseline`` is the
model's own uncertainty, ``chance`` the scenario's other draws (does an assumption
happen, when do jumps occur).

Run: ``python examples/07_sensitivity.py``; the test suite shrinks it
with ``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import math
import os

import matplotlib.pyplot as plt

import forecast
from forecast import plotting, presets

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "4000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

fit = forecast.Auto(imputations=imputations).fit(forecast.reconstruct(), seed=1)
scenario = presets.fragmentation()
print(f"Uncertain parameters of {scenario.name}:")
for name, dist in scenario.parameters().items():   # by dotted name
    print(f"  {name}: {dist}")

swings = forecast.tornado(fit, scenario, [2030, 2035], n_paths=n_paths, seed=1)
print("\nTornado: median level (USD bn) with one parameter at its 10th / 90th percentile:")
print(swings[["year", "parameter", "level_low", "level_high", "swing"]].round(2)
      .to_string(index=False))

# Sobol' points are balanced for powers of two only (other n warn), hence the rounding
n_sobol = 2 ** max(6, round(math.log2(n_paths / 8)))
indices = forecast.sobol(fit, scenario, 2035, n=n_sobol, seed=1)
# Small indices can come out slightly negative, or total below first order: Monte Carlo
# noise (the table has their confidence intervals in *_lower / *_upper).
print(f"\nSobol indices for 2035 (n = {n_sobol}):")
print(indices[["parameter", "kind", "first_order", "total"]].round(3).to_string(index=False))

plotting.tornado_chart(swings, 2035)
plt.savefig("tornado.png", dpi=100, bbox_inches="tight")
print("wrote tornado.png")
