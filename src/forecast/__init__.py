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

from ._version import __version__ as __version__  # re-exported

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
    "Naive": "models",
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
    "loads_scenarios": "config",
    "dumps_scenarios": "config",
    "as_distribution": "distributions",
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
    from .config import (  # noqa: F401
        dump_scenarios,
        dumps_scenarios,
        load_scenarios,
        loads_scenarios,
    )
    from .distributions import (  # noqa: F401
        Bernoulli,
        Beta,
        DiscreteUniform,
        Distribution,
        Fixed,
        LogNormal,
        Normal,
        Triangular,
        Uniform,
        as_distribution,
    )
    from .engine import (  # noqa: F401
        project,
    )
    from .errors import (  # noqa: F401
        ConfigError,
        DataError,
        ForecastError,
        ForecastTypeError,
        MissingDependencyError,
        ModelError,
        ParameterError,
        ScenarioError,
        SeriesError,
        SimulationError,
    )
    from .evaluation import (  # noqa: F401
        backtest,
        compare,
    )
    from .fx import (  # noqa: F401
        ExchangeRates,
        FxRate,
        load_exchange_rates,
    )
    from .history import (  # noqa: F401
        History,
        IntraYearProfile,
        Nowcast,
        reconstruct,
    )
    from .models import (  # noqa: F401
        ARIMA,
        Auto,
        DampedTrend,
        Drift,
        Fit,
        LocalLinearTrend,
        LogLinearTrend,
        ModelSpec,
        Naive,
        Theta,
    )
    from .records import (  # noqa: F401
        Records,
        load_releases,
    )
    from .result import (  # noqa: F401
        Projection,
    )
    from .scenarios import (  # noqa: F401
        Adoption,
        Assumption,
        Escalation,
        Group,
        GrowthShift,
        LevelShift,
        PathContext,
        Scenario,
        ScenarioSet,
        Volatility,
        combine,
    )
    from .sensitivity import (  # noqa: F401
        sobol,
        sobol_indices,
        tornado,
    )
    from .series import (  # noqa: F401
        AnnualSeries,
    )
