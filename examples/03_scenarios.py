"""Project the seven preset scenarios and compare them.

Every scenario is applied to the same baseline paths (common random numbers), so the
differences between scenarios are the scenarios' own, not Monte Carlo noise.

Run: ``python examples/03_scenarios.py``; the test suite shrinks it
with ``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import os

import matplotlib.pyplot as plt

import forecast
from forecast import plotting, presets, report

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "10000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

history = forecast.reconstruct()
fit = forecast.Auto(imputations=imputations).fit(history, seed=1)
scenarios = presets.scenario_set()                      # baseline first
proj = forecast.project(fit, scenarios, to=2035, n_paths=n_paths, seed=2026)

print("Median and 80% band, USD bn:")
print(report.compact_table(proj).round(1).to_string(index=False))

# Per-path differences to the baseline: the band of a difference is the scenario's effect
# alone, far narrower than either level's band. prob_below: share of paths below baseline.
diff = proj.difference("baseline")
print("\nGap to the baseline in 2035 (USD bn and percent):")
print(diff[diff["year"] == 2035][["scenario", "median", "lower_80", "upper_80", "median_pct",
                                  "prob_below"]].round(2).to_string(index=False))

# Events: how likely is USD 40 bn in 2030, and when is it first reached?
print("\nP(above USD 40 bn in 2030):")
print(proj.prob_above(40.0, 2030).round(3).to_string())
reach = proj.year_reaching(40.0, "baseline")
print("\nFirst year the baseline reaches USD 40 bn (share of paths; <NA>: not by 2035):")
print(reach.round(3).to_string(index=False))
print("\nAverage growth 2025-2035, percent a year:")
print(proj.cagr(2025, 2035)[["scenario", "median", "lower_80", "upper_80"]].round(1)
      .to_string(index=False))

# Tables for other tools: long, wide, and IAMC (reads into pyam)
proj.to_frame().to_csv("projection_long.csv", index=False)
proj.to_iamc().to_csv("projection_iamc.csv", index=False)

# Seven 80% bands on one axis would hide each other: medians here, a fan for one scenario
plotting.comparison_chart(proj, level=None, history=history)
plt.savefig("comparison.png", dpi=100, bbox_inches="tight")
plotting.fan_chart(proj, "escalation", history=history)
plt.savefig("fan_escalation.png", dpi=100, bbox_inches="tight")
print("wrote projection_long.csv, projection_iamc.csv, comparison.png, fan_escalation.png")
