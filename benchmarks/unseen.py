"""Calibration and sharpness on series from known processes, unlike M1 (h = 6).

Run from the repository root (three to five minutes; writes ``benchmarks/results/unseen.md``)::

    python benchmarks/unseen.py
    python benchmarks/unseen.py --series 3 --processes rw_sd10 drop40 --families Drift Auto
                                                      # quick check, prints only

The M1 benchmark (``benchmarks/accuracy.py``) scores the models on real series whose
future is one draw from an unknown process. Here the process is known, so a forecast
can be compared with the best one possible. For every process of :data:`PROCESSES`
(log random walks with and without drift at several noise levels, a random walk on the
level, trend-stationary series, a damped trend ETS(A,Ad,N), a local linear trend, AR(1)
growth rates, Poisson counts, smooth exponential growth and decline, huge noise, a 40%
fall in the last year, an outlier in the last year, a slope that stopped, and short and
long series) the script

1. simulates ``--series`` series of n years (seeded per process and series, so a run
   is deterministic for ``--seed`` and series k is the same whatever ``--series``);
2. continues each from its true final state with ``--paths`` + 1 independent paths of
   H = 6 years: the first is the truth, the others are the **oracle**, the forecast
   distribution of someone who knows the process and its parameters;
3. fits every family and ``Auto()`` with their defaults (``spec.fit(AnnualSeries)``,
   public API only), plus two settings a user can choose (``Auto(scale="log")`` and
   ``Drift(scale="log")``), and forecasts ``fit.forecast(6, levels=(80, 95))``;
4. scores, per process and method, pooled over series:

   * coverage of the 80% and 95% intervals, overall and per horizon (and the lowest);
   * MSIS/oracle: the mean interval score of the 95% interval (M4's, alpha = 0.05, each
     series scaled by its in-sample mean absolute first difference) divided by that of
     the oracle's 2.5-97.5% quantiles on the same series; overall and at h = 6. 1 is
     the best possible on average (the interval score is proper); the excess is the
     price of not knowing the process;
   * P(y < median) at h = 6: the share of truths below the median (0.5 if unbiased);
   * tail: the 99.9th percentile of the 6-step level (``fit.forecast(6,
     levels=(99.8,))``, exact) over the last observation, median and max over series,
     and how many series exceed 100x;
   * floor: series whose median, or lower 80% bound, is the censoring floor
     (``Fit.floor_log``, docs/models.md "The working scale") at some horizon;
   * failures: ``ModelError`` from ``fit`` (series too short for the family: `no fit`),
     any other exception (listed; **BUG** when not a ``ForecastError``), non-finite
     forecasts (not scored), and the series on which fit or forecast warned.

   The oracle's row gives the same scores for its own quantiles (its tail is the 99.9th
   percentile of its paths): 0.80 and 0.95 coverage up to simulation error checks the
   harness.

docs/models.md ("Series unlike M1: known processes") quotes the table. Not run by pytest
in full (``tests/models/test_unseen_benchmark.py`` runs a tiny version).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
import warnings
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # first: it pins the BLAS threads
    ROOT,
    machine_note,
    plain_cell,
    write_result,
)
from _common import markdown_table as _markdown_table

# isort: split

import numpy as np
from accuracy import in_sample_scale

import forecast

OUT = ROOT / "benchmarks" / "results" / "unseen.md"
H = 6
N = 20  # years of history unless a process says otherwise
SERIES = 120
PATHS = 2000
TAIL_LIMIT = 100.0
FAMILIES = ("Naive", "Drift", "LogLinearTrend", "DampedTrend", "ARIMA", "LocalLinearTrend",
            "Theta", "Auto")
#: settings a user can choose, scored beside the defaults: name -> (family, arguments)
VARIANTS = {"Auto-log": ("Auto", {"scale": "log"}), "Drift-log": ("Drift", {"scale": "log"})}

#: (rng, n, paths) -> (history of n levels, (paths + 1, H) future levels; row 0 the truth)
Simulator = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]


# ---------------------------------------------------------------------------- processes
def log_walk(mu: float, sd: float, last_shock: float = 0.0,
             last_outlier: float = 0.0) -> Simulator:
    """``log y_t = log y_(t-1) + mu + sd e_t`` from 100. ``last_shock`` is added to the
    last observed log level as a permanent step, which the future continues from;
    ``last_outlier`` as a transient error of the last observation only (the future
    continues from the clean level)."""
    def simulate(rng, n, paths):
        z = math.log(100.0) + np.cumsum(mu + sd * rng.standard_normal(n))
        z[-1] += last_shock
        fut = z[-1] + np.cumsum(mu + sd * rng.standard_normal((paths + 1, H)), axis=1)
        z[-1] += last_outlier
        return np.exp(z), np.exp(fut)
    return simulate


def slope_break(before: float, after: float, sd: float, last: int = 4) -> Simulator:
    """A log random walk with drift ``before``, then ``after`` for the ``last`` observed
    years and the future (sd ``sd``)."""
    def simulate(rng, n, paths):
        g = np.r_[np.full(max(n - last, 0), before), np.full(min(last, n), after)]
        z = math.log(100.0) + np.cumsum(g + sd * rng.standard_normal(n))
        fut = z[-1] + np.cumsum(after + sd * rng.standard_normal((paths + 1, H)), axis=1)
        return np.exp(z), np.exp(fut)
    return simulate


def level_walk(mu: float, sd: float) -> Simulator:
    """``y_t = y_(t-1) + mu + sd e_t`` from 100 (additive, on the level)."""
    def simulate(rng, n, paths):
        y = 100.0 + np.cumsum(mu + sd * rng.standard_normal(n))
        return y, y[-1] + np.cumsum(mu + sd * rng.standard_normal((paths + 1, H)), axis=1)
    return simulate


def trend_stationary(b: float, sd: float) -> Simulator:
    """``log y_t = log 100 + b t + sd e_t``: i.i.d. noise around a fixed log-linear trend."""
    def simulate(rng, n, paths):
        line = math.log(100.0) + b * np.arange(n + H)
        z = line[:n] + sd * rng.standard_normal(n)
        return np.exp(z), np.exp(line[n:] + sd * rng.standard_normal((paths + 1, H)))
    return simulate


def damped(phi: float, alpha: float, beta: float, sd: float, b0: float = 0.15) -> Simulator:
    """ETS(A,Ad,N) on the log: ``z_t = l + phi b + e``, ``l' = l + phi b + alpha e``,
    ``b' = phi b + beta e``, from level log 100 and slope ``b0``."""
    def simulate(rng, n, paths):
        lev, slope, z = math.log(100.0), b0, np.empty(n)
        for t in range(n):
            e = sd * rng.standard_normal()
            z[t] = lev + phi * slope + e
            lev, slope = lev + phi * slope + alpha * e, phi * slope + beta * e
        lev, slope = np.full(paths + 1, lev), np.full(paths + 1, slope)
        fut = np.empty((paths + 1, H))
        for k in range(H):
            e = sd * rng.standard_normal(paths + 1)
            fut[:, k] = lev + phi * slope + e
            lev, slope = lev + phi * slope + alpha * e, phi * slope + beta * e
        return np.exp(z), np.exp(fut)
    return simulate


