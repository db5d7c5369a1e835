"""Assumption base class, PathContext and Group: effects on the log level of paths.

The primitives live in :mod:`forecast.scenarios.primitives`; public names are re-exported by
:mod:`forecast.scenarios`; see ``docs/scenarios.md`` for the equations. Every parameter
is a number or a :class:`~forecast.scenarios.Distribution` drawn once per path
(Escalation's jump size: once per path and year). Draws come only from the assumption's
own generator, split by parameter name (``crc32`` of the name), so fixing one parameter
with :meth:`Assumption.with_parameters` leaves the draws of the others unchanged (common
random numbers for sensitivity analysis).
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .._seeds import assumption_seed, from_generator, keyed
from .._validation import readonly
from ..errors import ForecastTypeError, ParameterError
from .distributions import DiscreteUniform, Distribution, Fixed, as_distribution

YEAR_RANGE = (1900, 2200)


def _fail(field_: str, msg: str, cls: type[Exception] = ParameterError) -> Exception:
    err = cls(msg)
    err.field = field_  # type: ignore[attr-defined]
    return err


@dataclass(frozen=True)
class PathContext:
    """What an assumption may look at: the projected years and the baseline log paths.

    Parameters
    ----------
    years : ndarray (h,)
        Projected years, consecutive, starting at ``last_year + 1``.
    base : ndarray (n, h)
        Baseline log-level paths.
    center : ndarray (h,)
        The fit's point forecast of the log level (used by :class:`Volatility`).
    last_year : int
        Last year of the history.

    Examples
    --------
    >>> ctx = PathContext.flat([2026, 2027, 2028], n_paths=4)
    >>> ctx.n_paths, ctx.horizon, ctx.last_year
    (4, 3, 2025)
    """

    years: np.ndarray
    base: np.ndarray
    center: np.ndarray
    last_year: int

    def __post_init__(self) -> None:
        try:
            years = np.asarray(self.years)
            base = np.asarray(self.base, dtype=float)
            center = np.asarray(self.center, dtype=float)
        except (TypeError, ValueError):
            raise ForecastTypeError("PathContext needs numeric arrays for `years`, `base` and "
                                    "`center`. Pass numpy arrays.") from None
        if years.ndim != 1 or years.size == 0 or not np.issubdtype(years.dtype, np.integer):
            raise ParameterError(f"`years` must be a non-empty 1-d int array; got {years!r}. "
                                 "Pass np.arange(first, last + 1).")
        last = int(self.last_year)
        if years[0] != last + 1 or np.any(np.diff(years) != 1):
            raise ParameterError(f"`years` must be consecutive from last_year + 1 = {last + 1}; "
                                 f"got {years.tolist()}. Pass np.arange(last_year + 1, to + 1).")
        h = years.size
        if base.ndim != 2 or base.shape[1] != h:
            raise ParameterError(f"`base` must have shape (n_paths, {h}); got {base.shape}. "
                                 "Pass the baseline log paths, one row per path.")
        if center.shape != (h,):
            raise ParameterError(f"`center` must have shape ({h},); got {center.shape}. "
                                 "Pass fit.point_forecast(h).")
        object.__setattr__(self, "years", readonly(years.astype(np.int64)))
        object.__setattr__(self, "base", readonly(base))
        object.__setattr__(self, "center", readonly(center))
        object.__setattr__(self, "last_year", last)

    @classmethod
    def flat(cls, years, n_paths: int) -> PathContext:
        """A context whose baseline is zero on every path (to look at effects alone)."""
        years = np.asarray(years, dtype=np.int64)
        h = years.size
        return cls(years, np.zeros((int(n_paths), h)), np.zeros(h), int(years[0]) - 1)

    @property
    def n_paths(self) -> int:
        return int(self.base.shape[0])

    @property
    def horizon(self) -> int:
        return int(self.years.size)


@dataclass(frozen=True)
class Assumption:
    """Base class of every assumption: an additive effect on the log level.

    Subclasses declare their parameters in ``_specs`` as ``name -> (low, high, fix)``
    bounds on the support; ``start`` (an int or a DiscreteUniform year) is separate.
    """

    kind: ClassVar[str] = ""
    _specs: ClassVar[dict[str, tuple[float | None, float | None, str]]] = {}
    _optional: ClassVar[tuple[str, ...]] = ()
    _positive: ClassVar[tuple[str, ...]] = ()  # parameters whose support must be > 0
    _years: ClassVar[tuple[str, ...]] = ("start",)
    registry: ClassVar[dict[str, type[Assumption]]] = {}

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.kind:
            Assumption.registry[cls.kind] = cls

    # ----------------------------------------------------------------- validation
    def __post_init__(self) -> None:
        name = self.name if self.name != "" else self.kind
        if not isinstance(name, str) or not name.strip() or "." in name or name != name.strip():
            raise _fail("name", f"`name` must be a non-empty string without dots or surrounding "
                        f"spaces; got {name!r}. Pass e.g. name=\"tariff_step\".")
        object.__setattr__(self, "name", name)
        for key in self._years:
            object.__setattr__(self, key, self._check_year(key, getattr(self, key)))
        for key, (lo, hi, fix) in self._specs.items():
            value = getattr(self, key)
            if value is None and key in self._optional:
                continue
            object.__setattr__(self, key, self._check_param(key, value, lo, hi, fix))

    def _check_year(self, key: str, value: object) -> int | DiscreteUniform | None:
        if value is None and key in self._optional:
            return None
        if isinstance(value, Fixed):
            value = value.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, DiscreteUniform):
            value = value.low if value.is_fixed else value
            if isinstance(value, DiscreteUniform):
                lo, hi = value.low, value.high
                if lo < YEAR_RANGE[0] or hi > YEAR_RANGE[1]:
                    raise _fail(key, f"`{key}` years must lie in {list(YEAR_RANGE)}; got "
                                f"{value!r}. Pass calendar years such as 2027.")
                return value
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise _fail(key, f"`{key}` must be a year (int) or a DiscreteUniform of years; got "
                        f"{value!r} ({type(value).__name__}). Pass e.g. {key}=2027 or "
                        f"{key}=DiscreteUniform(2027, 2030).", ForecastTypeError)
        if not YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]:
            raise _fail(key, f"`{key}` must be a calendar year in {list(YEAR_RANGE)}; got "
                        f"{value}. Pass e.g. {key}=2027.")
        return int(value)

    def _check_param(self, key, value, lo, hi, fix) -> Distribution:
        dist = as_distribution(value, key)
        slo, shi = dist.support
        pos = key in self._positive
        if (lo is not None and (slo <= lo if pos else slo < lo)) or (hi is not None and shi > hi):
            left = "(" if pos else "["
            lo_s = "-inf" if lo is None else f"{lo:g}"
            rng = f"{left}{lo_s}, {'inf)' if hi is None else f'{hi:g}]'}"
            got = f"{dist.value!r}" if isinstance(dist, Fixed) else \
                f"{value!r} (support [{slo:g}, {shi:g}])"
            raise _fail(key, f"`{key}` of {type(self).__name__} {self.name!r} must lie in "
                        f"{rng}; got {got}. {fix}")
        return dist

    # ----------------------------------------------------------------- introspection
    @property
    def key(self) -> str:
        """Stable text that seeds this assumption's draws: ``"<kind>:<name>"``."""
        return f"{self.kind}:{self.name}"

    def _param_names(self) -> tuple[str, ...]:
        return (*self._years, *self._specs)

    def parameters(self) -> dict[str, Distribution]:
        """Uncertain parameters (not fixed) by name, for sensitivity analysis."""
        out: dict[str, Distribution] = {}
        for key in self._param_names():
            v = getattr(self, key)
            if isinstance(v, Distribution) and not v.is_fixed:
                out[key] = v
        return out

    def with_parameters(self, **values: object) -> Assumption:
        """The same assumption with some parameters replaced (numbers or distributions).

        >>> from forecast.scenarios import Uniform
        >>> from forecast.scenarios import LevelShift
        >>> LevelShift(2027, Uniform(-0.1, 0.0)).with_parameters(size=-0.05).size
        Fixed(value=-0.05)
        """
        names = self._param_names()
        bad = [k for k in values if k not in names]
        if bad:
            raise _fail(bad[0], f"{type(self).__name__} {self.name!r} has no parameter "
                        f"{bad[0]!r}; allowed: {', '.join(names)}. Use one of those names.")
        return dataclasses.replace(self, **values)

    @property
    def first_start(self) -> int:
        """The earliest year the assumption can start."""
        s = self.start
        return s.low if isinstance(s, DiscreteUniform) else int(s)

    def to_dict(self) -> dict[str, Any]:
        """Canonical mapping used by scenario files (numbers stay numbers)."""
        out: dict[str, Any] = {"type": self.kind, "name": self.name}
        for f in dataclasses.fields(self):
            if f.name == "name":
                continue
            v = getattr(self, f.name)
            if v is None:
                continue
            if isinstance(v, Fixed):
                v = v.value
            elif isinstance(v, Distribution):
                v = v.to_dict()
            out[f.name] = v
        return out

    # ----------------------------------------------------------------- effects
    def effect(self, ctx: PathContext, rng: np.random.Generator) -> np.ndarray:
        """Additive effect on the log level, shape ``(n_paths, horizon)``.

        Depends only on `ctx` and draws from `rng` (never on other assumptions).
        """
        if not isinstance(ctx, PathContext):
            raise ForecastTypeError(f"`ctx` must be a PathContext; got {type(ctx).__name__}. "
                                    "Build one with PathContext(years, base, center, last_year).")
        ss = from_generator(rng)
        n = ctx.n_paths

        def draw(key: str, size: int = n) -> np.ndarray:
            # one stream per parameter name; a name that is not a field gives uniforms
            g = np.random.default_rng(keyed(ss, key))
            value = getattr(self, key, None)
            if isinstance(value, Distribution):
                return value.sample(size, g)
            if value is None:
                return g.random(size)
            return np.full(size, value)

        eff = self._effect(ctx, draw)
        if self.probability == Fixed(1.0):  # always happens: skip the gate
            return eff
        happens = draw("happens") < draw("probability")
        return np.where(happens[:, None], eff, 0.0)

    def _effect(self, ctx: PathContext, draw: Callable[..., np.ndarray]) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover


