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

A part whose baseline path is censored (:func:`censored_parts`: a coordinate fitted on a
near-level Box-Cox scale fell below its boundary, so the part has no level) is moved by
no assumption, as in :func:`forecast.project`: ``E_p = 0`` there, it loses nothing to
divert and receives nothing (its receivers' weights are 0; when no receiver has a level,
the diverted loss is lost from the total).
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
#: Relative tolerance of the floor test on part log levels rebuilt from the coordinates.
FLOOR_TOL = 1e-9


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
            if isinstance(a, Diversion) and market != TOTAL and not receivers(a, parts):
                others = [p for p in parts if p != market]
                raise ScenarioError(
                    f"scenario {s.name!r}: assumption {a.name!r} diverts {market}'s loss to "
                    f"{', '.join(a.to)}, which in this projection count as {market} itself "
                    f"(codes not projected count as {ROW}), so nothing would move. Name "
                    f"receivers among {', '.join(others)}, or leave `to` empty for all of "
                    "them.")
            if folded:
                notes[f"{s.name}.{a.name}"] = (f"receivers {', '.join(folded)} are not named "
                                               "markets: they count as ROW")
    return notes


def coordinate_floors(fit: Any) -> tuple[float | None, ...]:
    """Each coordinate fit's ``floor_log`` (None on the log scale, where nothing is
    censored), as :func:`forecast.project_markets` records it in ``settings["floor_logs"]``."""
    out = []
    for f in fit.fits:
        floor = float(getattr(f, "floor_log", -np.inf))
        out.append(floor if np.isfinite(floor) else None)
    return tuple(out)


def censored_parts(logs: np.ndarray, floors: Any, coordinates: str) -> np.ndarray | None:
    """Cells (P, n, h) where a part has no level, from the coordinate paths (C, n, h).

    `logs` are the log total and the log ratios (what a projection stores as
    ``base_log``), `floors` each fitted coordinate's ``floor_log`` (None: never censored)
    and `coordinates` what was fitted (``SplitFit.coordinates``). With ``"ratios"`` a
    censored total leaves every part without a level and a censored ratio its market; with
    ``"parts"`` each part's log level is rebuilt from the coordinates and compared with its
    own floor (within :data:`FLOOR_TOL`, for the rounding of the rebuild). None when no
    cell is censored (the usual case). The engine and the decomposition both call this on
    the same stored paths, so they agree bit for bit.
    """
    found = [(c, float(f)) for c, f in enumerate(floors or ()) if f is not None]
    if not found:
        return None
    n_parts = logs.shape[0]
    if coordinates == "parts":
        r = logs[1:]
        top = np.maximum(r.max(axis=0), 0.0)
        lse = top + np.log(np.exp(-top) + np.exp(r - top).sum(axis=0))
        values = np.concatenate([logs[0] + r - lse, (logs[0] - lse)[None]])
    else:
        values = logs
    dead = None
    for c, floor in found:
        cells = values[c] <= floor + FLOOR_TOL * abs(floor)
        if not cells.any():
            continue
        if dead is None:
            dead = np.zeros((n_parts, *logs.shape[1:]), dtype=bool)
        if coordinates == "parts":
            dead[c] |= cells
        elif c == 0:  # the total: no part has a level
            dead |= cells
        else:
            dead[c - 1] |= cells
    return dead


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
                   detail: bool = False, dead: np.ndarray | None = None
                   ) -> tuple[np.ndarray, list[Applied]]:
    """Levels of every part under `scenario`, (P, n, h); with `detail`, per assumption.

    `base_levels` (P, n, h) and `centers` (P, h) are the baseline model's levels and
    point forecast; `dead` (P, n, h) the cells of parts with no level
    (:func:`censored_parts`), which stay at the baseline. `caches` is shared by the
    scenarios of one chunk: an assumption met twice on the same market (equal as a frozen
    dataclass) is evaluated once.
    """
    contexts, effects = caches.setdefault("contexts", {}), caches.setdefault("effects", {})
    n_parts = base_levels.shape[0]
    log_b = caches.get("log_base")
    if log_b is None:
        log_b = caches["log_base"] = np.log(base_levels)
    acting = np.zeros((n_parts, *base_levels.shape[1:]))
    drawn = []  # (assumption, market, effect, rate or None)
    # added in the order of the names: the same bits whatever the order of the listing
    for a in sorted(scenario.assumptions, key=lambda a: a.name):
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
    if dead is not None:  # no assumption moves a part with no level
        acting[dead] = 0.0
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
            idx = receivers(a, parts)
            inflow = np.zeros_like(s0)
            if dead is None:
                moved = rate[:, None] * np.maximum(-g, 0.0)
                inflow[idx] = moved * (s0[idx] / s0[idx].sum(axis=0))
            else:  # a part with no level neither diverts nor receives
                moved = rate[:, None] * np.maximum(-np.where(dead[m], 0.0, g), 0.0)
                weight = np.where(dead[idx], 0.0, s0[idx])
                total = weight.sum(axis=0)
                inflow[idx] = moved * (weight / np.where(total > 0, total, 1.0))
            levels += inflow
        if detail:
            applied.append(Applied(a.name, market, eff, inflow))
    return levels, applied
