"""Probability distributions for uncertain scenario parameters.

Every distribution is a frozen, validated value with ``sample(n, rng)``, ``mean()``,
``median()`` and ``quantile(q)``, and a canonical ``to_dict()`` / ``from_dict()`` used by
scenario files (TOML inline tables such as ``{dist = "uniform", low = 0.1, high = 0.2}``).
Assumption parameters accept a plain number (turned into :class:`Fixed` by
:func:`as_distribution`) or any of these.

scipy is imported only inside the few methods that need special functions (the
truncated normal and the beta quantile), so ``import forecast`` stays light.

Examples
--------
>>> import numpy as np
>>> d = Uniform(-0.04, -0.02)
>>> d.mean()
-0.03
>>> d.sample(3, np.random.default_rng(0)).shape
(3,)
>>> Distribution.from_dict(d.to_dict()) == d
True
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._keywords import checked_init, checked_keywords
from .._validation import check_int
from ..errors import ForecastTypeError, ParameterError
from ._distribution_base import (
    EXACT_DRAWS,
    MAX_MAGNITUDE,
    Distribution,
    _fail,
    _num,
    _out,
    _q,
)
from ._normal import LogNormal, Normal

__all__ = [
    "Bernoulli",
    "Beta",
    "DiscreteUniform",
    "Distribution",
    "Fixed",
    "LogNormal",
    "Normal",
    "Triangular",
    "Uniform",
    "as_distribution",
]

@checked_init
@dataclass(frozen=True)
class Fixed(Distribution):
    """A known value (a point mass). Plain numbers become ``Fixed``.

    Parameters
    ----------
    value : float
        The value, finite and within +-1e12 (as every distribution's parameters).

    Examples
    --------
    >>> Fixed(0.02).quantile([0.1, 0.9]).tolist()
    [0.02, 0.02]
    """

    value: float
    kind: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _num("Fixed", "value", self.value))

    def _sample(self, n, rng):
        return np.full(n, self.value)

    def mean(self) -> float:
        return self.value

    def quantile(self, q):
        arr, scalar = _q(q)
        return _out(np.full(arr.shape, self.value), scalar)

    @property
    def is_fixed(self) -> bool:
        return True


@checked_init
@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on ``[low, high]`` with ``low < high``.

    Parameters
    ----------
    low : float
        Lower bound, finite (within +-1e12, as every distribution's parameters).
    high : float
        Upper bound, above `low` (for a known value pass a plain number, or ``Fixed``).

    Examples
    --------
    >>> Uniform(-0.2, 0.0).quantile([0.1, 0.9]).round(2).tolist()
    [-0.18, -0.02]
    """

    low: float
    high: float
    kind: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        lo = _num("Uniform", "low", self.low)
        hi = _num("Uniform", "high", self.high, lo, lo_open=True,
                  fix="Pass high > low, or a plain number for a known value.")
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)

    def _sample(self, n, rng):
        return rng.uniform(self.low, self.high, n)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def quantile(self, q):
        arr, scalar = _q(q)
        return _out(self.low + arr * (self.high - self.low), scalar)


