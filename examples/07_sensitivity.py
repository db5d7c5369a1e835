"""Which uncertain scenario parameters move the projection most?

A one-at-a-time tornado (each parameter at its 10th and 90th percentile, the others at
their medians) and variance-based Sobol indices, both with common random numbers.

Run: ``python examples/07_sensitivity.py``; the test suite shrinks it
with ``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import os

import forecast
from forecast import plotting, presets

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "4000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

fit = forecast.Auto(imputations=imputations).fit(forecast.reconstruct(), seed=1)
scenario = presets.fragmentation()
print(scenario.parameters())                  # the uncertain parameters, by dotted name

swings = forecast.tornado(fit, scenario, [2030, 2035], n_paths=n_paths, seed=1)
print(swings.round(3).to_string(index=False))

indices = forecast.sobol(fit, scenario, 2035, n=max(64, n_paths // 8), seed=1)
print(indices[["parameter", "kind", "first_order", "total"]].round(3).to_string(index=False))

ax = plotting.tornado_chart(swings, 2035)
ax.figure.savefig("tornado.png", dpi=100, bbox_inches="tight")
print("wrote tornado.png")
