"""Backtest tasks, benchmark models and truths (private helpers of ``evaluation``).

A task is one (model, origin) pair: fit on what was known at the origin, simulate
``n_paths`` paths, return the level samples. Tasks are small frozen values that a
process pool can ship; each carries the parts of the run's root SeedSequence and its
origin, and fits and simulates with the two seeds of that origin
(:func:`forecast._seeds.origin_seeds`), so results depend neither on the executor, nor
on the number of workers, nor on which other origins run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._seeds import origin_seeds, rebuild
from .._threads import attributed
from ..errors import ForecastError, ModelError
from ..history import reconstruct
from ..records import load_exchange_rates
from ..series import AnnualSeries
from ._inputs import FIRST_DEFAULT_ORIGIN

__all__: list[str] = []


# --------------------------------------------------------------------------- tasks
@dataclass(frozen=True)
class Task:
    """Fits at one origin: each of `specs` on `data` known at origin `label`.

    For pseudo-real-time `data` is the Records published by the origin and
    `reconstruct` the keyword arguments of :func:`forecast.reconstruct`: the History is
    rebuilt inside the task, once for all specs, and never crosses a process boundary.
    """

    specs: tuple[Any, ...]
    data: Any  # AnnualSeries (rolling origin) or Records (pseudo-real-time)
    label: object
    horizon: int
    n_paths: int
    entropy: Any
    spawn_key: tuple[int, ...]
    pool_size: int
    reconstruct: dict | None = None

    @property
    def seeds(self) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
        """(fit seed, simulation seed) of this task."""
        return origin_seeds(rebuild(self.entropy, self.spawn_key, self.pool_size), self.label)


#: reconstruct's advice to publish later (``as_of``); in a backtest the date is the origin
_LATER_AS_OF = re.compile(r"Pass a later `?as_of`?")


def in_origin_words(message: str) -> str:
    """`message`, from reconstructing the history at an origin, with its advice in the
    backtest's terms: the date is an origin (``origins=[...]``), not ``as_of``.

    Examples
    --------
    >>> in_origin_words("the table starts in 2009. Pass a later `as_of`.")
    'the table starts in 2009. Pass later `origins` (the default ones start in 2013).'
    """
    return _LATER_AS_OF.sub(f"Pass later `origins` (the default ones start in "
                            f"{FIRST_DEFAULT_ORIGIN})", message)


def _fit_simulate(spec: Any, data: Any, task: Task) -> dict[str, Any] | str:
    """The task's samples for one spec, or why it was skipped.

    A ModelError (the model cannot be fitted to this window, or cannot give a finite
    forecast from it) skips this (model, origin) pair, as a too-short window does: the
    other origins are still scored and the reason is listed. Any other error stops the
    backtest, naming the model and origin (a bad argument would fail everywhere).
    """
    fit_seed, sim_seed = task.seeds
    try:
        fit = spec.fit(data, seed=fit_seed)
        series = fit.series
        logs = np.asarray(fit.simulate(task.horizon, task.n_paths, seed=sim_seed), dtype=float)
    except ModelError as exc:
        return f"{spec.name} at origin {task.label}: {exc}"
    except ForecastError as exc:
        raise type(exc)(f"backtest of {spec.name} at origin {task.label}: {exc}") from exc
    except Exception as exc:  # a user's own model failing: keep its traceback, say where
        exc.add_note(f"(raised in the backtest of {spec.name} at origin {task.label}: pass "
                     "origins=[...] without it, or fix the model there)")
        raise
    if logs.shape != (task.n_paths, task.horizon) or not np.all(np.isfinite(logs)):
        raise ModelError(f"backtest of {spec.name} at origin {task.label}: simulate() "
                         f"returned shape {logs.shape} or non-finite values; the model breaks "
                         "the Fit contract.")
    values = np.asarray(series.values, dtype=float)
    return {
        "last_year": int(series.last_year),
        # exp(690) ~ 1e300 keeps sums over thousands of draws finite
        "samples": np.exp(np.clip(logs, -690.0, 690.0)),
        "scale": float(np.mean(np.abs(np.diff(values)))) if values.size > 1 else float("nan"),
    }


def run_task(task: Task) -> list[dict[str, Any] | str]:
    """Per spec: the level samples ``(n_paths, h)`` and training facts, or why skipped."""
    data = task.data
    if task.reconstruct is not None:
        try:
            data = reconstruct(data, **known_rates(task.reconstruct, task.label))
        except ForecastError as exc:
            return [f"origin {task.label}: no history could be reconstructed "
                    f"({in_origin_words(str(exc))})"] * len(task.specs)
    out: list[dict[str, Any] | str] = []
    for spec in task.specs:
        n, need = data_length(data), min_length(spec)
        if n < need:
            out.append(f"{spec.name} at origin {task.label}: {n} years known, the model "
                       f"needs {need}")
        else:
            out.append(_fit_simulate(spec, data, task))
    return out


def known_rates(reconstruct_kw: dict, as_of: object) -> dict:
    """`reconstruct_kw` with its exchange rates (default: the embedded ones) cut at the
    origin `as_of`: a pseudo-real-time history converts currencies with the averages
    known then (:meth:`~forecast.records.fx.ExchangeRates.known_by`), not with a year's
    average published after it ended."""
    fx = reconstruct_kw.get("fx")
    fx = load_exchange_rates() if fx is None else fx
    return {**reconstruct_kw, "fx": fx.known_by(as_of)}


def map_tasks(tasks: list[Task], executor: Any) -> list[list[dict[str, Any] | str]]:
    """Run tasks serially or with ``executor.map``; results in task order."""
    # attributed: the warnings of a worker thread point at the user's call, as serially
    results = (map(run_task, tasks) if executor is None
               else executor.map(attributed(run_task), tasks))
    return list(results)  # map() keeps the order of its input, whatever the executor


def data_length(data: Any) -> int:
    """Number of years a spec would be fitted on."""
    return len(data if isinstance(data, AnnualSeries) else data.series)


def min_length(spec: Any) -> int:
    try:
        return int(getattr(spec, "min_length", 1))
    except (TypeError, ValueError):
        return 1
