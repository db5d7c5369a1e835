"""Families estimated through the Kalman filter: local linear trend, ARIMA, damped trend.

Private to :mod:`forecast.models`. Each ``fit_*`` takes ``Y`` (B, n), B series on the
working scale, and returns B :class:`~forecast.models.base.Estimate`. The nonlinear
parameters are maximum-likelihood estimates (batched likelihoods, :mod:`.search`); the
states, and the linear parameters carried as states, come from the filter
(:mod:`.kalman`) started diffuse, which also yields the out-of-sample errors used to
calibrate each model.
"""

from __future__ import annotations

import functools

import numpy as np

from . import kalman
from .estimation import (
    ALPHA,
    FLOAT_POINTS,
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
from .search import _grid, grid_newton, quadratic_forms


# ------------------------------------------------------------- local linear trend
def _ma2_profile(g0, g1, g2, W):
    """Concentrated Gaussian log-likelihood of W (B, N) for MA(2) autocovariances (B, P).

    The innovations algorithm (Brockwell & Davis 5.2.16) for a banded covariance: O(N)
    per parameter point, vectorised over all points. Returns (llf (B, P), s2 (B, P)).
    With ``theta_(n,2) = g2 / v_(n-2)`` the recursion needs ``theta_(n,1) v_(n-1) = g1 -
    theta_(n-1,1) g2`` and ``v_n = g0 - theta_(n,1) (g1 - theta_(n-1,1) g2) - theta_(n,2)
    g2``; the variances are kept and their logs summed once at the end.

    Up to :data:`FLOAT_POINTS` points (one series: the search's stencils, its last
    evaluation and the final fit) run the same arithmetic point by point on Python
    floats, faster than numpy's per-call work on such small arrays and with the same
    IEEE results.
    """
    B, N = W.shape
    shape = np.broadcast_shapes(np.shape(g0), np.shape(g1), np.shape(g2), (B, 1))
    V = np.empty((*shape, N))  # v_0 .. v_(N-1)
    ss = _innovations_floats(g0, g1, g2, W, V, shape) if np.prod(shape) <= FLOAT_POINTS \
        else None
    if ss is None:  # many points, or a zero variance: numpy's arrays and inf/nan rules
        ss = _innovations(g0, g1, g2, W.T[:, :, None], V)
    with np.errstate(divide="ignore", invalid="ignore"):
        logv = np.log(V).sum(-1)
    s2 = np.maximum(np.broadcast_to(ss, shape) / N, 1e-300)
    llf = -0.5 * N * (np.log(2 * np.pi * s2) + 1.0) - 0.5 * logv
    return np.where(np.isfinite(llf), llf, -np.inf), s2


def _innovations_floats(g0, g1, g2, W, V, shape):
    """:func:`_innovations` for each point of `shape` on floats; None on a zero variance."""
    flat = V.reshape(-1, V.shape[-1])  # a view: V is filled in place
    n = flat.shape[0]
    gs = [[float(g)] * n if np.ndim(g) == 0 else np.broadcast_to(g, shape).ravel().tolist()
          for g in (g0, g1, g2)]
    rows = W.tolist()
    per_row = n // len(rows)  # points are in C order: series first
    ss = np.empty(n)
    try:
        for k in range(n):
            ss[k] = _innovations(gs[0][k], gs[1][k], gs[2][k], rows[k // per_row], flat[k])
    except ZeroDivisionError:
        return None
    return ss.reshape(shape)


def _innovations(g0, g1, g2, ws, V):
    """The recursion of :func:`_ma2_profile`: fills V[..., n] = v_n, returns sum r^2/v.

    ``ws[n]`` is the n-th value of the series (a float, or a (B, 1) column); the
    autocovariances are floats or arrays that broadcast against it.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        V[..., 0] = g0
        v1 = g0  # v_(n-1)
        v2 = 1.0  # v_(n-2), unused at n = 1
        t1 = 0.0  # theta_(n-1, 1)
        r2 = 0.0  # innovation x_(n-2) - xhat_(n-2)
        r1 = ws[0]  # innovation x_(n-1) - xhat_(n-1)
        ss = r1 * r1 / v1
        for n in range(1, len(ws)):
            th2 = g2 / v2 if n >= 2 else 0.0
            a = g1 - t1 * g2
            th1 = a / v1
            v = g0 - th1 * a - th2 * g2
            r = ws[n] - (th1 * r1 + th2 * r2)
            ss = ss + r * r / v
            V[..., n] = v
            r2, r1 = r1, r
            v2, v1 = v1, v
            t1 = th1
    return ss


def _shares(U: np.ndarray) -> np.ndarray:
    """Softmax of (0, U): shares of the variance in (irregular, level, slope)."""
    e = np.exp(np.concatenate([np.zeros((*U.shape[:-1], 1)), U], -1))
    return e / e.sum(-1, keepdims=True)


#: The local linear trend's search box (log variance ratios) and first-pass grid.
_LLT_BOX, _LLT_GRID = ((-10.0, -10.0), (10.0, 10.0)), 11
#: Longest differenced series whose grid likelihoods use cached inverse covariances
#: (121 x N x N floats, 1.5 MB at N = 40); longer series run the recursion on the grid.
#: Every length up to it stays cached (21.5 MB for all 40): with 32 entries, a loop
#: cycling through the 33 lengths of M1 (8..40) missed on every fit.
GRID_CACHE_N = 40


@functools.lru_cache(maxsize=GRID_CACHE_N + 1)  # every N in 0..GRID_CACHE_N
def _llt_grid_inverse(N: int) -> tuple[np.ndarray, np.ndarray]:
    """Inverse MA(2) covariances (121, N * N, flat) and their log-determinants on the grid.

    On the first pass's fixed grid the concentrated likelihood of a series is
    ``w' Sigma_p^-1 w`` and ``log det Sigma_p``, where only w depends on the data: one
    banded covariance per grid point, inverted once per length N and shared by every
    series and history draw of that length (what the innovations recursion computes
    for each series anew).
    """
    grid = _grid(*_LLT_BOX, (_LLT_GRID, _LLT_GRID))
    p = _shares(grid)
    g = (6 * p[:, 0] + 2 * p[:, 1] + p[:, 2], -4 * p[:, 0] - p[:, 1], p[:, 0])
    S = np.zeros((grid.shape[0], N, N))
    for lag, gk in enumerate(g):
        idx = np.arange(N - lag)
        S[:, idx, idx + lag] = S[:, idx + lag, idx] = gk[:, None]
    L = np.linalg.cholesky(S)
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(-1)
    Sinv = np.linalg.inv(S).reshape(grid.shape[0], N * N)  # flat, for quadratic_forms
    Sinv.flags.writeable = logdet.flags.writeable = False  # shared between calls
    return Sinv, logdet


def _llt_grid_llf(Wn: np.ndarray) -> np.ndarray | None:
    """Concentrated log-likelihoods (B, 121) of `Wn` at the grid points, or None (long)."""
    B, N = Wn.shape
    if N > GRID_CACHE_N:
        return None
    Sinv, logdet = _llt_grid_inverse(N)
    quad = quadratic_forms(Wn, Sinv)  # w' Sigma_p^-1 w at every grid point
    s2 = np.maximum(quad / N, 1e-300)
    return -0.5 * N * (np.log(2 * np.pi * s2) + 1.0) - 0.5 * logdet


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

    u, _ = grid_newton(lambda U: llf_of(U)[0], *_LLT_BOX, _LLT_GRID, 2, B,
                       first=_llt_grid_llf(Wn))
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


# ------------------------------------------------------------ damped trend (ETS)


def _ets_sse(Y: np.ndarray, alpha, beta, phi):
    """Profiled SSE of ETS(A,Ad,N) over (B, P) parameter arrays; x0 by least squares.

    The one-step errors are linear in the initial state: e = r - X x0 with r the errors
    from x0 = 0 and X_t = w' D^(t-1), D = F - g w'. X does not depend on the data, so it
    is computed once for all series. Returns (sse, x0 (B, P, 2), log det X'X): the
    last for the restricted likelihood (:func:`_ets_restricted_llf`).

    The model is translation-equivariant (a constant added to the data moves the initial
    level by the same constant, nothing else), so the series is taken relative to its
    first value, as in :func:`forecast.models.theta._ses_sse`: on the raw values
    the profile ``rr - c' G^-1 c`` cancels large terms and leaves a spurious sigma of
    about sqrt(n eps) |y| on a constant series.
    """
    B, n = Y.shape
    ref = Y[:, :1]
    Y = Y - ref
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
    logdet = np.log(np.where(det > 0, det, np.nan))  # NaN where G is singular
    return sse, np.stack([s0 + ref, s1], -1), logdet


def _ets_restricted_llf(sse, logdet_g, phi, n: int):
    """Restricted log-likelihood of ETS(A,Ad,N), sigma^2 concentrated out (constants dropped).

    The initial state x0 = (l0, b0) enters the observations through the columns of
    ``M = [1, c]``, ``c_t = phi + ... + phi^t``; the likelihood of the n - 2 error
    contrasts orthogonal to them (Harville 1974), whose distribution is free of x0, is
    ``-(n - 2)/2 log(SSE / (n - 2)) - 1/2 log det X'X + 1/2 log det M'M`` with SSE and
    ``X'X`` those of the one-step errors profiled over x0 (:func:`_ets_sse`; the errors'
    map from the observations is unit lower triangular). The profile likelihood
    ``-n/2 log(SSE / n)`` lacks the two determinants: it sets the
    smoothing parameters to 0 (a deterministic damped trend) for most 20-year series of an
    ETS(A,Ad,N) with alpha 0.5, whose forecast variance then no longer grows with the
    horizon. ``1/2 log det M'M`` makes the criterion independent of how x0 is
    parametrised (the contrasts are orthonormal), as phi moves M's second column.
    """
    # c_t = q (1 - phi^t), q = phi / (1 - phi): det M'M = q^2 (n g2 - g1^2) with the
    # geometric sums g1 = sum phi^t and g2 = sum phi^2t (t = 1..n)
    ph = np.asarray(phi, dtype=float)
    q = ph / (1.0 - ph)
    g1 = q * (1.0 - ph**n)
    g2 = ph * ph * (1.0 - ph ** (2 * n)) / (1.0 - ph * ph)
    logdet_m = 2.0 * np.log(q) + np.log(n * g2 - g1 * g1)
    return (-0.5 * (n - 2) * np.log(np.maximum(sse, 1e-300) / (n - 2))
            - 0.5 * logdet_g + 0.5 * logdet_m)


def fit_damped(Y: np.ndarray, pu: bool = True) -> list[Estimate]:
    """ETS(A,Ad,N): alpha, beta = alpha * u, phi by restricted ML (x0 integrated out)."""
    B, n = Y.shape
    scale = np.maximum(Y.std(1), 1e-300)

    def llf_of(X):
        a, u, ph = X[..., 0], X[..., 1], X[..., 2]
        sse, _, logdet_g = _ets_sse(Y / scale[:, None], a, a * u, ph)
        return _ets_restricted_llf(sse, logdet_g, ph, n)

    x, _ = grid_newton(llf_of, [ALPHA[0], 1e-4, PHI[0]], [ALPHA[1], 0.9999, PHI[1]],
                       (6, 5, 3), 3, B)
    alpha, beta, phi = x[:, 0], x[:, 0] * x[:, 1], x[:, 2]
    sse, x0, _ = _ets_sse(Y, alpha[:, None], beta[:, None], phi[:, None])
    sse, x0 = sse[:, 0], x0[:, 0]
    s2 = _floor_var(sse / (n - 2), Y)  # the restricted ML estimate
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
    # AICc as R's ets(): the profile likelihood at the estimates
    llf = -0.5 * n * (np.log(2 * np.pi * _floor_var(sse / n, Y)) + 1.0)
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
        origins, _, idx, valid = kalman.origin_grid(n, first, H)
        mean = np.einsum("bkm,bom->bok", rows, state[:, origins])
        var = np.einsum("bkm,bomn,bkn->bok", rows, cov[:, origins], rows) + base[:, None, :]
        E2, V = kalman.error_sums(Y[:, idx] - mean, var, valid & np.isfinite(var[0]))
    return state[:, -1], cov[:, -1], v, E2, V


