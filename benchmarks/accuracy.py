"""Interval and point accuracy of every model family on the M1 yearly series, h = 6.

Run from the repository root (a few minutes; writes ``benchmarks/results/accuracy.md``)::

    python benchmarks/accuracy.py
    python benchmarks/accuracy.py --limit 3 --rounds 1        # quick check, prints only

Each family (and ``Auto()``) is fitted with its defaults to the training part of every
series through the public API only (``spec.fit(AnnualSeries)``, ``fit.forecast(6,
levels=(80, 95))``, ``fit.simulate``) and scored on the 6 test values:

* coverage of the 80% and 95% intervals;
* MSIS as in the M4 competition (alpha = 0.05): mean over h of (U - L) + 40 (L - y) 1{y < L}
  + 40 (y - U) 1{y > U}, divided by the in-sample mean absolute first difference of the
  training part; mean and median over series;
* sMAPE and MASE of the *median* forecast (same scale as MSIS);
* seconds: wall time of fit + forecast with intervals, summed over the set (min over
  ``--rounds`` passes);
* failures: ``ModelError`` from ``fit`` (the family is scored on the other series and the
  row says how many it skipped), other ``ForecastError`` (listed), any other exception
  (listed as a BUG, never hidden), forecasts with a non-finite median or bound (counted,
  not scored);
* tail: per series, the 99.9th percentile of the 6-step-ahead level from
  ``fit.simulate(6, --paths, seed=<series number>)`` over the last training value; the
  table gives the max over series and the number of series above 100x.

R's rows come from ``benchmarks/results/r_accuracy.csv``, written by
``Rscript benchmarks/r_accuracy.R`` (committed beside it). The data are used to develop and
report, not to tune constants (``benchmarks/data/README.md``). Not run by pytest; the
scoring functions below are pure and importable.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
import warnings
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
import pandas as pd

import forecast

DATA = ROOT / "benchmarks" / "data" / "m1_yearly.csv"
R_CSV = ROOT / "benchmarks" / "results" / "r_accuracy.csv"
OUT = ROOT / "benchmarks" / "results" / "accuracy.md"
H = 6
LEVELS = (80, 95)
FAMILIES = ("Naive", "Drift", "LogLinearTrend", "DampedTrend", "ARIMA", "LocalLinearTrend",
            "Theta", "Auto")
#: other settings of a family, scored beside the defaults: name -> (family, arguments)
VARIANTS = {"Auto-mean": ("Auto", {"center": "mean"})}
TAIL_Q = 0.999
TAIL_LIMIT = 100.0


# ---------------------------------------------------------------------------- scores
def in_sample_scale(train: np.ndarray) -> float:
    """Mean absolute first difference of the training values (the MASE/MSIS scale).

    Parameters
    ----------
    train : array_like, shape (n,)
        Training values, n >= 2.

    Returns
    -------
    float
        ``mean(|train[t] - train[t-1]|)``; 0 for a constant series (scores are then inf).

    Examples
    --------
    >>> in_sample_scale([1.0, 3.0, 2.0])
    1.5
    """
    x = np.asarray(train, dtype=float)
    return float(np.mean(np.abs(np.diff(x))))


def coverage(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of the observations inside their closed interval ``[lower, upper]``.

    Parameters
    ----------
    y, lower, upper : array_like, shape (h,)
        Observations and interval bounds, one per horizon.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> coverage([1.0, 5.0], [0.0, 0.0], [2.0, 4.0])
    0.5
    """
    y, lo, hi = (np.asarray(a, dtype=float) for a in (y, lower, upper))
    return float(np.mean((y >= lo) & (y <= hi)))


