"""The normal family: Normal (optionally truncated) and LogNormal (private module).

Re-exported by :mod:`forecast.scenarios.distributions`, where every distribution is
documented; kept apart because the truncated normal's moments and quantiles need most
of the code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np

from .._keywords import checked_init
from ._distribution_base import _STD, Distribution, _fail, _num, _out, _q

__all__ = ["LogNormal", "Normal"]


@checked_init
@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with `mean` and `sd`, optionally truncated to ``[low, high]``.

    Truncated draws use the inverse CDF, so they stay inside the bounds exactly.

    Parameters
    ----------
    mean : float
        Mean of the untruncated normal (stored as ``mean_``: ``mean()`` is the method,
        which gives the truncated distribution's mean).
    sd : float
        Standard deviation of the untruncated normal, > 0.
    low, high : float, optional
        Truncation bounds (None: unbounded on that side); ``low < high``, and they must
        keep some probability of the normal.

    Examples
    --------
    >>> round(Normal(0.0, 1.0, low=0.0).median(), 4)
    0.6745
    """

    mean_: float
    sd: float
    low: float | None = None
    high: float | None = None
    kind: ClassVar[str] = "normal"

    def __init__(self, mean: float = None, sd: float = None,  # type: ignore[assignment]
                 low: float | None = None, high: float | None = None, *,
                 mean_: float | None = None) -> None:
        # `mean_` (the field name) keeps dataclasses.replace working
        object.__setattr__(self, "mean_", mean if mean_ is None else mean_)
        object.__setattr__(self, "sd", sd)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        self.__post_init__()

    def __post_init__(self) -> None:
        m = _num("Normal", "mean", self.mean_)
        s = _num("Normal", "sd", self.sd, 0, lo_open=True, fix="Pass a positive sd.")
        lo = None if self.low is None else _num("Normal", "low", self.low)
        hi = None if self.high is None else _num("Normal", "high", self.high)
        if lo is not None and hi is not None and not lo < hi:
            raise _fail("high", f"`Normal.high` must exceed `low`; got low={lo}, high={hi}. "
                        "Widen the bounds.")
        for k, v in (("mean_", m), ("sd", s), ("low", lo), ("high", hi)):
            object.__setattr__(self, k, v)
        a, b = self._cdf_bounds()
        if b - a < 1e-12:
            raise _fail("low", f"`Normal` truncated to [{lo}, {hi}] keeps probability {b - a:.2g}"
                        f" of N({m}, {s}); the bounds must cover some mass. Move them "
                        "towards the mean or raise sd.")

    @classmethod
    def keys(cls) -> dict[str, bool]:
        return {"mean": True, "sd": True, "low": False, "high": False}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={getattr(self, k)!r}" for k in ("low", "high")
                        if getattr(self, k) is not None)
        return f"Normal(mean={self.mean_!r}, sd={self.sd!r}{extra})"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dist": "normal", "mean": self.mean_, "sd": self.sd}
        if self.low is not None:
            out["low"] = self.low
        if self.high is not None:
            out["high"] = self.high
        return out

    def _cdf_bounds(self) -> tuple[float, float]:
        z = NormalDist(self.mean_, self.sd)
        return (0.0 if self.low is None else z.cdf(self.low),
                1.0 if self.high is None else z.cdf(self.high))

    @property
    def support(self) -> tuple[float, float]:
        return (-math.inf if self.low is None else self.low,
                math.inf if self.high is None else self.high)

    @property
    def truncated(self) -> bool:
        return self.low is not None or self.high is not None

    def _sample(self, n, rng):
        if not self.truncated:
            return rng.normal(self.mean_, self.sd, n)
        a, b = self._cdf_bounds()
        return self._ppf(a + rng.random(n) * (b - a))

    def _ppf(self, p: np.ndarray) -> np.ndarray:
        # lazy: scipy loads only when this quantile is needed
        from scipy.special import ndtri

        x = self.mean_ + self.sd * ndtri(p)
        lo = -np.inf if self.low is None else self.low
        hi = np.inf if self.high is None else self.high
        return np.clip(x, lo, hi)

    def mean(self) -> float:
        if not self.truncated:
            return self.mean_
        a_, b_ = self._cdf_bounds()
        al = -np.inf if self.low is None else (self.low - self.mean_) / self.sd
        be = np.inf if self.high is None else (self.high - self.mean_) / self.sd
        pdf = [0.0 if math.isinf(x) else _STD.pdf(x) for x in (al, be)]
        return float(self.mean_ + self.sd * (pdf[0] - pdf[1]) / (b_ - a_))

    def quantile(self, q):
        arr, scalar = _q(q)
        a, b = self._cdf_bounds()
        return _out(self._ppf(a + arr * (b - a)), scalar)


