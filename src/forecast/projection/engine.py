"""The Monte Carlo engine: project a fitted model under scenarios with common random numbers.

:func:`project` simulates the baseline model's log paths once per chunk of paths and adds
every scenario's log effects to those same paths, so that differences between scenarios
are the scenarios' own and not Monte Carlo noise. Chunks have a fixed size and their own
seeds, so the result is bit-identical whatever executor runs them and however many
workers it has. See ``docs/results.md``.
"""

from __future__ import annotations

import functools
import numbers
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from .._defaults import PROJECTION_PATHS
from .._keywords import checked_keywords
from .._seeds import SeedLike, as_seed_sequence, seed_json
from .._threads import attributed
from .._validation import check_bool, check_int, check_unique, hand_over, user_stacklevel
from .._version import __version__
from ..errors import (
    ForecastError,
    ForecastTypeError,
    ParameterError,
    ScenarioError,
    SimulationError,
)
from ..scenarios.scenario import check_starts, warn_late_starts
from ._collect import check_run_memory, collect
from ._shared import SharedArrays, output_arrays, run_in_shared, run_resident
from .checks import VALUES_CHECKED
from .chunks import Job, chunk_bounds, run_chunk
from .projection import Projection

if TYPE_CHECKING:
    from ..models import FitLike
    from ..scenarios import Scenario, ScenarioSet

__all__ = ["project"]

MAX_HORIZON = 100


