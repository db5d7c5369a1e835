"""Draw docs/img/readme_fan.png, the README's figure: fan charts of the preset scenarios.

Run from the repository root: ``python docs/scripts/readme_figure.py``.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

import forecast
from forecast import plotting, presets

history = forecast.reconstruct()
fit = forecast.Auto().fit(history, seed=2026)
proj = forecast.project(fit, presets.scenario_set(), to=2035, n_paths=10_000, seed=2026)

fig = Figure(figsize=(13.2, 5.8))
plotting.fan_grid(proj, history=history, fig=fig, yscale="log")
fig.suptitle("China's offshore service outsourcing to the US: preset scenarios "
             f"(median, 50/80/95% bands, log scale; {fit.name}, seed 2026)",
             fontsize="medium")
out = pathlib.Path(__file__).resolve().parents[1] / "img" / "readme_fan.png"
fig.savefig(out, dpi=80, bbox_inches="tight")
print(f"wrote {out}")
