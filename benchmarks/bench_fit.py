"""Speed of fit + 6-year forecast with intervals on the M1 yearly series, vs R and statsforecast.

Run from the repository root (writes ``benchmarks/results/bench_fit.md``)::

    python benchmarks/bench_fit.py [--rounds 5] [--no-r] [--no-statsforecast]
    python benchmarks/bench_fit.py --limit 3 --rounds 1      # quick check, prints only

In one run, on the same series (training parts of ``benchmarks/data/m1_yearly.csv``):

1. every family and ``Auto()`` through the public API: ``spec.fit(AnnualSeries)`` then
   ``fit.forecast(6, levels=(80, 95))``, the loop over all series timed ``--rounds`` times
   (families interleaved within a round, after one warm-up fit per family); and the same
   through ``forecast.fit_many(spec, series)`` (all series at once, batched by length),
   then each forecast;
2. R's forecast package: ``Rscript benchmarks/r_timing.R`` as a subprocess (ets, thetaf,
   rwf(drift=TRUE), naive, auto.arima, StructTS(type="trend"); fit + forecast(h=6,
   level=c(80, 95)); timed inside R, so R's start-up is excluded);
3. statsforecast, when installed (an optional, benchmark-only dependency):
   ``StatsForecast(models=[m], freq=1, n_jobs=1).forecast(df=..., h=6, level=[80, 95])``
   for each model separately, after a warm-up call on the first 3 series so that numba
   compilation is excluded;
4. the History fit on the embedded US data, ``forecast.Auto().fit(forecast.reconstruct(),
   seed=1)`` (20 history draws x 3 members), and its two parts.

Every process runs with single-threaded BLAS. Ratios are ours / theirs, of the minima and of
the medians over rounds measured in this run. Not run by pytest.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, THREAD_VARS, machine_note, write_result  # first: it pins the BLAS threads

# isort: split

import numpy as np
import pandas as pd
from accuracy import DATA, FAMILIES, LEVELS, Case, H, load_cases, make_spec, markdown_table

import forecast

OUT = ROOT / "benchmarks" / "results" / "bench_fit.md"
MANY = " many"  # key suffix: the family through forecast.fit_many
R_SCRIPT = ROOT / "benchmarks" / "r_timing.R"
R_PAIRS = {"Drift": "rwf_drift", "Naive": "naive", "DampedTrend": "ets", "Theta": "thetaf",
           "ARIMA": "auto.arima", "LocalLinearTrend": "StructTS", "Auto": "ets"}
SF_PAIRS = {"Auto": "AutoETS", "Theta": "AutoTheta", "Drift": "RandomWalkWithDrift",
            "ARIMA": "AutoARIMA", "DampedTrend": "AutoETS"}
R_LABELS = {"ets": "ets()", "thetaf": "thetaf()", "rwf_drift": "rwf(drift=TRUE)",
            "naive": "naive()", "auto.arima": "auto.arima()",
            "StructTS": "StructTS(type=\"trend\")"}


def stats(times: list[float]) -> tuple[float, float]:
    """(min, median) of a list of timings."""
    return min(times), statistics.median(times)


def time_family(spec, series: list[forecast.AnnualSeries]) -> tuple[float, int]:
    """Seconds for fit + forecast with intervals over all series, and the failures."""
    failed = 0
    t0 = time.perf_counter()
    for s in series:
        try:
            spec.fit(s).forecast(H, levels=LEVELS)
        except forecast.ForecastError:
            failed += 1
    return time.perf_counter() - t0, failed


def time_many(spec, series: list[forecast.AnnualSeries]) -> tuple[float, int]:
    """Seconds for ``forecast.fit_many`` over all series + each forecast, and the failures."""
    t0 = time.perf_counter()
    fits = forecast.fit_many(spec, series, errors="return")
    failed = 0
    for f in fits:
        if isinstance(f, forecast.ForecastError):
            failed += 1
        else:
            f.forecast(H, levels=LEVELS)
    return time.perf_counter() - t0, failed


def run_ours(families, cases: list[Case], rounds: int) -> dict[str, dict]:
    """Every family one series at a time (key: name) and through fit_many (name + MANY)."""
    series = [forecast.AnnualSeries(c.years, c.train, unit="x", name=c.id) for c in cases]
    specs = {f: make_spec(f) for f in families}
    for spec in specs.values():  # warm-up: imports, caches
        time_family(spec, series[:1])
        time_many(spec, series[:2])
    keys = [k for f in families for k in (f, f + MANY)]
    times: dict[str, list[float]] = {k: [] for k in keys}
    failed: dict[str, int] = {}
    for _ in range(rounds):
        for f, spec in specs.items():
            t, failed[f] = time_family(spec, series)
            times[f].append(t)
            t, failed[f + MANY] = time_many(spec, series)
            times[f + MANY].append(t)
    return {k: {"times": times[k], "failed": failed[k]} for k in keys}


def run_history(rounds: int) -> dict[str, list[float]]:
    """Timings of reconstruct(), Auto().fit(history, seed=1) and the two together."""
    history = forecast.reconstruct()
    forecast.Auto().fit(history, seed=1)  # warm-up
    out: dict[str, list[float]] = {"reconstruct": [], "fit": [], "both": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        h = forecast.reconstruct()
        t1 = time.perf_counter()
        forecast.Auto().fit(h, seed=1)
        t2 = time.perf_counter()
        out["reconstruct"].append(t1 - t0)
        out["fit"].append(t2 - t1)
        out["both"].append(t2 - t0)
    fit = forecast.Auto().fit(history, seed=1)
    out["members"] = [float(len(fit.components))]  # type: ignore[list-item]
    return out


def run_r(data: Path, rounds: int, limit: int | None) -> tuple[dict[str, dict], str]:
    """Run r_timing.R; returns ({method: {min, median, failed}}, note)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {}, "R: Rscript not found; R rows skipped."
    cmd = [rscript, str(R_SCRIPT), str(data), str(rounds)]
    if limit is not None:
        cmd.append(str(limit))
    env = {**os.environ, **dict.fromkeys(THREAD_VARS, "1")}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {}, f"R: r_timing.R failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
    comments = [ln.lstrip("# ") for ln in proc.stdout.splitlines() if ln.startswith("#")]
    body = "\n".join(ln for ln in proc.stdout.splitlines() if not ln.startswith("#"))
    res = {r["method"]: {"min": float(r["min_s"]), "median": float(r["median_s"]),
                         "failed": int(r["n_failed"])}
           for r in csv.DictReader(io.StringIO(body))}
    return res, "; ".join(comments) + f" (subprocess wall time {wall:.1f} s)"


