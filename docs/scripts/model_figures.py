"""The figures of docs/models.md on the US series (run from the repository root).

    PYTHONPATH=src python docs/scripts/model_figures.py

Each ``*_text`` function returns one block of docs/models.md (``doc_outputs.py``
registers them, so ``python docs/scripts/refresh.py`` rewrites the page and
``tests/test_docs.py`` checks it). A function also asserts the qualitative claims the
page's prose makes around its block (:func:`claim`), so a change that falsifies one
fails the refresh instead of leaving the prose stale.
"""

from __future__ import annotations

import functools

import numpy as np
from _markdown import prose

import forecast

YEARS = (2035, 2040, 2045, 2050, 2065)
ANNOTATED = 2050  # the year whose band the text spells out


@functools.cache
def _history():
    return forecast.reconstruct()


@functools.cache
def _fit(**kwargs):
    return forecast.Auto(**kwargs).fit(_history(), seed=1)


def claim(holds: bool, text: str) -> None:
    """Fail the refresh when the page's prose around a block says `text` and it is false."""
    if not holds:
        raise AssertionError(f"docs/models.md says {text}; no longer: rewrite that sentence")


def _share(x: float) -> str:
    return f"{x:.2f}%" if x < 1 else f"{x:.1f}%"


def _level(x: float, floor: float) -> str:
    """A band's bound as the docs write it: three significant digits from 1,000 up (the
    far tails of the log scale move in their seventh digit between numpy versions)."""
    if np.isclose(x, floor, rtol=1e-6):
        return "floor"
    if x >= 1000:
        return f"{float(f'{x:.3g}'):,.0f}"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def censored_band(fit, years=YEARS) -> dict[int, str]:
    """The 80% band of `fit.forecast` in each of `years`, as the docs write it."""
    h = max(years) - fit.last_year
    f = fit.forecast(h).set_index("year")
    floor = float(np.exp(fit.floor_log)) if np.isfinite(fit.floor_log) else 0.0
    return {y: f"[{_level(f.loc[y, 'lower_80'], floor)}, {_level(f.loc[y, 'upper_80'], floor)}]"
            for y in years}


def censoring_text() -> str:
    """The censored shares and 80% bands at long horizons, and where the bands hit the floor."""
    fit, mean_fit, log_fit = _fit(), _fit(center="mean"), _fit(scale="log")
    h = max(YEARS) - fit.last_year
    idx = [y - fit.last_year - 1 for y in YEARS]
    share, share_mean = 100 * fit.censored_share(h), 100 * mean_fit.censored_share(h)
    lam = fit.params["scale.lambda"]
    bands, log_bands = censored_band(fit), censored_band(log_fit)
    rows = [("baseline paths censored", [_share(share[i]) for i in idx]),
            ('the same with `center="mean"`', [_share(share_mean[i]) for i in idx]),
            (f"80% band (USD bn), chosen scale (lambda {lam:.2f})", [bands[y] for y in YEARS]),
            ('80% band (USD bn), `scale="log"`', [log_bands[y] for y in YEARS])]
    lines = ["| | " + " | ".join(map(str, YEARS)) + " |", "|---|" + "---|" * len(YEARS)]
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]

    years = np.arange(fit.last_year + 1, fit.last_year + 1 + h)
    y95, y80 = (int(years[np.argmax(share > p)]) for p in (2.5, 10.0))
    claim(share[4] < 0.01, "the censored share is negligible at the horizons of the scale's rule")
    claim(share_mean[-1] < share[-1], "center='mean' gives a narrower band")
    claim(y80 <= ANNOTATED, f"the lower 80% bound is the floor by {ANNOTATED}")
    f = fit.forecast(h).set_index("year").loc[list(YEARS)]
    fl = log_fit.forecast(h).set_index("year").loc[list(YEARS)]
    claim(np.all(fl["upper_80"] - fl["lower_80"] > f["upper_80"] - f["lower_80"]),
          "the log scale is no remedy: its 80% band is the wider one in every year shown")
    claim(fl.loc[ANNOTATED, "lower_80"] < 1,
          f"the log scale's lower 80% bound is a fraction of a billion in {ANNOTATED}")
    sim = (fit.simulate(ANNOTATED - fit.last_year, 100_000, seed=1) <= fit.floor_log).mean(0)
    gap = 100 * np.max(np.abs(sim - share[:sim.size] / 100))
    floor = float(np.exp(fit.floor_log))
    text = (
        f"From {y95} more than 2.5% of the paths are censored, so the lower bound of the "
        f"95% band is the floor ({floor:.3g} USD bn); from {y80} more than 10% are "
        f"({_share(share[y80 - fit.last_year - 1])}), and the lower bound of the 80% band is "
        f"the floor too: in {ANNOTATED} the 80% band is {bands[ANNOTATED]} USD bn, whose "
        f"lower end says \"in more than one path in ten the channel has vanished\", not a "
        f"level. `Fit.censored_share(h)` gives the shares above exactly (the Gaussian mass "
        f"below the boundary); 100,000 simulated paths agree within Monte Carlo error "
        f"({gap:.2f} points or less to {ANNOTATED}).")
    return "\n".join(lines) + "\n\n" + prose(text)


