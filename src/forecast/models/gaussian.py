"""Calibration and combination of fitted members into one Gaussian forecast distribution.

A :class:`~forecast.models.fit.Fit` holds one or more members (families, history
draws). Each member's h-step distribution on the working scale is Gaussian
(:mod:`forecast.models.linear`). This module turns them into the Fit's distribution:

1. **Calibration** (:func:`calibration`). At every origin of the sample the member
   forecast the rest of the series with its nonlinear parameters fixed and its linear
   ones re-estimated from the data up to the origin. The squared standardised errors
   of those forecasts give, by maximum likelihood, a variance scale and its growth with
   the horizon ``h^gamma`` (gamma in [-1, 1], estimated only where three horizons have
   three errors each, kept only where it pays its parameter by AIC counting origins
   rather than errors, whose horizons overlap; held constant beyond the longest horizon
   the sample covers). The
   scale is pooled with the model's own, which is 1 by construction and rests on the
   model's ``dof``: ``kappa^2 = (dof + m s^2) / (dof + m)`` for ``m`` origins, the
   posterior mean under a conjugate prior centred on the model. The member's covariance
   is rescaled by ``kappa^2 h^gamma``: wider for a model whose past errors were larger
   than it claims, narrower for one that was over-dispersed (a random walk on a
   mean-reverting series), and with the variance growing as fast as the errors did, but
   never falling with the horizon (:func:`monotone_factor`).
2. **Estimated variances** (:func:`variance_factor`). The innovation variance (``dof``
   = observations minus parameters) and ``kappa^2`` (``dof + m``) are estimates; their
   Student-t predictives are replaced by the Gaussians with the same variance, i.e.
   the variance is multiplied by ``dof / (dof - 2)`` and ``(dof + m) / (dof + m - 2)``.
   Tails stay Gaussian on the working scale, so every moment of the level is finite.
3. **Combination** (:func:`pool`). Members are pooled into one Gaussian. The history
   draws of one family as their equal-weight mixture, moment-matched: the mean of their
   means, and the mean within-draw covariance plus the spread of the means about it,
   ``W + (m - 1)/m B`` for ``m`` draws with ``B`` the covariance of their means (divisor
   ``m - 1``). That is the predictive distribution averaged over the history's draws,
   not Rubin's total variance ``W + (1 + 1/m) B``, which is a parameter estimate's
   (docs/models.md, "Pooling the draws"). Families (``Auto``) around a centre: the
   (weighted) median of their means by default, with the mean of their covariances plus
   their means' second moment about that centre, so their disagreement is width
   whichever member is in the middle; or around the mean (the mixture, moment-matched).
"""

from __future__ import annotations

import numpy as np

#: floor of the degrees of freedom used in the variance factors (dof / (dof - 2) <= 3)
MIN_DOF = 3.0


def _t_factor(dof: float) -> float:
    dof = max(float(dof), MIN_DOF)
    if not np.isfinite(dof):  # Estimate's default: no estimated variance, nothing to inflate
        return 1.0
    return dof / (dof - 2.0)


def variance_factor(calib, dof: float, calibrate: bool, inflate: bool) -> float:
    """Constant multiplier of a member's covariance: the Student-t factors of step 2.

    ``dof / (dof - 2)`` for the innovation variance and, when the member is calibrated,
    ``(dof + m) / (dof + m - 2)`` for the calibration scale, which pools the model's own
    scale (``dof``) with ``m`` origins' errors (:func:`calibration`).
    """
    factor = 1.0
    if inflate:
        factor *= _t_factor(dof)
        if calibrate and calib is not None:
            counts = np.asarray(calib[1], dtype=float)
            if counts.size and counts.sum() > 0:
                factor *= _t_factor(max(float(dof), 0.0) + _origins(counts))
    return factor


def _origins(counts: np.ndarray) -> float:
    """The number of origins behind per-horizon counts: one one-step error each."""
    return float(counts[0]) if counts.size and counts[0] > 0 else float(counts.max(initial=0))


#: bounds of the calibration's growth exponent: at most one power of the horizon either way
GAMMA = (-1.0, 1.0)
_GAMMAS = np.linspace(GAMMA[0], GAMMA[1], 41)
#: the growth exponent needs this many horizons with this many errors each to be estimated
MIN_GROWTH_EVIDENCE = 3
#: index of gamma = 0 (no growth beyond the model's own) in the grid
_GAMMA_ZERO = int(np.flatnonzero(_GAMMAS == 0.0)[0])


