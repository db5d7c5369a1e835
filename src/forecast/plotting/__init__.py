"""Face: matplotlib charts (the ``plot`` extra; matplotlib loads when a chart is drawn).

Modules: ``charts`` (the public chart functions); internal: ``_base`` (axes, colours,
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

__all__ = [
    "comparison_chart",
    "decomposition_chart",
    "fan_chart",
    "fan_grid",
    "history_chart",
    "nowcast_chart",
    "small_multiples",
    "tornado_chart",
]
