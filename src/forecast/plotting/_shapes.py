"""Small helpers shared by plotting and the report (private).

They find scenarios, label units and normalise the few result shapes the faces draw
(History or AnnualSeries, decomposition and tornado frames), so that plotting and the
report do not depend on one exact column layout.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ForecastTypeError, ParameterError
from ..records.schema import suggest
from .names import unit_text


def scenario_index(projection, scenario: str | int | None) -> int:
    """Index of `scenario` (a name, an index or None for the first) in the projection."""
    names = list(projection.scenario_names)
    if scenario is None:
        return 0
    if isinstance(scenario, int | np.integer) and not isinstance(scenario, bool):
        if not 0 <= int(scenario) < len(names):
            raise ParameterError(
                f"`scenario` index must be in [0, {len(names) - 1}]; got {scenario}. "
                f"Pass a name among {names}."
            )
        return int(scenario)
    if scenario not in names:
        raise ParameterError(
            f"`scenario` must be one of the projection's scenarios {names}; got {scenario!r}. "
            "Check the spelling or project that scenario first."
        )
    return names.index(scenario)


def baseline_name(projection, baseline: str) -> str | None:
    """`baseline` when projected; None for the default name "baseline" when it is not.

    A chart's ``baseline="baseline"`` default falls back quietly (a projection may have no
    baseline scenario); any other name the caller chose must be projected, so that a typo
    is not drawn as some other scenario.
    """
    names = list(projection.scenario_names)
    if baseline in names:
        return baseline
    if baseline == "baseline":
        return None
    raise ParameterError(
        f"`baseline` must be one of the projection's scenarios {names}; got {baseline!r}."
        f"{suggest(baseline, names) if isinstance(baseline, str) else ''} Check the spelling "
        "or leave it out.")


def scenario_list(projection, scenarios: Sequence[str] | None) -> list[str]:
    """The scenario names `scenarios` selects (None: every one), each checked."""
    if scenarios is None:
        return list(projection.scenario_names)
    names = name_list("scenarios", scenarios, "scenarios=['baseline', 'escalation']")
    return [projection.scenario_names[scenario_index(projection, n)] for n in names]


def name_list(arg: str, value: object, example: str) -> list:
    """`value` as a non-empty list of names; a bare string is refused, not split."""
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray | pd.Index):
        raise ForecastTypeError(
            f"`{arg}` must be a list of names; got {value!r} ({type(value).__name__}). "
            f"Pass e.g. {example}.", field=arg)
    if len(value) == 0:
        raise ParameterError(f"`{arg}` must name at least one; got an empty list. Pass e.g. "
                             f"{example}, or None for all.", field=arg)
    names = list(value)
    twice = [v for i, v in enumerate(names) if v in names[:i]]
    if twice:  # it would be drawn twice
        raise ParameterError(f"`{arg}` must name each once; got {twice[0]!r} more than once "
                             f"in {names!r}. Drop the repeat.", field=arg)
    return names


def one_market(projection, chart: str) -> None:
    """Refuse a MarketProjection where `chart` draws the Projection of one market.

    Its markets would otherwise be drawn end to end as one line: say which chart draws
    every market and how to take one market out.
    """
    markets = getattr(projection, "markets", None)
    if markets is None or not callable(getattr(projection, "market", None)):
        return
    names = [str(m) for m in markets]
    first = next((m for m in names if m != "ALL"), "ALL")
    raise ForecastTypeError(
        f"`projection` of {chart} must be the Projection of one market; got "
        f"{type(projection).__name__} (markets {names}). Draw every market with "
        "forecast.plotting.market_fans(mp, scenario), or one market with "
        f"{chart}(mp.market({first!r}), ...).", field="projection")


def many_markets(projection, chart: str) -> None:
    """Refuse anything but a MarketProjection in the markets chart `chart`."""
    if hasattr(projection, "markets") and hasattr(projection, "scenario_names"):
        return
    if hasattr(projection, "scenario_names"):
        raise ForecastTypeError(
            f"`projection` of {chart} must be a MarketProjection (forecast.project_markets); "
            f"got {type(projection).__name__}, the projection of one market. Draw it with "
            "forecast.plotting.fan_chart(projection, scenario) or fan_grid(projection).",
            field="projection")
    raise ForecastTypeError(
        f"`projection` of {chart} must be a MarketProjection; got "
        f"{type(projection).__name__}. Pass the result of forecast.project_markets(...).",
        field="projection")


def unit_label(unit: str) -> str:
    """Human label of a unit code: ``"USD_bn"`` -> ``"USD bn"`` (see :mod:`.names`)."""
    return unit_text(unit)


def history_kind(history) -> str:
    """``"history"`` or ``"series"``: what `history` is; a ForecastTypeError otherwise.

    Only looks at the type (no frame is built): :func:`history_parts` uses it, and the
    report checks its inputs with it before any work.
    """
    if hasattr(history, "scenario_names"):  # a Projection also has to_frame and interval
        raise ForecastTypeError(
            f"`history` must be a History or an AnnualSeries; got {type(history).__name__}. "
            "Draw a projection with fan_chart, headline_chart or comparison_chart, or pass "
            "its history: history_chart(projection.history).", field="history")
    if hasattr(history, "markets") and hasattr(history, "series"):  # a MarketHistory
        first = next((str(m) for m in history.markets if m != "ALL"), "ALL")
        raise ForecastTypeError(
            f"`history` must be the history of one market; got {type(history).__name__} "
            f"(markets {[str(m) for m in history.markets]}). Pass one market's: "
            f"history.series({first!r}), or leave `history` out.", field="history")
    if hasattr(history, "to_frame") and hasattr(history, "interval"):
        return "history"
    if hasattr(history, "years") and hasattr(history, "values"):
        return "series"
    raise ForecastTypeError(
        f"`history` must be a History or an AnnualSeries; got {type(history).__name__}. "
        "Pass forecast.reconstruct(...) or its .series."
    )


def history_parts(history):
    """(years, median, band95 or None, unit, name) from a History or an AnnualSeries."""
    if history is None:
        return None
    if history_kind(history) == "history":
        frame = history.to_frame()
        years = np.asarray(frame["year"], dtype=int)
        median = np.asarray(frame["median"], dtype=float)
        band = None
        if {"lower_95", "upper_95"} <= set(frame.columns):
            band = (np.asarray(frame["lower_95"], float), np.asarray(frame["upper_95"], float))
        return years, median, band, history.unit, getattr(history, "name", "")
    return (np.asarray(history.years, dtype=int), np.asarray(history.values, dtype=float),
            None, history.unit, history.name)


def decomposition_wide(data, scenario, value, market=None):
    """Wide frame (index year, one column per assumption) and the value column drawn.

    A frame with a ``market`` column (``MarketProjection.decompose``) is cut to `market`,
    which must be given when the frame holds several markets: summing over them would
    count every part twice (once more in ``ALL``).
    """
    frame = data.decompose(scenario) if hasattr(data, "decompose") else data
    if not isinstance(frame, pd.DataFrame):
        raise ForecastTypeError(
            f"`data` must be a Projection or the DataFrame of Projection.decompose(); got "
            f"{type(data).__name__}. Pass projection or projection.decompose(name)."
        )
    frame = _one_market_rows(frame, market)
    if "assumption" in frame.columns and "year" in frame.columns:  # long layout
        if value is None and "log_points" in frame.columns:
            value = "log_points"
        if value is None:
            numeric = [c for c in frame.columns
                       if c not in ("year", "assumption", "scenario")
                       and pd.api.types.is_numeric_dtype(frame[c])]
            if not numeric:
                raise ParameterError("the decomposition frame has no numeric column to draw; "
                                     f"got columns {list(frame.columns)}. Pass `value=`.")
            value = numeric[0]
        _check_value(frame, value)
        frame = frame[frame["assumption"].astype(str) != "total"]
        return frame.pivot_table(index="year", columns="assumption", values=value,
                                 aggfunc="sum", sort=False), value
    wide = frame.set_index("year") if "year" in frame.columns else frame
    wide = wide.drop(columns=[c for c in wide.columns if str(c) in ("total", "scenario")])
    return wide, value


def _one_market_rows(frame, market):
    """The rows of `market` (without the ``market`` column); the frame when it has none."""
    if "market" not in frame.columns:
        if market is not None:
            raise ParameterError(
                f"`market` applies to a decomposition of several markets "
                f"(MarketProjection.decompose); got market={market!r} for a frame without a "
                "market column. Leave `market` out.", field="market")
        return frame
    names = [str(m) for m in pd.unique(frame["market"])]
    if market is None:
        if len(names) > 1:
            example = "ALL" if "ALL" in names else names[0]
            raise ParameterError(
                f"`market` must name the market to draw: the decomposition has {len(names)} "
                f"markets {names}; got None. Pass e.g. market={example!r}.", field="market")
        market = names[0] if names else None
    elif str(market) not in names:
        raise ParameterError(
            f"`market` must be one of the decomposition's markets {names}; got {market!r}."
            f"{suggest(market, names) if isinstance(market, str) else ''} Pass one of them.",
            field="market")
    return frame[frame["market"].astype(str) == str(market)].drop(columns="market")


def _check_value(frame, value) -> None:
    """Refuse a `value` that is not a numeric column of the long decomposition frame."""
    allowed = [str(c) for c in frame.columns if c not in ("year", "assumption", "scenario")
               and pd.api.types.is_numeric_dtype(frame[c])]
    if value not in allowed:
        raise ParameterError(
            f"`value` must be a numeric column of the decomposition, one of {allowed}; got "
            f"{value!r}. Pass value=\"log_points\" (percent-like) or value=\"level\".",
            field="value")


def tornado_rows(frame, year):
    """Rows of one year and the names of the parameter, low, high and base columns."""
    if not isinstance(frame, pd.DataFrame):
        raise ForecastTypeError(
            f"`frame` must be the DataFrame of forecast.tornado(); got {type(frame).__name__}."
        )
    if "year" in frame.columns:
        years = sorted(int(y) for y in frame["year"].unique())
        year = years[-1] if year is None else year
        if year not in years:
            raise ParameterError(
                f"`year` must be one of the table's years {years}; got {year!r}. Pass one of "
                "them, or compute the tornado at that year.", field="year")
        frame = frame[frame["year"] == year]
    cols = {c.lower(): c for c in frame.columns}
    low = next((cols[c] for c in ("low", "at_low", "level_low", "median_low") if c in cols), None)
    high = next((cols[c] for c in ("high", "at_high", "level_high", "median_high") if c in cols),
                None)
    base = next((cols[c] for c in ("level_median", "base", "baseline", "center", "median")
                 if c in cols), None)
    par = next((cols[c] for c in ("parameter", "name") if c in cols), None)
    if low is None or high is None or par is None:
        raise ParameterError(
            "the tornado frame must have parameter, low and high columns; got "
            f"{list(frame.columns)}. Pass the frame returned by forecast.tornado()."
        )
    return frame, par, low, high, base, year
