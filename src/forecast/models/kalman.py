"""A small Kalman filter in numpy, vectorised over a batch of time-invariant models.

Harvey timing with correlated noise::

    y_t = Z a_t + eps_t,        a_(t+1) = T a_t + eta_t,
    (eta_t, eps_t) = (Rf xi_t, cf' xi_t),   xi_t ~ N(0, I_r),

so ``Q = Rf Rf'``, ``H = cf' cf`` and ``cov(eta_t, eps_t) = Rf cf``. This covers the
single-source-of-error forms (ETS, Theta) as well as the structural ones (local linear
trend, ARIMA). Linear parameters (initial states, drift, intercept) are states with a
large ("approximately diffuse") initial variance, so the filter's state covariance
carries their estimation uncertainty: the Gaussian predictive is the one that integrates
them out under a flat prior, given the other parameters.
"""

from __future__ import annotations

import numpy as np


def run(Y, Z, T, Rf, cf, a1, P1):
    """Filter a batch: returns the predicted states ``a`` (B, n+1, m), covariances
    ``P`` (B, n+1, m, m), innovations ``v`` (B, n) and their variances ``F`` (B, n);
    index t holds the prediction of y_t from y_0..y_(t-1), index n the one-step-ahead
    state after the last observation."""
    if Z.shape[-1] == 2:
        return _run2(Y, Z, T, Rf, cf, a1, P1)
    B, n = Y.shape
    m = Z.shape[-1]
    Q = Rf @ np.swapaxes(Rf, -1, -2)
    H = np.einsum("br,br->b", cf, cf)
    C = np.einsum("bmr,br->bm", Rf, cf)
    Tt = np.swapaxes(T, -1, -2)
    A = np.empty((B, n + 1, m))
    P = np.empty((B, n + 1, m, m))
    V = np.empty((B, n))
    F = np.empty((B, n))
    a, p = a1.copy(), P1.copy()
    A[:, 0], P[:, 0] = a, p
    for t in range(n):
        pz = (p @ Z[:, :, None])[..., 0]
        f = (Z * pz).sum(-1) + H
        v = Y[:, t] - (Z * a).sum(-1)
        k = ((T @ pz[:, :, None])[..., 0] + C) / f[:, None]
        a = (T @ a[:, :, None])[..., 0] + k * v[:, None]
        p = T @ p @ Tt + Q - f[:, None, None] * (k[:, :, None] * k[:, None, :])
        p = 0.5 * (p + np.swapaxes(p, -1, -2))
        A[:, t + 1], P[:, t + 1] = a, p
        V[:, t], F[:, t] = v, f
    return A, P, V, F

def _run2(Y, Z, T, Rf, cf, a1, P1):
    """:func:`run` for two states, with the 2 x 2 algebra written out (3-4x faster).

    One series (B = 1) runs the same arithmetic on Python floats, about four times
    faster than numpy's per-call work on arrays of one element (IEEE doubles either
    way: the same results).
    """
    B, n = Y.shape
    Q = Rf @ np.swapaxes(Rf, -1, -2)
    H = np.einsum("br,br->b", cf, cf)
    C = np.einsum("bmr,br->bm", Rf, cf)
    z0, z1 = Z[:, 0], Z[:, 1]
    t00, t01, t10, t11 = T[:, 0, 0], T[:, 0, 1], T[:, 1, 0], T[:, 1, 1]
    q00, q01, q11 = Q[:, 0, 0], Q[:, 0, 1], Q[:, 1, 1]
    c0, c1 = C[:, 0], C[:, 1]
    a0, a1_ = a1[:, 0].copy(), a1[:, 1].copy()
    p00, p01, p11 = P1[:, 0, 0].copy(), P1[:, 0, 1].copy(), P1[:, 1, 1].copy()
    ys = Y.T
    if B == 1:
        z0, z1, t00, t01, t10, t11, q00, q01, q11, c0, c1, a0, a1_, p00, p01, p11, H = (
            float(x[0]) for x in (z0, z1, t00, t01, t10, t11, q00, q01, q11, c0, c1, a0,
                                  a1_, p00, p01, p11, H))
        ys = Y[0].tolist()
    A = np.empty((B, n + 1, 2))
    P = np.empty((B, n + 1, 2, 2))
    V = np.empty((B, n))
    F = np.empty((B, n))
    A[:, 0, 0], A[:, 0, 1] = a0, a1_
    P[:, 0, 0, 0], P[:, 0, 0, 1], P[:, 0, 1, 0], P[:, 0, 1, 1] = p00, p01, p01, p11
    for t in range(n):
        pz0 = p00 * z0 + p01 * z1
        pz1 = p01 * z0 + p11 * z1
        f = z0 * pz0 + z1 * pz1 + H
        v = ys[t] - z0 * a0 - z1 * a1_
        k0 = (t00 * pz0 + t01 * pz1 + c0) / f
        k1 = (t10 * pz0 + t11 * pz1 + c1) / f
        a0, a1_ = t00 * a0 + t01 * a1_ + k0 * v, t10 * a0 + t11 * a1_ + k1 * v
        # T P T'
        m00 = t00 * p00 + t01 * p01
        m01 = t00 * p01 + t01 * p11
        m10 = t10 * p00 + t11 * p01
        m11 = t10 * p01 + t11 * p11
        p00 = m00 * t00 + m01 * t01 + q00 - f * k0 * k0
        p01 = m00 * t10 + m01 * t11 + q01 - f * k0 * k1
        p11 = m10 * t10 + m11 * t11 + q11 - f * k1 * k1
        A[:, t + 1, 0], A[:, t + 1, 1] = a0, a1_
        P[:, t + 1, 0, 0], P[:, t + 1, 1, 1] = p00, p11
        P[:, t + 1, 0, 1] = P[:, t + 1, 1, 0] = p01
        V[:, t], F[:, t] = v, f
    return A, P, V, F