def _growth_pays(gain: float, share: float) -> bool:
    """Whether the growth exponent earns its parameter: AIC on the effective sample.

    `gain` is the log-likelihood gained over gamma = 0 treating every error as
    independent. The errors of one origin at horizons 1..H share their innovations (the
    h-step error contains the (h-1)-step one), so the sample holds about as much
    evidence as it has origins, not errors: the gain is scaled by `share` = origins /
    errors before the comparison with the one parameter it costs (``2 gain share > 2``).

    Examples
    --------
    >>> _growth_pays(3.0, 10 / 40), _growth_pays(3.0, 1.0)
    (False, True)
    """
    return 2.0 * gain * share > 2.0


def calibration(calib, dof: float = 0.0) -> tuple[float, float, int]:
    """(kappa^2, gamma, hmax): variance scale ``kappa^2 h^gamma`` of the out-of-sample errors.

    Maximum likelihood for squared standardised errors ``u^2 ~ kappa^2 h^gamma chi2_1``
    from per-horizon sums. The growth ``gamma`` is estimated only where at least three
    horizons have three errors each (else 0: two or three errors say nothing about how
    the variance grows), and kept only where it improves the AIC on the sample's
    effective size, its number of origins (:func:`_growth_pays`). ``hmax`` is the
    longest horizon with errors; the factor is held constant beyond it rather than
    extrapolated. `dof` is accepted for symmetry with :func:`variance_factor` and not
    used.
    """
    if calib is None:
        return 1.0, 0.0, 0
    sums, counts = (np.asarray(v, dtype=float) for v in calib)
    ok = counts > 0
    if not ok.any() or not np.isfinite(sums[ok]).all():
        return 1.0, 0.0, 0
    h = np.arange(1, counts.size + 1)[ok]
    s, c = sums[ok], counts[ok]
    total = c.sum()
    growth = np.sum(c >= MIN_GROWTH_EVIDENCE) >= MIN_GROWTH_EVIDENCE
    gammas = _GAMMAS if growth else np.zeros(1)
    k2 = (s[None, :] * h[None, :] ** -gammas[:, None]).sum(1) / total
    ll = -0.5 * (total * np.log(np.maximum(k2, 1e-300)) + gammas * (c * np.log(h)).sum())
    i = int(np.argmax(ll))
    m = _origins(counts)
    if growth and not _growth_pays(ll[i] - ll[_GAMMA_ZERO], m / total):
        i = _GAMMA_ZERO
    d = max(float(dof), 0.0)
    pooled = (d + m * float(k2[i])) / (d + m)
    return float(pooled), float(gammas[i]), int(h.max())


def horizon_factor(cal: tuple[float, float, int], h: int) -> np.ndarray:
    """The calibration's variance multiplier for horizons 1..h."""
    k2, gamma, hmax = cal
    hk = np.minimum(np.arange(1, h + 1), max(hmax, 1)).astype(float)
    return k2 * hk**gamma


def monotone_factor(cal: tuple[float, float, int], variances: np.ndarray) -> np.ndarray:
    """The calibration's multiplier of the h-step variances `variances` (horizons 1..h),
    raised where needed so that the calibrated variance never falls with the horizon.

    The h-step error variance of a forecast from one origin cannot fall as h grows (for
    a stationary series it is ``Var(y_{t+h} | F_t) = Var(y_{t+h+1} | F_{t+1}) <=
    Var(y_{t+h+1} | F_t)``; for an integrated one it grows), but ``kappa^2 h^gamma``
    with gamma < 0, estimated from a few errors, can shrink the model's variance faster
    than it grows (a 1-year band wider than the 6-year one). Each calibrated variance
    is therefore at least the largest one before it; where the model's variance grows
    faster than the factor falls, nothing changes.

    Examples
    --------
    >>> monotone_factor((1.0, -1.0, 5), np.array([1.0, 1.5, 1.8])).round(3).tolist()
    [1.0, 0.667, 0.556]
    """
    v = np.asarray(variances, dtype=float)
    f = horizon_factor(cal, v.size)
    calibrated = f * v
    floor = np.maximum.accumulate(calibrated)
    return np.where(calibrated > 0, f * floor / np.where(calibrated > 0, calibrated, 1.0), f)