def msis(y: np.ndarray, lower: np.ndarray, upper: np.ndarray, scale: float,
         alpha: float = 0.05) -> float:
    """Mean scaled interval score of the M4 competition.

    Parameters
    ----------
    y, lower, upper : array_like, shape (h,)
        Observations and the bounds of the central ``1 - alpha`` interval.
    scale : float
        In-sample mean absolute first difference (:func:`in_sample_scale`).
    alpha : float, default 0.05
        One minus the interval's nominal coverage.

    Returns
    -------
    float
        ``mean((U - L) + 2/alpha (L - y) 1{y < L} + 2/alpha (y - U) 1{y > U}) / scale``.

    Examples
    --------
    >>> msis([1.0, 5.0], [0.0, 0.0], [2.0, 4.0], scale=1.0)
    23.0
    """
    y, lo, hi = (np.asarray(a, dtype=float) for a in (y, lower, upper))
    k = 2.0 / alpha
    score = (hi - lo) + k * (lo - y) * (y < lo) + k * (y - hi) * (y > hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(score) / scale)


def smape(y: np.ndarray, f: np.ndarray) -> float:
    """Symmetric mean absolute percentage error, in percent (0 to 200).

    Parameters
    ----------
    y, f : array_like, shape (h,)
        Observations and point forecasts.

    Returns
    -------
    float
        ``mean(200 |y - f| / (|y| + |f|))``.

    Examples
    --------
    >>> smape([100.0, 100.0], [100.0, 300.0])
    50.0
    """
    y, f = np.asarray(y, dtype=float), np.asarray(f, dtype=float)
    return float(np.mean(200.0 * np.abs(y - f) / (np.abs(y) + np.abs(f))))


