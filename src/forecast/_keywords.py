"""Misspelt keyword arguments of public functions and classes (private, core).

Python's own ``TypeError: got an unexpected keyword argument 'horizn'`` names neither the
arguments the function does take nor the one probably meant, and is not a
:class:`~forecast.ForecastError`. Every public function and class of the package reports
such a keyword as a :class:`~forecast.errors.ForecastTypeError` (a ``TypeError`` too)
built by :func:`unexpected_keyword`: functions without ``**kwargs`` through the
:func:`checked_keywords` decorator, classes through :func:`checked_init`, and those with
``**kwargs`` (:func:`forecast.evaluation.backtest` and ``compare``, whose extra keywords go
to :func:`forecast.reconstruct`) where they use them
(``forecast.evaluation._inputs._check_reconstruct_kw``).
``tests/test_keywords.py`` holds every public callable to it.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .errors import ForecastTypeError

__all__: list[str] = []

F = TypeVar("F", bound=Callable[..., Any])

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_WORKERS = ("workers", "n_workers", "n_jobs", "jobs", "processes")


#: Similarity (:class:`difflib.SequenceMatcher` ratio) from which a name is proposed.
#: difflib's default, 0.6, proposed ``series`` for ``seed`` (exactly 0.6: three letters of
#: ten in common); a typo of a name of five letters or more scores 0.75 or more
#: (``horizn``/``horizon`` 0.92, ``levles``/``levels`` 0.83, ``axs``/``axis`` 0.86).
CUTOFF = 0.75


def _one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by one inserted, deleted, replaced or swapped letter
    (the typos of short names, whose ratio is low: ``hx``/``h`` is 0.67)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return short[i:] == long[i + 1:]


def suggest(value: str, allowed: Iterable[str]) -> str:
    """' Did you mean 'X'?' for a near miss (case, spelling or abbreviation), else ''.

    A near miss differs only in case, by one letter (inserted, deleted, replaced or
    swapped), is an unambiguous beginning of three letters or more (``descr`` for
    ``description``), or is at least :data:`CUTOFF` similar; ``seed`` is not ``series``.

    Examples
    --------
    >>> suggest("Escalation", ["baseline", "escalation"]), suggest("zz", ["baseline"])
    (" Did you mean 'escalation'?", '')
    >>> suggest("seed", ["spec", "series", "errors"])
    ''
    """
    allowed = list(allowed)
    key = value.strip()
    for a in allowed:
        if a.lower() == key.lower():
            return f" Did you mean '{a}'?"
    close = [a for a in allowed if _one_edit(key, a)]
    starts = [a for a in allowed if len(key) >= 3 and a.startswith(key)]
    if not close:
        close = starts if len(starts) == 1 else difflib.get_close_matches(
            key, allowed, n=1, cutoff=CUTOFF)
    return f" Did you mean '{close[0]}'?" if close else ""


def unexpected_keyword(key: str, value: object, allowed: Iterable[str], why: str,
                       ) -> ForecastTypeError:
    """The error for keyword ``key=value``, which no argument in `allowed` takes.

    `why` says why it cannot be used (whose arguments `allowed` are); the message then
    proposes the closest name in `allowed` and, for a worker count, an executor.

    Examples
    --------
    >>> print(unexpected_keyword("horizn", 2, ["horizon", "seed"], "f() takes horizon, seed"))
    unexpected keyword argument `horizn` (horizn=2): f() takes horizon, seed. Did you mean \
