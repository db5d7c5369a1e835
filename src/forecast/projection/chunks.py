"""Chunked Monte Carlo kernel shared by :func:`forecast.project` and ``Projection.decompose``.

A run of ``n_paths`` paths is cut into fixed-size chunks. Chunk ``i`` is seeded by the
``i``-th child of the root :class:`numpy.random.SeedSequence` (what
``SeedSequence(seed).spawn(n_chunks)[i]`` returns) and that child's two children seed
the baseline simulation and the scenario effects (:func:`forecast._seeds.task_seeds`).
The seeds are built without ``spawn``, so a caller's SeedSequence is never mutated and
``decompose`` can recompute chunk ``i`` alone, with the very same seeds, long after the
run.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._resources import keep_workspace
from .._seeds import rebuild, task_seeds, task_seeds_of
from .._validation import readonly
from ..errors import ScenarioError, SimulationError
from ..scenarios import PathContext, Scenario
from ..scenarios.scenario import assumption_effects

# Levels must stay within [1e-300, 1e300]; checked on the log scale before ``exp``.
LOG_MAX = float(np.log(1e300))
LOG_MIN = -LOG_MAX
#: Largest combined effect of a scenario's assumptions, in log points: a scenario may
#: move the level by at most a factor of exp(10) (about 22,000) either way. Larger
#: effects are mistakes (a size of -100 meant as -100%), not scenarios.
MAX_EFFECT = 10.0


class ChunkBounds(Sequence):
    """Half-open path ranges ``[lo, hi)`` of every chunk, in order, computed on demand.

    A read-only sequence of ``(lo, hi)`` tuples (like a ``range``): its size does not grow
    with `n_paths`, so a run far too large for memory is refused by the memory check
    instead of by building a list of ``n_paths / chunk_size`` tuples first.
    """

    __slots__ = ("n_paths", "chunk_size")

    def __init__(self, n_paths: int, chunk_size: int) -> None:
        self.n_paths = int(n_paths)
        self.chunk_size = int(chunk_size)

    def __len__(self) -> int:
        return -(-self.n_paths // self.chunk_size) if self.n_paths > 0 else 0

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = operator.index(i)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("chunk index out of range")
        lo = i * self.chunk_size
        return lo, min(lo + self.chunk_size, self.n_paths)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"ChunkBounds(n_paths={self.n_paths}, chunk_size={self.chunk_size})"


def chunk_bounds(n_paths: int, chunk_size: int) -> ChunkBounds:
    """Half-open path ranges ``[lo, hi)`` of every chunk, in order (a lazy sequence)."""
    return ChunkBounds(n_paths, chunk_size)


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to run one chunk (small, picklable)."""

    fit: Any
    scenarios: tuple[Any, ...]
    years: np.ndarray
    center: np.ndarray
    last_year: int
    entropy: Any
    spawn_key: tuple[int, ...]
    pool_size: int
    n_paths: int
    chunk_size: int
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __dask_tokenize__(self) -> str:
        # dask.distributed names tasks by hashing their arguments and refuses objects it
        # cannot hash deterministically; a per-run random token keeps the keys unique
        # (two runs never share cached chunks) without hashing the fit or the scenarios.
        return self.token

    @property
    def root(self) -> np.random.SeedSequence:
        return rebuild(self.entropy, self.spawn_key, self.pool_size)


def make_context(years: np.ndarray, base: np.ndarray, center: np.ndarray, last_year: int,
                 *, checked: bool = False):
    """A :class:`forecast.scenarios.PathContext` over a read-only view of `base`.

    `checked` True: the caller has checked what ``PathContext`` would (the engine's
    years, ``_center``'s finite point forecast, and `base`'s shape and range in
    :func:`run_chunk`), so the context is built without checking them again (a pass
    over the whole of `base`).
    """
    if checked:
        return PathContext._prechecked(years, base, center, last_year)
    return PathContext(years, readonly(base), center, last_year)


