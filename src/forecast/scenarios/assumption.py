"""The assumption contract: the Assumption base class, its hooks, PathContext and registration.

An assumption is an additive effect on the log level of every projected path. A new one
subclasses :class:`Assumption` as a frozen dataclass and implements these public hooks
(``docs/extending.md`` walks through an example):

- ``kind`` (class variable): its type name in scenario files (``type = "..."``) and the
  default ``name``;
- ``bounds`` (class variable): parameter name -> :class:`Bound`, the allowed support of
  each number-or-distribution parameter and the fix shown when a value is outside it;
- ``year_fields`` (class variable): the parameters that are years (an int or a
  :class:`~forecast.scenarios.DiscreteUniform`), ``("start",)`` by default;
- ``compute_effect(ctx, draw)``: the effect, shape ``(n_paths, horizon)``, from the
  :class:`PathContext` and ``draw(name)``, one value per path of that parameter.

A parameter whose field defaults to ``None`` is optional (``None`` skips its check).
:func:`register` makes a class loadable from scenario files and refuses a ``kind`` that
another class already holds.

The primitives live in :mod:`forecast.scenarios.primitives` and :class:`Group` in
:mod:`forecast.scenarios.group`; see ``docs/scenarios.md`` for the equations. Draws come
only from the assumption's own generator, split by parameter name (``crc32`` of the name,
:func:`forecast._seeds.keyed`), so fixing one parameter with
:meth:`Assumption.with_parameters` leaves the draws of the others unchanged (common random
numbers for sensitivity analysis).
"""

from __future__ import annotations

import dataclasses
import inspect
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

import numpy as np

from .. import _resources
from .._keywords import checked_init, checked_keywords, checked_methods
from .._seeds import generator_streams, keyed
from .._validation import check_int, readonly
from ..errors import (
    ForecastError,
    ForecastTypeError,
    ParameterError,
    ResourceError,
    ScenarioError,
)
from ._distribution_base import MAX_MAGNITUDE
from .distributions import DiscreteUniform, Distribution, Fixed, as_distribution

__all__ = ["PROBABILITY", "Assumption", "Bound", "PathContext", "register", "registered"]

YEAR_RANGE = (1900, 2200)


class Bound(NamedTuple):
    """The allowed support of one assumption parameter, and the fix to show outside it.

    Every value the parameter's distribution can take must lie in ``[low, high]``
    (``(low, high]`` with ``low_open=True``); ``None`` leaves that side unbounded.

    Examples
    --------
    >>> Bound(0.0, None, "Pass a positive half-life in years.", low_open=True).low_open
    True
    """

    low: float | None = None
    high: float | None = None
    fix: str = ""
    low_open: bool = False

    def describe(self) -> str:
        """The range as text, e.g. ``"(0, inf)"`` or ``"[0, 1]"``."""
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf)" if self.high is None else f"{self.high:g}]"
        return f"{'(' if self.low_open else '['}{lo}, {hi}"

    def holds(self, lo: float, hi: float, *, reaches_low: bool = True) -> bool:
        """Whether a support ``[lo, hi]`` lies inside the bound.

        `reaches_low` False: draws only approach `lo` (a log-normal's 0), so an open lower
        bound equal to `lo` holds.

        >>> b = Bound(0.0, None, low_open=True)
        >>> b.holds(0.0, 5.0), b.holds(0.0, 5.0, reaches_low=False)
        (False, True)
        """
        if self.low is not None:
            reached = lo <= self.low if reaches_low else lo < self.low
            if reached if self.low_open else lo < self.low:
                return False
        return self.high is None or hi <= self.high


#: the bound of every ``probability`` parameter
PROBABILITY = Bound(0.0, 1.0, "Pass a probability in [0, 1], e.g. 0.5, or Beta(2, 3).")
#: the probability of an assumption that always happens (its gate is skipped)
CERTAIN = Fixed(1.0)


