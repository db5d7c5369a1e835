"""The models stage: model specs and the fits they make.

A *spec* (``Drift()``, ``DampedTrend()``, ``Auto()``, ...) is a frozen description of a
model; ``spec.fit(data)`` estimates it on an :class:`~forecast.series.AnnualSeries` or a
``History`` and returns a :class:`Fit`, the only way a fitted model comes to exist.
Every family works on a working scale between the level and its log chosen from the
data (:mod:`.scale`); its forecast distribution is Gaussian there, with the uncertainty
of the linear parameters, of the estimated variances and, for a History, of the
history itself, and is calibrated by the model's own out-of-sample errors
(:mod:`.gaussian`). See ``docs/models.md``.

Public contract (``docs/extending.md``): :class:`ModelSpec` (base class of every spec),
:class:`Estimate` and :class:`Linear` (what a family's estimator returns),
:class:`Fit` and the :class:`FitLike` protocol (what projection and evaluation need),
and :class:`SpecLike` (what backtests need of a spec, for type checkers).
"""

from .auto import Auto
from .base import Fit, FitLike, ModelSpec, SpecLike
from .families import ARIMA, DampedTrend, Drift, LocalLinearTrend, LogLinearTrend, Naive, Theta
from .linear import Estimate, Linear
from .many import fit_many

__all__ = ["ARIMA", "Auto", "DampedTrend", "Drift", "Estimate", "Fit", "FitLike", "Linear",
           "LocalLinearTrend", "LogLinearTrend", "ModelSpec", "Naive", "SpecLike", "Theta",
           "fit_many"]
