"""The working scale of a model: a Box-Cox transform between the level and its log.

Every family models ``z = g(y)``, the Box-Cox transform of the level ``y`` with
``lambda`` in [0, 1]: ``g(y) = log y`` for lambda = 0 (growth is multiplicative,
errors proportional to the level) and ``g(y) = y - 1`` for lambda = 1 (growth is
additive); values in between bridge the two. ``scale="auto"`` (the default of every
spec) picks lambda from the profile likelihood of a random walk with drift on ``g(y)``,
Jacobian included (Box & Cox 1964): its posterior mean under a flat prior on [0, 1],
which is the maximum where the likelihood identifies lambda (:func:`choose`). The rule
uses one reference model for all families so that the members of a combination share
one scale; it is cheap and closed form. On the 181 yearly M1 series it lowered the
random walk with drift's sMAPE from 19.9 (log) and 16.7 (level) to 15.5
(``docs/models.md``).

A series of fewer than :data:`MIN_YEARS` years does not inform lambda: its changes leave
at most one degree of freedom after the drift, which lambda would take from the variance
(:func:`choose`). Such a series takes :data:`SHORT_LAMBDA`, and the Fit says so in its
notes (:func:`short_note`).

Back-transformed levels are positive: for lambda > 0 a working value below ``-1 /
lambda`` has no level, and such values are censored at a floor of one millionth of the
smallest observed level. At short horizons that mass is negligible; at long ones on a
near-level scale it is not (``Fit.censored_share`` gives it, and ``forecast.project``
warns above 1%).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError

#: censoring point of back-transformed levels, relative to the smallest observation
FLOOR = 1e-6
#: fewest years from which ``scale="auto"`` estimates lambda (see :func:`choose`)
MIN_YEARS = 4
#: lambda of a shorter series: the mean of the flat prior on [0, 1] that :func:`choose`
#: averages over, which is what it returns when the data carry no information on lambda
SHORT_LAMBDA = 0.5
_NAMES = {"log": 0.0, "level": 1.0}


def check_scale(scale: Any) -> str | float:
    """Validate a spec's ``scale`` argument: "auto", "log", "level" or lambda in [0, 1]."""
    if isinstance(scale, str):
        if scale == "auto" or scale in _NAMES:
            return scale
    elif isinstance(scale, int | float) and not isinstance(scale, bool):
        lam = float(scale)
        if 0.0 <= lam <= 1.0:
            # one spelling per scale: Drift(scale=0) == Drift(scale="log")
            return next((name for name, value in _NAMES.items() if value == lam), lam)
    raise ParameterError(
        f'`scale` must be "auto", "log", "level" or a Box-Cox lambda in [0, 1]; got '
        f'{scale!r}. Pass scale="auto" to choose it from the data.')


def transform(x: np.ndarray, lam: float) -> np.ndarray:
    """Box-Cox transform of positive levels (any shape)."""
    lx = np.log(np.asarray(x, dtype=float))
    return lx if lam == 0.0 else np.expm1(lam * lx) / lam


def to_log_level(z: np.ndarray, lam: float, floor_log: float, *,
                 in_place: bool = False) -> np.ndarray:
    """Log of the level for working-scale values `z`, censored below at `floor_log`.

    `in_place`: `z` is a float array of the caller's own, overwritten with the result
    (the same operations, without a new array).
    """
    z = np.asarray(z, dtype=float)
    if lam == 0.0:
        return z
    if z.ndim == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log1p(np.maximum(lam * z, -1.0))
        return np.maximum(out / lam, floor_log)
    out = np.multiply(lam, z, out=z if in_place else None)  # else z is left as it is
    np.maximum(out, -1.0, out=out)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log1p(out, out=out)
    out /= lam
    return np.maximum(out, floor_log, out=out)


def floor_log(x: np.ndarray) -> float:
    """Log of the censoring floor for a series with positive levels `x`."""
    return float(np.log(np.min(x)) + np.log(FLOOR))


