"""Backtests: how well would a model have forecast the series, from what was known then?

Two designs:

- **Rolling origin** on an :class:`~forecast.series.AnnualSeries` or a
  :class:`~forecast.history.History`: at each origin year, fit on the years up to it,
  forecast ``horizon`` years, score against the series (a History's median: the latest
  reconstruction).
- **Pseudo-real-time** on :class:`~forecast.records.Records`: at each origin date
  (``"2016-06"``, a year meaning its end, a date, Timestamp or Period), keep only the
  records published by then (``records.filter(as_of=...)``), reconstruct the history
  from them, fit, forecast the years after the reconstructed history, and score twice:
  against the latest reconstruction from all records (``target="latest"``) and against
  the full-year figures published for those years (``target="published"``, converted
  to the history's currency with the exchange rate MOFCOM's own totals imply, else the
  annual average).

Each origin is seeded by a stream of ``SeedSequence(seed)`` keyed by its label, whose
two children seed the fit and the simulation (:func:`forecast._seeds.origin_seeds`), so
an origin's draws do not depend on which other origins run; tasks are
mapped over an optional executor, so results are bit-identical for serial, thread and
process executors. The same origin gets the same seeds for every model (common random
numbers across models in :func:`compare`).
Forecast years without a truth are not scored and do not appear in the frame.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._defaults import BACKTEST_PATHS
from .._keywords import checked_keywords
from .._optional import progress_bar
from .._seeds import SeedLike, as_seed_sequence, seed_parts
from .._validation import check_int, check_levels, check_unique, level_label, user_stacklevel
from ..errors import ForecastTypeError, ParameterError
from ..history import reconstruct
from ..models import Drift, Naive
from ..records import Records, load_exchange_rates
from ..records.schema import FLOWS, SEGMENTS, suggest
from . import metrics
from ._inputs import (
    MIN_TRAIN,
    _check_by,
    _check_reconstruct_kw,
    _check_spec,
    _kind,
    _records_origins,
    _series_origins,
)
from ._tasks import Task, map_tasks, min_length

if TYPE_CHECKING:
    from ..history import History
    from ..models import SpecLike
    from ..series import AnnualSeries

log = logging.getLogger("forecast")

__all__ = ["Naive", "backtest", "compare", "model_labels", "published_truth", "summarize"]


_POINT = ["model", "origin", "target", "year", "horizon", "truth", "mean", "median"]


def _levels_cols(levels: Sequence[float]) -> list[str]:
    cols = []
    for lv in levels:
        cols += [f"lower_{level_label(lv)}", f"upper_{level_label(lv)}"]
    return cols


def _metric_cols(levels: Sequence[float]) -> list[str]:
    return (["error", "ape", "scaled_error", "crps", "scaled_crps", "crps_log", "pit"]
            + [f"covered_{level_label(lv)}" for lv in levels]
            + [f"interval_score_{level_label(lv)}" for lv in levels])


@checked_keywords
def published_truth(records: Any, market: str, segment: str, flow: str,
                    currency: str, fx: Any = None) -> dict[int, float]:
    """Full-year published levels in bn of `currency`, by year (the "published" truth).

    Rows in the other currency are converted with ``fx.for_period(records, year)``
    (MOFCOM's implied rate when both totals exist, else the annual average); when a
    year has rows in both currencies, the rows in `currency` are used. Corroborating
    duplicates are averaged (they are identical by construction of Records). Years
    without a full-year published level are absent.

    Raises
    ------
    ParameterError
        When `market` is not in the records, or `segment`, `flow` or `currency` ("USD"
        or "CNY") is not a known value: a misspelling would otherwise give no truth.
    """
    if not isinstance(records, Records):
        raise ForecastTypeError(f"`records` must be Records; got {type(records).__name__}. "
                                "Pass forecast.load_releases() (the published figures).",
                                field="records")
    for name, value, allowed in (("market", market, records.markets), ("segment", segment,
                                 SEGMENTS), ("flow", flow, FLOWS), ("currency", currency,
                                                                    ("USD", "CNY"))):
        if not isinstance(value, str) or value not in allowed:
            hint = suggest(value, allowed) if isinstance(value, str) else ""
            raise ParameterError(f"`{name}` must be one of {', '.join(allowed)}; got "
                                 f"{value!r}.{hint} Pass one of those.", field=name)
    fx = load_exchange_rates() if fx is None else fx
    rows = records.filter(market=market, segment=segment, flow=flow, measure="level",
                          months=12).frame
    out: dict[int, float] = {}
    for year, grp in rows.groupby("year"):
        same = grp[grp["basis"] == currency]
        use = same if len(same) else grp
        vals = []
        for _, r in use.iterrows():
            v = float(r["value"]) / 10.0  # 1e8 -> bn
            basis = str(r["basis"])
            if basis != currency:
                rate = fx.for_period(records, int(year)).rate
                v = v / rate if currency == "USD" else v * rate
            vals.append(v)
        out[int(year)] = float(np.mean(vals))
    return out


# --------------------------------------------------------------------------- scoring
def _score(res: dict, truth: dict[int, float], model: str, origin: object, target: str,
           levels: Sequence[float]) -> list[dict]:
    s = res["samples"]
    h = s.shape[1]
    years = res["last_year"] + 1 + np.arange(h)
    keep = [j for j, y in enumerate(years) if int(y) in truth]
    named = [(lv, level_label(lv)) for lv in levels]  # each level's name, made once
    rows = []
    for j in keep:
        # a contiguous copy: numpy may take a different (last-bit different) SIMD path
        # for a strided column, and the samples' layout depends on how the run was made
        x = np.ascontiguousarray(s[:, j])
        y = truth[int(years[j])]
        med = float(np.median(x))
        row = {"model": model, "origin": origin, "target": target, "year": int(years[j]),
               "horizon": j + 1, "truth": y, "mean": float(x.mean()), "median": med}
        for lv, lab in named:
            lo, hi = metrics.interval_from_samples(x, lv)
            row[f"lower_{lab}"], row[f"upper_{lab}"] = float(lo), float(hi)
        row["error"] = med - y
        row["ape"] = 100.0 * abs(med - y) / abs(y)
        row["scaled_error"] = abs(med - y) / res["scale"]
        row["crps"] = metrics.crps_samples(y, x)
        row["scaled_crps"] = row["crps"] / res["scale"]
        row["crps_log"] = metrics.crps_samples(np.log(y), np.log(x))
        row["pit"] = float(metrics.pit(y, x))
        for lv, lab in named:
            lo, hi = row[f"lower_{lab}"], row[f"upper_{lab}"]
            row[f"covered_{lab}"] = bool(lo <= y <= hi)
            row[f"interval_score_{lab}"] = metrics.interval_score(y, lo, hi, lv)
        rows.append(row)
    return rows


def _run(specs: Sequence[Any], data: Any, origins: Any, horizon: int, n_paths: int,
         seed: Any, executor: Any, levels: tuple[float, ...], reconstruct_kw: dict,
         progress: bool = False) -> pd.DataFrame:
    horizon = check_int("horizon", horizon, 1, 50, "Pass e.g. horizon=5.")
    n_paths = check_int("n_paths", n_paths, 10, 10_000_000, "Pass e.g. n_paths=2000.")
    if executor is not None and not callable(getattr(executor, "map", None)):
        raise ForecastTypeError(f"`executor` must have a `.map(fn, iterable)` method; got "
                                f"{type(executor).__name__}. Pass a concurrent.futures "
                                "executor, client.get_executor() or None.")
    for spec in specs:
        _check_spec(spec)
    labels = model_labels(specs)
    root = as_seed_sequence(seed)
    kind = _kind(data)
    _check_reconstruct_kw(kind, data, reconstruct_kw)
    seeds = seed_parts(root)
    cut = None  # the models that set the first default origin, when others need fewer years
    if kind == "records":
        rk = dict(reconstruct_kw)
        latest = reconstruct(data, **rk).series
        truths = {"latest": dict(zip(latest.years.tolist(), latest.values.tolist(), strict=True)),
                  "published": published_truth(
                      data, rk.get("market", "US"), rk.get("segment", "all"),
                      rk.get("flow", "offshore_execution"), rk.get("currency", "USD"),
                      rk.get("fx"))}
        olist: list[object] = list(_records_origins(data, origins))
        # one task per origin: the reconstruction (the slow part) is shared by all specs
        tasks = [Task(tuple(specs), data.filter(as_of=o), o, horizon, n_paths, *seeds, rk)
                 for o in olist]
    else:
        series = data if kind == "series" else data.series
        target = "series" if kind == "series" else "latest"
        truths = {target: dict(zip(series.years.tolist(), series.values.tolist(), strict=True))}
        olist = list(_series_origins(series, max(min_length(s) for s in specs), origins))
        if origins is None:
            cut = _origin_cut(specs, labels, series)
        tasks = [Task((spec,), series.window(end=o), o, horizon, n_paths, *seeds)
                 for spec in specs for o in olist]
    log.info("backtest: %d fits (%d origins, %d models)", len(tasks), len(olist), len(specs))
    rows, skipped, unscored = _collect(specs, labels, tasks, executor, truths, levels,
                                       progress)
    warn_empty("backtest", skipped, unscored, truths)
    cols = _POINT + _levels_cols(levels) + _metric_cols(levels)
    frame = pd.DataFrame(rows, columns=cols)
    reached = int(frame["horizon"].max()) if len(frame) else 0
    if 0 < reached < horizon:  # years without a truth are left unscored, with a word
        truth = ("published truth" if kind == "records" else
                 f"truth (the data end in {max(max(t) for t in truths.values())})")
        why, fix = "", "Pass a smaller horizon or earlier origins."
        if cut is not None and min(horizon, cut[3]) > reached:  # the shared origins cut it
            who, need, first, reach = cut
            it = "it" if len(who) == 1 else "them"
            why = (f" The models share the origins, which start in {olist[0]} to give "
                   f"{' and '.join(who)} the {need} training years {it} need"
                   f"{'s' if len(who) == 1 else ''}; without {it} they would start in {first} "
                   f"and reach horizon {min(horizon, reach)}.")
            fix = f"Pass a smaller horizon or earlier origins, or leave {' and '.join(who)} out."
        warnings.warn(f"backtest scored horizons 1-{reached} only, not up to horizon="
                      f"{horizon}: no {truth} lies further ahead of any origin.{why} {fix}",
                      UserWarning, stacklevel=user_stacklevel())
    frame.attrs["skipped"] = skipped
    frame.attrs["unscored"] = [str(o) for o in unscored]
    return frame


def _origin_cut(specs: Sequence[Any], labels: list[str], series: Any
                ) -> tuple[list[str], int, int, int] | None:
    """The models whose minimum history sets the first default origin of a rolling-origin
    backtest while the others could start earlier: ``(their labels, the training years
    they need, the first origin without them, the horizon reached from it)``, else None.

    Every model is scored from the same origins, so one that needs a longer history
    (DampedTrend's 8 years) moves the first origin, and the longest horizon with a truth,
    for all of them.
    """
    need = {label: max(min_length(s), MIN_TRAIN) for s, label in zip(specs, labels,
                                                                     strict=True)}
    longest = max(need.values())
    rest = [n for n in need.values() if n < longest]
    if not rest:
        return None
    first = series.first_year + max(rest) - 1
    return ([lab for lab, n in need.items() if n == longest], longest, first,
            series.last_year - first)


@checked_keywords
def model_labels(specs: Sequence[Any]) -> list[str]:
    """The ``model`` column's label of each spec: its name, or where two specs share a
    name (``Drift()`` and ``Drift(scale='log')``), the call that makes each of them.

    Raises
    ------
    ParameterError
        For two identical specs (their calls are equal too).

    Examples
    --------
    >>> import forecast
    >>> model_labels([forecast.Drift(), forecast.Drift(scale="log"), forecast.Theta()])
    ['Drift()', "Drift(scale='log')", 'Theta']
    """
    names = [str(spec.name) for spec in specs]
    labels = [spec.call_text() if names.count(name) > 1 and callable(
                  getattr(spec, "call_text", None)) else name
              for spec, name in zip(specs, names, strict=True)]
    check_unique(labels, "models in a backtest",
                 "Drop the duplicate: the same model with the same settings gives the same "
                 "forecasts.", field="spec")
    return labels


def warn_empty(who: str, skipped: list, unscored: list, truths: dict) -> None:
    """Warn of skipped origins and of origins that scored nothing (`who`: the function's
    name): an empty or thinner frame never comes without a word."""
    if skipped:
        warnings.warn(f"{who} skipped " + "; ".join(map(str, skipped)) + " (listed in "
                      "frame.attrs['skipped'])", UserWarning, stacklevel=user_stacklevel())
    if unscored:  # e.g. an origin date after the last release: nothing to compare with
        last_truth = max((y for tr in truths.values() for y in tr), default=None)
        warnings.warn(f"{who} scored no forecast from origin(s) "
                      f"{', '.join(map(str, unscored))}: every year they forecast lies after "
                      f"the last year with a truth ({last_truth}). Pass earlier origins "
                      "(listed in frame.attrs['unscored']).", UserWarning,
                      stacklevel=user_stacklevel())


def _collect(specs, labels, tasks, executor, truths, levels, progress: bool):
    """Score every task's forecasts against each truth; rows model by model, and skips."""
    skipped: list[str] = []
    fitted: set[object] = set()
    scored: set[object] = set()
    label_of = {id(spec): label for spec, label in zip(specs, labels, strict=True)}
    by_label: dict[str, list[dict]] = {label: [] for label in labels}
    with progress_bar(progress, len(tasks), "backtest", "fit") as bar:
        for task, results in zip(tasks, map_tasks(tasks, executor), strict=True):
            for spec, res in zip(task.specs, results, strict=True):
                if isinstance(res, str):
                    skipped.append(res)
                    continue
                fitted.add(task.label)
                label = label_of[id(spec)]
                for target, truth in truths.items():
                    new = _score(res, truth, label, task.label, target, levels)
                    by_label[label] += new
                    if new:
                        scored.add(task.label)
            bar.update()
    rows = [row for label in labels for row in by_label[label]]  # origins in order
    unscored = [t.label for t in tasks if t.label in fitted and t.label not in scored]
    return rows, list(dict.fromkeys(skipped)), list(dict.fromkeys(unscored))


def backtest(
    spec: SpecLike | Sequence[SpecLike],
    data: AnnualSeries | History | Records,
    *,
    origins: Any = None,
    horizon: int = 5,
    n_paths: int = BACKTEST_PATHS,
    seed: SeedLike = None,
    executor: Any = None,
    levels: Sequence[float] = (80, 95),
    progress: bool = False,
    **reconstruct_kw: Any,
) -> pd.DataFrame:
    """Rolling-origin or pseudo-real-time backtest of a model (or several).

    Parameters
    ----------
    spec : ModelSpec or sequence of ModelSpec
        E.g. ``forecast.Auto()``. Several specs share the origins, the seeds and (for
        Records) the reconstructions, which are the slow part.
    data : AnnualSeries, History or Records
        A series or History gives a rolling-origin backtest; Records a pseudo-real-time
        one (see the module docstring).
    origins : int, str or sequence, optional
        Rolling origin: last training years (default: every year from the first with
        ``max(spec.min_length, 6)`` observations, the largest ``min_length`` of the
        specs, to the second-last). Pseudo-real-time:
        publication cut-off dates such as ``"2016-06"``, years (their end),
        ``datetime.date``, ``pd.Timestamp`` or ``pd.Period`` values (default: June of every
        year from 2013 to the year before the last publication); the ``origin`` column
        labels each cut-off ``"YYYY-MM"`` (a month's last day: ``2019`` is ``"2019-12"``)
        or ``"YYYY-MM-DD"`` however it was written, and a cut-off given twice runs once.
    horizon : int, default 5
        Years forecast at each origin; years without a truth are not scored (when no
        origin reaches `horizon` years ahead, a UserWarning names the horizons scored).
    n_paths : int, default 2000
        Simulated paths per forecast.
    seed : int, Generator, SeedSequence or None
        Each origin is seeded by a stream of ``SeedSequence(seed)`` keyed by its label
        (``"origin 2016"``, ``"origin 2016-06"``), the same for every model.
    executor : object with ``.map``, optional
        E.g. a ``concurrent.futures`` executor; results do not depend on it.
    levels : sequence of float, default (80, 95)
        Central interval levels in percent.
    progress : bool, default False
        Show a tqdm progress bar over the fits (the ``progress`` extra).
    **reconstruct_kw
        For Records: keyword arguments of :func:`forecast.reconstruct` (``market``,
        ``flow``, ``segment``, ``currency``, ``fx``...). Any other keyword (a misspelt
        ``horizn=3``) raises ForecastTypeError, never silently ignored.

    Returns
    -------
    DataFrame
        One row per model, origin, target and forecast year with a truth: ``model``
        (the spec's name; where two specs share one, their calls: see
        :func:`model_labels`), ``origin, target`` ("series", "latest" or "published"),
        ``year, horizon, truth,
        mean, median``, ``lower_<L>, upper_<L>`` per level, ``error`` (median - truth),
        ``ape`` (percent), ``scaled_error`` (|error| / in-sample naive MAE: MASE terms),
        ``crps`` (level units), ``scaled_crps`` (crps / naive MAE), ``crps_log`` (CRPS of
        the log level), ``pit``, ``covered_<L>``, ``interval_score_<L>``.
        Summarise it with :func:`summarize`.

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(12)]
    >>> s = forecast.AnnualSeries(range(2010, 2022), values)
    >>> bt = backtest(Naive(), s, origins=[2018, 2019], horizon=2, n_paths=200, seed=1)
    >>> bt[["origin", "year", "horizon"]].values.tolist()
    [[2018, 2019, 1], [2018, 2020, 2], [2019, 2020, 1], [2019, 2021, 2]]
    """
    lv = check_levels("levels", levels)
    specs = list(spec) if isinstance(spec, Sequence) and not isinstance(spec, str) else [spec]
    if not specs:
        raise ParameterError("`spec` must be a model spec or a non-empty sequence of them; got "
                             "an empty sequence. Pass e.g. forecast.Auto().")
    return _run(specs, data, origins, horizon, n_paths, seed, executor, lv, reconstruct_kw,
                progress)


@checked_keywords
def summarize(frame: pd.DataFrame, by: Sequence[str] | str | None = ("model", "target", "horizon"),
              ) -> pd.DataFrame:
    """Average the per-forecast metrics of a backtest frame by `by`.

    Parameters
    ----------
    frame : DataFrame
        The output of :func:`backtest` (or :func:`~forecast.evaluation.backtest_markets`).
    by : sequence of str, str or None, default ("model", "target", "horizon")
        Columns to group by: one name, several, ``()`` for one overall row, or None for
        the default grouping (``model, target, horizon``).

    Returns
    -------
    DataFrame
        `by` columns, then ``n, mae, mape, smape, mase, crps, scaled_crps, crps_log,
        mean_pit``, ``coverage_<L>`` and ``interval_score_<L>`` per level in the frame.

    Raises
    ------
    ForecastTypeError
        For a `frame` that is not a backtest frame, or a `by` that is not a column name,
        a sequence of them or None.
    ParameterError
        For a name in `by` that is not a column of `frame`.
    """
    if not isinstance(frame, pd.DataFrame) or "scaled_error" not in frame.columns:
        raise ForecastTypeError("`frame` must be a backtest() frame; got "
                                f"{type(frame).__name__}. Pass the output of backtest().")
    by = _check_by(by)
    missing = [b for b in by if b not in frame.columns]
    if missing:
        hint = suggest(str(missing[0]), [str(c) for c in frame.columns])
        raise ParameterError(f"`by` must name columns of the backtest frame; got "
                             f"{missing[0]!r}.{hint} Use e.g. by=('model', 'horizon') or "
                             "by=() for one overall row.", field="by")
    lv = [c[len("covered_"):] for c in frame.columns if c.startswith("covered_")]
    _check_metric_columns(frame, lv)
    f = frame.assign(
        _ae=frame["error"].abs(),
        _smape=200.0 * frame["error"].abs() / (frame["truth"].abs() + frame["median"].abs()),
    )
    agg = {"n": ("truth", "size"), "mae": ("_ae", "mean"), "mape": ("ape", "mean"),
           "smape": ("_smape", "mean"), "mase": ("scaled_error", "mean"),
           "crps": ("crps", "mean"), "scaled_crps": ("scaled_crps", "mean"),
           "crps_log": ("crps_log", "mean"), "mean_pit": ("pit", "mean")}
    for x in lv:
        agg[f"coverage_{x}"] = (f"covered_{x}", "mean")
        agg[f"interval_score_{x}"] = (f"interval_score_{x}", "mean")
    if not by:
        return f.groupby(lambda _: 0).agg(**agg).reset_index(drop=True)
    return f.groupby(by, sort=True).agg(**agg).reset_index()


#: The columns :func:`summarize` averages (besides ``covered_<L>``/``interval_score_<L>``).
_METRICS = ("truth", "median", "error", "ape", "scaled_error", "crps", "scaled_crps",
            "crps_log", "pit")


def _check_metric_columns(frame: pd.DataFrame, levels: list[str]) -> None:
    """Refuse a frame without a metric column, or with a missing or infinite metric.

    pandas' means skip NaN, so a blank cell would shrink an average while ``n`` still
    counted its row: a row silently dropped from the figures.
    """
    cols = list(_METRICS) + [c for x in levels for c in (f"covered_{x}",
                                                         f"interval_score_{x}")]
    absent = [c for c in cols if c not in frame.columns]
    if absent:
        raise ForecastTypeError(
            f"`frame` must have every metric column of a backtest() frame; it lacks "
            f"{', '.join(absent)}. Pass the output of backtest() (select rows, not columns).",
            field="frame")
    for c in cols:
        values = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            rows = [str(r) for r in frame.index[bad][:5]]
            more = f" and {int(bad.sum()) - 5} more" if bad.sum() > 5 else ""
            first = frame[c].iloc[int(bad.argmax())]
            raise ParameterError(
                f"`frame` column {c!r} must hold finite numbers; got {first} in row "
                f"{', '.join(rows)}{more} (index labels). Averages would skip these "
                f"rows while `n` counts them: drop them first, e.g. "
                f"frame.dropna(subset=[{c!r}]), or summarize frames with the same levels "
                "separately.", field="frame")


def compare(
    specs: Sequence[SpecLike],
    data: AnnualSeries | History | Records,
    *,
    origins: Any = None,
    horizon: int = 5,
    n_paths: int = BACKTEST_PATHS,
    seed: SeedLike = None,
    executor: Any = None,
    levels: Sequence[float] = (80, 95),
    progress: bool = False,
    **reconstruct_kw: Any,
) -> pd.DataFrame:
    """Backtest several models on the same origins; metrics per model and horizon.

    The naive (random walk) and drift benchmarks, with their default settings, are
    always included (added when missing from `specs`), so every table says whether a
    model beats them. Every model sees the same origins and seeds. Models that share a
    name are labelled by their calls (``Drift()``, ``Drift(scale='level')``; see
    :func:`model_labels`). Arguments as in :func:`backtest` (``progress`` too).

    Returns
    -------
    DataFrame
        :func:`summarize` of the combined backtest by ``model, target, horizon``, with
        :func:`backtest`'s ``attrs["skipped"]`` and ``attrs["unscored"]`` (why a model or
        an origin scored nothing).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(12)]
    >>> s = forecast.AnnualSeries(range(2010, 2022), values)
    >>> t = compare([], s, origins=[2018, 2019], horizon=1, n_paths=100, seed=0)
    >>> t["model"].tolist()
    ['Drift', 'Naive']
    """
    if isinstance(specs, str) or not isinstance(specs, Sequence):
        specs = [specs]
    specs = list(specs)
    for bench in (Naive(), Drift()):  # with its default settings: Drift(scale="level")
        if not any(type(s) is type(bench) and s == bench for s in specs):  # is not Drift()
            specs.append(bench)
    lv = check_levels("levels", levels)
    bt = _run(specs, data, origins, horizon, n_paths, seed, executor, lv, reconstruct_kw,
              progress)
    table = summarize(bt)
    table.attrs.update(skipped=bt.attrs["skipped"], unscored=bt.attrs["unscored"])
    return table
