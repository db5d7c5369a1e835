"""Exports of a MarketProjection to xarray and Excel, as :mod:`forecast.projection.exports`
does for one market.

- :func:`to_xarray`: the samples as an ``xarray.Dataset`` with scenario, market, path and
  year coordinates (and the reconstructed history of every part), the seed and settings
  as attributes;
- :func:`to_excel`: pyam's Excel layout, a ``data`` sheet (IAMC: one region per market,
  the history in the median rows, shares in percent), a ``meta`` sheet, and ``summary``
  and ``shares`` sheets (the ``excel`` extra, openpyxl).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._optional import require
from .._validation import check_bool
from .._version import __version__
from ..history.markets import TOTAL
from ..projection.exports import check_excel_path, iamc_meta, run_seed, write_workbook
from ..projection.summaries import IAMC_REGIONS

__all__ = ["REGIONS", "to_excel", "to_xarray", "with_history"]

#: IAMC region of each market code (other codes are used as they are)
REGIONS = {**IAMC_REGIONS, "ROW": "Rest of the World", TOTAL: "World"}


def to_xarray(p: Any, *, base_log: bool = False) -> Any:
    """The samples as an ``xarray.Dataset`` (see :meth:`MarketProjection.to_xarray`)."""
    xr = require("xarray", "xarray", "MarketProjection.to_xarray")
    base_log = check_bool("base_log", base_log)
    hist = p.history
    coords: dict[str, Any] = {"scenario": list(p.scenario_names), "market": list(p.parts),
                              "path": np.arange(p.n_paths), "year": p.years,
                              "history_year": np.asarray(hist.years, dtype=np.int64)}
    history = np.stack([np.asarray(hist.series(m).values, dtype=float) for m in p.parts])
    data: dict[str, Any] = {
        "level": (("scenario", "market", "path", "year"), np.array(p.samples),
                  {"units": p.unit, "long_name": "projected level"}),
        "history": (("market", "history_year"), history,
                    {"units": p.unit, "long_name": "reconstructed level (median)"}),
    }
    if p.probabilities is not None:
        coords["probability"] = ("scenario", list(p.probabilities))
    if base_log:
        coords["coordinate"] = ["total", *[f"{m}/ROW" for m in p.parts[:-1]]]
        data["base_log"] = (("coordinate", "path", "year"), np.array(p.base_log),
                            {"long_name": "baseline log total and log ratios to ROW "
                                          "before scenario effects"})
    attrs = {"model": p.model, "unit": p.unit, "seed": run_seed(p), "n_paths": p.n_paths,
             "chunk_size": int(p.settings.get("chunk_size", p.n_paths)),
             "forecast_version": __version__, "total": TOTAL,
             "target": str(p.settings.get("target", "US"))}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def with_history(frame: pd.DataFrame, p: Any, variable: str) -> pd.DataFrame:
    """Add the history's years to the median level rows of every region (the quantile and
    share rows stay empty there), as :func:`forecast.projection.exports.iamc_with_history`."""
    hist = p.history
    years = [int(y) for y in hist.years if int(y) not in frame.columns]
    if not years:
        return frame
    lead = [c for c in frame.columns if not isinstance(c, int | np.integer)]
    proj_years = [c for c in frame.columns if isinstance(c, int | np.integer)]
    past = pd.DataFrame(np.nan, index=frame.index, columns=years)
    values = {m: dict(zip(hist.years.tolist(), hist.series(m).values.tolist(), strict=True))
              for m in p.markets}
    for m, region in zip(p.markets, _regions(p), strict=True):
        rows = (frame["region"] == region) & (frame["variable"] == variable)
        for y in years:
            past.loc[rows, y] = values[m][y]
    return pd.concat([frame[lead], past, frame[proj_years]], axis=1)


def _regions(p: Any) -> list[str]:
    """The IAMC region of every market, in :attr:`MarketProjection.markets` order."""
    return [REGIONS.get(m, m) for m in p.markets]


def to_excel(p: Any, path: str | os.PathLike[str], *, history: bool = True,
             quantiles: Any = (0.1, 0.9), levels: Any = (80, 95), shares: bool = True,
             variable: str | None = None, force: bool = False) -> Path:
    """Write the ``data``, ``meta``, ``summary`` and ``shares`` sheets (see
    :meth:`MarketProjection.to_excel`)."""
    check_excel_path(path, "MarketProjection.to_excel", "markets.xlsx", force)
    history = check_bool("history", history)
    shares = check_bool("shares", shares)
    data = p.to_iamc(variable=variable, quantiles=quantiles, shares=shares, history=history)
    sheets = {"data": data, "meta": iamc_meta(p).reset_index(),
              "summary": p.summary_frame(levels)}
    if shares:
        sheets["shares"] = p.summary_frame(levels, share=True)
    return write_workbook(path, sheets, force, "MarketProjection.to_excel")
