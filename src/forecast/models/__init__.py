"""The models stage: baseline model specs on the log level and the fits they make.

Modules: ``base`` (the :class:`ModelSpec` protocol, :class:`Fit` and the shared fitting
logic), ``families`` (the specs), ``auto`` (:class:`Auto` and its combination weights);
internal: ``estimation`` (each family's estimator), ``linear`` (the linear Gaussian
representation every family reduces to, and its path simulator), ``_args`` (argument
helpers).
"""

from .base import (
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

__all__ = ["ARIMA", "Auto", "DampedTrend", "Drift", "Fit", "LocalLinearTrend",
           "LogLinearTrend", "ModelSpec", "Naive", "Theta"]
