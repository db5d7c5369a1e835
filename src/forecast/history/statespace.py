"""The state-space model behind :func:`forecast.history.reconstruct` (imports statsmodels).

State ``a_t = (x_t, b_t, x_{t-1})``: log annual level, its slope (local linear trend),
and the lagged level so that growth rates are observations::

    x_{t+1} = x_t + b_t + eta_t,    eta_t  ~ N(0, sigma_level^2)
    b_{t+1} = b_t + zeta_t,         zeta_t ~ N(0, sigma_slope^2)

Observation vector per year (NaN where a year has no such record)::

    y_t[0] = x_t + e0_t              (a level, converted and profile-corrected)
    y_t[1] = x_t - x_{t-1} + e1_t    (a log growth, FX-corrected)

with known, year-specific variances ``Var(e_t)`` built from the records. The two trend
sds are estimated by penalised maximum likelihood (weak log-normal priors, bounded),
under an exact diffuse initialisation of all three states.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from statsmodels.tsa.statespace.mlemodel import MLEModel

from .._threads import quiet_warnings
from .._validation import influential
from ..errors import ModelError

PARAM_NAMES = ("sigma_level", "sigma_slope")
# Bounds and weak priors (log sd ~ N(log centre, 1)) for ~17 annual points with gaps:
# a level shock of 0.3-30% and a slope change of 0.3-30 percentage points a year.
BOUNDS = ((0.003, 0.3), (0.003, 0.3))
PRIOR_CENTRE = (0.03, 0.05)
PRIOR_SD = 1.0


class LogLevelModel(MLEModel):
    """Local linear trend on the log level with level and growth observations."""

    def __init__(self, endog: np.ndarray, obs_var: np.ndarray) -> None:
        super().__init__(endog, k_states=3, k_posdef=2, initialization="diffuse")
        n = endog.shape[0]
        self["design"] = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, -1.0]])
        self["transition"] = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
        self["selection"] = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        h = np.zeros((2, 2, n))
        h[0, 0], h[1, 1] = obs_var[:, 0], obs_var[:, 1]
        self["obs_cov"] = h

    @property
    def param_names(self) -> list[str]:
        return list(PARAM_NAMES)

    @property
    def start_params(self) -> np.ndarray:
        return np.array(PRIOR_CENTRE)

    def update(self, params, transformed=True, includes_fixed=False, complex_step=False):
        params = super().update(params, transformed=transformed,
                                includes_fixed=includes_fixed, complex_step=complex_step)
        self["state_cov"] = np.diag(np.asarray(params, dtype=float) ** 2)


def _log_prior(u: np.ndarray) -> float:
    z = (u - np.log(PRIOR_CENTRE)) / PRIOR_SD
    return float(-0.5 * np.sum(z**2))


def estimate(model: LogLevelModel) -> tuple[np.ndarray, float]:
    """Penalised ML estimates of the two sds (bounded); returns (params, loglike)."""
    lo = np.log([b[0] for b in BOUNDS])
    hi = np.log([b[1] for b in BOUNDS])

    def objective(u: np.ndarray) -> float:
        ll = model.loglike(np.exp(u))
        return -(ll + _log_prior(u)) if np.isfinite(ll) else 1e10

    # A coarse grid picks the basin (the likelihood of short series is often flat or
    # bimodal in the slope variance); L-BFGS-B then polishes.
    grid = [np.log([a, b]) for a in (0.01, 0.03, 0.1) for b in (0.01, 0.05, 0.15)]
    start = min(grid, key=objective)
    with quiet_warnings():  # thread-safe: a backtest may run this in worker threads
        res = minimize(objective, start, method="L-BFGS-B", bounds=list(zip(lo, hi,
                                                                            strict=True)))
    u = res.x if np.isfinite(res.fun) else start
    params = np.exp(u)
    return params, float(model.loglike(params))


def smooth(model: LogLevelModel, params: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Smoothed mean and sd of ``x_t``, and the simulation smoother's linear map.

    statsmodels' simulation smoother (Durbin and Koopman 2002) returns
    ``x_hat + L(eps)`` with ``L`` linear in its standard-normal variates ``eps``. We
    evaluate ``L`` once, column by column, so that ``n`` whole-history draws cost one
    matrix product ``x_hat + eps @ L.T`` and are reproducible from any numpy generator.
    """
    res = model.smooth(params, cov_type="none")
    mean = np.asarray(res.smoothed_state[0], dtype=float)
    var = np.asarray(res.smoothed_state_cov[0, 0], dtype=float)
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(var))):
        raise ModelError("the history model could not be smoothed (non-finite states). "
                         "Check the records for contradictory or extreme values.")
    n, k_endog, k_posdef, k_states = model.nobs, 2, 2, 3
    sizes = (n * k_endog, n * k_posdef, k_states)
    sim = model.simulation_smoother()

    def run(vec: np.ndarray) -> np.ndarray:
        a, b = sizes[0], sizes[0] + sizes[1]
        sim.simulate(measurement_disturbance_variates=vec[:a],
                     state_disturbance_variates=vec[a:b],
                     initial_state_variates=vec[b:])
        return np.array(sim.simulated_state[0], dtype=float)

    total = sum(sizes)
    base = run(np.zeros(total))
    cols = np.empty((n, total))
    unit = np.zeros(total)
    for j in range(total):
        unit[j] = 1.0
        cols[:, j] = run(unit) - base
        unit[j] = 0.0
    keep = influential(cols)
    return mean, np.sqrt(np.maximum(var, 0.0)), cols[:, keep]
