"""Projection: the sample paths of a Monte Carlo run and every summary derived from them.

Samples are the truth; quantiles, intervals, differences and decompositions are computed
on request and never stored. See ``docs/results.md`` for every method and its columns.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_float, check_level, check_levels, check_quantiles
from ..errors import DataError, ForecastError, ForecastTypeError, ParameterError, ScenarioError
from ..series import AnnualSeries
from . import files as _files
from .checks import check_projection
from .decompose import decompose as _decompose
from .exports import Exports
from .summaries import (
    column_quantiles,
    first_year_frame,
    level_stats,
    long_frame,
    mixture_samples,
    summary_row,
    summary_stats,
    year_index,
)

__all__ = ["Projection"]

DEFAULT_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


@dataclass(frozen=True, eq=False, repr=False)
class Projection(Exports):
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
        Entropy of the root SeedSequence; ``project(..., seed=seed)`` reproduces the run.
    model, unit : str
        Model name and unit of the levels (e.g. ``"USD_bn"``).
    probabilities : tuple of float or None
        Scenario probabilities (from a ScenarioSet), used by :meth:`mixture`.
    scenarios : tuple of Scenario or None
        The scenario definitions (None when they could not be restored from a file).
    settings : mapping
        n_paths, chunk_size, n_chunks, horizon, last_year, spawn_key, pool_size, versions.

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
        # rebuild through __init__ so that arrays come back read-only and validated (this
        # is for executors and copies between processes; files use save/load, never pickle)
        return type(self), tuple(getattr(self, f.name) for f in dataclasses.fields(self))

    # ------------------------------------------------------------------ basics
    @property
    def n_paths(self) -> int:
        """Number of paths per scenario."""
        return int(self.samples.shape[1])

    @property
    def horizon(self) -> int:
        """Number of projected years."""
        return int(self.years.size)

    def __repr__(self) -> str:
        names = ", ".join(self.scenario_names[:4]) + (", ..." if len(self.scenario_names) > 4
                                                     else "")
        return (
            f"Projection(model={self.model!r}, scenarios=[{names}] ({len(self.scenario_names)}),"
            f" n_paths={self.n_paths}, years={self.years[0]}-{self.years[-1]}, "
            f"unit={self.unit!r}, seed={self.seed!r})"
        )

    def _index(self, scenario: object, arg: str = "scenario") -> int:
        if not isinstance(scenario, str):
            raise ForecastTypeError(
                f"`{arg}` must be a scenario name (str); got {scenario!r}. Pass one of "
                f"{list(self.scenario_names)}."
            )
        if scenario not in self.scenario_names:
            raise ScenarioError(
                f"`{arg}` must name a projected scenario; got {scenario!r}. This projection "
                f"has {list(self.scenario_names)}."
            )
        return self.scenario_names.index(scenario)

    def _selection(self, scenario: object) -> list[int]:
        if scenario is None:
            return list(range(len(self.scenario_names)))
        if isinstance(scenario, Sequence) and not isinstance(scenario, str):
            return [self._index(s) for s in scenario]
        return [self._index(scenario)]

    def _samples(self, idx: list[int]) -> np.ndarray:
        """Samples of the selected scenarios: a view when they are contiguous."""
        if idx and idx == list(range(idx[0], idx[-1] + 1)):
            return self.samples[idx[0]:idx[-1] + 1]
        return self.samples[idx]

    # ------------------------------------------------------------------ quantiles
    def quantiles(self, q: Any, scenario: Any = None) -> pd.DataFrame:
        """Quantiles of the level per scenario and year.

        Parameters
        ----------
        q : float or sequence of float
            Probabilities in [0, 1].
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, quantile, value``, sorted by scenario (projection
            order), year and quantile.

        Examples
        --------
        >>> proj = _example()
        >>> proj.quantiles([0.1, 0.9], "baseline").columns.tolist()
        ['scenario', 'year', 'quantile', 'value']
        """
        q = check_quantiles("q", q)
        idx = self._selection(scenario)
        probs = tuple(q.tolist())
        vals = np.stack([level_stats(self, i, probs)[1] for i in idx], axis=1)  # (nq, n_sel, h)
        h, nq = self.horizon, q.size
        return pd.DataFrame({
            "scenario": np.repeat(np.array([self.scenario_names[i] for i in idx], dtype=object),
                                  h * nq),
            "year": np.tile(np.repeat(self.years, nq), len(idx)),
            "quantile": np.tile(q, len(idx) * h),
            "value": np.moveaxis(vals, 0, -1).reshape(-1),
        })

    def interval(self, level: float = 80, scenario: Any = None) -> pd.DataFrame:
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
        probs = (0.5 - lv / 200, 0.5 + lv / 200)
        lo, hi = np.stack([level_stats(self, i, probs)[1] for i in idx], axis=1)
        return long_frame(self, idx, {"lower": lo, "upper": hi})

    def summary_frame(self, levels: Any = (80, 95), scenario: Any = None) -> pd.DataFrame:
        """Mean, median and central intervals of the level per scenario and year.

        Parameters
        ----------
        levels : float or sequence of float, default (80, 95)
            Interval levels in percent, each in (0, 100).
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, median, lower_80, upper_80, lower_95,
            upper_95`` (one lower/upper pair per level, named with ``f"{level:g}"``).

        Examples
        --------
        >>> _example().summary_frame(levels=80).columns.tolist()
        ['scenario', 'year', 'mean', 'median', 'lower_80', 'upper_80']
        """
        return summary_stats(self, self._selection(scenario), levels)

    def to_frame(self, quantiles: Any = DEFAULT_QUANTILES) -> pd.DataFrame:
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
        check_quantiles("quantiles", quantiles)  # named as the caller knows it
        df = self.quantiles(quantiles)
        df.insert(0, "model", self.model)
        return df

    def to_wide(self, quantiles: Any = DEFAULT_QUANTILES) -> pd.DataFrame:
        """One row per scenario and year with the mean and one column per quantile.

        Parameters
        ----------
        quantiles : sequence of float, default (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            Probabilities in [0, 1].

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
        q = check_quantiles("quantiles", quantiles)
        idx = self._selection(None)
        vals = column_quantiles(self.samples, q)
        stats = {"mean": self.samples.mean(axis=1)}
        stats.update({f"p{100 * p:g}": vals[k] for k, p in enumerate(q)})
        return long_frame(self, idx, stats)

    # ------------------------------------------------------------------ scenarios
    def mixture(self, name: str = "mixture") -> Projection:
        """The probability-weighted pool of scenario paths, as a one-scenario Projection.

        Scenario ``s`` contributes ``round(p_s * n_paths)`` paths (largest remainders);
        the pool takes consecutive blocks of path numbers, so it uses every baseline draw
        once and the mixture keeps ``n_paths`` paths. No new random numbers are drawn.

        Parameters
        ----------
        name : str, default "mixture"
            Name of the pooled scenario.

        Returns
        -------
        Projection
            One scenario named `name`; ``settings["mixture"]`` gives the paths per scenario.

        Examples
        --------
        >>> import dataclasses
        >>> weighted = dataclasses.replace(_example(), probabilities=(0.8, 0.2))
        >>> weighted.mixture().settings["mixture"]
        {'baseline': 40, 'down': 10}
        """
        if self.probabilities is None:
            raise ScenarioError(
                "a mixture needs scenario probabilities; got none. Project a "
                "ScenarioSet(scenarios, probabilities=[...]) to weight the scenarios."
            )
        pooled, counts = mixture_samples(self.samples, self.probabilities)
        settings = dict(self.settings)
        settings["mixture"] = dict(zip(self.scenario_names, counts.tolist(), strict=True))
        settings["scenarios_unavailable"] = (
            "a mixture pools paths of several scenarios; decompose the scenarios of the "
            "projection it was made from")
        return dataclasses.replace(self, scenario_names=(name,), samples=pooled,
                                   probabilities=None, scenarios=None, settings=settings)

    def difference(self, baseline: str = "baseline", levels: Any = (80, 95),
                   scenarios: Sequence[str] | None = None) -> pd.DataFrame:
        """Per-path differences to the baseline scenario, summarised (common random numbers).

        Path ``j`` of each scenario and of the baseline share their baseline draws, so
        the difference is computed path by path and its spread is the scenario's own.
        `scenarios` limits the rows to these scenarios (default: every one but the
        baseline), in the order given.

        Parameters
        ----------
        baseline : str, default "baseline"
            The scenario subtracted.
        levels : float or sequence of float, default (80, 95)
            Interval levels in percent.
        scenarios : sequence of str, optional
            The scenarios compared with the baseline (default: all the others).

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, median, lower_80, upper_80, lower_95,
            upper_95`` (level difference, in the projection's unit), the same with suffix
            ``_pct`` (percent difference ``100 * (level / baseline - 1)``), and
            ``prob_below`` (share of paths below the baseline). Baseline rows excluded.

        Examples
        --------
        >>> d = _example().difference("baseline", levels=80)
        >>> d[["scenario", "year", "median_pct", "prob_below"]].round(2)
          scenario  year  median_pct  prob_below
        0     down  2026      -13.88         1.0
        1     down  2027      -17.07         1.0
        2     down  2028      -20.86         1.0
        """
        b = self._index(baseline, "baseline")
        if scenarios is None:
            idx = [i for i in range(len(self.scenario_names)) if i != b]
        elif isinstance(scenarios, str) or not isinstance(scenarios, Sequence):
            raise ForecastTypeError(
                f"`scenarios` must be a list of scenario names; got {scenarios!r}. Pass "
                "e.g. scenarios=['escalation'].")
        else:
            idx = [self._index(n, "scenarios") for n in scenarios]
            if b in idx:
                raise ScenarioError(
                    f"`scenarios` must not contain the baseline {baseline!r}: its difference "
                    "to itself is zero. Leave it out.")
        if not idx:
            raise ScenarioError(
                f"`difference` needs at least one scenario besides the baseline {baseline!r}; "
                "got only the baseline. Project more scenarios.")
        levels = check_levels("levels", levels)
        return pd.concat([self._difference_rows(b, i, levels) for i in idx],
                         ignore_index=True)

    def _difference_rows(self, b: int, i: int, levels: tuple[float, ...]) -> pd.DataFrame:
        """:meth:`difference`'s rows of scenario `i`, computed once per projection."""
        key = ("difference", b, i, levels)
        out = self._summary_cache.get(key)
        if out is None:
            base = self.samples[b]
            diff = summary_stats(self, [i], levels, lambda x: x - base)
            pct = summary_stats(self, [i], levels, lambda x: 100.0 * (x / base - 1.0), "_pct")
            out = pd.concat([diff, pct.iloc[:, 2:]], axis=1)
            out["prob_below"] = (self.samples[i] < base).mean(axis=0)
            self._summary_cache[key] = out
        return out.copy()

    def decompose(self, scenario: str, baseline: str = "baseline") -> pd.DataFrame:
        """Per-year, per-assumption contributions to the gap between a scenario and baseline.

        Contributions sum exactly (to rounding) to the gap in both columns; the rule is
        documented in ``docs/results.md`` and :mod:`forecast.projection.decompose`. It
        needs the scenario definitions (``scenarios``), which :func:`forecast.project`
        and :meth:`load` keep.

        Parameters
        ----------
        scenario : str
            The scenario whose gap is decomposed.
        baseline : str, default "baseline"
            The scenario it is compared with.

        Returns
        -------
        DataFrame
            Columns ``year, assumption, log_points, level``: ``log_points`` is 100 x the
            mean over paths of the assumption's log effect (its part of the mean log gap),
            ``level`` its share of the mean level gap in the projection's unit.
            Assumptions only in the baseline appear with the opposite sign.

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12, 13, 15, 16, 18, 20, 21, 24])
        >>> cut = forecast.Scenario("cut", [forecast.LevelShift(start=2026, size=-0.1)])
        >>> proj = forecast.project(forecast.Drift().fit(s), [forecast.Scenario("baseline"), cut],
        ...                         to=2027, n_paths=100, seed=1)
        >>> proj.decompose("cut").round(2)
           year   assumption  log_points  level
        0  2025  level_shift         0.0   0.00
        1  2026  level_shift       -10.0  -2.73
        2  2027  level_shift       -10.0  -2.96
        """
        key = ("decompose", scenario, baseline)
        if isinstance(scenario, str) and isinstance(baseline, str) and key in self._summary_cache:
            return self._summary_cache[key].copy()
        out = _decompose(self, scenario, baseline)  # validates both names
        self._summary_cache[key] = out
        return out.copy()

    # ------------------------------------------------------------------ events
    def prob_above(self, value: float, year: int, scenario: str | None = None) -> Any:
        """Probability that the level exceeds `value` in `year`.

        Parameters
        ----------
        value : float
            Level in the projection's unit, > 0.
        year : int
            A projected year.
        scenario : str, sequence of str or None
            One scenario (a float is returned) or several (None: all).

        Returns
        -------
        float or Series
            A float for one scenario; otherwise a Series indexed by scenario.

        Examples
        --------
        >>> _example().prob_above(30, 2026)
        baseline    0.6
        down        0.2
        Name: prob_above, dtype: float64
        """
        value = check_float("value", value, 0, None, lo_open=True)
        j = year_index(self, year)
        idx = self._selection(scenario)
        probs = (self._samples(idx)[:, :, j] > value).mean(axis=1)
        if isinstance(scenario, str):
            return float(probs[0])
        return pd.Series(probs, index=[self.scenario_names[i] for i in idx], name="prob_above")

    def year_reaching(self, value: float, scenario: Any = None) -> pd.DataFrame:
        """Distribution of the first projected year in which each path reaches `value`.

        Parameters
        ----------
        value : float
            Level in the projection's unit, > 0.
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, first_year, share, cumulative``: one row per projected
            year (share of paths whose level first reaches ``>= value`` that year) and a
            last row with ``first_year`` <NA> for paths that never reach it by the last
            year (its ``cumulative`` is 1). ``first_year`` is a nullable Int64.

        Examples
        --------
        >>> _example().year_reaching(35, "baseline")["cumulative"].tolist()
        [0.16, 0.36, 0.52, 1.0]
        """
        value = check_float("value", value, 0, None, lo_open=True)
        return first_year_frame(self, self._selection(scenario), value)

    def cagr(self, start: int, end: int, levels: Any = (80, 95),
             scenario: Any = None) -> pd.DataFrame:
        """Compound annual growth rate between two years, per path, summarised (percent).

        `start` may be a year of `history` (its value there is used) or a projected
        year; `end` must be a projected year after `start`.

        Parameters
        ----------
        start, end : int
            First and last year of the growth period.
        levels : float or sequence of float, default (80, 95)
            Interval levels in percent.
        scenario : str, sequence of str or None
            Scenarios to summarise (None: all).

        Returns
        -------
        DataFrame
            Columns ``scenario, start, end, mean, median, lower_80, upper_80, lower_95,
            upper_95`` in percent per year.

        Examples
        --------
        >>> _example().cagr(2025, 2028, levels=80, scenario="baseline").columns.tolist()
        ['scenario', 'start', 'end', 'mean', 'median', 'lower_80', 'upper_80']
        """
        j_end = year_index(self, end, "end")
        hist = self.history
        if isinstance(start, numbers.Integral) and hist.first_year <= start <= hist.last_year:
            first: Any = float(hist.values[int(start - hist.first_year)])
        else:
            first = None
            if isinstance(start, numbers.Integral) and not isinstance(start, bool) and not (
                    self.years[0] <= start <= self.years[-1]):
                raise ParameterError(
                    f"`start` must be a year of the history ({hist.first_year}-"
                    f"{hist.last_year}) or a projected year ({self.years[0]}-"
                    f"{self.years[-1]}); got {start}. Pass e.g. start={hist.last_year}.")
            j0 = year_index(self, start, "start")
        if not start < end:
            raise ParameterError(f"`start` must be before `end`; got start={start}, end={end}.")
        idx = self._selection(scenario)
        levels = check_levels("levels", levels)
        rows = []
        for i in idx:
            lo = first if first is not None else self.samples[i][:, j0]
            g = 100.0 * ((self.samples[i][:, j_end] / lo) ** (1.0 / (end - start)) - 1.0)
            row = {"scenario": self.scenario_names[i], "start": int(start), "end": int(end)}
            rows.append({**row, **summary_row(g, levels)})
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ faces
    def plot(self, scenario: str | int | None = None, **kwargs: Any) -> Any:
        """Draw the fan chart of one scenario; see :func:`forecast.plotting.fan_chart`.

        A convenience for interactive use: the one place where the projection stage
        reaches a face. For the HTML report use
        ``forecast.report.write_report(projection, path)``.

        Parameters
        ----------
        scenario : str, optional
            The scenario drawn (default: the first).
        **kwargs
            Passed to :func:`forecast.plotting.fan_chart` (``history``, ``levels``, ``ax``).

        Returns
        -------
        matplotlib.axes.Axes
            Needs the ``plot`` extra; ``plt.show`` is never called.
        """
        # lazy, and the only import of a face here: plotting is a later stage (and needs
        # matplotlib); a convenience method, as pandas' and xarray's .plot are
        from ..plotting import fan_chart

        return fan_chart(self, scenario, **kwargs)

    # ------------------------------------------------------------------ files
    def save(self, directory: Any, format: str = "parquet", *, force: bool = False) -> Any:
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
    def load(cls, directory: Any) -> Projection:
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

