"""Estimation of each model family on a log-level array, returning a :class:`Linear`.

Private: :mod:`forecast.models` wraps these functions in public specs. Each
``fit_*`` takes the log levels ``y`` (1-D float array, already validated) and returns a
:class:`Estimate`. statsmodels is imported inside the functions so that
``import forecast`` stays light. Time indices are 0..n-1 (the last year is n-1).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from .linear import Linear


class Estimate(NamedTuple):
    rep: Linear
    params: dict[str, float]
    aicc: float
    residuals: np.ndarray


@contextmanager
def quiet():
    """Silence statsmodels' convergence/estimation warnings for this block only."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def aicc(llf: float, k: int, nobs: int) -> float:
    """Akaike information criterion with the small-sample correction."""
    if nobs - k - 1 <= 0:
        return float("inf")
    return float(-2.0 * llf + 2.0 * k + 2.0 * k * (k + 1) / (nobs - k - 1))


def gauss_llf(resid: np.ndarray, sigma2: float | None = None) -> float:
    n = resid.size
    s2 = float(np.mean(resid**2)) if sigma2 is None else sigma2
    s2 = max(s2, 1e-300)
    return float(-0.5 * n * (np.log(2 * np.pi * s2) + 1.0)) if sigma2 is None else float(
        -0.5 * n * np.log(2 * np.pi * s2) - 0.5 * np.sum(resid**2) / s2
    )


# --------------------------------------------------------------------------- drift
def fit_naive(y: np.ndarray) -> Estimate:
    """Random walk without drift: dy_t = e_t; sigma by maximum likelihood (no mean removed)."""
    d = np.diff(y)
    N = d.size
    s = max(float(np.sqrt(d @ d / N)), 1e-12)
    rep = Linear("ssoe", origin=[0.0, 0.0, y[-1]], a=[1.0], b=[[1.0]], c=[1.0], sigma=s,
                 perturb=[[0.0], [0.0], [0.0]], df=N)
    return Estimate(rep, {"sigma": s}, aicc(gauss_llf(d), 1, N), d)


def fit_drift(y: np.ndarray) -> Estimate:
    """Random walk with drift: dy_t = mu + e_t; mu, sigma by least squares."""
    d = np.diff(y)
    N = d.size
    mu = float(d.mean())
    resid = d - mu
    s2 = float(resid @ resid / (N - 1))
    s = np.sqrt(s2)
    rep = Linear("ssoe", origin=[0.0, mu, y[-1]], a=[1.0], b=[[1.0]], c=[1.0], sigma=s,
                 perturb=[[0.0], [s / np.sqrt(N)], [0.0]], df=N - 1)
    return Estimate(rep, {"drift": mu, "sigma": s}, aicc(gauss_llf(resid), 2, N), resid)


# ----------------------------------------------------------------- log-linear trend
def _gls_ar1(y: np.ndarray, X: np.ndarray, phi: float):
    w = np.sqrt(1.0 - phi * phi)
    yt = np.concatenate([[w * y[0]], y[1:] - phi * y[:-1]])
    Xt = np.vstack([w * X[:1], X[1:] - phi * X[:-1]])
    beta, *_ = np.linalg.lstsq(Xt, yt, rcond=None)
    r = yt - Xt @ beta
    return beta, r, Xt


