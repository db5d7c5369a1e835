"""Draw docs/img/preset_effects.png and print the numbers of docs/scenarios.md.

    PYTHONPATH=src python docs/scripts/scenario_effects.py           # figure + tables
    PYTHONPATH=src python docs/scripts/scenario_effects.py --no-data  # skip the history part

The tables are also what ``refresh.py`` writes into docs/scenarios.md
(:func:`table_text`, :func:`data_check_text`); docs/img/preset_effects.txt records the
figures the image shows, which ``refresh.py --check`` compares (``_images.py``).

For each named preset the figure shows the total scenario effect (sum of its
assumptions) on the level of US offshore execution, in percent, 2026-2035: the median
and the 10-90% and 2.5-97.5% bands over 20,000 paths. Effects do not depend on the
baseline except for ``Volatility`` (in ``fragmentation``), which here scales a synthetic
random-walk baseline with a 6% yearly log sd (the effect of a real fit differs).

The second part confronts the friction presets with the data: growth in 2025 (from the
January-October nowcast) against the 2019-2024 and 2022-2024 trends, from joint
simulation-smoother draws of the reconstructed history.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from _images import record, shown  # this folder: python puts a script's folder on sys.path

from forecast import presets
from forecast.scenarios import PathContext

OUT = Path(__file__).resolve().parents[1] / "img" / "preset_effects.png"
YEARS = np.arange(2026, 2036)
N = 20_000


def effect_quantiles(seed: int = 2026) -> dict[str, np.ndarray]:
    """Per preset: quantiles (2.5, 10, 50, 90, 97.5) and mean x years of the effect, in %."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, 0.06, (N, YEARS.size))
    ctx = PathContext(YEARS, np.cumsum(steps, axis=1), np.zeros(YEARS.size), 2025)
    out = {}
    for s in presets.scenario_set():
        eff = s.effects(ctx, np.random.SeedSequence(seed))
        total = sum(eff.values()) if eff else np.zeros((N, YEARS.size))
        qs = np.quantile(total, [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
        mean = np.log(np.mean(np.exp(total), axis=0))  # mean of the level ratio
        out[s.name] = 100 * np.expm1(np.vstack([qs, mean]))
    return out


def figure(q: dict[str, np.ndarray]):
    """The figure, drawn (not saved)."""
    from matplotlib.figure import Figure

    names = [n for n in q if n != "baseline"]
    fig = Figure(figsize=(10, 5.6), dpi=90)
    axes = fig.subplots(2, 3, sharex=True, sharey=True)
    for ax, name in zip(axes.flat, names, strict=True):
        lo95, lo80, med, hi80, hi95, _ = q[name]
        ax.fill_between(YEARS, lo95, hi95, color="tab:blue", alpha=0.15, linewidth=0)
        ax.fill_between(YEARS, lo80, hi80, color="tab:blue", alpha=0.3, linewidth=0)
        ax.plot(YEARS, med, color="tab:blue", linewidth=1.8)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("effect on level, %")
    fig.suptitle("Preset scenario effects on US offshore execution (median, 80% and 95% bands;"
                 " the baseline is 0)", fontsize=10)
    fig.tight_layout()
    return fig


def record_text(q: dict[str, np.ndarray] | None = None) -> str:
    """The figures the image shows (docs/img/preset_effects.txt, checked by refresh.py)."""
    return shown(figure(effect_quantiles() if q is None else q), Path(__file__).name)


def draw(q: dict[str, np.ndarray] | None = None) -> str:
    """Save the figure and its record; return the record."""
    q = effect_quantiles() if q is None else q
    fig = figure(q)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=90)
    text = shown(fig, Path(__file__).name)
    record(OUT.name).write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB) and {record(OUT.name).name}")
    return text


def table_text(q: dict[str, np.ndarray] | None = None) -> str:
    """The effects table of docs/scenarios.md (Markdown)."""
    q = effect_quantiles() if q is None else q
    lines = ["| scenario | 2026 median | 2030 median (10-90%) | 2035 median (10-90%) | 2035 mean |",
             "|---|---|---|---|---|"]
    j30, j35 = 4, 9
    for name, v in q.items():
        if name == "baseline":
            continue
        lines.append(f"| {name} | {v[2, 0]:+.1f}% | {v[2, j30]:+.1f}% ({v[1, j30]:+.1f}, "
                     f"{v[3, j30]:+.1f}) | {v[2, j35]:+.1f}% ({v[1, j35]:+.1f}, "
                     f"{v[3, j35]:+.1f}) | {v[5, j35]:+.1f}% |")
    return "\n".join(lines) + "\n"


def data_check_text() -> str:
    """The friction-against-the-data table of docs/scenarios.md (Markdown)."""
    import forecast

    h = forecast.reconstruct()
    yrs = list(h.years)
    logs = np.log(h.draws(4000, seed=1))

    def col(y: int) -> np.ndarray:
        return logs[:, yrs.index(y)]

    def pct(x: float) -> str:
        return f"{100 * x:+.1f}"

    g25, g24 = col(2025) - col(2024), col(2024) - col(2023)
    nc = h.nowcast(2025)
    lo, hi = np.percentile(nc.samples, [10, 90])
    rows = ["| | median | 10-90% |", "|---|---|---|",
            f"| 2025 full-year nowcast | USD {nc.median:.2f} bn | {lo:.2f}-{hi:.2f} |",
            f"| growth 2025 | {pct(np.median(g25))}% | {pct(np.percentile(g25, 10))} to "
            f"{pct(np.percentile(g25, 90))} |",
            f"| growth 2024 | {pct(np.median(g24))}% | |"]
    trends = {(a, b): (col(b) - col(a)) / (b - a) for a, b in ((2019, 2024), (2022, 2024))}
    rows += [f"| trend {a}-{b} | {pct(np.median(tr))}%/yr | |" for (a, b), tr in trends.items()]
    for (a, b), tr in trends.items():
        gap = g25 - tr
        p10, p90 = np.percentile(gap, [10, 90])
        rows.append(f"| 2025 gap to the {a}-{b} trend | {pct(np.median(gap))} log points | "
                    f"{pct(p10)} to {pct(p90)} (P(gap < 0) = {np.mean(gap < 0):.2f}) |")
    return "\n".join(rows) + "\n"


def main() -> None:
    q = effect_quantiles()
    draw(q)
    print(table_text(q))
    if "--no-data" not in sys.argv:
        print(data_check_text())


if __name__ == "__main__":
    main()
