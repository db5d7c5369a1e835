"""Argument checks shared by every module, and where warnings point.

Each check raises a :mod:`forecast.errors` subclass whose message says what must
hold, what was received and how to fix it. They return the normalised value so that
callers can write ``h = check_int("h", h, 1, 100)``.
"""

from __future__ import annotations

import contextlib
import numbers
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np

from .errors import ForecastError, ForecastTypeError, ParameterError

# A number as the library reads it from text: ASCII digits, an optional sign, decimal
# point and exponent. "1,234", "1_000", "１２３" (full-width) and "١٢٣" (Arabic-Indic) are
# all refused alike, although Python's float() reads the last three: a file whose figures
# need a guess is a file to fix (docs/data.md). Shared by the release records, the
# exchange-rate table and AnnualSeries (here in core, so that all of them can read it).
NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)


def number_hint(text: str) -> str:
    """Why `text` is not a plain ASCII number, as a short hint (or '').

    Examples
    --------
    >>> number_hint("1,550.6"), number_hint("117,5")
    (' (remove the thousands separator)', " (use '.' as the decimal point: 117.5)")
    """
    if re.fullmatch(r"[+-]?\d+,(?:\d{1,2}|\d{4,})", text):  # "1,234" may be either
        return f" (use '.' as the decimal point: {text.replace(',', '.')})"
    if "," in text and re.fullmatch(r"[\d,]+\.?\d*", text):
        return " (remove the thousands separator)"
    if "_" in text:
        return " (remove the underscores)"
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return " (write the digits 0-9: full-width and other scripts' digits are not read)"
    return ""


def check_int(
    name: str, value: object, lo: int | None = None, hi: int | None = None, fix: str = ""
) -> int:
    """Return `value` as an int, or raise naming `name`, the range and `fix`."""
    rng = "" if lo is None and hi is None else (
        f" in [{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ForecastTypeError(
                f"`{name}` must be an int{rng}; got {value!r} ({type(value).__name__}). "
                f"{fix or 'Pass a whole number.'}"
            )
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ParameterError(f"`{name}` must be an int{rng}; got {value}. "
                             f"{fix or f'Pass a whole number{rng}.'}")
    return value


def check_float(
    name: str,
    value: object,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    fix: str = "",
) -> float:
    """Return `value` as a finite float within the bounds, or raise a clear error."""
    left = "(" if lo_open or lo is None else "["  # an infinite end is never included
    right = ")" if hi_open or hi is None else "]"
    rng = "" if lo is None and hi is None else (
        f" in {left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ForecastTypeError(
            f"`{name}` must be a number{rng}; got {value!r} ({type(value).__name__}). "
            f"{fix or 'Pass a float.'}"
        )
    v = float(value)
    bad = not np.isfinite(v)
    if lo is not None:
        bad |= v <= lo if lo_open else v < lo
    if hi is not None:
        bad |= v >= hi if hi_open else v > hi
    if bad:
        raise ParameterError(
            f"`{name}` must be a finite number{rng}; got {value!r}. "
            f"{fix or f'Pass a finite number{rng}.'}"
        )
    return v


def check_level(name: str, level: object) -> float:
    """Check a confidence level given as a percentage in (0, 100), named exactly.

    A level whose name (:func:`level_label`, six significant digits) is another number,
    such as 80.0000001 (named ``80``), is refused: see :func:`check_level_labels`.

    Examples
    --------
    >>> check_level("level", 80)
    80.0
    """
    value = _level_value(name, level)
    check_level_labels(name, (value,))
    return value


def band_probs(level: float) -> tuple[float, float]:
    """The lower and upper probabilities of the central `level`% band.

    ``(100 - level) / 200`` and ``(100 + level) / 200``: one division of exact numbers,
    so an 80% band's are 0.1 and 0.9 exactly as typed (``0.5 - 80 / 200`` is
    0.09999999999999998), and ``lower_80`` equals the ``p10`` quantile to the bit.

    Examples
    --------
    >>> band_probs(80), band_probs(95)
    ((0.1, 0.9), (0.025, 0.975))
    """
    return (100.0 - level) / 200.0, (100.0 + level) / 200.0