@checked_init
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
                                 "Pass np.arange(first, last + 1).", field="years")
        last = int(self.last_year)
        if years[0] != last + 1 or np.any(np.diff(years) != 1):
            raise ParameterError(f"`years` must be consecutive from last_year + 1 = {last + 1}; "
                                 f"got {years.tolist()}. Pass np.arange(last_year + 1, to + 1).",
                                 field="years")
        h = years.size
        if base.ndim != 2 or base.shape[1] != h:
            raise ParameterError(f"`base` must have shape (n_paths, {h}); got {base.shape}. "
                                 "Pass the baseline log paths, one row per path.", field="base")
        if center.shape != (h,):
            raise ParameterError(f"`center` must have shape ({h},); got {center.shape}. "
                                 "Pass fit.point_forecast(h).", field="center")
        for name, arr in (("base", base), ("center", center)):
            if not np.isfinite(arr).all():
                bad = arr[~np.isfinite(arr)].ravel()[0]
                raise ParameterError(f"`{name}` must hold finite log levels; got {bad} in "
                                     f"{int(np.sum(~np.isfinite(arr)))} cell(s). Pass the log "
                                     "paths of a fit (every effect is computed from them).",
                                     field=name)
        object.__setattr__(self, "years", readonly(years.astype(np.int64)))
        object.__setattr__(self, "base", readonly(base))
        object.__setattr__(self, "center", readonly(center))
        object.__setattr__(self, "last_year", last)

    @classmethod
    def _prechecked(cls, years: np.ndarray, base: np.ndarray, center: np.ndarray,
                    last_year: int) -> PathContext:
        """The context ``__post_init__`` would make, for inputs its caller has already
        checked as it does (the projection engine: int64 consecutive `years` from
        ``last_year + 1``, float `base` (n, h) within the finite log range, finite float
        `center` (h,)), without a pass over `base` per chunk. Not for other callers."""
        ctx = object.__new__(cls)
        object.__setattr__(ctx, "years", readonly(years))
        object.__setattr__(ctx, "base", readonly(base))
        object.__setattr__(ctx, "center", readonly(center))
        object.__setattr__(ctx, "last_year", int(last_year))
        return ctx

    @classmethod
    def flat(cls, years, n_paths: int) -> PathContext:
        """A context whose baseline is zero on every path (to look at effects alone)."""
        n = check_int("n_paths", n_paths, 1, fix="Pass the number of paths, e.g. n_paths=1000.")
        arr = np.asarray(years)
        if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
            raise ParameterError(f"`years` must be a non-empty 1-d sequence of int years; got "
                                 f"{years!r}. Pass e.g. range(2026, 2031).", field="years")
        h = arr.size
        what = f"PathContext.flat with {n:,} paths x {h} years"
        fix = "Pass a smaller n_paths (a few thousand paths show an effect's spread)"
        need = 8 * n * h
        if need >= _resources.SMALL_RUN:  # 10**12 paths: refused, not left to numpy
            _resources.check_memory(need, what, fix)
        try:
            base = np.zeros((n, h))
        except (MemoryError, ValueError):  # ValueError: more bytes than numpy can address
            raise ResourceError(f"{what} needs about {_resources.format_bytes(need)} of "
                                f"memory, more than could be allocated. {fix}.") from None
        return cls(arr, base, np.zeros(h), int(arr[0]) - 1)

    @property
    def n_paths(self) -> int:
        return int(self.base.shape[0])

    @property
    def horizon(self) -> int:
        return int(self.years.size)


def _field_names(cls: type) -> list[str]:
    """The fields `cls` will have as a dataclass: names annotated in it or a base, not
    ``ClassVar`` (the dataclass decorator has not run yet when ``__init_subclass__`` does)."""
    names: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name, ann in inspect.get_annotations(klass).items():
            text = ann if isinstance(ann, str) else repr(ann)
            if text.split("[")[0].strip().rsplit(".", 1)[-1] == "ClassVar":
                names.pop(name, None)
            else:
                names.setdefault(name, None)
    return list(names)


def _check_hooks(cls: type[Assumption]) -> None:
    """Refuse ``bounds`` or ``year_fields`` naming a non-field, when the class is defined
    (not later, as an AttributeError from the first instance or check)."""
    if isinstance(cls.year_fields, str):
        raise ForecastTypeError(f"`year_fields` of {cls.__qualname__} must be a tuple of field "
                                f"names; got the str {cls.year_fields!r}. Write year_fields: "
                                f"ClassVar[tuple[str, ...]] = ({cls.year_fields!r},).",
                                field="year_fields")
    fields = _field_names(cls)
    for hook, example in (("bounds", "float | Distribution = 0.0"),
                          ("year_fields", "int | DiscreteUniform | None = None")):
        unknown = [k for k in getattr(cls, hook) if k not in fields]
        if unknown:
            raise ForecastTypeError(
                f"`{hook}` of {cls.__qualname__} must name its fields; got "
                f"{', '.join(map(repr, unknown))}, which {'is' if len(unknown) == 1 else 'are'}"
                f" no field of it (its fields: {', '.join(fields) or 'none'}). Rename the "
                f"entry to a field, or declare the field, e.g. {unknown[0]}: {example}.",
                field=hook)


