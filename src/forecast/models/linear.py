"""Linear Gaussian forecast representations and their vectorised path simulator.

Every model family in :mod:`forecast.models` reduces, at the forecast origin, to a
*linear Gaussian representation* (:class:`Linear`): an origin vector
``v = [base, drift, x_T]`` (level offset, per-year drift, final state) and shape
matrices that map it to the h-step mean path ``G(h) @ v`` and to the lower-triangular
factor ``L(h)`` of the h x h forecast covariance. Two shapes are supported:

``"ssoe"``
    single-source-of-error innovations form (ETS, drift, trend, SES/Theta):
    ``y[T+k] = base + k drift + w' F^(k-1) x_T + sum_j psi_(k-j) e_j``,
    ``psi_0 = 1``, ``psi_j = w' F^(j-1) g``.
``"ss"``
    Harvey state space (ARIMA, local linear trend): ``y = Z x + eps`` (var ``H``),
    ``x' = T x + eta`` (cov ``RQR``), filtered state ``x_T ~ N(a, P)``; when
    ``integrate`` is set the state space describes the first differences and the
    level is their cumulative sum.

Parameter uncertainty is a per-path draw of (i) a scale factor
``s = sqrt(df / chi2(df))`` for every standard deviation, the conditional sampling
distribution of the innovation variance, and (ii) a Gaussian perturbation ``s * S z`` of
the origin vector for the parameters that enter the forecast linearly (drift, trend,
initial states), so a path is ``G v + s (L e + G S z)``: two matrix products per call.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._validation import readonly


@dataclass(frozen=True, eq=False)
class Linear:
    """Linear Gaussian forecast representation of one fitted model (see module doc)."""

    kind: str  # "ssoe" | "ss"
    origin: np.ndarray  # (2 + m,) = [base, drift, state...]
    a: np.ndarray  # ssoe: w (m,) | ss: Z (m,)
    b: np.ndarray  # ssoe: F (m, m) | ss: T (m, m)
    c: np.ndarray  # ssoe: g (m,) | ss: RQR (m, m)
    sigma: float = 1.0  # ssoe: innovation sd | ss: obs-noise variance H
    P: np.ndarray | None = None  # ss: filtered state covariance at the origin
    integrate: bool = False  # ss: the state space models first differences
    perturb: np.ndarray | None = None  # (2 + m, r) linear-parameter sd factor
    df: float = np.inf  # degrees of freedom of the variance; inf = no scale uncertainty

    def __post_init__(self) -> None:
        for f in ("origin", "a", "b", "c", "P", "perturb"):
            v = getattr(self, f)
            if v is not None:
                object.__setattr__(self, f, readonly(np.array(v, dtype=float)))

    # ---------------------------------------------------------------- analytics
    def _state_rows(self, h: int) -> np.ndarray:
        """(h, m) matrix mapping the final state to the mean of y[T+1..T+h]."""
        m = self.b.shape[0]
        rows = np.empty((h, m))
        if self.kind == "ssoe":
            row = self.a.copy()
            for k in range(h):
                rows[k] = row
                row = row @ self.b
        else:
            row = self.a @ self.b
            for k in range(h):
                rows[k] = row
                row = row @ self.b
            if self.integrate:
                rows = np.cumsum(rows, axis=0)
        return rows

    def design(self, h: int) -> np.ndarray:
        """(h, 2 + m) matrix G with mean path ``G @ origin``."""
        k = np.arange(1, h + 1, dtype=float)
        return np.column_stack([np.ones(h), k, self._state_rows(h)])

    def covariance(self, h: int) -> np.ndarray:
        """h x h forecast covariance of y[T+1..T+h] given the parameters."""
        if self.kind == "ssoe":
            psi = np.empty(h)
            psi[0] = 1.0
            row = self.a.copy()
            for j in range(1, h):
                psi[j] = row @ self.c
                row = row @ self.b
            idx = np.subtract.outer(np.arange(h), np.arange(h))
            low = np.where(idx >= 0, psi[np.clip(idx, 0, None)], 0.0) * self.sigma
            return low @ low.T
        Z, T, RQR = self.a, self.b, self.c
        m = T.shape[0]
        P = np.zeros((m, m)) if self.P is None else np.array(self.P)
        Ps = []
        for _ in range(h):
            P = T @ P @ T.T + RQR
            Ps.append(P)
        S = np.empty((h, h))
        for j in range(h):
            S[j, j] = Z @ Ps[j] @ Z + self.sigma
            prop = Ps[j]
            for k in range(j + 1, h):
                prop = T @ prop
                S[k, j] = S[j, k] = Z @ prop @ Z
        if self.integrate:
            C = np.tril(np.ones((h, h)))
            S = C @ S @ C.T
        return S

    def factor(self, h: int) -> np.ndarray:
        """Lower-triangular L with ``L @ L.T`` the forecast covariance (causal in e)."""
        S = self.covariance(h)
        try:
            return np.linalg.cholesky(S)
        except np.linalg.LinAlgError:
            # a (numerically) singular covariance: jitter relative to its scale
            jitter = 1e-12 * max(float(np.max(np.diag(S))), 1e-300)
            return np.linalg.cholesky(S + jitter * np.eye(h))

    def mean(self, h: int) -> np.ndarray:
        """The h-step mean (= median) path without parameter uncertainty."""
        return self.design(h) @ self.origin

    def with_offset(self, shift: float) -> Linear:
        """The same representation with every level shifted by `shift`."""
        o = np.array(self.origin)
        o[0] += shift
        return dataclasses.replace(self, origin=o)

    # ---------------------------------------------------------------- simulation
    def simulate(self, n: int, h: int, rng: np.random.Generator, param_uncertainty: bool,
                 e: np.ndarray | None = None) -> np.ndarray:
        """Paths (n, h); shocks `e` (n, h) standard normal, drawn from `rng` if None.

        The shocks and the linear-parameter draws ``z`` go through one product
        ``[e, z] @ [L'; (G S)']``; when `e` is not given both are drawn in one call.
        """
        G = self.design(h)
        B = self.factor(h).T
        r = self.perturb.shape[1] if param_uncertainty and self.perturb is not None else 0
        if r:
            B = np.vstack([B, (G @ self.perturb).T])
            if e is None:
                x = rng.standard_normal((n, h + r))
            else:
                x = np.empty((n, h + r))
                x[:, :h] = e
                x[:, h:] = rng.standard_normal((n, r))
        else:
            x = rng.standard_normal((n, h)) if e is None else e
        out = _matmul_rows(x, B)  # new array: `e` is never written to
        if param_uncertainty and np.isfinite(self.df):
            scale = rng.chisquare(self.df, n)
            np.divide(self.df, scale, out=scale)
            np.sqrt(scale, out=scale)
            out *= scale[:, None]
        out += G @ self.origin
        return out


def _matmul_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a tall-skinny `a`, in row blocks small enough for one BLAS thread.

    OpenBLAS runs a product on one thread when rows x k x m is below 64**3; above it,
    a 100,000 x 12 by 12 x 10 product spawned threads for little work, and right after
    a statsmodels fit (scipy's own OpenBLAS pool still spinning) it took 70-220 ms
    instead of 2 ms. Blocks of about 2,000 rows measured 2-3 ms idle, 8-12 ms contended
    (numpy's einsum loop: 15-40 ms).
    """
    rows = max(256, 1 << int(np.log2(max(262_144 // max(a.shape[1] * b.shape[1], 1), 1))))
    out = np.empty((a.shape[0], b.shape[1]))
    for i in range(0, a.shape[0], rows):
        np.matmul(a[i : i + rows], b, out=out[i : i + rows])
    return out


def simulate_mixture(
    components: tuple[Linear, ...],
    weights: np.ndarray,
    n: int,
    h: int,
    seed: np.random.SeedSequence,
    param_uncertainty: bool,
    e: np.ndarray | None = None,
) -> np.ndarray:
    """Simulate a linear pool: each path follows one component drawn by `weights`.

    Component ``c`` draws from the generator of child ``c + 1`` of `seed` (its shocks
    too, unless `e` is given); the path-to-component assignment uses child 0. The same
    seed (and `e`) therefore always gives the same paths.
    """
    kids = [np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i))
            for i in range(len(components) + 1)]
    if len(components) == 1:
        return components[0].simulate(n, h, np.random.default_rng(kids[1]),
                                      param_uncertainty, e)
    which = np.random.default_rng(kids[0]).choice(len(components), size=n, p=weights)
    out = np.empty((n, h))
    for c, comp in enumerate(components):
        idx = np.flatnonzero(which == c)
        if idx.size:
            out[idx] = comp.simulate(idx.size, h, np.random.default_rng(kids[c + 1]),
                                     param_uncertainty, None if e is None else e[idx])
    return out