def _level_value(name: str, level: object) -> float:
    """`level` as a float percentage in (0, 100), or a clear error (its name unchecked)."""
    if isinstance(level, numbers.Real) and not isinstance(level, bool) and 0 < level < 1:
        raise ParameterError(
            f"`{name}` must be a percentage in (0, 100); got {level}. "
            f"Did you mean {100 * float(level):g}?"
        )
    return check_float(
        name, level, 0, 100, lo_open=True, hi_open=True, fix="Pass e.g. 80 for an 80% interval."
    )


#: What a ``levels`` argument accepts, for annotations: one interval level in percent, or
#: a 1-D sequence or array of them (:func:`check_levels` checks the value).
LevelsLike: TypeAlias = float | Sequence[float] | np.ndarray
#: What a ``scenario`` argument that selects scenarios accepts, for annotations: one name,
#: several, or None (all).
ScenarioNames: TypeAlias = str | Sequence[str] | None


def check_levels(name: str, levels: object) -> tuple[float, ...]:
    """Check confidence levels: one, or a 1-D sequence or array of them; sorted, each once.

    A level given twice counts once (one interval per level), as a quantile given twice
    does (:func:`check_quantile_list`): every method taking levels or quantiles follows
    this one rule. Levels that would share a name (80 and 80.00001 both make
    ``lower_80``), or a level whose name is another number, are a ParameterError
    (:func:`check_level_labels`).

    Examples
    --------
    >>> check_levels("levels", np.array([95, 80, 80]))
    (80.0, 95.0)
    """
    if isinstance(levels, np.ndarray) and levels.ndim <= 1:
        levels = levels.tolist()
    if isinstance(levels, numbers.Real):
        levels = (levels,)
    if not isinstance(levels, Sequence) or isinstance(levels, str) or len(levels) == 0:
        raise ForecastTypeError(
            f"`{name}` must be a percentage or a non-empty 1-D sequence or array of "
            f"percentages; got {levels!r}. Pass e.g. (80, 95).", field=name
        )
    checked = tuple(sorted({_level_value(name, lv) for lv in levels}))
    check_level_labels(name, checked)
    return checked


def level_label(level: float) -> str:
    """The text naming a level in column and key names: ``lower_<label>``, ``covered_<label>``.

    Six significant digits (``f"{level:g}"``): 80 -> ``"80"``, 97.5 -> ``"97.5"``. Every
    table, dict and chart that names a level uses this one function, and
    :func:`check_level_labels` refuses a level that it would not name exactly.

    Examples
    --------
    >>> level_label(80.0), level_label(97.5)
    ('80', '97.5')
    """
    return f"{level:g}"


def _shown(level: float) -> str:
    """A level for a message, exactly as the float it is: 80.0 -> ``"80"``."""
    text = repr(float(level))
    return text[:-2] if text.endswith(".0") else text


def check_level_labels(name: str, levels: Sequence[float]) -> None:
    """Refuse levels that two would share a label, or that one's label would misname.

    A column ``lower_80`` must hold the 80% bound: levels 80 and 80.00001 would both make
    ``lower_80`` (one column silently lost), and a lone 80.0000001 would be labelled
    ``lower_80`` although it is not 80. Both are a ParameterError naming `name`, the values
    and the fix; a level is kept only if ``float(level_label(level)) == level``.

    Examples
    --------
    >>> check_level_labels("levels", (80.0, 80.00001))
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: `levels`: 80 and 80.00001 both make the column \
lower_80 (names keep 6 significant digits). Pass levels that differ in their first 6 \
significant digits, e.g. (80, 90).
    """
    seen: dict[str, float] = {}
    for lv in levels:
        label = level_label(lv)
        if label in seen and seen[label] != lv:
            raise ParameterError(
                f"`{name}`: {_shown(seen[label])} and {_shown(lv)} both make the column "
                f"lower_{label} (names keep 6 significant digits). Pass levels that differ "
                f"in their first 6 significant digits, e.g. (80, 90).", field=name)
        seen[label] = lv
    for lv in levels:
        label = level_label(lv)
        if float(label) != lv:
            raise ParameterError(
                f"`{name}`: {_shown(lv)} would be named {label} (column lower_{label}, "
                f"legend '{label}%'), which is another level (names keep 6 significant "
                f"digits). Pass the level with at most 6 significant digits, e.g. {label}.",
                field=name)


