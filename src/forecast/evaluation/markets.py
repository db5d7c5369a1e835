"""Evaluation of the joint market model: pseudo-real-time backtest and leave-one-out.

- :func:`backtest_markets`: at each origin date, keep the records published by then,
  reconstruct the markets jointly, fit a joint model (by default
  :class:`~forecast.markets.BottomUpModel`, or :class:`~forecast.markets.SplitModel`) and score
  one market's forecasts exactly as :func:`forecast.backtest` scores the single-market
  model (same origins, same seeds, same truths), so the two frames can be compared with
  :func:`compare_markets`.
- :func:`leave_one_out_markets`: drop each published full-year level of a named market in
  turn (with the shares that restate it) and check whether the joint reconstruction's
  band covers it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .._defaults import BACKTEST_PATHS
from .._keywords import checked_keywords
from .._seeds import as_seed_sequence, origin_seeds, rebuild
from .._threads import attributed
from .._validation import check_int, check_levels, user_stacklevel
from ..errors import ForecastError, ForecastTypeError, ParameterError
from ..history import reconstruct, reconstruct_markets
from ..history.market_reconstruction import DEFAULT_MARKETS, _check_markets
from ..history.markets import TOTAL
from ..markets.split import DESIGNS, check_one_series_spec, joint_model
from ..models import Auto
from ..records import Records, load_exchange_rates, load_releases
from ..records.schema import suggest
from ._inputs import _check_spec
from ._tasks import in_origin_words
from .backtests import (
    _POINT,
    _levels_cols,
    _metric_cols,
    _records_origins,
    _score,
    backtest,
    published_truth,
    summarize,
    warn_empty,
)

__all__ = ["backtest_markets", "compare_markets", "leave_one_out_markets"]

#: Years of China's total before a market's first record the joint backtest history uses.
EARLY_TOTAL = 2


def _design_of(spec: Any) -> str:
    """The design name of a joint model passed as `spec` (for the fix in its error)."""
    design = getattr(type(spec), "design", "bottom-up")
    return design if isinstance(design, str) else "bottom-up"


@dataclass(frozen=True)
class _Origin:
    """One origin of the joint backtest (picklable, for process pools)."""

    records: Records
    label: str
    markets: tuple[str, ...]
    market: str
    spec: Any
    horizon: int
    n_paths: int
    root: tuple
    design: str = "bottom-up"
    currency: str = "USD"


def _span(frame: pd.DataFrame, market: str) -> tuple[int, int]:
    """Years of the joint history at an origin.

    It ends where the single-market history ends, so that horizon h is the same calendar
    year for both models (the other markets' later releases would extend the joint one),
    and starts up to ``EARLY_TOTAL`` years before the market's first record where China's
    total is known: the total's earlier years are the joint model's own information (in
    the backtest they lowered the US CRPS at every horizon; docs/markets.md).
    """
    flow = (frame["segment"] == "all") & (frame["flow"] == "offshore_execution")
    own = frame.loc[flow & (frame["market"] == market), "year"]
    total = frame.loc[flow & (frame["market"] == "ALL"), "year"]
    first = int(own.min())
    if len(total):
        first = min(first, max(int(total.min()), first - EARLY_TOTAL))
    return first, int(own.max())


def _run_origin(o: _Origin) -> dict | str:
    fit_seed, sim_seed = origin_seeds(rebuild(*o.root), o.label)  # as forecast.backtest
    have = tuple(m for m in o.markets if m in o.records.markets)
    if o.market not in o.records.markets:  # `market` is one of `markets` or ALL
        return f"origin {o.label}: no record of {o.market} published yet"
    if not have:
        return f"origin {o.label}: no record of {', '.join(o.markets)} published yet"
    start, end = _span(o.records.frame, o.market)
    try:
        mh = reconstruct_markets(o.records, markets=have, currency=o.currency, start=start,
                                 end=end, fx=load_exchange_rates().known_by(o.label))
        if len(mh) < o.spec.min_length:
            return f"origin {o.label}: {len(mh)} years known, the model needs {o.spec.min_length}"
        fit = joint_model(o.design, o.spec).fit(mh, seed=fit_seed)
        if o.market == TOTAL:  # China's total: the joint model's first coordinate
            logs = fit.simulate(o.horizon, o.n_paths, seed=sim_seed)[:, 0]
        else:
            logs = fit.simulate_log_levels(o.horizon, o.n_paths, seed=sim_seed)
            logs = logs[:, fit.parts.index(o.market)]
    except ForecastError as exc:  # reconstruct's "a later `as_of`" is a later origin here
        return f"origin {o.label}: {in_origin_words(str(exc))}"
    series = mh.series(o.market).values
    # exp(690) ~ 1e300 keeps sums over thousands of draws finite (as forecast.backtest)
    samples = np.exp(np.clip(logs, -690.0, 690.0))
    return {"samples": samples, "last_year": fit.last_year,
            "scale": float(np.mean(np.abs(np.diff(series)))), "markets": have}


@checked_keywords
def backtest_markets(records: Records | None = None, markets: Sequence[str] = DEFAULT_MARKETS,
                     market: str = "US", origins: Any = None, horizon: int = 3,
                     n_paths: int = BACKTEST_PATHS, seed: Any = None, executor: Any = None, *,
                     spec: Any = None, levels: Sequence[float] = (80, 95),
                     currency: str = "USD", design: str = "bottom-up") -> pd.DataFrame:
    """Pseudo-real-time backtest of one market's forecast from the joint model.

    Parameters
    ----------
    records : Records, optional
        Default the embedded releases.
    markets : sequence of str
        The markets reconstructed jointly (those already published at an origin).
    market : str, default "US"
        The market scored: one of `markets`, or ``"ALL"`` (China's total, the joint
        model's sum of the parts). Another market raises ParameterError.
    origins, horizon, n_paths, seed, executor, levels
        As in :func:`forecast.backtest` with Records (each origin is seeded by a stream
        of `seed` keyed by its label, as there).
    spec : ModelSpec, optional
        Spec of every fitted coordinate; default ``forecast.Auto()``.
    currency : str, default "USD"
    design : {"bottom-up", "split"}, default "bottom-up"
        ``BottomUpModel(spec)`` (every part's log level) or ``SplitModel(spec, spec)``
        (the total and the log ratios).

    Returns
    -------
    DataFrame
        The columns of :func:`forecast.backtest` (``model`` is ``"<design> <spec>"``,
        e.g. ``"bottom-up Auto(combine)"``);
        ``frame.attrs["skipped"]`` lists skipped origins (the market or the model not
        available yet) and ``frame.attrs["unscored"]`` origins with no truth to score
        (their forecast years lie after the last release); either is also a UserWarning,
        as in :func:`forecast.backtest`, so an empty frame never comes without a word.

    Raises
    ------
    ParameterError
        For a `market` outside `markets` and ``"ALL"``, or bad `markets`, `horizon`,
        `n_paths`, `levels` or `design`.
    ForecastTypeError
        For `records` that are not Records, or a `spec` that is not a model spec instance
        (``forecast.Drift`` for ``forecast.Drift()``); checked before any work.
    """
    records = _check_records(records)
    markets = check_market(records, markets, market)
    spec = Auto() if spec is None else spec
    check_one_series_spec("spec", spec, f', with design="{_design_of(spec)}"')
    _check_spec(spec)
    horizon = check_int("horizon", horizon, 1, 50, "Pass e.g. horizon=3.")
    n_paths = check_int("n_paths", n_paths, 10, 10_000_000, "Pass e.g. n_paths=2000.")
    lv = check_levels("levels", levels)
    check_design(design)
    root = as_seed_sequence(seed)
    key = (root.entropy, tuple(root.spawn_key), int(root.pool_size))
    labels = _records_origins(records, origins)
    tasks = [_Origin(records.filter(as_of=o), o, markets, market, spec, horizon,
                     n_paths, key, design, currency) for o in labels]
    results = list(map(_run_origin, tasks) if executor is None else
                   executor.map(attributed(_run_origin), tasks))
    latest = reconstruct(records, market=market, currency=currency).series
    truths = {"latest": dict(zip(latest.years.tolist(), latest.values.tolist(), strict=True)),
              "published": published_truth(records, market, "all", "offshore_execution",
                                           currency, load_exchange_rates())}
    rows, skipped, unscored = [], [], []
    name = f"{design} {spec.name}"
    for task, res in zip(tasks, results, strict=True):
        if isinstance(res, str):
            skipped.append(res)
            continue
        new = [row for target, truth in truths.items()
               for row in _score(res, truth, name, task.label, target, lv)]
        if not new:
            unscored.append(task.label)
        rows += new
    warn_empty("backtest_markets", skipped, unscored, truths)
    frame = pd.DataFrame(rows, columns=_POINT + _levels_cols(lv) + _metric_cols(lv))
    reached = int(frame["horizon"].max()) if len(frame) else 0
    if 0 < reached < horizon:  # as forecast.backtest: origins are dates, known only now
        warnings.warn(f"backtest_markets scored horizons 1-{reached} only, not up to horizon="
                      f"{horizon}: no published truth lies further ahead of any origin. "
                      "Pass a smaller horizon or earlier origins.",
                      UserWarning, stacklevel=user_stacklevel())
    frame.attrs["skipped"] = skipped
    frame.attrs["unscored"] = unscored
    return frame


def _check_records(records: Any) -> Records:
    """`records` (default the embedded releases), or ForecastTypeError."""
    records = load_releases() if records is None else records
    if not isinstance(records, Records):
        raise ForecastTypeError(f"`records` must be Records; got {type(records).__name__}. "
                                "Pass forecast.load_releases() (the published figures).",
                                field="records")
    return records


def check_market(records: Records, markets: Any, market: object) -> tuple[str, ...]:
    """The checked `markets`; ParameterError unless `market` is one of them or ``"ALL"``.

    The joint model projects the named markets, ROW and China's total (``"ALL"``); a
    market outside `markets` would have no forecast at any origin.

    Examples
    --------
    >>> import forecast
    >>> check_market(forecast.load_releases(), ("US", "EU"), "JP")
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: `market` must be one of the jointly reconstructed \
`markets` (US, EU) or 'ALL' (China's total); got 'JP'. Score one of those, or add 'JP' \
to `markets` (markets=('US', 'EU', 'JP')) if its releases suffice to reconstruct it jointly: \
forecast.reconstruct_markets(markets=...) says whether they do.
    """
    markets = _check_markets(markets, records)
    if isinstance(market, str) and market in (*markets, TOTAL):
        return markets
    fix = " Pass one of those."
    if isinstance(market, str):
        try:  # advise adding it only where the joint model can take it
            _check_markets((*markets, market), records)
            fix = (f" Score one of those, or add {market!r} to `markets` (markets="
                   f"{(*markets, market)!r}) if its releases suffice to reconstruct it "
                   "jointly: forecast.reconstruct_markets(markets=...) says whether they do.")
        except ForecastError:
            fix = suggest(market, (*markets, TOTAL)) + fix
    raise ParameterError(f"`market` must be one of the jointly reconstructed `markets` "
                         f"({', '.join(markets)}) or {TOTAL!r} (China's total); got "
                         f"{market!r}.{fix}", field="market")


@checked_keywords
def compare_markets(records: Records | None = None, markets: Sequence[str] = DEFAULT_MARKETS,
                    market: str = "US", origins: Any = None, horizon: int = 3,
                    n_paths: int = BACKTEST_PATHS, seed: Any = None, executor: Any = None, *,
                    spec: Any = None,
                    designs: Sequence[str] = DESIGNS) -> pd.DataFrame:
    """The single-market and the joint models' pseudo-real-time scores side by side.

    All see the same origins, seeds and truths; only origins where all forecast are kept.

    Parameters
    ----------
    designs : sequence of {"bottom-up", "split"}
        The joint designs to run (see :func:`backtest_markets`).

    Returns
    -------
    DataFrame
        :func:`forecast.evaluation.summarize` by ``model, target, horizon``; ``model`` is
        ``"single <spec>"`` or ``"<design> <spec>"``.
    """
    records = _check_records(records)
    markets = check_market(records, markets, market)  # before the single-market backtest
    spec = Auto() if spec is None else spec
    check_one_series_spec("spec", spec, f', with designs=("{_design_of(spec)}",)')
    _check_spec(spec)
    given = designs
    designs = () if isinstance(given, str) or not isinstance(given, Iterable) else \
        tuple(dict.fromkeys(given))  # a generator is read once
    if not designs:
        raise ParameterError(f'`designs` must be a non-empty sequence of design names such as '
                             f'("bottom-up", "split"); got {given!r}.', field="designs")
    for d in designs:
        check_design(d)
    single = backtest(spec, records, origins=origins, horizon=horizon, n_paths=n_paths,
                      seed=seed, executor=executor, market=market)
    frames = [single.assign(model=f"single {spec.name}")]
    frames += [backtest_markets(records, markets, market, origins, horizon, n_paths, seed,
                                executor, spec=spec, design=d) for d in designs]
    common = set.intersection(*(set(f["origin"]) for f in frames))
    frame = pd.concat(frames, ignore_index=True)
    return summarize(frame[frame["origin"].isin(common)])


def check_design(design: object) -> None:
    """Refuse a joint design other than those of :data:`~forecast.markets.split.DESIGNS`."""
    if design not in DESIGNS:
        joint_model(design)  # raises the ParameterError naming the value


@checked_keywords
def leave_one_out_markets(records: Records | None = None,
                          markets: Sequence[str] = DEFAULT_MARKETS,
                          currency: str = "USD") -> pd.DataFrame:
    """Drop each published full-year level of a named market; is it in the joint band?

    The level and the shares of the same market, year and period (which restate it) are
    removed, the markets are reconstructed jointly over the same years, and the dropped
    figure (converted to `currency` at the year's rate, MOFCOM's implied one where it
    exists) is compared with that market's bands.

    Returns
    -------
    DataFrame
        Columns ``market, year, published`` (value and unit), ``dropped`` (bn of
        `currency`), ``median, lower_80, upper_80, lower_95, upper_95``, ``covered_80``,
        ``covered_95`` and ``z`` (standardised log error).
    """
    records = load_releases() if records is None else records
    fx = load_exchange_rates()
    full = reconstruct_markets(records, markets=markets, currency=currency)
    start, end = int(full.years[0]), int(full.years[-1])
    frame = records.frame
    levels = frame[frame["market"].isin(markets) & (frame["months"] == 12)
                   & (frame["measure"] == "level") & (frame["segment"] == "all")
                   & (frame["flow"] == "offshore_execution")
                   & frame["year"].between(start, end)]
    z80, z95 = (NormalDist().inv_cdf(0.5 + lv / 200) for lv in (80, 95))
    rows = []
    for (market, year), grp in levels.groupby(["market", "year"], sort=True):
        same = ((frame["market"] == market) & (frame["year"] == year) & (frame["months"] == 12)
                & frame["measure"].isin(("level", "share")) & (frame["segment"] == "all")
                & (frame["flow"] == "offshore_execution"))
        rest = Records.from_frame(frame[~same].drop(columns=["published_date"]),
                                  origin="embedded")
        mh = reconstruct_markets(rest, markets=markets, currency=currency, start=start, end=end)
        first = grp.sort_values("basis", key=lambda b: b != currency).iloc[0]
        dropped = float(first["value"]) / 10.0
        if first["unit"][:3] != currency:
            rate = fx.for_period(records, int(year), 12).rate
            dropped = dropped / rate if currency == "USD" else dropped * rate
        mu, sd = mh._log_moments(market, False)
        i = int(year) - start
        z = (np.log(dropped) - mu[i]) / sd[i]
        rows.append({"market": market, "year": int(year),
                     "published": f"{first['value']:g} {first['unit']}", "dropped": dropped,
                     "median": float(np.exp(mu[i])),
                     "lower_80": float(np.exp(mu[i] - z80 * sd[i])),
                     "upper_80": float(np.exp(mu[i] + z80 * sd[i])),
                     "lower_95": float(np.exp(mu[i] - z95 * sd[i])),
                     "upper_95": float(np.exp(mu[i] + z95 * sd[i])),
                     "covered_80": bool(abs(z) <= z80), "covered_95": bool(abs(z) <= z95),
                     "z": float(z)})
    return pd.DataFrame(rows)
