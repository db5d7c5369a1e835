"""ARIMA(p, 1, q) with drift: exact likelihood, order search and state-space form.

Private to :mod:`forecast.models`. The ARMA likelihood of the differences is exact: the
autocovariances of the model (Brockwell & Davis 3.3.8) and the Durbin-Levinson
recursion give the one-step prediction errors of the data and of a constant, hence the
GLS mean, the profiled variance and the likelihood, for a whole batch of coefficient
vectors at once. The level, the ARMA state and the drift then form one state space
(:func:`fit_arima`) whose filter gives the forecast and the out-of-sample errors.
"""

from __future__ import annotations

import numpy as np

from . import kalman
from .estimation import (
    DIFFUSE,
    _build,
    _estimates,
    _filter,
    _first,
    _floor_var,
    _origin_calib,
    aicc,
)
from .linear import Estimate
from .search import grid_newton

#: Newton rounds of the ARMA search: its likelihood has ridges (near-cancelling roots)
ARMA_ROUNDS = 10
#: bound of the transformed coefficients: partial autocorrelations up to 15/sqrt(226) = 0.998
ARMA_BOUND = 15.0
_ARMA_GRID = {1: 13, 2: 9, 3: 5, 4: 5, 5: 4, 6: 3}  # grid points per coefficient, by their number


def _stationary(u: np.ndarray) -> np.ndarray:
    """Map R^p (..., p) to stationary AR coefficients (Monahan 1984: PACF + Durbin-Levinson)."""
    out: list[np.ndarray] = []
    for k in range(u.shape[-1]):
        r = u[..., k] / np.sqrt(1.0 + u[..., k] ** 2)
        out = [out[i] - r * out[k - 1 - i] for i in range(k)] + [r]
    return np.stack(out, -1) if out else np.zeros((*u.shape[:-1], 0))


def _acov(ar: np.ndarray, ma: np.ndarray, N: int) -> np.ndarray:
    """Autocovariances (..., N) of unit-variance ARMA processes (Brockwell & Davis 3.3.8)."""
    p, q = ar.shape[-1], ma.shape[-1]
    lead = ar.shape[:-1]
    theta = [np.ones(lead)] + [ma[..., j] for j in range(q)]
    psi: list[np.ndarray] = []
    for j in range(q + 1):
        psi.append(theta[j] + sum(ar[..., i - 1] * psi[j - i] for i in range(1, min(j, p) + 1)))
    M = max(p, q) + 1
    A = np.broadcast_to(np.eye(M), (*lead, M, M)).copy()
    rhs = np.zeros((*lead, M))
    for k in range(M):
        for i in range(1, p + 1):
            A[..., k, abs(k - i)] -= ar[..., i - 1]
        if k <= q:
            rhs[..., k] = sum(theta[k + j] * psi[j] for j in range(q + 1 - k))
    g = np.zeros((*lead, max(N, M)))
    g[..., :M] = np.linalg.solve(A, rhs[..., None])[..., 0] if p else rhs
    for k in range(M, N):
        g[..., k] = sum(ar[..., i] * g[..., k - 1 - i] for i in range(p)) if p else 0.0
    return g[..., :N]


def _arma_profile(U: np.ndarray, W: np.ndarray, p: int, q: int):
    """Exact ARMA(p, q) log-likelihoods with mean and variance profiled out.

    U (B, P, p+q) transformed coefficients, W (B, N) the differences. Returns
    (llf, ar, ma, mean, s2) with leading shape (B, P). The Toeplitz system of the
    autocovariances is solved by the Durbin-Levinson recursion (O(N^2), vectorised over
    all parameter points) instead of a Cholesky factor per point: it gives the one-step
    prediction errors of the data and of a constant (for the GLS mean) and their
    variances, hence the exact likelihood.
    """
    B, P, _ = U.shape
    N = W.shape[1]
    ar = _stationary(U[..., :p])
    ma = -_stationary(U[..., p:])
    g = _acov(ar, ma, N)  # (B, P, N)
    v = g[..., 0].copy()
    logv = np.log(v)
    ew = np.empty((B, P, N))
    e1 = np.empty((B, P, N))
    vs = np.empty((B, P, N))
    ew[..., 0] = W[:, None, 0]
    e1[..., 0] = 1.0
    vs[..., 0] = v
    phi = np.zeros((B, P, N))
    Wr = W[:, ::-1]  # reversed, so that the last k values before t are a contiguous slice
    for t in range(1, N):
        a = (g[..., t] - np.einsum("bpj,bpj->bp", phi[..., :t - 1], g[..., t - 1:0:-1])) / v
        if t > 1:
            phi[..., :t - 1] -= a[..., None] * phi[..., t - 2::-1]
        phi[..., t - 1] = a
        v = v * (1.0 - a * a)
        past = Wr[:, N - t:]  # w_(t-1), ..., w_0
        ew[..., t] = W[:, None, t] - np.einsum("bpj,bj->bp", phi[..., :t], past)
        e1[..., t] = 1.0 - phi[..., :t].sum(-1)
        vs[..., t] = v
    v_ok = vs > 0
    vs = np.where(v_ok, vs, np.nan)
    s11 = (e1 * e1 / vs).sum(-1)
    mu = (e1 * ew / vs).sum(-1) / s11
    r = ew - mu[..., None] * e1
    s2 = np.maximum((r * r / vs).sum(-1) / N, 1e-300)
    llf = -0.5 * N * (np.log(2 * np.pi * s2) + 1.0) - 0.5 * np.log(vs).sum(-1)
    del logv
    return llf, ar, ma, mu, s2