@checked_init
@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on ``[low, high]`` with most likely value `mode`.

    Parameters
    ----------
    low : float
        Lower bound, finite (within +-1e12, as every distribution's parameters).
    mode : float
        Most likely value, in ``[low, high]``.
    high : float
        Upper bound, above `low`.

    Examples
    --------
    >>> d = Triangular(-0.25, -0.1, -0.03)
    >>> round(d.mean(), 4), round(float(d.median()), 4)
    (-0.1267, -0.1215)
    """

    low: float
    mode: float
    high: float
    kind: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        lo = _num("Triangular", "low", self.low)
        mo = _num("Triangular", "mode", self.mode, lo, fix="Pass low <= mode <= high.")
        hi = _num("Triangular", "high", self.high, mo,
                  fix="Pass low <= mode <= high with low < high.")
        if not lo < hi:
            raise _fail("high", f"`Triangular.high` must exceed `low`; got low={lo}, high={hi}. "
                        "Pass a plain number for a known value.")
        for k, v in (("low", lo), ("mode", mo), ("high", hi)):
            object.__setattr__(self, k, v)

    def _sample(self, n, rng):
        return rng.triangular(self.low, self.mode, self.high, n)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def quantile(self, q):
        arr, scalar = _q(q)
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(arr * (b - a) * (c - a))
        right = b - np.sqrt((1 - arr) * (b - a) * (b - c))
        return _out(np.where(arr <= fc, left, right), scalar)


@checked_init
@dataclass(frozen=True)
class Beta(Distribution):
    """Beta(a, b) rescaled to ``[low, high]`` (default [0, 1]), e.g. for probabilities.

    Parameters
    ----------
    a, b : float
        Shape parameters, > 0 (``a / (a + b)`` is the mean on [0, 1]).
    low : float, default 0.0
    high : float, default 1.0
        The interval the Beta is rescaled to, ``low < high``.

    Examples
    --------
    >>> Beta(2, 3).mean()
    0.4
    >>> Beta(2, 2, low=-0.1, high=0.1).support
    (-0.1, 0.1)
    """

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0
    kind: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        a = _num("Beta", "a", self.a, 0, lo_open=True, fix="Pass a > 0.")
        b = _num("Beta", "b", self.b, 0, lo_open=True, fix="Pass b > 0.")
        lo = _num("Beta", "low", self.low)
        hi = _num("Beta", "high", self.high, lo, lo_open=True, fix="Pass high > low.")
        for k, v in (("a", a), ("b", b), ("low", lo), ("high", hi)):
            object.__setattr__(self, k, v)

    @property
    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def _sample(self, n, rng):
        return self.low + (self.high - self.low) * rng.beta(self.a, self.b, n)

    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def quantile(self, q):
        # lazy: scipy loads only when this quantile is needed
        from scipy.special import betaincinv

        arr, scalar = _q(q)
        return _out(self.low + (self.high - self.low) * betaincinv(self.a, self.b, arr), scalar)


@checked_init
@dataclass(frozen=True)
class Bernoulli(Distribution):
    """1 with probability `p`, else 0 (as floats).

    Parameters
    ----------
    p : float
        Probability of 1, in [0, 1].

    Examples
    --------
    >>> Bernoulli(0.3).quantile([0.5, 0.8]).tolist()
    [0.0, 1.0]
    """

    p: float
    kind: ClassVar[str] = "bernoulli"

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", _num("Bernoulli", "p", self.p, 0, 1,
                                           fix="Pass a probability such as 0.3."))

    def _sample(self, n, rng):
        return (rng.random(n) < self.p).astype(float)

    def mean(self) -> float:
        return self.p

    def quantile(self, q):
        arr, scalar = _q(q)
        return _out(np.where(arr <= 1 - self.p, 0.0, 1.0) if self.p < 1 else
                    np.where(arr <= 0, 0.0, 1.0) if self.p > 0 else np.zeros(arr.shape),
                    scalar)


@checked_init
@dataclass(frozen=True)
class DiscreteUniform(Distribution):
    """Equally likely integers ``low, low+1, ..., high`` (e.g. an uncertain start year).

    Both bounds are ints within +-1e12, as every distribution's parameters (else a
    ParameterError naming the bound).

    Parameters
    ----------
    low : int
        Smallest value.
    high : int
        Largest value, ``>= low`` (equal for a known value).

    Examples
    --------
    >>> DiscreteUniform(2027, 2030).quantile([0.0, 0.5, 1.0]).tolist()
    [2027, 2028, 2030]
    """

    low: int
    high: int
    kind: ClassVar[str] = "discrete_uniform"

    def __post_init__(self) -> None:
        try:
            lo = _bounded("low", check_int("DiscreteUniform.low", self.low))
        except (ParameterError, ForecastTypeError) as e:
            raise _fail("low", str(e), type(e)) from None
        try:
            hi = _bounded("high", check_int("DiscreteUniform.high", self.high, lo, None,
                                            "Pass high >= low (equal for a known value)."))
        except (ParameterError, ForecastTypeError) as e:
            raise _fail("high", str(e), type(e)) from None
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)

    def _sample(self, n, rng):
        return rng.integers(self.low, self.high + 1, n)

    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def median(self) -> float:
        return float(self.quantile(0.5))

    def quantile(self, q):
        arr, scalar = _q(q)
        k = self.high - self.low + 1
        vals = self.low + np.maximum(np.ceil(arr * k).astype(np.int64) - 1, 0)
        return int(vals[0]) if scalar else vals

    @property
    def is_fixed(self) -> bool:
        return self.low == self.high


# Draws that are n finite numbers in the support by construction (parameters finite and
# within +-MAX_MAGNITUDE): a constant, low + (high - low) * u (within the 8 ulps the check
# allows), numpy's triangular, 0/1, and bounded ints. Not Beta, Normal (a truncated one's
# quantile can reach an infinite bound) or LogNormal (exp can overflow): those are checked.
EXACT_DRAWS.update({Fixed, Uniform, Triangular, Bernoulli, DiscreteUniform})


def _bounded(field: str, value: int) -> int:
    """A DiscreteUniform bound within +-MAX_MAGNITUDE, as every distribution parameter.

    Sampling and quantiles are int64 arithmetic (``10**30`` overflows it) and the value
    drawn is used as a float, exact only up to 2**53.
    """
    if abs(value) > MAX_MAGNITUDE:
        raise ParameterError(
            f"`DiscreteUniform.{field}` must be an int within +-{MAX_MAGNITUDE:g}; got "
            f"{value}. Pass bounds such as years or counts, e.g. DiscreteUniform(2027, 2030).")
    return value


@checked_keywords
def as_distribution(x: object, name: str = "parameter") -> Distribution:
    """Return `x` if it is a Distribution, ``Fixed(x)`` for a real number; else raise.

    >>> as_distribution(0.5)
    Fixed(value=0.5)
    """
    if isinstance(x, Distribution):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Fixed(float(x))
    raise _fail(name, f"`{name}` must be a number or a Distribution; got {x!r} "
                f"({type(x).__name__}). Pass e.g. 0.02 or Uniform(0.01, 0.03).",
                ForecastTypeError)
