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

import functools

import numpy as np

from . import kalman
from .linear import Estimate, Linear
from .search import _grid, grid_newton, quadratic_forms

#: variance of the diffuse initial states, relative to the series' variance
DIFFUSE = 1e7
#: R's "usual" bounds of ets(): smoothing in [1e-4, 0.9999], beta <= alpha, phi in [0.8, 0.98]
ALPHA = (1e-4, 0.9999)
PHI = (0.8, 0.98)
FIRST_FRAC = 0.0


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
    scale = DIFFUSE * np.maximum(Y.var(1), np.abs(Y).mean(1) ** 2 * 1e-6 + 1e-300)
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


# ------------------------------------------------------------------------- theta
def _ses_run(Y: np.ndarray, alpha, l0=0.0) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing of Y (B, n) from level `l0`: errors and levels.

    ``e_t = y_t - l_(t-1)``, ``l_t = l_(t-1) + alpha e_t``, for `alpha` and `l0` of
    shape (B,) or (B, P) (P smoothing constants per series). Returns (e, l), each of the
    parameters' shape plus (n,). Up to :data:`FLOAT_POINTS` (series, constant) pairs
    (one series: the search's stencils, its last evaluation, the final fit) run point by
    point on Python floats: faster than numpy's per-call work on such small arrays, with
    the same IEEE results.
    """
    B, n = Y.shape
    extra = max(np.ndim(alpha), np.ndim(l0), 1) - 1
    cols = Y.T.reshape(n, B, *([1] * extra))  # cols[t] is y_t, shaped like the parameters
    shape = np.broadcast_shapes(np.shape(alpha), np.shape(l0), cols.shape[1:])
    E = np.empty((*shape, n))
    L = np.empty((*shape, n))
    if np.prod(shape) <= FLOAT_POINTS:
        _ses_floats(Y, alpha, l0, shape, E, L)
        return E, L
    lev = l0
    for t in range(n):
        e = cols[t] - lev
        lev = lev + alpha * e
        E[..., t], L[..., t] = e, lev
    return E, L


#: Largest number of parameter points (series x parameter values) that the likelihood
#: recursions (:func:`_ses_run`, ``filtered._ma2_profile``) evaluate point by point on
#: Python floats. On one series of 25 years the MA(2) innovations take 83 us that way for
#: 9 points against 181 us as arrays, 29 against 174 for 3; the arrays win from about 20
#: points (the first pass's grid of 121).
FLOAT_POINTS = 16


def _ses_floats(Y, alpha, l0, shape, E, L) -> None:
    """:func:`_ses_run` for each point of `shape` on Python floats, into E and L."""
    rows = Y.tolist()
    errs_out, levs_out = E.reshape(-1, E.shape[-1]), L.reshape(-1, L.shape[-1])
    n = errs_out.shape[0]
    alphas, starts = ([float(v)] * n if np.ndim(v) == 0 else
                      np.broadcast_to(v, shape).ravel().tolist() for v in (alpha, l0))
    per_row = n // len(rows)  # points are in C order: series first
    for k in range(n):
        a, lev = alphas[k], starts[k]
        errs, levs = [], []
        for y in rows[k // per_row]:
            e = y - lev
            lev = lev + a * e
            errs.append(e)
            levs.append(lev)
        errs_out[k], levs_out[k] = errs, levs


def _ses_sse(Y: np.ndarray, alpha):
    """Profiled SSE of simple exponential smoothing over (B, P) alphas (l0 least squares).

    SES is translation-equivariant, so the series is taken relative to its first value:
    the profiled SSE ``rr - c^2/g`` then cancels no large terms (on the raw values it
    loses half the digits, ~sqrt(eps) |Y| of spurious sigma on a constant series).

    The one-step errors from a zero start, ``r_t = y_t - s_(t-1)``, are linear in the
    data; only the level ``s`` needs the recursion over the years, and the sums of the
    profile (with the error's response to ``l0``, ``-(1 - alpha)^t``) are taken over
    all years at once.
    """
    B, n = Y.shape
    ref = Y[:, :1]
    a = np.broadcast_to(alpha, np.broadcast_shapes(np.shape(alpha), (B, 1)))
    x = (1.0 - a)[..., None] ** np.arange(n)  # (B, P, n): (1 - alpha)^t
    r, _ = _ses_run(Y - ref, a)
    g = (x * x).sum(-1)
    c = (x * r).sum(-1)
    rr = (r * r).sum(-1)
    return rr - c * c / g, c / g + ref


#: Theta's first-pass grid of smoothing constants, and the longest series whose grid
#: SSEs use cached quadratic forms (41 x n x n floats, 0.5 MB at n = 40; at most 32
#: lengths cached, about 7 MB at worst).
_THETA_GRID, THETA_CACHE_N = 41, 40


@functools.lru_cache(maxsize=32)
def _ses_grid_forms(n: int) -> np.ndarray:
    """(41, n * n): the profiled SES SSE at each grid constant as a quadratic form.

    From a zero start the one-step errors are ``r = M y`` with ``M = I - alpha T``,
    ``T[t, s] = (1 - alpha)^(t-1-s)`` for ``s < t``; profiling out the start removes their
    projection on ``x_t = (1 - alpha)^t``, so ``SSE = y' M' (I - x x'/x'x) M y``. Only y
    depends on the data: one matrix per constant and length, shared by every series.
    """
    alphas = _grid((ALPHA[0],), (ALPHA[1],), (_THETA_GRID,))[:, 0]
    t = np.arange(n)
    lag = t[:, None] - t[None, :]  # t - s
    out = np.empty((alphas.size, n, n))
    for k, a in enumerate(alphas):
        T = np.where(lag > 0, (1.0 - a) ** np.maximum(lag - 1, 0), 0.0)
        M = np.eye(n) - a * T
        x = (1.0 - a) ** t
        proj = np.eye(n) - np.outer(x, x) / (x @ x)
        out[k] = M.T @ proj @ M
    out = out.reshape(alphas.size, n * n)
    out.flags.writeable = False  # shared between calls
    return out


def _theta_grid_llf(Yr: np.ndarray) -> np.ndarray | None:
    """``-log SSE`` (B, 41) of `Yr` (relative to its first value) at the grid, or None."""
    B, n = Yr.shape
    if n > THETA_CACHE_N:
        return None
    sse = quadratic_forms(Yr, _ses_grid_forms(n))
    return -np.log(np.maximum(sse, 1e-300))


def fit_theta(Y: np.ndarray, pu: bool = True) -> list[Estimate]:
    """Theta method (theta = 2) as R's thetaf: SES by ML plus half the OLS trend.

    Forecast ``l_T + b0/2 (h - 1 + 1/alpha - (1-alpha)^n / alpha)``; variance of SES,
    ``sigma^2 (1 + (h-1) alpha^2)``; the slope's sampling variance is added with `pu`.
    """
    B, n = Y.shape
    scale = np.maximum(Y.std(1), 1e-300)

    Yr = (Y - Y[:, :1]) / scale[:, None]

    def llf_of(X):
        sse, _ = _ses_sse(Yr, X[..., 0])
        return -np.log(np.maximum(sse, 1e-300))

    x, _ = grid_newton(llf_of, [ALPHA[0]], [ALPHA[1]], _THETA_GRID, 2, B,
                       first=_theta_grid_llf(Yr))
    alpha = x[:, 0]
    sse, l0 = _ses_sse(Y, alpha[:, None])
    sse, l0 = sse[:, 0], l0[:, 0]
    s2 = _floor_var(sse / (n - 1), Y)  # as R: sigma^2 of the ses() fit
    sd = np.sqrt(s2)
    t = np.arange(n, dtype=float)
    tc = t - t.mean()
    b0 = (Y @ tc) / (tc @ tc)
    res_ols = Y - Y.mean(1, keepdims=True) - np.outer(b0, tc)
    var_b0 = (res_ols * res_ols).sum(1) / max(n - 2, 1) / (tc @ tc)
    # SES level at the end, from l0
    err, levels = _ses_run(Y, alpha, l0)
    lev = levels[:, -1]
    shift = 1.0 / alpha - 1.0 - (1.0 - alpha) ** n / alpha
    d = 0.5 * b0
    E2, V = _theta_calib(Y, alpha, s2)
    Z = np.tile([1.0, 1.0], (B, 1))
    T = np.tile([[1.0, 1.0], [0.0, 1.0]], (B, 1, 1))
    Rf = np.zeros((B, 2, 1))
    Rf[:, 0, 0] = alpha * sd
    cf = sd[:, None]
    a = np.stack([lev + d * shift, d], 1)
    P = np.zeros((B, 2, 2))
    if pu:
        vd = var_b0 / 4
        P[:, 0, 0] = vd * shift * shift
        P[:, 0, 1] = P[:, 1, 0] = vd * shift
        P[:, 1, 1] = vd
    reps = _build(B, Z=Z, T=T, Rf=Rf, cf=cf, a=a, P=P)
    llf = -0.5 * n * (np.log(2 * np.pi * sse / n) + 1.0)
    params = {"alpha": alpha, "b0": b0, "sigma": sd}
    return _estimates(reps, params, aicc(llf, 3, n), err, n - 3, E2, V)


def _theta_calib(Y, alpha, s2):
    """Out-of-sample sums for Theta: l0 and the OLS slope re-estimated at each origin.

    Everything at origin t follows from cumulative sums over the first t+1 points (the
    SES errors are linear in l0), so all origins are computed at once.
    """
    B, n = Y.shape
    H = max(n - 4, 0)
    E2 = np.zeros((B, H))
    V = np.zeros(H)
    if H == 0:
        return E2, V
    a = alpha[:, None]
    # SES from a zero start: errors r and level s; X_t = (1-alpha)^t is the error's
    # response to l0 and (1-alpha)^(t+1) the level's
    r, s = _ses_run(Y, alpha)
    tt = np.arange(n, dtype=float)
    X = (1 - a) ** tt
    l0 = np.cumsum(X * r, 1) / np.cumsum(X * X, 1)
    level = s + (1 - a) ** (tt + 1) * l0  # level after y_0..y_t, per origin t
    m = tt + 1
    St, Stt = np.cumsum(tt), np.cumsum(tt * tt)
    Sy, Sty, Syy = np.cumsum(Y, 1), np.cumsum(tt * Y, 1), np.cumsum(Y * Y, 1)
    sxx = Stt - St * St / m
    with np.errstate(divide="ignore", invalid="ignore"):
        b0 = (Sty - St * Sy / m) / sxx
        rss = Syy - Sy * Sy / m - b0 * b0 * sxx
        vb = np.maximum(rss, 0) / np.maximum(m - 2, 1) / sxx / 4
    origins = np.arange(3, n - 1)
    hk = np.arange(1, H + 1, dtype=float)
    if origins.size == 0:
        return E2, V
    mo = m[origins]
    shift = 1.0 / a - 1.0 - (1.0 - a) ** mo / a  # (B, O)
    mean = level[:, origins, None] + 0.5 * b0[:, origins, None] * (hk - 1 + shift[..., None] + 1)
    var = s2[:, None, None] * (1 + (hk - 1) * a[..., None] ** 2) \
        + vb[:, origins, None] * (shift[..., None] + hk) ** 2
    idx = origins[:, None] + hk.astype(int)[None, :]  # target index
    valid = idx <= n - 1
    target = Y[:, np.minimum(idx, n - 1)]
    u2 = np.where(valid, (target - mean) ** 2 / var, 0.0)
    E2 = u2.sum(1)
    V = valid.sum(0).astype(float)
    return E2, V


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
