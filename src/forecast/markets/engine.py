"""The multi-market Monte Carlo engine: project a joint fit (a SplitFit) under scenarios.

:func:`project_markets` works as :func:`forecast.project` does, market by market: the run
is cut into fixed-size chunks seeded from the root SeedSequence (the same chunk seeds,
simulation and effects children, as the single-market engine), each chunk simulates the
joint model's coordinates once, turns them into the baseline levels of every part and
applies every scenario to those same paths (common random numbers), with diversion
(:mod:`forecast.markets.allocation`). Results are bit-identical whatever the executor.
"""

from __future__ import annotations

import functools
import numbers
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._defaults import PROJECTION_PATHS
from .._keywords import checked_keywords, suggest
from .._resources import keep_workspace
from .._seeds import SeedLike, as_seed_sequence, rebuild, seed_json, task_seeds_of
from .._validation import check_int, hand_over, user_stacklevel
from .._version import __version__
from ..errors import ForecastTypeError, ParameterError
from ..history.markets import TOTAL, softmax_levels
from ..projection._collect import check_path_memory, workers
from ..projection._shared import SharedArrays, output_arrays, run_in_shared, run_resident
from ..projection.chunks import check_range, chunk_bounds
from ..projection.engine import (
    _check_executor,
    _horizon,
    _normalise_scenarios,
    censoring,
    run_collected,
)
from ..scenarios.scenario import check_starts
from .allocation import apply_scenario, censored_parts, check_scenarios, coordinate_floors
from .projection import MarketProjection
from .split import SplitFit, base_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..scenarios import Scenario, ScenarioSet

__all__ = ["project_markets"]


@dataclass(frozen=True)
class MarketJob:
    """Everything a worker needs to run one chunk (small, picklable)."""

    fit: SplitFit
    scenarios: tuple[Any, ...]
    years: np.ndarray
    centers: np.ndarray  # (P, h) levels
    target: str
    entropy: Any
    spawn_key: tuple[int, ...]
    pool_size: int
    n_paths: int
    chunk_size: int
    token: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    def __dask_tokenize__(self) -> str:  # unique per run, see forecast.projection.chunks.Job
        return self.token

    @property
    def root(self) -> np.random.SeedSequence:
        return rebuild(self.entropy, self.spawn_key, self.pool_size)


def run_market_chunk(job: MarketJob, i: int, out=None):
    """Chunk `i`: (i, levels (S, P, n_i, h), coordinate logs (C, n_i, h)) or written to `out`."""
    keep_workspace()  # chunks reuse freed memory, in any process (a no-op after the first)
    lo, hi = i * job.chunk_size, min((i + 1) * job.chunk_size, job.n_paths)
    n, h = hi - lo, job.years.size
    sim_seed, eff_seed = task_seeds_of(job.entropy, job.spawn_key, job.pool_size, i)
    fitted = job.fit.simulate_fitted(h, n, seed=sim_seed)  # (n, C, h)
    for c, name in enumerate(job.fit.coordinate_names):  # what was fitted, before converting
        check_range(fitted[:, c], f"joint model ({name})", job.years)
    logs = np.ascontiguousarray(np.moveaxis(job.fit.as_ratios(fitted), 1, 0))
    base = base_of(logs)
    dead = censored_parts(logs, coordinate_floors(job.fit), job.fit.coordinates)
    parts = job.fit.parts
    levels = np.empty((len(job.scenarios), len(parts), n, h)) if out is None else out[0]
    caches: dict[str, Any] = {}
    last_year = int(job.years[0]) - 1
    for s, scenario in enumerate(job.scenarios):
        lv, _ = apply_scenario(scenario, base, job.centers, job.years, last_year, eff_seed,
                               parts, job.target, caches, dead=dead)
        check_range(np.log(lv), f"scenario {scenario.name!r}", job.years)
        levels[s] = lv
    if out is None:
        return i, levels, logs
    out[1][...] = logs
    return i, None, None


def _run(job: MarketJob, bounds, executor, samples: np.ndarray, base_log: np.ndarray,
         shared: SharedArrays | None = None, progress: bool = False) -> None:
    """Run every chunk (serially, on threads or via ``executor.map``) into the arrays,
    with a progress bar over chunks when `progress` (as :func:`forecast.project`)."""
    if executor is None or isinstance(executor, ThreadPoolExecutor):
        def task(i: int):  # shared memory: each chunk writes its own slices
            lo, hi = bounds[i]
            return run_market_chunk(job, i, out=(samples[:, :, lo:hi], base_log[:, lo:hi]))
    elif shared is not None:  # a process pool's workers write into the same arrays
        task = functools.partial(run_in_shared, run_market_chunk, job, shared)
    else:
        task = functools.partial(run_resident, run_market_chunk, job)
    # checked as in forecast.project: every chunk once, with its own index and shapes
    run_collected(executor, task, bounds, samples, base_log, progress, "project_markets")