def fit_trend(y: np.ndarray, ar1: bool) -> Estimate:
    """y_t = a + b t + u_t with u iid or AR(1); exact Gaussian ML (Prais-Winsten)."""
    n = y.size
    t = np.arange(n, dtype=float)
    X = np.column_stack([np.ones(n), t])
    # linear map from (a, b) perturbations to (base, drift, u_T)
    J = np.array([[1.0, n - 1.0], [0.0, 1.0], [-1.0, -(n - 1.0)]])
    if not ar1:
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ beta
        s2 = float(resid @ resid / (n - 2))
        s = np.sqrt(s2)
        cov = np.linalg.inv(X.T @ X)
        rep = Linear(
            "ssoe", origin=[beta[0] + beta[1] * (n - 1), beta[1]], a=np.zeros(0),
            b=np.zeros((0, 0)), c=np.zeros(0), sigma=s,
            perturb=s * J[:2] @ np.linalg.cholesky(cov), df=n - 2,
        )
        params = {"intercept": float(beta[0]), "slope": float(beta[1]), "sigma": s}
        return Estimate(rep, params, aicc(gauss_llf(resid), 3, n), resid)

    # lazy: statsmodels and scipy load only when a model is fitted
    from scipy.optimize import minimize_scalar

    def nll(phi: float) -> float:
        _, r, _ = _gls_ar1(y, X, phi)
        s2 = max(float(r @ r) / n, 1e-300)
        return 0.5 * n * np.log(s2) - 0.5 * np.log(1.0 - phi * phi)

    with quiet():
        opt = minimize_scalar(nll, bounds=(-0.98, 0.98), method="bounded",
                              options={"xatol": 1e-7})
    phi = float(opt.x)
    beta, r, Xt = _gls_ar1(y, X, phi)
    s2 = float(r @ r) / n
    s = np.sqrt(s2)
    llf = -0.5 * n * (np.log(2 * np.pi * s2) + 1.0) + 0.5 * np.log(1.0 - phi * phi)
    u_T = float(y[-1] - beta[0] - beta[1] * (n - 1))
    cov = np.linalg.inv(Xt.T @ Xt)
    rep = Linear(
        "ssoe", origin=[beta[0] + beta[1] * (n - 1), beta[1], 0.0, u_T],
        a=[1.0, phi], b=[[1.0, 0.0], [0.0, phi]], c=[0.0, 1.0], sigma=s,
        perturb=s * np.vstack([J[:2], [[0.0, 0.0]], J[2:]]) @ np.linalg.cholesky(cov),
        df=max(n - 4, 1),
    )
    params = {"intercept": float(beta[0]), "slope": float(beta[1]), "ar1": phi, "sigma": s}
    resid = y - X @ beta
    innov = np.concatenate([[resid[0]], resid[1:] - phi * resid[:-1]])
    return Estimate(rep, params, aicc(llf, 4, n), innov)


# ----------------------------------------------------------------- damped trend ETS
def fit_damped(y: np.ndarray) -> Estimate:
    """ETS(A,Ad,N) on the log level, estimated by statsmodels' ETSModel."""
    # lazy: statsmodels and scipy load only when a model is fitted
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    n = y.size
    model = ETSModel(y, error="add", trend="add", damped_trend=True)
    with quiet():
        # statsmodels' default start (alpha 0.1, beta 0.01) stalled at the lower bounds
        # on two of the three reference series; starting from mid-range smoothing
        # reached a likelihood at least as high on all three (and R's optimum on two)
        start = np.array([0.5, 0.1, 0.9, y[0], y[1] - y[0]])
        res = model.fit(start_params=start, disp=False, maxiter=200)
    alpha, beta, phi, l0, b0 = (float(v) for v in res.params)
    w = np.array([1.0, phi])
    F = np.array([[1.0, phi], [0.0, phi]])
    g = np.array([alpha, beta])
    x_T = np.asarray(res.states)[-1]
    resid = np.asarray(res.resid, dtype=float)
    s2 = float(resid @ resid / n)
    s = np.sqrt(s2)
    # The one-step errors are linear in the initial state x0: e = r - X dx0 with
    # X_t = w' D^(t-1), D = F - g w'. Given the smoothing parameters, dx0 has the
    # regression covariance s2 (X'X)^-1 and moves the final state by D^n dx0.
    D = F - np.outer(g, w)
    X = np.empty((n, 2))
    row = w.copy()
    for t in range(n):
        X[t] = row
        row = row @ D
    Dn = np.linalg.matrix_power(D, n)
    try:
        chol = np.linalg.cholesky(np.linalg.inv(X.T @ X))
        perturb = s * np.vstack([np.zeros((2, 2)), Dn @ chol])
    except np.linalg.LinAlgError:
        perturb = np.zeros((4, 0))
    rep = Linear("ssoe", origin=[0.0, 0.0, *x_T], a=w, b=F, c=g, sigma=s,
                 perturb=perturb, df=max(n - 5, 1))
    params = {"alpha": alpha, "beta": beta, "phi": phi, "level0": l0, "trend0": b0,
              "sigma": s}
    llf = -0.5 * n * (np.log(2 * np.pi * s2) + 1.0)
    return Estimate(rep, params, aicc(llf, 6, n), resid)


