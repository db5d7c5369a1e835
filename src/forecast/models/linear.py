"""The linear Gaussian forecast representation every fitted family reduces to.

At the forecast origin a fitted model is a state-space system on its working scale
(see :mod:`forecast.models.scale`)::

    y_t = Z a_t + eps_t,   a_(t+1) = T a_t + eta_t,   (eta_t, eps_t) = (Rf xi_t, cf' xi_t)

with the predicted state ``a_(T+1) ~ N(a, P)``. ``P`` holds the uncertainty of the
states and of the linear parameters carried as states (drift, intercept, initial
states), so the h-step distribution is Gaussian: mean ``G a`` and covariance
``G P G' + M M'`` (:func:`forecast.models.kalman.forecast_moments`). Gaussian tails
on the working scale keep every moment of the level finite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .._keywords import checked_init
from .kalman import forecast_moments


def _ro(v):
    a = np.array(v, dtype=float)
    a.setflags(write=False)
    return a


@checked_init
@dataclass(frozen=True, eq=False)
class Linear:
    """One fitted member: state-space matrices and the predicted state at the origin."""

    Z: np.ndarray
    T: np.ndarray
    Rf: np.ndarray
    cf: np.ndarray
    a: np.ndarray
    P: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("Z", "T", "Rf", "cf", "a", "P"):
            object.__setattr__(self, name, _ro(getattr(self, name)))

    def moments(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """(mean (h,), covariance (h, h)) of the next h values on the working scale."""
        hit = self._cache.get(h)
        if hit is None:
            mean, cov = forecast_moments(self.Z, self.T, self.Rf, self.cf, self.a, self.P, h)
            hit = (_ro(mean), _ro(cov))
            if len(self._cache) > 8:
                self._cache.clear()
            self._cache[h] = hit
        return hit

    def mean(self, h: int) -> np.ndarray:
        """The h-step mean path on the working scale."""
        return self.moments(h)[0]

    def scaled(self, factor: float) -> Linear:
        """The same model with every variance multiplied by `factor` (calibration)."""
        if factor == 1.0:
            return self
        root = float(np.sqrt(factor))
        return Linear(self.Z, self.T, self.Rf * root, self.cf * root, self.a, self.P * factor)

    def is_finite(self) -> bool:
        """True when every matrix is finite."""
        return all(np.all(np.isfinite(getattr(self, k))) for k in ("Z", "T", "Rf", "cf", "a", "P"))

    @classmethod
    def random_walk(cls, last: float, sigma: float, drift: float = 0.0,
                    drift_sd: float = 0.0) -> Linear:
        """A random walk (with drift and its standard error) starting after `last`.

        The building block for a simple outside family (``docs/extending.md``):
        ``y_(T+k) = last + k drift + sum of k shocks of sd sigma``.
        """
        v = drift_sd * drift_sd
        P = np.array([[sigma * sigma + v, v], [v, v]])
        return cls(np.array([1.0, 0.0]), np.array([[1.0, 1.0], [0.0, 1.0]]),
                   np.array([[sigma], [0.0]]), np.zeros(1),
                   np.array([last + drift, drift]), P)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


class Estimate(NamedTuple):
    """What a family's estimator returns for one series (see ``docs/extending.md``).

    Attributes
    ----------
    rep : Linear
        The fitted model at the forecast origin, on the working scale.
    params : dict of str to float
        Estimates by name, reported in ``Fit.params``.
    aicc : float
        Small-sample AIC of the family's own likelihood (NaN if not defined).
    residuals : ndarray
        One-step in-sample errors on the working scale.
    dof : float
        Observations minus estimated parameters, for the variance inflation
        (``inf`` for none).
    calib : tuple of two ndarrays or None
        Out-of-sample calibration data: per horizon, the sum of squared standardised
        errors and their number (None: the model is not calibrated).
    """

    rep: Linear
    params: dict[str, float]
    aicc: float = float("nan")
    residuals: np.ndarray = np.zeros(0)
    dof: float = float("inf")
    calib: tuple[np.ndarray, np.ndarray] | None = None
