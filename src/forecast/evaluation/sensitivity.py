"""Sensitivity of projections to scenario parameters: tornado and Sobol' indices.

Which uncertain inputs matter, and when? :func:`tornado` moves one parameter at a time
between its 10th and 90th percentiles; :func:`sobol` apportions the variance of each
year's projected log level to every parameter, every assumption (as a group), the
baseline model's own noise and the remaining chance draws of the scenario (does an
assumption happen, when do jumps occur). :func:`sobol_indices` is the generic engine for
any vectorised function.

Both scenario methods use common random numbers: every evaluation sees the same
baseline paths and the same non-parameter draws, path by path (each assumption draws
each parameter from its own named stream, so pinning one parameter leaves the others'
draws alone). Differences between evaluations are therefore the parameters' doing, not
Monte Carlo noise.

Sobol' indices are computed with numpy (Saltelli sampling on scrambled Sobol' points,
Saltelli 2010 first-order and Jansen total-effect estimators, bootstrap intervals from
one multinomial weight matrix), not SALib: no extra dependency, and the estimators are
a handful of vectorised lines; see ``forecast.evaluation._sobol`` and ``docs/evaluation.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import _resources
from .._defaults import SOBOL_N, TORNADO_PATHS
from .._keywords import checked_keywords
from .._optional import progress_bar
from .._seeds import SeedLike, as_seed_sequence, child, children
from .._validation import check_float, check_int, check_level, user_stacklevel
from ..errors import ForecastTypeError, ParameterError
from ..projection.chunks import live_cells
from ..projection.engine import censoring
from ..scenarios import Scenario
from ..scenarios.scenario import warn_late_starts
from . import _sobol
from .crn import Evaluator, by_assumption, scenario_parameters

if TYPE_CHECKING:
    from ..models import FitLike

__all__ = ["sobol", "sobol_indices", "tornado"]

#: Largest base sample size :func:`sobol` takes (2**20): the scenario is evaluated on
#: ``n (d + 2)`` paths, so a million base rows already mean tens of millions of paths.
MAX_SOBOL_N = 2**20


def check_sobol_n(n: object) -> int:
    """`n` as :func:`sobol` takes it: an int in [16, MAX_SOBOL_N] (ParameterError else).

    The command line checks ``--n`` with it before building the history (its advice,
    ``n=1024``, is reworded there by ``forecast.cli._warnings.CLI_WORDS``).
    """
    return check_int("n", n, 16, MAX_SOBOL_N,
                     f"Pass e.g. n=1024 (a power of two, at most {MAX_SOBOL_N:,}).")

TORNADO_COLUMNS = [
    "year", "parameter", "assumption", "low_value", "high_value", "level_low",
    "level_high", "level_median", "swing", "swing_se",
]

#: Bootstrap replicates behind a swing's Monte Carlo standard error (``swing_se``).
SE_REPLICATES = 100

#: Path counts (replicates x paths) a :class:`PathBootstrap` holds at once: blocks of
#: resamples are kept for reuse up to this size (10,000 paths x 100 replicates: 8 MB),
#: and drawn again for each call beyond it.
_BLOCK = 2_000_000


class PathBootstrap:
    """Bootstrap resamples of `n` paths, the same ones for every call: medians of paired
    quantities (the two ends of a tornado bar, on common paths) are resampled in pairs.

    A resample is held as how often it draws each path (counts, replicates x paths), so
    a resampled median is a cumulative count over the paths in sorted order, not a
    partition of a gathered copy (0.6 ms a year for 2,000 paths and 100 replicates,
    against 4 ms). Blocks of replicates come from their own children of `seed`.

    Examples
    --------
    >>> boot = PathBootstrap(5, np.random.SeedSequence(1), replicates=3)
    >>> levels = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> boot.medians(levels).shape, bool(np.all(np.isin(boot.medians(levels), levels)))
    ((3, 1), True)
    """

    def __init__(self, n: int, seed: np.random.SeedSequence,
                 replicates: int = SE_REPLICATES) -> None:
        self.n, self.seed, self.replicates = int(n), seed, int(replicates)
        self.step = max(1, _BLOCK // self.n)
        self._kept: dict[int, np.ndarray] | None = (
            {} if self.replicates * self.n <= _BLOCK else None)

    def _counts(self, block: int, m: int) -> np.ndarray:
        """How often each of the `m` resamples of `block` draws each path, (m, n)."""
        if self._kept is not None and block in self._kept:
            return self._kept[block]
        n = self.n
        idx = np.random.default_rng(child(self.seed, block)).integers(0, n, size=(m, n))
        counts = np.bincount((idx + n * np.arange(m)[:, None]).ravel(),
                             minlength=m * n).reshape(m, n)
        if self._kept is not None:
            self._kept[block] = counts
        return counts

    def medians(self, levels: np.ndarray) -> np.ndarray:
        """The median of each column of `levels` (n paths x years) in every resample,
        (replicates, years): equal to ``np.median(levels[idx], axis=0)`` per resample."""
        n, k = levels.shape
        out = np.empty((self.replicates, k))
        lo_rank, hi_rank = (n + 1) // 2, n // 2 + 1  # the middle value(s), 1-based
        orders = [np.argsort(levels[:, j], kind="stable") for j in range(k)]
        for b, r in enumerate(range(0, self.replicates, self.step)):
            counts = self._counts(b, min(self.step, self.replicates - r))
            for j, order in enumerate(orders):
                cum = np.cumsum(counts[:, order], axis=1)
                values = levels[order, j]
                lo = values[np.argmax(cum >= lo_rank, axis=1)]
                out[r:r + len(lo), j] = lo if n % 2 else 0.5 * (
                    lo + values[np.argmax(cum >= hi_rank, axis=1)])
        return out


def swing_se(replicates_low: np.ndarray, replicates_high: np.ndarray) -> np.ndarray:
    """Monte Carlo standard error of a swing from its two ends' paired bootstrap medians.

    The two ends share their paths (common random numbers) and are resampled in pairs,
    so the spread of the replicate swings is what is left of the paths' noise after the
    shared part cancels: the paired bootstrap (Efron and Tibshirani 1993, ch. 6) of a
    difference of medians. On the fragmentation preset it is 0.9-1.6 times the swing's
    standard deviation over 40 seeds (batch medians, tried first, fell to half of it
    for the adoption parameters, whose effect is not smooth in the paths).
    """
    return np.std(replicates_high - replicates_low, axis=0, ddof=1)
SOBOL_COLUMNS = [
    "year", "parameter", "kind", "first_order", "first_order_lower", "first_order_upper",
    "total", "total_lower", "total_upper",
]


@checked_keywords
def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray],
    problem: Mapping[str, object],
    n: int = SOBOL_N,
    seed: SeedLike = None,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    outputs: Sequence[object] | None = None,
    n_bootstrap: int = 200,
    level: float = 95,
    sampling: str = "sobol",
) -> pd.DataFrame:
    """First-order and total Sobol' indices of a vectorised function.

    Parameters
    ----------
    func : callable
        Maps an ``(N, d)`` array (columns in the order of `problem`) to ``(N,)`` or
        ``(N, k)`` outputs; called ``d + 2 + n_groups`` times with ``N = n`` rows each
        (one design matrix at a time, so memory stays linear in ``d``): it must treat its
        rows independently.
    problem : dict
        Input name -> :class:`~forecast.scenarios.Distribution` or ``(low, high)``
        bounds of a uniform input. Inputs are independent.
    n : int, default 1024
        Base sample size (a power of two suits Sobol' points).
    seed : int, Generator, SeedSequence or None
    groups : dict, optional
        Group name -> input names; each group also gets indices (inputs moved together).
    outputs : sequence, optional
        Labels of the k outputs (default 0..k-1).
    n_bootstrap : int, default 200
        Bootstrap resamples of the base rows for the intervals (0: no intervals), else at
        least ``max(20, 200 / (100 - level))`` (40 for 95% intervals) so that each tail of
        the percentile interval holds a replicate on average. With Sobol' points the
        intervals are conservative (they treat the points as random).
    level : float, default 95
        Interval level in percent.
    sampling : {"sobol", "random"}, default "sobol"
        Scrambled Sobol' points (scipy.stats.qmc) or plain pseudo-random numbers.

    Returns
    -------
    DataFrame
        One row per output and input (then group): ``output, parameter, kind``
        ("parameter" or "group"), ``first_order, first_order_lower, first_order_upper,
        total, total_lower, total_upper, variance`` (the output's variance).

    Examples
    --------
    >>> f = lambda x: x[:, 0] + 2 * x[:, 1]
    >>> df = sobol_indices(f, {"a": (0, 1), "b": (0, 1)}, n=256, seed=1, n_bootstrap=0)
    >>> df["first_order"].round(2).tolist()
    [0.2, 0.8]
    """
    if not callable(func):
        raise ForecastTypeError(f"`func` must be callable; got {type(func).__name__}. "
                                "Pass a function of an (N, d) array.")
    return _sobol.run(func, problem, n, seed, groups=groups, outputs=outputs,
                      n_bootstrap=n_bootstrap, level=level, sampling=sampling)


# --------------------------------------------------------------------------- scenarios
def _setup(fit: object, scenario: object, years: object, who: str):
    if not isinstance(scenario, Scenario):
        raise ForecastTypeError(f"`scenario` must be a Scenario; got {type(scenario).__name__}. "
                                "Pick one, e.g. forecast.presets.get('escalation').")
    for attr in ("last_year", "simulate", "point_forecast"):
        if not hasattr(fit, attr):
            raise ForecastTypeError(f"`fit` must be a Fit (from spec.fit(data)); got "
                                    f"{type(fit).__name__} without `{attr}`.")
    last = int(fit.last_year)  # type: ignore[attr-defined]
    yrs = np.atleast_1d(np.asarray(years))
    if yrs.size == 0 or yrs.dtype.kind not in "iu" or np.any(yrs <= last) or np.any(
        yrs > last + 100
    ):
        raise ParameterError(f"`years` must be int years after the history ({last}) and at "
                             f"most {last + 100}; got {np.asarray(years).tolist()!r}. "
                             f"Pass e.g. years=range({last + 1}, {last + 11}).")
    yrs = np.unique(yrs.astype(np.int64))
    scenario.validate_against(last)
    h = int(yrs.max()) - last
    params = scenario_parameters(scenario)  # first: a scenario without any is refused
    # as project does: an assumption starting after the last year asked acts on no path
    # (its rows would show no effect), so say so
    warn_late_starts([scenario], int(yrs.max()), who,
                     f"Ask for later years (e.g. years=[..., {_latest_start(scenario)}]) or "
                     "check the start year.")
    center = np.asarray(fit.point_forecast(h), dtype=float)  # type: ignore[attr-defined]
    ev = Evaluator(scenario, params, np.arange(last + 1, last + h + 1), center, last,
                   float(getattr(fit, "floor_log", -np.inf)))
    return ev, params, yrs, yrs - last - 1, h


def _latest_start(scenario: Scenario) -> int:
    """The latest earliest-start year among the scenario's assumptions."""
    return max((int(a.first_start) for a in scenario.assumptions), default=0)


def tornado_path_bytes(n_assumptions: int, h: int, k: int) -> int:
    """Bytes per path of :func:`tornado`: h years simulated, k reported."""
    # the baseline and its context, one effect per assumption, the total, one end's
    # effect with its new total and levels (a few (n, h) arrays at once); the sorted
    # order of each reported year for the bootstrap medians
    return 8 * (h * (n_assumptions + 10) + 2 * k)


def check_tornado_memory(n_paths: int, n_assumptions: int, h: int, k: int) -> None:
    """ResourceError (naming `n_paths` and the largest that fits) for a :func:`tornado`
    run that cannot fit in memory, before the baseline is simulated."""
    per_path = tornado_path_bytes(n_assumptions, h, k)
    # the bootstrap's resample counts (int64, replicates x paths, in blocks of at most
    # _BLOCK), their reordered copy and cumulative sums: a few such blocks at once
    work = 4 * 8 * min(_BLOCK, SE_REPLICATES * n_paths)
    need = per_path * n_paths + work
    if need < _resources.SMALL_RUN:
        return
    avail = _resources.available_memory()
    largest = int((_resources.SHARE * avail - 4 * 8 * _BLOCK) // per_path) if avail else 0
    if avail and largest * SE_REPLICATES < _BLOCK:  # below the block size
        largest = int(_resources.SHARE * avail // (per_path + 4 * 8 * SE_REPLICATES))
    fix = (f"Pass n_paths <= {largest:,}, or fewer years" if largest >= 10 else
           "Pass fewer years")
    _resources.check_memory(need, f"tornado with n_paths={n_paths:,} to {h} years ahead",
                            fix, avail=avail)


@checked_keywords
def tornado(
    fit: FitLike,
    scenario: Scenario,
    years: int | Sequence[int] | np.ndarray,
    *,
    n_paths: int = TORNADO_PATHS,
    seed: SeedLike = None,
    low: float = 10,
    high: float = 90,
    progress: bool = False,
) -> pd.DataFrame:
    """One-at-a-time sensitivity: swing of the median level per parameter and year.

    Every uncertain parameter of `scenario` is set to its `low` and `high` percentiles
    while all the others sit at their medians; the projected level's median over
    `n_paths` common paths is recorded at both ends.

    The baseline paths are simulated to the largest year in `years`, and a model's draws
    depend on that horizon (as ``project(to=2030)`` and ``project(to=2035)`` draw
    different paths for one seed): a year's row depends on the other years asked, not
    only on `seed` and `n_paths`. To compare runs, ask for the same years (or at least
    the same largest year). Common random numbers remove the noise of the paths
    *between* the two ends of a bar, not the noise of the medians themselves: a bar whose
    swing is within Monte Carlo noise (small next to the spread of the median over
    `n_paths` paths) can change size, and sign, with the seed or the horizon. Column
    ``swing_se`` estimates that noise; raise `n_paths` before reading anything into a
    bar within two of its standard errors.

    Parameters
    ----------
    fit : Fit
    scenario : Scenario
    years : int or sequence of int
        Projection years to report (after the fit's last year).
    n_paths : int, default 2000
    seed : int, Generator, SeedSequence or None
        A SeedSequence passed in is not advanced: the same call twice gives the same
        result.
    low, high : float, default 10 and 90
        Percentiles of each parameter's distribution.
    progress : bool, default False
        Show a tqdm progress bar over the parameters (the ``progress`` extra).

    Returns
    -------
    DataFrame
        ``year, parameter`` ("<assumption>.<parameter>"), ``assumption, low_value,
        high_value`` (the parameter at its low/high percentile), ``level_low,
        level_high`` (median level), ``level_median`` (all at medians), ``swing``
        (``level_high - level_low``) and ``swing_se``, its Monte Carlo standard error
        (a paired bootstrap of the paths, 100 replicates, :func:`swing_se`); sorted by
        year, then by ``|swing|`` descending. A swing within about two standard errors
        of 0 is not told apart from no effect by this many paths. ``.attrs``:
        ``scenario`` (its name) and ``unit`` (of the levels), which
        :func:`forecast.plotting.tornado_chart` and the report show.

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.Drift().fit(s)
    >>> sc = forecast.Scenario("s", [forecast.LevelShift(2027, forecast.Uniform(-0.2, 0.0),
    ...                                                  name="step")])
    >>> t = tornado(fit, sc, 2030, n_paths=200, seed=1)
    >>> t[["parameter", "low_value", "high_value"]].round(2).values.tolist()
    [['step.size', -0.18, -0.02]]
    """
    n_paths = check_int("n_paths", n_paths, 10, 10_000_000)
    lo = check_float("low", low, 0, 100, lo_open=True, hi_open=True)
    hi = check_float("high", high, 0, 100, lo_open=True, hi_open=True)
    if lo >= hi:
        raise ParameterError(f"`low` must be below `high`; got low={low}, high={high}. "
                             "Pass e.g. low=10, high=90.")
    if hi <= 1:  # fractions where percentiles are meant: 0.1/0.9 would swing almost nothing
        raise ParameterError(f"`low` and `high` are percentiles in (0, 100); got low={low}, "
                             f"high={high}. Did you mean low={lo * 100:g}, high={hi * 100:g}?",
                             field="high")
    ev, params, yrs, cols, h = _setup(fit, scenario, years, "tornado")
    check_tornado_memory(n_paths, len(ev.assumptions), h, len(yrs))
    ss = as_seed_sequence(seed)
    s_base, s_chance, s_boot = children(ss, 3)  # the first two as before the third existed
    base = np.asarray(fit.simulate(h, n_paths, seed=s_base), dtype=float)  # type: ignore[attr-defined]
    ctx = ev.context(base)
    med = [p.dist.quantile(0.5) for p in params]
    eff = ev.effects(by_assumption(params, med), ctx, s_chance)
    total = sum(eff.values())


    boot = PathBootstrap(n_paths, s_boot)

    def median_level(tot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The median level in each year, and its bootstrap replicates."""
        levels = np.exp(base + tot)[:, cols]
        return np.median(levels, axis=0), boot.medians(levels)

    mid = np.median(np.exp(base + total)[:, cols], axis=0)
    rows = []
    bar = progress_bar(progress, len(params), "tornado", "parameter")
    for i, p in enumerate(params):
        bar.update()
        ends = []
        for q in (lo / 100.0, hi / 100.0):
            val = p.dist.quantile(q)
            vals = by_assumption(params, [val if j == i else m for j, m in enumerate(med)])
            e = ev.effect(p.assumption, vals[p.assumption], ctx, s_chance)
            ends.append((val, median_level(total - eff[p.assumption] + e)))
        (v_lo, (l_lo, b_lo)), (v_hi, (l_hi, b_hi)) = ends
        se = swing_se(b_lo, b_hi)
        for j, y in enumerate(yrs):
            rows.append((int(y), p.label, p.assumption, float(v_lo), float(v_hi),
                         float(l_lo[j]), float(l_hi[j]), float(mid[j]),
                         float(l_hi[j] - l_lo[j]), float(se[j])))
    bar.close()
    df = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    order = df.assign(_a=-df["swing"].abs()).sort_values(["year", "_a"], kind="stable").index
    out = df.loc[order].reset_index(drop=True)
    # what the levels are and of which scenario, for charts and reports
    out.attrs.update(unit=str(getattr(fit, "unit", "")), scenario=str(scenario.name))
    return out


@checked_keywords
def sobol(
    fit: FitLike,
    scenario: Scenario,
    years: int | Sequence[int] | np.ndarray,
    *,
    n: int = SOBOL_N,
    seed: SeedLike = None,
    output: str = "log_level",
    n_bootstrap: int = 200,
    level: float = 95,
    sampling: str = "sobol",
    progress: bool = False,
) -> pd.DataFrame:
    """Variance-based (Sobol') sensitivity of each year's projection to scenario inputs.

    Inputs are every uncertain parameter of `scenario`, plus two blocks of
    non-parameter randomness: ``baseline`` (the fit's simulated paths) and ``chance``
    (the scenario's other draws: whether an assumption happens, when jumps occur).
    Each assumption's parameters also get group indices (kind "assumption"). Each of
    the ``n`` base rows is one path; the pick-and-freeze rows reuse its baseline path
    and chance draws (common random numbers), so a parameter's index reflects only
    what that parameter changes.

    As in :func:`tornado`, the paths are simulated to the largest year in `years`, and
    the draws depend on that horizon: a year's indices depend on the other years asked.
    The bootstrap intervals give their Monte Carlo uncertainty; an index whose interval
    reaches 0 can swap rank with its neighbours between seeds or horizons.

    Parameters
    ----------
    fit : Fit
    scenario : Scenario
    years : int or sequence of int
    n : int, default 1024
        Base sample size, in [16, ``MAX_SOBOL_N``] (2**20 = 1,048,576; a power of two
        suits Sobol' points); the scenario is evaluated on ``n (d + 2)`` paths
        (d parameters) and each assumption once more per parameter group.
    seed : int, Generator, SeedSequence or None
        A SeedSequence passed in is not advanced: the same call twice gives the same
        result.
    output : {"log_level", "effect"}, default "log_level"
        The log level of the path (baseline plus scenario effects), or the scenario's
        effect alone (the baseline then matters only through Volatility assumptions).
        As in :func:`~forecast.project`, an assumption has no effect on a baseline path
        censored at the floor of the model's working scale (``Fit.censored_share``). Its
        log level there is the floor's artefact, far below every other, so the log-level
        indices of a year are of the rows whose baseline paths keep a level; the share of
        rows left out is in ``.attrs["censored_share"]`` (by year), and a warning says so
        where ``project`` would warn (more than 1% of the paths).
    n_bootstrap, level, sampling
        As in :func:`sobol_indices`.
    progress : bool, default False
        Show a tqdm progress bar over the inputs (the ``progress`` extra).

    Returns
    -------
    DataFrame
        ``year, parameter`` ("<assumption>.<parameter>", an assumption name,
        "baseline" or "chance"), ``kind`` ("parameter", "assumption", "baseline",
        "chance"), ``first_order, first_order_lower, first_order_upper, total,
        total_lower, total_upper``; ``.attrs["censored_share"]``: year -> share of the
        base rows left out of the log-level indices (0 for ``output="effect"``), and
        ``.attrs["scenario"]``, the scenario's name, as :func:`tornado` records it (no
        ``unit``: the indices are shares of a variance, without one).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.Drift().fit(s)
    >>> sc = forecast.Scenario("s", [forecast.LevelShift(2027, forecast.Uniform(-0.2, 0.0),
    ...                                                  name="step")])
    >>> df = sobol(fit, sc, 2030, n=256, seed=1, output="effect", n_bootstrap=0)
    >>> df["parameter"].tolist()
    ['step.size', 'step', 'baseline', 'chance']
    >>> round(float(df["total"].iloc[0]), 2)
    1.0
    """
    if output not in ("log_level", "effect"):
        raise ParameterError(f"`output` must be 'log_level' or 'effect'; got {output!r}.")
    n = check_sobol_n(n)
    lv = check_level("level", level)
    n_bootstrap = _sobol.check_bootstrap(n_bootstrap, lv)
    ev, params, yrs, cols, h = _setup(fit, scenario, years, "sobol")
    s_design, s_boot, *s_paths = children(as_seed_sequence(seed), 6)
    check_sobol_memory(n, len(params), len(ev.assumptions), h, len(yrs), n_bootstrap)
    u = _sobol.base_uniforms(n, len(params), np.random.default_rng(s_design), sampling)
    if output == "log_level":
        _warn_censored(fit, int(yrs.max()))
    keep_base = 1.0 if output == "log_level" else 0.0
    f_a, f_b, f_ab, groups, live = _pick_and_freeze(
        fit, ev, params, u, s_paths, h, lambda base, tot: (keep_base * base + tot)[:, cols],
        progress)
    live = live[:, cols] if live is not None and output == "log_level" else None
    w = (_sobol.bootstrap_weights(n, n_bootstrap, np.random.default_rng(s_boot))
         if n_bootstrap else np.zeros((0, n)))
    est = (_sobol.estimate(f_a, f_b, f_ab, w) if live is None
           else _estimate_live(f_a, f_b, f_ab, w, live))
    kept = slice(None) if live is None else live.sum(axis=0) >= 2  # else: all censored
    _sobol.warn_constant(est["variance"][kept], [int(y) for y in yrs[kept]],
                         "the scenario's effect in year" if output == "effect" else "year")
    labels = ([(p.label, "parameter") for p in params] + [(g, "assumption") for g in groups]
              + [("baseline", "baseline"), ("chance", "chance")])
    rows = _sobol.index_rows(est, labels, [int(y) for y in yrs], lv)
    df = pd.DataFrame(rows).rename(columns={"output": "year"})[SOBOL_COLUMNS]
    df = df.sort_values(["year"], kind="stable").reset_index(drop=True)
    df.attrs["censored_share"] = {int(y): 0.0 if live is None else float(1 - live[:, j].mean())
                                  for j, y in enumerate(yrs)}
    df.attrs["scenario"] = str(scenario.name)  # what the table analyses, as tornado's says
    return df


def sobol_row_bytes(d: int, n_assumptions: int, h: int, k: int, n_bootstrap: int) -> int:
    """Bytes per base row of :func:`sobol`: d parameters of n_assumptions assumptions,
    h years simulated, k years reported."""
    g = n_assumptions
    # uniforms and quantiles of A and B; two baseline paths with their contexts, A's
    # effects of every assumption, B's (while summed) and a few (n, h) totals; the
    # outputs of every input (d + g + 2 of them, k years); the bootstrap
    return (8 * (4 * d + h * (2 * g + 10) + (d + g + 2) * k)
            + _sobol.bootstrap_row_bytes(n_bootstrap))


def check_sobol_memory(n: int, d: int, n_assumptions: int, h: int, k: int,
                       n_bootstrap: int) -> None:
    """ResourceError (naming `n` and the largest that fits) for a :func:`sobol` run that
    cannot fit in memory, before anything is drawn."""
    _sobol.check_rows_memory(
        n, sobol_row_bytes(d, n_assumptions, h, k, n_bootstrap),
        f"sobol of {d} parameters to {h} years ahead",
        "fewer years or n_bootstrap=0 (no intervals)")


def _warn_censored(fit: object, last: int) -> None:
    """Warn, as ``project`` does for the same fit and years, when more than
    CENSORED_WARN of the baseline paths have no level by `last`."""
    found = censoring(fit, np.arange(int(fit.last_year) + 1, last + 1))  # type: ignore[attr-defined]
    if found is None:
        return
    first, share_first, share_last = found
    when = f"in {first}" + (f" and {100 * share_last:.1f}% in {last}" if first != last else "")
    warnings.warn(
        f"sobol: {100 * share_first:.1f}% of the baseline paths {when} are censored at the "
        "floor of the model's working scale (no positive level); their log level is an "
        "artefact, so the log-level indices are of the paths that keep a level (the share "
        "of rows left out is in `.attrs['censored_share']`). output='effect' keeps every "
        "path (an assumption has no effect on a censored one).",
        UserWarning, stacklevel=user_stacklevel())


def _estimate_live(f_a: np.ndarray, f_b: np.ndarray, f_ab: list[np.ndarray], w: np.ndarray,
                   live: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`_sobol.estimate` of each year over the base rows whose two baseline paths
    (A's and B's) both keep a level there (`live`, (n, k)).

    A censored path's log level is the floor, a millionth of the smallest observation:
    an artefact that sits about 16 log points below the others, so 0.3% of such paths
    would make most of the variance. The baseline is independent of the other inputs,
    so rows drawn with both baselines live are a sample of the inputs under the baseline
    conditioned on keeping a level: the indices are of the log level of the paths that
    keep one. Bootstrap weights are renormalised over the kept rows.
    """
    parts = []
    for j in range(f_a.shape[1]):
        keep = live[:, j]
        if keep.sum() < 2:  # every path censored: nothing to apportion (NaN indices)
            est = _sobol.estimate(f_a[:, j:j + 1], f_b[:, j:j + 1],
                                  [fab[:, j:j + 1] for fab in f_ab], w)
            parts.append({k: np.full_like(v, np.nan) for k, v in est.items()})
            continue
        wk = w[:, keep]
        total = wk.sum(axis=1, keepdims=True)
        wk = np.divide(wk, total, out=np.zeros_like(wk), where=total > 0)
        parts.append(_sobol.estimate(f_a[keep, j:j + 1], f_b[keep, j:j + 1],
                                     [fab[keep, j:j + 1] for fab in f_ab], wk))
    return {k: np.concatenate([p[k] for p in parts], axis=-1) for k in parts[0]}


def _pick_and_freeze(fit: object, ev: Evaluator, params: list, u: np.ndarray, seeds: list,
                     h: int, out: Callable[[np.ndarray, np.ndarray], np.ndarray],
                     progress: bool = False):
    """Outputs ``f(A)``, ``f(B)`` and ``f(A_B^g)`` of every column group, under CRN, the
    groups, and the cells (n, h) where both baseline paths keep a level (None: all do).

    Each row is one path: A and B draw baseline paths and chance draws from their own
    seeds (``seeds``: base A, base B, chance A, chance B); a swapped matrix reuses A's,
    and only the assumption owning the swapped columns is recomputed. The last two
    blocks swap the baseline paths, then the chance draws, taken from B.
    """
    s_base_a, s_base_b, s_ch_a, s_ch_b = seeds
    n = u.shape[0]
    names = [p.assumption for p in params]
    groups = list(dict.fromkeys(names))
    col_groups = [[i] for i in range(len(params))] + [
        [i for i, nm in enumerate(names) if nm == g] for g in groups
    ]
    a_u, b_u = _sobol.split(u)

    def values(mat: np.ndarray) -> list[np.ndarray]:
        return [np.asarray(p.dist.quantile(mat[:, j])) for j, p in enumerate(params)]

    # each parameter's values in A and in B, computed once: a swapped matrix A_B^g is A's
    # values with the columns of g taken from B's, so it is never built (all d + g of them
    # took (d + g) n d floats, and recomputing every quantile for each was O(n d^2) work)
    q_a, q_b = values(a_u), values(b_u)

    base_a = np.asarray(fit.simulate(h, n, seed=s_base_a), dtype=float)  # type: ignore[attr-defined]
    base_b = np.asarray(fit.simulate(h, n, seed=s_base_b), dtype=float)  # type: ignore[attr-defined]
    ctx_a, ctx_b = ev.context(base_a), ev.context(base_b)
    va = by_assumption(params, q_a)
    eff_a = ev.effects(va, ctx_a, s_ch_a)
    tot_a = sum(eff_a.values())
    f_b = out(base_b, sum(ev.effects(by_assumption(params, q_b), ctx_b, s_ch_b).values()))
    f_ab = []
    with progress_bar(progress, len(col_groups), "sobol", "input") as bar:
        for cg in col_groups:
            owner = names[cg[0]]  # every column of a group belongs to one assumption
            vals = by_assumption(params, [q_b[j] if j in cg else q for j, q in enumerate(q_a)]
                                 )[owner]
            e = ev.effect(owner, vals, ctx_a, s_ch_a)
            f_ab.append(out(base_a, tot_a - eff_a[owner] + e))
            bar.update()
    f_ab.append(out(base_b, sum(ev.effects(va, ctx_b, s_ch_a).values())))
    f_ab.append(out(base_a, sum(ev.effects(va, ctx_a, s_ch_b).values())))
    live_a, live_b = live_cells(base_a, ev.floor), live_cells(base_b, ev.floor)
    live = (None if live_a is None and live_b is None else
            (True if live_a is None else live_a) & (True if live_b is None else live_b))
    return out(base_a, tot_a), f_b, f_ab, groups, live