def _text_or_bool(q: object) -> object:
    """The first text or bool in `q` (numpy reads ``"0.5"`` and True as floats), else None."""
    if isinstance(q, str | bytes | bool | np.bool_):
        return q
    kind = getattr(getattr(q, "dtype", None), "kind", None)
    if kind in ("U", "S", "b"):
        return np.ravel(q)[0] if np.size(q) else None
    if kind == "O" or isinstance(q, list | tuple):
        try:
            items = np.ravel(np.asarray(q, dtype=object))
        except (TypeError, ValueError):
            return None  # not an array of numbers either: reported when converted
        return next((x for x in items if isinstance(x, str | bytes | bool | np.bool_)), None)
    return None


def check_quantiles(name: str, q: object) -> np.ndarray:
    """Check probabilities in [0, 1]; return a float array (scalar input gives 1 element).

    Text (``"0.5"``) and booleans are refused, as :func:`check_float` refuses them.

    Examples
    --------
    >>> check_quantiles("q", [0.1, 0.9])
    array([0.1, 0.9])
    >>> check_quantiles("q", "0.5")
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: `q` must be probabilities in [0, 1]; got '0.5' \
(str). Pass numbers, e.g. [0.1, 0.5, 0.9].
    """
    bad = _text_or_bool(q)
    if bad is not None:
        shown = "" if bad is q else f"; {bad!r} is a {type(bad).__name__}"
        raise ForecastTypeError(
            f"`{name}` must be probabilities in [0, 1]; got {q!r} ({type(q).__name__}"
            f"{shown}). Pass numbers, e.g. [0.1, 0.5, 0.9].", field=name)
    try:
        arr = np.atleast_1d(np.asarray(q, dtype=float))
    except (TypeError, ValueError):
        raise ForecastTypeError(
            f"`{name}` must be probabilities in [0, 1]; got {q!r}. Pass e.g. [0.1, 0.5, 0.9]."
        ) from None
    if arr.size == 0:
        raise ParameterError(f"`{name}` must be probabilities in [0, 1], at least one; got "
                             f"an empty {type(q).__name__} ({q!r}). Pass e.g. [0.1, 0.5, 0.9].",
                             field=name)
    if (
        arr.ndim != 1
        or not np.all(np.isfinite(arr))
        or np.any((arr < 0) | (arr > 1))
    ):
        fix = (" Did you mean percentages divided by 100 (e.g. 0.9 for 90)?"
               if np.any(arr > 1) else " Pass a flat list of numbers from 0 to 1, e.g. "
               "[0.1, 0.5, 0.9] (0.1 is the 10th percentile).")
        raise ParameterError(f"`{name}` must be probabilities in [0, 1]; got {q!r}.{fix}",
                             field=name)
    return arr


def check_quantile_list(name: str, q: object) -> np.ndarray:
    """:func:`check_quantiles` for a summary's quantiles: each once, in the order given.

    A table has one row or column per quantile, so a quantile given twice counts once
    (as a level given twice does, :func:`check_levels`) instead of repeating its rows.
    One number, or a 1-D sequence or array, is accepted.

    Examples
    --------
    >>> check_quantile_list("q", np.array([0.9, 0.1, 0.9]))
    array([0.9, 0.1])
    """
    arr = check_quantiles(name, q)
    return arr[np.sort(np.unique(arr, return_index=True)[1])]


def check_extra_quantiles(name: str, q: object) -> np.ndarray:
    """Extra quantiles: none for None or an empty sequence, else :func:`check_quantile_list`."""
    if q is None or (isinstance(q, list | tuple | np.ndarray) and len(q) == 0):
        return np.array([])
    return check_quantile_list(name, q)


