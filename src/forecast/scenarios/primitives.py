"""Assumption primitives: LevelShift, GrowthShift, Adoption, Escalation, Volatility.

Re-exported by :mod:`forecast.scenarios`; the equations are in each docstring and in
``docs/scenarios.md``. Each ``compute_effect(ctx, draw)`` is vectorised over paths;
``draw(name)`` returns the per-path draws of a parameter from its own stream.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .._keywords import checked_init
from .._validation import user_stacklevel
from ..errors import ParameterError
from .assumption import PROBABILITY, Assumption, Bound, PathContext, register
from .distributions import DiscreteUniform, Distribution, Fixed

__all__ = ["Adoption", "Escalation", "GrowthShift", "LevelShift", "Volatility"]

# Largest size of one step, ceiling or jump, in log points (a factor of exp(5), about 148),
# and of a yearly growth change: larger values are mistakes (-100 meant as -100%) that
# would put levels near 1e-43, not scenarios. A distribution's range is its support, or
# for an unbounded one its 1e-9 and 1 - 1e-9 quantiles, so Normal(-0.02, 0.01) is fine.
_MAX = 5.0
_LIMITS = {  # key -> (largest magnitude, its meaning, the fix)
    "size": (_MAX, "log points (a factor of 148)", "Sizes are log points: -0.05 is about -5% "
             "and -0.69 halves the level. Pass e.g. -0.05"),
    "ceiling": (_MAX, "log points (a factor of 148)", "Ceilings are log points: 0.03 is "
                "about +3% and 0.69 doubles the level. Pass e.g. 0.03"),
    "delta": (1.0, "log points a year", "-0.01 is about one percentage point less growth a "
              "year. Pass e.g. -0.01"),
    "scale": (10.0, "(times the baseline spread)", "1 leaves the spread unchanged. Pass "
              "e.g. 1.5"),
}


def _check_limits(a: Assumption, keys: tuple[str, ...]) -> None:
    """Refuse parameters whose range goes beyond the sane magnitude of `_LIMITS`."""
    for key in keys:
        dist = getattr(a, key)
        lo, hi = dist.support
        if not np.isfinite(lo):
            lo = float(dist.quantile(1e-9))
        if not np.isfinite(hi):
            hi = float(dist.quantile(1 - 1e-9))
        limit, unit, fix = _LIMITS[key]
        if max(abs(lo), abs(hi)) > limit:
            got = f"{dist.value!r}" if isinstance(dist, Fixed) else f"{dist!r} (range " \
                f"[{lo:.4g}, {hi:.4g}])"
            bound = a.bounds.get(key)
            floor = bound.low if isinstance(bound, Bound) else (bound[0] if bound else None)
            where = (f"in [{floor:g}, {limit:g}]" if floor is not None and floor > -limit
                     else f"within +-{limit:g}")
            raise ParameterError(f"`{key}` of {type(a).__name__} {a.name!r} must lie {where} "
                                 f"{unit}; got {got}. {fix}.", field=key)
        _warn_percent_like(a, key, dist)


def _warn_percent_like(a: Assumption, key: str, dist: Distribution) -> None:
    """Warn when a fixed size or ceiling is a whole number of 2 to 5 log points.

    Those are allowed (a factor of 7.4 to 148) but read like percentages: ``size = -5``
    written for -5% divides the level by 148.
    """
    if key not in ("size", "ceiling") or not isinstance(dist, Fixed):
        return
    v = float(dist.value)
    if v.is_integer() and 2 <= abs(v) <= _MAX:
        warnings.warn(
            f"`{key}` of {type(a).__name__} {a.name!r} is {v:g} log points, a factor of "
            f"{np.exp(v):.3g} ({100 * np.expm1(v):+,.1f}%). Sizes are log points: if you "
            f"meant {v:g}%, pass {key}={v / 100:g}.", UserWarning, stacklevel=user_stacklevel())


def _year_span(year: int | DiscreteUniform) -> tuple[int, int]:
    """The earliest and latest year of a year field (an int or a DiscreteUniform)."""
    if isinstance(year, DiscreteUniform):
        return int(year.low), int(year.high)
    return int(year), int(year)


def _share_before(s_lo: int, s_hi: int, e_lo: int, e_hi: int) -> float:
    """P(end < start) for independent uniform integers start in s_lo..s_hi, end in e_lo..e_hi."""
    starts = np.arange(s_lo, s_hi + 1, dtype=float) if s_hi - s_lo < 10**6 else np.linspace(
        s_lo, s_hi, 10**6)
    n_end = e_hi - e_lo + 1
    return float(np.mean(np.clip(starts - e_lo, 0, n_end)) / n_end)


def cumsum_years(x: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """Cumulative sum over the years (axis 1) of a ``(paths, years)`` array, column by column.

    The same additions in the same order as ``np.add.accumulate(x, axis=1)``, so the same
    bits, but 2.4x faster at 10 years and 5x at 5: numpy's accumulate along the short
    contiguous axis pays a loop set-up per path, a column loop one per year. `in_place`
    writes the sums over `x` (an array the caller made for it), saving one array.

    >>> x = np.arange(6.0).reshape(2, 3)
    >>> cumsum_years(x).tolist()
    [[0.0, 1.0, 3.0], [3.0, 7.0, 12.0]]
    """
    if in_place:  # `x` is a scratch array of the caller's: the sums overwrite it
        out = x
    else:
        out = np.empty_like(x)
        out[:, 0] = x[:, 0]
    for j in range(1, x.shape[1]):
        np.add(out[:, j - 1], x[:, j], out=out[:, j])
    return out


def _since(ctx: PathContext, start: np.ndarray) -> np.ndarray:
    """Years since start, counting the start year as 1 (<= 0 before the start)."""
    return (ctx.years[None, :] - start[:, None] + 1).astype(float)


def _by_start(start: np.ndarray, rows_for) -> np.ndarray:
    """Each path's row of ``rows_for(starts)``, the rows of every possible start year.

    For an effect that depends on the whole years since its start only: computed once
    per start year (a handful) and gathered by row, instead of at every path-year; the
    values are those of the same computation, so the bits too.
    """
    first, last = int(start.min()), int(start.max())
    return rows_for(np.arange(first, last + 1))[(start - first).astype(np.intp)]


@checked_init
@register
@dataclass(frozen=True)
class LevelShift(Assumption):
    """A step of `size` log points from `start`, phased in linearly over `phase_in` years.

    ``effect_t = size * min(1, max(0, (t - start + 1) / phase_in))``.

    Parameters
    ----------
    start : int or DiscreteUniform
        First year of the effect, a calendar year after the history; a DiscreteUniform for an
        uncertain year (drawn per path).
    size : float or Distribution
        The full step in log points (-0.05 is about -5%), within +-5.
    phase_in : float or Distribution, default 1.0
        Years to the full step, >= 1 (1: all at once in `start`).
    name : str, optional
        Keyword-only: the name decompositions, reports and scenario files use (default
        the kind, "level_shift"); no dots or surrounding spaces.
    probability : float or Distribution, default 1.0
        Keyword-only: the chance in [0, 1] that the assumption happens on a path (one
        draw per path; a Distribution draws the chance itself, path by path).

    Examples
    --------
    >>> ctx = PathContext.flat([2026, 2027, 2028], n_paths=1)
    >>> rng = np.random.default_rng(0)
    >>> (LevelShift(2027, -0.1, phase_in=2).effect(ctx, rng).round(3) + 0.0).tolist()
    [[0.0, -0.05, -0.1]]
    """

    start: int | DiscreteUniform
    size: float | Distribution
    phase_in: float | Distribution = 1.0
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "level_shift"
    bounds: ClassVar[dict] = {
        "size": (None, None, "Pass a size in log points, e.g. -0.05."),
        "phase_in": (1.0, None, "Pass phase_in >= 1 (years to full effect; 1 = at once)."),
        "probability": PROBABILITY,
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_limits(self, ("size",))

    def compute_effect(self, ctx, draw):
        start = draw("start")
        if isinstance(self.phase_in, Fixed):
            step = self.phase_in == Fixed(1.0)
            frac = _by_start(start, lambda starts: (
                (_since(ctx, starts) >= 1.0).astype(float) if step else
                np.clip(_since(ctx, starts) / self.phase_in.value, 0.0, 1.0)))
        else:
            frac = np.clip(_since(ctx, start) / draw("phase_in")[:, None], 0.0, 1.0)
        return draw("size")[:, None] * frac


@checked_init
@register
@dataclass(frozen=True)
class GrowthShift(Assumption):
    """`delta` added to the yearly log growth from `start` (to `end`), optionally decaying.

    ``g_t = delta * 0.5 ** ((t - start) / half_life)`` for ``start <= t <= end`` (no
    decay without `half_life`, no end without `end`); ``effect_t = sum_{u <= t} g_u``.

    Parameters
    ----------
    start : int or DiscreteUniform
        First year of the shift, a calendar year after the history; a DiscreteUniform for an
        uncertain year (drawn per path).
    delta : float or Distribution
        Change of the yearly log growth, in log points a year (-0.01 is about one
        percentage point less growth), within +-1.
    end : int or DiscreteUniform, optional
        Last year of the shift (None: it never ends); not before `start`.
    half_life : float or Distribution, optional
        Years for the shift to halve, > 0 (None: no decay).
    name : str, optional
        Keyword-only: the name decompositions, reports and scenario files use (default
        the kind, "growth_shift"); no dots or surrounding spaces.
    probability : float or Distribution, default 1.0
        Keyword-only: the chance in [0, 1] that the assumption happens on a path (one
        draw per path; a Distribution draws the chance itself, path by path).

    Examples
    --------
    >>> ctx = PathContext.flat([2026, 2027, 2028], n_paths=1)
    >>> GrowthShift(2026, -0.01).effect(ctx, np.random.default_rng(0)).round(3).tolist()
    [[-0.01, -0.02, -0.03]]
    """

    start: int | DiscreteUniform
    delta: float | Distribution
    end: int | DiscreteUniform | None = None
    half_life: float | Distribution | None = None
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "growth_shift"
    year_fields: ClassVar[tuple[str, ...]] = ("start", "end")
    bounds: ClassVar[dict] = {
        "delta": (None, None, "Pass a growth change in log points per year, e.g. -0.01."),
        "half_life": Bound(0.0, None, "Pass a positive half-life in years, or leave it out "
                           "(None) for a permanent shift.", low_open=True),
        "probability": PROBABILITY,
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_limits(self, ("delta",))
        if self.end is not None:
            first_end, last_end = _year_span(self.end)
            if last_end < self.first_start:
                raise ParameterError(f"`end` must not precede `start`; got start="
                                     f"{self.start!r}, end={self.end!r}. Pass end >= start or "
                                     "end=None.", field="end")
            first_s, last_s = _year_span(self.start)
            if first_end < last_s:  # drawn independently, end can fall before start
                share = _share_before(first_s, last_s, first_end, last_end)
                warnings.warn(
                    f"GrowthShift {self.name!r}: `end` ({self.end!r}) can fall before "
                    f"`start` ({self.start!r}); they are drawn independently, so on about "
                    f"{share:.0%} of paths the shift would end before it starts and has no "
                    f"effect there. Pass an end whose earliest year is at least {last_s} "
                    "(start's latest), or a fixed end.", UserWarning,
                    stacklevel=user_stacklevel())

    def compute_effect(self, ctx, draw):
        t = ctx.years[None, :]
        s = draw("start")[:, None]
        # a fixed start and end are the same on every path: one row (1, h) of the mask
        active = t >= (self.start if isinstance(self.start, int) else s)
        if self.end is not None:
            active = active & (t <= (self.end if isinstance(self.end, int) else
                                     draw("end")[:, None]))
        g = np.where(active, draw("delta")[:, None], 0.0)
        if self.half_life is not None:
            g = g * np.exp2(-np.maximum(t - s, 0) / draw("half_life")[:, None])
        return cumsum_years(g, in_place=True)


@checked_init
@register
@dataclass(frozen=True)
class Adoption(Assumption):
    """A logistic S-curve from 0 (before `start`) towards `ceiling` log points.

    With ``x = t - start + 1`` and ``L(x) = 1 / (1 + exp(-steepness * (x - years_to_half)))``,
    ``effect_t = ceiling * (L(x) - L(0)) / (1 - L(0))`` for ``x >= 1``: the logistic, shifted
    to start at exactly 0, reaching about half the ceiling after `years_to_half` years.

    Parameters
    ----------
    start : int or DiscreteUniform
        Year the curve starts from 0, a calendar year after the history; a DiscreteUniform for an
        uncertain year (drawn per path).
    ceiling : float or Distribution
        The long-run effect in log points (0.03 is about +3%), within +-5.
    years_to_half : float or Distribution, default 3.0
        Years to about half the ceiling, > 0.
    steepness : float or Distribution, default 1.0
        Slope of the logistic per year, > 0.
    name : str, optional
        Keyword-only: the name decompositions, reports and scenario files use (default
        the kind, "adoption"); no dots or surrounding spaces.
    probability : float or Distribution, default 1.0
        Keyword-only: the chance in [0, 1] that the assumption happens on a path (one
        draw per path; a Distribution draws the chance itself, path by path).

    Examples
    --------
    >>> ctx = PathContext.flat([2026, 2027, 2028, 2029], n_paths=1)
    >>> Adoption(2026, 0.1, years_to_half=2).effect(ctx, np.random.default_rng(0)).round(3)
    array([[0.017, 0.043, 0.069, 0.086]])
    """

    start: int | DiscreteUniform
    ceiling: float | Distribution
    years_to_half: float | Distribution = 3.0
    steepness: float | Distribution = 1.0
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "adoption"
    bounds: ClassVar[dict] = {
        "ceiling": (None, None, "Pass the long-run effect in log points, e.g. 0.03."),
        "years_to_half": Bound(0.0, None, "Pass a positive number of years, e.g. 3.",
                               low_open=True),
        "steepness": Bound(0.0, None, "Pass a positive steepness per year, e.g. 1.",
                           low_open=True),
        "probability": PROBABILITY,
    }

    @staticmethod
    def _curve(x, k, m):
        with np.errstate(over="ignore"):
            lx = 1.0 / (1.0 + np.exp(-k * (x - m)))
            l0 = 1.0 / (1.0 + np.exp(k * m))
        return np.where(x >= 1, (lx - l0) / (1.0 - l0), 0.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_limits(self, ("ceiling",))

    def _table(self, ctx, starts: np.ndarray) -> np.ndarray:
        """The fixed-shape curve (starts, years): evaluated once per whole years since a
        start, then looked up for each start year."""
        lo = int(ctx.years[0]) - int(starts[-1]) + 1
        table = self._curve(np.arange(lo, int(ctx.years[-1]) - int(starts[0]) + 2,
                                      dtype=float),
                            self.steepness.value, self.years_to_half.value)
        return table[ctx.years[None, :] - starts[:, None] + 1 - lo]

    def compute_effect(self, ctx, draw):
        start = draw("start")
        if isinstance(self.steepness, Fixed) and isinstance(self.years_to_half, Fixed):
            frac = _by_start(start, lambda starts: self._table(ctx, starts))
        else:
            frac = self._curve(_since(ctx, start), draw("steepness")[:, None],
                               draw("years_to_half")[:, None])
        return draw("ceiling")[:, None] * frac


@checked_init
@register
@dataclass(frozen=True)
class Escalation(Assumption):
    """Random yearly shocks: from `start`, each year a jump with probability `rate`.

    Jump sizes are drawn from `size` independently for every path and year. Each jump
    persists, or fades by the share `decay` per year: ``E_t = (1 - decay) E_{t-1} + J_t``.

    Parameters
    ----------
    start : int or DiscreteUniform
        First year a jump can occur, a calendar year after the history; a DiscreteUniform for an
        uncertain year (drawn per path).
    rate : float or Distribution
        Yearly probability of a jump, in [0, 1].
    size : float or Distribution
        Size of a jump in log points (drawn for every path and year), within +-5.
    decay : float or Distribution, optional
        Share of a jump that fades each year, in [0, 1] (None: jumps persist).
    name : str, optional
        Keyword-only: the name decompositions, reports and scenario files use (default
        the kind, "escalation"); no dots or surrounding spaces.
    probability : float or Distribution, default 1.0
        Keyword-only: the chance in [0, 1] that the assumption happens on a path (one
        draw per path; a Distribution draws the chance itself, path by path).

    Examples
    --------
    >>> ctx = PathContext.flat([2026, 2027, 2028, 2029], n_paths=1)
    >>> rng = np.random.default_rng(0)
    >>> (Escalation(2027, 1.0, -0.02).effect(ctx, rng).round(3) + 0.0).tolist()
    [[0.0, -0.02, -0.04, -0.06]]
    >>> (Escalation(2027, 1.0, -0.02, decay=0.5).effect(ctx, rng).round(3) + 0.0).tolist()
    [[0.0, -0.02, -0.03, -0.035]]
    """

    start: int | DiscreteUniform
    rate: float | Distribution
    size: float | Distribution
    decay: float | Distribution | None = None
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "escalation"
    bounds: ClassVar[dict] = {
        "rate": (0.0, 1.0, "Pass a yearly jump probability in [0, 1], e.g. 0.2."),
        "size": (None, None, "Pass a jump size in log points, e.g. Uniform(-0.04, -0.01)."),
        "decay": (0.0, 1.0, "Pass the share of a jump that fades each year, in [0, 1]."),
        "probability": PROBABILITY,
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_limits(self, ("size",))

    def compute_effect(self, ctx, draw):
        n, h = ctx.n_paths, ctx.horizon
        s = draw("start")[:, None]
        rate = draw("rate")[:, None]
        u = draw("jump_occurs", n * h).reshape(n, h)
        sizes = draw("size", n * h).reshape(n, h)
        # a fixed rate or start is the same on every path: a scalar or one row (1, h)
        occurs = u < (self.rate.value if type(self.rate) is Fixed else rate)
        if isinstance(self.start, int):
            if self.start > ctx.years[0]:  # else every year is on or after the start
                occurs &= ctx.years[None, :] >= self.start
        else:
            occurs &= ctx.years[None, :] >= s
        jumps = np.where(occurs, sizes, 0.0)
        if self.decay is None:
            return cumsum_years(jumps, in_place=True)
        keep = 1.0 - draw("decay")
        out = np.empty_like(jumps)
        acc = np.zeros(n)
        for j in range(h):
            acc = keep * acc + jumps[:, j]
            out[:, j] = acc
        return out


@checked_init
@register
@dataclass(frozen=True)
class Volatility(Assumption):
    """Scale the baseline's deviations from the point forecast after `start` by `scale`.

    ``effect_t = (scale - 1) * (d_t - d_{start-1})`` for ``t >= start``, with
    ``d = base - center`` and ``d_{last_year} = 0``: paths fan out `scale` times as fast
    from the start year on, continuously (no jump at the start).

    Parameters
    ----------
    start : int or DiscreteUniform
        First year of the wider spread, a calendar year after the history; a DiscreteUniform for an
        uncertain year (drawn per path).
    scale : float or Distribution
        Factor on the baseline's deviations from its point forecast, in [0, 10]
        (1: unchanged; 1.5 fans out half as fast again).
    name : str, optional
        Keyword-only: the name decompositions, reports and scenario files use (default
        the kind, "volatility"); no dots or surrounding spaces.
    probability : float or Distribution, default 1.0
        Keyword-only: the chance in [0, 1] that the assumption happens on a path (one
        draw per path; a Distribution draws the chance itself, path by path).

    Examples
    --------
    >>> ctx = PathContext(np.array([2026, 2027, 2028]), np.array([[0.1, 0.3, 0.2]]),
    ...                   np.zeros(3), 2025)  # one path's deviations: 0.1, 0.3, 0.2
    >>> (Volatility(2027, 1.5).effect(ctx, np.random.default_rng(0)) + 0.0).round(3).tolist()
    [[0.0, 0.1, 0.05]]
    """

    start: int | DiscreteUniform
    scale: float | Distribution
    name: str = field(default="", kw_only=True)
    probability: float | Distribution = field(default=1.0, kw_only=True)
    kind: ClassVar[str] = "volatility"
    bounds: ClassVar[dict] = {
        "scale": (0.0, _LIMITS["scale"][0], "Pass e.g. 1.5 (times the baseline spread; "
                  "1 = unchanged)."),
        "probability": PROBABILITY,
    }

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_limits(self, ("scale",))

    def compute_effect(self, ctx, draw):
        n = ctx.n_paths
        d = np.concatenate([np.zeros((n, 1)), ctx.base - ctx.center[None, :]], axis=1)
        s = draw("start")
        idx = np.clip(s - 1 - ctx.last_year, 0, ctx.horizon).astype(np.int64)
        ref = d[np.arange(n), idx]
        after = ctx.years[None, :] >= s[:, None]
        return np.where(after, (draw("scale") - 1.0)[:, None] * (d[:, 1:] - ref[:, None]), 0.0)
