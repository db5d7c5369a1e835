"""The history stage: the annual series rebuilt from the records, with honest uncertainty.

Modules: ``history`` (the :class:`History` value), ``reconstruction``
(:func:`reconstruct`: assemble, estimate and smooth the state-space model), ``nowcast``
(:class:`Nowcast`), ``profile`` (:class:`IntraYearProfile`), ``markets``
(:class:`MarketHistory`: China's total and its named markets together),
``market_reconstruction`` (:func:`reconstruct_markets`); internal: ``observations``
(records -> observations of the log level), ``statespace`` (the statsmodels model,
imported only when a history is estimated), ``market_observations`` and
``market_model`` (the same two for the joint model).
"""

from .history import History
from .market_reconstruction import reconstruct_markets
from .markets import MarketComponent, MarketHistory
from .nowcast import Nowcast
from .profile import IntraYearProfile
from .reconstruction import reconstruct

__all__ = ["History", "IntraYearProfile", "MarketComponent", "MarketHistory", "Nowcast",
           "reconstruct", "reconstruct_markets"]
