"""Estimation of each model family, vectorised over a batch of series (history draws).

Private: the public specs in :mod:`forecast.models` call these. Every ``fit_*`` takes
``Y`` of shape (B, n), the B series on the working scale (one per history draw, or
B = 1), and returns a list of B :class:`Estimate`. The nonlinear parameters
(smoothing, damping, ARMA coefficients, variance ratios) are estimated by maximum
likelihood with :func:`forecast.models.search.grid_zoom`; the linear ones (initial
states, drift, intercept) are states of the Kalman filter with a diffuse start
(:mod:`forecast.models.kalman`), which also yields the out-of-sample errors behind the
calibration factor (see :func:`calibration`).
"""

from __future__ import annotations

import numpy as np

from . import kalman
from .linear import Estimate, Linear
from .search import grid_newton

#: variance of the diffuse initial states, relative to the series' variance
DIFFUSE = 1e7
#: R's "usual" bounds of ets(): smoothing in [1e-4, 0.9999], beta <= alpha, phi in [0.8, 0.98]
ALPHA = (1e-4, 0.9999)
PHI = (0.8, 0.98)
FIRST_FRAC = 0.0

#: Largest number of parameter points (series x parameter values) that the likelihood
#: recursions (``theta._ses_run``, ``filtered._ma2_profile``) evaluate point by point on
#: Python floats. On one series of 25 years the MA(2) innovations take 83 us that way for
#: 9 points against 181 us as arrays, 29 against 174 for 3; the arrays win from about 20
#: points (the first pass's grid of 121).
FLOAT_POINTS = 16


def _first(default, n):
    return max(default, int(FIRST_FRAC * n))


def aicc(llf, k: int, nobs: int):
    """Akaike information criterion with the small-sample correction (inf if undefined)."""
    llf = np.asarray(llf, dtype=float)
    if nobs - k - 1 <= 0:
        return np.full(llf.shape, np.inf)
    return -2.0 * llf + 2.0 * k + 2.0 * k * (k + 1) / (nobs - k - 1)