def check_bool(name: str, value: object, fix: str = "") -> bool:
    """`value` as a bool, or ForecastTypeError naming `name` (``"yes"`` is not a flag).

    Examples
    --------
    >>> check_bool("log", "yes", "Pass log=True for log levels.")
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: `log` must be True or False; got 'yes' (str). Pass \
log=True for log levels.
    """
    if not isinstance(value, bool | np.bool_):
        raise ForecastTypeError(f"`{name}` must be True or False; got {value!r} "
                                f"({type(value).__name__}). {fix}".rstrip(), field=name)
    return bool(value)


def check_unique(names: Sequence[object], what: str, fix: str,
                 error: type[ForecastError] = ParameterError, *, field: str | None = None) -> None:
    """Raise `error` naming the first duplicate (in sorted order) of `names`, if any.

    The one unique-name check: scenario names in a set, assumption names in a scenario,
    part names in a group, model names in a backtest, projected scenario names.

    Examples
    --------
    >>> check_unique(["a", "b", "a"], "names", "Rename one.")
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: names must be unique; got 'a' 2 times. Rename one.
    """
    names = list(names)
    dup = sorted({x for x in names if names.count(x) > 1}, key=str)
    if dup:
        raise error(f"{what} must be unique; got {dup[0]!r} {names.count(dup[0])} times. "
                    f"{fix}".rstrip(), field=field)


def check_spec(spec: Any, name: str = "spec", alternative: str = "") -> Any:
    """`spec` if it is a model spec instance (it has ``fit`` and ``name``), else
    ForecastTypeError naming `name`; a spec class (``forecast.Drift`` for
    ``forecast.Drift()``) is told to call it. `alternative` ends the fix, e.g. ``", or
    None for forecast.Auto()"``.

    Examples
    --------
    >>> check_spec(int)
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: `spec` must be a model spec such as forecast.Drift(); \
got <class 'int'>. Pass a ModelSpec instance (with .fit and .name).
    """
    looks = hasattr(spec, "fit") and hasattr(spec, "name")
    if isinstance(spec, type) and looks:
        raise ForecastTypeError(
            f"`{name}` must be a model spec instance; got the class {spec.__name__}. Call it: "
            f"pass {spec.__name__}() (with its settings in the parentheses).", field=name)
    if isinstance(spec, type) or not looks:
        raise ForecastTypeError(
            f"`{name}` must be a model spec such as forecast.Drift(); got {spec!r}. Pass a "
            f"ModelSpec instance (with .fit and .name){alternative}.", field=name)
    return spec


def readonly(a: np.ndarray) -> np.ndarray:
    """Return a read-only view of `a` (values held by frozen dataclasses are immutable)."""
    v = np.asarray(a).view()
    v.flags.writeable = False
    return v


#: a linear map's column whose largest entry is below this share of the map's largest
#: is rounding noise: the variate it multiplies has no influence (see `influential`)
NOISE_SHARE = 1e-9


def influential(cols: np.ndarray) -> np.ndarray:
    """Which columns of a linear map (e.g. a simulation smoother's) carry any influence.

    A variate without influence gives a column of rounding residue, about 1e-14 where
    the smoother subtracts two equal states, whose exact size depends on the BLAS and
    library versions: an absolute cut at 1e-14 kept ten such columns under numpy 1.26
    and statsmodels 0.14 and dropped them under numpy 2 and statsmodels 0.15, so the
    same seed gave other draws. The cut is relative to the map's largest entry
    (:data:`NOISE_SHARE`): influential columns are many orders above it.

    >>> influential(np.array([[1.0, 1e-14, 0.0], [0.5, -2e-14, 0.0]])).tolist()
    [True, False, False]
    """
    top = float(np.max(np.abs(cols), initial=0.0))
    return np.any(np.abs(cols) > NOISE_SHARE * top, axis=0) if top > 0 else (
        np.zeros(cols.shape[1], dtype=bool))


