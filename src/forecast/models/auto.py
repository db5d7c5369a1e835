"""ARIMA order screening and the weights of `Auto` combinations (private)."""

from __future__ import annotations

import numpy as np

from .estimation import aicc, arima_mle


def arima_grid(n: int, max_order: int = 2) -> list[tuple[int, int]]:
    """Orders (p, q) with p, q <= max_order that a series of length n supports."""
    return [(p, q) for p in range(max_order + 1) for q in range(max_order + 1)
            if n >= p + q + 6]


def _near_unit_root(ar: np.ndarray, ma: np.ndarray, bound: float = 1.01) -> bool:
    """True when an AR or MA root lies within `bound` of the unit circle.

    Such fits (e.g. MA(1) at -0.999 from over-differencing) are rejected, as R's
    ``auto.arima`` does, because their forecasts and intervals are unstable.
    """
    for poly in (np.r_[1.0, -ar], np.r_[1.0, ma]):
        if poly.size > 1 and np.any(poly[1:] != 0):
            roots = np.roots(poly[::-1])
            if roots.size and np.min(np.abs(roots)) < bound:
                return True
    return False


def select_order(y: np.ndarray) -> tuple[int, int]:
    """The (p, q) of the grid with the smallest exact AICc on the differences."""
    w = np.diff(y)
    best, best_order = np.inf, (0, 0)
    for p, q in arima_grid(y.size):
        llf, ar, ma, _, _ = arima_mle(w, p, q)
        if _near_unit_root(ar, ma):
            continue
        score = aicc(llf, p + q + 2, w.size)
        if score < best - 1e-9:
            best, best_order = score, (p, q)
    return best_order


def combination_weights(aiccs: np.ndarray, weights: str) -> np.ndarray:
    """Equal weights, or Akaike weights exp(-d/2) from AICc differences d."""
    if weights == "equal":
        return np.full(aiccs.size, 1.0 / aiccs.size)
    finite = np.isfinite(aiccs)
    if not finite.any():
        return np.full(aiccs.size, 1.0 / aiccs.size)
    d = np.where(finite, aiccs - np.min(aiccs[finite]), np.inf)
    w = np.exp(-0.5 * d)
    return w / w.sum()


def pool_fits(fits: list, method: str, weights: str):
    """Members, weights, params, residuals, AICc and notes of an Auto fit.

    ``select`` keeps the member with the smallest AICc; ``combine`` weights every
    member (equal or Akaike weights); a member's own members (history imputations)
    share its weight equally.
    """
    aiccs = np.array([f.aicc for f in fits])
    notes = []
    if method == "select":
        best = int(np.argmin(np.where(np.isfinite(aiccs), aiccs, np.inf)))
        w = np.zeros(len(fits))
        w[best] = 1.0
        notes.append(f"selected {fits[best].name} by AICc")
    else:
        w = combination_weights(aiccs, weights)
    keep = [i for i in range(len(fits)) if w[i] > 0]
    comps = tuple(c for i in keep for c in fits[i].components)
    cw = np.concatenate([w[i] * np.asarray(fits[i].weights) for i in keep])
    params = {f"weight.{f.name}": float(w[i]) for i, f in enumerate(fits)}
    params.update({f"aicc.{f.name}": float(f.aicc) for f in fits})
    n_res = min(fits[i].residuals.size for i in keep)
    res = sum(w[i] * fits[i].residuals[-n_res:] for i in keep)
    aicc = float(fits[keep[0]].aicc) if method == "select" else float("nan")
    for i in keep:
        notes.extend(f"{fits[i].name}: {n}" for n in fits[i].notes)
    return comps, cw / cw.sum(), params, res, aicc, notes