def local_linear(sd_level: float, sd_slope: float, sd_irr: float, b0: float = 0.1) -> Simulator:
    """Local linear trend on the log: ``z = mu + eps``, ``mu' = mu + b + eta``,
    ``b' = b + zeta``, from log 100 and slope ``b0``."""
    def simulate(rng, n, paths):
        mu, b, z = math.log(100.0), b0, np.empty(n)
        for t in range(n):
            z[t] = mu + sd_irr * rng.standard_normal()
            mu, b = mu + b + sd_level * rng.standard_normal(), b + sd_slope * rng.standard_normal()
        mu, b = np.full(paths + 1, mu), np.full(paths + 1, b)
        fut = np.empty((paths + 1, H))
        for k in range(H):
            fut[:, k] = mu + sd_irr * rng.standard_normal(paths + 1)
            mu = mu + b + sd_level * rng.standard_normal(paths + 1)
            b = b + sd_slope * rng.standard_normal(paths + 1)
        return np.exp(z), np.exp(fut)
    return simulate


def ar1_growth(mu: float, phi: float, sd: float) -> Simulator:
    """Growth rates ``d_t = mu + phi (d_(t-1) - mu) + sd e_t`` (from ``mu``) of ``log y``."""
    def simulate(rng, n, paths):
        d, z = mu, np.empty(n)
        level = math.log(100.0)
        for t in range(n):
            d = mu + phi * (d - mu) + sd * rng.standard_normal()
            level += d
            z[t] = level
        d, lev = np.full(paths + 1, d), np.full(paths + 1, level)
        fut = np.empty((paths + 1, H))
        for k in range(H):
            d = mu + phi * (d - mu) + sd * rng.standard_normal(paths + 1)
            lev = lev + d
            fut[:, k] = lev
        return np.exp(z), np.exp(fut)
    return simulate