def pool(means: np.ndarray, covs: np.ndarray, weights: np.ndarray,
         groups: np.ndarray | None = None, center: str = "mean"):
    """Centre (h,) and covariance (h, h) of Gaussians (M, h), (M, h, h) with `weights`.

    With ``center="mean"`` (or no `groups`): the mean and covariance of the mixture.
    With ``center="median"`` and `groups` (per member, its family's label: integers
    0 .. G-1, each used), each group is first pooled as a mixture (a family's history
    draws: ``W + (m - 1)/m B``, not Rubin's ``W + (1 + 1/m) B``); the centre is then the
    weighted median of the groups' means, per year
    (:func:`weighted_median`), and the covariance the groups' mean covariance plus
    their means' second moment about that centre, ``sum_g w_g (m_g - c)(m_g - c)'``,
    which is the mixture's covariance plus ``(mean - c)(mean - c)'``: a member that
    lies far from the others moves the centre little but still widens the band.
    """
    if groups is None or center == "mean":
        return _mixture(means, covs, weights)
    inv = np.asarray(groups)
    n_groups = int(inv.max()) + 1
    if n_groups == inv.size:  # one member per family (a fit on a series)
        gm, gc, gw = means, covs, weights
    else:
        gw = np.bincount(inv, weights=weights, minlength=n_groups)
        parts = [_mixture(means[inv == k], covs[inv == k], weights[inv == k] / gw[k])
                 for k in range(n_groups)]
        gm = np.stack([m for m, _ in parts])
        gc = np.stack([c for _, c in parts])
    centre = weighted_median(gm, gw / gw.sum())
    dev = gm - centre
    cov = np.tensordot(gw, gc, axes=1) + (dev.T * gw) @ dev
    return centre, 0.5 * (cov + cov.T)


def _mixture(means: np.ndarray, covs: np.ndarray, weights: np.ndarray):
    """Mean (h,) and covariance (h, h) of the mixture of Gaussians (M, h), (M, h, h)."""
    mean = weights @ means
    dev = means - mean
    cov = np.einsum("m,mij->ij", weights, covs) + np.einsum("m,mi,mj->ij", weights, dev, dev)
    return mean, 0.5 * (cov + cov.T)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per column of `values` (G, h), the median of the G values under `weights` (sum 1).

    The value at which the cumulative weight reaches one half; where it reaches exactly
    one half at a value (two equal weights), the midpoint of that value and the next,
    as the median of an even count is. Equal weights give :func:`numpy.median`.
    """
    g = values.shape[0]
    if np.all(weights == weights[0]):  # numpy's median, without its overhead
        v = np.sort(values, axis=0)
        return v[g // 2] if g % 2 else (v[g // 2 - 1] + v[g // 2]) / 2
    order = np.argsort(values, axis=0, kind="stable")
    v = np.take_along_axis(values, order, axis=0)
    cum = np.cumsum(weights[order], axis=0)
    tol = 1e-9
    lo = np.argmax(cum >= 0.5 - tol, axis=0)
    hi = np.argmax(cum > 0.5 + tol, axis=0)
    cols = np.arange(values.shape[1])
    return 0.5 * (v[lo, cols] + v[hi, cols])


def factor(cov: np.ndarray) -> np.ndarray:
    """Lower-triangular L with L L' = cov (jittered when numerically singular)."""
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        d = np.diag(cov)
        jitter = 1e-12 * max(float(d.max()), 1e-300)
        return np.linalg.cholesky(cov + jitter * np.eye(cov.shape[0]))


# Gauss-Hermite nodes for E[g(Z)], Z ~ N(0, 1): sum w_i g(sqrt(2) x_i) / sqrt(pi)
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(40)
_GH_Z = np.sqrt(2.0) * _GH_X
_GH_W = _GH_W / np.sqrt(np.pi)


def level_mean(mean: np.ndarray, sd: np.ndarray, to_log_level) -> np.ndarray:
    """E[level] per horizon for working-scale N(mean, sd^2), by Gauss-Hermite quadrature."""
    z = mean[:, None] + sd[:, None] * _GH_Z[None, :]
    return np.exp(to_log_level(z)) @ _GH_W
