"""Draw docs/img/readme_headline.png, the README's figure: the report's headline chart.

Run from the repository root: ``python docs/scripts/readme_figure.py``. The chart is the
one the report opens with: the baseline fan (50% and 80% bands) with every preset
scenario's median and its 2035 value, on a log axis, 2025 marked as a nowcast.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

import forecast
from forecast import plotting, presets
from forecast.plotting.scenario_charts import SOURCE

history = forecast.reconstruct()
fit = forecast.Auto().fit(history, seed=2026)
proj = forecast.project(fit, presets.scenario_set(), to=2035, n_paths=10_000, seed=2026)

size = (7.8, 4.6)
fig = Figure(figsize=size)
plotting.headline_chart(proj, history=history, nowcast_year=history.nowcast(n=10).year,
                        ax=fig.subplots(),
                        title="China's offshore service outsourcing to the US: presets")
fig.subplots_adjust(left=0.85 / size[0], right=1 - 1.75 / size[0], top=1 - 0.45 / size[1],
                    bottom=0.8 / size[1])
fig.text(0.01, 0.01, f"{SOURCE} {fit.name}, seed 2026.", fontsize="x-small", color="0.35")
out = pathlib.Path(__file__).resolve().parents[1] / "img" / "readme_headline.png"
fig.savefig(out, dpi=150)
print(f"wrote {out}")
