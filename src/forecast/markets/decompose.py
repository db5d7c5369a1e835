"""Exact per-assumption decomposition of every market's gap, diversion included.

Effects are not stored: each chunk is recomputed from the stored coordinate paths, the
seed and the scenarios (:func:`forecast.markets.allocation.apply_scenario`), and checked
to reproduce the stored levels bit for bit, as ``Projection.decompose`` does.

Rule, per path and year, against the baseline model (no assumption), for part ``p``
with level ``S_p = S0_p + sum_a inflow_a,p`` (see :mod:`~forecast.markets.allocation`):

* level: the direct gap ``S0_p - B_p`` is shared over the assumptions acting on ``p``
  in proportion to their log effects (the secant rule of ``Projection.decompose``,
  tangent ``B_p e_a`` when they cancel), and each diversion adds its own inflow;
* log points: ``e_a`` for the assumptions acting on ``p``, and ``log(S_p / S0_p)`` shared in
  proportion to the inflows;
* China's total (``ALL``): the level contributions summed over the parts; log points
  share ``log(S / B)`` in proportion to them (tangent ``level_a / B`` when the gap is 0).

A part with no level (a censored coordinate,
:func:`~forecast.markets.allocation.censored_parts`, from the run's
``settings["floor_logs"]``) has no acting effect and no inflow, so its contributions are 0.
A scenario's contribution against a baseline with assumptions is the difference of the
two. On every path the rounding remainder (gap minus the sum of the shares) is added to
the assumption with the largest share, so contributions sum to each market's gap and to
the total's exactly before they are averaged over paths.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._seeds import rebuild, run_seed_source, task_seeds
from ..errors import ScenarioError, SimulationError
from ..history.markets import TOTAL
from ..projection.chunks import chunk_bounds
from ..projection.decompose import refuse_mixture
from .allocation import TANGENT_TOL, apply_scenario, censored_parts
from .split import base_of


def _settle(shares: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Add ``gap - sum(shares)`` to the largest share of each path and year (in place)."""
    if shares.shape[0] == 0:
        return shares
    rest = gap - shares.sum(axis=0)
    top = np.abs(shares).argmax(axis=0)[None]
    np.put_along_axis(shares, top, np.take_along_axis(shares, top, 0) + rest, 0)
    return shares