def poisson(mean: float, g: float) -> Simulator:
    """Independent counts, ``y_t ~ Poisson(mean exp(g t))``."""
    def simulate(rng, n, paths):
        lam = mean * np.exp(g * np.arange(n + H))
        return (rng.poisson(lam[:n]).astype(float),
                rng.poisson(lam[n:], size=(paths + 1, H)).astype(float))
    return simulate


@dataclass(frozen=True)
class Process:
    """A data-generating process: its simulator, history length and description."""

    simulate: Simulator
    what: str
    n: int = N


_RW10 = "log random walk, sd 0.10"
_LRWD = "level random walk, drift 2, sd 4 (from 100)"
#: name -> process (n = 20 years unless the name ends in _n<k>)
PROCESSES: dict[str, Process] = {
    "rw_sd02": Process(log_walk(0.0, 0.02), "log random walk, sd 0.02"),
    "rw_sd10": Process(log_walk(0.0, 0.10), _RW10),
    "rw_sd30": Process(log_walk(0.0, 0.30), "log random walk, sd 0.30"),
    "rwd05_sd05": Process(log_walk(0.05, 0.05), "log random walk, drift 0.05, sd 0.05"),
    "rwd05_sd15": Process(log_walk(0.05, 0.15), "log random walk, drift 0.05, sd 0.15"),
    "level_rw": Process(level_walk(0.0, 4.0), "level random walk, sd 4 (from 100)"),
    "level_rwd": Process(level_walk(2.0, 4.0), _LRWD),
    "trend_sd05": Process(trend_stationary(0.05, 0.05),
                          "log-linear trend 0.05 + i.i.d. noise sd 0.05"),
    "trend_sd15": Process(trend_stationary(0.05, 0.15),
                          "log-linear trend 0.05 + i.i.d. noise sd 0.15"),
    "damped": Process(damped(0.85, 0.5, 0.1, 0.04),
                      "ETS(A,Ad,N) on the log: phi 0.85, alpha 0.5, beta 0.1, sd 0.04, slope "
                      "0.15 at the start"),
    "llt": Process(local_linear(0.02, 0.02, 0.01),
                   "local linear trend on the log: sd level 0.02, slope 0.02, irregular 0.01, "
                   "slope 0.1 at the start"),
    "ar1_growth": Process(ar1_growth(0.05, 0.6, 0.04),
                          "AR(1) growth rates: mean 0.05, phi 0.6, sd 0.04"),
    "poisson20": Process(poisson(20.0, 0.0), "i.i.d. Poisson counts, mean 20"),
    "poisson50_g05": Process(poisson(50.0, 0.05), "Poisson counts, mean 50 growing 5%/yr"),
    "exp_up40": Process(log_walk(math.log(1.4), 0.01),
                        "smooth exponential growth +40%/yr (log random walk, sd 0.01)"),
    "exp_down30": Process(log_walk(math.log(0.7), 0.05),
                          "smooth exponential decline -30%/yr (log random walk, sd 0.05)"),
    "huge_noise": Process(log_walk(0.02, 0.8), "log random walk, drift 0.02, sd 0.8"),
    "drop40": Process(log_walk(0.03, 0.02, math.log(0.6)),
                      "log random walk, drift 0.03, sd 0.02, last year -40% (a permanent step)"),
    "outlier_x3": Process(log_walk(0.05, 0.05, last_outlier=math.log(3.0)),
                          "log random walk, drift 0.05, sd 0.05, last observation x3 (a "
                          "transient error: the future continues from the clean level)"),
    "slope_break": Process(slope_break(0.10, 0.0, 0.05),
                           "log random walk, drift 0.10, then 0 for the last 4 years and the "
                           "future, sd 0.05"),
    "rw_sd10_n3": Process(log_walk(0.0, 0.10), _RW10, 3),
    "rw_sd10_n4": Process(log_walk(0.0, 0.10), _RW10, 4),
    "rw_sd10_n5": Process(log_walk(0.0, 0.10), _RW10, 5),
    "rw_sd10_n8": Process(log_walk(0.0, 0.10), _RW10, 8),
    "level_rwd_n3": Process(level_walk(2.0, 4.0), _LRWD, 3),
    "level_rwd_n4": Process(level_walk(2.0, 4.0), _LRWD, 4),
    "level_rwd_n5": Process(level_walk(2.0, 4.0), _LRWD, 5),
    "level_rwd_n8": Process(level_walk(2.0, 4.0), _LRWD, 8),
    "rw_sd10_n60": Process(log_walk(0.0, 0.10), _RW10, 60),
}


