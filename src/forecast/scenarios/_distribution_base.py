"""The Distribution base class and validation helpers shared by every distribution.

Public classes live in :mod:`forecast.scenarios.distributions`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, ClassVar, overload

import numpy as np

from .._validation import check_float, check_int, check_quantiles
from ..errors import ForecastError, ForecastTypeError, ParameterError, ScenarioError
from ..records.schema import suggest

_STD = NormalDist()


def _fail(field: str, msg: str, cls: type[ForecastError] = ParameterError) -> ForecastError:
    """An error carrying the offending field name (scenarios/files.py adds the key path)."""
    return cls(msg, field=field)


#: Distribution classes (exactly these, not subclasses) whose ``_sample`` returns `n` finite
#: numbers in the support by construction, so :meth:`Distribution.sample` skips the check
#: of their draws (filled in by :mod:`forecast.scenarios.distributions`).
EXACT_DRAWS: set[type] = set()

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
    """Base class: a distribution of one scalar parameter, drawn once per path.

    Notes
    -----
    A subclass is a frozen dataclass implementing ``_sample(n, rng)`` (an array of `n`
    finite numbers, checked by :meth:`sample`), ``mean()`` and ``quantile(q)`` (which
    gives the default :attr:`support`, the bounds the draws must respect). Scenario
    files name it by ``kind``: declaring ``kind: ClassVar[str] = "my_dist"`` in the class
    body registers it; without a kind of its own, :func:`~forecast.dumps_scenarios`
    refuses it (a ConfigError) rather than write a file that cannot give it back.
    """

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
        """Draw `n` independent values as an array of shape ``(n,)``.

        Subclasses implement ``_sample(n, rng)``; its output is checked here once, so a
        custom distribution cannot pass bad draws on into a simulation. (The built-ins
        whose draws are `n` finite numbers in the support by construction, in
        ``EXACT_DRAWS``, are not checked again; a subclass of one is.)

        Parameters
        ----------
        n : int
            Number of draws, >= 0.
        rng : numpy.random.Generator
            The generator to draw from.

        Returns
        -------
        numpy.ndarray
            What ``_sample`` returned (ints or floats, shape ``(n,)``): the same array,
            or a list of numbers made an array.

        Raises
        ------
        ScenarioError
            If ``_sample`` returns something other than `n` finite numbers in a
            one-dimensional array, or values outside the declared :attr:`support`; the
            message names the class, the problem and some of the bad values.

        Examples
        --------
        >>> from forecast.scenarios import Uniform
        >>> Uniform(0.0, 1.0).sample(2, np.random.default_rng(0)).shape
        (2,)
        """
        n = check_int("n", n, 0, None, "Pass the number of paths, e.g. 1000.")
        if not isinstance(rng, np.random.Generator):
            raise ForecastTypeError(
                f"`rng` must be a numpy Generator; got {type(rng).__name__}. "
                "Pass np.random.default_rng(seed)."
            )
        if type(self) in EXACT_DRAWS:
            return self._sample(n, rng)
        return _checked_draws(self, n, self._sample(n, rng))

    if TYPE_CHECKING:
        # Every subclass implements these (the class docstring); declared for type
        # checkers only, so that a class without them behaves as before at run time.
        def mean(self) -> float:
            """The mean of the distribution."""
            ...

        @overload
        def quantile(self, q: float) -> float: ...

        @overload
        def quantile(self, q: Sequence[float] | np.ndarray) -> np.ndarray: ...

        def quantile(self, q: float | Sequence[float] | np.ndarray) -> float | np.ndarray:
            """The `q` quantile: a float for a scalar `q`, else an array of ``np.shape(q)``."""
            ...

    def median(self) -> float:
        """The 0.5 quantile."""
        return float(self.quantile(0.5))

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values (may be infinite)."""
        return float(self.quantile(0.0)), float(self.quantile(1.0))

    @property
    def reaches_support(self) -> tuple[bool, bool]:
        """Whether a draw can equal the lower and the upper end of :attr:`support`.

        ``(True, True)`` by default (a closed support). A distribution whose end is only
        approached (a log-normal's 0) returns False there, so that a parameter that must be
        strictly positive (``half_life``) accepts it.
        """
        return True, True

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


# ---------------------------------------------------------------------------- draw checks

#: Draws may pass a bound of the support by rounding (``low + (high - low) * u`` with
#: ``u = 1`` can exceed ``high`` by an ulp): this many ulps of the largest finite bound.
_SUPPORT_ULPS = 8
_EPS = float(np.finfo(float).eps)


def _shown(values: np.ndarray, k: int = 5) -> str:
    """The first `k` of `values` as a short list (repr of each, so nan and inf show)."""
    head = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:k])
    return f"[{head}{', ...' if values.size > k else ''}]"


def _declared_support(dist: Distribution) -> tuple[float, float, float] | None:
    """`dist.support` and the tolerance of its draws (``(low, high, tol)``), or None for
    a class that declares neither `support` nor `quantile`.

    Remembered on the instance (every chunk of a projection checks its draws against it,
    and a distribution is a frozen value), not by equality: a subclass declared with
    ``eq=False`` inherits an equality under which all its instances are equal.
    """
    known = dist.__dict__.get(_SUPPORT_NOTE, _UNKNOWN)
    if known is not _UNKNOWN:
        return known
    support = _support_of(dist)
    if support is not None:
        support = (*support, _SUPPORT_ULPS * _EPS * max(
            (abs(b) for b in support if np.isfinite(b)), default=0.0))
    object.__setattr__(dist, _SUPPORT_NOTE, support)  # a frozen dataclass allows this
    return support


