"""The history stage: the annual series rebuilt from the records, with honest uncertainty.

Modules: ``history`` (the :class:`History` value), ``reconstruction``
(:func:`reconstruct`: assemble, estimate and smooth the state-space model), ``nowcast``
(:class:`Nowcast`), ``profile`` (:class:`IntraYearProfile`); internal: ``observations``
(records -> observations of the log level), ``statespace`` (the statsmodels model,
imported only when a history is estimated).
"""

from .history import History
from .nowcast import Nowcast
from .profile import IntraYearProfile
from .reconstruction import reconstruct

__all__ = ["History", "IntraYearProfile", "Nowcast", "reconstruct"]
