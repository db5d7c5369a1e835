"""Optional dependencies, imported lazily; a missing one is named with its extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError

__all__ = ["MissingDependencyError", "progress_bar", "require"]


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


class _NoBar:
    """Stands in for a tqdm bar when progress is off or tqdm is not installed."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_bar(enabled: bool, total: int, desc: str, unit: str = "step"):
    """A tqdm progress bar (the ``progress`` extra) when `enabled`, else a silent stand-in.

    Without tqdm the bar is silent too: progress is a convenience, never a reason to fail.

    Examples
    --------
    >>> with progress_bar(False, 3, "fitting") as bar:
    ...     bar.update()
    """
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm  # lazy: the optional `progress` extra
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, unit=unit, leave=False)
