"""forecast: scenario forecasting of China's service outsourcing to the United States.

The public API, stage by stage (see ``docs/``)::

    records = forecast.load_releases()                 # Records: published figures
    history = forecast.reconstruct(records)            # History: annual series with bands
    fit = forecast.Auto().fit(history)                 # Fit: baseline model
    proj = forecast.project(fit, forecast.presets.all(), to=2035, seed=1)  # Projection

Names are imported lazily so that ``import forecast`` stays light: statsmodels and
matplotlib load only when a model is fitted or a chart drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "ForecastError": "errors",
    "DataError": "errors",
    "SeriesError": "errors",
    "ParameterError": "errors",
    "ForecastTypeError": "errors",
    "ModelError": "errors",
    "ScenarioError": "errors",
    "ConfigError": "errors",
    "SimulationError": "errors",
    "MissingDependencyError": "errors",
    # stage 1-3
    "Records": "records",
    "load_releases": "records",
    "ExchangeRates": "fx",
    "load_exchange_rates": "fx",
    "FxRate": "fx",
    "AnnualSeries": "series",
    "History": "history",
    "Nowcast": "history",
    "reconstruct": "history",
    "IntraYearProfile": "history",
    # stage 4: models
    "ModelSpec": "models",
    "Fit": "models",
    "Drift": "models",
    "LogLinearTrend": "models",
    "DampedTrend": "models",
    "ARIMA": "models",
    "LocalLinearTrend": "models",
    "Theta": "models",
    "Auto": "models",
    # stage 5: scenarios
    "Distribution": "distributions",
    "Fixed": "distributions",
    "Uniform": "distributions",
    "Triangular": "distributions",
    "Normal": "distributions",
    "LogNormal": "distributions",
    "Beta": "distributions",
    "Bernoulli": "distributions",
    "DiscreteUniform": "distributions",
    "Assumption": "scenarios",
    "PathContext": "scenarios",
    "LevelShift": "scenarios",
    "GrowthShift": "scenarios",
    "Adoption": "scenarios",
    "Escalation": "scenarios",
    "Volatility": "scenarios",
    "Group": "scenarios",
    "Scenario": "scenarios",
    "ScenarioSet": "scenarios",
    "combine": "scenarios",
    "load_scenarios": "config",
    "dump_scenarios": "config",
    # stage 6: projection
    "project": "engine",
    "Projection": "result",
    # stage 7: evaluation and sensitivity
    "backtest": "evaluation",
    "compare": "evaluation",
    "tornado": "sensitivity",
    "sobol": "sensitivity",
    "sobol_indices": "sensitivity",
}

_SUBMODULES = {
    "errors", "records", "fx", "series", "history", "models", "distributions",
    "scenarios", "presets", "config", "engine", "result", "evaluation", "metrics",
    "sensitivity", "plotting", "report", "cli",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)


if TYPE_CHECKING:  # pragma: no cover - for IDEs and type checkers only
    from .errors import (  # noqa: F401
        ConfigError,
        DataError,
        ForecastError,
        ForecastTypeError,
        ModelError,
        ParameterError,
        ScenarioError,
        SeriesError,
        SimulationError,
    )
    from .fx import ExchangeRates, FxRate, load_exchange_rates  # noqa: F401
    from .history import History, Nowcast, reconstruct  # noqa: F401
    from .records import Records, load_releases  # noqa: F401
    from .series import AnnualSeries  # noqa: F401