def gauss_llf(resid: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Gaussian log-likelihood (B,) of residuals (B, N) with variances s2 (B,)."""
    n = resid.shape[1]
    s2 = np.maximum(s2, 1e-300)
    return -0.5 * n * np.log(2 * np.pi * s2) - 0.5 * (resid * resid).sum(1) / s2


def _floor_var(s2: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # a constant (or exactly linear) series has zero innovation variance; keep it positive
    # and negligible so that the algebra stays defined and forecasts stay flat (a level
    # of 1 on the level scale is 0 on the working scale: the floor's unit is at least 1)
    scale = np.maximum(np.abs(Y).max(1), 1.0)
    return np.maximum(s2, (1e-10 * scale) ** 2)


def _build(B, **arrays):
    return [Linear(**{k: v[b] for k, v in arrays.items()}) for b in range(B)]


def _estimates(reps, params, aiccs, resid, dof, E2, V):
    """E2 (B, H) sums of squared standardised errors per horizon, V (H,) their counts."""
    B = len(reps)
    out = []
    for b in range(B):
        out.append(Estimate(reps[b], {k: float(v[b]) for k, v in params.items()},
                            float(aiccs[b]), np.asarray(resid[b], dtype=float), float(dof),
                            (np.asarray(E2[b], dtype=float), np.asarray(V, dtype=float))))
    return out


# ------------------------------------------------------------------- naive and drift
def fit_naive(Y: np.ndarray, pu: bool = True) -> list[Estimate]:
    """Random walk: dy = e; sigma^2 = mean of squared differences (ML, no mean)."""
    B, n = Y.shape
    d = np.diff(Y, axis=1)
    s2 = _floor_var((d * d).mean(1), Y)
    sd = np.sqrt(s2)
    E2, V = _walk_calib(Y, s2, _first(1, n))
    reps = _build(B, Z=np.ones((B, 1)), T=np.ones((B, 1, 1)), Rf=sd[:, None, None],
                  cf=np.zeros((B, 1)), a=Y[:, -1:], P=s2[:, None, None])
    llf = gauss_llf(d, s2)
    return _estimates(reps, {"sigma": sd}, aicc(llf, 1, n - 1), d, n - 1, E2, V)


def fit_drift(Y: np.ndarray, pu: bool = True) -> list[Estimate]:
    """Random walk with drift: dy = mu + e; mu the mean, sigma^2 the variance of dy."""
    B, n = Y.shape
    d = np.diff(Y, axis=1)
    N = n - 1
    mu = d.mean(1)
    s2 = _floor_var(d.var(1, ddof=1), Y)
    sd = np.sqrt(s2)
    resid = d - mu[:, None]
    # out-of-sample errors: the drift re-estimated from the first t differences
    E2, V = _drift_calib(Y, d, s2, _first(2, n))
    P = np.zeros((B, 2, 2))
    P[:, 0, 0] = s2
    if pu:
        P += (s2 / N)[:, None, None]
    Z = np.tile([1.0, 0.0], (B, 1))
    T = np.tile([[1.0, 1.0], [0.0, 1.0]], (B, 1, 1))
    Rf = np.zeros((B, 2, 1))
    Rf[:, 0, 0] = sd
    reps = _build(B, Z=Z, T=T, Rf=Rf, cf=np.zeros((B, 1)),
                  a=np.stack([Y[:, -1] + mu, mu], 1), P=P)
    llf = gauss_llf(resid, (resid * resid).mean(1))
    return _estimates(reps, {"drift": mu, "sigma": sd}, aicc(llf, 2, N), resid, N - 1, E2, V)


def _walk_calib(Y, s2, first):
    """Sums of squared standardised errors per horizon of no-change forecasts."""
    B, n = Y.shape
    origins, hk, idx, valid = kalman.origin_grid(n, first, max(n - first - 1, 0))
    if hk.size == 0:
        return np.zeros((B, 0)), np.zeros(0)
    return kalman.error_sums(Y[:, idx] - Y[:, origins, None], hk * s2[:, None, None], valid)


def _drift_calib(Y, d, s2, first):
    """Sums of squared standardised errors per horizon of drift forecasts from each origin."""
    B, n = Y.shape
    origins, hk, idx, valid = kalman.origin_grid(n, first, max(n - first - 1, 0))
    if hk.size == 0:
        return np.zeros((B, 0)), np.zeros(0)
    mu = np.cumsum(d, axis=1)[:, origins - 1] / origins  # drift from the first t differences
    err = Y[:, idx] - Y[:, origins, None] - mu[..., None] * hk
    var = (hk[None, :] + hk[None, :] ** 2 / origins[:, None]) * s2[:, None, None]
    return kalman.error_sums(err, var, valid)


# ----------------------------------------------------------------- filtered families
def _filter(Y, Z, T, Rf, cf, diffuse, stationary=None):
    """Run the filter from a diffuse start on the states flagged in `diffuse` (m,)."""
    B, n = Y.shape
    m = Z.shape[1]
    # the rows are working values of the series over its geometric mean (unit-free, the
    # level near 1): the floor keeps the start diffuse, at a relative sd of 1e-3 of the
    # level, where the series barely varies
    scale = DIFFUSE * np.maximum(Y.var(1), 1e-6)
    P1 = np.zeros((B, m, m))
    idx = np.flatnonzero(diffuse)
    P1[:, idx, idx] = scale[:, None]
    if stationary is not None:
        sl, cov = stationary
        P1[:, sl, sl] = cov
    a1 = np.zeros((B, m))
    a1[:, 0] = Y[:, 0]
    return kalman.run(Y, Z, T, Rf, cf, a1, P1)


def _origin_calib(Y, Z, T, Rf, cf, A, P, first):
    B, n = Y.shape
    return kalman.origin_sums(Y, Z, T, Rf, cf, A, P, first, max(n - first - 1, 0))


# -------------------------------------------------------------- log-linear trend
def fit_trend(Y: np.ndarray, ar1: bool, pu: bool = True) -> list[Estimate]:
    """y_t = a + b t + u_t, u iid or AR(1); exact Gaussian ML (Prais-Winsten) over phi."""
    B, n = Y.shape
    t = np.arange(n, dtype=float)

    def gls(phi):  # phi (B, P) -> (beta0, beta1, s2, logdet-term)
        w = np.sqrt(1.0 - phi * phi)
        y0 = w * Y[:, :1]
        yt = np.concatenate([y0[..., None] if y0.ndim == 3 else
                             np.broadcast_to(y0, phi.shape)[..., None],
                             Y[:, None, 1:] - phi[..., None] * Y[:, None, :-1]], -1)
        x0 = np.concatenate([w[..., None], np.broadcast_to(1 - phi[..., None],
                                                          (*phi.shape, n - 1))], -1)
        x1 = np.concatenate([np.zeros((*phi.shape, 1)),
                             t[1:] - phi[..., None] * t[:-1]], -1)
        s00, s01, s11 = (x0 * x0).sum(-1), (x0 * x1).sum(-1), (x1 * x1).sum(-1)
        c0, c1 = (x0 * yt).sum(-1), (x1 * yt).sum(-1)
        det = s00 * s11 - s01 * s01
        b0 = (s11 * c0 - s01 * c1) / det
        b1 = (s00 * c1 - s01 * c0) / det
        r = yt - b0[..., None] * x0 - b1[..., None] * x1
        s2 = np.maximum((r * r).sum(-1) / n, 1e-300)
        return b0, b1, s2, 0.5 * np.log(1.0 - phi * phi)

    if ar1:
        x, _ = grid_newton(lambda X: (lambda o: -0.5 * n * np.log(o[2]) + o[3])(gls(X[..., 0])),
                         [-0.98], [0.98], 21, 3, B)
        phi = x[:, 0]
    else:
        phi = np.zeros(B)
    b0, b1, s2, half_logdet = gls(phi[:, None])
    b0, b1, s2 = b0[:, 0], b1[:, 0], s2[:, 0]
    k = 4 if ar1 else 3
    if not ar1:
        resid = Y - b0[:, None] - np.outer(b1, t)
        s2 = (resid * resid).sum(1) / max(n - 2, 1)
    s2 = _floor_var(s2, Y)
    sd = np.sqrt(s2)
    llf = -0.5 * n * (np.log(2 * np.pi * s2) + 1.0) + (half_logdet[:, 0] if ar1 else 0.0)
    # state [trend level, slope, u]: y = level + u; level' = level + slope; u' = phi u + e
    Z = np.tile([1.0, 0.0, 1.0], (B, 1))
    T = np.zeros((B, 3, 3))
    T[:, 0, 0] = T[:, 0, 1] = T[:, 1, 1] = 1.0
    T[:, 2, 2] = phi
    Rf = np.zeros((B, 3, 1))
    Rf[:, 2, 0] = sd
    cf = np.zeros((B, 1))
    S = (s2 / (1 - phi * phi))[:, None, None]
    A, P, v, F = _filter(Y, Z, T, Rf, cf, [True, True, False], (slice(2, 3), S))
    E2, V = _origin_calib(Y, Z, T, Rf, cf, A, P, _first(3, n))
    Pn = P[:, n]
    if not pu:
        Pn = np.zeros((B, 3, 3))
        Pn[:, 2, 2] = s2
    reps = _build(B, Z=Z, T=T, Rf=Rf, cf=cf, a=A[:, n], P=Pn)
    params = {"intercept": b0, "slope": b1, "sigma": sd}
    if ar1:
        params["ar1"] = phi
    resid = v[:, 2:]
    return _estimates(reps, params, aicc(llf, k, n), resid, n - k + 1, E2, V)