def run_statsforecast(cases: list[Case], rounds: int) -> tuple[dict[str, dict], str]:
    """Time each statsforecast model separately after a warm-up; {} when not installed."""
    try:
        import statsforecast
        from statsforecast import StatsForecast
        from statsforecast.models import (
            AutoARIMA,
            AutoETS,
            AutoTheta,
            Naive,
            RandomWalkWithDrift,
        )
    except ImportError:
        return {}, "statsforecast: not installed; its rows skipped."
    df = pd.concat([pd.DataFrame({"unique_id": c.id, "ds": np.arange(1, len(c.train) + 1),
                                  "y": c.train}) for c in cases], ignore_index=True)
    first = df[df["unique_id"].isin([c.id for c in cases[:3]])]
    makers = {"AutoETS": lambda: AutoETS(season_length=1),
              "AutoTheta": lambda: AutoTheta(season_length=1),
              "RandomWalkWithDrift": RandomWalkWithDrift, "Naive": Naive,
              "AutoARIMA": lambda: AutoARIMA(season_length=1)}

    def call(name: str, frame: pd.DataFrame) -> None:
        StatsForecast(models=[makers[name]()], freq=1, n_jobs=1).forecast(
            df=frame, h=H, level=list(LEVELS))

    errors = {}
    for name in makers:  # warm-up: numba compilation and imports, not timed
        try:
            call(name, first)
        except Exception as exc:  # report, do not hide
            errors[name] = f"{type(exc).__name__}: {exc}"
    times: dict[str, list[float]] = {n: [] for n in makers if n not in errors}
    for _ in range(rounds):
        for name in times:
            t0 = time.perf_counter()
            call(name, df)
            times[name].append(time.perf_counter() - t0)
    res = {n: {"min": min(t), "median": statistics.median(t), "failed": 0}
           for n, t in times.items()}
    note = (f"statsforecast {statsforecast.__version__}, n_jobs=1; one warm-up call per model "
            "on the first 3 series before timing (numba compilation excluded)")
    if errors:
        note += "; errors: " + "; ".join(f"{k}: {v}" for k, v in errors.items())
    return res, note