def _is_plain_scenario(scenario: Any) -> bool:
    return type(scenario) is Scenario


def scenario_effects(scenario: Any, ctx: Any, seed: np.random.SeedSequence, n: int, h: int,
                     cache: dict[Any, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """``scenario.effects(ctx, seed)``, with shapes checked.

    For a plain :class:`forecast.scenarios.Scenario` the effects come from the one effects
    routine (:func:`forecast.scenarios.scenario.assumption_effects`, which
    ``Scenario.effects`` also uses) with `cache` shared between the scenarios of one
    chunk, so an assumption used by several scenarios is evaluated once; the starts were
    checked by the engine. Other scenario types (subclasses, test doubles) are always
    asked through their own ``effects``.
    """
    if cache is not None and _is_plain_scenario(scenario):
        effects = assumption_effects(scenario.assumptions, ctx, seed, cache)
    else:
        effects = scenario.effects(ctx, seed)
    out: dict[str, np.ndarray] = {}
    for name, eff in effects.items():
        arr = np.asarray(eff, dtype=float)
        if arr.shape == (n, h):  # the usual case: nothing to broadcast
            out[name] = arr
            continue
        try:
            shape = np.broadcast_shapes(arr.shape, (n, h))
        except ValueError:
            shape = None
        if shape != (n, h):
            raise ScenarioError(
                f"scenario {scenario.name!r}: assumption {name!r} must return an effect of "
                f"shape ({n}, {h}) (paths x years); got {arr.shape}. Fix its `compute_effect` "
                "(or `effect`) method."
            )
        out[name] = arr
    return out


def total_effect(effects: Mapping[str, np.ndarray], n: int, h: int) -> np.ndarray | None:
    """The sum of `effects` (None when there is no assumption), added in the order of
    their names: floating-point addition is not associative, and this way a scenario's
    paths are the same bits whatever the order its assumptions are listed in."""
    total = None
    for eff in _by_name(effects):
        if total is None:
            total = np.array(np.broadcast_to(eff, (n, h)), dtype=float)
        else:
            total += eff
    return total


def _by_name(effects: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """The effects in the order of their (assumption) names."""
    return [effects[name] for name in sorted(effects)]


def log_paths(base: np.ndarray, total: np.ndarray | None) -> np.ndarray:
    """Scenario log paths ``base + total`` (`base` itself for an empty scenario).

    `total` is a fresh array from :func:`total_effect`, so it is updated in place
    (``total + base`` equals ``base + total`` bit for bit).
    """
    if total is None:
        return base
    total += base
    return total


def check_range(logs: np.ndarray, what: str, years: np.ndarray) -> float:
    """Raise SimulationError naming `what` and the first bad year unless exp(logs) is usable.

    Returns the smallest log level (:func:`live_cells` needs it for the baseline).
    """
    hi, lo = logs.max(), logs.min()
    if hi <= LOG_MAX and lo >= LOG_MIN:  # False for NaN as well
        return float(lo)
    bad = ~((logs <= LOG_MAX) & (logs >= LOG_MIN))
    j = int(np.flatnonzero(bad.any(axis=0))[0])
    v = float(logs[:, j][bad[:, j]][0])
    if np.isnan(v):
        detail = "the log level is NaN (an effect returned NaN or opposite infinities)"
    elif v > 0:
        detail = f"the log level reached {v:.6g}, so the level exceeds 1e300 (overflow)"
    else:
        detail = f"the log level fell to {v:.6g}, so the level is below 1e-300 (underflow)"
    raise SimulationError(
        f"{what}: every simulated level must be a finite positive number in "
        f"[1e-300, 1e300]; in {int(years[j])} {detail} on {int(bad[:, j].sum())} of "
        f"{logs.shape[0]} paths in one chunk. Reduce the assumption sizes or rates, "
        "shorten the horizon, or check the baseline model's growth."
    )


def _signed_extreme(values: np.ndarray) -> float:
    """The value of largest magnitude, with its sign (-10.2 for a fall, not 10.2)."""
    flat = np.asarray(values, dtype=float).ravel()
    return float(flat[np.argmax(np.abs(flat))]) if flat.size else float("nan")


def check_effect(total: np.ndarray | None, scenario: Any, effects: Mapping[str, np.ndarray],
                 years: np.ndarray, live: np.ndarray | None = None,
                 paths: tuple[int, int] | None = None) -> None:
    """Raise SimulationError when a scenario's combined effect exceeds MAX_EFFECT log points.

    `live` (n, h), when given, marks the cells whose baseline has a level: a path censored
    at the working scale's floor has none, its distance from the point forecast is an
    artefact of the censoring, and effects proportional to it (``Volatility``) are not
    the mistakes this check is for. `paths` (first path, run's n_paths) places the chunk
    in the run for the message.
    """
    if total is None:
        return
    if total.max() <= MAX_EFFECT and total.min() >= -MAX_EFFECT:  # the usual case, no mask
        return  # (NaN fails these, and is left to check_range below, as by the mask)
    bad = np.abs(total) > MAX_EFFECT  # NaN compares False: check_range reports it
    if live is not None:
        bad &= live
    if not bad.any():
        return
    j = int(np.flatnonzero(bad.any(axis=0))[0])
    worst = _signed_extreme(total[:, j][bad[:, j]])
    sizes = {k: _signed_extreme(np.broadcast_to(v, total.shape)[:, j])
             for k, v in effects.items()}
    name = max(sizes, key=lambda k: abs(sizes[k])) if sizes else "?"
    n, k = total.shape[0], int(bad[:, j].sum())
    where = f"{n:,} paths of a chunk"
    if paths is not None:
        where = (f"{n:,} paths of a chunk, paths {paths[0]:,}-{paths[0] + n - 1:,} of the "
                 f"run's {paths[1]:,} (the run stops at the first such chunk)")
    median = float(np.median(total[:, j]))
    if k <= max(1, n // 100) and abs(median) < MAX_EFFECT / 2:
        # a tail: the typical path is far from the cap; a random assumption (Volatility,
        # which scales the baseline's unbounded deviations) put a few paths past it
        advice = (f"This is a tail, not the typical path (the median effect that year is "
                  f"{median:.3g}): a random assumption put {k:,} path(s) in {n:,} past the "
                  "cap, and the more paths a run has, the likelier such a path is, so the "
                  f"same scenarios can pass with fewer paths. End the projection before "
                  f"{int(years[j])} (`to`), or lower the size of assumption {name!r}")
    else:
        advice = "Reduce the sizes, rates or durations of the assumptions"
    raise SimulationError(
        f"scenario {scenario.name!r}: the combined effect of its assumptions must stay within "
        f"+-{MAX_EFFECT:g} log points (a factor of {np.exp(MAX_EFFECT):,.0f}); in "
        f"{int(years[j])} it reached {worst:.4g} on {k:,} of {where} (largest part: "
        f"assumption {name!r}, {sizes.get(name, float('nan')):.4g}). Sizes are log points: "
        f"-0.69 halves the level, +0.69 doubles it. {advice}."
    )


def run_chunk(
    job: Job, i: int, out: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[int, np.ndarray | None, np.ndarray | None]:
    """Simulate chunk `i`: returns (i, levels (n_scenarios, n_i, h), base log paths (n_i, h)).

    With `out` = (levels view, base view) of the caller's arrays (serial or threaded
    runs) the results are written there and (i, None, None) is returned, saving a copy.
    """
    keep_workspace()  # chunks reuse freed memory, in any process (a no-op after the first)
    lo, hi = i * job.chunk_size, min((i + 1) * job.chunk_size, job.n_paths)
    n, h = hi - lo, job.years.size
    sim_seed, eff_seed = task_seeds_of(job.entropy, job.spawn_key, job.pool_size, i)
    base = np.asarray(job.fit.simulate(h, n, seed=sim_seed), dtype=float)
    if base.shape != (n, h):
        raise SimulationError(
            f"`fit.simulate({h}, {n})` must return log paths of shape ({n}, {h}); got "
            f"{base.shape}. The model {getattr(job.fit, 'name', job.fit)!r} breaks the Fit "
            "contract."
        )
    lowest = check_range(base, f"baseline model {getattr(job.fit, 'name', '?')!r}",
                         job.years)
    ctx = make_context(job.years, base, job.center, job.last_year, checked=True)
    levels = np.empty((len(job.scenarios), n, h)) if out is None else out[0]
    cache: dict[Any, np.ndarray] = {}
    live = live_cells(base, float(getattr(job.fit, "floor_log", -np.inf)), lowest)
    for s, scenario in enumerate(job.scenarios):
        effects = only_live(scenario_effects(scenario, ctx, eff_seed, n, h, cache), live)
        logs = levels[s]  # the scenario's log paths are built in place, then exponentiated
        if not effects:  # the baseline itself, already checked
            np.exp(base, out=logs)
            continue
        check_effect(_sum_into(effects, logs, n, h), scenario, effects, job.years, live,
                     (lo, job.n_paths))
        if len(effects) == 1:
            np.add(next(iter(effects.values())), base, out=logs)  # = total + base
        else:
            logs += base
        check_range(logs, f"scenario {scenario.name!r}", job.years)
        np.exp(logs, out=logs)
    if out is None:
        return i, levels, base
    out[1][...] = base
    return i, None, None


def _sum_into(effects: Mapping[str, np.ndarray], out: np.ndarray, n: int, h: int,
              ) -> np.ndarray:
    """:func:`total_effect` of two or more `effects`, written into `out` (n, h); a single
    effect is returned itself, broadcast to (n, h) (read-only: it may be cached).

    The same additions in the same order as ``total_effect`` (by name), so the same bits,
    without a scratch array per scenario.
    """
    arrays = _by_name(effects)
    if len(arrays) == 1:
        one = arrays[0]
        return one if one.shape == (n, h) else np.broadcast_to(one, (n, h))
    np.add(arrays[0], arrays[1], out=out)
    for eff in arrays[2:]:
        out += eff
    return out


def recompute_effects(
    scenarios: Sequence[Any], base: np.ndarray, center: np.ndarray, years: np.ndarray,
    last_year: int, root: np.random.SeedSequence, i: int, floor: float = -np.inf,
) -> list[dict[str, np.ndarray]]:
    """The per-assumption effects of chunk `i` for each of `scenarios`, as in the run
    (`floor`: the fit's ``floor_log``, which the run's settings record)."""
    n, h = base.shape
    _, eff_seed = task_seeds(root, i)
    ctx = make_context(years, base, center, last_year)
    cache: dict[Any, np.ndarray] = {}
    live = live_cells(base, floor)
    return [only_live(scenario_effects(s, ctx, eff_seed, n, h, cache), live)
            for s in scenarios]


def live_cells(base: np.ndarray, floor: float,
               lowest: float | None = None) -> np.ndarray | None:
    """Cells (n, h) whose baseline has a level: not censored at the working scale's
    `floor` (``Fit.floor_log``); None when none is censored (the usual case).

    `lowest`: ``base.min()`` if the caller has it (:func:`check_range` returns it)."""
    if floor == -np.inf or (base.min() if lowest is None else lowest) > floor:
        return None
    return base > floor


def only_live(effects: dict[str, np.ndarray], live: np.ndarray | None
              ) -> dict[str, np.ndarray]:
    """`effects` with every assumption's effect set to 0 where the baseline is censored.

    A censored path has no positive level (the channel has vanished): no assumption moves
    it, so the scenario's level there is the floor too, as :mod:`forecast.models.scale`
    documents, and its decomposition gives each assumption 0 of a zero gap.
    """
    if live is None:
        return effects
    return {k: np.where(live, v, 0.0) for k, v in effects.items()}
