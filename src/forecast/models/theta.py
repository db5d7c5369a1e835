"""The Theta method (theta = 2), as R's ``thetaf``: SES by ML plus half the OLS trend.

Private, like :mod:`forecast.models.estimation`, whose conventions it follows (``Y`` of
shape (B, n) on the working scale, a list of B :class:`Estimate` back). The smoothing
constant is estimated by maximum likelihood: a first pass on a fixed grid of 41 values,
where the profiled SES sum of squares is a cached quadratic form per length
(:func:`_ses_grid_forms`), then Newton steps on the recursion (:func:`_ses_sse`).
"""

from __future__ import annotations

import functools

import numpy as np

from .estimation import ALPHA, FLOAT_POINTS, _build, _estimates, _floor_var, aicc
from .linear import Estimate
from .search import _grid, grid_newton, quadratic_forms


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
#: SSEs use cached quadratic forms (41 x n x n floats, 0.5 MB at n = 40). Every length
#: up to it stays cached (7.3 MB for all 40): with 32 entries, a loop cycling through
#: the 33 lengths 8..40 missed on every fit (5.0-5.4 ms per Auto fit against 3.05).
_THETA_GRID, THETA_CACHE_N = 41, 40


@functools.lru_cache(maxsize=THETA_CACHE_N + 1)  # every n in 0..THETA_CACHE_N
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
    # the one-step errors of the ses() fit over n - 1 (R forecast 8.20 divides by n - 2)
    s2 = _floor_var(sse / (n - 1), Y)
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