@checked_init
@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal, parametrised by its `median` and `sigma` (the sd of the log).

    ``log X ~ N(log(median), sigma**2)``; the median is more natural than the mean for
    elicitation ("a typical value and a spread"). Use :meth:`from_mean_sd` to give the
    mean and sd of X instead. Values are positive; negate in the assumption if needed.

    Parameters
    ----------
    median : float
        Median of X, > 0 (stored as ``median_``: ``median()`` is the method).
    sigma : float
        Standard deviation of ``log X``, > 0.

    Examples
    --------
    >>> LogNormal(2.0, 0.5).median()
    2.0
    >>> round(LogNormal.from_mean_sd(1.0, 0.5).mean(), 12)
    1.0
    """

    median_: float
    sigma: float
    kind: ClassVar[str] = "lognormal"

    def __init__(self, median: float = None, sigma: float = None, *,  # type: ignore[assignment]
                 median_: float | None = None) -> None:
        object.__setattr__(self, "median_", median if median_ is None else median_)
        object.__setattr__(self, "sigma", sigma)
        self.__post_init__()

    def __post_init__(self) -> None:
        object.__setattr__(self, "median_", _num("LogNormal", "median", self.median_, 0,
                                                 lo_open=True, fix="Pass a positive median."))
        object.__setattr__(self, "sigma", _num("LogNormal", "sigma", self.sigma, 0,
                                               lo_open=True, fix="Pass a positive sigma."))

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> LogNormal:
        """The log-normal with the given mean and standard deviation of X."""
        m = _num("LogNormal", "mean", mean, 0, lo_open=True, fix="Pass a positive mean.")
        s = _num("LogNormal", "sd", sd, 0, lo_open=True, fix="Pass a positive sd.")
        s2 = math.log1p((s / m) ** 2)
        return cls(m / math.sqrt(1 + (s / m) ** 2), math.sqrt(s2))

    @classmethod
    def keys(cls) -> dict[str, bool]:
        return {"median": True, "sigma": True}

    def __repr__(self) -> str:
        return f"LogNormal(median={self.median_!r}, sigma={self.sigma!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"dist": "lognormal", "median": self.median_, "sigma": self.sigma}

    @property
    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    @property
    def reaches_support(self) -> tuple[bool, bool]:
        # exp(sigma * z) with |z| < 40 (never exceeded by normal draws) stays above 0
        # unless the median is so small or sigma so large that it underflows
        return self.median_ * math.exp(-40.0 * self.sigma) == 0.0, False

    def _sample(self, n, rng):
        return self.median_ * np.exp(self.sigma * rng.standard_normal(n))

    def mean(self) -> float:
        return self.median_ * math.exp(0.5 * self.sigma**2)

    def median(self) -> float:
        return self.median_

    def quantile(self, q):
        arr, scalar = _q(q)
        with np.errstate(divide="ignore"):
            z = np.array([_STD.inv_cdf(x) if 0 < x < 1 else (-np.inf if x == 0 else np.inf)
                          for x in arr])
        return _out(self.median_ * np.exp(self.sigma * z), scalar)
