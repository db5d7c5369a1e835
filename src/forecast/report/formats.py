"""Number formats by column, for the report's tables and the command line's.

One rule per kind of column instead of one global ``{:,.2f}``: years as integers, levels
with one decimal, errors and scores with three, probabilities as percent, counts as
integers; a scenario's parameters to three significant digits, as a scenario file would
write them (2.5, 2, 0.035). Column headers go through :func:`forecast.plotting.names.label`.

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
'-0.0076'
>>> format_parameter("data_flow_liberalization.adoption.years_to_half", 2.5)
'2.5'
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable

__all__ = ["format_parameter", "format_value", "formatter", "is_numeric_column", "percent",
           "significant"]

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


def percent(p: float) -> str:
    """A probability or share in whole percent that never reads as certain when it is not.

    A value strictly between 0 and 1 that would round to 0% or 100% is shown as "<1%"
    or ">99%": 0.996 of the paths is not all of them.

    Examples
    --------
    >>> [percent(p) for p in (0.0, 0.004, 0.005, 0.734, 0.994, 0.996, 1.0)]
    ['0%', '<1%', '<1%', '73%', '99%', '>99%', '100%']
    """
    v = 100.0 * float(p)
    text = f"{v:.0f}"
    if text in ("0", "-0") and v > 0.0:
        return "<1%"
    if text == "100" and v < 100.0:
        return ">99%"
    return f"{text}%"


def _prob(v) -> str:
    return "" if _blank(v) else percent(v)


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


#: Significant digits of a parameter's value in the report (:func:`format_parameter`).
PARAMETER_DIGITS = 3


def significant(value: float, digits: int = PARAMETER_DIGITS) -> str:
    """`value` to `digits` significant digits, trailing zeros dropped, never in exponent
    notation; the integer part is never rounded away (2027.4 -> 2027).

    >>> [significant(v) for v in (2.5, 2.0, 0.1, 0.035, -0.0176, 0.0016, 1.0, -0.0, 2027.4)]
    ['2.5', '2', '0.1', '0.035', '-0.0176', '0.0016', '1', '0', '2027']
    """
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_parameter(parameter: str, value: object) -> str:
    """A parameter's value as a scenario file would write it: start and end years as
    years, every other number (a probability, a phase-in of 2.5 years, a steepness of 1,
    an effect of -0.0176 log points) to :data:`PARAMETER_DIGITS` significant digits with
    trailing zeros dropped (:func:`significant`): the precision the value carries."""
    if _blank(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)  # a name, a market: as it is
    last = str(parameter).rsplit(".", 1)[-1]
    if last in ("start", "end") or re.search(r"start$", last):
        return _int(value)
    return significant(value)


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