def mase(y: np.ndarray, f: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error (non-seasonal: scaled by the in-sample first differences).

    Parameters
    ----------
    y, f : array_like, shape (h,)
        Observations and point forecasts.
    scale : float
        In-sample mean absolute first difference (:func:`in_sample_scale`).

    Returns
    -------
    float
        ``mean(|y - f|) / scale``.

    Examples
    --------
    >>> mase([1.0, 2.0], [2.0, 4.0], scale=2.0)
    0.75
    """
    y, f = np.asarray(y, dtype=float), np.asarray(f, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(np.abs(y - f)) / scale)


def tail_ratio(log_paths: np.ndarray, last: float, q: float = TAIL_Q) -> float:
    """Upper quantile of the simulated final-year level over the last observation.

    Parameters
    ----------
    log_paths : ndarray, shape (n_paths, h)
        Simulated log levels (``fit.simulate``); the last column is used.
    last : float
        Last observed level (positive).
    q : float, default 0.999
        Probability of the quantile.

    Returns
    -------
    float
        ``quantile(exp(log_paths[:, -1]), q) / last``, computed as an order statistic
        (``method="inverted_cdf"``) on the log scale, where it cannot overflow; exp is
        monotone, so this is the same order statistic of the level. NaN if any path is NaN.

    Examples
    --------
    >>> tail_ratio(np.log([[1.0], [2.0], [4.0]]), last=2.0, q=1.0)
    2.0
    """
    x = np.asarray(log_paths, dtype=float)[:, -1]
    if np.isnan(x).any():
        return math.nan
    with np.errstate(over="ignore"):
        return float(np.exp(np.quantile(x, q, method="inverted_cdf") - math.log(last)))


def score_series(y: np.ndarray, train: np.ndarray, frame: pd.DataFrame) -> dict[str, float]:
    """All scores of one series from a forecast frame (``fit.forecast(h, levels=(80, 95))``).

    Parameters
    ----------
    y : array_like, shape (h,)
        Test values.
    train : array_like
        Training values (for the scale).
    frame : DataFrame
        Columns ``median, lower_80, upper_80, lower_95, upper_95``, h rows.

    Returns
    -------
    dict
        ``cov80, cov95, msis, smape, mase`` (sMAPE and MASE of the median).
    """
    scale = in_sample_scale(train)
    med = frame["median"].to_numpy(float)
    return {
        "cov80": coverage(y, frame["lower_80"], frame["upper_80"]),
        "cov95": coverage(y, frame["lower_95"], frame["upper_95"]),
        "msis": msis(y, frame["lower_95"], frame["upper_95"], scale),
        "smape": smape(y, med),
        "mase": mase(y, med, scale),
    }


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Case:
    """One benchmark series: its id, training years and values, and test values."""

    id: str
    years: np.ndarray
    train: np.ndarray
    test: np.ndarray


def load_cases(path: Path | str = DATA, limit: int | None = None) -> list[Case]:
    """Read the benchmark CSV (id, year, value, part) into cases, in file order.

    Years that are not consecutive calendar ints are renumbered from 2000 (M1 years are a
    competition index, not necessarily calendar years).
    """
    d = pd.read_csv(path)
    ids = list(dict.fromkeys(d["id"]))[:limit]
    cases = []
    for sid, g in d.groupby("id", sort=False):
        if sid not in ids:
            continue
        g = g.sort_values("year")
        tr = g[g["part"] == "train"]
        years = tr["year"].to_numpy()
        if (years.dtype.kind not in "iu" or not np.all(np.diff(years) == 1)
                or years.min() < 1800 or years.max() > 2200):
            years = np.arange(2000, 2000 + len(tr))
        cases.append(Case(str(sid), years.astype(np.int64), tr["value"].to_numpy(float),
                          g.loc[g["part"] == "test", "value"].to_numpy(float)))
    return cases


def make_spec(name: str):
    """The spec of a family or variant, by name (``"Auto"`` is ``forecast.Auto()``)."""
    family, kwargs = VARIANTS.get(name, (name, {}))
    return getattr(forecast, family)(**kwargs)


def label(name: str) -> str:
    """How a family or variant is shown: ``forecast.Auto(center="mean")``."""
    family, kwargs = VARIANTS.get(name, (name, {}))
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"forecast.{family}({args})"


# ---------------------------------------------------------------------------- running
@dataclass
class FamilyResult:
    name: str
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    no_fit: list[str] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # ForecastError
    bugs: list[tuple[str, str, str]] = field(default_factory=list)  # anything else
    nonfinite: list[str] = field(default_factory=list)
    inf_mean: list[str] = field(default_factory=list)
    tails: dict[str, float] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    n_warnings: int = 0
    warning_kinds: set[str] = field(default_factory=set)


def _fit_forecast(spec, case: Case):
    """Fit and forecast one case; returns (fit, frame) or raises."""
    s = forecast.AnnualSeries(case.years, case.train, unit="x", name=case.id)
    fit = spec.fit(s)
    return fit, fit.forecast(H, levels=LEVELS)


def _record_error(res: FamilyResult, sid: str, stage: str, exc: BaseException) -> None:
    msg = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:300]
    if isinstance(exc, forecast.ForecastError):
        res.errors.append((sid, stage, msg))
    else:
        res.bugs.append((sid, stage, msg))


def run_family(name: str, cases: list[Case], n_paths: int, rounds: int = 1) -> FamilyResult:
    """Fit, forecast and score one family on every case (see the module docstring)."""
    res = FamilyResult(name)
    spec = make_spec(name)
    cols = ["median", "lower_80", "upper_80", "lower_95", "upper_95"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        total = 0.0
        fits = {}
        for case in cases:
            t0 = time.perf_counter()
            stage = "fit"
            try:
                fit = spec.fit(forecast.AnnualSeries(case.years, case.train, unit="x",
                                                     name=case.id))
                stage = "forecast"
                frame = fit.forecast(H, levels=LEVELS)
            except forecast.ModelError as exc:
                total += time.perf_counter() - t0
                if stage == "fit":  # could not fit: scored on the other series
                    res.no_fit.append(case.id)
                else:
                    _record_error(res, case.id, stage, exc)
                continue
            except Exception as exc:  # a bug unless it is a ForecastError: record, never hide
                total += time.perf_counter() - t0
                _record_error(res, case.id, stage, exc)
                continue
            total += time.perf_counter() - t0
            fits[case.id] = fit
            vals = frame[cols].to_numpy(float)
            if not np.all(np.isfinite(frame["mean"].to_numpy(float))):
                res.inf_mean.append(case.id)
            if not np.all(np.isfinite(vals)):
                res.nonfinite.append(case.id)
            else:
                res.scores[case.id] = score_series(case.test, case.train, frame)
        res.seconds.append(total)
        for _ in range(rounds - 1):  # timing only
            t0 = time.perf_counter()
            for case in cases:
                with contextlib.suppress(Exception):  # failures were recorded in pass 1
                    _fit_forecast(spec, case)
            res.seconds.append(time.perf_counter() - t0)
        for k, case in enumerate(cases):
            if case.id not in fits:
                continue
            try:
                paths = fits[case.id].simulate(H, n_paths, seed=k)
            except Exception as exc:
                _record_error(res, case.id, "simulate", exc)
                continue
            res.tails[case.id] = tail_ratio(paths, case.train[-1])
        res.n_warnings = len(caught)
        res.warning_kinds = {f"{w.category.__name__}: {str(w.message)[:80]}" for w in caught}
    return res


def summary_row(res: FamilyResult, n_cases: int) -> dict[str, object]:
    """Aggregate one family's per-series scores into a table row."""
    sc = pd.DataFrame.from_dict(res.scores, orient="index")
    tails = np.array(list(res.tails.values()), dtype=float)
    nan = math.nan
    row: dict[str, object] = {
        "method": label(res.name),
        "scored": f"{len(res.scores)}/{n_cases}",
        "no fit": len(res.no_fit),
        "errors": len(res.errors) + len(res.bugs),
        "non-finite": len(res.nonfinite),
    }
    if len(sc):
        row.update({"cov80": sc["cov80"].mean(), "cov95": sc["cov95"].mean(),
                    "MSIS mean": sc["msis"].mean(), "MSIS median": sc["msis"].median(),
                    "sMAPE": sc["smape"].mean(), "MASE": sc["mase"].mean()})
    else:
        row.update(dict.fromkeys(("cov80", "cov95", "MSIS mean", "MSIS median", "sMAPE",
                                  "MASE"), nan))
    row["seconds"] = min(res.seconds)
    if tails.size:
        row["tail max"] = float(np.nanmax(tails)) if not np.all(np.isnan(tails)) else nan
        row["tail >100x"] = int(np.sum(~(tails <= TAIL_LIMIT)))  # NaN counts as exceeding
    else:
        row["tail max"], row["tail >100x"] = nan, 0
    return row


def r_rows(path: Path) -> tuple[list[dict[str, object]], str]:
    """Rows of R's forecast package from the CSV of ``benchmarks/r_accuracy.R``."""
    if not path.exists():
        return [], f"R rows: {path} not found (run `Rscript benchmarks/r_accuracy.R`)."
    with open(path, encoding="utf-8") as fh:
        first = fh.readline().strip()
    note = first.lstrip("# ") if first.startswith("#") else ""
    d = pd.read_csv(path, comment="#")
    rows = []
    for r in d.itertuples(index=False):
        n_fail = int(getattr(r, "n_failed", 0))
        n_ok = int(getattr(r, "n_scored", 0))
        rows.append({
            "method": f"R {r.method}", "scored": f"{n_ok}/{n_ok + n_fail}", "no fit": n_fail,
            "errors": "", "non-finite": "", "cov80": r.cov80, "cov95": r.cov95,
            "MSIS mean": r.msis_mean, "MSIS median": r.msis_median, "sMAPE": r.smape,
            "MASE": r.mase, "seconds": r.seconds, "tail max": "", "tail >100x": "",
        })
    return rows, note


# ---------------------------------------------------------------------------- output
def _fmt(col: str, v: object) -> str:
    plain = plain_cell(v)
    if plain is not None:
        return plain
    v = float(v)  # type: ignore[arg-type]
    if math.isinf(v):
        return "inf"
    if col.startswith("cov"):
        return f"{v:.3f}"
    if col == "tail max":
        return f"{v:.3g}" if v < 1e6 else f"{v:.2e}"
    return f"{v:.2f}" if abs(v) < 1e5 else f"{v:.2e}"


def markdown_table(rows: list[dict[str, object]]) -> str:
    """A Markdown table of the rows (keys of the first row are the columns)."""
    return _markdown_table(rows, _fmt)


def _ids(items, n: int = 12) -> str:
    items = list(items)
    more = f" ... (+{len(items) - n})" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def notes(results: list[FamilyResult]) -> list[str]:
    out = []
    for res in results:
        if res.no_fit:
            out.append(f"- {res.name}: ModelError (could not fit) on {len(res.no_fit)}: "
                       f"{_ids(res.no_fit)}")
        if res.nonfinite:
            out.append(f"- {res.name}: non-finite median or bound on {len(res.nonfinite)}: "
                       f"{_ids(res.nonfinite)} (not scored)")
        if res.inf_mean:
            out.append(f"- {res.name}: non-finite `mean` column (not scored; median is) on "
                       f"{len(res.inf_mean)}: {_ids(res.inf_mean)}")
        for sid, stage, msg in res.errors:
            out.append(f"- {res.name}: {sid} {stage}: {msg}")
        for sid, stage, msg in res.bugs:
            out.append(f"- **BUG** {res.name}: {sid} {stage}: {msg}")
        if res.tails:
            worst = max(res.tails, key=lambda k: -math.inf if math.isnan(res.tails[k])
                        else res.tails[k])
            over = [k + (" (NaN)" if math.isnan(v) else "") for k, v in res.tails.items()
                    if not v <= TAIL_LIMIT]
            out.append(f"- {res.name}: largest tail ratio {_fmt('tail max', res.tails[worst])}"
                       f" on {worst}" + (f"; above {TAIL_LIMIT:g}x: {_ids(over)}" if over
                                         else ""))
        if res.n_warnings:
            out.append(f"- {res.name}: {res.n_warnings} warnings: "
                       + "; ".join(sorted(res.warning_kinds)[:3]))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=[*FAMILIES, *VARIANTS],
                    choices=[*FAMILIES, *VARIANTS], metavar="NAME",
                    help=f"subset of {', '.join([*FAMILIES, *VARIANTS])} (Auto-mean: "
                    "Auto(center='mean'))")
    ap.add_argument("--limit", type=int, default=None, help="first N series only")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"Markdown output (default {OUT.relative_to(ROOT)} for a full run; "
                         "a --limit run only prints unless --out is given)")
    ap.add_argument("--paths", type=int, default=20_000, help="paths for the tail check")
    ap.add_argument("--rounds", type=int, default=1,
                    help="timing passes of fit + forecast (seconds = min)")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--r-csv", type=Path, default=R_CSV)
    args = ap.parse_args(argv)
    out = args.out if args.out is not None else (OUT if args.limit is None else None)

    cases = load_cases(args.data, args.limit)
    forecast.Drift().fit(forecast.AnnualSeries(cases[0].years, cases[0].train))  # warm imports
    command = "python benchmarks/accuracy.py " + " ".join(sys.argv[1:] if argv is None else argv)
    header = f"{machine_note()}; command: `{command.strip()}`"
    print(header)
    results, rows = [], []
    for name in args.families:
        t0 = time.perf_counter()
        res = run_family(name, cases, args.paths, args.rounds)
        results.append(res)
        rows.append(summary_row(res, len(cases)))
        print(f"  {name}: done in {time.perf_counter() - t0:.1f} s", flush=True)
    rr, r_note = r_rows(args.r_csv)
    rows += rr
    table = markdown_table(rows)
    lines = [
        "# Accuracy on the M1 yearly series (h = 6)",
        "",
        header,
        "",
        f"{len(cases)} series; intervals 80/95%; MSIS at alpha = 0.05 scaled by the in-sample "
        "mean absolute first difference; sMAPE and MASE of the median forecast (R: of its "
        "point forecast); seconds = fit + forecast with intervals over the set (wall time, "
        f"min of {args.rounds} pass(es)); tail = 99.9th percentile of the 6-step-ahead level "
        f"from `fit.simulate(6, {args.paths:,}, seed=k)` over the last training value (max "
        f"over series, and number of series above {TAIL_LIMIT:g}x). `scored` excludes "
        "series the family could not fit (`no fit`: ModelError), `errors` (any other "
        "exception, listed in the notes; **BUG** when not a ForecastError) and `non-finite` "
        "forecasts (a non-finite median or bound).",
        "",
        table,
        "",
        f"R rows: {r_note or args.r_csv}"
        + (" (R rows are over the full set, ours over the --limit subset)"
           if args.limit is not None else ""),
        "",
        "Notes:",
        "",
        *(notes(results) or ["- none"]),
        "",
    ]
    write_result(out, "\n".join(lines))


if __name__ == "__main__":
    main()
