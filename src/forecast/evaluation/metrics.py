"""Accuracy and calibration metrics for point, sample and quantile forecasts.

Every function takes the truth first (``actual``) and the forecast second, works on
numpy arrays of any shape and follows the same array-shape rules:

- ``actual`` and a point forecast broadcast against each other (numpy rules).
- A sample forecast carries its draws along ``sample_axis`` (default 0, the layout of
  ``Fit.simulate``: ``(n_paths, h)``); ``actual`` broadcasts against the sample array
  with that axis removed.
- A quantile forecast carries its quantiles along the **last** axis, one per entry of
  ``q``; ``actual`` broadcasts against the array with that axis removed.
- Scores are averaged over ``axis`` of the per-forecast values: ``axis=None`` (default)
  returns one float, an int or tuple averages over those axes, and ``axis=()`` keeps
  one score per forecast (numpy's ``mean`` semantics).
  :func:`pit` and :func:`interval_from_samples` are not averages and take no ``axis``.
- pandas inputs are matched by label, not by position: when two or more of the
  arguments scored together are a pandas Series or DataFrame, they must hold the same
  labels (index; for a DataFrame of samples drawn along its rows, ``sample_axis=0``, its
  columns) and are put in the order of the first, so ``mae(y, f)`` with ``f`` indexed in
  another order scores each year against its own forecast; differing labels raise
  :class:`~forecast.errors.ParameterError`. Lists and numpy arrays (and a pandas object
  scored with them) match by position. ``insample`` of :func:`mase` is not matched.

Bad shapes, non-finite values, levels outside (0, 100), probabilities outside [0, 1] and
integer settings (``m``, ``sample_axis``) that are not ints in range raise
:class:`~forecast.errors.ParameterError` (or :class:`~forecast.errors.ForecastTypeError`
for non-numeric input); no numpy exception escapes. So does a misspelt keyword
(``mase(y, f, x, M=4)``), naming the arguments the metric takes.

How each score scales (checked by property tests): for ``c > 0`` and any shift ``b``,
MAE, CRPS, pinball loss and the interval score of ``(c*y + b, c*f + b)`` are ``c`` times
the original; MAPE and sMAPE are invariant to ``c`` (not to ``b``); MASE is invariant to
both (the in-sample series is transformed too); coverage and PIT values are invariant to
any increasing transformation applied to truth and forecast alike.

Examples
--------
>>> from forecast.evaluation.metrics import coverage, crps_normal, mae
>>> mae([1.0, 2.0], [1.5, 2.0])
0.25
>>> round(crps_normal(0.0, 0.0, 1.0), 4)
0.2337
>>> coverage([0.5, 3.0], lower=[0.0, 0.0], upper=[1.0, 2.0])
0.5
"""

from __future__ import annotations

import math

import numpy as np

from .._keywords import checked_keywords
from .._validation import check_bool, check_int, check_quantiles
from ..errors import ParameterError
from ._arrays import Axis, _aligned, _alpha, _arr, _broadcast, _mean, _point, _samples

__all__ = [
    "coverage",
    "crps_normal",
    "crps_quantiles",
    "crps_samples",
    "interval_from_samples",
    "interval_score",
    "mae",
    "mape",
    "mase",
    "pinball_loss",
    "pit",
    "smape",
]

# --------------------------------------------------------------------------- point
@checked_keywords
def mae(actual: object, predicted: object, axis: Axis = None) -> float | np.ndarray:
    """Mean absolute error ``mean(|y - f|)``.

    Parameters
    ----------
    actual, predicted : array-like
        Truth and point forecast; they broadcast against each other.
    axis : None, int, tuple of int or (), optional
        Axes to average over (see the module's shape rules).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> mae([10.0, 20.0], [12.0, 17.0])
    2.5
    """
    y, f = _point(actual, predicted)
    return _mean(np.abs(y - f), axis)


@checked_keywords
def mape(actual: object, predicted: object, axis: Axis = None) -> float | np.ndarray:
    """Mean absolute percentage error ``100 * mean(|y - f| / |y|)``, in percent.

    `actual` must be non-zero everywhere.

    Examples
    --------
    >>> mape([10.0, 20.0], [12.0, 17.0])
    17.5
    """
    y, f = _point(actual, predicted)
    if np.any(y == 0):
        raise ParameterError(
            "MAPE needs non-zero `actual` values; got a zero. Use sMAPE or MASE instead."
        )
    return _mean(100.0 * np.abs(y - f) / np.abs(y), axis)