def horizon_rows(Z, T, Rf, cf, hmax):
    """``Z T^k`` (B, hmax, m) and the noise variance accumulated before step k+1 (B, hmax)."""
    B, m = Z.shape
    Q = Rf @ np.swapaxes(Rf, -1, -2)
    H = np.einsum("br,br->b", cf, cf)
    rows = np.empty((B, hmax, m))
    q = np.empty((B, hmax))
    if m == 2:  # two states: the products written out, on Python floats for one series
        if B == 1:
            _rows2(Z[0].tolist(), T[0].tolist(), Q[0].tolist(), rows[0], q[0])
        else:
            _rows2(Z.T, np.moveaxis(T, 0, -1), np.moveaxis(Q, 0, -1), np.moveaxis(rows, 0, -1),
                   q.T)
    else:
        row = Z.copy()
        for k in range(hmax):
            rows[:, k] = row
            q[:, k] = np.einsum("bi,bij,bj->b", row, Q, row)
            row = (row[:, None, :] @ T)[:, 0]
    acc = np.concatenate([np.zeros((B, 1)), np.cumsum(q, axis=1)[:, :-1]], axis=1)
    return rows, acc + H[:, None]


def _rows2(z, t, q, rows, qs) -> None:
    """:func:`horizon_rows` for two states, the same arithmetic on floats or on arrays.

    `z` (2, ...), `t` and `q` (2, 2, ...), `rows` (hmax, 2, ...) and `qs` (hmax, ...) with
    the series, if several, on the trailing axis: one series runs on Python floats, many
    on numpy arrays, with the same IEEE results.
    """
    r0, r1 = z
    (t00, t01), (t10, t11) = t
    (q00, q01), (q10, q11) = q
    for k in range(len(qs)):
        rows[k][0], rows[k][1] = r0, r1
        qs[k] = r0 * q00 * r0 + r0 * q01 * r1 + r1 * q10 * r0 + r1 * q11 * r1
        r0, r1 = r0 * t00 + r1 * t10, r0 * t01 + r1 * t11


def origin_sums(Y, Z, T, Rf, cf, A, P, first, hmax):
    """Squared standardised h-step errors summed over origins, per horizon.

    Origin t (data y_0..y_t observed) forecasts y_(t+1..t+h) from the predicted state
    ``A[:, t+1]``. Returns ``(U2, count)``, (B, hmax) and (hmax,): the sums over the
    origins ``first..n-2`` of ``error^2 / variance``, and their number, per horizon.
    """
    B, n = Y.shape
    hmax = max(int(hmax), 0)
    if hmax < 1 or first > n - 2:
        return np.zeros((B, hmax)), np.zeros(hmax)
    rows, base = horizon_rows(Z, T, Rf, cf, hmax)
    origins, _, idx, valid = origin_grid(n, first, hmax)
    a = A[:, origins + 1]  # (B, O, m)
    p = P[:, origins + 1]  # (B, O, m, m)
    mean = np.einsum("bkm,bom->bok", rows, a)
    var = np.einsum("bkm,bomn,bkn->bok", rows, p, rows) + base[:, None, :]
    return error_sums(Y[:, idx] - mean, var, valid)


def origin_grid(n, first, hmax):
    """Forecast origins ``first..n-2`` and horizons ``1..hmax`` over a series of length n.

    Returns ``(origins (O,), hk (hmax,), idx (O, hmax), valid (O, hmax))``: the index of
    each target, clipped to the last observation, and whether it is observed.
    """
    origins = np.arange(first, n - 1)
    hk = np.arange(1, hmax + 1)
    idx = origins[:, None] + hk[None, :]
    return origins, hk, np.minimum(idx, n - 1), idx <= n - 1


def error_sums(err, var, valid):
    """Sums over origins of squared standardised errors ``err^2 / var``, per horizon.

    `err` and `var` are (B, O, H) (or broadcast to it), `valid` (O, H) as from
    :func:`origin_grid`. Returns ``(U2 (B, H), count (H,))``; invalid cells count 0.
    """
    e = np.where(valid, err, 0.0)
    U2 = (e * e / np.where(valid, var, 1.0)).sum(1)
    return U2, valid.sum(0).astype(float)


def forecast_moments(Z, T, Rf, cf, a, P, h):
    """Mean (h,) and covariance (h, h) of y_(T+1..T+h) for ONE model (unbatched arrays).

    ``y_(T+k) = Z T^(k-1) a_(T+1) + sum_(i<k) Z T^(k-1-i) Rf xi_(T+i) + cf' xi_(T+k)``, so
    with ``G`` the rows ``Z T^(k-1)`` and ``M`` the block lower-triangular noise loadings,
    the covariance is ``G P G' + M M'``.
    """
    m = Z.size
    r = cf.size
    G = np.empty((h, m))
    row = Z.astype(float).copy()
    for k in range(h):
        G[k] = row
        row = row @ T
    loads = G @ Rf  # (h, r): Z T^j Rf for j = 0..h-1
    lag = np.subtract.outer(np.arange(h), np.arange(h)) - 1  # k - 1 - i
    M = np.zeros((h, h, r))
    low = lag >= 0
    M[low] = loads[lag[low]]
    M[np.arange(h), np.arange(h)] = cf
    M = M.reshape(h, h * r)
    cov = G @ P @ G.T + M @ M.T
    return G @ a, 0.5 * (cov + cov.T)