@checked_keywords
def project(
    fit: FitLike,
    scenarios: Scenario | Sequence[Scenario] | ScenarioSet,
    *,
    to: int | None = None,
    horizon: int | None = None,
    n_paths: int = PROJECTION_PATHS,
    seed: SeedLike = None,
    executor: Any = None,
    chunk_size: int = 10_000,
    progress: bool = False,
) -> Projection:
    """Project a fitted model under one or more scenarios by Monte Carlo simulation.

    Each chunk of paths draws the baseline log paths once, ``fit.simulate(h, n, seed)``,
    and every scenario adds the sum of its assumptions' log effects to those same paths
    (common random numbers); levels are ``exp`` of the result.

    Parameters
    ----------
    fit : Fit
        A fitted model (``spec.fit(data)``; an outside model's fit has what
        :class:`~forecast.models.FitLike` lists); projections start in
        ``fit.last_year + 1``.
    scenarios : Scenario, sequence of Scenario or ScenarioSet
        The scenarios to project, with unique names. A ScenarioSet with probabilities
        makes ``Projection.mixture()`` available.
    to : int, optional
        Last projected year (e.g. 2035), after ``fit.last_year``. Give `to` or `horizon`.
    horizon : int, optional
        Number of projected years, in [1, 100]. Give `to` or `horizon`.
    n_paths : int, default 10_000
        Number of simulated paths (shared by every scenario), at least 1.
    seed : int, numpy Generator, SeedSequence or None
        Seed of the run (SPEC 7). None draws fresh entropy; the entropy used is recorded
        in ``Projection.seed`` so that any run can be reproduced.
    executor : object with ``.map``, optional
        Runs the chunks, e.g. a ``concurrent.futures`` executor or a dask
        ``client.get_executor()``. None runs them serially. The result does not depend on it.
        Threads, and on Linux a ``ProcessPoolExecutor``'s workers (through shared memory),
        write their chunks straight into the result; other executors return them.
    chunk_size : int, default 10_000
        Paths per chunk (at least 1). Chunk ``i`` is seeded by
        ``SeedSequence(seed).spawn(n_chunks)[i]``, so changing `chunk_size` changes the
        draws; changing the executor or the number of workers does not.
    progress : bool, default False
        Show a tqdm progress bar over chunks (when tqdm is installed).

    Returns
    -------
    Projection
        Samples of the level, shape (n_scenarios, n_paths, horizon), with everything
        needed to summarise, decompose, save and reproduce the run.

    Raises
    ------
    ParameterError, ForecastTypeError
        For a bad `to`/`horizon`, `n_paths`, `chunk_size`, `seed` or `executor`.
    ResourceError
        Before allocating anything, when the samples would not fit in the memory available
        (the message gives the figure and the largest `n_paths` that fits).
    ScenarioError
        For duplicate or missing scenario names, or an assumption starting before the
        first projected year.
    SimulationError
        When a level leaves [1e-300, 1e300] (overflow of ``exp``), naming the scenario
        and the year; when a scenario moves the level by more than a factor of
        ``exp(MAX_EFFECT)``; or when the executor raises, drops, repeats or garbles a
        chunk (naming the chunk and the cause).

    Warns
    -----
    UserWarning
        When more than 1% of the baseline paths fall below the boundary of the fit's
        Box-Cox working scale in a projected year (``Fit.censored_share``, the same for
        every seed): those paths have no positive level and are censored at
        ``Fit.floor_log``.

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.08**i * (1 + 0.03 * (-1)**i) for i in range(10)]
    >>> s = forecast.AnnualSeries(range(2015, 2025), values)
    >>> fit = forecast.Drift().fit(s)
    >>> proj = forecast.project(fit, forecast.Scenario("baseline"), to=2030,
    ...                         n_paths=200, seed=1)
    >>> proj.samples.shape, int(proj.years[0]), proj.seed
    ((1, 200, 6), 2025, 1)
    """
    _check_fit(fit)
    last_year = int(fit.last_year)
    h = _horizon(to, horizon, last_year)
    years = np.arange(last_year + 1, last_year + h + 1, dtype=np.int64)
    items, probabilities = _normalise_scenarios(scenarios)
    check_starts(items, last_year)
    n_paths = check_int("n_paths", n_paths, 1, None, fix="Pass e.g. n_paths=10_000.")
    chunk_size = check_int("chunk_size", chunk_size, 1, None, fix="Pass e.g. chunk_size=10_000.")
    _check_executor(executor, progress)
    root = as_seed_sequence(seed)
    center = _center(fit, h)
    _warn_censoring(fit, years)
    warn_late_starts(items, int(years[-1]), "project", "Project further (to=...; --to on the "
                     "command line) or check the start year.")

    n_assumptions = sum(len(getattr(s, "assumptions", ())) for s in items)
    what = f"projecting {len(items)} scenario(s) x {n_paths:,} paths x {h} years"
    check_run_memory(len(items), n_assumptions, n_paths, h, chunk_size, executor, what)
    bounds = chunk_bounds(n_paths, chunk_size)
    job = Job(fit, tuple(items), years, center, last_year, root.entropy,
              tuple(root.spawn_key), int(root.pool_size), n_paths, chunk_size)
    with output_arrays(((len(items), n_paths, h), (n_paths, h)), executor,
                       what) as ((samples, base_log), shared):
        _run_chunks(job, bounds, samples, base_log, executor, progress, shared)

    settings = {
        "n_paths": n_paths,
        "chunk_size": chunk_size,
        "n_chunks": len(bounds),
        "horizon": h,
        "last_year": last_year,
        "spawn_key": list(root.spawn_key),
        "pool_size": int(root.pool_size),
        "versions": _versions(),
    }
    floor = float(getattr(fit, "floor_log", -np.inf))
    if floor > -np.inf:  # censored baseline paths stay at the floor in every scenario
        settings["floor_log"] = floor
    call = getattr(getattr(fit, "spec", None), "call_text", None)
    if callable(call):  # how the fit was made, for the report's reproduction code
        settings["model_spec"] = str(call())
        fit_seed = getattr(fit, "seed", None)  # a History fit records its draws' entropy
        settings["fit_data"] = "series" if fit_seed is None else "history"
        if fit_seed is not None:
            settings["fit_seed"] = seed_json(fit_seed)
        source = getattr(fit, "source", None)  # what the fitted History measures
        if source:
            settings["fit_source"] = {str(k): str(v) for k, v in source.items()}
    entropy = root.entropy
    seed_value = int(entropy) if isinstance(entropy, numbers.Integral) else tuple(entropy)
    # chunks written in place by run_chunk were checked there; returned ones are checked
    token = VALUES_CHECKED.set(executor is None or isinstance(executor, ThreadPoolExecutor))
    try:
        return _projection(
            years, items, samples, base_log, center, fit, seed_value, probabilities, settings)
    finally:
        VALUES_CHECKED.reset(token)


def _projection(years: np.ndarray, items: list[Any], samples: np.ndarray,
                base_log: np.ndarray, center: np.ndarray, fit: Any, seed_value: Any,
                probabilities: Any, settings: dict[str, Any]) -> Projection:
    hand_over(samples, base_log)  # kept, not copied (a copy doubled the peak memory)
    return Projection(
        years=years,
        scenario_names=tuple(s.name for s in items),
        samples=samples,
        base_log=base_log,
        center=center,
        history=fit.series,
        seed=seed_value,
        model=str(fit.name),
        unit=str(fit.unit),
        probabilities=probabilities,
        scenarios=tuple(items),
        settings=settings,
    )



def _check_executor(executor: Any, progress: Any) -> None:
    if executor is not None and not callable(getattr(executor, "map", None)):
        raise ForecastTypeError(
            f"`executor` must have a `.map(fn, iterable)` method; got {executor!r} "
            f"({type(executor).__name__}). Pass a concurrent.futures executor, "
            "client.get_executor() from dask.distributed, or None to run serially."
        )
    check_bool("progress", progress)