'horizon'? Remove it or fix its spelling.
    """
    allowed = list(allowed)
    hint = suggest(key, allowed)
    if key in _WORKERS and "executor" in allowed:
        hint += (" To run origins in parallel pass executor=concurrent.futures."
                 "ProcessPoolExecutor(2).")
    if key == "as_of" and not hint:  # the vintage is a property of the records passed
        hint = (" To use the releases known by a date, pass records.filter(as_of=...), "
                "e.g. forecast.load_releases().filter(as_of='2020-06')"
                + (", or real-time origins such as origins=['2020-06']" if "origins" in allowed
                   else "") + ".")
    fix = " Remove it or fix its spelling." if allowed else " Remove it."
    return ForecastTypeError(f"unexpected keyword argument `{key}` ({key}={value!r}): {why}."
                             f"{hint}{fix}", field=key)


def _refuse_unknown(kwargs: dict[str, Any], known: frozenset[str], names: list[str],
                    who: str) -> None:
    """Raise :func:`unexpected_keyword`'s error for the first key of `kwargs` not `known`."""
    for key in kwargs:
        if key not in known:
            takes = ", ".join(names) if names else "no arguments"
            raise unexpected_keyword(key, kwargs[key], names, f"{who}() takes {takes}")


def _positional_limit(params: list[inspect.Parameter]) -> tuple[int | None, list[str],
                                                                 list[str]]:
    """(how many arguments may be positional, or None for any; their names; the
    keyword-only names) of a signature."""
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return None, [], []
    positional = [p.name for p in params if p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                        inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    keyword = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    return len(positional), positional, keyword


def _refuse_positional(args: tuple, limit: int, positional: list[str], keyword: list[str],
                       who: str, skip: int = 0) -> None:
    """Raise a ForecastTypeError for more than `limit` positional arguments, naming the
    keyword-only ones (Python's own TypeError names no fix). `skip` leading names
    (``self``) are not shown."""
    shown = positional[skip:]
    if keyword:
        more = ", ..." if len(keyword) > 8 else ""
        rest = (f"the others are keywords: {', '.join(keyword[:8])}{more}. Pass them by "
                f"name, e.g. {keyword[0]}={args[limit]!r}.")
    else:
        rest = "it takes no more. Remove the extra ones."
    raise ForecastTypeError(
        f"{who}() takes {len(shown)} positional argument(s) ({', '.join(shown) or 'none'}) "
        f"but {len(args) - skip} were given; {rest}")


#: Example values of the arguments users most often leave out, for the missing-argument
#: message's example call (any other argument is shown as ``<name>``).
_EXAMPLE_VALUES = {"h": "5", "year": "2030", "years": "[2030, 2035]", "data": "series",
                   "series": "series", "to": "2035", "horizon": "5", "value": "30",
                   "q": "0.5", "fit": "fit", "scenarios": "forecast.presets.scenario_set()",
                   "scenario": "scenario", "name": "'baseline'", "spec": "forecast.Drift()",
                   "start": "2027", "size": "-0.1", "path": "'out.csv'"}
#: How the user's code usually names an instance of a class, for the examples.
_INSTANCE_NAMES = {"Projection": "proj", "MarketProjection": "mp", "Fit": "fit",
                   "SplitFit": "fit"}
#: Mixins users know by the class that has their methods.
_PUBLIC = {"Queries": "Projection", "Exports": "Projection"}
#: A concrete class to show for a base class whose own name users never write.
_CONCRETE = {"ModelSpec": "Drift"}
_CONCRETE_WHAT = {"ModelSpec": "model spec"}


def _owner(func: Callable[..., Any]) -> type | None:
    """The class `func` is defined in (by its qualified name), or None."""
    parts = func.__qualname__.rsplit("<locals>.", 1)[-1].split(".")[:-1]
    obj: Any = getattr(func, "__globals__", {}).get(parts[0]) if parts else None
    for part in parts[1:]:
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, type) else None


def _shown(value: object, name: str, example: bool = False) -> str:
    """`value` as the example call shows it: short literals as themselves, else `name`
    (`example`: else the usual example for `name`, ``series`` for ``data``)."""
    if value is None or isinstance(value, bool | int | float) or (
            isinstance(value, str) and len(value) <= 20):
        return repr(value)
    return _EXAMPLE_VALUES.get(name, name) if example else name


