"""Number formats by column, for the report's tables and the command line's.

One rule per kind of column instead of one global ``{:,.2f}``: years as integers, levels
with one decimal, log-point parameters with three, probabilities as percent, counts as
integers. Column headers go through :func:`forecast.plotting.names.label`.

Examples
--------
>>> fmt = formatter("year")
>>> fmt(2026.0)
'2026'
>>> formatter("median")(35.4321)
'35.4'
>>> formatter("prob_below")(0.734)
'73%'
>>> format_parameter("trade_friction.levy_step.start", 2027.0)
'2027'
>>> format_parameter("trade_friction.drift.delta", -0.0076)
'-0.008'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

__all__ = ["format_parameter", "format_value", "formatter", "is_numeric_column"]

_INT_COLUMNS = {"year", "first_year", "start", "end", "n", "n_records", "figures", "horizon",
                "origin", "n_paths", "months", "path", "rank"}
_PERCENT_PROB = {"prob_below", "prob_above", "share", "cumulative", "probability",
                 "coverage_80", "coverage_95", "weight"}
_THREE = {"log_point", "delta", "ceiling", "size", "mase", "crps", "crps_log", "scaled_crps",
          "first_order", "total", "aicc", "mean_pit", "smape", "mape"}


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _int(v) -> str:
    return "" if _blank(v) else f"{float(v):.0f}"


def _one(v) -> str:
    return "" if _blank(v) else f"{float(v):,.1f}"


def _three(v) -> str:
    return "" if _blank(v) else f"{float(v):,.3f}"


def _prob(v) -> str:
    return "" if _blank(v) else f"{100 * float(v):.0f}%"


def formatter(column: str) -> Callable[[object], str]:
    """The number format of a column, from its name.

    Years, counts -> integer; probabilities and shares -> percent; ``*_pct`` and log
    points of a decomposition -> one decimal; errors, scores and log-point parameters
    -> three decimals; everything else (levels) -> one decimal with thousands separators.
    """
    col = str(column)
    if col in _INT_COLUMNS:
        return _int
    if col in _PERCENT_PROB or col.startswith(("coverage", "prob_")):
        return _prob
    if col in _THREE or col.startswith(("first_order", "total_")):
        return _three
    return _one


def format_parameter(parameter: str, value: object) -> str:
    """A parameter's value: start years as years, probabilities as such, log points to 3."""
    if _blank(value):
        return ""
    last = str(parameter).rsplit(".", 1)[-1]
    if last in ("start", "end") or re.search(r"start$", last):
        return _int(value)
    if last == "probability":
        return f"{float(value):.2f}"
    return _three(value)


def format_value(column: str, value: object) -> str:
    """Format one cell: numbers by :func:`formatter`, anything else as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        try:
            return formatter(column)(float(value))
        except (TypeError, ValueError):
            return str(value)
    return "" if value is None else str(value)


def is_numeric_column(series) -> bool:
    """True when a pandas column holds numbers (right-aligned in tables)."""
    kind = getattr(series.dtype, "kind", "O")
    return kind in "iufb"
