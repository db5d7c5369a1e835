"""The evaluation stage: backtests, accuracy metrics and sensitivity to scenario parameters.

Modules: ``backtests`` (:func:`backtest`, :func:`compare`, :func:`summarize`,
:func:`published_truth`), ``metrics`` (point, sample and quantile scores,
``forecast.metrics``), ``sensitivity`` (:func:`tornado`, :func:`sobol`,
:func:`sobol_indices`), ``markets`` (:func:`backtest_markets`, :func:`compare_markets`,
:func:`leave_one_out_markets`: the joint market model); internal: ``_inputs``
(the backtests' argument checks), ``_tasks`` (backtest tasks), ``crn`` (scenario effects
under common random numbers), ``_sobol`` (Saltelli sampling and estimators), ``_arrays``
(the array checks of the metrics).
"""

from . import metrics
from .backtests import backtest, compare, published_truth, summarize
from .markets import backtest_markets, compare_markets, leave_one_out_markets
from .sensitivity import sobol, sobol_indices, tornado

__all__ = ["backtest", "backtest_markets", "compare", "compare_markets",
           "leave_one_out_markets", "metrics", "published_truth", "sobol", "sobol_indices",
           "summarize", "tornado"]