def _check_memory(n_scen: int, n_parts: int, n_coords: int, n_paths: int, h: int,
                  chunk: int, executor: Any) -> tuple[tuple[tuple[int, ...], ...], str]:
    """The output arrays' shapes and description, after checking they fit in memory
    (ResourceError otherwise).

    Per path: the levels of every scenario and part, and the model's coordinates (the
    total and each market's log-ratio). Per chunk in flight: the same for the chunk, and
    the allocation's workspace, a few arrays per part.
    """
    per_path = 8 * h * (n_scen * n_parts + n_coords)
    work = 8 * h * min(chunk, n_paths) * (n_scen * n_parts + n_coords + 4 * n_parts)
    work *= workers(executor)
    what = (f"projecting {n_scen} scenario(s) x {n_parts} parts x {n_paths:,} paths x "
            f"{h} years")
    check_path_memory(per_path, work, n_paths, what)
    return ((n_scen, n_parts, n_paths, h), (n_coords, n_paths, h)), what


def _inputs(fit, scenarios, to, horizon, target):
    """Checked (years, scenarios, probabilities, diversion notes) of a run."""
    if not isinstance(fit, SplitFit):
        raise ForecastTypeError(f"`fit` must be a SplitFit; got {type(fit).__name__}. Fit one "
                                "with forecast.BottomUpModel().fit(forecast.reconstruct_markets()) "
                                "or forecast.SplitModel().fit(...).")
    h = _horizon(to, horizon, fit.last_year)
    years = np.arange(fit.last_year + 1, fit.last_year + h + 1, dtype=np.int64)
    items, probabilities = _normalise_scenarios(scenarios)
    check_starts(items, fit.last_year)
    _check_target(target, fit.parts)
    return years, items, probabilities, check_scenarios(items, fit.parts, target)


def _check_target(target: Any, parts: tuple[str, ...]) -> None:
    """`target` must name a part of the projection or ``"ALL"``: the message lists them and,
    for another case (``"us"``), a near miss or a code not projected, says what was meant."""
    targets = (*parts, TOTAL)
    example = "US" if "US" in parts else parts[0]
    if not isinstance(target, str):
        raise ForecastTypeError(f"`target` must be a market code (str), one of "
                                f"{', '.join(targets)}; got {target!r} "
                                f"({type(target).__name__}). Pass e.g. target={example!r}.")
    if target not in targets:
        hint = suggest(target, targets) or (
            f" {target!r} is not a market of this projection: reconstruct it with "
            "forecast.reconstruct_markets(markets=...) and fit and project again, or pass "
            f"one of those (e.g. target={example!r})." if target.strip() else
            f" Pass one of those (e.g. target={example!r}).")
        raise ParameterError(f"`target` must be a market of the projection or 'ALL' "
                             f"({', '.join(targets)}); got {target!r}.{hint}", field="target")


def market_censoring(fit: SplitFit, years: np.ndarray) -> list[str]:
    """For each coordinate fit whose baseline paths leave its working scale (more than
    ``CENSORED_WARN`` of them, :func:`forecast.projection.engine.censoring`), e.g.
    ``"JP (1.0% in 2036, 4.3% in 2045)"``; empty when none does."""
    out = []
    for coord in fit.fits:
        found = censoring(coord, years)
        if found is None:
            continue
        first, share_first, share_last = found
        last = int(years[-1])
        when = (f"{100 * share_first:.1f}% in {first}" if first == last else
                f"{100 * share_first:.1f}% in {first}, {100 * share_last:.1f}% in {last}")
        out.append(f"{coord.series.name or coord.name} ({when})")
    return out


def warn_market_censoring(found: list[str]) -> None:
    """Warn, as :func:`forecast.project` does for one market, when baseline paths of a
    coordinate (a market's level, China's total or a market's ratio to ROW) fall below
    the boundary of its near-level working scale and are censored (`found`: the list of
    :func:`market_censoring`)."""
    if found:
        warnings.warn(
            f"project_markets: baseline paths fall below the boundary of their model's "
            f"working scale (near-level Box-Cox: additive shocks can cross zero) in "
            f"{'; '.join(found)}; they are censored at a millionth of the smallest "
            "observation, so a lower quantile at that value means 'no positive level' (a "
            "share near 0), not a figure. On the log scale (e.g. BottomUpModel(forecast."
            "Auto(scale=\"log\"))) nothing is censored, but the bands widen "
            "multiplicatively instead: this far from the data, fewer years are better "
            "supported.", UserWarning, stacklevel=user_stacklevel())