def _embed(X: np.ndarray, p: int, q: int) -> np.ndarray:
    """Transformed (p, q) coefficients (..., p+q) as (2, 2) ones (..., 4): zeros elsewhere."""
    out = np.zeros((*X.shape[:-1], 4))
    out[..., :p] = X[..., :p]
    out[..., 2:2 + q] = X[..., p:]
    return out


def arima_mle(W: np.ndarray, p: int, q: int):
    """Exact Gaussian ML of ARMA(p, q) with mean on each row of W (B, N)."""
    B = W.shape[0]
    k = p + q
    if k == 0:
        U = np.zeros((B, 1, 0))
    else:
        U, _ = grid_newton(lambda X: _arma_profile(X, W, p, q)[0], [-ARMA_BOUND] * k,
                           [ARMA_BOUND] * k, _ARMA_GRID[k], ARMA_ROUNDS, B,
                           starts=1 if k == 1 else 3)
        U = U[:, None, :]
    llf, ar, ma, mu, s2 = _arma_profile(U, W, p, q)
    return llf[:, 0], ar[:, 0], ma[:, 0], mu[:, 0], s2[:, 0]


def _mle_group(w: np.ndarray, orders: list[tuple[int, int]], rounds: int = 6,
               starts: int = 2):
    """ML of several orders with the same number of coefficients, as one batch.

    Used to rank orders by AICc, so with fewer refinement rounds than the final fit of
    the chosen order (which :func:`fit_arima` estimates again at full precision).
    """
    k = sum(orders[0])
    G = len(orders)
    W = np.broadcast_to(w, (G, w.size))
    if k == 0:
        llf, *_ = _arma_profile(np.zeros((1, 1, 4)), w[None], 2, 2)
        return [(float(llf[0, 0]), np.zeros(0), np.zeros(0))]

    def f(X):  # X (G, P, k): row g is order g
        E = np.stack([_embed(X[g], *orders[g]) for g in range(G)])
        return _arma_profile(E, W, 2, 2)[0]

    U, _ = grid_newton(f, [-ARMA_BOUND] * k, [ARMA_BOUND] * k, _ARMA_GRID[k], rounds,
                       G, starts=1 if k == 1 else starts)
    E = np.stack([_embed(U[g][None], *orders[g]) for g in range(G)])
    llf, ar, ma, _, _ = _arma_profile(E, W, 2, 2)
    return [(float(llf[g, 0]), ar[g, 0, :orders[g][0]], ma[g, 0, :orders[g][1]])
            for g in range(G)]


def near_unit_root(ar: np.ndarray, ma: np.ndarray, bound: float = 1.01) -> bool:
    """True when an AR or MA root lies within `bound` of the unit circle (as auto.arima)."""
    for poly in (np.r_[1.0, -ar], np.r_[1.0, ma]):
        if poly.size > 1 and np.any(poly[1:] != 0):
            roots = np.roots(poly[::-1])
            if roots.size and np.min(np.abs(roots)) < bound:
                return True
    return False


def arima_orders(n: int, max_order: int = 2) -> list[tuple[int, int]]:
    """Orders (p, q) with p, q <= max_order that a series of length n supports."""
    return [(p, q) for p in range(max_order + 1) for q in range(max_order + 1)
            if n >= p + q + 6]


def select_order(y: np.ndarray) -> tuple[int, int]:
    """The (p, q) with the smallest exact AICc on the differences of one series.

    Orders with the same number of coefficients are estimated together in one batch;
    fits with a root within 1.01 of the unit circle are rejected, as in R's auto.arima.
    """
    w = np.diff(y)
    groups: dict[int, list[tuple[int, int]]] = {}
    for o in arima_orders(y.size):
        groups.setdefault(sum(o), []).append(o)
    best, best_order = np.inf, (0, 0)
    for k in sorted(groups):
        for (p, q), (llf, ar, ma) in zip(groups[k], _mle_group(w, groups[k]), strict=True):
            if near_unit_root(ar, ma):
                continue
            score = float(aicc(llf, p + q + 2, w.size))
            if score < best - 1e-9:
                best, best_order = score, (p, q)
    return best_order


