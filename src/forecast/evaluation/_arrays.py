"""Array checks shared by the metrics (private): the shape rules of :mod:`.metrics`.

Each helper turns numpy's errors into a ParameterError or ForecastTypeError that names the
argument, so no numpy exception escapes a metric.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import check_level
from ..errors import ForecastTypeError, ParameterError

__all__ = ["Axis"]

Axis = int | tuple[int, ...] | None


def _arr(name: str, x: object) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ForecastTypeError(
            f"`{name}` must be numbers (an array-like of floats); got {type(x).__name__}. "
            "Pass a list or numpy array."
        ) from None
    if a.size and not np.all(np.isfinite(a)):
        raise ParameterError(
            f"`{name}` must be finite; got {int(np.sum(~np.isfinite(a)))} NaN or infinite "
            "value(s). Drop those forecasts before scoring."
        )
    return a


def _broadcast(names: Sequence[str], arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"`{n}` {a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ParameterError(
            f"array shapes must broadcast against each other; got {shapes}. "
            "See the array-shape rules in forecast.metrics."
        ) from None


def _mean(values: np.ndarray, axis: Axis) -> float | np.ndarray:
    if values.size == 0:
        raise ParameterError("nothing to score: the arrays are empty; pass at least one forecast.")
    try:
        out = np.mean(values, axis=axis)
    except (ValueError, TypeError, np.exceptions.AxisError):
        raise ParameterError(
            f"`axis` must name axes of the score array of shape {values.shape}; got {axis!r}. "
            "Pass None (one number), an int, a tuple, or () for per-forecast scores."
        ) from None
    return float(out) if np.ndim(out) == 0 else out


def _samples(samples: object, sample_axis: int) -> np.ndarray:
    s = _arr("samples", samples)
    if s.ndim == 0:
        raise ParameterError(
            "`samples` must have a sample axis; got a scalar. Pass an array of draws, e.g. "
            "shape (n_paths, h)."
        )
    try:
        s = np.moveaxis(s, sample_axis, -1)
    except np.exceptions.AxisError:
        raise ParameterError(
            f"`sample_axis` must be an axis of `samples` (shape {s.shape}); got {sample_axis}."
        ) from None
    if s.shape[-1] < 1:
        raise ParameterError("`samples` holds no draws along `sample_axis`; pass at least one.")
    return s


def _point(actual: object, predicted: object) -> list[np.ndarray]:
    return _broadcast(
        ("actual", "predicted"), (_arr("actual", actual), _arr("predicted", predicted))
    )


def _alpha(level: object) -> float:
    return 1.0 - check_level("level", level) / 100.0