@checked_keywords
def project_markets(fit: SplitFit, scenarios: Scenario | Sequence[Scenario] | ScenarioSet, *,
                    to: int | None = None, horizon: int | None = None,
                    n_paths: int = PROJECTION_PATHS, seed: SeedLike = None,
                    executor: Any = None, chunk_size: int = 10_000,
                    target: str = "US", progress: bool = False) -> MarketProjection:
    """Project every market (and China's total) under scenarios, with common random numbers.

    Parameters
    ----------
    fit : SplitFit
        ``BottomUpModel().fit(market_history)`` or ``SplitModel().fit(...)``;
        projections start after its last year.
    scenarios : Scenario, sequence of Scenario or ScenarioSet
        E.g. ``forecast.market_presets.scenario_set()``. Plain assumptions act on `target`;
        :class:`~forecast.scenarios.Diversion` assumptions on their own market.
    to, horizon, n_paths, seed, executor, chunk_size
        As in :func:`forecast.project` (same chunk seeds: a result does not depend on
        the executor or the number of workers).
    target : str, default "US"
        The market plain assumptions act on (a part of the projection, or ``"ALL"``).
    progress : bool, default False
        Show a tqdm progress bar over chunks (when tqdm is installed), as
        :func:`forecast.project`.

    Returns
    -------
    MarketProjection

    Examples
    --------
    >>> import forecast
    >>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
    >>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
    >>> sset = forecast.market_presets.scenario_set()
    >>> mp = project_markets(fit, sset, to=2030, n_paths=200, seed=2)
    >>> mp.samples.shape     # scenarios, parts (US, EU, ROW), paths, years
    (9, 3, 200, 5)
    """
    years, items, probabilities, notes = _inputs(fit, scenarios, to, horizon, target)
    if notes:  # documented, but a misspelt receiver ("EUR") must not pass unseen
        warnings.warn("project_markets: " + "; ".join(f"{k}: {v}" for k, v in notes.items())
                      + f" (the projection's markets: {', '.join(fit.parts)}). Name them in "
                      "reconstruct_markets(markets=...) to project them.", UserWarning,
                      stacklevel=user_stacklevel())
    h = years.size
    n_paths = check_int("n_paths", n_paths, 1, None, fix="Pass e.g. n_paths=10_000.")
    censored = market_censoring(fit, years)  # once: warned now, recorded in settings
    warn_market_censoring(censored)
    chunk_size = check_int("chunk_size", chunk_size, 1, None, fix="Pass e.g. chunk_size=10_000.")
    _check_executor(executor, progress)
    root = as_seed_sequence(seed)
    center_logs = fit.point_forecast(h)
    centers = softmax_levels(center_logs[0], center_logs[1:])
    shapes, what = _check_memory(len(items), len(fit.parts), len(fit.fits), n_paths, h,
                                 chunk_size, executor)
    bounds = chunk_bounds(n_paths, chunk_size)
    job = MarketJob(fit, tuple(items), years, centers, target, root.entropy,
                    tuple(root.spawn_key), int(root.pool_size), n_paths, chunk_size)
    with output_arrays(shapes, executor, what) as ((samples, base_log), shared):
        _run(job, bounds, executor, samples, base_log, shared, progress)
    hand_over(samples, base_log)  # kept, not copied (a copy doubled the peak memory)
    entropy = root.entropy
    settings = {"n_paths": n_paths, "chunk_size": chunk_size, "n_chunks": len(bounds),
                "horizon": h, "last_year": fit.last_year, "spawn_key": list(root.spawn_key),
                "pool_size": int(root.pool_size), "target": target,
                "correlation": fit.correlation.tolist(), "diversion_notes": notes,
                "censored": censored, "coordinates": fit.coordinates,
                "floor_logs": list(coordinate_floors(fit)),
                "versions": {"forecast": __version__, "numpy": np.__version__}}
    fit_seed = getattr(fit, "seed", None)
    if fit_seed is not None:  # the joint fit's seed, for reproduction
        settings["fit_seed"] = seed_json(fit_seed)
    return MarketProjection(
        years=years, parts=fit.parts, scenario_names=tuple(s.name for s in items),
        samples=samples, base_log=base_log, centers=centers, history=fit.history,
        seed=int(entropy) if isinstance(entropy, numbers.Integral) else tuple(entropy),
        model=fit.name, unit=fit.unit, probabilities=probabilities, scenarios=tuple(items),
        settings=settings)
