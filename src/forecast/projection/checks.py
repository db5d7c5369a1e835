"""Validation of a :class:`forecast.Projection`: one check per field, run in field order.

:func:`check_projection` is what ``Projection.__post_init__`` calls; it returns the
normalised values (read-only arrays, tuples, the read-only :class:`Settings`).
"""

from __future__ import annotations

import numbers
from contextvars import ContextVar
from typing import Any

import numpy as np

from .._validation import FrozenDict, check_unique, frozen_array
from ..errors import ForecastTypeError, ParameterError, ScenarioError
from ..series import AnnualSeries

#: True while :func:`forecast.project` builds the Projection of chunks its own
#: ``run_chunk`` wrote in place (serially or in threads), having checked every chunk's
#: baseline and levels (``check_range``): the passes over `samples` and `base_log` for
#: finite positive values are then not made again. Shapes are checked as always.
VALUES_CHECKED: ContextVar[bool] = ContextVar("forecast_projection_values_checked",
                                              default=False)


class Settings(FrozenDict):
    """Projection settings: a read-only dict that still deep-copies and crosses processes."""

    what = "Projection settings"
    fix = "build a new Projection with dataclasses.replace(projection, settings={...})."


def _array(name: str, value: Any, ndim: int, dtype: Any = float) -> np.ndarray:
    try:
        # C order (no copy when it is already): sums over paths then add in one order, so
        # a loaded projection (whose frame gives Fortran-ordered blocks) summarises to the
        # same bits as the one saved
        arr = np.ascontiguousarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ForecastTypeError(
            f"`{name}` must be a numeric array; got {type(value).__name__}. Pass an ndarray."
        ) from None
    if arr.ndim != ndim:
        raise ParameterError(
            f"`{name}` must have {ndim} dimensions; got shape {arr.shape}. "
            "Build Projections with forecast.project()."
        )
    return arr


def check_unit(unit: Any) -> str:
    """A projection's `unit`: a non-empty str (what its tables, charts and files say).

    Examples
    --------
    >>> check_unit("")
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: `unit` must be a non-empty str; got ''. Pass the unit \
of the levels, e.g. unit='USD_bn' (the history's unit).
    """
    fix = "Pass the unit of the levels, e.g. unit='USD_bn' (the history's unit)."
    if not isinstance(unit, str):
        raise ForecastTypeError(f"`unit` must be a non-empty str; got {unit!r} "
                                f"({type(unit).__name__}). {fix}", field="unit")
    if not unit.strip():
        raise ParameterError(f"`unit` must be a non-empty str; got {unit!r}. {fix}",
                             field="unit")
    return unit


def check_projection(p: Any) -> dict[str, Any]:
    """Check every field of `p`; return the normalised values to set on it."""
    years = _years(p.years)
    names = _names(p.scenario_names)
    samples, base, center = _arrays(p, len(names), years.size)
    if not isinstance(p.history, AnnualSeries):
        raise ForecastTypeError(
            f"`history` must be an AnnualSeries; got {type(p.history).__name__}."
        )
    if p.history.last_year >= years[0]:
        raise ParameterError(
            f"`years` must start after the history's last year {p.history.last_year}; got "
            f"{years[0]}."
        )
    return {
        # copied where the caller can still change them; the engine's are kept
        "years": frozen_array(years, p.years),
        "scenario_names": names,
        "samples": frozen_array(samples, p.samples),
        "base_log": frozen_array(base, p.base_log),
        "center": frozen_array(center, p.center),
        "probabilities": _probabilities(p.probabilities, len(names)),
        "scenarios": _scenarios(p.scenarios, names),
        "seed": _seed(p.seed),
        "model": str(p.model),
        "unit": check_unit(p.unit),
        "settings": Settings(p.settings),
    }


def _years(value: Any) -> np.ndarray:
    years = _array("years", value, 1, None)
    if years.dtype.kind not in "iu" or years.size == 0 or np.any(np.diff(years) != 1):
        raise ParameterError(
            f"`years` must be consecutive int years; got {years[:5].tolist()!r}. "
            "Pass e.g. np.arange(2026, 2036)."
        )
    return years.astype(np.int64)


def _names(value: Any) -> tuple[str, ...]:
    names = tuple(value) if not isinstance(value, str) else None
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ScenarioError(
            f"`scenario_names` must be a non-empty sequence of non-empty str; got "
            f"{value!r}. Pass e.g. ('baseline',)."
        )
    check_unique(names, "`scenario_names`", "Rename them.", ScenarioError,
                 field="scenario_names")
    return names


def _arrays(p: Any, n_scenarios: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """samples (n_scenarios, n, h) of finite positive levels, base_log (n, h), center (h,)."""
    samples = _array("samples", p.samples, 3)
    if samples.shape[0] != n_scenarios or samples.shape[2] != h or samples.shape[1] < 1:
        raise ParameterError(
            f"`samples` must have shape (n_scenarios={n_scenarios}, n_paths, h={h}); got "
            f"{samples.shape}. Check the scenario names and years."
        )
    checked = VALUES_CHECKED.get()
    lo, hi = (1.0, 1.0) if checked else (samples.min(), samples.max())  # NaN propagates
    if not (np.isfinite(hi) and lo > 0):
        raise ParameterError(
            "`samples` must be finite positive levels; got non-finite or non-positive "
            "values. Build Projections with forecast.project(), which checks overflow."
        )
    n = samples.shape[1]
    base = _array("base_log", p.base_log, 2)
    if base.shape != (n, h) or not (checked or (np.isfinite(base.min())
                                               and np.isfinite(base.max()))):
        raise ParameterError(
            f"`base_log` must be finite log paths of shape ({n}, {h}); got {base.shape}."
        )
    center = _array("center", p.center, 1)
    if center.shape != (h,):
        raise ParameterError(f"`center` must have shape ({h},); got {center.shape}.")
    return samples, base, center


def _probabilities(probs: Any, n_scenarios: int) -> tuple[float, ...] | None:
    if probs is None:
        return None
    probs = tuple(float(x) for x in probs)
    if len(probs) != n_scenarios or min(probs) < 0 or not np.isclose(sum(probs), 1.0):
        raise ParameterError(
            f"`probabilities` must be {n_scenarios} numbers >= 0 summing to 1; got "
            f"{probs!r}. Normalise them or pass None."
        )
    return probs


def _scenarios(scenarios: Any, names: tuple[str, ...]) -> tuple[Any, ...] | None:
    if scenarios is None:
        return None
    scenarios = tuple(scenarios)
    if tuple(getattr(s, "name", None) for s in scenarios) != names:
        raise ScenarioError(
            "`scenarios` must be the scenario definitions in the order of "
            f"`scenario_names` {names!r}; got {[getattr(s, 'name', s) for s in scenarios]}."
        )
    return scenarios


def _seed(seed: Any) -> int | tuple[int, ...]:
    if isinstance(seed, list | tuple):
        return tuple(int(x) for x in seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    raise ForecastTypeError(
        f"`seed` must be the int entropy of the run; got {seed!r}. Pass Projection.seed."
    )
