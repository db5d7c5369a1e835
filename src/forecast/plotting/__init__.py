"""Face: matplotlib charts (the ``plot`` extra; matplotlib loads when a chart is drawn).

Modules: ``charts`` (fan charts, comparison, decomposition, tornado), ``history_charts``
(the reconstructed history and the nowcast), ``scenario_charts`` (the headline,
difference and scenario-versus-baseline charts), ``names`` (the display names and colours
every face uses), ``markets`` (fan charts per market and the stacked shares of a
multi-market projection); internal: ``_base`` (axes, colours,
history drawing), ``_shapes`` (data shaping shared by the charts, the report and the
command line).
"""

from .charts import (
    comparison_chart,
    decomposition_chart,
    fan_chart,
    fan_grid,
    small_multiples,
    tornado_chart,
)
from .history_charts import history_chart, nowcast_chart
from .markets import market_fans, share_chart
from .scenario_charts import difference_chart, headline_chart, scenario_fan_chart

__all__ = [
    "comparison_chart",
    "decomposition_chart",
    "difference_chart",
    "fan_chart",
    "fan_grid",
    "headline_chart",
    "history_chart",
    "market_fans",
    "nowcast_chart",
    "scenario_fan_chart",
    "share_chart",
    "small_multiples",
    "tornado_chart",
]
