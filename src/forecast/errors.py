"""The one error hierarchy of `forecast`.

Every error a user can trigger with bad input is a :class:`ForecastError`. Each
subclass also derives from the built-in exception that code written against numpy
or pandas would expect (``ValueError`` or ``TypeError``), so ``except ValueError``
keeps working.

Messages follow one template: what must hold; what was received; how to fix it,
for example ``"`h` must be an int in [1, 50]; got 0. Pass a horizon of at least 1
year."``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "ForecastError",
    "ForecastTypeError",
    "MissingDependencyError",
    "ModelError",
    "OutputError",
    "ParameterError",
    "ResourceError",
    "ScenarioError",
    "ScenarioKeyError",
    "SeriesError",
    "SimulationError",
]


class ForecastError(Exception):
    """Base class of every error raised by `forecast` for bad input or data.

    Parameters
    ----------
    *args
        The message (what must hold; what was received; how to fix it).
    field : str, optional
        The argument, parameter or key the error is about, when there is one, e.g.
        ``"half_life"``. It is data, not text to parse: scenario files append it to the
        key path they report (``scenario[2].assumption[1].half_life``).

    Examples
    --------
    >>> err = ParameterError("`size` must be <= 0; got 0.1. Pass a fall.", field="size")
    >>> err.field
    'size'
    """

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class DataError(ForecastError, ValueError):
    """Published records (the releases CSV, exchange rates) are malformed or unusable."""


class SeriesError(ForecastError, ValueError):
    """An annual series is malformed: gaps, non-positive values, bad years."""


class ParameterError(ForecastError, ValueError):
    """A function argument has a value outside what it accepts."""


class ForecastTypeError(ForecastError, TypeError):
    """A function argument has the wrong type."""


class ModelError(ForecastError, ValueError):
    """A model cannot be fitted to the data it was given (too short, degenerate)."""


class ScenarioError(ForecastError, ValueError):
    """A scenario or assumption is inconsistent (bad start year, duplicate names)."""


class ScenarioKeyError(ScenarioError, KeyError):
    """A look-up by name found no such scenario in a set, or no such assumption in a scenario.

    Also a ``KeyError``, as any mapping look-up raises, so ``except KeyError`` keeps
    working; its message is shown as written (a plain ``KeyError`` quotes it).

    Examples
    --------
    >>> err = ScenarioKeyError("no scenario 'x' in the set. It has: baseline.")
    >>> isinstance(err, KeyError), isinstance(err, ValueError), str(err)
    (True, True, "no scenario 'x' in the set. It has: baseline.")
    """

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class ConfigError(ScenarioError):
    """A scenario file (TOML) is malformed; the message names the key path."""


class SimulationError(ForecastError, ArithmeticError):
    """A simulation produced values that cannot be represented (overflow of ``exp``)."""


class MissingDependencyError(ForecastError, ImportError):
    """An optional dependency needed by the requested feature is not installed."""


class OutputError(ForecastError, OSError):
    """An output (file or folder) cannot be written safely: the disk is full or read-only,
    permission is denied, the target is a symbolic link or was not written by `forecast`,
    or another process is writing it. Nothing was changed on disk."""


class ResourceError(ForecastError, MemoryError):
    """A run would need more memory than the machine has available; nothing was allocated."""