def _mutable(a: Any) -> bool:
    """Whether `a`'s values can still change through `a` or an array it is a view of."""
    while isinstance(a, np.ndarray):
        if a.flags.writeable:
            return True
        a = a.base
    return False


def hand_over(*arrays: np.ndarray) -> None:
    """Make `arrays` (and the arrays they are views of) read-only: a frozen value built
    from them (:func:`frozen_array`) then keeps them instead of copying them.

    For arrays the library made and nothing else holds: the engines' samples, a loaded
    file's blocks.
    """
    for a in arrays:
        while isinstance(a, np.ndarray):
            a.flags.writeable = False
            a = a.base


def rebuild_frozen(cls: type, fields: dict[str, Any]) -> Any:
    """``cls(**fields)`` with the arrays among `fields` handed over (:func:`hand_over`).

    The reconstructor of frozen values holding large arrays (``__reduce__``): unpickled
    or deep-copied arrays belong to the new value alone, so they are kept, not copied,
    and come back read-only and validated.
    """
    hand_over(*(v for v in fields.values() if isinstance(v, np.ndarray)))
    return cls(**fields)


def frozen_array(arr: np.ndarray, given: Any) -> np.ndarray:
    """`arr`, made from the caller's `given`, as a read-only array no one else can change.

    When `arr` shares memory with `given` and the caller can still write to `given` (or to
    an array it is a view of), `arr` is copied: a frozen value must not change when its
    caller's array does. A read-only one is kept (no copy): ``project`` and
    ``project_markets`` hand their output over read-only (:func:`hand_over`), so their
    samples are never held twice (a copy doubled the peak memory).

    >>> a = np.ones(3)
    >>> kept = frozen_array(a, a)
    >>> a[0] = 5.0
    >>> float(kept[0]), kept.flags.writeable
    (1.0, False)
    >>> hand_over(a)
    >>> np.shares_memory(frozen_array(a, a), a)
    True
    """
    if isinstance(given, np.ndarray) and np.may_share_memory(arr, given) and _mutable(given):
        arr = arr.copy()
    return readonly(arr)


class FrozenDict(dict):
    """A read-only dict (picklable, unlike ``types.MappingProxyType``).

    Values held by frozen dataclasses (parameter estimates, settings) use it so that
    they can cross process boundaries and still refuse mutation.

    Examples
    --------
    >>> d = FrozenDict({"a": 1.0})
    >>> d["a"]
    1.0
    """

    what = "this mapping"
    fix = "build a new object instead."

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise ForecastTypeError(f"{self.what} is read-only; {self.fix}")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = _read_only  # type: ignore[assignment]
    __ior__ = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict]]:
        return (type(self), (dict(self),))


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside forecast.

    Call it in the ``warnings.warn`` call itself. Counting frames by hand breaks whenever a
    frame is added between the user and the warning (a decorator such as
    :func:`forecast._keywords.checked_keywords`, a helper); walking the stack does not.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and (_ours(frame) or _decorator_frame(frame)):
        frame, level = frame.f_back, level + 1
    return level


def user_frame() -> Any:
    """The frame of the first caller outside forecast (as :func:`user_stacklevel` finds
    it), or None when every frame of this thread is forecast's."""
    frame = sys._getframe(1)
    while frame is not None and (_ours(frame) or _decorator_frame(frame)):
        frame = frame.f_back
    return frame


def _decorator_frame(frame: Any) -> bool:
    """The frame of :class:`contextlib.ContextDecorator`'s wrapper, through which a
    context manager used as a decorator (``@single_blas_thread()``) calls forecast."""
    code = frame.f_code
    return code.co_name == "inner" and code.co_filename == contextlib.__file__


def _ours(frame: Any) -> bool:
    """A frame of forecast's code, or of the ``__init__`` ``dataclasses`` wrote for one of
    its classes (compiled from a string, so it has no file of its own)."""
    code = frame.f_code
    if code.co_filename.startswith(_PACKAGE):
        return True
    if code.co_filename == "<string>" and code.co_name == "__init__":
        return type(frame.f_locals.get("self")).__module__.startswith("forecast.")
    return False
