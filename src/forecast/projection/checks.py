"""Validation of a :class:`forecast.Projection` (kept out of projection.py for length)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import FrozenDict, check_unique, readonly
from ..errors import ForecastTypeError, ParameterError, ScenarioError
from ..series import AnnualSeries


class Settings(FrozenDict):
    """Projection settings: a read-only dict that still deep-copies and crosses processes."""

    what = "Projection settings"
    fix = "build a new Projection with dataclasses.replace(projection, settings={...})."


def _array(name: str, value: Any, ndim: int, dtype: Any = float) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=dtype)
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


def check_projection(p: Any) -> dict[str, Any]:
    """Check every field of `p`; return the normalised values to set on it."""
    years = _array("years", p.years, 1, None)
    if years.dtype.kind not in "iu" or years.size == 0 or np.any(np.diff(years) != 1):
        raise ParameterError(
            f"`years` must be consecutive int years; got {years[:5].tolist()!r}. "
            "Pass e.g. np.arange(2026, 2036)."
        )
    years = years.astype(np.int64)
    h = years.size
    names = tuple(p.scenario_names) if not isinstance(p.scenario_names, str) else None
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ScenarioError(
            f"`scenario_names` must be a non-empty sequence of non-empty str; got "
            f"{p.scenario_names!r}. Pass e.g. ('baseline',)."
        )
    check_unique(names, "`scenario_names`", "Rename them.", ScenarioError,
                 field="scenario_names")
    samples = _array("samples", p.samples, 3)
    if samples.shape[0] != len(names) or samples.shape[2] != h or samples.shape[1] < 1:
        raise ParameterError(
            f"`samples` must have shape (n_scenarios={len(names)}, n_paths, h={h}); got "
            f"{samples.shape}. Check the scenario names and years."
        )
    lo, hi = samples.min(), samples.max()  # NaN propagates; no n-sized temporaries
    if not (np.isfinite(hi) and lo > 0):
        raise ParameterError(
            "`samples` must be finite positive levels; got non-finite or non-positive "
            "values. Build Projections with forecast.project(), which checks overflow."
        )
    n = samples.shape[1]
    base = _array("base_log", p.base_log, 2)
    if base.shape != (n, h) or not (np.isfinite(base.min()) and np.isfinite(base.max())):
        raise ParameterError(
            f"`base_log` must be finite log paths of shape ({n}, {h}); got {base.shape}."
        )
    center = _array("center", p.center, 1)
    if center.shape != (h,):
        raise ParameterError(f"`center` must have shape ({h},); got {center.shape}.")
    if not isinstance(p.history, AnnualSeries):
        raise ForecastTypeError(
            f"`history` must be an AnnualSeries; got {type(p.history).__name__}."
        )
    if p.history.last_year >= years[0]:
        raise ParameterError(
            f"`years` must start after the history's last year {p.history.last_year}; got "
            f"{years[0]}."
        )
    probs = p.probabilities
    if probs is not None:
        probs = tuple(float(x) for x in probs)
        if len(probs) != len(names) or min(probs) < 0 or not np.isclose(sum(probs), 1.0):
            raise ParameterError(
                f"`probabilities` must be {len(names)} numbers >= 0 summing to 1; got "
                f"{probs!r}. Normalise them or pass None."
            )
    scenarios = p.scenarios
    if scenarios is not None:
        scenarios = tuple(scenarios)
        if tuple(getattr(s, "name", None) for s in scenarios) != names:
            raise ScenarioError(
                "`scenarios` must be the scenario definitions in the order of "
                f"`scenario_names` {names!r}; got {[getattr(s, 'name', s) for s in scenarios]}."
            )
    seed = p.seed
    if isinstance(seed, list | tuple):
        seed = tuple(int(x) for x in seed)
    elif isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        seed = int(seed)
    else:
        raise ForecastTypeError(
            f"`seed` must be the int entropy of the run; got {seed!r}. Pass Projection.seed."
        )
    return {
        "years": readonly(years),
        "scenario_names": names,
        "samples": readonly(samples),
        "base_log": readonly(base),
        "center": readonly(center),
        "probabilities": probs,
        "scenarios": scenarios,
        "seed": seed,
        "model": str(p.model),
        "unit": str(p.unit),
        "settings": Settings(p.settings),
    }
