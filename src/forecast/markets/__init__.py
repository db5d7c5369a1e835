"""The markets stage: China's total and its source markets projected together.

Reads a :class:`~forecast.history.MarketHistory` (the joint reconstruction), fits a
:class:`SplitModel` (the total and each market's log ratio to the rest of the world, with
the library's own model specs) or a :class:`BottomUpModel` (every part's own log level,
the total their sum), and projects every market under scenarios, with diversion
(:class:`~forecast.scenarios.Diversion`), into a :class:`MarketProjection`. See
``docs/markets.md``.

Modules: ``split`` (:class:`SplitModel`, :class:`BottomUpModel`, :class:`SplitFit`),
``engine`` (:func:`project_markets`), ``projection`` (:class:`MarketProjection`); internal:
``allocation`` (how a scenario moves every market, diversion included), ``decompose``
(exact per-market decomposition).
"""

from .engine import project_markets
from .projection import MarketProjection
from .split import BottomUpModel, SplitFit, SplitModel

__all__ = ["BottomUpModel", "MarketProjection", "SplitFit", "SplitModel", "project_markets"]