#: share of the baseline paths beyond the working scale's boundary that :func:`project`
#: warns about (by the last year projected)
CENSORED_WARN = 0.01


def censoring(fit: Any, years: Sequence[int]) -> tuple[int, float, float] | None:
    """(first year, its share, the last year's share) of baseline paths without a level.

    None when the share stays at or below CENSORED_WARN over `years` (consecutive, from
    ``fit.last_year + 1``), or when `fit` cannot tell (``Fit.censored_share``: the fit's
    analytic probability, so the answer does not depend on the seed or the number of
    paths). :func:`project` warns with it and the HTML report states it.
    """
    share_of = getattr(fit, "censored_share", None)
    if share_of is None or len(years) == 0:
        return None
    share = np.asarray(share_of(len(years)), dtype=float)
    over = np.flatnonzero(share > CENSORED_WARN)
    if over.size == 0:
        return None
    j = int(over[0])
    return int(years[j]), float(share[j]), float(share[-1])


def _warn_censoring(fit: Any, years: np.ndarray) -> None:
    """Warn when more than CENSORED_WARN of the baseline paths will have no level."""
    found = censoring(fit, years)
    if found is None:
        return
    first, share_first, share_last = found
    last = int(years[-1])
    when = (f"in {first}" if first == last else  # only the last year is over: say it once
            f"in {first} and {100 * share_last:.1f}% in {last}")
    warnings.warn(
        f"project: {100 * share_first:.1f}% of the baseline paths {when} fall below the "
        f"boundary of the model's working scale (Box-Cox lambda {fit.lam:.2f}: near-level, "
        f"additive shocks can cross zero) and are censored at {np.exp(fit.floor_log):.3g} "
        f"{fit.unit}, a "
        "millionth of the smallest observation; lower quantiles at that value mean 'no "
        "positive level', not a figure. On the log scale (scale=\"log\"; --scale log on the "
        "command line) nothing is censored, but its bands widen multiplicatively instead: "
        "this far from the data, fewer years are better supported.",
        UserWarning, stacklevel=user_stacklevel())


def _center(fit: Any, h: int) -> np.ndarray:
    """The fit's point forecast of the log level, checked (h,) and finite."""
    center = np.asarray(fit.point_forecast(h), dtype=float)
    if center.shape != (h,) or not np.all(np.isfinite(center)):
        raise ParameterError(
            f"`fit.point_forecast({h})` must return {h} finite log levels; got shape "
            f"{center.shape}. The model {fit.name!r} breaks the Fit contract."
        )
    return center


def _run_chunks(job: Job, bounds: Sequence[tuple[int, int]], samples: np.ndarray,
                base_log: np.ndarray, executor: Any, progress: bool,
                shared: SharedArrays | None = None) -> None:
    """Run every chunk of `job` on `executor` and fill `samples` and `base_log`.

    Serial and threaded runs write each chunk's disjoint slices in place, and so do a
    process pool's workers where the arrays are `shared` with them (``_shared``). Other
    executors (dask) return the chunks, pickled, and they are copied into place.
    """
    if executor is None or isinstance(executor, ThreadPoolExecutor):
        def task(i: int) -> tuple[int, None, None]:
            lo, hi = bounds[i]
            return run_chunk(job, i, out=(samples[:, lo:hi], base_log[lo:hi]))
    elif shared is not None:
        task = functools.partial(run_in_shared, run_chunk, job, shared)
    else:
        task = functools.partial(run_resident, run_chunk, job)
    run_collected(executor, task, bounds, samples, base_log, progress, "project")


def run_collected(executor: Any, task: Any, bounds: Sequence[tuple[int, int]],
                  samples: np.ndarray, base_log: np.ndarray, progress: bool,
                  desc: str) -> None:
    """Map `task` over the chunk indices on `executor` and collect every chunk into
    `samples` and `base_log` (each once, checked), with a progress bar named `desc` when
    `progress`; :func:`forecast.project_markets` runs its chunks through it too."""
    bar = _progress_bar(progress, len(bounds), desc)
    try:
        collect(_map(executor, task, range(len(bounds))), bounds, samples, base_log,
                None if bar is None else (lambda: bar.update(1)))
    finally:
        if bar is not None:
            bar.close()


