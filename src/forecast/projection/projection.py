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

        Returns
        -------
        DataFrame
            Columns ``scenario, year, lower, upper``.
        """
        lv = check_level("level", level)
        idx = self._selection(scenario)
        probs = (0.5 - lv / 200, 0.5 + lv / 200)
        lo, hi = np.stack([level_stats(self, i, probs)[1] for i in idx], axis=1)
        return long_frame(self, idx, {"lower": lo, "upper": hi})

    def summary_frame(self, levels: Any = (80, 95), scenario: Any = None) -> pd.DataFrame:
        """Mean, median and central intervals of the level per scenario and year.

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

        Returns
        -------
        DataFrame
            Columns ``model, scenario, year, quantile, value``.
        """
        df = self.quantiles(quantiles)
        df.insert(0, "model", self.model)
        return df

    def to_wide(self, quantiles: Any = DEFAULT_QUANTILES) -> pd.DataFrame:
        """One row per scenario and year with the mean and one column per quantile.

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, p5, p10, p25, p50, p75, p90, p95`` (quantile
            ``q`` is named ``f"p{100 * q:g}"``).
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

        Returns
        -------
        Projection
            One scenario named `name`; ``settings["mixture"]`` gives the paths per scenario.
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

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, median, lower_80, upper_80, lower_95,
            upper_95`` (level difference, in the projection's unit), the same with suffix
            ``_pct`` (percent difference ``100 * (level / baseline - 1)``), and
            ``prob_below`` (share of paths below the baseline). Baseline rows excluded.
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
        documented in ``docs/results.md`` and :mod:`forecast.projection.decompose`.

        Returns
        -------
        DataFrame
            Columns ``year, assumption, log_points, level``: ``log_points`` is 100 x the
            mean over paths of the assumption's log effect (its part of the mean log gap),
            ``level`` its share of the mean level gap in the projection's unit.
            Assumptions only in the baseline appear with the opposite sign.
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

        Returns
        -------
        float or Series
            A float for one scenario; for ``scenario=None`` a Series indexed by scenario.
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

        Returns
        -------
        DataFrame
            Columns ``scenario, first_year, share, cumulative``: one row per projected
            year (share of paths whose level first reaches ``>= value`` that year) and a
            last row with ``first_year`` <NA> for paths that never reach it by the last
            year (its ``cumulative`` is 1). ``first_year`` is a nullable Int64.
        """
        value = check_float("value", value, 0, None, lo_open=True)
        return first_year_frame(self, self._selection(scenario), value)

    def cagr(self, start: int, end: int, levels: Any = (80, 95),
             scenario: Any = None) -> pd.DataFrame:
        """Compound annual growth rate between two years, per path, summarised (percent).

        `start` may be a year of `history` (its value there is used) or a projected
        year; `end` must be a projected year after `start`.

        Returns
        -------
        DataFrame
            Columns ``scenario, start, end, mean, median, lower_80, upper_80, lower_95,
            upper_95`` in percent per year.
        """
        j_end = year_index(self, end, "end")
        hist = self.history
        if isinstance(start, numbers.Integral) and hist.first_year <= start <= hist.last_year:
            first: Any = float(hist.values[int(start - hist.first_year)])
        else:
            first = None
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

        Returns the matplotlib Axes (needs the ``plot`` extra); never calls ``plt.show``.
        A convenience for interactive use: the one place where the projection stage
        reaches a face. For the HTML report use
        ``forecast.report.write_report(projection, path)``.
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
        """
        return _files.save(self, directory, format, force)

    @classmethod
    def load(cls, directory: Any) -> Projection:
        """Read a projection written by :meth:`save`, verifying every file (else DataError).

        Only the files of the format are read, inside `directory`, never through a link;
        each must match the SHA-256 recorded in ``metadata.json``.
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
    return Projection(
        years=np.array([2026, 2027, 2028]), scenario_names=("baseline",),
        samples=np.exp(base)[None], base_log=base, center=base.mean(axis=0),
        history=AnnualSeries([2024, 2025], [28.0, 30.0]), seed=0, model="Drift",
        settings={"n_paths": 50, "chunk_size": 50}, )