def check_context(ctx: object) -> PathContext:
    """`ctx` if it is a PathContext, else a ForecastTypeError naming the fix."""
    if not isinstance(ctx, PathContext):
        raise ForecastTypeError(f"`ctx` must be a PathContext; got {type(ctx).__name__}. "
                                "Build one with PathContext(years, base, center, last_year).",
                                field="ctx")
    return ctx


if TYPE_CHECKING:
    class _Declared:
        """What every assumption has, declared for type checkers (``a.name`` on an
        Assumption): each subclass's own fields. Declared in a plain class, not as fields
        of the dataclass Assumption, because checkers would then put them first in every
        subclass's __init__ (Group's order is name, parts, probability). At run time the
        base of Assumption is object, as before."""

        name: str
        probability: float | Distribution
else:
    _Declared = object


@checked_methods
@dataclass(frozen=True)
class Assumption(_Declared):
    """Base class of every assumption: an additive effect on the log level.

    Subclasses are frozen dataclasses with a ``start`` field (unless ``year_fields`` says
    otherwise), keyword-only ``name`` and ``probability`` fields, and the hooks ``kind``,
    ``bounds``, ``year_fields`` and ``compute_effect`` (see the module docstring).

    Raises
    ------
    ForecastTypeError
        At class definition, when ``bounds`` or ``year_fields`` name something that is
        not a field of the class (``err.field`` is ``"bounds"`` or ``"year_fields"``).
    """

    kind: ClassVar[str] = ""
    bounds: ClassVar[Mapping[str, Bound]] = {}
    year_fields: ClassVar[tuple[str, ...]] = ("start",)

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        # accept plain (low, high, fix) tuples, as the hooks were first written
        cls.bounds = MappingProxyType({k: Bound(*v) for k, v in cls.bounds.items()})
        _check_hooks(cls)

    # ----------------------------------------------------------------- the hook
    def compute_effect(self, ctx: PathContext, draw: Callable[..., np.ndarray]) -> np.ndarray:
        """The effect on every path, shape ``(n_paths, horizon)``, before `probability`.

        Parameters
        ----------
        ctx : PathContext
            Projected years, baseline log paths, point forecast, last history year.
        draw : callable
            ``draw(name)`` returns ``n_paths`` draws of parameter `name` from its own
            stream (a name that is not a parameter gives uniforms in [0, 1));
            ``draw(name, size)`` returns `size` draws, e.g. one per path and year.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  "compute_effect(ctx, draw)")

    # ----------------------------------------------------------------- validation
    def __post_init__(self) -> None:
        name = self.name if self.name != "" else self.kind
        if not isinstance(name, str):
            raise ForecastTypeError(f"`name` must be a str; got {name!r} "
                                    f"({type(name).__name__}). Pass e.g. name=\"tariff_step\".",
                                    field="name")
        if (not name.strip() or "." in name
                or name != name.strip() or not name.isprintable()):
            raise ParameterError(f"`name` must be a non-empty string without dots, control "
                                 f"characters, line breaks or surrounding spaces; got "
                                 f"{name!r}. Pass e.g. name=\"tariff_step\".", field="name")
        object.__setattr__(self, "name", name)
        optional = self._optional()
        for key in self.year_fields:
            value = getattr(self, key)
            if not (value is None and key in optional):
                object.__setattr__(self, key, self._check_year(key, value))
        for key, bound in self.bounds.items():
            value = getattr(self, key)
            if not (value is None and key in optional):
                object.__setattr__(self, key, self._check_param(key, value, bound))

    @classmethod
    def _optional(cls) -> set[str]:
        """Parameters that may be None: those whose field defaults to None."""
        return {f.name for f in dataclasses.fields(cls) if f.default is None}

    def _check_year(self, key: str, value: object) -> int | DiscreteUniform:
        if isinstance(value, Fixed):
            value = value.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, DiscreteUniform):
            value = value.low if value.is_fixed else value
            if isinstance(value, DiscreteUniform):
                if value.low < YEAR_RANGE[0] or value.high > YEAR_RANGE[1]:
                    raise ParameterError(f"`{key}` years must lie in {list(YEAR_RANGE)}; got "
                                         f"{value!r}. Pass calendar years such as 2027.",
                                         field=key)
                return value
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ForecastTypeError(
                f"`{key}` must be a year (int) or a DiscreteUniform of years; got {value!r} "
                f"({type(value).__name__}). Pass e.g. {key}=2027 or "
                f"{key}=DiscreteUniform(2027, 2030).", field=key)
        if not YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]:
            raise ParameterError(f"`{key}` must be a calendar year in {list(YEAR_RANGE)}; got "
                                 f"{value}. Pass e.g. {key}=2027.", field=key)
        return int(value)

    def _check_param(self, key: str, value: object, bound: Bound) -> Distribution:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            self._check_magnitude(key, value, bound)
        try:
            dist = as_distribution(value, key)
        except ParameterError as e:
            if not isinstance(value, Distribution):  # a plain NaN or inf: name the parameter
                raise ParameterError(f"`{key}` of {type(self).__name__} {self.name!r} must be "
                                     f"a finite number; got {value!r}. {bound.fix}".rstrip(),
                                     field=key) from None
            raise ParameterError(str(e), field=key) from None
        except ForecastTypeError as e:
            raise ForecastTypeError(str(e), field=key) from None
        slo, shi = dist.support
        if not bound.holds(slo, shi, reaches_low=dist.reaches_support[0]):
            got = f"{dist.value!r}" if isinstance(dist, Fixed) else \
                f"{value!r} (support [{slo:g}, {shi:g}])"
            # a share or a rate given in percent (50 for 0.5), as levels are told the reverse
            pct = (f" If {dist.value:g} is a percentage, pass {dist.value / 100:g}."
                   if isinstance(dist, Fixed) and (bound.low, bound.high) == (0, 1)
                   and 1 < dist.value <= 100 else "")
            raise ParameterError(f"`{key}` of {type(self).__name__} {self.name!r} must lie in "
                                 f"{bound.describe()}; got {got}.{pct} {bound.fix}".rstrip(),
                                 field=key)
        return dist

    def _check_magnitude(self, key: str, value: numbers.Real, bound: Bound) -> None:
        """Refuse a finite number beyond ``MAX_MAGNITUDE``, saying the range it must lie in.

        A plain number is checked here rather than by ``Fixed`` so that the message names
        the parameter and its own range (the bound within +-MAX_MAGNITUDE), not only
        "a finite number".
        """
        try:
            v = float(value)
        except OverflowError:  # an int beyond float range is still a finite number
            v = float("inf") if value > 0 else float("-inf")
            got = (f"{'a negative' if value < 0 else 'an'} integer of "
                   f"{len(str(abs(int(value))))} digits")
        else:
            if not np.isfinite(v):
                return  # NaN and inf: "must be a finite number" (_check_param)
            got = repr(value if type(value) in (int, float) else v)  # not np.float64(...)
        if abs(v) <= MAX_MAGNITUDE:
            return
        low = -MAX_MAGNITUDE if bound.low is None else max(bound.low, -MAX_MAGNITUDE)
        high = MAX_MAGNITUDE if bound.high is None else min(bound.high, MAX_MAGNITUDE)
        allowed = Bound(low, high, low_open=bound.low_open and low == bound.low)
        where = (f"within +-{MAX_MAGNITUDE:g}" if -low == high == MAX_MAGNITUDE
                 else f"in {allowed.describe()}")
        raise ParameterError(f"`{key}` of {type(self).__name__} {self.name!r} must lie "
                             f"{where}; got {got}. {bound.fix}".rstrip(), field=key)

    # ----------------------------------------------------------------- introspection
    @property
    def key(self) -> str:
        """Stable text that seeds this assumption's draws: ``"<kind>:<name>"``."""
        return f"{self.kind}:{self.name}"

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """Every declared parameter: the year fields, then the bounded parameters."""
        return (*cls.year_fields, *cls.bounds)

    def parameters(self) -> dict[str, Distribution]:
        """Uncertain parameters (not fixed) by name, for sensitivity analysis."""
        out: dict[str, Distribution] = {}
        for key in self.parameter_names():
            v = getattr(self, key)
            if isinstance(v, Distribution) and not v.is_fixed:
                out[key] = v
        return out

    def with_parameters(self, **values: object) -> Assumption:
        """The same assumption with some parameters replaced (numbers or distributions).

        >>> from forecast.scenarios import LevelShift, Uniform
        >>> LevelShift(2027, Uniform(-0.1, 0.0)).with_parameters(size=-0.05).size
        Fixed(value=-0.05)
        """
        names = self.parameter_names()
        bad = [k for k in values if k not in names]
        if bad:
            raise ParameterError(f"{type(self).__name__} {self.name!r} has no parameter "
                                 f"{bad[0]!r}; allowed: {', '.join(names)}. Use one of those "
                                 "names.", field=bad[0])
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

        Depends only on `ctx` and draws from `rng` (never on other assumptions): calls
        :meth:`compute_effect` with one stream per parameter, then keeps it on the paths
        where the assumption happens (``draw("happens") < draw("probability")``).
        """
        check_context(ctx)
        ss = generator_streams(rng)
        n = ctx.n_paths

        def draw(key: str, size: int = n) -> np.ndarray:
            # one stream per parameter name; a name that is not a field gives uniforms
            value = getattr(self, key, None)
            if value is None:
                return np.random.default_rng(keyed(ss, key)).random(size)
            if isinstance(value, Distribution):
                if type(value) is Fixed and type(size) is int and size >= 0:
                    return np.full(size, value.value)  # what Fixed.sample draws: no stream
                return value.sample(size, np.random.default_rng(keyed(ss, key)))
            return np.full(size, value)

        try:
            eff = np.asarray(self.compute_effect(ctx, draw), dtype=float)
        except ForecastError:
            raise
        except MemoryError as exc:  # the run is too big, not the assumption at fault
            raise ResourceError(
                f"ran out of memory computing the effect of assumption {self.name!r} "
                f"({type(self).__name__}) on {n:,} paths x {ctx.years.size} years "
                f"({type(exc).__name__}: {exc}). Reduce the number of paths (or "
                "years) of the run.") from exc
        except Exception as exc:  # a user's compute_effect: name it, whatever runs it
            raise ScenarioError(
                f"assumption {self.name!r} ({type(self).__name__}): compute_effect failed "
                f"({type(exc).__name__}: {exc}). It must return numbers of shape (paths, "
                f"years) = ({n}, {ctx.years.size}); fix it, or test it with "
                "forecast.testing.check_assumption.") from exc
        try:  # before the gate, which would broadcast a wrong shape into another error
            if eff.shape != (n, ctx.years.size):  # (the usual shape needs no check)
                np.broadcast_to(eff, (n, ctx.years.size))
        except ValueError:
            raise ScenarioError(
                f"assumption {self.name!r} ({type(self).__name__}): compute_effect must "
                f"return an effect of shape (paths, years) = ({n}, {ctx.years.size}); got "
                f"{eff.shape}. Fix its compute_effect.", field="effect") from None
        if self.probability == CERTAIN:  # always happens: skip the gate
            return eff
        happens = draw("happens") < draw("probability")
        return np.where(happens[:, None], eff, 0.0)


# ---------------------------------------------------------------------------- registration
_KINDS: dict[str, type[Assumption]] = {}

#: the class :func:`register` is given, which it returns: type checkers keep its own type
#: (``LevelShift``, with its fields), not ``type[Assumption]``
_A = TypeVar("_A", bound=type[Assumption])


@checked_keywords
def register(cls: _A) -> _A:
    """Make an assumption class loadable from scenario files under its ``kind``.

    Apply it above ``@dataclass(frozen=True)``: it registers `cls` itself and returns it
    unchanged, so it must get the class that is finally used (a decorator that returns a
    new class, such as ``@dataclass(slots=True)``, goes below it). A decorator that only
    patches the class in place may sit above it: the built-in assumptions have
    ``@checked_init`` there. Registering the same class again, or a new definition of it
    (same module and qualified name, e.g. a notebook cell run twice), is allowed; a
    different class with a ``kind`` already taken is refused.

    Raises
    ------
    ScenarioError
        When another class holds ``cls.kind`` (``err.field == "kind"``).
    ForecastTypeError
        When `cls` is not an Assumption subclass with a non-empty str ``kind``.

    Examples
    --------
    >>> from forecast.scenarios import LevelShift
    >>> register(LevelShift) is LevelShift
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, Assumption)) or cls is Assumption:
        raise ForecastTypeError(f"register() takes an Assumption subclass; got {cls!r}. "
                                "Decorate a frozen dataclass that subclasses Assumption.")
    kind = cls.kind
    if not isinstance(kind, str) or not kind.strip() or kind != kind.strip():
        raise ForecastTypeError(f"`kind` of {cls.__qualname__} must be a non-empty str; got "
                                f"{kind!r}. Add kind: ClassVar[str] = \"my_assumption\".",
                                field="kind")
    taken = _KINDS.get(kind)
    same = taken is not None and (taken.__module__, taken.__qualname__) == (
        cls.__module__, cls.__qualname__)
    if taken is not None and not same:
        raise ScenarioError(
            f"assumption type {kind!r} must name one class; it is already registered to "
            f"{taken.__module__}.{taken.__qualname__}, got {cls.__module__}.{cls.__qualname__}."
            f" Give your class another kind, e.g. kind = \"my_{kind}\".", field="kind")
    _KINDS[kind] = cls
    return cls


def registered() -> Mapping[str, type[Assumption]]:
    """The registered assumption types by ``kind`` (a read-only view).

    >>> sorted(registered())[:2]
    ['adoption', 'diversion']
    """
    return MappingProxyType(_KINDS)
