"""Bounded maximisation by a grid, then Newton steps on local quadratic fits; batched.

The likelihoods of the model families are cheap to evaluate for many parameter values
at once (one batched Cholesky, or one recursion over arrays of parameters), but an
iterative optimiser calls them one point at a time and Python overhead dominates on
short series. Here a coarse grid finds the basin; then each round evaluates a 3^k
stencil around every problem's current point, fits a quadratic to it by least squares
and moves to the quadratic's maximum within the stencil (or to the best stencil point
when the fit is not concave), halving the stencil. A handful of batched calls reach the
optimum to well below the precision the forecasts need; the result never leaves the
bounds and is deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np


def _design(stencil: np.ndarray) -> np.ndarray:
    """Columns 1, x_i, x_i x_j (i <= j) of a quadratic in k variables."""
    k = stencil.shape[1]
    cols = [np.ones(len(stencil))] + [stencil[:, i] for i in range(k)]
    cols += [stencil[:, i] * stencil[:, j] for i in range(k) for j in range(i, k)]
    return np.column_stack(cols)


def grid_newton(f: Callable[[np.ndarray], np.ndarray], lo, hi, points, rounds: int = 4,
                batch: int = 1, starts: int = 1,
                first: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Maximise ``f`` over the box ``[lo, hi]`` for each of `batch` problems.

    Parameters
    ----------
    f : callable
        ``f(X)`` with X of shape (batch, P, k) returns values (batch, P); NaN and -inf
        mark invalid points.
    lo, hi : sequence of float
        Bounds of the k parameters.
    points : int or sequence of int
        Grid points per parameter for the first pass.
    rounds : int
        Rounds of stencil evaluation and Newton step.
    starts : int
        Refine this many of the best grid points (for likelihoods with several modes)
        and keep the best result.
    first : ndarray (batch, P), optional
        ``f`` at the first pass's grid when the caller has it by a faster route (the
        same values up to rounding); default: ``f`` evaluates the grid.

    Returns
    -------
    x : ndarray (batch, k)
    fx : ndarray (batch,)
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    k = lo.size
    pts = np.broadcast_to(np.asarray(points), (k,))
    grid = _grid(tuple(lo.tolist()), tuple(hi.tolist()), tuple(int(p) for p in pts))
    val = _clean(f(np.broadcast_to(grid, (batch, *grid.shape))) if first is None else first)
    if starts > 1:
        return _multistart(f, lo, hi, pts, rounds, batch, grid, val, starts)
    rows = np.arange(batch)
    best = np.argmax(val, axis=1)
    x = grid[best]
    fx = val[rows, best]
    return _refine(f, lo, hi, pts, rounds, batch, x, fx)


@functools.lru_cache(maxsize=64)
def _grid(lo: tuple[float, ...], hi: tuple[float, ...], pts: tuple[int, ...]) -> np.ndarray:
    """The first pass's grid (P, k), built once per box and shared between calls.

    The families search fixed boxes (a handful of entries); the bound keeps a caller with
    data-dependent boxes from growing the cache without limit.
    """
    axes = [np.linspace(a, b, p) for a, b, p in zip(lo, hi, pts, strict=True)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, len(pts))
    grid.flags.writeable = False
    return grid


@functools.cache
def _stencil(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The 3^k stencil in step units and the pseudo-inverse of its quadratic design."""
    stencil = np.stack(np.meshgrid(*[np.array([-1.0, 0.0, 1.0])] * k, indexing="ij"),
                       -1).reshape(-1, k)
    pinv = np.linalg.pinv(_design(stencil))
    stencil.flags.writeable = pinv.flags.writeable = False  # shared between calls
    return stencil, pinv


def _refine(f, lo, hi, pts, rounds, batch, x, fx):
    """Rounds of stencil evaluation and Newton steps from the points `x` (batch, k)."""
    k = lo.size
    rows = np.arange(batch)
    step = np.broadcast_to((hi - lo) / np.maximum(pts - 1, 1), (batch, k)).copy()
    stencil, pinv = _stencil(k)
    cx = x.copy()  # centre of the next stencil
    for _ in range(rounds):
        X = np.clip(cx[:, None, :] + stencil[None] * step[:, None, :], lo, hi)
        v = _clean(f(X))
        j = np.argmax(v, axis=1)
        better = v[rows, j] > fx
        x = np.where(better[:, None], X[rows, j], x)
        fx = np.where(better, v[rows, j], fx)
        # quadratic fit in stencil units; its maximum (within the stencil) is the next centre
        ok = np.all(np.isfinite(v), axis=1)
        coef = np.where(ok[:, None], np.where(np.isfinite(v), v, 0.0) @ pinv.T, 0.0)
        u, concave = _newton_step(coef, ok, k)
        step = step / 2
        cx = np.where(concave[:, None], np.clip(cx + u * step * 2, lo, hi), x)
    # the last Newton point is evaluated once more
    v = _clean(f(cx[:, None, :]))[:, 0]
    better = v > fx
    x = np.where(better[:, None], cx, x)
    fx = np.where(better, v, fx)
    return x, fx


