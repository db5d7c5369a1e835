"""Optional dependencies (the ``plot``, ``progress`` and ``dask`` extras), imported lazily."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError

__all__ = ["MissingDependencyError", "require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import `module` or raise a :class:`MissingDependencyError` naming the extra to install.

    Examples
    --------
    >>> require("json", "none", "reading JSON").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{feature} needs the optional package `{module.split('.')[0]}`, which is not "
            f"installed ({exc}). Install it with `pip install 'forecast[{extra}]'`."
        ) from None