@checked_keywords
def smape(actual: object, predicted: object, axis: Axis = None) -> float | np.ndarray:
    """Symmetric MAPE ``100 * mean(2 |y - f| / (|y| + |f|))``, in percent (0 to 200).

    A term with ``y = f = 0`` counts as 0.

    Examples
    --------
    >>> round(smape([10.0], [12.0]), 4)
    18.1818
    """
    y, f = _point(actual, predicted)
    den = np.abs(y) + np.abs(f)
    num = 2.0 * np.abs(y - f)
    return _mean(np.divide(num, den, out=np.zeros_like(num), where=den > 0) * 100.0, axis)


@checked_keywords
def mase(
    actual: object, predicted: object, insample: object, m: int = 1, axis: Axis = None
) -> float | np.ndarray:
    """Mean absolute scaled error: MAE divided by the in-sample naive MAE.

    The scale is ``mean(|x[t] - x[t-m]|)`` over the 1-D in-sample series `insample`
    (the error of the one-step naive forecast, Hyndman and Koehler 2006); ``axis=()``
    returns the scaled errors ``|y - f| / scale``.

    Parameters
    ----------
    actual, predicted : array-like
        Truth and point forecast; they broadcast against each other.
    insample : array-like
        The 1-D series the forecast was fitted on; at least ``m + 1`` values.
    m : int, default 1
        Seasonal period of the naive forecast, ``>= 1`` (1 for annual data).
    axis : None, int, tuple of int or (), optional
        Axes to average over (see the module's shape rules).

    Raises
    ------
    ParameterError
        For ``m < 1``, an `insample` that is not 1-D or has ``m`` values or fewer, or a
        constant one (the scale is 0).
    ForecastTypeError
        For an `m` that is not a whole number (``1.5``, ``"1"``, True).

    Examples
    --------
    >>> mase([13.0, 15.0], [12.0, 12.0], insample=[8.0, 10.0, 12.0])
    1.0
    """
    m = check_int("m", m, 1, fix="Pass the seasonal period, e.g. m=1 for annual data.")
    x = _arr("insample", insample)
    if x.ndim != 1 or x.size <= m:
        raise ParameterError(
            f"`insample` must be a 1-D series longer than m={m} (at least {m + 1} values, "
            f"for in-sample differences x[t] - x[t-{m}]); got shape {x.shape}. Pass the "
            f"series the forecast was fitted on, of {m + 1} values or more, or a smaller m.",
            field="insample")
    scale = float(np.mean(np.abs(x[m:] - x[:-m])))
    if scale <= 0:
        raise ParameterError(
            "MASE is undefined for a constant in-sample series (naive error 0); got a "
            "series with no change. Use MAE instead."
        )
    y, f = _point(actual, predicted)
    return _mean(np.abs(y - f) / scale, axis)


# --------------------------------------------------------------------------- distributions
def _forecast_axis(sample_axis: object) -> int:
    """The axis of a 2-D samples DataFrame that labels the forecasts (not the draws)."""
    return 1 if isinstance(sample_axis, int) and sample_axis in (0, -2) else 0


