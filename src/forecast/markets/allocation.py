"""How a scenario moves every market's level: effects by target market, then diversion.

Per chunk the baseline levels ``B_p`` of the parts (named markets and ROW) are given.
Each assumption of a scenario acts on one market: a :class:`~forecast.scenarios.Diversion`
on its ``market``, any other assumption on the run's ``target`` (default the US, for
which the presets are calibrated); ``"ALL"`` means every part. With ``E_p`` the sum of
the log effects acting on part ``p`` (its own and the ``ALL`` ones)::

    S0_p = exp(log B_p + E_p)                           (before diversion)
    g_a  = (S0_m - B_m) e_a / E_m   (B_m e_a when |E_m| < 1e-9)   a's part of m's gap
    moved_a = rate_a * max(-g_a, 0)                     to the receivers R_a
    S_p  = S0_p + sum_a moved_a * S0_p / sum_(q in R_a) S0_q     for p in R_a

Assumption ``a`` draws from ``SeedSequence(effects seed, spawn_key + (crc32(a.key),))``
exactly as in :func:`forecast.project`, with a context whose baseline is its market's
log level, so a US assumption sees the same draws in both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._seeds import assumption_seed
from ..errors import ScenarioError
from ..history.markets import ROW, TOTAL
from ..scenarios import Diversion, Fixed, Group, PathContext, Scenario

TANGENT_TOL = 1e-9


@dataclass
class Applied:
    """One assumption as applied in a chunk (kept only when decomposing)."""

    name: str
    market: str
    effect: np.ndarray  # (n, h) log effect on `market`
    inflow: np.ndarray | None  # (P, n, h) level moved to each part, or None


def check_scenarios(scenarios, parts: tuple[str, ...], target: str) -> dict[str, str]:
    """Validate targets and receivers; return notes on receivers folded into ROW."""
    notes: dict[str, str] = {}
    for s in scenarios:
        if type(s) is not Scenario:
            raise ScenarioError(f"scenario {getattr(s, 'name', s)!r}: a multi-market projection "
                                "needs plain forecast.Scenario objects (their assumptions are "
                                "applied market by market); got "
                                f"{type(s).__name__}.")
        for a in s.assumptions:
            if isinstance(a, Group) and any(isinstance(p, Diversion) for p in a.parts):
                raise ScenarioError(f"scenario {s.name!r}: a Diversion must be an assumption of "
                                    f"the scenario, not a part of group {a.name!r}. Move it up.")
            market = a.market if isinstance(a, Diversion) else target
            if market != TOTAL and market not in parts:
                raise ScenarioError(f"scenario {s.name!r}: assumption {a.name!r} acts on "
                                    f"{market!r}, which is not a market of this projection "
                                    f"({', '.join(parts)}, or ALL). Project that market, or "
                                    "target another.")
            folded = [t for t in getattr(a, "to", ()) if t not in parts]
            if folded:
                notes[f"{s.name}.{a.name}"] = (f"receivers {', '.join(folded)} are not named "
                                               "markets: they count as ROW")
    return notes


def receivers(a: Diversion, parts: tuple[str, ...]) -> list[int]:
    """Indices of the parts receiving `a`'s diverted loss (unknown codes count as ROW)."""
    if not a.to:
        return [i for i, p in enumerate(parts) if p != a.market]
    idx = [parts.index(t) if t in parts else parts.index(ROW) for t in a.to]
    return [i for i in dict.fromkeys(idx) if parts[i] != a.market]


def _context(market: str, parts, base_levels, centers, years, last_year, cache) -> PathContext:
    if market not in cache:
        if market == TOTAL:
            base = np.log(base_levels.sum(axis=0))
            center = np.log(centers.sum(axis=0))
        else:
            i = parts.index(market)
            base, center = np.log(base_levels[i]), np.log(centers[i])
        cache[market] = PathContext(years, base, center, last_year)
    return cache[market]


def apply_scenario(scenario: Scenario, base_levels: np.ndarray, centers: np.ndarray,
                   years: np.ndarray, last_year: int, seed: np.random.SeedSequence,
                   parts: tuple[str, ...], target: str, caches: dict[str, Any],
                   detail: bool = False) -> tuple[np.ndarray, list[Applied]]:
    """Levels of every part under `scenario`, (P, n, h); with `detail`, per assumption.

    `base_levels` (P, n, h) and `centers` (P, h) are the baseline model's levels and
    point forecast. `caches` is shared by the scenarios of one chunk: an assumption met
    twice on the same market (equal as a frozen dataclass) is evaluated once.
    """
    contexts, effects = caches.setdefault("contexts", {}), caches.setdefault("effects", {})
    n_parts = base_levels.shape[0]
    log_b = caches.get("log_base")
    if log_b is None:
        log_b = caches["log_base"] = np.log(base_levels)
    acting = np.zeros((n_parts, *base_levels.shape[1:]))
    drawn = []  # (assumption, market, effect, rate or None)
    for a in scenario.assumptions:
        market = a.market if isinstance(a, Diversion) else target
        ctx = _context(market, parts, base_levels, centers, years, last_year, contexts)
        source = a.source if isinstance(a, Diversion) else a
        seed_a = assumption_seed(seed, a.key)
        if (market, source) not in effects:
            eff = source.effect(ctx, np.random.default_rng(seed_a))
            effects[(market, source)] = np.asarray(np.broadcast_to(eff, ctx.base.shape),
                                                   dtype=float)
        eff = effects[(market, source)]
        diverts = isinstance(a, Diversion) and a.rate != Fixed(0.0)
        drawn.append((a, market, eff, a.rates(ctx.n_paths, seed_a) if diverts else None))
        if market == TOTAL:
            acting += eff
        else:
            acting[parts.index(market)] += eff
    s0 = np.exp(log_b + acting)
    levels = s0.copy()
    applied = []
    for a, market, eff, rate in drawn:
        inflow = None
        if rate is not None:
            m = parts.index(market)
            tangent = np.abs(acting[m]) < TANGENT_TOL
            g = np.where(tangent, base_levels[m] * eff,
                         (s0[m] - base_levels[m]) * eff / np.where(tangent, 1.0, acting[m]))
            moved = rate[:, None] * np.maximum(-g, 0.0)
            idx = receivers(a, parts)
            inflow = np.zeros_like(s0)
            inflow[idx] = moved * (s0[idx] / s0[idx].sum(axis=0))
            levels += inflow
        if detail:
            applied.append(Applied(a.name, market, eff, inflow))
    return levels, applied