_PROB = (0.0, 1.0, "Pass a probability in [0, 1], e.g. 0.5, or Beta(2, 3).")


@dataclass(frozen=True)
class Group(Assumption):
    """A named composition of assumptions (a domain assumption) gated as a whole.

    One Bernoulli(`probability`) draw per path decides whether the whole group happens;
    each part then draws as usual from its own stream (keyed by the part's ``key``), so
    ``effect = gate * sum(part effects)``.

    >>> from forecast.scenarios import GrowthShift, LevelShift
    >>> g = Group("friction", (LevelShift(2027, -0.02, name="step"),
    ...                        GrowthShift(2026, -0.01, name="drift")))
    >>> ctx = PathContext.flat([2026, 2027], n_paths=1)
    >>> g.effect(ctx, np.random.default_rng(0)).round(3).tolist()
    [[-0.01, -0.04]]
    """

    name: str
    parts: tuple[Assumption, ...] = ()
    probability: float | Distribution = 1.0
    kind: ClassVar[str] = "group"
    _years: ClassVar[tuple[str, ...]] = ()
    _specs: ClassVar[dict] = {"probability": _PROB}

    def __post_init__(self) -> None:
        parts = self.parts
        if isinstance(parts, Assumption):
            parts = (parts,)
        try:
            parts = tuple(parts)
        except TypeError:
            raise _fail("parts", f"`parts` must be a sequence of assumptions; got {parts!r}. "
                        "Pass e.g. (LevelShift(2027, -0.02), GrowthShift(2026, -0.01)).",
                        ForecastTypeError) from None
        if not parts:
            raise _fail("parts", f"Group {self.name!r} must have at least one part; got none. "
                        "Add assumptions, or leave the group out.")
        for p in parts:
            if not isinstance(p, Assumption):
                raise _fail("parts", f"every part of Group {self.name!r} must be an Assumption;"
                            f" got {p!r}. Pass LevelShift, GrowthShift, ... objects.",
                            ForecastTypeError)
        names = [p.name for p in parts]
        dup = sorted({x for x in names if names.count(x) > 1})
        if dup:
            raise _fail("parts", f"part names in Group {self.name!r} must be unique; got "
                        f"{dup[0]!r} {names.count(dup[0])} times. Pass name=... to tell them "
                        "apart.")
        object.__setattr__(self, "parts", parts)
        super().__post_init__()

    @property
    def first_start(self) -> int:
        return min(p.first_start for p in self.parts)

    def _part(self, name: str) -> Assumption:
        for p in self.parts:
            if p.name == name:
                return p
        raise _fail(name, f"Group {self.name!r} has no part {name!r}; parts: "
                    f"{', '.join(p.name for p in self.parts)}. Use one of those names.")

    def parameters(self) -> dict[str, Distribution]:
        out = super().parameters()
        for p in self.parts:
            out.update({f"{p.name}.{k}": v for k, v in p.parameters().items()})
        return out

    def with_parameters(self, **values: object) -> Group:
        own = {k: v for k, v in values.items() if "." not in k}
        if any(k != "probability" for k in own):
            bad = next(k for k in own if k != "probability")
            raise _fail(bad, f"Group {self.name!r} has no parameter {bad!r}; use "
                        "'probability' or '<part>.<parameter>', e.g. 'step.size'.")
        by_part: dict[str, dict[str, object]] = {}
        for k, v in values.items():
            if "." in k:
                part, rest = k.split(".", 1)
                self._part(part)
                by_part.setdefault(part, {})[rest] = v
        parts = tuple(p.with_parameters(**by_part[p.name]) if p.name in by_part else p
                      for p in self.parts)
        return dataclasses.replace(self, parts=parts, **own)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "group", "name": self.name}
        prob = self.probability
        out["probability"] = prob.value if isinstance(prob, Fixed) else prob.to_dict()
        out["part"] = [p.to_dict() for p in self.parts]
        return out

    def effect(self, ctx: PathContext, rng: np.random.Generator) -> np.ndarray:
        """Gate (one draw per path) times the sum of the parts' effects."""
        if not isinstance(ctx, PathContext):
            raise ForecastTypeError(f"`ctx` must be a PathContext; got {type(ctx).__name__}. "
                                    "Build one with PathContext(years, base, center, last_year).")
        ss = from_generator(rng)
        n = ctx.n_paths
        total = None
        for part in self.parts:
            eff = part.effect(ctx, np.random.default_rng(assumption_seed(ss, part.key)))
            total = eff if total is None else total + eff
        if self.probability == Fixed(1.0):
            return total
        p = self.probability.sample(n, np.random.default_rng(keyed(ss, "probability")))
        happens = np.random.default_rng(keyed(ss, "happens")).random(n) < p
        return np.where(happens[:, None], total, 0.0)