def _called_on_class(owner: type, name: str, params: list[inspect.Parameter], args: tuple,
                     missing: list[str]) -> ForecastTypeError:
    """The error for ``Drift.fit(series)``: a method called on the class, so the series
    took the instance's place (the wording of :func:`forecast._validation.check_spec`)."""
    given = ", ".join(_shown(a, p.name, example=True) for a, p in zip(args, params[1:],
                                                                          strict=False))
    first = (f"its first argument ({type(args[0]).__name__}) took the instance's place"
             if args else "no instance was given")
    lost = (f", so {', '.join(f'`{m}`' for m in missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing" if missing else "")
    field = missing[0] if missing else "self"
    cls = _PUBLIC.get(owner.__name__, owner.__name__)
    made = _INSTANCE_NAMES.get(cls)
    if cls in _CONCRETE:  # a base class (ModelSpec.fit): the subclass used is not known
        example = _CONCRETE[cls]
        return ForecastTypeError(
            f"{name}() of a {_CONCRETE_WHAT[cls]} was called on the class, not on an "
            f"instance: {first}{lost}. Call the class first (with its settings in the "
            f"parentheses), e.g. {example}().{name}({given or '...'}).", field=field)
    if made is not None:  # made by the library: proj, fit
        return ForecastTypeError(
            f"{cls}.{name}() was called on the class {cls}, not on an instance: {first}"
            f"{lost}. Call it on a {cls} instance, e.g. {made}.{name}({given or '...'}).",
            field=field)
    return ForecastTypeError(
        f"{cls}.{name}() was called on the class {cls}, not on an instance: {first}{lost}. "
        f"Call it: {cls}().{name}({given or '...'}) (with its settings in the parentheses).",
        field=field)


def _missing_argument(func: Callable[..., Any], skip: int, args: tuple,
                      kwargs: dict[str, Any], init_of: type | None = None,
                      ) -> ForecastTypeError | None:
    """The error for a call of `func` that leaves required arguments out, else None.

    Built only once the call has failed with a TypeError, so a good call costs nothing.
    Two slips: a method called on its class (``Drift.fit(series)``: the series takes the
    instance's place), and an argument forgotten (``proj.prob_above(30)``, no year).
    """
    sig = inspect.signature(func)
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        pass
    else:
        return None  # the TypeError came from inside the function: not ours to reword
    params = list(sig.parameters.values())
    required = [p for p in params if p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    bound = {p.name for p in params[:len(args)]
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)} | set(kwargs)
    missing = [p.name for p in required if p.name not in bound]
    if not missing:
        return None  # e.g. an argument given twice: Python's message says it
    name = func.__name__ if init_of is None else init_of.__name__
    owner = _owner(func) if skip and init_of is None else None
    if skip and owner is not None and not (args and isinstance(args[0], owner)):
        return _called_on_class(owner, name, params, args, [m for m in missing if m != "self"])
    method = skip and args and init_of is None
    who = f"{type(args[0]).__name__}.{name}" if method else name
    taken = [p.name for p in params[skip:] if p.kind in _NAMED]
    shown = [_shown(a, p.name) for a, p in zip(args[skip:], params[skip:], strict=False)]
    shown += [f"{k}={_shown(v, k)}" for k, v in kwargs.items()]
    shown += [f"{m}={_EXAMPLE_VALUES.get(m, f'<{m}>')}" for m in missing]
    holder = (_INSTANCE_NAMES.get(type(args[0]).__name__, type(args[0]).__name__.lower())
              + "." if method else "")
    what = (f"its required argument `{missing[0]}`" if len(missing) == 1 else
            "its required arguments " + ", ".join(f"`{m}`" for m in missing))
    return ForecastTypeError(
        f"{who}() is missing {what} (it takes {', '.join(taken)}). Pass "
        f"{'it' if len(missing) == 1 else 'them'}, e.g. {holder}{name}({', '.join(shown)}).",
        field=missing[0])