# ----------------------------------------------------------------------- theta
def fit_theta(y: np.ndarray) -> Estimate:
    """Theta method (theta = 2): SES plus half the OLS trend (statsmodels ThetaModel)."""
    # lazy: statsmodels and scipy load only when a model is fitted
    from statsmodels.tsa.forecasting.theta import ThetaModel

    n = y.size
    with quiet():
        res = ThetaModel(y, period=1, deseasonalize=False).fit()
    b0, alpha = (float(v) for v in res.params)
    alpha = min(max(alpha, 1e-6), 1.0)
    # one-step errors of SES with drift b0/2 (the theta model's ARIMA(0,1,1)+drift
    # form, whose variance statsmodels also uses), level started at y[0]
    lev = y[0]
    err = np.empty(n - 1)
    for t in range(1, n):
        err[t - 1] = y[t] - lev - 0.5 * b0
        lev = lev + 0.5 * b0 + alpha * err[t - 1]
    s2 = float(err @ err / (n - 1))
    s = np.sqrt(s2)
    # statsmodels: fcast_k = one_step + b0 / 2 * (k - 1 + 1/alpha - (1 - alpha)^n / alpha)
    shift = 1.0 / alpha - 1.0 - (1.0 - alpha) ** n / alpha
    one_step = float(np.asarray(res.forecast(1, theta=2))[0]) - 0.5 * b0 * (1.0 + shift)
    t = np.arange(n, dtype=float)
    r = y - np.polyval(np.polyfit(t, y, 1), t)
    se_b0 = float(np.sqrt((r @ r) / (n - 2) / np.sum((t - t.mean()) ** 2)))
    rep = Linear("ssoe", origin=[one_step + 0.5 * b0 * shift, 0.5 * b0, 0.0], a=[1.0],
                 b=[[1.0]], c=[alpha], sigma=s,
                 perturb=[[0.5 * shift * se_b0], [0.5 * se_b0], [0.0]], df=max(n - 3, 1))
    return Estimate(rep, {"alpha": alpha, "b0": b0, "sigma": s},
                    aicc(gauss_llf(err), 3, n - 1), err)


# --------------------------------------------------------------- state-space helpers
def _from_statespace(res, model, sigma_scale: float = 1.0):
    ssm = model.ssm
    Z = np.asarray(ssm["design"])[0, :, 0] if np.ndim(ssm["design"]) == 3 else \
        np.asarray(ssm["design"])[0]
    T = np.asarray(ssm["transition"])
    T = T[:, :, 0] if T.ndim == 3 else T
    R = np.asarray(ssm["selection"])
    R = R[:, :, 0] if R.ndim == 3 else R
    Q = np.asarray(ssm["state_cov"])
    Q = Q[:, :, 0] if Q.ndim == 3 else Q
    H = np.asarray(ssm["obs_cov"])
    H = float(H.ravel()[0])
    a = np.asarray(res.filtered_state)[:, -1]
    P = np.asarray(res.filtered_state_cov)[:, :, -1]
    return Z, T, R @ Q @ R.T * sigma_scale, H * sigma_scale, a, P * sigma_scale


