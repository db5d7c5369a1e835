"""Exports of a Projection to the tools people already use: xarray, IAMC (pyam), Excel.

- :func:`to_xarray`: the samples as an ``xarray.Dataset`` (the ``xarray`` extra) with
  scenario, path and year coordinates, the seed and settings as attributes;
- :func:`iamc_meta`: the meta table that goes with :meth:`Projection.to_iamc`, indexed by
  model and scenario (seed, probability, paths), as pyam keeps it;
- :func:`to_excel`: pyam's Excel layout, a ``data`` sheet (IAMC, with the history) and a
  ``meta`` sheet, plus a ``summary`` sheet (the ``excel`` extra, openpyxl).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._optional import require
from .._version import __version__
from ..errors import ForecastTypeError

__all__ = ["iamc_meta", "iamc_with_history", "to_excel", "to_xarray"]


def to_xarray(p: Any, *, base_log: bool = False) -> Any:
    """The samples as an ``xarray.Dataset`` (see :meth:`Projection.to_xarray`)."""
    xr = require("xarray", "xarray", "Projection.to_xarray")
    coords: dict[str, Any] = {"scenario": list(p.scenario_names),
                              "path": np.arange(p.n_paths), "year": p.years}
    data: dict[str, Any] = {"level": (("scenario", "path", "year"), np.array(p.samples),
                                      {"units": p.unit, "long_name": "projected level"})}
    if p.probabilities is not None:
        coords["probability"] = ("scenario", list(p.probabilities))
    if base_log:
        data["base_log"] = (("path", "year"), np.array(p.base_log),
                            {"long_name": "baseline log level before scenario effects"})
    seed = p.seed if isinstance(p.seed, int) else list(p.seed)
    attrs = {"model": p.model, "unit": p.unit, "seed": str(seed), "n_paths": p.n_paths,
             "forecast_version": __version__,
             "history_years": p.history.years.tolist(),
             "history_values": p.history.values.tolist()}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def iamc_meta(p: Any, model: str | None = None) -> pd.DataFrame:
    """Meta indicators per (model, scenario): seed, probability, paths, years, version."""
    names = list(p.scenario_names)
    probs = list(p.probabilities) if p.probabilities is not None else [np.nan] * len(names)
    seed = p.seed if isinstance(p.seed, int) else " ".join(map(str, p.seed))
    frame = pd.DataFrame({
        "model": model or p.model, "scenario": names, "probability": probs,
        "seed": str(seed), "n_paths": p.n_paths,
        "first_year": int(p.years[0]), "last_year": int(p.years[-1]),
        "forecast_version": __version__,
    })
    return frame.set_index(["model", "scenario"])


def iamc_with_history(frame: pd.DataFrame, history: Any) -> pd.DataFrame:
    """Add the history's years as columns of the median rows (quantile rows stay empty)."""
    years = [int(y) for y in history.years if int(y) not in frame.columns]
    if not years:
        return frame
    lead = [c for c in frame.columns if not isinstance(c, int | np.integer)]
    proj_years = [c for c in frame.columns if isinstance(c, int | np.integer)]
    hist = pd.DataFrame(np.nan, index=frame.index, columns=years)
    median_rows = ~frame["variable"].astype(str).str.contains(r"\|p\d", regex=True)
    values = dict(zip(history.years.tolist(), history.values.tolist(), strict=True))
    for y in years:
        hist.loc[median_rows, y] = values[y]
    return pd.concat([frame[lead], hist, frame[proj_years]], axis=1)


def to_excel(p: Any, path: str | os.PathLike[str], *, history: bool = True,
             quantiles: Any = (0.1, 0.9), levels: Any = (80, 95)) -> Path:
    """Write the ``data`` (IAMC), ``meta`` and ``summary`` sheets (see Projection.to_excel)."""
    if not isinstance(path, str | os.PathLike):
        raise ForecastTypeError(f"`path` must be a file path; got {type(path).__name__}. "
                                "Pass e.g. 'projection.xlsx'.")
    require("openpyxl", "excel", "Projection.to_excel")
    path = Path(path)
    data = p.to_iamc(quantiles=quantiles, history=history)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        data.to_excel(xl, sheet_name="data", index=False)
        iamc_meta(p).reset_index().to_excel(xl, sheet_name="meta", index=False)
        p.summary_frame(levels).to_excel(xl, sheet_name="summary", index=False)
    return path