def checked_keywords(func: F) -> F:
    """Decorate `func` so an unknown keyword raises :func:`unexpected_keyword`'s error.

    For functions without ``**kwargs`` (Python's own TypeError would name no fix). A
    required argument left out is a ForecastTypeError too, naming the function as the user
    calls it (``Projection.prob_above``, not the mixin defining it), the argument and an
    example call; so is a method called on its class (``Drift.fit(series)``).

    The signature, name and docstring of `func` are kept (``inspect.signature`` and help
    show the original); a known keyword costs one set look-up per call.
    """
    params = inspect.signature(func).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        # a programming error, raised at import: such a function checks its own **kwargs
        raise TypeError(f"{func.__name__} takes **kwargs; check them where they are used "
                        "(as _check_reconstruct_kw does) instead of decorating it")
    limit, positional, keyword = _positional_limit(list(params))
    in_class = "." in func.__qualname__.rsplit("<locals>.", 1)[-1]  # a method: hide self
    skip = 1 if in_class and positional[:1] in (["self"], ["cls"]) else 0
    names = [p.name for p in params if p.kind in _NAMED][skip:]
    known = frozenset(names)
    big = 1 << 30 if limit is None else limit

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(args) > big:
            _refuse_positional(args, big, positional, keyword, func.__name__, skip)
        _refuse_unknown(kwargs, known, names, func.__name__)
        try:
            return func(*args, **kwargs)
        except TypeError as exc:
            if isinstance(exc, ForecastTypeError) or (
                    error := _missing_argument(func, skip, args, kwargs)) is None:
                raise
            raise error from None

    return wrapper  # type: ignore[return-value]


C = TypeVar("C", bound=type)


def checked_init(cls: C) -> C:
    """Make ``cls(...)`` report an unknown keyword as :func:`unexpected_keyword`'s error.

    A class decorator, applied after ``@dataclass`` (which writes ``__init__``); the
    signature and docstring stay the original's. A subclass with its own ``__init__``
    (another dataclass) is not covered unless decorated too.
    """
    init = cls.__init__
    params = list(inspect.signature(init).parameters.values())[1:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        raise TypeError(f"{cls.__name__}.__init__ takes **kwargs; check them there")
    names = [p.name for p in params if p.kind in _NAMED]
    known = frozenset(names)
    limit, positional, keyword = _positional_limit(params)
    big = 1 << 30 if limit is None else limit

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > big:
            _refuse_positional(args, big, positional, keyword, cls.__name__)
        _refuse_unknown(kwargs, known, names, cls.__name__)
        try:
            init(self, *args, **kwargs)
        except TypeError as exc:
            if isinstance(exc, ForecastTypeError) or (error := _missing_argument(
                    init, 1, (self, *args), kwargs, init_of=cls)) is None:
                raise
            raise error from None

    cls.__init__ = __init__  # type: ignore[misc]
    return cls


def checked_methods(cls: C) -> C:
    """Apply :func:`checked_keywords` to every public method `cls` defines itself.

    A class decorator for the values users call methods on (``fit.forecast(...)``,
    ``projection.prob_above(...)``): a misspelt keyword or one positional argument too
    many is a ForecastTypeError naming the fix, as for the package's functions. Methods
    taking ``**kwargs`` check them themselves and are left as they are; so are
    properties and private names.
    """
    for name, attr in list(vars(cls).items()):
        if name.startswith("_"):
            continue
        kind = type(attr) if isinstance(attr, staticmethod | classmethod) else None
        func = attr.__func__ if kind is not None else attr
        if not inspect.isfunction(func) or getattr(func, "__wrapped__", None) is not None:
            continue
        if any(p.kind is inspect.Parameter.VAR_KEYWORD
               for p in inspect.signature(func).parameters.values()):
            continue
        wrapped = checked_keywords(func)
        setattr(cls, name, kind(wrapped) if kind is not None else wrapped)
    return cls
