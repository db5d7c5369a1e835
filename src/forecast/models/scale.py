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

Every family works on the series divided by its reference magnitude, its geometric mean
(:func:`reference`), and the forecasts are multiplied back: ``z = g(y / m)``. Any
reference with ``m(c y) = c m(y)`` makes ``y / m`` the same numbers whatever the unit, so
the choice of lambda, every family (an outside one too) and every floor, bound and
tolerance see unit-free values, and the forecast of ``c y`` is ``c`` times that of ``y``
to rounding; the geometric mean also centres ``log(y / m)`` on zero, where the Box-Cox
transform keeps all its digits (on ``y`` itself, ``g(y)`` of a tiny level is -1 plus a
few surviving digits). The fitted parameters are reported in the series' own units
(:func:`to_units`). A series whose values are not normal floats, or that spans more than
float64 can hold around its geometric mean, is refused (:func:`normalised`).

Back-transformed levels are positive: for lambda > 0 a working value below ``-1 /
lambda`` has no level, and such values are censored at a floor of one millionth of the
smallest observed level. At short horizons that mass is negligible; at long ones on a
near-level scale it is not (``Fit.censored_share`` gives it, and ``forecast.project``
warns above 1%).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ModelError, ParameterError

#: censoring point of back-transformed levels, relative to the smallest observation
FLOOR = 1e-6
#: fewest years from which ``scale="auto"`` estimates lambda (see :func:`choose`)
MIN_YEARS = 4
#: lambda of a shorter series: the mean of the flat prior on [0, 1] that :func:`choose`
#: averages over, which is what it returns when the data carry no information on lambda
SHORT_LAMBDA = 0.5
_NAMES = {"log": 0.0, "level": 1.0}
#: smallest positive normal float64: below it a value keeps fewer than 15 digits
TINY = float(np.finfo(float).tiny)


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


def rows(scale: str | float, values: list[np.ndarray]
         ) -> tuple[list[float], list[float], np.ndarray]:
    """Each series on its own working scale: lambdas, references and the rows (B, n).

    The series are of one length; each is divided by its own reference (:func:`normalised`).
    """
    refs, us = zip(*(normalised(x) for x in values), strict=True)
    lams = [resolve(scale, u) for u in us]
    return lams, list(refs), np.stack([transform(u, lam) for u, lam in zip(us, lams,
                                                                            strict=True)])


def reference(x: np.ndarray) -> float:
    """The reference magnitude of positive levels `x`: their geometric mean.

    It scales with the series (``reference(c x) = c reference(x)``), so the series divided
    by it is unit-free, and it centres the logs of that ratio on zero. Computed from the
    logs, it cannot overflow: it lies between the smallest and the largest value.

    Examples
    --------
    >>> round(reference(np.array([1.0, 100.0])), 12)  # the last digit varies with numpy
    10.0
    """
    return float(np.exp(np.mean(np.log(np.asarray(x, dtype=float)))))


def normalised(x: np.ndarray, years: Any = None, what: str = "series") -> tuple[float, np.ndarray]:
    """The reference of positive levels `x` and `x` divided by it, or a ModelError.

    Refused, naming the value (and its year when `years` is given) and the fix: a value
    below the smallest normal float (about 2.2e-308), which keeps fewer than 15 digits
    (the same series in a smaller unit is fitted exactly as well); and a series whose
    ratios to their geometric mean leave the normal float range, i.e. spanning more than
    about 600 orders of magnitude, which no unit can bring within float64.

    Examples
    --------
    >>> ref, u = normalised(np.array([1e-200, 4e-200]))
    >>> round(ref / 2e-200, 12), u.round(12).tolist()
    (1.0, [0.5, 2.0])
    >>> normalised(np.array([1e-310, 1.0]), [2020, 2021])
    Traceback (most recent call last):
    ...
    forecast.errors.ModelError: the series' value 1e-310 (2020) is below the smallest \
normal float64 (2.23e-308), where it keeps fewer than 15 digits: express the series in \
a smaller unit (multiply it by a power of ten, e.g. 1e+300).
    """
    x = np.asarray(x, dtype=float)
    where = (lambda i: f" ({years[i]})") if years is not None else (lambda i: "")
    small = np.flatnonzero(x < TINY)
    if small.size:
        i = int(small[0])
        # a power of ten that brings the smallest value near 1 (10^308 would overflow)
        shift = 10.0 ** min(int(round(-np.log10(np.min(x)))), 300)
        raise ModelError(
            f"the {what}' value {x[i]:.3g}{where(i)} is below the smallest normal float64 "
            f"({TINY:.3g}), where it keeps fewer than 15 digits: express the {what} in a "
            f"smaller unit (multiply it by a power of ten, e.g. {shift:.0e}).", field="values")
    ref = reference(x)
    with np.errstate(over="ignore", under="ignore"):
        u = x / ref
    bad = np.flatnonzero(~(np.isfinite(u) & (u >= TINY)))
    if bad.size:
        i, lo, hi = int(bad[0]), int(np.argmin(x)), int(np.argmax(x))
        raise ModelError(
            f"the {what} spans {x[lo]:.3g}{where(lo)} to {x[hi]:.3g}{where(hi)}, more than "
            f"float64 can hold around its geometric mean ({ref:.3g}; {x[i]:.3g}{where(i)} "
            f"is {'above' if x[i] > ref else 'below'} it by a factor beyond "
            f"{1 / TINY:.3g}): no unit brings it within range. Check the values for a "
            f"unit or exponent error, or fit the years of one magnitude.", field="values")
    return ref, u


def to_units(value: float, unit: str, lam: float, ref: float) -> float:
    """A working-scale parameter of the normalised series in the series' own working scale.

    The working value of ``y`` is ``g(y) = m^lambda g(y / m) + g(m)`` for the reference
    ``m`` (``g(y / m) + log m`` on the log scale), so a `unit` of ``"level"`` (a value of
    the series) maps affinely, ``"change"`` (a difference, slope or standard deviation)
    is multiplied by ``m^lambda`` and ``"variance"`` by ``m^(2 lambda)``; anything else
    (a unit-free coefficient) is unchanged. A result beyond the float range is inf (the
    parameter has no float64 value in those units; the forecast does).

    Examples
    --------
    >>> to_units(0.5, "change", 1.0, 100.0), to_units(0.0, "level", 1.0, 100.0)
    (50.0, 99.0)
    >>> round(to_units(0.1, "level", 0.0, np.e), 12), to_units(0.3, "phi", 0.5, 4.0)
    (1.1, 0.3)
    """
    if unit not in ("level", "change", "variance") or ref == 1.0:
        return float(value)
    if lam == 0.0:
        return float(value + np.log(ref)) if unit == "level" else float(value)
    gain = ref ** lam  # exact for lambda = 1; cannot overflow (ref is a float, lambda <= 1)
    with np.errstate(over="ignore"):
        if unit == "change":
            return float(value * gain)
        if unit == "variance":
            return float(np.float64(value) * gain * gain)
    # g(ref): expm1 keeps its digits where ref^lambda is near 1
    shift = np.expm1(lam * np.log(ref)) / lam if abs(lam * np.log(ref)) < 0.5 else \
        (gain - 1.0) / lam
    return float(value * gain + shift)


def resolve(scale: str | float, x: np.ndarray) -> float:
    """The lambda a spec's `scale` means for the positive series `x`."""
    if scale == "auto":
        return choose(x)
    if isinstance(scale, str):
        return _NAMES[scale]
    return float(scale)