def fit_llt(y: np.ndarray) -> Estimate:
    """Local linear trend (statsmodels UnobservedComponents), diffuse initial state."""
    # lazy: statsmodels and scipy load only when a model is fitted
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    n = y.size
    model = UnobservedComponents(y, "local linear trend")
    with quiet():
        res = model.fit(disp=False, cov_type="none")
    Z, T, RQR, H, a, P = _from_statespace(res, model)
    rep = Linear("ss", origin=[0.0, 0.0, *a], a=Z, b=T, c=RQR, sigma=H, P=P,
                 perturb=np.zeros((4, 0)), df=max(n - 5, 1))
    s2i, s2l, s2t = (float(v) for v in res.params)
    params = {"sigma2_irregular": s2i, "sigma2_level": s2l, "sigma2_trend": s2t}
    resid = np.asarray(res.resid, dtype=float)[2:]
    return Estimate(rep, params, aicc(float(res.llf), 3, n - 2), resid)


def _stationary(u: np.ndarray) -> list[np.ndarray]:
    """Map R^p to stationary AR coefficients (Monahan 1984: PACF + Durbin-Levinson).

    `u` has shape (B, p); the result is p arrays of shape (B,).
    """
    out: list[np.ndarray] = []
    for k in range(u.shape[1]):
        r = u[:, k] / np.sqrt(1.0 + u[:, k] ** 2)
        out = [out[i] - r * out[k - 1 - i] for i in range(k)] + [r]
    return out


def _acov(ar: list, ma: list, N: int, B: int) -> np.ndarray:
    """(B, N) autocovariances of unit-variance ARMAs (Brockwell & Davis, eq. 3.3.8)."""
    p, q = len(ar), len(ma)
    theta = [np.ones(B), *ma]
    psi: list = []
    for j in range(q + 1):
        psi.append(theta[j] + sum(ar[i - 1] * psi[j - i] for i in range(1, min(j, p) + 1)))
    M = max(p, q) + 1
    A = np.broadcast_to(np.eye(M), (B, M, M)).copy()
    rhs = np.zeros((B, M))
    for k in range(M):
        for i in range(1, p + 1):
            A[:, k, abs(k - i)] -= ar[i - 1]
        if k <= q:
            rhs[:, k] = sum(theta[k + j] * psi[j] for j in range(q + 1 - k))
    g = np.zeros((B, max(N, M)))
    g[:, :M] = np.linalg.solve(A, rhs[..., None])[..., 0] if p else rhs
    for k in range(M, N):
        g[:, k] = sum(ar[i] * g[:, k - 1 - i] for i in range(p)) if p else 0.0
    return g[:, :N]


def _arma_profile(U: np.ndarray, w: np.ndarray, p: int, q: int):
    """Exact ARMA log likelihoods (B,) with mean and variance profiled out.

    Returns (llf, ar, ma, mean, sigma2) as arrays over the B rows of `U` (B, p + q).
    """
    B, N = U.shape[0], w.size
    ar = _stationary(U[:, :p])
    ma = [-v for v in _stationary(U[:, p:])]
    g = _acov(ar, ma, N, B)
    L = np.linalg.cholesky(g[:, np.abs(np.subtract.outer(np.arange(N), np.arange(N)))])
    rhs = np.broadcast_to(np.column_stack([np.ones(N), w]), (B, N, 2))
    sol = np.linalg.solve(L, rhs)
    one, z = sol[..., 0], sol[..., 1]
    mu = np.sum(one * z, axis=1) / np.sum(one * one, axis=1)
    r = z - mu[:, None] * one
    s2 = np.sum(r * r, axis=1) / N
    logdet = np.sum(np.log(np.diagonal(L, axis1=1, axis2=2)), axis=1)
    llf = -0.5 * N * (np.log(2 * np.pi * s2) + 1.0) - logdet
    def stack(xs):
        return (np.column_stack(xs) if xs else np.zeros((B, 0)))
    return llf, stack(ar), stack(ma), mu, s2


