"""The option tables shared by the parser and the commands (standard library only).

The parser needs them to build ``--help`` before anything else loads, and the commands
need them to turn options into API calls; keeping them here lets both import them without
importing each other.
"""

from .._defaults import BACKTEST_PATHS, PROJECTION_PATHS, SOBOL_N, TORNADO_PATHS

__all__ = ["BACKTEST_PATHS", "DEFAULT_IMPUTATIONS", "DEFAULT_PATHS", "MODELS", "PRESET_NAMES",
           "SOBOL_N", "TORNADO_PATHS"]

#: Default number of Monte Carlo paths of ``forecast run``: ``project``'s default
#: (the sample counts' defaults are shared with the Python API, :mod:`forecast._defaults`).
DEFAULT_PATHS = PROJECTION_PATHS
#: History draws the model is fitted on by default (``--imputations``): the library's
#: default, ``forecast.models.base.DEFAULT_IMPUTATIONS`` (a test keeps the two equal; the
#: value is repeated here so that ``forecast --help`` does not import the models).
DEFAULT_IMPUTATIONS = 20
#: ``--model`` choice -> model spec class name in :mod:`forecast.models`.
MODELS = {
    "auto": "Auto",
    "drift": "Drift",
    "naive": "Naive",
    "damped": "DampedTrend",
    "arima": "ARIMA",
    "llt": "LocalLinearTrend",
    "theta": "Theta",
    "loglinear": "LogLinearTrend",
}
#: Names of the preset scenarios (``forecast.presets.scenario_set()``), listed in help texts.
PRESET_NAMES = (
    "baseline",
    "managed_friction",
    "escalation",
    "digital_opening",
    "green_partnership",
    "cooperation",
    "fragmentation",
)

#: seconds --scheduler waits for the scheduler when --scheduler-timeout is not given
SCHEDULER_TIMEOUT = 30.0
