"""Array checks shared by the metrics (private): the shape rules of :mod:`.metrics`.

Each helper turns numpy's errors into a ParameterError or ForecastTypeError that names the
argument, so no numpy exception escapes a metric. :func:`_aligned` is the one place where
pandas inputs are matched by label rather than by position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import check_int, check_level
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


def _aligned(named: Sequence[tuple[str, object, int]]) -> list[object]:
    """The values of `named` ``(name, value, label axis)``, pandas ones matched by label.

    A pandas Series or DataFrame is labelled along its index (``label axis`` 0) or, for a
    DataFrame whose forecasts are its columns (samples with ``sample_axis=0``), its
    columns (1). When two or more values are pandas objects, each is put in the label
    order of the first; labels that differ (as sets, or with duplicates) raise
    ParameterError. Other values (lists, numpy arrays, numbers) are left to match by
    position, so a pandas value next to an array still matches by position.
    """
    values = [v for _, v, _ in named]
    pandas = [i for i, v in enumerate(values) if isinstance(v, pd.Series | pd.DataFrame)]
    if len(pandas) < 2:
        return values

    def labels(i: int) -> pd.Index:
        v, ax = values[i], named[i][2]
        return v.columns if isinstance(v, pd.DataFrame) and ax == 1 else v.index

    first = pandas[0]
    ref = labels(first)
    for i in pandas[1:]:
        own = labels(i)
        if own.equals(ref):
            continue
        if ref.is_unique and own.is_unique and len(own) == len(ref) and own.isin(ref).all():
            v, ax = values[i], named[i][2]
            values[i] = v.reindex(columns=ref) if isinstance(v, pd.DataFrame) and ax == 1 \
                else v.reindex(ref)
            continue
        a, b = named[first][0], named[i][0]
        extra = (own.difference(ref, sort=False).tolist()
                 or ref.difference(own, sort=False).tolist())[:3]
        why = (f"labels such as {extra!r} are in one but not the other" if extra else
               f"their labels differ in number or repeat ({len(ref)} and {len(own)} labels)")
        raise ParameterError(
            f"`{a}` and `{b}` are pandas objects, which metrics match by label, but {why}. "
            f"Give them the same labels (e.g. {b}.reindex({a}.index)), or pass numpy arrays "
            "(.to_numpy()) to match by position.", field=b)
    return values


def _samples(samples: object, sample_axis: int) -> np.ndarray:
    sample_axis = check_int("sample_axis", sample_axis,
                            fix="Pass the axis of `samples` that holds the draws, e.g. 0.")
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
    actual, predicted = _aligned([("actual", actual, 0), ("predicted", predicted, 0)])
    return _broadcast(
        ("actual", "predicted"), (_arr("actual", actual), _arr("predicted", predicted))
    )


def _alpha(level: object) -> float:
    return (100.0 - check_level("level", level)) / 100.0
