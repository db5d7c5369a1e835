"""The records stage: every published figure as a typed, validated row, and exchange rates.

Modules: ``releases`` (:class:`Records`, :func:`load_releases`), ``fx``
(:class:`ExchangeRates`, :class:`FxRate`, :func:`load_exchange_rates`); internal:
``schema`` (release columns and row checks), ``_periods`` (publication dates and months),
``_fx_schema`` (exchange-rate columns and row checks), ``csvfile`` (reading embedded and
users' CSV files), ``provenance``
(:func:`provenance`: the official outlet of each source where one was found).
"""

from .fx import ExchangeRates, FxRate, load_exchange_rates
from .provenance import load_official_sources, provenance
from .releases import Records, load_releases

__all__ = ["ExchangeRates", "FxRate", "Records", "load_exchange_rates", "load_official_sources",
           "load_releases", "provenance"]