def _map(executor: Any, task: Any, indices: range) -> Any:
    """``executor.map(task, indices)`` (lazy ``map`` without one); a failing call is reported.

    A process pool gets the chunks in batches (``chunksize``), about four per worker:
    each call pickles `task`, and with it the job and the fit (1.9 ms for the 60-member
    default), so 100 chunks sent one by one paid that 100 times (7 presets x 10^6 paths
    with 2 workers: 1.13 -> 1.06 s). Four batches a worker keep the load balanced; which
    worker runs a chunk never changes its values.
    """
    if executor is None:
        return map(task, indices)
    task = attributed(task)  # a worker thread's warnings point at the user's call
    try:
        if isinstance(executor, ProcessPoolExecutor):
            return executor.map(task, indices, chunksize=_batch(executor, len(indices)))
        return executor.map(task, indices)
    except ForecastError:
        raise
    except Exception as exc:
        raise SimulationError(
            f"`executor.map` failed before running any chunk: {type(exc).__name__}: {exc}. "
            "Check that the executor is running (not shut down), or pass executor=None."
        ) from exc


def _batch(executor: ProcessPoolExecutor, n_chunks: int) -> int:
    """Chunks per task for a process pool: about four tasks per worker, at least one chunk."""
    workers = getattr(executor, "_max_workers", None)  # not public: fall back on the CPUs
    if not isinstance(workers, int) or workers < 1:
        workers = os.cpu_count() or 1
    return max(1, -(-n_chunks // (4 * workers)))


def _check_fit(fit: Any) -> None:
    if hasattr(fit, "simulate_levels") and hasattr(fit, "parts"):  # a joint market fit
        raise ForecastTypeError(
            f"`fit` is a fit of several markets ({type(fit).__name__}: "
            f"{', '.join(map(str, fit.parts))}); project it with forecast.project_markets"
            "(fit, scenarios, ...), or fit one series, e.g. forecast.Drift().fit(series).",
            field="fit")
    missing = [a for a in ("simulate", "point_forecast", "last_year", "series", "name", "unit")
               if not hasattr(fit, a)]
    if missing:
        raise ForecastTypeError(
            f"`fit` must be a fitted model (a Fit); got {type(fit).__name__} without "
            f"{', '.join(missing)}. Fit a model first, e.g. fit = forecast.Drift().fit(series)."
        )


def _horizon(to: Any, horizon: Any, last_year: int) -> int:
    if (to is None) == (horizon is None):
        raise ParameterError(
            "pass exactly one of `to` (the last projected year) and `horizon` (the number of "
            f"years); got to={to!r}, horizon={horizon!r}. Pass e.g. to=2035 or horizon=10."
        )
    if to is not None:
        to = check_int("to", to, last_year + 1, last_year + MAX_HORIZON,
                       fix=f"The data end in {last_year}; pass a later year, e.g. "
                           f"to={last_year + 10}.")
        return to - last_year
    return check_int("horizon", horizon, 1, MAX_HORIZON, fix="Pass e.g. horizon=10.")


def _normalise_scenarios(scenarios: Any) -> tuple[list[Any], tuple[float, ...] | None]:
    probabilities = None
    if hasattr(scenarios, "effects"):
        items = [scenarios]
    elif hasattr(scenarios, "scenarios") and hasattr(scenarios, "probabilities"):
        items = list(scenarios.scenarios)
        if scenarios.probabilities is not None:
            probabilities = tuple(float(p) for p in scenarios.probabilities)
    elif isinstance(scenarios, Sequence) and not isinstance(scenarios, str | bytes):
        items = list(scenarios)
    else:
        raise ForecastTypeError(
            f"`scenarios` must be a Scenario, a sequence of Scenarios or a ScenarioSet; got "
            f"{type(scenarios).__name__}. Pass e.g. forecast.presets.scenario_set()."
            + _by_name(scenarios)
        )
    if not items:
        raise ScenarioError(
            "`scenarios` must hold at least one scenario; got none. Pass e.g. "
            "forecast.Scenario('baseline')."
        )
    for k, s in enumerate(items):
        if not (hasattr(s, "effects") and hasattr(s, "name")):
            raise ForecastTypeError(
                f"`scenarios[{k}]` must be a Scenario; got {type(s).__name__}. "
                "Build it with forecast.Scenario(name, assumptions)." + _by_name(s)
            )
    check_unique([s.name for s in items], "scenario names", "Rename them, e.g. with "
                 "dataclasses.replace(scenario, name=...).", ScenarioError, field="scenarios")
    return items, probabilities


def _by_name(value: Any) -> str:
    """A hint for a scenario given by its name (a str where a Scenario is needed)."""
    if not isinstance(value, str):
        return ""
    return (f" For a preset by name, pass forecast.presets.get({value!r}) (names: "
            "forecast.presets.names()).")


def _progress_bar(enabled: bool, total: int, desc: str = "project") -> Any:
    """A tqdm bar over `total` chunks named `desc`, or None (not asked, or no tqdm)."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm  # lazy: the optional `progress` extra
    except ImportError:
        return None
    return tqdm(total=total, unit="chunk", desc=desc)


def _versions() -> dict[str, str]:
    return {"forecast": __version__, "numpy": np.__version__}
