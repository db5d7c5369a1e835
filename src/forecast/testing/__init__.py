"""Contract checks for your own assumptions and models, as the library runs them on its own.

:func:`check_assumption` and :func:`check_model` run a battery of checks, as
scikit-learn's ``check_estimator`` does, and raise an :class:`AssertionError` naming the
check that failed and what to fix. They use only public API, so an assumption or a model
that passes them works with :func:`forecast.project`, ``Projection.decompose``, scenario
files, :func:`forecast.backtest`, :func:`forecast.tornado`/:func:`forecast.sobol` and
:class:`forecast.Auto`. ``docs/extending.md`` lists every check.

Modules: ``assumptions`` (:func:`check_assumption`), ``models`` (:func:`check_model`).
Not imported by ``import forecast``; import ``forecast.testing``.

Examples
--------
>>> from forecast.scenarios import LevelShift
>>> from forecast.testing import check_assumption
>>> check_assumption(LevelShift)
"""

from .assumptions import ASSUMPTION_CHECKS, check_assumption
from .models import CHECK_SERIES, MODEL_CHECKS, check_model

__all__ = ["ASSUMPTION_CHECKS", "CHECK_SERIES", "MODEL_CHECKS", "check_assumption",
           "check_model"]
