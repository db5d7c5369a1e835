"""Families estimated through the Kalman filter: local linear trend, ARIMA, damped trend.

Private to :mod:`forecast.models`. Each ``fit_*`` takes ``Y`` (B, n), B series on the
working scale, and returns B :class:`~forecast.models.base.Estimate`. The nonlinear
parameters are maximum-likelihood estimates (batched likelihoods, :mod:`.search`); the
states, and the linear parameters carried as states, come from the filter
(:mod:`.kalman`) started diffuse, which also yields the out-of-sample errors used to
calibrate each model.
"""

from __future__ import annotations

import numpy as np

from . import kalman
from .estimation import (
    ALPHA,
    DIFFUSE,
    PHI,
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
_ARMA_GRID = {1: 13, 2: 9, 3: 5, 4: 5}  # grid points per coefficient, by their number

# ------------------------------------------------------------- local linear trend
def _toeplitz_banded(cols: np.ndarray, N: int) -> np.ndarray:
    """Symmetric Toeplitz matrices (..., N, N) from autocovariances cols (..., L)."""
    lag = np.abs(np.subtract.outer(np.arange(N), np.arange(N)))
    L = cols.shape[-1]
    padded = np.concatenate([cols, np.zeros((*cols.shape[:-1], max(N - L, 0)))], -1)
    return padded[..., lag]


def _gauss_profile(G: np.ndarray, W: np.ndarray):
    """Concentrated Gaussian log-likelihood of W (B, N) under covariances s2 * G (B, P, N, N).

    Returns (llf (B, P), s2 (B, P)); -inf where G is not positive definite.
    """
    B, P, N, _ = G.shape
    try:
        L = np.linalg.cholesky(G)
    except np.linalg.LinAlgError:
        L = np.empty_like(G)
        bad = np.zeros((B, P), dtype=bool)
        for b in range(B):
            for j in range(P):
                try:
                    L[b, j] = np.linalg.cholesky(G[b, j])
                except np.linalg.LinAlgError:
                    bad[b, j] = True
                    L[b, j] = np.eye(N)
    else:
        bad = np.zeros((B, P), dtype=bool)
    z = np.linalg.solve(L, np.broadcast_to(W[:, None, :, None], (B, P, N, 1)))[..., 0]
    s2 = np.maximum((z * z).sum(-1) / N, 1e-300)
    logdet = np.log(np.abs(np.diagonal(L, axis1=-2, axis2=-1))).sum(-1)
    llf = -0.5 * N * (np.log(2 * np.pi * s2) + 1.0) - logdet
    return np.where(bad, -np.inf, llf), s2


def _ma2_profile(g0, g1, g2, W):
    """Concentrated Gaussian log-likelihood of W (B, N) for MA(2) autocovariances (B, P).

    The innovations algorithm (Brockwell & Davis 5.2.16) for a banded covariance: O(N)
    per parameter point, vectorised over all points. Returns (llf (B, P), s2 (B, P)).
    """
    B, N = W.shape
    shape = np.broadcast_shapes(g0.shape, (B, 1))
    v1 = np.broadcast_to(g0, shape).astype(float)  # v_(n-1)
    v2 = np.ones(shape)  # v_(n-2)
    t1 = np.zeros(shape)  # theta_(n-1, 1)
    r1 = np.zeros(shape)  # innovation x_(n-1) - xhat_(n-1)
    r2 = np.zeros(shape)  # innovation x_(n-2) - xhat_(n-2)
    ss = W[:, :1] ** 2 / v1
    logv = np.log(v1)
    r1 = np.broadcast_to(W[:, :1], shape).copy()
    for n in range(1, N):
        th2 = g2 / v2 if n >= 2 else np.zeros(shape)
        th1 = (g1 - t1 * th2 * v2) / v1
        xhat = th1 * r1 + th2 * r2
        v = g0 - th1 * th1 * v1 - th2 * th2 * v2
        r = W[:, n:n + 1] - xhat
        ss = ss + r * r / v
        logv = logv + np.log(v)
        r2, r1 = r1, r
        v2, v1 = v1, v
        t1 = th1
    s2 = np.maximum(ss / N, 1e-300)
    llf = -0.5 * N * (np.log(2 * np.pi * s2) + 1.0) - 0.5 * logv
    return np.where(np.isfinite(llf), llf, -np.inf), s2


def _shares(U: np.ndarray) -> np.ndarray:
    """Softmax of (0, U): shares of the variance in (irregular, level, slope)."""
    e = np.exp(np.concatenate([np.zeros((*U.shape[:-1], 1)), U], -1))
    return e / e.sum(-1, keepdims=True)


def fit_llt(Y: np.ndarray, pu: bool = True) -> list[Estimate]:
    """Local linear trend: exact ML via the MA(2) form of the second differences."""
    B, n = Y.shape
    W = np.diff(Y, n=2, axis=1)
    N = W.shape[1]
    sc = np.maximum(W.std(1), 1e-12 * np.maximum(np.abs(Y).max(1), 1e-300))
    Wn = W / sc[:, None]

    def llf_of(U):
        p = _shares(U)
        return _ma2_profile(6 * p[..., 0] + 2 * p[..., 1] + p[..., 2],
                            -4 * p[..., 0] - p[..., 1], p[..., 0], Wn)

    u, _ = grid_newton(lambda U: llf_of(U)[0], [-10.0, -10.0], [10.0, 10.0], 11, 2, B)
    llf, s2 = llf_of(u[:, None, :])
    var = (s2[:, 0] * sc * sc)[:, None] * _shares(u)
    # a (nearly) exact line has no noise at all: keep the irregular variance positive
    var[:, 0] = _floor_var(var[:, 0], Y)
    llf = llf[:, 0] - N * np.log(sc)
    sd = np.sqrt(var)
    Z = np.tile([1.0, 0.0], (B, 1))
    T = np.tile([[1.0, 1.0], [0.0, 1.0]], (B, 1, 1))
    Rf = np.zeros((B, 2, 3))
    Rf[:, 0, 1], Rf[:, 1, 2] = sd[:, 1], sd[:, 2]
    cf = np.zeros((B, 3))
    cf[:, 0] = sd[:, 0]
    A, P, v, F = _filter(Y, Z, T, Rf, cf, [True, True])
    E2, V = _origin_calib(Y, Z, T, Rf, cf, A, P, _first(5, n))
    reps = _build(B, Z=Z, T=T, Rf=Rf, cf=cf, a=A[:, n], P=P[:, n])
    params = {"sigma2_irregular": var[:, 0], "sigma2_level": var[:, 1],
              "sigma2_trend": var[:, 2]}
    return _estimates(reps, params, aicc(llf, 3, N), v[:, 2:], N - 3, E2, V)


# ---------------------------------------------------------------------------- ARIMA
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


# ------------------------------------------------------------ damped trend (ETS)


def _ets_sse(Y: np.ndarray, alpha, beta, phi):
    """Profiled SSE of ETS(A,Ad,N) over (B, P) parameter arrays; x0 by least squares.

    The one-step errors are linear in the initial state: e = r - X x0 with r the errors
    from x0 = 0 and X_t = w' D^(t-1), D = F - g w'. X does not depend on the data, so it
    is computed once for all series. Returns (sse, x0 (B, P, 2)).
    """
    B, n = Y.shape
    shape = np.broadcast_shapes(np.shape(alpha), (B, 1))
    pshape = np.broadcast_shapes(np.shape(alpha), np.shape(phi))
    lev = np.zeros(shape)
    tr = np.zeros(shape)
    E = np.empty((*shape, n))
    X = np.empty((*pshape, n, 2))
    x0, x1 = np.ones(pshape), phi * np.ones(pshape)  # X_1 = w = (1, phi)
    d00, d01 = 1 - alpha, phi * (1 - alpha)
    d10, d11 = -beta, phi * (1 - beta)
    for t in range(n):
        yhat = lev + phi * tr
        e = Y[:, t:t + 1] - yhat
        E[..., t] = e
        lev = yhat + alpha * e
        tr = phi * tr + beta * e
        X[..., t, 0] = x0
        X[..., t, 1] = x1
        x0, x1 = x0 * d00 + x1 * d10, x0 * d01 + x1 * d11
    G = np.einsum("...ti,...tj->...ij", X, X)
    c = np.einsum("...ti,...t->...i", X, E)
    rr = np.einsum("...t,...t->...", E, E)
    det = G[..., 0, 0] * G[..., 1, 1] - G[..., 0, 1] ** 2
    det = np.where(np.abs(det) > 1e-300, det, np.nan)
    s0 = (G[..., 1, 1] * c[..., 0] - G[..., 0, 1] * c[..., 1]) / det
    s1 = (G[..., 0, 0] * c[..., 1] - G[..., 0, 1] * c[..., 0]) / det
    sse = rr - (s0 * c[..., 0] + s1 * c[..., 1])
    return sse, np.stack([s0, s1], -1)


def fit_damped(Y: np.ndarray, pu: bool = True) -> list[Estimate]:
    """ETS(A,Ad,N): alpha, beta = alpha * u, phi by ML (profiled initial state)."""
    B, n = Y.shape
    scale = np.maximum(Y.std(1), 1e-300)

    def llf_of(X):
        a, u, ph = X[..., 0], X[..., 1], X[..., 2]
        sse, _ = _ets_sse(Y / scale[:, None], a, a * u, ph)
        return -0.5 * n * np.log(np.maximum(sse, 1e-300) / n)

    x, _ = grid_newton(llf_of, [ALPHA[0], 1e-4, PHI[0]], [ALPHA[1], 0.9999, PHI[1]],
                       (6, 5, 3), 3, B)
    alpha, beta, phi = x[:, 0], x[:, 0] * x[:, 1], x[:, 2]
    sse, x0 = _ets_sse(Y, alpha[:, None], beta[:, None], phi[:, None])
    sse, x0 = sse[:, 0], x0[:, 0]
    s2 = _floor_var(sse / n, Y)
    sd = np.sqrt(s2)
    Z = np.stack([np.ones(B), phi], 1)
    T = np.zeros((B, 2, 2))
    T[:, 0, 0], T[:, 0, 1], T[:, 1, 1] = 1.0, phi, phi
    Rf = np.stack([alpha * sd, beta * sd], 1)[:, :, None]
    cf = sd[:, None]
    a, P, v, E2, V = _ets_states(Y, alpha, beta, phi, s2, _first(7, n))
    if not pu:
        P = np.zeros((B, 2, 2))
    reps = _build(B, Z=Z, T=T, Rf=Rf, cf=cf, a=a, P=P)
    llf = -0.5 * n * (np.log(2 * np.pi * s2) + 1.0)
    params = {"alpha": alpha, "beta": beta, "phi": phi, "level0": x0[:, 0],
              "trend0": x0[:, 1], "sigma": sd}
    return _estimates(reps, params, aicc(llf, 6, n), v, n - 5, E2, V)


def _ets_states(Y, alpha, beta, phi, s2, first):
    """Final state, its covariance, residuals and out-of-sample sums of ETS(A,Ad,N).

    Given the smoothing parameters the errors are linear in the initial state x0
    (``e = r - X x0``) and so is the state after t observations
    (``x_t = s_t + D^(t+1) x0``), so the initial state re-estimated by least squares from
    the first t+1 errors, and the forecasts from every origin, follow from cumulative
    sums: the exact diffuse Kalman filter of this model, without a filter loop.
    """
    B, n = Y.shape
    p1 = phi[:, None]
    lev = np.zeros(B)
    tr = np.zeros(B)
    r = np.empty((B, n))
    S = np.empty((B, n, 2))
    X = np.empty((B, n, 2))
    Dp = np.empty((B, n + 1, 2, 2))  # D^k, k = 0..n
    D = np.empty((B, 2, 2))
    D[:, 0, 0], D[:, 0, 1] = 1 - alpha, phi * (1 - alpha)
    D[:, 1, 0], D[:, 1, 1] = -beta, phi * (1 - beta)
    Dp[:, 0] = np.eye(2)
    for t in range(n):
        Dp[:, t + 1] = Dp[:, t] @ D
        yhat = lev + phi * tr
        r[:, t] = Y[:, t] - yhat
        lev = yhat + alpha * r[:, t]
        tr = phi * tr + beta * r[:, t]
        S[:, t, 0], S[:, t, 1] = lev, tr
    X[:, :, 0] = Dp[:, :n, 0, 0] + p1 * Dp[:, :n, 1, 0]
    X[:, :, 1] = Dp[:, :n, 0, 1] + p1 * Dp[:, :n, 1, 1]
    G = np.cumsum(np.einsum("bti,btj->btij", X, X), axis=1)  # (B, n, 2, 2)
    c = np.cumsum(X * r[..., None], axis=1)  # (B, n, 2)
    det = G[..., 0, 0] * G[..., 1, 1] - G[..., 0, 1] ** 2
    ok = np.abs(det) > 1e-12 * np.maximum(G[..., 0, 0] * G[..., 1, 1], 1e-300)
    det = np.where(ok, det, np.nan)
    Gi = np.empty_like(G)
    Gi[..., 0, 0], Gi[..., 1, 1] = G[..., 1, 1] / det, G[..., 0, 0] / det
    Gi[..., 0, 1] = Gi[..., 1, 0] = -G[..., 0, 1] / det
    x0 = np.einsum("btij,btj->bti", Gi, c)  # initial state from the first t+1 errors
    state = S + np.einsum("btij,btj->bti", Dp[:, 1:], x0)  # state after y_0..y_t
    cov = s2[:, None, None, None] * Dp[:, 1:] @ Gi @ np.swapaxes(Dp[:, 1:], -1, -2)
    v = r - np.einsum("bti,bi->bt", X, x0[:, -1])
    # forecasts from origins first..n-2 (same algebra as kalman.origin_sums)
    H = max(n - first - 1, 0)
    E2 = np.zeros((B, H))
    V = np.zeros(H)
    if H > 0:
        Z = np.stack([np.ones(B), phi], 1)
        T = np.zeros((B, 2, 2))
        T[:, 0, 0], T[:, 0, 1], T[:, 1, 1] = 1.0, phi, phi
        Rf = np.stack([alpha, beta], 1)[:, :, None] * np.sqrt(s2)[:, None, None]
        cf = np.sqrt(s2)[:, None]
        rows, base = kalman.horizon_rows(Z, T, Rf, cf, H)
        origins = np.arange(first, n - 1)
        mean = np.einsum("bkm,bom->bok", rows, state[:, origins])
        var = np.einsum("bkm,bomn,bkn->bok", rows, cov[:, origins], rows) + base[:, None, :]
        idx = origins[:, None] + np.arange(1, H + 1)[None, :]
        valid = (idx <= n - 1) & np.isfinite(var[0])
        target = Y[:, np.minimum(idx, n - 1)]
        u2 = np.where(valid, (target - mean) ** 2 / np.where(valid, var, 1.0), 0.0)
        E2 = u2.sum(1)
        V = valid.sum(0).astype(float)
    return state[:, -1], cov[:, -1], v, E2, V