def _arma_stationary_cov(Ta: np.ndarray, Ra: np.ndarray) -> np.ndarray:
    """Solve S = Ta S Ta' + Ra Ra' for each batch member (B, r, r)."""
    B, r, _ = Ta.shape
    kron = np.einsum("bij,bkl->bikjl", Ta, Ta).reshape(B, r * r, r * r)
    rhs = np.einsum("bi,bj->bij", Ra, Ra).reshape(B, r * r)
    S = np.linalg.solve(np.eye(r * r) - kron, rhs[..., None])[..., 0].reshape(B, r, r)
    return 0.5 * (S + np.swapaxes(S, 1, 2))


#: Innovation sd, relative to the working-scale level, below which a series counts as
#: exactly linear: the diffuse start (1e7 x 1e-6 |y|^2) leaves the filter a resolution of
#: about 5e-8 |y| in sd, so smaller innovations vanish in rounding (one-step variance 0).
EXACT_SD = 1e-6


def exactly_linear(Y: np.ndarray) -> np.ndarray:
    """Rows (B,) whose differences are constant to :data:`EXACT_SD`: constant or straight.

    On them the ARMA coefficients are not identified and the filter cannot resolve the
    innovations; ARIMA(0,1,0) with drift (``fit_drift``) fits them exactly, as a flat or
    straight forecast with a negligible band.
    """
    W = np.diff(Y, axis=1)
    scale = np.maximum(np.abs(Y).max(1), 1.0)
    return W.std(1) <= EXACT_SD * scale


def fit_arima(Y: np.ndarray, order: tuple[int, int], pu: bool = True) -> list[Estimate]:
    """ARIMA(p,1,q) with drift: exact ML on the differences; state [y, ARMA state, drift]."""
    B, n = Y.shape
    p, q = order
    W = np.diff(Y, axis=1)
    N = W.shape[1]
    llf, ar, ma, mu, s2 = arima_mle(W, p, q)
    s2 = _floor_var(s2, Y)
    sd = np.sqrt(s2)
    r = max(p, q + 1)
    m = r + 2
    Ta = np.zeros((B, r, r))
    Ta[:, :p, 0] = ar
    Ta[:, np.arange(r - 1), np.arange(1, r)] = 1.0
    Ra = np.zeros((B, r))
    Ra[:, 0] = 1.0
    Ra[:, 1:q + 1] = ma
    T = np.zeros((B, m, m))
    T[:, 0, 0] = 1.0
    T[:, 0, 1:r + 1] = Ta[:, 0]
    T[:, 0, m - 1] = 1.0
    T[:, 1:r + 1, 1:r + 1] = Ta
    T[:, m - 1, m - 1] = 1.0
    Rf = np.zeros((B, m, 1))
    Rf[:, 0, 0] = sd
    Rf[:, 1:r + 1, 0] = sd[:, None] * Ra
    Z = np.zeros((B, m))
    Z[:, 0] = 1.0
    cf = np.zeros((B, 1))
    S = s2[:, None, None] * _arma_stationary_cov(Ta, Ra)
    sl = slice(1, r + 1)
    A, P, v, F = _filter(Y, Z, T, Rf, cf, [True] + [False] * r + [True], (sl, S))
    E2, V = _origin_calib(Y, Z, T, Rf, cf, A, P, _first(5, n))
    if not pu:  # drift known: filter again with it fixed at its estimate
        a1 = np.zeros((B, m))
        a1[:, 0], a1[:, -1] = Y[:, 0], mu
        P1 = np.zeros((B, m, m))
        P1[:, 0, 0] = DIFFUSE * np.maximum(Y.var(1), 1e-300)
        P1[:, sl, sl] = S
        A, P, _, _ = kalman.run(Y, Z, T, Rf, cf, a1, P1)
    reps = _build(B, Z=Z, T=T, Rf=Rf, cf=cf, a=A[:, n], P=P[:, n])
    params = {"drift": mu}
    params.update({f"ar{i + 1}": ar[:, i] for i in range(p)})
    params.update({f"ma{i + 1}": ma[:, i] for i in range(q)})
    params["sigma"] = sd
    return _estimates(reps, params, aicc(llf, p + q + 2, N), v[:, 1:], N - p - q - 1, E2, V)


