"""The models stage: baseline model specs on the log level and the fits they make.

A *spec* (``Drift()``, ``DampedTrend()``, ``Auto()``, ...) is a frozen description of a
model; ``spec.fit(data)`` estimates it on an :class:`~forecast.series.AnnualSeries` or a
``History`` and returns a :class:`Fit`, the only way a fitted model comes to exist.
A Fit simulates log-level paths fast (numpy recursions, not statsmodels), includes
parameter uncertainty by default and, when fitted on a History, the uncertainty of the
reconstructed history itself (multiple imputation). See ``docs/models.md``.

Modules: ``base`` (the :class:`ModelSpec` protocol, :class:`Fit` and the shared fitting
logic), ``families`` (the specs), ``auto`` (:class:`Auto` and its combination weights);
internal: ``estimation`` (each family's estimator), ``linear`` (the linear Gaussian
representation every family reduces to, and its path simulator), ``_args`` (argument
helpers).
"""

from .auto import Auto
from .base import Fit, ModelSpec
from .families import ARIMA, DampedTrend, Drift, LocalLinearTrend, LogLinearTrend, Naive, Theta

__all__ = ["ARIMA", "Auto", "DampedTrend", "Drift", "Fit", "LocalLinearTrend",
           "LogLinearTrend", "ModelSpec", "Naive", "Theta"]
