"""Calibration and combination of fitted members into one Gaussian forecast distribution.

A :class:`~forecast.models.base.Fit` holds one or more members (families, history
draws). Each member's h-step distribution on the working scale is Gaussian
(:mod:`forecast.models.linear`). This module turns them into the Fit's distribution:

1. **Calibration** (:func:`variance_factor`). The model's variance is multiplied by
   ``kappa^2``, the maximum-likelihood scale of its own out-of-sample errors: at every
   origin of the sample the member forecast the rest of the series with its nonlinear
   parameters fixed and its linear ones re-estimated from the data up to the origin;
   ``kappa^2`` is the mean squared standardised error. It widens the bands of a model
   whose past errors were larger than it claims and narrows those of a model that was
   over-dispersed (a random walk on a mean-reverting series).
2. **Estimated variances.** The innovation variance (``dof`` = observations minus
   parameters) and ``kappa^2`` (``m`` = number of origins) are estimates; their
   Student-t predictives are replaced by the Gaussians with the same variance, i.e.
   the variance is multiplied by ``dof / (dof - 2)`` and ``m / (m - 2)``. Tails stay
   Gaussian on the working scale, so every moment of the level is finite.
3. **Combination** (:func:`pool`). Members are pooled into the Gaussian with the
   mean and covariance of their equally weighted mixture (``Rubin's rules`` for history
   draws: the within-member covariance plus the spread of the members' means).
"""

from __future__ import annotations

import numpy as np

#: floor of the degrees of freedom used in the variance factors (dof / (dof - 2) <= 3)
MIN_DOF = 3.0


def _t_factor(dof: float) -> float:
    dof = max(float(dof), MIN_DOF)
    return dof / (dof - 2.0)


def variance_factor(calib, dof: float, calibrate: bool, inflate: bool) -> float:
    """Multiplier of a member's covariance (see the module docstring, steps 1-2)."""
    factor = 1.0
    if calibrate and calib is not None:
        sums, counts = (np.asarray(v, dtype=float) for v in calib)
        total = counts.sum()
        if total > 0 and np.isfinite(sums.sum()):
            factor = float(sums.sum() / total)
            if inflate:
                factor *= _t_factor(counts[0] if counts.size else 0.0)
    if inflate:
        factor *= _t_factor(dof)
    return factor


def pool(means: np.ndarray, covs: np.ndarray, weights: np.ndarray):
    """Mean (h,) and covariance (h, h) of the mixture of Gaussians (M, h), (M, h, h)."""
    mean = weights @ means
    dev = means - mean
    cov = np.einsum("m,mij->ij", weights, covs) + np.einsum("m,mi,mj->ij", weights, dev, dev)
    return mean, 0.5 * (cov + cov.T)


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
