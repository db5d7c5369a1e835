"""forecast: scenario forecasting of China's service outsourcing to the United States.

The public API, stage by stage (see ``docs/``)::

    records = forecast.load_releases()                 # Records: published figures
    history = forecast.reconstruct(records)            # History: annual series with bands
    fit = forecast.Auto().fit(history)                 # Fit: baseline model
    proj = forecast.project(fit, forecast.presets.scenario_set(), to=2035, seed=1)  # Projection

Names are imported lazily so that ``import forecast`` stays light: statsmodels and
matplotlib load only when a model is fitted or a chart drawn.

The code has one subpackage per stage, each importing only the stages before it:
``records``, ``history``, ``models``, ``scenarios``, ``projection``, ``markets``,
``evaluation``, and the faces ``plotting``, ``report`` and ``cli``
(``docs/architecture.md``); ``forecast.testing`` checks your own assumptions and models
against the contracts.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__  # re-exported

# the library logs through this logger and is silent unless the application configures
# logging (the command line shows warnings as one line each)
logging.getLogger("forecast").addHandler(logging.NullHandler())

# public name -> subpackage (or core module) that exports it
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
    "OutputError": "errors",
    "ResourceError": "errors",
    # stage 1-3
    "Records": "records",
    "load_releases": "records",
    "ExchangeRates": "records",
    "load_exchange_rates": "records",
    "FxRate": "records",
    "AnnualSeries": "series",
    "History": "history",
    "Nowcast": "history",
    "reconstruct": "history",
    "IntraYearProfile": "history",
    "MarketHistory": "history",
    "reconstruct_markets": "history",
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
    "fit_many": "models",
    # stage 5: scenarios
    "Distribution": "scenarios",
    "Fixed": "scenarios",
    "Uniform": "scenarios",
    "Triangular": "scenarios",
    "Normal": "scenarios",
    "LogNormal": "scenarios",
    "Beta": "scenarios",
    "Bernoulli": "scenarios",
    "DiscreteUniform": "scenarios",
    "Assumption": "scenarios",
    "PathContext": "scenarios",
    "LevelShift": "scenarios",
    "GrowthShift": "scenarios",
    "Adoption": "scenarios",
    "Escalation": "scenarios",
    "Volatility": "scenarios",
    "Group": "scenarios",
    "Diversion": "scenarios",
    "on_market": "scenarios",
    "Scenario": "scenarios",
    "ScenarioSet": "scenarios",
    "combine": "scenarios",
    "load_scenarios": "scenarios",
    "dump_scenarios": "scenarios",
    "loads_scenarios": "scenarios",
    "dumps_scenarios": "scenarios",
    "as_distribution": "scenarios",
    # stage 6: projection
    "project": "projection",
    "Projection": "projection",
    # stage 6b: markets
    "SplitModel": "markets",
    "BottomUpModel": "markets",
    "SplitFit": "markets",
    "project_markets": "markets",
    "MarketProjection": "markets",
    # stage 7: evaluation and sensitivity
    "backtest": "evaluation",
    "compare": "evaluation",
    "tornado": "evaluation",
    "sobol": "evaluation",
    "sobol_indices": "evaluation",
    "backtest_markets": "evaluation",
    "compare_markets": "evaluation",
    "leave_one_out_markets": "evaluation",
}

# attribute -> module it names: the stage subpackages, and the modules that were
# top-level before the stage layout (`from forecast import presets` keeps working)
_SUBMODULES: dict[str, str] = {
    "errors": "errors",
    "series": "series",
    "records": "records",
    "fx": "records.fx",
    "history": "history",
    "models": "models",
    "scenarios": "scenarios",
    "distributions": "scenarios.distributions",
    "presets": "scenarios.presets",
    "market_presets": "scenarios.market_presets",
    "config": "scenarios.files",
    "projection": "projection",
    "engine": "projection.engine",
    "result": "projection.projection",
    "markets": "markets",
    "evaluation": "evaluation",
    "metrics": "evaluation.metrics",
    "sensitivity": "evaluation.sensitivity",
    "testing": "testing",
    "plotting": "plotting",
    "report": "report",
    "cli": "cli",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))


if TYPE_CHECKING:  # pragma: no cover - for IDEs and type checkers only
    # the attributes of _SUBMODULES (`from forecast import presets`), as the modules they
    # name; tests/test_package.py holds the two tables to each other
    from . import (  # noqa: F401
        cli,
        errors,
        evaluation,
        history,
        markets,
        models,
        plotting,
        projection,
        records,
        report,
        scenarios,
        series,
        testing,
    )
    from .errors import (  # noqa: F401
        ConfigError,
        DataError,
        ForecastError,
        ForecastTypeError,
        MissingDependencyError,
        ModelError,
        OutputError,
        ParameterError,
        ResourceError,
        ScenarioError,
        SeriesError,
        SimulationError,
    )
    from .evaluation import (  # noqa: F401
        backtest,
        backtest_markets,
        compare,
        compare_markets,
        leave_one_out_markets,
        sobol,
        sobol_indices,
        tornado,
    )
    from .evaluation import metrics as metrics
    from .evaluation import sensitivity as sensitivity
    from .history import (  # noqa: F401
        History,
        IntraYearProfile,
        MarketHistory,
        Nowcast,
        reconstruct,
        reconstruct_markets,
    )
    from .markets import (  # noqa: F401
        BottomUpModel,
        MarketProjection,
        SplitFit,
        SplitModel,
        project_markets,
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
        fit_many,
    )
    from .projection import (  # noqa: F401
        Projection,
        project,
    )
    from .projection import engine as engine
    from .projection import projection as result  # noqa: F401
    from .records import (  # noqa: F401
        ExchangeRates,
        FxRate,
        Records,
        load_exchange_rates,
        load_releases,
    )
    from .records import fx as fx
    from .scenarios import (  # noqa: F401
        Adoption,
        Assumption,
        Bernoulli,
        Beta,
        DiscreteUniform,
        Distribution,
        Diversion,
        Escalation,
        Fixed,
        Group,
        GrowthShift,
        LevelShift,
        LogNormal,
        Normal,
        PathContext,
        Scenario,
        ScenarioSet,
        Triangular,
        Uniform,
        Volatility,
        as_distribution,
        combine,
        dump_scenarios,
        dumps_scenarios,
        load_scenarios,
        loads_scenarios,
        on_market,
    )
    from .scenarios import distributions as distributions
    from .scenarios import files as config  # noqa: F401
    from .scenarios import market_presets as market_presets
    from .scenarios import presets as presets
    from .series import (  # noqa: F401
        AnnualSeries,
    )