def arima_mle(w: np.ndarray, p: int, q: int):
    """Exact Gaussian ML of ARMA(p, q) with mean on `w`: (llf, ar, ma, mean, sigma2).

    A coarse grid over the (transformed) coefficients, evaluated in one batch, gives
    the start of a short BFGS search, so no local optimum near zero is missed.
    """
    # lazy: statsmodels and scipy load only when a model is fitted
    from scipy.optimize import minimize

    k = p + q
    if k == 0:
        out = _arma_profile(np.zeros((1, 0)), w, 0, 0)
        return float(out[0][0]), out[1][0], out[2][0], float(out[3][0]), float(out[4][0])
    grid = np.stack(np.meshgrid(*[np.linspace(-2.0, 2.0, 5)] * k), -1).reshape(-1, k)
    with quiet():
        llf = _arma_profile(grid, w, p, q)[0]
        start = grid[int(np.nanargmax(np.where(np.isfinite(llf), llf, -np.inf)))]

        eye = 1e-6 * np.eye(k)

        def nll_grad(u):
            # value and forward-difference gradient from one batched evaluation
            v = _arma_profile(np.vstack([u, u + eye]), w, p, q)[0]
            if not np.all(np.isfinite(v)):
                return 1e10, np.zeros(k)
            return -v[0], -(v[1:] - v[0]) / 1e-6

        opt = minimize(nll_grad, start, jac=True, method="BFGS",
                       options={"gtol": 1e-4, "maxiter": 50})
        u = opt.x if opt.fun <= nll_grad(start)[0] else start
        out = _arma_profile(u[None, :], w, p, q)
    return float(out[0][0]), out[1][0], out[2][0], float(out[3][0]), float(out[4][0])


def fit_arima(y: np.ndarray, order: tuple[int, int]) -> Estimate:
    """ARIMA(p,1,q) with drift: exact ML (profile likelihood) on the differences.

    The state-space form at the origin comes from statsmodels ``SARIMAX`` filtering
    the differences with the estimates (trend "c" is the ARMA intercept).
    """
    # lazy: statsmodels and scipy load only when a model is fitted
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    p, q = order
    w = np.diff(y)
    N = w.size
    llf, ar, ma, mu, s2 = arima_mle(w, p, q)
    c = mu * (1.0 - ar.sum())
    params = np.concatenate([[c], ar, ma, [s2]])
    model = SARIMAX(w, order=(p, 0, q), trend="c")
    with quiet():
        res = model.filter(params)
        Z, T, RQR, H, a, P = _from_statespace(res, model)
        p2 = params.copy()
        p2[0] += 1.0
        a2 = np.asarray(model.filter(p2).filtered_state)[:, -1]
    m = T.shape[0]
    # augment the state with the constant intercept (state 0 receives it each step)
    Ta = np.zeros((m + 1, m + 1))
    Ta[:m, :m] = T
    Ta[0, m] = 1.0
    Ta[m, m] = 1.0
    RQRa = np.zeros((m + 1, m + 1))
    RQRa[:m, :m] = RQR
    Pa = np.zeros((m + 1, m + 1))
    Pa[:m, :m] = P
    Za = np.concatenate([Z, [0.0]])
    # sampling sd of the intercept: var(mean of w) = s2 psi(1)^2 / N, mean = c / phi(1)
    sd_c = np.sqrt(s2) * abs(1.0 + ma.sum()) / np.sqrt(N)
    perturb = sd_c * np.concatenate([[0.0, 0.0], a2 - a, [1.0]])[:, None]
    rep = Linear("ss", origin=[y[-1], 0.0, *a, c], a=Za, b=Ta, c=RQRa, sigma=0.0, P=Pa,
                 integrate=True, perturb=perturb, df=max(N - p - q - 1, 1))
    out = {"drift": float(mu)}
    out.update({f"ar{i + 1}": float(v) for i, v in enumerate(ar)})
    out.update({f"ma{i + 1}": float(v) for i, v in enumerate(ma)})
    out["sigma"] = float(np.sqrt(s2))
    return Estimate(rep, out, aicc(llf, p + q + 2, N), np.asarray(res.resid, dtype=float))
