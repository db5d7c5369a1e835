"""Field checks of a :class:`History` built directly (private; kept out of history.py).

``reconstruct`` always builds valid histories; a user (or a test of a later stage) who
builds one by hand gets an error naming the field, the value received and the fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ForecastTypeError, ParameterError
from ..series import YEAR_RANGE

_FIX = "Build it with forecast.reconstruct(), or pass matching arrays."


def _array(name: str, value: Any, dtype: Any) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise ForecastTypeError(f"History `{name}` must be an array of numbers; got "
                                f"{type(value).__name__} {str(value)[:60]!r}. {_FIX}") from None
    if arr.ndim != 1:
        raise ParameterError(f"History `{name}` must be one-dimensional; got shape "
                             f"{arr.shape}. {_FIX}")
    return arr


def check_fields(years: Any, log_mean: Any, log_sd: Any, n_records: Any, evidence: Any,
                 dmap: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the arrays of a History; return (years int64, log_mean, log_sd)."""
    raw_years = _array("years", years, None)
    if raw_years.dtype.kind == "f" and np.all(np.isfinite(raw_years)) and np.all(
            raw_years == np.round(raw_years)):
        raw_years = raw_years.astype(np.int64)
    if raw_years.dtype.kind not in "iu" or raw_years.size == 0:
        raise ParameterError(f"History `years` must be a non-empty array of int years; got "
                             f"{raw_years[:3].tolist()!r}. {_FIX}")
    y = raw_years.astype(np.int64)
    lo, hi = YEAR_RANGE
    if y.min() < lo or y.max() > hi or np.any(np.diff(y) != 1):
        raise ParameterError(f"History `years` must be consecutive calendar years in "
                             f"[{lo}, {hi}]; got {y[:4].tolist()}"
                             f"{'...' if y.size > 4 else ''}. {_FIX}")
    n = y.size
    mean = _array("log_mean", log_mean, float)
    sd = _array("log_sd", log_sd, float)
    for name, arr in (("log_mean", mean), ("log_sd", sd)):
        if arr.shape != (n,):
            raise ParameterError(f"History `{name}` must have one value per year ({n}); got "
                                 f"{arr.size}. {_FIX}")
    if not np.all(np.isfinite(mean)) or np.any(np.abs(mean) > 700):
        i = int(np.flatnonzero(~(np.abs(mean) <= 700))[0])
        raise ParameterError(f"History `log_mean` must be finite log levels in [-700, 700]; "
                             f"got {float(mean[i])!r} in {y[i]}. {_FIX}")
    if not np.all(np.isfinite(sd)) or np.any(sd < 0):
        i = int(np.flatnonzero(~(sd >= 0) | ~np.isfinite(sd))[0])
        raise ParameterError(f"History `log_sd` must be finite and >= 0; got {float(sd[i])!r} in "
                             f"{y[i]}. {_FIX}")
    if n_records is not None and np.shape(n_records) != (n,):
        raise ParameterError(f"History `n_records` must have one count per year ({n}); got "
                             f"shape {np.shape(n_records)}. {_FIX}")
    if evidence and len(tuple(evidence)) != n:
        raise ParameterError(f"History `evidence` must have one entry per year ({n}); got "
                             f"{len(tuple(evidence))}. {_FIX}")
    if dmap is not None and np.shape(dmap)[:1] != (n,):
        raise ParameterError(f"History `_map` must have one row per year ({n}); got shape "
                             f"{np.shape(dmap)}. {_FIX}")
    return y, mean, sd
