"""Face: matplotlib charts (the ``plot`` extra; matplotlib loads when a chart is drawn).

Modules: ``charts`` (the public chart functions), ``scenario_charts`` (the headline,
difference and scenario-versus-baseline charts), ``names`` (the display names and colours
every face uses); internal: ``_base`` (axes, colours,
history drawing), ``_shapes`` (data shaping shared by the charts, the report and the
command line).
"""

from .charts import (
    comparison_chart,
    decomposition_chart,
    fan_chart,
    fan_grid,
    history_chart,
    nowcast_chart,
    small_multiples,
    tornado_chart,
)
from .scenario_charts import difference_chart, headline_chart, scenario_fan_chart

__all__ = [
    "comparison_chart",
    "decomposition_chart",
    "difference_chart",
    "fan_chart",
    "fan_grid",
    "headline_chart",
    "history_chart",
    "nowcast_chart",
    "scenario_fan_chart",
    "small_multiples",
    "tornado_chart",
]