#: the instance attribute that remembers a distribution's support (see above)
_SUPPORT_NOTE = "_forecast_support"
_UNKNOWN = object()


def _support_of(dist: Distribution) -> tuple[float, float] | None:
    if type(dist).support is Distribution.support and not callable(
            getattr(dist, "quantile", None)):
        return None
    try:
        lo, hi = dist.support
    except NotImplementedError:  # a custom class may leave quantile unimplemented
        return None
    return float(lo), float(hi)


def _checked_draws(dist: Distribution, n: int, out: object) -> np.ndarray:
    """`out`, what ``dist._sample(n, rng)`` returned, once checked: `n` numbers in the support.

    Vectorised and O(n): ``min`` and ``max`` (NaN propagates through both, and an
    infinite value is the min or the max), so no mask is made unless a check fails. The
    array itself is returned, so the built-ins' draws are unchanged bit for bit.
    """
    try:
        arr = out if isinstance(out, np.ndarray) else np.asarray(out)
    except (TypeError, ValueError):  # a ragged list
        arr = np.asarray(None)
    kind = arr.dtype.kind
    if kind in "iuf" and arr.shape == (n,) and n:  # the usual case: no message is built
        low, high = arr.min(), arr.max()
        if kind != "f" or (np.isfinite(low) and np.isfinite(high)):
            support = _declared_support(dist)
            if support is None:
                return arr
            lo, hi, tol = support
            if not (low < lo - tol or high > hi + tol):  # a NaN bound compares False
                return arr
    name = type(dist).__name__
    call = f"{name}._sample({n}, rng)"
    fix = (f"Fix {name}._sample(n, rng): return a numpy array of n finite floats (or ints), "
           "one per draw, e.g. rng.uniform(low, high, n).")
    if arr.dtype.kind not in "iuf":
        what = (f"a {type(out).__name__}" if not isinstance(out, np.ndarray)
                else f"an array of dtype {arr.dtype}")
        raise ScenarioError(f"{call} must return numbers (an int or float array); got {what}:"
                            f" {_short(out)}. {fix}")
    if arr.shape != (n,):
        raise ScenarioError(f"{call} must return an array of shape (n,) = ({n},); got shape "
                            f"{arr.shape}: {_short(out)}. {fix}")
    if n == 0:
        return arr
    low, high = arr.min(), arr.max()
    if arr.dtype.kind == "f" and not (np.isfinite(low) and np.isfinite(high)):
        bad = arr[~np.isfinite(arr)]
        raise ScenarioError(f"{call} must return finite numbers; got {bad.size} of {n} NaN "
                            f"or infinite: {_shown(bad)}. {fix}")
    support = _declared_support(dist)
    if support is None:
        return arr
    lo, hi, tol = support
    if low < lo - tol or high > hi + tol:  # a NaN bound compares False: not checked
        bad = arr[(arr < lo - tol) | (arr > hi + tol)]
        raise ScenarioError(
            f"{call} must return values in its support [{lo!r}, {hi!r}]; got {bad.size} of "
            f"{n} outside it: {_shown(bad)}. Fix {name}._sample so its draws stay in the "
            f"support, or declare the support they have ({name}.support, which defaults "
            "to quantile(0.0) and quantile(1.0)).")
    return arr


def _short(v: object, width: int = 80) -> str:
    text = " ".join(repr(v).split())  # one line: an array's repr spans several
    return text if len(text) <= width else text[: width - 3] + "..."


# ---------------------------------------------------------------------------- file checks


def _file_problem(dist: Distribution) -> str | None:
    """Why a scenario file cannot hold `dist` and give it back, with the fix; else None.

    A file names a distribution by its ``kind``: one the class has no kind of its own
    for (``""``) cannot be read, and one it inherits reads back as the parent class.
    """
    cls = type(dist)
    owner = Distribution._registry.get(cls.kind) if cls.kind else None
    if owner is not None and (owner.__module__, owner.__qualname__) == (
            cls.__module__, cls.__qualname__):  # a redefinition (a cell run twice) loads as it
        return None
    full = f"{cls.__name__} ({cls.__module__}.{cls.__qualname__})"
    example = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower().lstrip("_")
    if not cls.kind:
        why = (f"{full} has no `kind`, so a scenario file cannot name it (it would write "
               'dist = "" and the distribution would be lost)')
    elif owner is None:
        why = (f"{full} has kind {cls.kind!r}, which no class registered (a kind set after "
               "the class was made)")
    else:
        why = (f"{full} inherits kind {cls.kind!r}, which files read as "
               f"{owner.__module__}.{owner.__qualname__}: the file would give back a "
               f"{owner.__name__}, not a {cls.__name__}")
        example = f"my_{cls.kind}" if example == cls.kind else example
    return (f"{why}. Give the class a kind of its own in its body, e.g. `kind: ClassVar[str] "
            f'= "{example}"` (that registers it; import its module before loading the '
            "file), or use a distribution files can read: "
            f"{', '.join(sorted(Distribution._registry))}.")