def seeds_text() -> str:
    """How the fit's history draws move each family's 2035 median and the mixture's mean."""
    history, scenarios = _history(), forecast.presets.scenario_set()
    seeds = range(1, 6)
    medians = {fam: [float(getattr(forecast, fam)().fit(history, seed=s).forecast(10)
                           .query("year == 2035")["median"].iloc[0]) for s in seeds]
               for fam in ("LocalLinearTrend", "Drift", "Theta")}
    moved = {}
    for center in ("mean", "median"):
        means = np.array([forecast.project(forecast.Auto(center=center).fit(history, seed=s),
                                           scenarios, to=2035, n_paths=100_000, seed=s)
                          .samples[:, :, -1].mean(axis=1) for s in seeds])
        moved[center] = 100 * np.max(means.max(axis=0) / means.min(axis=0) - 1)
    llt, drift, theta = (medians[f] for f in ("LocalLinearTrend", "Drift", "Theta"))
    span = max(np.ptp(drift), np.ptp(theta))
    claim(np.ptp(llt) > 2 * span, "the seeds move the local linear trend member a lot")
    claim(moved["mean"] > 3 * moved["median"], "the median makes the projection far less "
          "dependent on the seed")
    return prose(
        "The median also makes the US projection far less dependent on the seed: the fit's "
        "20 history draws move the local linear trend member a lot (its 2035 median is "
        f"{min(llt):.1f}-{max(llt):.1f} USD bn across seeds 1-5; Drift's spans "
        f"{min(drift):.1f}-{max(drift):.1f} and Theta's {min(theta):.1f}-{max(theta):.1f}), "
        "and the mean centre followed it: over those five seeds (each seeding the history "
        f"draws and 100,000 paths) the 2035 mean moved by up to {moved['mean']:.1f}% "
        f"(max / min, over the presets) with the mean centre and by {moved['median']:.1f}% "
        "with the median (tested in `tests/models/test_history_and_auto.py`).")


POOLING_H = (1, 2, 5, 10)  # the horizons docs/models.md's pooling table shows


def pooling_text() -> str:
    """The history draws' pooled sd (a mixture) against Rubin's total variance, US Drift."""
    fit = forecast.Drift().fit(_history(), seed=1)
    h = max(POOLING_H)
    ms = [fit._member_moments(i, h) for i in range(len(fit.components))]  # the draws
    means, covs = np.stack([m for m, _ in ms]), np.stack([c for _, c in ms])
    m = len(ms)
    within, between = covs.mean(axis=0), np.cov(means.T)  # B with divisor m - 1
    mean, chol = fit.moments(h)
    pooled = chol @ chol.T
    claim(np.allclose(pooled, within + (m - 1) / m * between, rtol=1e-9, atol=0)
          and np.allclose(mean, means.mean(axis=0), rtol=1e-12, atol=0),
          "the draws are pooled as their mixture, W + (m - 1)/m B")
    mix = np.sqrt(np.diag(pooled))
    rubin = np.sqrt(np.diag(within + (1 + 1 / m) * between))
    narrower = 100 * (1 - mix / rubin)
    share = 100 * (m - 1) / m * np.diag(between) / np.diag(pooled)
    claim(np.all(np.diff(narrower) < 0), "the gap to Rubin's narrows with the horizon")
    idx = [k - 1 for k in POOLING_H]
    years = [fit.last_year + k for k in POOLING_H]
    rows = [("sd, the mixture (the library)", [f"{mix[i]:.4f}" for i in idx]),
            ("sd, Rubin's `W + (1 + 1/m) B`", [f"{rubin[i]:.4f}" for i in idx]),
            ("the mixture narrower by", [f"{narrower[i]:.1f}%" for i in idx]),
            ("between-draw share of the mixture's variance", [f"{share[i]:.0f}%" for i in idx])]
    lines = ["| h (year) | " + " | ".join(f"{k} ({y})" for k, y in zip(POOLING_H, years,
                                                                        strict=True)) + " |",
             "|---|" + "---|" * len(POOLING_H)]
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]
    text = (f"On the US series (`Drift().fit(forecast.reconstruct(), seed=1)`, {m} draws; "
            f"standard deviations on its working scale, Box-Cox lambda {fit.lam:.2f}) the "
            "mixture's sd is "
            f"{narrower[0]:.1f}% smaller than Rubin's at h = 1 and {narrower[-1]:.1f}% at "
            f"h = {h}: the draws disagree most about where the series stands now (the "
            f"between-draw part is {share[0]:.0f}% of the variance at h = 1), and that "
            "matters less against the forecast error that builds up with the horizon.")
    return "\n".join(lines) + "\n\n" + prose(text)


if __name__ == "__main__":
    print(censoring_text())
    print(seeds_text())
    print(pooling_text())