def profile(x: np.ndarray, lams: np.ndarray) -> np.ndarray:
    """Profile log-likelihood of a random walk with drift on each lambda's scale (+ Jacobian)."""
    lx = np.log(np.asarray(x, dtype=float))
    lams = np.asarray(lams, dtype=float)
    safe = np.where(lams == 0.0, 1.0, lams)
    z = np.where(lams[:, None] == 0.0, lx, np.expm1(lams[:, None] * lx) / safe[:, None])
    d = np.diff(z, axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        s2 = d.var(axis=1)
    with np.errstate(divide="ignore"):
        log_s2 = np.log(s2)
    big = ~np.isfinite(s2)
    if big.any():
        # changes beyond ~1e154 (levels near 1e300 on a near-level scale) have squares
        # that overflow: the log variance is that of the changes over their largest
        # magnitude, plus twice its log (ordinary series keep the direct bits)
        m = np.max(np.abs(d[big]), axis=1)
        s2[big] = (d[big] / m[:, None]).var(axis=1)
        with np.errstate(divide="ignore"):
            log_s2[big] = np.log(s2[big]) + 2.0 * np.log(m)
    ll = -0.5 * (lx.size - 1) * log_s2 + (lams - 1.0) * lx[1:].sum()
    # zero variance: the changes are exactly constant on that scale (a perfect fit)
    return np.where(s2 > 0, ll, np.inf)


def choose(x: np.ndarray) -> float:
    """Box-Cox lambda in [0, 1]: the posterior mean under a flat prior and :func:`profile`.

    Where the likelihood identifies lambda sharply this is its maximum; where it is flat
    (short or noisy series) it stays near the middle of [0, 1] instead of jumping to an
    end, because the log scale turns wide forecast distributions into very long upper
    tails of the level.

    A series of fewer than :data:`MIN_YEARS` years that is not constant takes
    :data:`SHORT_LAMBDA` instead. Its changes (at most two) leave at most one degree of
    freedom after the drift, and lambda, a parameter of its own, can spend it: when two
    changes grow on one scale and shrink on another, some lambda makes them equal, the
    variance there is zero and the likelihood has a pole of order two, which no prior
    can average over. Three years of 20, 22 and 24.1 had put lambda at that pole (0.475)
    and the drift's variance at zero: an 80% band five years ahead of [36.118, 36.122].
    From four years on, lambda takes one of at least two degrees of freedom and
    the variance keeps the rest.

    Examples
    --------
    >>> choose(np.array([20.0, 22.0, 24.1]))
    0.5
    >>> choose(np.array([5.0, 5.0, 5.0]))
    1.0
    """
    x = np.asarray(x, dtype=float)
    if x.size < MIN_YEARS and np.ptp(x) > 0:
        return SHORT_LAMBDA
    grid = np.linspace(0.0, 1.0, 41)
    ll = profile(x, grid)
    exact = np.isposinf(ll)
    if exact.all():
        return 1.0  # a constant series: any scale fits; the level keeps it simple
    if exact.any():
        return float(grid[np.argmax(exact)])  # constant changes on one scale: that scale
    w = np.exp(ll - np.max(ll))
    w[0] *= 0.5  # trapezoid rule over [0, 1]
    w[-1] *= 0.5
    lam = float(np.clip((w @ grid) / w.sum(), 0.0, 1.0))
    return 0.0 if lam < 1e-6 else lam  # below this the scale is the log to 1e-6


def short_note(scale: str | float, x: np.ndarray) -> str | None:
    """The Fit note of a series too short for ``scale="auto"`` (None when it does not apply).

    Parameters
    ----------
    scale : str or float
        The spec's ``scale``.
    x : numpy.ndarray
        The series' positive levels.

    Returns
    -------
    str or None
        Which lambda the series took and why, with the fix; None for a fixed scale, a
        series of :data:`MIN_YEARS` years or more, or a constant one.

    Examples
    --------
    >>> short_note("auto", np.array([20.0, 22.0, 24.1]))[:60]
    'scale: lambda 0.5, the middle of [0, 1]: 3 years are too few'
    >>> short_note("log", np.array([20.0, 22.0, 24.1])) is None
    True
    """
    x = np.asarray(x, dtype=float)
    if scale != "auto" or x.size >= MIN_YEARS or np.ptp(x) == 0:
        return None
    return (f"scale: lambda {SHORT_LAMBDA:g}, the middle of [0, 1]: {x.size} years are too "
            f'few to estimate the working scale (scale="auto" needs {MIN_YEARS}); pass '
            'scale="log" or scale="level" to choose one')


def rows(scale: str | float, values: list[np.ndarray]) -> tuple[list[float], np.ndarray]:
    """Each series on its own working scale: the lambdas and the rows (B, n), one length."""
    lams = [resolve(scale, x) for x in values]
    return lams, np.stack([transform(x, lam) for x, lam in zip(values, lams, strict=True)])


def resolve(scale: str | float, x: np.ndarray) -> float:
    """The lambda a spec's `scale` means for the positive series `x`."""
    if scale == "auto":
        return choose(x)
    if isinstance(scale, str):
        return _NAMES[scale]
    return float(scale)