def _secant(gap: np.ndarray, weights: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Share `gap` over `weights` (k, n, h) in proportion (tangent ``base * w`` near 0)."""
    tot = weights.sum(axis=0)
    tangent = np.abs(tot) < TANGENT_TOL
    return weights * np.where(tangent, base, gap / np.where(tangent, 1.0, tot))


def _contributions(applied, names, base, levels, parts, dead=None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Level and log contributions (A, P, n, h) of one scenario against the base model
    (`dead`: the cells of parts with no level, where no assumption acts)."""
    n_a, (n_p, n, h) = len(names), base.shape
    lvl, lg = np.zeros((n_a, n_p, n, h)), np.zeros((n_a, n_p, n, h))
    pos = {name: k for k, name in enumerate(names)}
    for p in range(n_p):
        acting = [ap for ap in applied if ap.market in (TOTAL, parts[p])]
        inflows = [ap for ap in applied if ap.inflow is not None]
        if acting:
            e = np.stack([ap.effect for ap in acting])
            if dead is not None:
                e = np.where(dead[p], 0.0, e)
            s0 = np.exp(np.log(base[p]) + e.sum(axis=0))
            direct = _secant(s0 - base[p], e, base[p])
            for k, ap in enumerate(acting):
                lvl[pos[ap.name], p] += direct[k]
                lg[pos[ap.name], p] += e[k]
        else:
            s0 = base[p]
        if inflows:
            flow = np.stack([ap.inflow[p] for ap in inflows])
            total = flow.sum(axis=0)
            ratio = np.where(total > 0, np.log(levels[p] / s0) / np.where(total > 0, total, 1),
                             0.0)
            for k, ap in enumerate(inflows):
                lvl[pos[ap.name], p] += flow[k]
                lg[pos[ap.name], p] += flow[k] * ratio
    return lvl, lg


def _chunk(p: Any, s: int, b: int, i: int, lo: int, hi: int, root, names_cache: list):
    """Contributions of chunk `i`: per market (P + 1), level and log, (A, P + 1, n, h)."""
    base = base_of(p.base_log[:, lo:hi])
    dead = censored_parts(p.base_log[:, lo:hi], p.settings.get("floor_logs"),
                          str(p.settings.get("coordinates", "ratios")))
    _, eff_seed = task_seeds(root, i)
    target, last_year, caches = p.settings["target"], int(p.years[0]) - 1, {}
    res = []
    for k in (s, b):
        lv, applied = apply_scenario(p.scenarios[k], base, p.centers, p.years, last_year,
                                     eff_seed, p.parts, target, caches, detail=True,
                                     dead=dead)
        if not np.array_equal(lv, p.samples[k, :, lo:hi]):
            raise SimulationError(
                f"the recomputed levels of scenario {p.scenario_names[k]!r} must reproduce the "
                f"stored samples; they differ in paths {lo}-{hi - 1}. The scenarios, the seed "
                f"or the code changed since the run. Re-run forecast.project_markets(fit, "
                f"scenarios, to={int(p.years[-1])}, n_paths={p.n_paths}, chunk_size="
                f"{p.settings['chunk_size']}, seed={run_seed_source(p)}).")
        res.append((lv, applied))
    (lv_s, ap_s), (lv_b, ap_b) = res
    if not names_cache:
        names_cache += [a.name for a in ap_s] + [a.name for a in ap_b
                                                 if a.name not in {x.name for x in ap_s}]
    names = names_cache
    l_s, g_s = _contributions(ap_s, names, base, lv_s, p.parts, dead)
    l_b, g_b = _contributions(ap_b, names, base, lv_b, p.parts, dead)
    lvl, lg = l_s - l_b, g_s - g_b
    for q in range(len(p.parts)):
        _settle(lvl[:, q], lv_s[q] - lv_b[q])
        _settle(lg[:, q], np.log(lv_s[q]) - np.log(lv_b[q]))
    tot_s, tot_b = lv_s.sum(axis=0), lv_b.sum(axis=0)
    tot_lvl = _settle(lvl.sum(axis=1), tot_s - tot_b)
    gap = tot_s - tot_b
    near = np.abs(gap) < TANGENT_TOL * tot_b
    tot_lg = tot_lvl * np.where(near, 1.0 / tot_b,
                                (np.log(tot_s) - np.log(tot_b)) / np.where(near, 1.0, gap))
    _settle(tot_lg, np.log(tot_s) - np.log(tot_b))
    return (np.concatenate([lvl, tot_lvl[:, None]], axis=1),
            np.concatenate([lg, tot_lg[:, None]], axis=1))


def decompose(p: Any, scenario: str, baseline: str) -> pd.DataFrame:
    """Columns ``market, year, assumption, log_points, level`` (see the module docstring)."""
    refuse_mixture(p, baseline, "mp")  # a pool of paths: no scenario to recompute
    for x, arg in ((scenario, "scenario"), (baseline, "baseline")):
        if not isinstance(x, str):  # _scenarios takes lists and None (all) too
            raise ScenarioError(
                f"`{arg}` must be one scenario name; got {x!r}. Decompose one scenario at a "
                f"time against one baseline; this projection has {list(p.scenario_names)}.",
                field=arg)
    s, b = (p._scenarios(x, arg)[0] for x, arg in ((scenario, "scenario"), (baseline, "baseline")))
    if s == b:
        raise ScenarioError(f"`scenario` and `baseline` must differ; got {scenario!r} for both."
                            " Pass another scenario to decompose.")
    if p.scenarios is None or "chunk_size" not in p.settings:
        raise ScenarioError("decompose needs the scenario definitions and the chunk size of "
                            "the run; this projection has none. Re-run "
                            "forecast.project_markets(...) with the same fit and seed.")
    root = rebuild(p.seed if isinstance(p.seed, int) else list(p.seed),
                   tuple(p.settings.get("spawn_key", ())), int(p.settings.get("pool_size", 4)))
    names: list[str] = []
    lvl_sum = lg_sum = None
    for i, (lo, hi) in enumerate(chunk_bounds(p.n_paths, int(p.settings["chunk_size"]))):
        lvl, lg = _chunk(p, s, b, i, lo, hi, root, names)
        lvl_sum = lvl.sum(axis=2) if lvl_sum is None else lvl_sum + lvl.sum(axis=2)
        lg_sum = lg.sum(axis=2) if lg_sum is None else lg_sum + lg.sum(axis=2)
    markets = (*p.parts, TOTAL)
    n_a, h = len(names), p.horizon
    if n_a == 0:
        return pd.DataFrame(columns=["market", "year", "assumption", "log_points", "level"])
    # (A, M, h) -> rows ordered market, year, assumption
    return pd.DataFrame({
        "market": np.repeat(np.array(markets, dtype=object), h * n_a),
        "year": np.tile(np.repeat(p.years, n_a), len(markets)),
        "assumption": np.tile(np.array(names, dtype=object), len(markets) * h),
        "log_points": (100.0 * lg_sum / p.n_paths).transpose(1, 2, 0).reshape(-1),
        "level": (lvl_sum / p.n_paths).transpose(1, 2, 0).reshape(-1),
    })