# ---------------------------------------------------------------------------- scores
def interval_score(y: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                   alpha: float = 0.05) -> np.ndarray:
    """Interval score of the central ``1 - alpha`` interval, per element (unscaled).

    Examples
    --------
    >>> interval_score(np.array([1.0, 5.0]), np.array([0.0, 0.0]), np.array([2.0, 4.0]))
    array([ 2., 44.])
    """
    k = 2.0 / alpha
    return (upper - lower) + k * (lower - y) * (y < lower) + k * (y - upper) * (y > upper)


@dataclass
class Draw:
    """One simulated series: its history, the truth and the oracle's scores."""

    years: np.ndarray
    history: np.ndarray
    truth: np.ndarray
    scale: float  # in-sample mean absolute first difference (1 if zero)
    oracle: dict[str, np.ndarray]


def draw(name: str, k: int, seed: int, paths: int) -> Draw:
    """Series k of process `name`, its truth and its oracle (seeded by seed, name, k)."""
    proc = PROCESSES[name]
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), k])
    hist, fut = proc.simulate(rng, proc.n, paths)
    truth, others = fut[0], fut[1:]
    q = np.quantile(others, [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
    scale = in_sample_scale(hist) if proc.n > 1 else 0.0
    oracle = {"median": q[2], "lower_80": q[1], "upper_80": q[3], "lower_95": q[0],
              "upper_95": q[4],
              "tail": np.array(np.quantile(others[:, -1], 0.999) / hist[-1])}
    return Draw(np.arange(2000, 2000 + proc.n), hist, truth, scale or 1.0, oracle)


@dataclass
class Scores:
    """Per-series scores of one method on one process."""

    hit80: list[np.ndarray] = field(default_factory=list)
    hit95: list[np.ndarray] = field(default_factory=list)
    is95: list[np.ndarray] = field(default_factory=list)  # scaled interval score, per h
    is95_oracle: list[np.ndarray] = field(default_factory=list)
    below: list[np.ndarray] = field(default_factory=list)
    tails: list[float] = field(default_factory=list)
    median_floor: int = 0
    lower80_floor: int = 0
    no_fit: int = 0
    errors: list[str] = field(default_factory=list)
    bugs: list[str] = field(default_factory=list)
    nonfinite: int = 0
    warned: int = 0
    warning_kinds: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, d: Draw, frame: dict[str, np.ndarray], tail: float) -> None:
        y = d.truth
        self.hit80.append((frame["lower_80"] <= y) & (y <= frame["upper_80"]))
        self.hit95.append((frame["lower_95"] <= y) & (y <= frame["upper_95"]))
        self.is95.append(interval_score(y, frame["lower_95"], frame["upper_95"]) / d.scale)
        self.is95_oracle.append(
            interval_score(y, d.oracle["lower_95"], d.oracle["upper_95"]) / d.scale)
        self.below.append(y < frame["median"])
        self.tails.append(tail)


def make_spec(name: str):
    """The spec of a family or variant, by name (``"Auto-log"`` is ``Auto(scale="log")``)."""
    family, kwargs = VARIANTS.get(name, (name, {}))
    return getattr(forecast, family)(**kwargs)


def label(name: str) -> str:
    """How a method is shown: ``Auto(scale='log')``."""
    family, kwargs = VARIANTS.get(name, (name, {}))
    return f"{family}(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


COLS = ("median", "lower_80", "upper_80", "lower_95", "upper_95")


def run_method(name: str, draws: list[Draw], tag: str) -> Scores:
    """Fit, forecast and score one method on every draw of a process."""
    sc = Scores()
    spec = make_spec(name)
    for k, d in enumerate(draws):
        series = forecast.AnnualSeries(d.years, d.history, unit="x", name=f"{tag}#{k}")
        t0 = time.perf_counter()
        stage = "fit"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = spec.fit(series)
                stage = "forecast"
                table = fit.forecast(H, levels=(80, 95))
                stage = "tail"
                with warnings.catch_warnings():  # what a user sees is the (80, 95) table's
                    warnings.simplefilter("ignore")
                    top = fit.forecast(H, levels=(99.8,))["upper_99.8"].to_numpy(float)[-1]
            except forecast.ModelError as exc:
                if stage == "fit":  # too short for the family, or no estimate: not scored
                    sc.no_fit += 1
                else:
                    sc.errors.append(f"{series.name} {stage}: {exc}"[:200])
                continue
            except Exception as exc:  # a bug unless it is a ForecastError: record, never hide
                msg = f"{series.name} {stage}: {type(exc).__name__}: {exc}"[:200]
                (sc.errors if isinstance(exc, forecast.ForecastError) else sc.bugs).append(msg)
                continue
            finally:
                sc.seconds += time.perf_counter() - t0
        if caught:
            sc.warned += 1
            sc.warning_kinds.update(f"{w.category.__name__}: {_gist(str(w.message))}"
                                    for w in caught)
        frame = {c: table[c].to_numpy(float) for c in COLS}
        if not all(np.all(np.isfinite(v)) for v in frame.values()) or not np.isfinite(top):
            sc.nonfinite += 1
            continue
        with np.errstate(divide="ignore"):
            at_floor = {c: np.log(frame[c]) <= fit.floor_log + 1e-9 for c in ("median",
                                                                               "lower_80")}
        sc.median_floor += bool(at_floor["median"].any())
        sc.lower80_floor += bool(at_floor["lower_80"].any())
        sc.add(d, frame, top / d.history[-1])
    return sc


def oracle_scores(draws: list[Draw]) -> Scores:
    """The oracle's scores on the same draws (a check of the harness: 0.80, 0.95, 1)."""
    sc = Scores()
    for d in draws:
        sc.add(d, d.oracle, float(d.oracle["tail"]))
    return sc


def _gist(message: str, width: int = 80) -> str:
    """A warning's message without its method name and figures, to count its kind."""
    head = message.split(": ", 1)[1] if ".forecast: " in message or ".fit: " in message \
        else message
    head = re.sub(r"\d[\d.,e+-]*", "#", head)
    return head if len(head) <= width else head[:width].rsplit(" ", 1)[0] + " ..."


# ---------------------------------------------------------------------------- rows
def row(process: str, method: str, sc: Scores, n_series: int) -> dict[str, object]:
    """One table row (see the module docstring for the columns)."""
    nan = math.nan
    out: dict[str, object] = {"process": process, "method": method,
                              "scored": f"{len(sc.hit80)}/{n_series}", "no fit": sc.no_fit,
                              "errors": len(sc.errors) + len(sc.bugs),
                              "non-finite": sc.nonfinite}
    if sc.hit80:
        h80, h95 = np.array(sc.hit80), np.array(sc.hit95)
        im, io = np.array(sc.is95), np.array(sc.is95_oracle)
        tails = np.array(sc.tails)
        out.update({
            "cov80": h80.mean(), "cov80 h=1..6": " ".join(f"{v:.2f}" for v in h80.mean(0)),
            "cov80 lowest h": h80.mean(0).min(), "cov95": h95.mean(),
            "cov95 lowest h": h95.mean(0).min(),
            "MSIS/oracle": im.mean() / io.mean(), "MSIS/oracle h=6": im[:, -1].mean()
            / io[:, -1].mean(),
            "P(y<median) h=6": np.array(sc.below)[:, -1].mean(),
            "tail median": float(np.median(tails)), "tail max": float(tails.max()),
            "tail >100x": int(np.sum(~(tails <= TAIL_LIMIT))),
        })
    else:
        out.update(dict.fromkeys(("cov80", "cov80 h=1..6", "cov80 lowest h", "cov95",
                                  "cov95 lowest h", "MSIS/oracle", "MSIS/oracle h=6",
                                  "P(y<median) h=6", "tail median", "tail max"), nan))
        out["tail >100x"] = 0
    out.update({"median at floor": sc.median_floor, "lower 80 at floor": sc.lower80_floor,
                "warned": sc.warned, "seconds": sc.seconds})
    return out


def fmt(col: str, v: object) -> str:
    """A table cell (the format follows the column's name)."""
    plain = plain_cell(v)
    if plain is not None:
        return plain
    v = float(v)  # type: ignore[arg-type]
    if "cov" in col or "P(" in col:
        return f"{v:.3f}"
    if "tail" in col:
        return f"{v:.3g}" if v < 1e6 else f"{v:.2e}"
    if col == "seconds":
        return f"{v:.1f}"
    return f"{v:.2f}" if abs(v) < 1e5 else f"{v:.2e}"


def markdown_table(rows: list[dict[str, object]],
                   bold: Callable[[dict], bool] | None = None) -> str:
    """A Markdown table of the rows (keys of the first row are the columns)."""
    return _markdown_table(rows, fmt, bold)


def summary_rows(rows: list[dict[str, object]], processes: list[str]) -> list[dict[str, object]]:
    """Per process: the oracle's coverage, Auto's scores, and the single family with the
    lowest MSIS/oracle (variants excluded)."""
    out = []
    for p in processes:
        mine = {r["method"]: r for r in rows if r["process"] == p}
        auto = mine.get("Auto()")
        fams = [r for m, r in mine.items() if m.endswith("()") and m[:-2] in FAMILIES[:-1]
                and not math.isnan(_num(r["MSIS/oracle"]))]
        best = min(fams, key=lambda r: r["MSIS/oracle"]) if fams else None
        s: dict[str, object] = {"process": p, "n": PROCESSES[p].n,
                                "oracle cov80": mine["oracle"]["cov80"]}
        if auto is not None:
            s.update({"Auto cov80": auto["cov80"], "Auto cov80 lowest h": auto["cov80 lowest h"],
                      "Auto cov95": auto["cov95"], "Auto MSIS/oracle": auto["MSIS/oracle"],
                      "Auto P(y<median) h=6": auto["P(y<median) h=6"],
                      "Auto tail max": auto["tail max"], "Auto tail >100x": auto["tail >100x"]})
        s["lowest MSIS/oracle of one family"] = (
            f"{best['method'][:-2]} {fmt('MSIS/oracle', best['MSIS/oracle'])}" if best else "n/a")
        out.append(s)
    return out


def _num(v: object) -> float:
    return float(v) if isinstance(v, int | float | np.floating) else math.nan


def notes(results: dict[tuple[str, str], Scores]) -> list[str]:
    failed = sum(len(sc.errors) + len(sc.bugs) + sc.nonfinite for sc in results.values())
    out = [] if failed else ["- no exception other than ModelError from fit (a series too "
                             "short for the family), and no non-finite forecast"]
    for (p, m), sc in results.items():
        for msg in sc.errors:
            out.append(f"- {p}, {m}: {msg}")
        for msg in sc.bugs:
            out.append(f"- **BUG** {p}, {m}: {msg}")
    kinds: dict[str, Counter] = {}
    for (_, m), sc in results.items():
        kinds.setdefault(m, Counter()).update(sc.warning_kinds)
    for m, c in kinds.items():
        if c:
            out.append(f"- {m} warned {sum(c.values())} times over all processes: "
                       + "; ".join(f"{k} ({v})" for k, v in c.most_common(3)))
    return out


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=SERIES, help="series per process")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--paths", type=int, default=PATHS, help="oracle paths per series")
    ap.add_argument("--processes", nargs="+", default=list(PROCESSES), choices=list(PROCESSES),
                    metavar="NAME", help="subset of " + ", ".join(PROCESSES))
    ap.add_argument("--families", nargs="+", default=[*FAMILIES, *VARIANTS],
                    choices=[*FAMILIES, *VARIANTS], metavar="NAME",
                    help=f"subset of {', '.join([*FAMILIES, *VARIANTS])} (Auto-log: "
                    "Auto(scale='log'), Drift-log: Drift(scale='log'))")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"Markdown output (default {OUT.relative_to(ROOT)} when every process "
                         "and method is run; a subset only prints unless --out is given)")
    args = ap.parse_args(argv)
    full = args.processes == list(PROCESSES) and args.families == [*FAMILIES, *VARIANTS]
    out = args.out if args.out is not None else (OUT if full else None)

    command = "python benchmarks/unseen.py " + " ".join(sys.argv[1:] if argv is None else argv)
    header = f"{machine_note()}; command: `{command.strip()}`"
    print(header)
    start = time.perf_counter()
    rows, results = [], {}
    for p in args.processes:
        t0 = time.perf_counter()
        draws = [draw(p, k, args.seed, args.paths) for k in range(args.series)]
        rows.append(row(p, "oracle", oracle_scores(draws), args.series))
        for m in args.families:
            sc = run_method(m, draws, p)
            results[(p, label(m))] = sc
            rows.append(row(p, label(m), sc, args.series))
        print(f"  {p}: done in {time.perf_counter() - t0:.1f} s", flush=True)
    seconds = time.perf_counter() - start

    se = math.sqrt(0.16 / args.series)
    procs = "\n".join(f"| {p} | {PROCESSES[p].n} | {PROCESSES[p].what} |" for p in args.processes)
    lines = [
        "# Series unlike M1: known processes (h = 6)",
        "",
        header,
        "",
        f"{args.series} series per process, seed {args.seed}, {args.paths:,} oracle paths per "
        f"series; {seconds:.0f} s in all. Every method is fitted with its defaults to the n "
        "observed years and forecast 6 years ahead; the truth and the oracle (the forecast "
        "distribution with the process and its parameters known) continue the same "
        "simulated state. Levels are 100 exp(log level) for the log-scale processes.",
        "",
        "| process | n | definition |",
        "|---|---|---|",
        procs,
        "",
        "## Auto by process",
        "",
        "`oracle cov80` checks the harness (0.80 up to simulation error: the binomial sd of a "
        f"coverage with one independent event per series is about {se:.3f}; the six horizons "
        "of a series are correlated). The last column is the single family (defaults, "
        "variants excluded) with the lowest MSIS/oracle.",
        "",
        markdown_table(summary_rows(rows, args.processes)),
        "",
        "## Every method",
        "",
        "cov80 / cov95: share of truths inside the 80% / 95% intervals over the six horizons "
        "(per horizon, and the lowest); MSIS/oracle: mean scaled interval score of the 95% "
        "interval over the oracle's on the same series (overall and at h = 6); P(y<median) "
        "h=6: share of truths below the six-year median; tail: 99.9th percentile of the "
        "six-year level over the last observation (median and max over series, and series "
        f"above {TAIL_LIMIT:g}x); median / lower 80 at floor: series where that quantile is "
        "the censoring floor at some horizon; warned: series on which fit or "
        "`forecast(6, levels=(80, 95))` warned; seconds: fit + forecasts. `no fit`: "
        "ModelError from fit (a series shorter than the family's minimum length).",
        "",
        markdown_table(rows, bold=lambda r: r["method"] == "Auto()"),
        "",
        "Notes:",
        "",
        *(notes(results) or ["- none"]),
        "",
    ]
    write_result(out, "\n".join(lines), echo=out is None)
    print(f"{seconds:.0f} s")


if __name__ == "__main__":
    main()
