"""Exports of a Projection to the tools people already use: xarray, IAMC (pyam), Excel.

- :func:`to_xarray`: the samples as an ``xarray.Dataset`` (the ``xarray`` extra) with
  scenario, path and year coordinates, the seed and settings as attributes;
- :func:`iamc_meta`: the meta table that goes with :meth:`Projection.to_iamc`, indexed by
  model and scenario (seed, probability, paths), as pyam keeps it;
- :func:`to_excel`: pyam's Excel layout, a ``data`` sheet (IAMC, with the history) and a
  ``meta`` sheet, plus a ``summary`` sheet (the ``excel`` extra, openpyxl).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.seals import ArchiveSeal, check_own_file, write_own
from .._keywords import checked_methods
from .._optional import require
from .._seeds import rebuild, run_seed_source
from .._validation import check_bool
from .._version import __version__
from ..errors import ForecastTypeError, ParameterError
from .summaries import check_label, iamc_frame, iamc_labels, iamc_quantiles, iamc_unit

__all__ = ["Exports", "check_excel_path", "iamc_meta", "iamc_with_history", "run_seed",
           "seed_sequence", "to_excel", "to_xarray", "write_workbook"]


#: largest int a spreadsheet or a JSON reader holds exactly (a float's 53-bit mantissa)
_EXACT_INT = 2**53


def seed_sequence(p: Any) -> np.random.SeedSequence:
    """The root SeedSequence of the run `p` (its ``seed`` with the settings' ``spawn_key``
    and ``pool_size``): ``seed=`` it reproduces the run, whatever seed it was given."""
    settings = p.settings or {}
    return rebuild(p.seed, tuple(int(k) for k in settings.get("spawn_key", ())),
                   int(settings.get("pool_size", 4)))


def run_seed(p: Any) -> int | str:
    """The seed of the run `p` as its exports show it: what reproduces the run.

    The int itself when ``seed=<int>`` repeats the run and the int is exact as a float
    (below 2**53, so Excel and JSON readers keep it); otherwise the Python source of the
    seed (:func:`forecast._seeds.seed_source`), e.g. ``"numpy.random.SeedSequence(5,
    spawn_key=(2,))"`` for a spawned child, or the digits of a fresh 128-bit entropy.
    """
    text = run_seed_source(p)
    if text.isdigit() and int(text) < _EXACT_INT:
        return int(text)
    return text


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
    attrs = {"model": p.model, "unit": p.unit, "seed": run_seed(p), "n_paths": p.n_paths,
             "chunk_size": int(p.settings.get("chunk_size", p.n_paths)),
             "forecast_version": __version__,
             "history_years": p.history.years.tolist(),
             "history_values": p.history.values.tolist()}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def iamc_meta(p: Any, model: str | None = None) -> pd.DataFrame:
    """Meta indicators per (model, scenario): seed, probability, paths, chunk size, years,
    version. The seed is :func:`run_seed`'s (an int, or the source of a SeedSequence)."""
    names = list(p.scenario_names)
    probs = list(p.probabilities) if p.probabilities is not None else [np.nan] * len(names)
    frame = pd.DataFrame({
        "model": model or p.model, "scenario": names, "probability": probs,
        "seed": [run_seed(p)] * len(names), "n_paths": p.n_paths,
        "chunk_size": int(p.settings.get("chunk_size", p.n_paths)),
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


#: what makes a workbook forecast's own: a ``meta`` sheet whose header holds this column
_OWN_COLUMN = "forecast_version"
#: the biggest workbook read to recognise it (larger ones are not forecast's exports)
_MAX_OWN_BYTES = 64 << 20


def is_own_workbook(path: Path) -> bool:
    """Whether `path` is a workbook forecast's ``to_excel`` wrote: a ``meta`` sheet whose
    first row names ``forecast_version``. Anything unreadable is not."""
    try:
        # a FIFO or a device is not ours (and reading it could block)
        if not path.is_file() or path.stat().st_size > _MAX_OWN_BYTES \
                or not zipfile.is_zipfile(path):
            return False
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            if "meta" not in book.sheetnames:
                return False
            header = next(book["meta"].iter_rows(max_row=1, values_only=True), ())
            return _OWN_COLUMN in header
        finally:
            book.close()
    except Exception:  # a file openpyxl cannot read (any error) is not ours
        return False


def _seal(caller: str) -> ArchiveSeal:
    """How a workbook forecast wrote is known, unchanged: the ZIP comment of the ``.xlsx``
    holds the SHA-256 of its parts (:class:`~forecast._io.seals.ArchiveSeal`). A workbook
    saved again by Excel or LibreOffice loses the comment, so it counts as changed; one
    with the ``meta`` sheet's mark but no comment is named as forecast's (by `caller`)."""
    return ArchiveSeal(is_own_workbook, mark=f"the 'meta' sheet with a {_OWN_COLUMN!r} "
                       f"column that {caller} writes")


def check_excel_path(path: Any, caller: str, example: str, force: Any = False) -> None:
    """Refuse, before any work, a `path` that is not an ``.xlsx`` file to write (a link, a
    folder, a missing folder, an existing workbook forecast did not write or that changed
    since, without `force`: OutputError; another suffix: ParameterError)."""
    if not isinstance(path, str | os.PathLike):
        raise ForecastTypeError(f"`path` must be a file path; got {type(path).__name__}. "
                                f"Pass e.g. {example!r}.", field="path")
    force = check_bool("force", force)
    require("openpyxl", "excel", caller)
    check_own_file(path, force=force, what="Excel workbook", seal=_seal(caller))
    if Path(path).suffix.lower() != ".xlsx":  # the file is a workbook whatever its name
        raise ParameterError(f"`path` must end in .xlsx (to_excel writes an Excel workbook); "
                             f"got {os.fspath(path)!r}. Pass e.g. {example!r}, or use "
                             "to_frame().to_csv(...) for a CSV file.", field="path")


#: First characters that make Excel read typed text as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@")


def _text_as_text(sheet: Any) -> None:
    """Store every text cell of the openpyxl worksheet `sheet` as text, value unchanged.

    openpyxl types a string by its content: one starting with ``=`` becomes a formula
    (data type ``"f"``: Excel would show ``=1+1`` as 2 and run
    ``=HYPERLINK(...)`` as a live link, and pandas reads the cell back as NaN), and one
    of Excel's error codes (``#N/A``) an error (``"e"``). Names and labels are text
    whatever they start with, so every str cell is typed ``"s"``. Text that starts like
    a formula also gets Excel's quote prefix (the style of a cell typed as ``'=1+1``),
    so that editing the cell in Excel does not turn it into a formula either; the value
    a reader gets back is the text itself, without an apostrophe.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if cell.data_type != "s" or cell.value.startswith(_FORMULA_START):
                    cell.quotePrefix = True
                cell.data_type = "s"


def write_workbook(path: Any, sheets: dict[str, pd.DataFrame], force: bool = False,
                   caller: str = "to_excel") -> Path:
    """Write `sheets` as one workbook, every text cell stored as text.

    Built in memory, then written as every other output (atomically, never through a
    link, an OSError as an OutputError naming the path), its ZIP comment holding the
    SHA-256 of its parts. A text cell holds its text whatever it starts with (``=``,
    ``+``, ``-``, ``@``, ``#N/A``): Excel shows it and never runs it as a formula, and
    ``pd.read_excel`` reads the same text back.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.xlsx`` file (checked by :func:`check_excel_path`, and here again).
    sheets : dict of str to DataFrame
        Sheet name -> table, in order; each written without its index.
    force : bool, default False
        Replace an existing file forecast did not write, or that changed since.
    caller : str, default "to_excel"
        The writer, as a message names it.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
        for sheet in xl.book.worksheets:  # before the writer saves the book on exit
            _text_as_text(sheet)
    return write_own(path, buf.getvalue(), force=force, what="Excel workbook",
                     seal=_seal(caller))


def to_excel(p: Any, path: str | os.PathLike[str], *, history: bool = True,
             quantiles: Any = (0.1, 0.9), levels: Any = (80, 95), region: str | None = None,
             variable: str | None = None, force: bool = False) -> Path:
    """Write the ``data`` (IAMC), ``meta`` and ``summary`` sheets (see Projection.to_excel)."""
    check_excel_path(path, "Projection.to_excel", "projection.xlsx", force)
    region, variable = iamc_labels(p.history, region, variable, caller="to_excel")
    data = p.to_iamc(region=region, variable=variable, quantiles=quantiles, history=history)
    return write_workbook(path, {"data": data, "meta": iamc_meta(p).reset_index(),
                                 "summary": p.summary_frame(levels)}, force,
                          "Projection.to_excel")


@checked_methods
class Exports:
    """Export methods of :class:`~forecast.Projection` (a mixin: keeps its module short)."""

    def to_iamc(
        self,
        model: str | None = None,
        region: str | None = None,
        variable: str | None = None,
        unit: str | None = None,
        quantiles: Any = (),
        history: bool = False,
    ) -> pd.DataFrame:
        """IAMC-format wide table (as read by pyam), with the median of every scenario.

        Parameters
        ----------
        model, unit : str, optional
            Defaults: the projection's model name; the unit mapped to IAMC style, every
            code ``<CUR>_<scale>`` alike (``"USD_bn"`` -> ``"billion USD/yr"``,
            ``"EUR_mn"`` -> ``"million EUR/yr"``, ``"CNY_1e8"`` -> ``"100 million
            CNY/yr"``; a unit in words is kept; a code with an unknown scale is a
            ParameterError asking for `unit`). Another type than str is a
            ForecastTypeError.
        region, variable : str, optional
            IAMC region and variable of the median rows. Default: from the projected
            series, e.g. ``"Hong Kong"`` and ``"Service Outsourcing|Offshore
            Execution|China"`` for ``forecast.reconstruct(market="HK")``; a series
            whose name does not say its market and flow needs them given.
        quantiles : float, or 1-D sequence or array of float
            Extra rows per quantile ``q`` with variable ``f"{variable}|p{100 * q:g}"``;
            a quantile given twice counts once, as in every method taking quantiles or
            levels (two that share a name, 0.1 and 0.1000001, are a ParameterError);
            0.5 adds no row (the median row is ``variable`` itself).
        history : bool, default False
            Also give the history's years (same value in every scenario's median row),
            as IAMC tables usually start from the observed years.

        Returns
        -------
        DataFrame
            Columns ``model, scenario, region, variable, unit`` then one int column per
            year; one row per scenario (and per extra quantile). The meta indicators
            (seed, probabilities) are :meth:`iamc_meta`.
        """
        extra = iamc_quantiles("quantiles", quantiles)
        history = check_bool("history", history)
        for arg, value in (("model", model), ("unit", unit)):
            check_label(arg, value)
        region, variable = iamc_labels(self.history, region, variable)
        unit = unit or iamc_unit(self.unit, "Pass the IAMC unit, e.g. "
                                 "unit='billion USD/yr'.")
        frame = iamc_frame(self, model or self.model, region, variable, unit, extra)
        return iamc_with_history(frame, self.history) if history else frame

    def iamc_meta(self, model: str | None = None) -> pd.DataFrame:
        """IAMC meta indicators, as pyam keeps them: one row per model and scenario.

        Returns
        -------
        DataFrame
            Index ``model, scenario``; columns ``probability`` (NaN without
            probabilities), ``seed``, ``n_paths``, ``chunk_size``, ``first_year``,
            ``last_year``, ``forecast_version``. ``seed`` is what reproduces the run with
            the same `n_paths` and `chunk_size`: the int seed (below 2**53), else the
            Python source of the seed, e.g. ``"numpy.random.SeedSequence(5,
            spawn_key=(2,))"`` for a spawned SeedSequence (as :attr:`seed_sequence`).
        """
        return iamc_meta(self, model)

    def to_xarray(self, *, base_log: bool = False) -> Any:
        """The samples as an ``xarray.Dataset`` (needs the ``xarray`` extra).

        Returns
        -------
        xarray.Dataset
            Variable ``level`` with dims ``(scenario, path, year)`` (and ``base_log``
            ``(path, year)`` when asked); coordinate ``probability`` along ``scenario``
            when the scenarios carry probabilities; attributes model, unit, seed
            (as in :meth:`iamc_meta`), n_paths, chunk_size, forecast_version and the
            history.
        """
        return to_xarray(self, base_log=base_log)

    def to_excel(self, path: Any, *, history: bool = True, quantiles: Any = (0.1, 0.9),
                 levels: Any = (80, 95), region: str | None = None,
                 variable: str | None = None, force: bool = False) -> Any:
        """Write an Excel workbook in pyam's layout (needs openpyxl, the ``excel`` extra).

        Sheets: ``data`` (:meth:`to_iamc` with the history and the `quantiles` rows),
        ``meta`` (:meth:`iamc_meta`) and ``summary`` (:meth:`summary_frame` at `levels`).
        The file is written atomically (complete or not at all) and never through a
        symbolic link; its ZIP comment records the SHA-256 of its parts. An existing file
        is replaced only when it is a workbook forecast wrote and nobody changed since (the
        recorded SHA-256 still matches), or with ``force=True``; any other file is left
        as it is (OutputError), as :meth:`save` treats a folder. A workbook saved again
        in Excel or LibreOffice counts as changed even if no cell was edited (the program
        writes a new file, without the comment), as does one an older version wrote.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.xlsx`` file; its folder must exist (else OutputError), and another
            suffix is a ParameterError (the file would be a workbook whatever its name).
        history : bool, default True
            Also give the history's years in the ``data`` sheet.
        quantiles : sequence of float, default (0.1, 0.9)
            Extra quantile rows of the ``data`` sheet.
        levels : sequence of float, default (80, 95)
            Interval levels of the ``summary`` sheet, in percent.
        region, variable : str, optional
            As in :meth:`to_iamc`.
        force : bool, default False
            Replace an existing file that forecast did not write, or that changed since.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        return to_excel(self, path, history=history, quantiles=quantiles, levels=levels,
                        region=region, variable=variable, force=force)

