"""Draw docs/img/readme_headline.png, the README's figure: the report's headline chart.

Run from the repository root: ``python docs/scripts/readme_figure.py`` (or
``python docs/scripts/refresh.py``, which redraws it when it is stale). The chart is the
one the report opens with: the baseline fan (50% and 80% bands) with every preset
scenario's median and its 2035 value, on a log axis, 2025 marked as a nowcast.

Beside the image, docs/img/readme_headline.txt records the figures the chart shows (the
bands and medians in 2035, the end labels), read back from the drawn axes: a PNG is not
byte-stable across matplotlib versions, so ``refresh.py --check`` (run by
``tests/test_docs.py``) compares this record instead (``_images.py``).
"""

from __future__ import annotations

import functools
import pathlib

import matplotlib

matplotlib.use("Agg")

from _images import record, shown
from matplotlib.figure import Figure

import forecast
from forecast import plotting, presets
from forecast.plotting.scenario_charts import SOURCE

OUT = pathlib.Path(__file__).resolve().parents[1] / "img" / "readme_headline.png"
RECORD = record(OUT.name)
SCRIPT = pathlib.Path(__file__).name
SEED = 2026
SIZE = (7.8, 4.6)


@functools.cache
def _projection():
    history = forecast.reconstruct()
    fit = forecast.Auto().fit(history, seed=SEED)
    proj = forecast.project(fit, presets.scenario_set(), to=2035, n_paths=10_000, seed=SEED)
    return history, fit, proj


def figure() -> Figure:
    """The chart, drawn (not saved)."""
    history, fit, proj = _projection()
    fig = Figure(figsize=SIZE)
    plotting.headline_chart(proj, history=history, nowcast_year=history.nowcast(n=10).year,
                            ax=fig.subplots(),
                            title="China's offshore service outsourcing to the US: presets")
    fig.subplots_adjust(left=0.85 / SIZE[0], right=1 - 1.75 / SIZE[0],
                        top=1 - 0.45 / SIZE[1], bottom=0.8 / SIZE[1])
    fig.text(0.01, 0.01, f"{SOURCE} {fit.name}, seed {SEED}.", fontsize="x-small",
             color="0.35")
    return fig


def record_text() -> str:
    """What the record should hold today (draws the chart without saving it)."""
    return shown(figure(), SCRIPT)


def draw() -> str:
    """Save the chart and its record; return the record."""
    fig = figure()
    fig.savefig(OUT, dpi=150)
    text = shown(fig, SCRIPT)
    RECORD.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(draw(), end="")
    print(f"wrote {OUT} and {RECORD.name}")
