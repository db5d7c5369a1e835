"""The :class:`Nowcast` value (re-exported by :mod:`forecast.history`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .._validation import check_level, check_quantiles, readonly
from ..errors import ParameterError

__all__ = ["Nowcast"]


@dataclass(frozen=True, eq=False)
class Nowcast:
    """Distribution of a full-year level estimated from partial-year figures.

    Parameters
    ----------
    year : int
        The year nowcast.
    months : int
        Months covered by the latest partial figure used (10 = January-October).
    samples : ndarray
        Samples of the full-year level in billions of ``currency``.
    currency : {"USD", "CNY"}
    market, flow : str
    fx_rate : float
        CNY per USD used by :meth:`in_currency` (NaN when none exists).
    fx_method : str
        How that rate was obtained ("implied", "annual", "monthly").

    Examples
    --------
    >>> nc = Nowcast(2025, 10, np.array([30.0, 31.0, 32.0]), "USD", fx_rate=7.0)
    >>> nc.median, nc.in_currency("CNY").median
    (31.0, 217.0)
    """

    year: int
    months: int
    samples: np.ndarray
    currency: str
    market: str = ""
    flow: str = ""
    fx_rate: float = float("nan")
    fx_method: str = ""

    def __post_init__(self) -> None:
        s = np.asarray(self.samples, dtype=float).ravel()
        if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ParameterError("`samples` must be a non-empty array of finite levels > 0; "
                                 f"got {s.size} values. Make nowcasts with "
                                 "History.nowcast().")
        if self.currency not in ("USD", "CNY"):
            raise ParameterError(f"`currency` must be 'USD' or 'CNY'; got {self.currency!r}.")
        if not 1 <= int(self.months) <= 12:
            raise ParameterError(f"`months` must be in [1, 12]; got {self.months!r}.")
        object.__setattr__(self, "samples", readonly(s.copy()))
        object.__setattr__(self, "year", int(self.year))
        object.__setattr__(self, "months", int(self.months))

    @property
    def unit(self) -> str:
        """``"USD_bn"`` or ``"CNY_bn"``."""
        return f"{self.currency}_bn"

    @property
    def median(self) -> float:
        """Median of the samples."""
        return float(np.median(self.samples))

    def quantiles(self, q) -> np.ndarray:
        """Sample quantiles at probabilities `q` (in [0, 1])."""
        return np.quantile(self.samples, check_quantiles("q", q))

    def interval(self, level: float = 80) -> tuple[float, float]:
        """Central interval ``(lower, upper)`` at `level` percent, e.g. 80."""
        lv = check_level("level", level)
        lo, hi = np.quantile(self.samples, [0.5 - lv / 200.0, 0.5 + lv / 200.0])
        return float(lo), float(hi)

    def in_currency(self, currency: str) -> Nowcast:
        """The same nowcast converted at ``fx_rate`` (the year's MOFCOM-implied or
        annual rate).

        The rate's own uncertainty is not added again: when the partial figure was
        published in the other currency, it is already in the samples. For a nowcast
        built natively in the other currency use ``reconstruct(currency=...)``.
        """
        if currency not in ("USD", "CNY"):
            raise ParameterError(f"`currency` must be 'USD' or 'CNY'; got {currency!r}. "
                                 "Pass 'USD' or 'CNY'.")
        if currency == self.currency:
            return self
        if not np.isfinite(self.fx_rate) or self.fx_rate <= 0:
            raise ParameterError(f"no exchange rate is known for {self.year}, so the nowcast "
                                 f"cannot be converted to {currency}. Reconstruct in "
                                 f"{currency} with reconstruct(currency={currency!r}).")
        factor = self.fx_rate if currency == "CNY" else 1.0 / self.fx_rate
        return replace(self, samples=self.samples * factor, currency=currency)

    def summary(self, levels=(80, 95)) -> dict:
        """Median and bands as a dict: ``median``, ``lower_80``, ``upper_80``, ..."""
        out = {"year": self.year, "months": self.months, "unit": self.unit,
               "median": self.median}
        for lv in levels:
            lo, hi = self.interval(lv)
            out[f"lower_{lv:g}"], out[f"upper_{lv:g}"] = lo, hi
        return out
