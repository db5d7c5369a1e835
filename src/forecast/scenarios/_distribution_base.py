"""The Distribution base class and validation helpers shared by every distribution.

Public classes live in :mod:`forecast.scenarios.distributions`.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np

from .._validation import check_float, check_int, check_quantiles
from ..errors import ForecastError, ForecastTypeError, ParameterError, ScenarioError
from ..records.schema import suggest

_STD = NormalDist()


def _fail(field: str, msg: str, cls: type[ForecastError] = ParameterError) -> ForecastError:
    """An error carrying the offending field name (scenarios/files.py adds the key path)."""
    return cls(msg, field=field)


#: Largest magnitude of a distribution parameter: scenario parameters are log points,
#: years or probabilities, and beyond this the arithmetic of sampling overflows
#: (``Uniform(-1e308, 1e308)`` has an infinite width).
MAX_MAGNITUDE = 1e12


def _num(owner: str, field: str, value: object, lo=None, hi=None, *, lo_open=False,
         hi_open=False, fix: str = "") -> float:
    try:
        v = check_float(f"{owner}.{field}", value, lo, hi, lo_open=lo_open,
                        hi_open=hi_open, fix=fix or "Pass a finite number.")
    except (ParameterError, ForecastTypeError) as e:
        raise _fail(field, str(e), type(e)) from None
    if abs(v) > MAX_MAGNITUDE:
        raise _fail(field, f"`{owner}.{field}` must be a number within +-{MAX_MAGNITUDE:g}; "
                    f"got {value!r}. Scenario parameters are log points, years or "
                    "probabilities: pass e.g. -0.05.")
    return v


def _q(q: object) -> tuple[np.ndarray, bool]:
    scalar = np.ndim(q) == 0
    return check_quantiles("q", q), scalar


def _out(values: np.ndarray, scalar: bool):
    return float(values[0]) if scalar else values


@dataclass(frozen=True)
class Distribution:
    """Base class: a distribution of one scalar parameter, drawn once per path."""

    kind: ClassVar[str] = ""
    _registry: ClassVar[dict[str, type[Distribution]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if not cls.__dict__.get("kind"):  # an inherited kind stays its parent's to load
            return
        taken = Distribution._registry.get(cls.kind)
        if taken is not None and (taken.__module__, taken.__qualname__) != (
                cls.__module__, cls.__qualname__):  # a class run again may replace itself
            raise ScenarioError(
                f"distribution kind {cls.kind!r} must name one class; it is already "
                f"{taken.__module__}.{taken.__qualname__}, got {cls.__module__}."
                f"{cls.__qualname__}. Give your class another kind, e.g. kind = "
                f"\"my_{cls.kind}\".", field="kind")
        Distribution._registry[cls.kind] = cls

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw `n` independent values as an array of shape ``(n,)``."""
        n = check_int("n", n, 0, None, "Pass the number of paths, e.g. 1000.")
        if not isinstance(rng, np.random.Generator):
            raise ForecastTypeError(
                f"`rng` must be a numpy Generator; got {type(rng).__name__}. "
                "Pass np.random.default_rng(seed)."
            )
        return self._sample(n, rng)

    def median(self) -> float:
        """The 0.5 quantile."""
        return float(self.quantile(0.5))

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (may be infinite)."""
        return float(self.quantile(0.0)), float(self.quantile(1.0))

    @property
    def is_fixed(self) -> bool:
        """True when the distribution is a single point."""
        return False

    @classmethod
    def keys(cls) -> dict[str, bool]:
        """Parameter names in canonical order, mapped to whether they are required."""
        return {f.name: f.default is MISSING for f in fields(cls)}

    def to_dict(self) -> dict[str, Any]:
        """Canonical mapping: ``{"dist": kind, <parameters>}``; optional ``None`` omitted."""
        out: dict[str, Any] = {"dist": self.kind}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is not None:
                out[f.name] = v
        return out

    @staticmethod
    def from_dict(d: object) -> Distribution:
        """Build a distribution from :meth:`to_dict` output, rejecting unknown keys."""
        if not isinstance(d, dict):
            raise _fail("dist", f"a distribution must be a table with a `dist` key; got {d!r}. "
                        'Write e.g. {dist = "uniform", low = 0.1, high = 0.2}.',
                        ForecastTypeError)
        kind = d.get("dist")
        cls = Distribution._registry.get(kind) if isinstance(kind, str) else None
        if cls is None:
            known = ", ".join(sorted(Distribution._registry))
            hint = suggest(kind, Distribution._registry) if isinstance(kind, str) else ""
            raise _fail("dist", f"`dist` must be one of {known}; got {kind!r}.{hint} "
                        "Use one of those names.")
        keys = cls.keys()
        for key in d:
            if key != "dist" and key not in keys:
                raise _fail(key, f"distribution {kind!r} has no parameter `{key}`; got "
                            f"{key} = {d[key]!r}.{suggest(str(key), keys)} Remove it; allowed "
                            f"keys: {', '.join(keys)}.")
        for key, required in keys.items():
            if required and key not in d:
                raise _fail(key, f"distribution {kind!r} needs `{key}`; it is missing. "
                            f"Add {key} = <number>.")
        return cls(**{k: v for k, v in d.items() if k != "dist"})