def fmt(v: float, digits: int = 3) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.{digits}f}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (>= 3 for reports)")
    ap.add_argument("--limit", type=int, default=None, help="first N series only")
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES,
                    metavar="NAME")
    ap.add_argument("--no-r", action="store_true", help="skip R")
    ap.add_argument("--no-statsforecast", action="store_true", help="skip statsforecast")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"Markdown output (default {OUT.relative_to(ROOT)} for a full run; "
                         "a --limit run only prints unless --out is given)")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args(argv)
    out = args.out if args.out is not None else (OUT if args.limit is None else None)

    cases = load_cases(args.data, args.limit)
    n = len(cases)
    command = "python benchmarks/bench_fit.py " + " ".join(sys.argv[1:] if argv is None else argv)
    header = f"{machine_note()}; command: `{command.strip()}`"
    print(header, flush=True)

    ours = run_ours(args.families, cases, args.rounds)
    print("  ours done", flush=True)
    hist = run_history(args.rounds)
    print("  history fit done", flush=True)
    r, r_note = ({}, "R: skipped (--no-r)") if args.no_r else run_r(args.data, args.rounds,
                                                                      args.limit)
    print("  R done", flush=True)
    sf, sf_note = (({}, "statsforecast: skipped (--no-statsforecast)")
                   if args.no_statsforecast else run_statsforecast(cases, args.rounds))
    print("  statsforecast done", flush=True)

    rows = []
    for label, d, failed in (
        *((f"forecast.{f}()", ours[f]["times"], ours[f]["failed"]) for f in args.families),
        *((f"forecast.fit_many({f}(), series)", ours[f + MANY]["times"],
           ours[f + MANY]["failed"]) for f in args.families),
        *((f"R {R_LABELS.get(k, k)}", v, v["failed"]) for k, v in r.items()),
        *((f"statsforecast {k}", v, v["failed"]) for k, v in sf.items()),
    ):
        lo, med = stats(d) if isinstance(d, list) else (d["min"], d["median"])
        rows.append({"method": label, "s/set min": fmt(lo), "s/set median": fmt(med),
                     "ms/series min": fmt(1e3 * lo / n, 2),
                     "ms/series median": fmt(1e3 * med / n, 2), "failed": str(failed)})

    ratio_rows = []
    for theirs, pairs, tag in ((r, R_PAIRS, "R"), (sf, SF_PAIRS, "statsforecast")):
        # each family one series at a time, then through fit_many (all series at once)
        pairs = [*pairs.items(), *((f + MANY, o) for f, o in pairs.items())]
        for f, other in pairs:
            if f not in ours or other not in theirs:
                continue
            lo, med = stats(ours[f]["times"])
            o = theirs[other]
            label = R_LABELS.get(other, other) if tag == "R" else other
            name = f"fit_many({f.removesuffix(MANY)}())" if f.endswith(MANY) else f"{f}()"
            ratio_rows.append({"ours": name, "vs": f"{tag} {label}",
                               "ours min/median s": f"{lo:.3f} / {med:.3f}",
                               "theirs min/median s": f"{o['min']:.3f} / {o['median']:.3f}",
                               "ratio of min": fmt(lo / o["min"], 2) if o["min"] > 0 else "n/a",
                               "ratio of median": (fmt(med / o["median"], 2)
                                                   if o["median"] > 0 else "n/a")})

    hlo, hmed = stats(hist["both"])
    members = int(hist["members"][0])
    hist_rows = [{"step": "forecast.reconstruct()", "s min": fmt(min(hist["reconstruct"])),
                  "s median": fmt(statistics.median(hist["reconstruct"]))},
                 {"step": f"forecast.Auto().fit(history, seed=1) ({members} members)",
                  "s min": fmt(min(hist["fit"])),
                  "s median": fmt(statistics.median(hist["fit"]))},
                 {"step": "both: Auto().fit(reconstruct(), seed=1)", "s min": fmt(hlo),
                  "s median": fmt(hmed)}]

    lines = [
        "# Fit + forecast speed on the M1 yearly series",
        "",
        header,
        "",
        f"{n} series; fit + forecast(h=6) with 80/95% intervals per series; {args.rounds} "
        "rounds; min and median over rounds, all measured in this run; ms/series = "
        "seconds over the set / number of series; failed = series that raised (ours: "
        "ForecastError) in the last round.",
        "",
        markdown_table(rows),
        "",
        "Ratios (ours / theirs; below 1 means ours is faster):",
        "",
        markdown_table(ratio_rows) if ratio_rows else "(no counterpart measured)",
        "",
        f"History fit on the embedded US data ({args.rounds} rounds, after one warm-up fit):",
        "",
        markdown_table(hist_rows),
        "",
        f"- {r_note}",
        f"- {sf_note}",
        "",
    ]
    write_result(out, "\n".join(lines))


if __name__ == "__main__":
    main()
