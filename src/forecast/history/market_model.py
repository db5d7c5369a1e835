"""The joint state-space model of China's total and its named markets (imports statsmodels).

State per year, for K named markets (blocks of three, as in the single-market model)::

    a_t = (x_t, b_t, x_(t-1),  r_1,t, c_1,t, r_1,(t-1),  ...,  r_K,t, c_K,t, r_K,(t-1))

``x`` is the log total with slope ``b`` (local linear trend); ``r_k = log(s_k / s_ROW)``
is market k's additive log ratio against the rest of the world, also a local linear
trend (slope ``c_k``), so shares ``s = softmax(r, 0)`` stay in (0, 1) and sum to 1 and
the markets sum to the total in every draw. Four variances: ``sigma_level``,
``sigma_slope`` (total) and ``sigma_ratio``, ``sigma_ratio_slope`` (shared by the K
ratios, whose disturbances are independent).

Observations (:mod:`forecast.history.market_observations`) are linear in ``x`` but not
in ``r``: the log share ``f_S(r)`` of a set S of markets is a log-sum-exp. They are
linearised around the current smoothed ratios ``r*`` (``f_S(r) ~ f_S(r*) + g (r - r*)``,
intercept and design time-varying) and the linear model is smoothed again at the new
estimate until it stops moving: the iterated extended Kalman smoother, i.e. Gauss-Newton
on the posterior mode. The variances are estimated by penalised maximum likelihood of
the linearised model (weak log-normal priors, bounds), then the iteration is repeated.
Draws come from statsmodels' simulation smoother of the final linear model: exact for
the linearised posterior; the shares' nonlinearity then enters through ``softmax``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from statsmodels.tsa.statespace.mlemodel import MLEModel

from .._threads import quiet_warnings
from .._validation import influential
from ..errors import DataError, ModelError

PARAM_NAMES = ("sigma_level", "sigma_slope", "sigma_ratio", "sigma_ratio_slope")
# total: as the single-market model; ratios: shares move by 0.3-50% a year (judgement)
BOUNDS = ((0.003, 0.3), (0.003, 0.3), (0.003, 0.5), (0.003, 0.3))
PRIOR_CENTRE = (0.03, 0.05, 0.05, 0.03)
PRIOR_SD = 1.0
MAX_ITER, TOL = 50, 1e-8
_BLOCK = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


def _lse(v: np.ndarray) -> tuple[float, np.ndarray]:
    """log(sum(exp(v))) and the softmax weights, shifted so that exp never overflows."""
    top = float(v.max())
    e = np.exp(v - top)
    s = e.sum()
    return top + float(np.log(s)), e / s


def log_share(r: np.ndarray, members: tuple[int, ...]) -> tuple[float, np.ndarray]:
    """``f_S(r)`` and its gradient for the set of market indices `members` (``()``: 0)."""
    if not members:
        return 0.0, np.zeros(r.size)
    idx = list(members)
    num, w_s = _lse(r[idx])
    den, w = _lse(np.r_[r, 0.0])
    grad = -w[:-1]
    grad[idx] += w_s
    return num - den, grad


class MarketModel(MLEModel):
    """Total plus K log ratios, each a local linear trend; linearised observations."""

    def __init__(self, endog: np.ndarray, obs_var: np.ndarray, n_markets: int) -> None:
        k = 3 + 3 * n_markets
        super().__init__(endog, k_states=k, k_posdef=2 + 2 * n_markets,
                         initialization="diffuse")
        n, p = endog.shape
        self.n_markets = n_markets
        self["transition"] = np.kron(np.eye(1 + n_markets), _BLOCK)
        self["selection"] = np.kron(np.eye(1 + n_markets), np.array([[1.0, 0], [0, 1], [0, 0]]))
        h = np.zeros((p, p, n))
        idx = np.arange(p)
        h[idx, idx, :] = obs_var.T
        self["obs_cov"] = h
        self["design"] = np.zeros((p, k, n))
        self["obs_intercept"] = np.zeros((p, n))

    @property
    def param_names(self) -> list[str]:
        return list(PARAM_NAMES)

    @property
    def start_params(self) -> np.ndarray:
        return np.array(PRIOR_CENTRE)

    def update(self, params, transformed=True, includes_fixed=False, complex_step=False):
        params = super().update(params, transformed=transformed,
                                includes_fixed=includes_fixed, complex_step=complex_step)
        p = np.asarray(params, dtype=float)
        self["state_cov"] = np.diag(np.r_[p[:2], np.tile(p[2:], self.n_markets)] ** 2)

    def linearise(self, slots: list[tuple[int, int, str, tuple[int, ...]]],
                  ratios: np.ndarray) -> None:
        """Set design and intercept for observations ``(t, j, slot, members)`` at `ratios`.

        `ratios` has shape (n_years, K): the linearisation point ``r*``.
        """
        p, k, n = self.k_endog, self.k_states, self.nobs
        design, icept = np.zeros((p, k, n)), np.zeros((p, n))  # time-varying even if n = 1
        cols = 3 + 3 * np.arange(self.n_markets)
        for t, j, slot, members in slots:
            f, g = log_share(ratios[t], members)
            if slot != "share":
                design[j, 0, t] = 1.0
            design[j, cols, t] = g
            icept[j, t] = f - g @ ratios[t]
            if slot == "growth":
                f0, g0 = log_share(ratios[t - 1], members)
                design[j, 2, t] = -1.0
                design[j, cols + 2, t] = -g0
                icept[j, t] -= f0 - g0 @ ratios[t - 1]
        self["design"] = design
        self["obs_intercept"] = icept


def _log_prior(u: np.ndarray) -> float:
    z = (u - np.log(PRIOR_CENTRE)) / PRIOR_SD
    return float(-0.5 * np.sum(z**2))


def estimate(model: MarketModel, start: np.ndarray) -> tuple[np.ndarray, float]:
    """Penalised ML estimates of the four sds (bounded), from `start`."""
    lo = np.log([b[0] for b in BOUNDS])
    hi = np.log([b[1] for b in BOUNDS])

    def objective(u: np.ndarray) -> float:
        ll = model.loglike(np.exp(u))
        return -(ll + _log_prior(u)) if np.isfinite(ll) else 1e10

    # a few starts pick the basin (short series: flat or bimodal slope variances)
    starts = [np.log(start), np.log(PRIOR_CENTRE),
              np.log([0.03, 0.01, 0.05, 0.01]), np.log([0.03, 0.1, 0.1, 0.05])]
    u0 = min((np.clip(s, lo, hi) for s in starts), key=objective)
    with quiet_warnings():  # thread-safe: a backtest may run this in worker threads
        res = minimize(objective, u0, method="L-BFGS-B", bounds=list(zip(lo, hi, strict=True)))
    u = res.x if np.isfinite(res.fun) else u0
    params = np.exp(u)
    return params, float(model.loglike(params))


def smoothed_ratios(model: MarketModel, params: np.ndarray) -> np.ndarray:
    """Smoothed ``r_k,t`` as an (n_years, K) array."""
    res = model.smooth(params, cov_type="none")
    # the diffuse part of the state covariance after the last year: zero once the data
    # pin every state; left over, some combination of levels is never observed
    if float(np.abs(np.asarray(res.predicted_diffuse_state_cov)[..., -1]).max()) > 1e-8:
        raise DataError(
            f"the records do not pin every market's level in the {model.nobs} years "
            "reconstructed (the joint model's diffuse start never ends): some share "
            "would be made up by the model. Widen the years (start=, end=), or drop the "
            "markets with the fewest level and share records from `markets`.")
    states = np.asarray(res.smoothed_state, dtype=float)
    if not np.all(np.isfinite(states)):
        raise ModelError("the joint market model could not be smoothed (non-finite states): "
                         "the records may hold contradictory or extreme values.")
    return states[3::3].T.copy()


def iterate(model: MarketModel, slots, ratios: np.ndarray, params: np.ndarray
            ) -> tuple[np.ndarray, int]:
    """Relinearise and smooth until the ratios move less than TOL; (ratios, iterations)."""
    for it in range(1, MAX_ITER + 1):
        model.linearise(slots, ratios)
        new = smoothed_ratios(model, params)
        step = float(np.max(np.abs(new - ratios))) if new.size else 0.0
        ratios = new
        if step < TOL:
            model.linearise(slots, ratios)
            return ratios, it
    raise ModelError(f"the joint market model did not converge in {MAX_ITER} relinearisations "
                     f"(last step {step:.2g}): the records may contradict each other, or not "
                     "pin how China's total splits among the markets.")


def smooth(model: MarketModel, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed means of ``(x_t, r_1,t, ..., r_K,t)`` and the simulation smoother's map.

    Returns ``mean`` of shape (n_years, 1 + K) and ``map`` of shape (n_years * (1 + K), q)
    with rows ordered year by year: a draw is ``mean.ravel() + map @ eps``, eps ~ N(0, I_q).
    statsmodels' simulation smoother is linear in its standard-normal variates, so its map
    is evaluated once, column by column (as in the single-market model).
    """
    res = model.smooth(params, cov_type="none")
    rows = [0] + [3 + 3 * k for k in range(model.n_markets)]
    mean = np.asarray(res.smoothed_state, dtype=float)[rows].T
    n, p, q, m = model.nobs, model.k_endog, model.ssm.k_posdef, model.k_states
    sizes = (n * p, n * q, m)
    sim = model.simulation_smoother()

    def run(vec: np.ndarray) -> np.ndarray:
        a, b = sizes[0], sizes[0] + sizes[1]
        sim.simulate(measurement_disturbance_variates=vec[:a],
                     state_disturbance_variates=vec[a:b], initial_state_variates=vec[b:])
        return np.asarray(sim.simulated_state, dtype=float)[rows].T.ravel()

    total = sum(sizes)
    base = run(np.zeros(total))
    cols = np.empty((base.size, total))
    unit = np.zeros(total)
    for j in range(total):
        unit[j] = 1.0
        cols[:, j] = run(unit) - base
        unit[j] = 0.0
    keep = influential(cols)
    return mean, cols[:, keep]
