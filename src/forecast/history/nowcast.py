"""The :class:`Nowcast` value (re-exported by :mod:`forecast.history`)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace

import numpy as np

from .._keywords import checked_init
from .._validation import (
    band_probs,
    check_float,
    check_int,
    check_level,
    check_levels,
    check_quantiles,
    level_label,
    readonly,
)
from ..errors import ParameterError

__all__ = ["Nowcast"]


def period_words(months: int) -> str:
    """The months a nowcast is from, in words: ``"January-October"``, ``"full year"``.

    Examples
    --------
    >>> period_words(10), period_words(1), period_words(12)
    ('January-October', 'January', 'full year')
    """
    if months == 12:
        return "full year"
    return "January" + ("" if months == 1 else f"-{calendar.month_name[months]}")


@checked_init
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
    >>> nc
    Nowcast(2025 from January-October: median 31 USD_bn, 80% [30.2, 31.8], 3 samples)
    >>> Nowcast(2025, "ten", [30.0], "USD")
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: `months` must be an int in [1, 12]; got 'ten' (str). \
Pass the months covered from January, e.g. 10 for January-October.
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
        try:
            s = np.asarray(self.samples, dtype=float).ravel()
        except (TypeError, ValueError):
            s = np.array([np.nan])
        if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ParameterError("`samples` must be a non-empty array of finite levels > 0; "
                                 f"got {_short(self.samples)}. Make nowcasts with "
                                 "History.nowcast().")
        if self.currency not in ("USD", "CNY"):
            raise ParameterError(f"`currency` must be 'USD' or 'CNY'; got {self.currency!r}. "
                                 "Pass 'USD' or 'CNY'.")
        year = check_int("year", self.year, 1800, 2200, fix="Pass a calendar year, e.g. 2025.")
        months = check_int("months", self.months, 1, 12, fix="Pass the months covered from "
                           "January, e.g. 10 for January-October.")
        rate = float("nan") if self.fx_rate != self.fx_rate else check_float(
            "fx_rate", self.fx_rate, 0, None, lo_open=True)
        object.__setattr__(self, "samples", readonly(s.copy()))
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "months", months)
        object.__setattr__(self, "fx_rate", rate)

    def __repr__(self) -> str:
        lo, hi = self.interval(80)
        k = self.samples.size
        return (f"Nowcast({self.year} from {period_words(self.months)}: "
                f"median {self.median:.4g} {self.unit}, "
                f"80% [{lo:.4g}, {hi:.4g}], {k} sample{'s' * (k != 1)})")

    @property
    def unit(self) -> str:
        """``"USD_bn"`` or ``"CNY_bn"``."""
        return f"{self.currency}_bn"

    @property
    def median(self) -> float:
        """Median of the samples."""
        return float(np.median(self.samples))

    def quantiles(self, q) -> np.ndarray:
        """Sample quantiles of the full-year level.

        Parameters
        ----------
        q : float or sequence of float
            Probabilities in [0, 1] (0.1, not 10).

        Returns
        -------
        ndarray
            One quantile per probability, in ``unit``.

        Examples
        --------
        >>> Nowcast(2025, 10, [30.0, 31.0, 32.0], "USD").quantiles([0.0, 0.5]).tolist()
        [30.0, 31.0]
        """
        return np.quantile(self.samples, check_quantiles("q", q))

    def interval(self, level: float = 80) -> tuple[float, float]:
        """Central interval of the full-year level.

        Parameters
        ----------
        level : float, default 80
            Percentage in (0, 100) (80, not 0.8).

        Returns
        -------
        tuple of float
            ``(lower, upper)`` sample quantiles at ``(100 -/+ level) / 200``, in ``unit``.

        Examples
        --------
        >>> Nowcast(2025, 10, [30.0, 31.0, 32.0], "USD").interval(50)
        (30.5, 31.5)
        """
        lv = check_level("level", level)
        lo, hi = np.quantile(self.samples, band_probs(lv))
        return float(lo), float(hi)

    def in_currency(self, currency: str) -> Nowcast:
        """The same nowcast converted at ``fx_rate`` (the year's MOFCOM-implied or
        annual rate).

        The rate's own uncertainty is not added again: when the partial figure was
        published in the other currency, it is already in the samples. For a nowcast
        built natively in the other currency use ``reconstruct(currency=...)``.

        Parameters
        ----------
        currency : {"USD", "CNY"}
            The currency wanted.

        Returns
        -------
        Nowcast
            Itself when already in `currency`; a ParameterError when no rate is known.

        Examples
        --------
        >>> Nowcast(2025, 10, [30.0, 32.0], "USD", fx_rate=7.0).in_currency("CNY").samples
        array([210., 224.])
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
        """Median and central intervals as a dict.

        Parameters
        ----------
        levels : float or sequence of float, default (80, 95)
            Interval levels in percent.

        Returns
        -------
        dict
            ``year``, ``months``, ``unit``, ``median``, then ``lower_<L>`` and
            ``upper_<L>`` for each level L.

        Examples
        --------
        >>> Nowcast(2025, 10, [30.0, 31.0, 32.0], "USD").summary(50)
        {'year': 2025, 'months': 10, 'unit': 'USD_bn', 'median': 31.0, \
'lower_50': 30.5, 'upper_50': 31.5}
        """
        out = {"year": self.year, "months": self.months, "unit": self.unit,
               "median": self.median}
        for lv in check_levels("levels", levels):
            lo, hi = self.interval(lv)
            out[f"lower_{level_label(lv)}"], out[f"upper_{level_label(lv)}"] = lo, hi
        return out


def _short(value: object) -> str:
    """`value` for an error message: its repr cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