@checked_keywords
def crps_samples(
    actual: object, samples: object, sample_axis: int = 0, axis: Axis = None, fair: bool = False
) -> float | np.ndarray:
    """Continuous ranked probability score of a sample (ensemble) forecast.

    The CRPS of the empirical distribution of the sorted draws ``x_(1) <= ... <= x_(n)``,
    ``(2/n) sum_i (1{y < x_(i)} - (i - 1/2)/n) (x_(i) - y)``, which equals
    ``mean|X - y| - (1/n^2) sum_i (2i - n - 1) x_(i)`` (the kernel form) but sums only
    non-negative terms, so it stays accurate for very wide ensembles; ``O(n log n)``
    and vectorised over forecasts. ``fair=True`` gives the unbiased "fair" CRPS (Ferro
    2014), whose spread term divides by ``n (n - 1)`` instead of ``n^2``: the same sum
    with weights ``(i - 1)/(n - 1)`` in place of ``(i - 1/2)/n``, so its terms are
    non-negative too (the fair CRPS is never negative) and it is as accurate for wide
    ensembles (the largest draw has weight 0 when above `y`). It needs at least two
    draws.

    Parameters
    ----------
    actual : array-like
        Truth, broadcasting against `samples` without its sample axis.
    samples : array-like
        Draws along `sample_axis`.
    sample_axis : int, default 0
    axis : see the module's shape rules
    fair : bool, default False

    Examples
    --------
    >>> crps_samples(0.0, [-1.0, 1.0])
    0.5
    >>> crps_samples([0.0, 1.0], [[0.0, 1.0], [0.0, 1.0]], axis=())
    array([0., 0.])
    >>> round(crps_samples(2.5, [1, 2, 3, 1e17], fair=True), 12)  # exactly 1/6
    0.166666666667
    """
    fair = check_bool("fair", fair, "Pass fair=True for the unbiased ensemble CRPS.")
    actual, samples = _aligned([("actual", actual, 0),
                                ("samples", samples, _forecast_axis(sample_axis))])
    s = np.sort(_samples(samples, sample_axis), axis=-1)
    n = s.shape[-1]
    if fair and n < 2:
        raise ParameterError(f"`samples` must hold at least 2 draws per forecast for "
                             f"fair=True (its spread term divides by n (n - 1)); got {n}. "
                             "Pass more draws, or fair=False for the ordinary CRPS.",
                             field="samples")
    y, _ = _broadcast(("actual", "samples"), (_arr("actual", actual), s[..., 0]))
    d = s - y[..., None]
    # the kernel form's spread term, sum_i (2i - n - 1) x_(i) / n^2 (fair: / (n (n - 1))),
    # moved into the sum over y - x_(i) (its weights sum to 0): weights tau_i in [0, 1]
    tau = np.arange(n) / (n - 1.0) if fair else (np.arange(1, n + 1) - 0.5) / n
    # every term (1{y < x_(i)} - tau_i)(x_(i) - y) is >= 0: no cancellation, unlike
    # the equivalent mean|X - y| - E|X - X'|/2, which loses all digits for wide ensembles
    crps = (2.0 / n) * np.sum(((d > 0) - tau) * d, axis=-1)
    return _mean(crps, axis)


@checked_keywords
def crps_normal(actual: object, mean: object, sd: object, axis: Axis = None) -> float | np.ndarray:
    """CRPS of a normal forecast N(mean, sd^2) in closed form (Gneiting et al. 2005).

    ``sd * (z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi))`` with ``z = (y - mean) / sd``;
    `sd` must be > 0.

    Examples
    --------
    >>> round(crps_normal(1.0, 0.0, 1.0), 4)
    0.6024
    """
    from scipy.special import ndtr  # lazy: keep `import forecast` light

    actual, mean, sd = _aligned([("actual", actual, 0), ("mean", mean, 0), ("sd", sd, 0)])
    y, mu, sig = _broadcast(
        ("actual", "mean", "sd"), (_arr("actual", actual), _arr("mean", mean), _arr("sd", sd))
    )
    if np.any(sig <= 0):
        raise ParameterError(
            "`sd` must be > 0; got a value <= 0. Pass a positive standard deviation."
        )
    z = (y - mu) / sig
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return _mean(sig * (z * (2.0 * ndtr(z) - 1.0) + 2.0 * pdf - 1.0 / math.sqrt(math.pi)), axis)


def _quantile_forecast(actual: object, quantiles: object, q: object) -> tuple:
    qs = check_quantiles("q", q)
    actual, quantiles = _aligned([("actual", actual, 0), ("quantiles", quantiles, 0)])
    f = _arr("quantiles", quantiles)
    if np.ndim(q) == 0:
        f = f[..., None]
    if f.ndim == 0 or f.shape[-1] != qs.size:
        raise ParameterError(
            f"`quantiles` must have one entry per probability in `q` on its last axis; got "
            f"shape {f.shape} for {qs.size} probabilities. Stack quantiles along the last axis."
        )
    y, _ = _broadcast(("actual", "quantiles"), (_arr("actual", actual), f[..., 0]))
    return y[..., None], f, qs


@checked_keywords
def pinball_loss(
    actual: object, quantiles: object, q: object, axis: Axis = None
) -> float | np.ndarray:
    """Pinball (quantile) loss ``max(q (y - f), (q - 1) (y - f))``.

    With several probabilities, the forecast quantiles lie on the last axis of
    `quantiles` and the per-forecast value is the mean over them. A scalar `q` takes
    `quantiles` shaped like `actual`.

    Examples
    --------
    >>> pinball_loss(10.0, 8.0, 0.9)
    1.8
    >>> round(pinball_loss(10.0, [8.0, 12.0], [0.1, 0.9]), 4)
    0.2
    """
    y, f, qs = _quantile_forecast(actual, quantiles, q)
    d = y - f
    loss = np.maximum(qs * d, (qs - 1.0) * d).mean(axis=-1)
    return _mean(loss, axis)