def _newton_step(coef: np.ndarray, ok: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The maximiser of each fitted quadratic, in stencil units clipped to [-1, 1], and
    whether the fit is concave (where it is not, the step is unused).

    `coef` (batch, 1 + k + k(k+1)/2) holds the columns of :func:`_design`. One problem
    with k <= 2 (the common case of a single series) is solved on Python floats with
    the same closed forms, and the same IEEE results, as the arrays below.
    """
    batch = coef.shape[0]
    if batch == 1 and k <= 2:
        c = coef[0].tolist()
        u = [0.0] * k
        if k == 1:
            h = 2 * c[2]
            concave = bool(ok[0]) and h < 0
            if concave:
                u = [-(c[1] / h)]
        else:
            h00, h01, h11 = 2 * c[3], c[4], 2 * c[5]
            det = h00 * h11 - h01 * h01
            concave = bool(ok[0]) and h00 < 0 and det > 0
            if concave:
                u = [-((h11 * c[1] - h01 * c[2]) / det), -((h00 * c[2] - h01 * c[1]) / det)]
        return np.clip(np.array([u]), -1.0, 1.0), np.array([concave])
    g = coef[:, 1:k + 1]
    Hm = np.zeros((batch, k, k))
    for col, (a, b) in enumerate((i, j) for i in range(k) for j in range(i, k)):
        w = coef[:, k + 1 + col]
        if a == b:
            Hm[:, a, a] = 2 * w
        else:
            Hm[:, a, b] = Hm[:, b, a] = w
    concave = ok & _negative_definite(Hm)
    safe = np.where(concave[:, None, None], Hm, -np.eye(k))
    return np.clip(-_solve(safe, g), -1.0, 1.0), concave


def _negative_definite(Hm: np.ndarray) -> np.ndarray:
    """Whether each symmetric (batch, k, k) matrix is negative definite.

    For k <= 2 by its entries (a 2 x 2 symmetric matrix has two negative eigenvalues
    exactly when its first entry is negative and its determinant positive), which on
    one series costs a fraction of LAPACK's per-call work; otherwise by its eigenvalues.
    """
    k = Hm.shape[-1]
    if k == 1:
        return Hm[:, 0, 0] < 0
    if k == 2:
        return (Hm[:, 0, 0] < 0) & (Hm[:, 0, 0] * Hm[:, 1, 1] - Hm[:, 0, 1] * Hm[:, 1, 0] > 0)
    return np.all(np.linalg.eigvalsh(Hm) < 0, axis=1)


def _solve(Hm: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``Hm^-1 g`` for each (batch, k, k) matrix (invertible), by Cramer's rule for k <= 2."""
    k = Hm.shape[-1]
    if k == 1:
        return g / Hm[:, 0]
    if k == 2:
        det = Hm[:, 0, 0] * Hm[:, 1, 1] - Hm[:, 0, 1] * Hm[:, 1, 0]
        return np.stack([Hm[:, 1, 1] * g[:, 0] - Hm[:, 0, 1] * g[:, 1],
                         Hm[:, 0, 0] * g[:, 1] - Hm[:, 1, 0] * g[:, 0]], -1) / det[:, None]
    return np.linalg.solve(Hm, g[..., None])[..., 0]


def _multistart(f, lo, hi, pts, rounds, batch, grid, val, starts):
    """Newton refinement from the `starts` best grid points of each problem, batched."""
    k = lo.size
    starts = min(starts, grid.shape[0])
    top = np.argsort(-val, axis=1)[:, :starts]  # (batch, starts)
    x0 = grid[top].reshape(batch * starts, k)

    def g(X):  # X (batch * starts, P, k): problem b's start s is row b * starts + s
        return f(X.reshape(batch, starts * X.shape[1], k)).reshape(batch * starts, -1)

    x, fx = _refine(g, lo, hi, pts, rounds, batch * starts, x0,
                    val[np.arange(batch)[:, None], top].reshape(-1))
    fx = fx.reshape(batch, starts)
    j = np.argmax(fx, axis=1)
    return x.reshape(batch, starts, k)[np.arange(batch), j], fx[np.arange(batch), j]


def quadratic_forms(X: np.ndarray, forms: np.ndarray) -> np.ndarray:
    """``x_b' F_p x_b`` (B, P) for rows X (B, n) and flat matrices `forms` (P, n * n).

    The first pass of a search on a fixed grid, where a family's concentrated
    likelihood is a quadratic form whose matrices depend only on the grid and the length
    (cached by the family): one product of the rows' outer products with the matrices.
    """
    B, n = X.shape
    return (X[:, :, None] * X[:, None, :]).reshape(B, n * n) @ forms.T


def _clean(v: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(v), v, -np.inf)
