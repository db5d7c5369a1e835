"""Write your own scenarios: in a TOML file, or in Python from the assumption primitives.

``04_custom_scenario.toml`` (beside this script) defines three scenarios with
probabilities; here we load and validate it, build the same kind of scenario in Python
and write it to ``mine.toml``, then project the file's scenarios on the same paths and
pool them into a probability-weighted mixture fan.

Run: ``python examples/04_custom_scenario.py``; the test suite shrinks it with
``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import os
import pathlib

import matplotlib.pyplot as plt

import forecast
from forecast import plotting, presets, report
from forecast.scenarios import DiscreteUniform, Triangular, Uniform

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "10000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

toml_file = pathlib.Path(__file__).with_suffix(".toml")
from_file = forecast.load_scenarios(toml_file)  # strict: unknown keys are errors
weights = from_file.probabilities or ()  # the file gives each scenario's probability
print("scenarios in the file:", ", ".join(
    f"{name} ({p:.0%})" for name, p in zip(from_file.names, weights, strict=True)))

# The same kind of scenario in Python: a possible levy plus a slow-down of growth
levy = forecast.LevelShift(start=DiscreteUniform(2027, 2029),
                           size=Triangular(-0.15, -0.06, -0.02), phase_in=2,
                           probability=0.4, name="outsourcing_levy")
slower = forecast.GrowthShift(start=2026, delta=Uniform(-0.01, 0.0), half_life=5,
                              name="drift")
mine = forecast.Scenario("levy_and_drift", [levy, slower], "My own combination.")
# combine() merges scenarios (order does not matter), e.g. with a preset
both = forecast.combine(mine, presets.digital_opening(), name="levy_drift_opening")
forecast.dump_scenarios(forecast.ScenarioSet([presets.baseline(), mine, both]), "mine.toml")
print("wrote mine.toml:", ", ".join(forecast.load_scenarios("mine.toml").names))

fit = forecast.Auto(imputations=imputations).fit(forecast.reconstruct(), seed=1)
proj = forecast.project(fit, from_file, to=2035, n_paths=n_paths, seed=4)
print("\nMedian and 80% band, USD bn:")
print(report.compact_table(proj).round(1).to_string(index=False))

mixture = proj.mixture()                       # paths pooled by scenario probability
print("\nThe mixture, USD bn:")
print(mixture.summary_frame(80).round(1).tail(3).to_string(index=False))

plotting.fan_chart(mixture, "mixture")
plt.savefig("mixture_fan.png", dpi=100, bbox_inches="tight")
print("wrote mixture_fan.png")
