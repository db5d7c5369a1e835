"""Exact per-assumption decomposition of a scenario's gap to the baseline.

Assumption effects are not stored. They are recomputed chunk by chunk from the stored
baseline log paths, the stored seed (same chunk seeds as the run) and the stored scenario
definitions, which keeps a Projection's memory at one array of levels per scenario. Each
recomputed chunk is checked to reproduce the stored samples bit for bit.

Rule, per path ``j`` and year, with ``c_a`` the log effect of assumption ``a`` in the
scenario minus its log effect in the baseline and ``E = sum_a c_a``:

* log points: ``100 * c_a``, averaged over paths. They sum to the mean log gap.
* level: the path's level gap ``g = S - B`` is shared in proportion to the log effects,
  ``g * c_a / E`` (``g / E`` is the secant slope of ``exp`` between the two log levels).
  When ``|E| < 1e-9`` the secant is numerically undefined (offsetting effects, or no
  effect yet) and the tangent slope ``B`` replaces it, i.e. ``B * c_a``. Whatever rounding
  remainder is left (``g - sum_a share_a``) is added to the assumption with the largest
  ``|c_a|`` on that path, so that shares sum to ``g`` exactly. Shares are then averaged
  over paths and sum to the mean level gap.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._seeds import rebuild, run_seed_source
from ..errors import ScenarioError, SimulationError
from .chunks import chunk_bounds, log_paths, recompute_effects, total_effect

TANGENT_TOL = 1e-9


def _rerun_hint(p: Any) -> str:
    s = p.settings
    return (
        f"Re-run forecast.project(fit, scenarios, to={int(p.years[-1])}, "
        f"n_paths={s.get('n_paths', p.n_paths)}, chunk_size={s.get('chunk_size', '?')}, "
        f"seed={run_seed_source(p)}) with the same fit and scenario definitions; it "
        "reproduces the "
        "samples exactly and can decompose them."
    )


def refuse_mixture(p: Any, baseline: Any, call: str = "proj") -> None:
    """Refuse to decompose a mixture (``settings["mixture"]`` and no scenario
    definitions), naming the projection to decompose instead (`call`: its usual name).

    Raises
    ------
    ScenarioError
        When `p` is a mixture (:meth:`forecast.Projection.mixture`,
        :meth:`forecast.markets.MarketProjection.mixture`).
    """
    pooled = p.settings.get("mixture") if p.scenarios is None else None
    if isinstance(pooled, dict):
        names = [n for n in pooled if n != baseline] or list(pooled)
        market = p.settings.get("market") if "decompose_with" in p.settings else None
        example = (f"{call}.decompose({names[0]!r})" if market is None else  # one market
                   f"mp.decompose({names[0]!r}, market={market!r})")  # of a MarketProjection
        raise ScenarioError(
            f"decompose cannot split a mixture: it pools paths of the scenarios "
            f"{', '.join(map(repr, pooled))}, drawn by their probabilities, so no path has "
            f"one scenario's assumptions. Decompose the projection it was made from, e.g. "
            f"{example}.")


def decompose(p: Any, scenario: str, baseline: str) -> pd.DataFrame:
    """Per-year, per-assumption contributions (see the module docstring for the rule)."""
    refuse_mixture(p, baseline)  # before the names: a mixture has no "baseline" to find
    s, b = p._index(scenario), p._index(baseline, "baseline")
    if s == b:
        raise ScenarioError(
            f"`scenario` and `baseline` must differ; got {scenario!r} for both. Pass another "
            "scenario to decompose."
        )
    if p.scenarios is None:
        why = p.settings.get("scenarios_unavailable", "the scenario definitions are missing")
        if "decompose_with" in p.settings:  # e.g. one market of a MarketProjection
            raise ScenarioError(
                f"decompose needs the scenario definitions to recompute each assumption's "
                f"effect; this projection has none ({why}). Use "
                f"{p.settings['decompose_with']}.")
        raise ScenarioError(
            f"decompose needs the scenario definitions to recompute each assumption's "
            f"effect; this projection has none ({why}). Attach them with "
            "dataclasses.replace(projection, scenarios=(...)) in the order of scenario_names, "
            f"or: {_rerun_hint(p)}"
        )
    if "chunk_size" not in p.settings:
        raise ScenarioError(
            "decompose needs settings['chunk_size'] to rebuild the chunk seeds; this "
            f"projection has none. {_rerun_hint(p)}"
        )
    root = rebuild(p.seed, tuple(p.settings.get("spawn_key", ())),
                   int(p.settings.get("pool_size", 4)))
    h = p.horizon
    names: list[str] | None = None
    log_sum = lvl_sum = np.zeros((0, h))
    for i, (lo, hi) in enumerate(chunk_bounds(p.n_paths, int(p.settings["chunk_size"]))):
        eff_s, eff_b = _chunk_effects(p, s, b, root, i, lo, hi)
        if names is None:  # the scenario's assumptions, then the baseline's own
            names = list(eff_s) + [a for a in eff_b if a not in eff_s]
            # computed in the order of the names (sums, ties: the same bits whatever the
            # order of the listing), shown in the order of the listing
            calc = sorted(names)
            log_sum, lvl_sum = np.zeros((len(names), h)), np.zeros((len(names), h))
        if names:
            _accumulate(calc, eff_s, eff_b, p.samples[s, lo:hi], p.samples[b, lo:hi],
                        log_sum, lvl_sum)
        del eff_s, eff_b  # before the next chunk's: one chunk's effects at a time
    names = names or []
    if names:
        shown = [calc.index(a) for a in names]
        log_sum, lvl_sum = log_sum[shown], lvl_sum[shown]
    k, n = len(names), p.n_paths
    return pd.DataFrame({
        "year": np.repeat(p.years, k),
        "assumption": np.tile(np.array(names, dtype=object), h),
        "log_points": (100.0 * log_sum / n).T.reshape(-1),
        "level": (lvl_sum / n).T.reshape(-1),
    })


def _chunk_effects(p: Any, s: int, b: int, root: np.random.SeedSequence, i: int, lo: int,
                   hi: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The effects of scenarios `s` and `b` in chunk `i`, checked against the samples."""
    base = p.base_log[lo:hi]
    last_year = int(p.settings.get("last_year", p.years[0] - 1))
    effects = recompute_effects([p.scenarios[s], p.scenarios[b]], base, p.center, p.years,
                                last_year, root, i,
                                float(p.settings.get("floor_log", -np.inf)))
    for eff, k in zip(effects, (s, b), strict=True):
        levels = np.exp(log_paths(base, total_effect(eff, hi - lo, p.horizon)))
        if not np.array_equal(levels, p.samples[k, lo:hi]):
            raise SimulationError(
                f"the recomputed effects of scenario {p.scenario_names[k]!r} must "
                f"reproduce its stored samples; they differ in paths {lo}-{hi - 1}. The "
                "scenario definitions, the seed or the code changed since the run. "
                f"{_rerun_hint(p)}"
            )
    return effects[0], effects[1]


