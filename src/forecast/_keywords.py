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


def suggest(value: str, allowed: Iterable[str]) -> str:
    """' Did you mean 'X'?' for a near miss (case or spelling), else ''.

    Examples
    --------
    >>> suggest("Escalation", ["baseline", "escalation"]), suggest("zz", ["baseline"])
    (" Did you mean 'escalation'?", '')
    """
    allowed = list(allowed)
    for a in allowed:
        if a.lower() == value.strip().lower():
            return f" Did you mean '{a}'?"
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
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


def checked_keywords(func: F) -> F:
    """Decorate `func` so an unknown keyword raises :func:`unexpected_keyword`'s error.

    For functions without ``**kwargs`` (Python's own TypeError would name no fix).

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
        return func(*args, **kwargs)

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
        init(self, *args, **kwargs)

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
