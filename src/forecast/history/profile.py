"""The intra-year cumulative profile c(m): share of the full-year level reached by month m.

MOFCOM often publishes only January-to-month cumulative levels. They inform the annual
level through ``log y(m) = x_t + log c(m) + u``, with ``c(12) = 1``. The profile is
estimated, not assumed, from the years that have both a partial and a full-year level of
the same series in the same currency (US and China total, offshore execution).

Model (linear in log space, two parameters, monotone by construction)::

    log c(m) = a + p * log(m / 11)    for m = 1..11,     c(12) = 1,

so ``c(11) = exp(a)`` (``1 - exp(a)`` is the December share of the year: the year-end
bulge) and ``p > 0`` bends the January-November path. With ``a < 0`` and ``p > 0`` the
profile increases with m and reaches 1 at 12. The observed log ratios are fitted by
weighted least squares with ``Var(u_m) = s^2 (1 - c(m)) / c(m)``: the relative spread of a
part of a whole whose monthly pieces vary independently, so January-February figures are
far noisier guides to the year than January-November ones.

The spread ``s`` is itself estimated from a handful of pairs (with a weak prior), so a new
year's deviation is Student-t with ``dof`` degrees of freedom rather than normal. The
reconstruction's measurement equations are Gaussian, so :meth:`IntraYearProfile.log_var`
and :meth:`~IntraYearProfile.variation_var` return the predictive variance, the normal
one times ``dof / (dof - 2)`` (18/16 with the 18 embedded pairs): the textbook
correction for a plug-in variance, not a constant fitted to the data.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._keywords import checked_init
from .._validation import readonly
from ..errors import ForecastTypeError, ModelError, ParameterError

__all__ = ["IntraYearProfile", "estimate_profile", "month_label"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Bounds keep the fitted curve monotone with a strictly positive December share.
_A_MAX = float(np.log(0.98))
_P_RANGE = (0.3, 4.0)
# Weak prior on the spread scale s (nu0 pseudo-observations at s0) so that a handful of
# pairs cannot produce an overconfident profile.
_S0, _NU0, _S_MIN = 0.05, 2.0, 0.02


def month_label(months: int) -> str:
    """Label of a January-to-month period: ``"Jan"``, ``"Jan-Oct"``, ``"full year"``."""
    if months >= 12:
        return "full year"
    return "Jan" if months == 1 else f"Jan-{_MONTHS[months - 1]}"


def _months_array(months: object) -> np.ndarray:
    try:
        m = np.atleast_1d(np.asarray(months, dtype=float))
    except (TypeError, ValueError):
        raise ForecastTypeError(
            f"`months` must be ints in [1, 12]; got {months!r}. Pass e.g. 10 for Jan-Oct."
        ) from None
    if m.size == 0 or np.any(~np.isfinite(m)) or np.any((m < 1) | (m > 12)) or np.any(
        m != np.round(m)
    ):
        raise ParameterError(
            f"`months` must be ints in [1, 12]; got {months!r}. Pass e.g. 10 for Jan-Oct."
        )
    return m


@checked_init
@dataclass(frozen=True, eq=False)
class IntraYearProfile:
    """Estimated share ``c(m)`` of the full-year level reached by the end of month ``m``.

    Parameters
    ----------
    log_c11 : float
        ``a = log c(11)`` (< 0); ``1 - exp(a)`` is December's share of the year.
    exponent : float
        ``p`` (> 0) in ``log c(m) = a + p log(m / 11)``.
    scale : float
        ``s`` (> 0): spread of a year's profile, ``sd(log c_t(m)) = s sqrt((1 - c)/c)``.
    cov : ndarray, shape (2, 2)
        Covariance of the estimates of ``(a, p)``.
    pairs : DataFrame
        The (partial, full-year) pairs it was fitted on: market, year, months, ratio.
    source : str
        Where it comes from (the pairs' markets, or the embedded data as a fallback).
    dof : float, default inf
        Degrees of freedom of the estimate of `scale` (pairs - 2 + the prior's 2
        pseudo-observations when estimated; infinite for a profile taken as known). The
        variances are multiplied by ``dof / (dof - 2)``, the variance of a Student t.

    Examples
    --------
    >>> p = IntraYearProfile(np.log(0.79), 1.25, 0.05, np.zeros((2, 2)))
    >>> [round(float(v), 2) for v in p.share([8, 11, 12])]
    [0.53, 0.79, 1.0]
    """

    log_c11: float
    exponent: float
    scale: float
    cov: np.ndarray
    pairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"market": [], "year": [], "months": [], "ratio": []}), repr=False)
    source: str = ""
    dof: float = float("inf")

    def __post_init__(self) -> None:
        a, p, s = float(self.log_c11), float(self.exponent), float(self.scale)
        if not (np.isfinite(a) and a < 0):
            raise ParameterError(f"`log_c11` must be a finite number < 0 (c(11) < 1); got "
                                 f"{self.log_c11!r}. Pass log of the Jan-Nov share, e.g. "
                                 "log(0.8).")
        if not (np.isfinite(p) and p > 0):
            raise ParameterError(f"`exponent` must be a finite number > 0; got "
                                 f"{self.exponent!r}. Pass e.g. 1.25.")
        if not (np.isfinite(s) and s > 0):
            raise ParameterError(f"`scale` must be a finite number > 0; got {self.scale!r}. "
                                 "Pass e.g. 0.05.")
        real = isinstance(self.dof, numbers.Real) and not isinstance(self.dof, bool)
        dof = float(self.dof) if real else float("nan")
        if not dof > 2:
            raise ParameterError(f"`dof` must be a number > 2 (the t variance is finite); got "
                                 f"{self.dof!r}. Pass float('inf') for a profile known "
                                 "exactly.")
        object.__setattr__(self, "dof", dof)
        cov = np.asarray(self.cov, dtype=float)
        if cov.shape != (2, 2) or not np.all(np.isfinite(cov)):
            raise ParameterError(f"`cov` must be a finite 2x2 array; got shape {cov.shape}. "
                                 "Pass np.zeros((2, 2)) for a profile known exactly.")
        object.__setattr__(self, "log_c11", a)
        object.__setattr__(self, "exponent", p)
        object.__setattr__(self, "scale", s)
        object.__setattr__(self, "cov", readonly(cov.copy()))

    def __repr__(self) -> str:
        """One line: the estimates rounded, their standard errors, the pairs and the source
        (the dataclass repr dumped ``cov`` as a two-line array of 16-digit floats).

        >>> IntraYearProfile(np.log(0.79), 1.25, 0.05, np.diag([1e-4, 4e-4]))
        ... # doctest: +NORMALIZE_WHITESPACE
        IntraYearProfile(log_c11=-0.2357 (se 0.01), exponent=1.25 (se 0.02), scale=0.05,
        dof=inf, 0 pairs)
        """
        se = np.sqrt(np.diag(self.cov))
        source = f", source {self.source!r}" if self.source else ""
        return (f"IntraYearProfile(log_c11={self.log_c11:.4g} (se {se[0]:.2g}), "
                f"exponent={self.exponent:.4g} (se {se[1]:.2g}), scale={self.scale:.4g}, "
                f"dof={self.dof:g}, {len(self.pairs)} pairs{source})")

    def log_share(self, months: object) -> np.ndarray:
        """``log c(m)`` for each month (0 at 12)."""
        m = _months_array(months)
        out = self.log_c11 + self.exponent * np.log(np.minimum(m, 11) / 11.0)
        return np.where(m >= 12, 0.0, out)

    def share(self, months: object) -> np.ndarray:
        """``c(m)``: share of the full year reached by the end of month m (1 at 12)."""
        return np.exp(self.log_share(months))

    @property
    def t_factor(self) -> float:
        """``dof / (dof - 2)``: the predictive variance over the plug-in normal one (1 if known)."""
        return 1.0 if np.isinf(self.dof) else self.dof / (self.dof - 2.0)

    def variation_var(self, months: object) -> np.ndarray:
        """Year-to-year variance of ``log c_t(m)`` around the curve.

        ``s^2 (1 - c)/c``, times :attr:`t_factor` for an estimated spread.
        """
        c = self.share(months)
        return self.t_factor * self.scale**2 * (1.0 - c) / c

    def log_var(self, months: object) -> np.ndarray:
        """Variance of ``log y(m) - log c(m)`` as a guide to the year's log level.

        The year-to-year variation plus the estimation uncertainty of the curve (both
        scaled by :attr:`t_factor`: ``cov`` is proportional to ``s^2``); 0 at 12.
        """
        m = _months_array(months)
        xm = np.log(np.minimum(m, 11) / 11.0)
        fit = self.t_factor * (self.cov[0, 0] + 2 * xm * self.cov[0, 1]
                               + xm**2 * self.cov[1, 1])
        return np.where(m >= 12, 0.0, self.variation_var(m) + fit)

    def to_frame(self) -> pd.DataFrame:
        """The profile by month.

        Returns
        -------
        DataFrame
            Columns ``months`` (1..12), ``label`` ("Jan-Aug"), ``share`` (c(m)),
            ``log_sd`` (sd of a year's log c(m) around the curve, estimation included),
            ``lower_95``, ``upper_95`` (0.95 range of a year's c(m), capped at 1) and
            ``n_pairs`` (pairs observed at that month).
        """
        m = np.arange(1, 13)
        c = self.share(m)
        sd = np.sqrt(self.log_var(m))
        counts = self.pairs["months"].value_counts() if len(self.pairs) else pd.Series(dtype=int)
        return pd.DataFrame({
            "months": m,
            "label": [month_label(int(v)) for v in m],
            "share": c,
            "log_sd": sd,
            "lower_95": c * np.exp(-1.959964 * sd),
            "upper_95": np.minimum(c * np.exp(1.959964 * sd), 1.0),
            "n_pairs": [int(counts.get(int(v), 0)) for v in m],
        })


def _pair_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One log ratio partial/full per (market, segment, flow, year, months).

    Only ``read`` levels; a partial figure is paired with the full-year level of the same
    series and year in the same unit; ratios in both currencies for the same period are
    averaged (MOFCOM's USD figure is a conversion of its CNY one: one piece of evidence).
    """
    lev = frame[(frame["measure"] == "level") & (frame["confidence"] == "read")]
    key = ["market", "segment", "flow", "year", "unit"]
    full = lev[lev["months"] == 12].drop_duplicates(key)[[*key, "value"]]
    part = lev[lev["months"] < 12].drop_duplicates([*key, "months"])
    merged = part.merge(full, on=key, suffixes=("", "_full"))
    if merged.empty:
        return pd.DataFrame({"market": [], "year": [], "months": [], "ratio": []})
    merged = merged.assign(log_ratio=np.log(merged["value"] / merged["value_full"]))
    g = merged.groupby(["market", "segment", "flow", "year", "months"], as_index=False)
    out = g["log_ratio"].mean()
    out = out.assign(ratio=np.exp(out["log_ratio"]))
    return out[["market", "year", "months", "ratio"]].sort_values(
        ["market", "year", "months"], ignore_index=True)


def estimate_profile(frame: pd.DataFrame, source: str) -> IntraYearProfile | None:
    """Fit the profile to the pairs in `frame` (rows already restricted to the series used).

    Returns None when fewer than 3 pairs or fewer than 2 distinct months are available.
    """
    pairs = _pair_table(frame)
    if len(pairs) < 3 or pairs["months"].nunique() < 2:
        return None
    y = np.log(pairs["ratio"].to_numpy(float))
    m = pairs["months"].to_numpy(float)
    x = np.column_stack([np.ones_like(m), np.log(m / 11.0)])
    beta = np.array([np.log(0.8), 1.25])
    for _ in range(3):  # weights depend on the fitted c(m): iterate WLS
        c = np.exp(np.minimum(x @ beta, -1e-3))
        w = c / (1.0 - c)
        xtw = x.T * w
        try:
            beta = np.linalg.solve(xtw @ x, xtw @ y)
        except np.linalg.LinAlgError:
            raise ModelError("the intra-year profile cannot be fitted: the partial-year "
                             "pairs are degenerate. Pass profile=... to reconstruct().") from None
        beta = np.array([min(beta[0], _A_MAX), float(np.clip(beta[1], *_P_RANGE))])
    resid = y - x @ beta
    dof = max(len(y) - 2, 0)
    s2 = (float(np.sum(w * resid**2)) + _NU0 * _S0**2) / (dof + _NU0)
    s2 = max(s2, _S_MIN**2)
    cov = s2 * np.linalg.inv(xtw @ x)
    pairs = pairs.assign(fitted=np.exp(x @ beta), std_residual=resid * np.sqrt(w / s2))
    return IntraYearProfile(float(beta[0]), float(beta[1]), float(np.sqrt(s2)), cov,
                            pairs, source, dof=dof + _NU0)