@checked_keywords
def crps_quantiles(
    actual: object, quantiles: object, q: object, axis: Axis = None
) -> float | np.ndarray:
    """CRPS approximated from forecast quantiles: twice the mean pinball loss.

    Exact in the limit of a dense, evenly spaced grid of `q` in (0, 1), e.g.
    ``q = (np.arange(99) + 1) / 100``.

    Examples
    --------
    >>> round(crps_quantiles(0.0, [-1.0, 1.0], [0.25, 0.75]), 4)
    0.5
    """
    return 2.0 * pinball_loss(actual, quantiles, q, axis)  # type: ignore[operator]


@checked_keywords
def interval_from_samples(
    samples: object, level: object = 80, sample_axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Central prediction interval ``(lower, upper)`` of sample draws at `level` percent.

    Examples
    --------
    >>> lo, hi = interval_from_samples([[0.0], [1.0], [2.0], [3.0], [4.0]], 50)
    >>> float(lo[0]), float(hi[0])
    (1.0, 3.0)
    """
    a = _alpha(level)
    s = _samples(samples, sample_axis)
    lo, hi = np.quantile(s, [a / 2.0, 1.0 - a / 2.0], axis=-1)
    return lo, hi


def _interval(actual: object, lower: object, upper: object) -> list[np.ndarray]:
    actual, lower, upper = _aligned([("actual", actual, 0), ("lower", lower, 0),
                                     ("upper", upper, 0)])
    y, lo, hi = _broadcast(
        ("actual", "lower", "upper"),
        (_arr("actual", actual), _arr("lower", lower), _arr("upper", upper)),
    )
    if np.any(lo > hi):
        raise ParameterError(
            "`lower` must not exceed `upper`; got a crossed interval. Swap the bounds."
        )
    return [y, lo, hi]


@checked_keywords
def coverage(actual: object, lower: object, upper: object, axis: Axis = None) -> float | np.ndarray:
    """Share of `actual` values inside the closed interval ``[lower, upper]``.

    Examples
    --------
    >>> coverage([1.0, 2.0, 5.0, 9.0], lower=0.0, upper=4.0)
    0.5
    """
    y, lo, hi = _interval(actual, lower, upper)
    return _mean(((y >= lo) & (y <= hi)).astype(float), axis)


@checked_keywords
def interval_score(
    actual: object, lower: object, upper: object, level: object, axis: Axis = None
) -> float | np.ndarray:
    """Interval (Winkler) score of a central ``level``% interval (Gneiting & Raftery 2007).

    ``(u - l) + (2/alpha) (l - y) 1{y < l} + (2/alpha) (y - u) 1{y > u}``, with
    ``alpha = 1 - level/100``; lower is better.

    Examples
    --------
    >>> interval_score([5.0, 12.0], lower=4.0, upper=10.0, level=80, axis=())
    array([ 6., 26.])
    """
    a = _alpha(level)
    y, lo, hi = _interval(actual, lower, upper)
    score = (hi - lo) + (2.0 / a) * np.maximum(lo - y, 0.0) + (2.0 / a) * np.maximum(y - hi, 0.0)
    return _mean(score, axis)


@checked_keywords
def pit(actual: object, samples: object, sample_axis: int = 0) -> np.ndarray:
    """Probability integral transform values: the forecast CDF at the truth.

    From samples, ``mean(X < y) + 0.5 mean(X == y)`` (ties split evenly), so the PIT of
    a calibrated forecast is uniform on [0, 1]. Shape: `samples` without its sample axis,
    broadcast with `actual`.

    Examples
    --------
    >>> pit([0.5, 10.0], [[0.0, 0.0], [1.0, 1.0]])
    array([0.5, 1. ])
    """
    actual, samples = _aligned([("actual", actual, 0),
                                ("samples", samples, _forecast_axis(sample_axis))])
    s = _samples(samples, sample_axis)
    y, _ = _broadcast(("actual", "samples"), (_arr("actual", actual), s[..., 0]))
    yy = y[..., None]
    return np.mean(s < yy, axis=-1) + 0.5 * np.mean(s == yy, axis=-1)
