"""Misspelt keyword arguments of the evaluation functions (private).

Python's own ``TypeError: got an unexpected keyword argument 'horizn'`` names neither the
arguments the function does take nor the one probably meant. Every public function of
:mod:`forecast.evaluation` reports such a keyword as a
:class:`~forecast.errors.ForecastTypeError` built by :func:`unexpected_keyword`: the ones
without ``**kwargs`` through the :func:`checked_keywords` decorator, and :func:`backtest`
and :func:`compare` (whose extra keywords go to :func:`forecast.reconstruct`) through
:func:`forecast.evaluation._inputs._check_reconstruct_kw`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..errors import ForecastTypeError
from ..records.schema import suggest

__all__: list[str] = []

F = TypeVar("F", bound=Callable[..., Any])

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_WORKERS = ("workers", "n_workers", "n_jobs", "jobs", "processes")


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
    hint = suggest(key, list(allowed))
    if key in _WORKERS and "executor" in allowed:
        hint += (" To run origins in parallel pass executor=concurrent.futures."
                 "ProcessPoolExecutor(2).")
    return ForecastTypeError(f"unexpected keyword argument `{key}` ({key}={value!r}): {why}."
                             f"{hint} Remove it or fix its spelling.", field=key)


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
    names = [p.name for p in params if p.kind in _NAMED]
    known = frozenset(names)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for key in kwargs:
            if key not in known:
                raise unexpected_keyword(key, kwargs[key], names,
                                         f"{func.__name__}() takes {', '.join(names)}")
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
