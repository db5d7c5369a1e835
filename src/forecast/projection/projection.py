"""Projection: the sample paths of a Monte Carlo run and every summary derived from them.

Samples are the truth; quantiles, intervals, differences and decompositions are computed
on request and never stored. See ``docs/results.md`` for every method and its columns.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._keywords import checked_init, checked_methods
from .._seeds import run_seed_source
from .._validation import (
    LevelsLike,
    ScenarioNames,
    band_probs,
    check_level,
    check_quantile_list,
    check_unique,
    rebuild_frozen,
)
from ..errors import DataError, ForecastError, ForecastTypeError, ParameterError, ScenarioError
from ..records.schema import suggest
from ..series import AnnualSeries
from . import files as _files
from .checks import check_projection
from .exports import Exports, seed_sequence
from .queries import Queries
from .summaries import (
    column_quantiles,
    level_quantiles,
    long_frame,
    quantile_labels,
    summary_stats,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes  # the `plot` extra: for type checkers only

__all__ = ["Projection"]

DEFAULT_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False, repr=False)
class Projection(Queries, Exports):
    """Sample paths of the projected level under each scenario (made by :func:`project`).

    Attributes
    ----------
    years : ndarray of int64, shape (h,)
        Projected years, ``history.last_year + 1`` onwards.
    scenario_names : tuple of str
        Scenario names, in the order of the first axis of `samples`.
    samples : ndarray, shape (n_scenarios, n_paths, h)
        Simulated levels (read-only). Path ``j`` of every scenario shares the same
        baseline draws (common random numbers).
    base_log : ndarray, shape (n_paths, h)
        The baseline model's log paths before any scenario effect (read-only); with the
        seed and the scenarios they let :meth:`decompose` recompute each assumption.
    center : ndarray, shape (h,)
        The model's point forecast of the log level.
    history : AnnualSeries
        The series the model was fitted on.
    seed : int or tuple of int
        Entropy of the root SeedSequence. For a run seeded with an int it is that int;
        for a spawned SeedSequence (or another pool size) the settings' ``spawn_key``
        and ``pool_size`` complete it: :attr:`seed_sequence` rebuilds the exact root, and
        ``project(..., seed=proj.seed_sequence)`` reproduces any run.
    model, unit : str
        Model name and unit of the levels (e.g. ``"USD_bn"``).
    probabilities : tuple of float or None
        Scenario probabilities (from a ScenarioSet), used by :meth:`mixture`.
    scenarios : tuple of Scenario or None
        The scenario definitions (None when they could not be restored from a file).
    settings : mapping
        n_paths, chunk_size, n_chunks, horizon, last_year, spawn_key, pool_size, versions,
        and how the fit was made: ``model_spec`` (``ModelSpec.call_text``, e.g.
        ``"Drift(scale='log')"``), ``fit_data`` (``"history"`` or ``"series"``) and
        ``fit_seed`` (a History fit's ``Fit.seed``: an int, or for a seed that is not an
        int's, ``{"entropy", "spawn_key", "pool_size"}``) and ``fit_source`` (what that
        History measures: ``market``, ``flow``, ``segment``, ``currency``).

    Examples
    --------
    >>> proj = _example()
    >>> proj
    Projection(model='Drift', scenarios=[baseline, down] (2), n_paths=50, years=2026-2028, \
unit='USD_bn', seed=0)
    >>> proj.samples.shape
    (2, 50, 3)
    """

    years: np.ndarray
    scenario_names: tuple[str, ...]
    samples: np.ndarray
    base_log: np.ndarray
    center: np.ndarray
    history: AnnualSeries
    seed: int | tuple[int, ...]
    model: str
    unit: str = "USD_bn"
    probabilities: tuple[float, ...] | None = None
    scenarios: tuple[Any, ...] | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in check_projection(self).items():
            object.__setattr__(self, name, value)
        # summaries of the (read-only) samples, computed once; not a field: never saved
        object.__setattr__(self, "_summary_cache", {})

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuild through __init__ so that arrays come back read-only and validated, and
        # kept, not copied (this is for executors and copies between processes; files use
        # save/load, never pickle)
        return rebuild_frozen, (type(self), {f.name: getattr(self, f.name)
                                      for f in dataclasses.fields(self)})

    # ------------------------------------------------------------------ basics
    @property
    def n_paths(self) -> int:
        """Number of paths per scenario."""
        return int(self.samples.shape[1])

    @property
    def horizon(self) -> int:
        """Number of projected years."""
        return int(self.years.size)

    @property
    def seed_sequence(self) -> np.random.SeedSequence:
        """The run's root SeedSequence (a fresh one each time, never advanced by the run).

        ``project(fit, scenarios, ..., seed=proj.seed_sequence)`` with the same fit,
        scenarios, `n_paths` and `chunk_size` reproduces the samples, for an int seed and
        for a spawned SeedSequence alike (``seed=proj.seed`` only for an int seed).
        """
        return seed_sequence(self)

    def __repr__(self) -> str:
        names = ", ".join(self.scenario_names[:4]) + (", ..." if len(self.scenario_names) > 4
                                                     else "")
        return (
            f"Projection(model={self.model!r}, scenarios=[{names}] ({len(self.scenario_names)}),"
            f" n_paths={self.n_paths}, years={self.years[0]}-{self.years[-1]}, "
            f"unit={self.unit!r}, seed={run_seed_source(self)})"
        )

    def _index(self, scenario: object, arg: str = "scenario") -> int:
        if not isinstance(scenario, str):
            raise ForecastTypeError(
                f"`{arg}` must be a scenario name (str); got {scenario!r}. Pass one of "
                f"{list(self.scenario_names)}."
            )
        if scenario not in self.scenario_names:
            raise ScenarioError(
                f"`{arg}` must name a projected scenario; got {scenario!r}."
                f"{suggest(scenario, self.scenario_names)} This projection has "
                f"{list(self.scenario_names)}."
            )
        return self.scenario_names.index(scenario)

    def _selection(self, scenario: object) -> list[int]:
        """Indices of the scenarios `scenario` selects: None (all), a name or a list of names.

        The one check of every method's ``scenario=``: a list must name at least one
        projected scenario, each once (a repeated name would repeat its rows).
        """
        if scenario is None:
            return list(range(len(self.scenario_names)))
        if isinstance(scenario, Sequence) and not isinstance(scenario, str):
            if len(scenario) == 0:
                raise ParameterError(
                    f"`scenario` must name at least one scenario; got {scenario!r}. Pass e.g. "
                    f"scenario={self.scenario_names[0]!r} or leave it out (all scenarios).",
                    field="scenario")
            idx = [self._index(s) for s in scenario]
            check_unique(scenario, "the names in `scenario`",
                         f"Pass each scenario once; got scenario={scenario!r}.", field="scenario")
            return idx
        return [self._index(scenario)]

    def _samples(self, idx: list[int]) -> np.ndarray:
        """Samples of the selected scenarios: a view when they are contiguous."""
        if idx and idx == list(range(idx[0], idx[-1] + 1)):
            return self.samples[idx[0]:idx[-1] + 1]
        return self.samples[idx]

    # ------------------------------------------------------------------ quantiles
    def quantiles(self, q: float | Sequence[float] | np.ndarray,
                  scenario: ScenarioNames = None) -> pd.DataFrame:
        """Quantiles of the level per scenario and year.

        Parameters
        ----------
        q : float, or 1-D sequence or array of float
            Probabilities in [0, 1]; a repeat counts once (order kept), as a repeated
            level does in every method taking levels.
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, quantile, value``, sorted by scenario (projection
            order) and year; the quantiles of a year in the order given.

        Examples
        --------
        >>> proj = _example()
        >>> proj.quantiles([0.1, 0.9], "baseline").columns.tolist()
        ['scenario', 'year', 'quantile', 'value']
        """
        q = check_quantile_list("q", q)
        idx = self._selection(scenario)
        probs = tuple(q.tolist())
        vals = np.stack([level_quantiles(self, i, probs) for i in idx], axis=1)  # (nq, n_sel, h)
        h, nq = self.horizon, q.size
        return pd.DataFrame({
            "scenario": np.repeat(np.array([self.scenario_names[i] for i in idx], dtype=object),
                                  h * nq),
            "year": np.tile(np.repeat(self.years, nq), len(idx)),
            "quantile": np.tile(q, len(idx) * h),
            "value": np.moveaxis(vals, 0, -1).reshape(-1),
        })

    def interval(self, level: float = 80, scenario: ScenarioNames = None) -> pd.DataFrame:
        """Central prediction interval of the level.

        Parameters
        ----------
        level : float, default 80
            Percentage in (0, 100) (80, not 0.8).
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, lower, upper``.

        Examples
        --------
        >>> _example().interval(80, "baseline").columns.tolist()
        ['scenario', 'year', 'lower', 'upper']
        """
        lv = check_level("level", level)
        idx = self._selection(scenario)
        probs = band_probs(lv)
        lo, hi = np.stack([level_quantiles(self, i, probs) for i in idx], axis=1)
        return long_frame(self, idx, {"lower": lo, "upper": hi})

    def summary_frame(self, levels: LevelsLike = (80, 95),
                      scenario: ScenarioNames = None) -> pd.DataFrame:
        """Mean, median and central intervals of the level per scenario and year.

        Parameters
        ----------
        levels : float, or 1-D sequence or array of float, default (80, 95)
            Interval levels in percent, each in (0, 100); sorted, a repeat counts once.
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, median, lower_80, upper_80, lower_95,
            upper_95`` (one lower/upper pair per level, named by six significant digits,
            ``f"{level:g}"``: a level named as another number is a ParameterError).

        Examples
        --------
        >>> _example().summary_frame(levels=80).columns.tolist()
        ['scenario', 'year', 'mean', 'median', 'lower_80', 'upper_80']
        """
        return summary_stats(self, self._selection(scenario), levels)

    def to_frame(self, quantiles: Sequence[float] | np.ndarray = DEFAULT_QUANTILES,
                 ) -> pd.DataFrame:
        """Long frame of quantiles, one row per model, scenario, year and quantile.

        Parameters
        ----------
        quantiles : sequence of float, default (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            Probabilities in [0, 1].

        Returns
        -------
        DataFrame
            Columns ``model, scenario, year, quantile, value``.

        Examples
        --------
        >>> _example().to_frame([0.5]).head(2)
           model  scenario  year  quantile      value
        0  Drift  baseline  2026       0.5  31.110356
        1  Drift  baseline  2027       0.5  31.767159
        """
        check_quantile_list("quantiles", quantiles)  # named as the caller knows it
        df = self.quantiles(quantiles)
        df.insert(0, "model", self.model)
        return df

    def to_wide(self, quantiles: Sequence[float] | np.ndarray = DEFAULT_QUANTILES,
                ) -> pd.DataFrame:
        """One row per scenario and year with the mean and one column per quantile.

        Parameters
        ----------
        quantiles : sequence of float, default (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            Probabilities in [0, 1] (a repeat counts once; two that share a column name,
            such as 0.1 and 0.1000001, are a ParameterError).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, p5, p10, p25, p50, p75, p90, p95`` (quantile
            ``q`` is named ``f"p{100 * q:g}"``).

        Examples
        --------
        >>> _example().to_wide([0.1, 0.9]).columns.tolist()
        ['scenario', 'year', 'mean', 'p10', 'p90']
        """
        q = check_quantile_list("quantiles", quantiles)
        labels = quantile_labels("quantiles", q)  # a repeated quantile would hide a column
        idx = self._selection(None)
        vals = column_quantiles(self.samples, q)
        stats = {"mean": self.samples.mean(axis=1)}
        stats.update({lab: vals[k] for k, lab in enumerate(labels)})
        return long_frame(self, idx, stats)

    # ------------------------------------------------------------------ faces
    def plot(self, scenario: str | None = None, **kwargs: Any) -> Axes:
        """Draw the fan chart of one scenario; see :func:`forecast.plotting.fan_chart`.

        A convenience for interactive use: the one place where the projection stage
        reaches a face. For the HTML report use
        ``forecast.report.write_report(projection, path)``.

        Parameters
        ----------
        scenario : str, optional
            The name of the scenario drawn (default: the first); a name, as every other
            method takes it, not a position.
        **kwargs
            Passed to :func:`forecast.plotting.fan_chart` (``history``, ``levels``, ``ax``).

        Returns
        -------
        matplotlib.axes.Axes
            Needs the ``plot`` extra; ``plt.show`` is never called.
        """
        if scenario is not None:  # a name, as every method takes it (not fan_chart's position)
            self._index(scenario)
        # lazy, and the only import of a face here: plotting is a later stage (and needs
        # matplotlib); a convenience method, as pandas' and xarray's .plot are
        from ..plotting import fan_chart

        return fan_chart(self, scenario, **kwargs)

    # ------------------------------------------------------------------ files
    def save(self, directory: str | os.PathLike[str], format: str = "parquet", *,
             force: bool = False) -> pathlib.Path:
        """Write the projection to the folder `directory` atomically; returns its Path.

        Samples and baseline log paths go to ``samples.parquet`` and ``base_log.parquet``
        (``.csv`` with ``format="csv"``, or when pyarrow is missing); everything else,
        with the SHA-256 of each data file, to ``metadata.json``; the scenarios to
        ``scenarios.toml``. No pickle. The folder is swapped in whole when complete; one
        forecast did not write is replaced only with ``force=True`` (else OutputError,
        as for a full disk or a link: nothing changes). See ``docs/reliability.md``.

        Parameters
        ----------
        directory : str or os.PathLike
            The folder to write; missing parent folders are created.
        format : {"parquet", "csv"}, default "parquet"
            Format of the two data files.
        force : bool, default False
            Replace a folder forecast did not write (and everything in it).

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "my run"
        >>> _ = _example().save(folder, format="csv")
        >>> sorted(p.name for p in folder.iterdir())
        ['.forecast-output.json', 'base_log.csv', 'metadata.json', 'samples.csv']
        >>> Projection.load(folder).samples.shape
        (2, 50, 3)
        """
        return _files.save(self, directory, format, force)

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Projection:
        """Read a projection written by :meth:`save`, verifying every file (else DataError).

        Only the files of the format are read, inside `directory`, never through a link;
        each must match the SHA-256 recorded in ``metadata.json``.

        Parameters
        ----------
        directory : str or os.PathLike
            A folder written by :meth:`save` (by this or an earlier version of the file
            format; a newer one is refused with a DataError).

        Returns
        -------
        Projection
            Bit-identical samples; ``scenarios`` restored from ``scenarios.toml``.
        """
        fields = _files.read_fields(directory)
        try:
            return cls(**fields)
        except ForecastError as exc:
            raise DataError(f"{directory} does not hold a valid projection: {exc} Save the "
                            "projection again.") from None


def _example() -> Projection:
    """A tiny hand-made projection for doctests (no model, no scenarios module needed)."""
    rng = np.random.default_rng(0)
    base = np.log(30.0) + np.cumsum(rng.normal(0.05, 0.1, (50, 3)), axis=1)
    down = base + np.log(0.9) + np.cumsum(rng.normal(-0.04, 0.02, (50, 3)), axis=1)
    return Projection(
        years=np.array([2026, 2027, 2028]), scenario_names=("baseline", "down"),
        samples=np.exp(np.stack([base, down])), base_log=base, center=base.mean(axis=0),
        history=AnnualSeries([2024, 2025], [28.0, 30.0]), seed=0, model="Drift",
        settings={"n_paths": 50, "chunk_size": 50}, )