def _accumulate(calc: list[str], eff_s: dict[str, np.ndarray], eff_b: dict[str, np.ndarray],
                lv_s: np.ndarray, lv_b: np.ndarray, log_sum: np.ndarray,
                lvl_sum: np.ndarray) -> None:
    """Add one chunk's per-assumption log effects and level shares, summed over its paths,
    to `log_sum` and `lvl_sum` (k, h), assumptions in the order `calc`.

    One assumption at a time: a few arrays of (paths, h) whatever the number of
    assumptions (stacking them took five (k, paths, h) arrays). Sums run over the
    assumptions in the order `calc`, as a sum over the first axis of their stack did, so
    the numbers are the same bits.
    """
    m, h = lv_s.shape
    zero = np.zeros((m, h))

    def diff(a: str) -> np.ndarray:
        return (np.broadcast_to(eff_s.get(a, zero), zero.shape)
                - np.broadcast_to(eff_b.get(a, zero), zero.shape))

    total = top_abs = top = None
    for k, a in enumerate(calc):
        c = diff(a)
        log_sum[k] += c.sum(axis=0)
        c_abs = np.abs(c)
        if total is None:
            total, top_abs, top = c, c_abs, np.zeros((m, h), dtype=np.intp)
            continue
        total = total + c
        bigger = c_abs > top_abs  # the first largest |c| wins ties, as argmax does
        top[bigger] = k
        top_abs = np.where(bigger, c_abs, top_abs)
    gap = lv_s - lv_b
    tangent = np.abs(total) < TANGENT_TOL
    slope = np.where(tangent, lv_b, gap / np.where(tangent, 1.0, total))
    shared = None
    for a in calc:
        share = diff(a) * slope
        shared = share if shared is None else shared + share
    rest = gap - shared  # the rounding remainder goes to the largest |c| of each cell
    for k, a in enumerate(calc):
        share = diff(a) * slope
        lvl_sum[k] += np.where(top == k, share + rest, share).sum(axis=0)

