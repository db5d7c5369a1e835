"""Comparisons and queries of a Projection: mixture, differences, decompositions,
probabilities, first years reaching a level, growth rates.

A mixin of :class:`~forecast.Projection` (as :class:`~.exports.Exports` is), so that each
module stays short; every method reads the samples, none stores anything.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Self, overload

import pandas as pd

from .._keywords import checked_methods
from .._validation import (
    LevelsLike,
    ScenarioNames,
    check_float,
    check_levels,
    check_unique,
    hand_over,
)
from ..errors import ForecastTypeError, ParameterError, ScenarioError
from .decompose import decompose as _decompose
from .summaries import (
    first_year_frame,
    mixture_samples,
    summary_row,
    summary_stats,
    year_index,
)

__all__ = ["Queries"]


def one_scenario_argument(scenario: Any, scenarios: Any) -> tuple[str, Any]:
    """(the argument's name, its value) of ``difference``'s `scenario` and its earlier
    name `scenarios`; ("scenario", None) when neither is given.

    Raises
    ------
    ParameterError
        When both are given.
    """
    if scenarios is None:
        return "scenario", scenario
    if scenario is not None:
        raise ParameterError(
            f"`scenario` and `scenarios` are one argument (`scenarios` is its earlier name); "
            f"got scenario={scenario!r} and scenarios={scenarios!r}. Pass only "
            f"scenario={scenario!r}.", field="scenarios")
    return "scenarios", scenarios


def mixture_name(name: Any, scenario_names: Sequence[str],
                 probabilities: Sequence[float] | None, fix: str) -> str:
    """The checked name of a projection's mixture (``"mixture"`` by default, or
    ``"mixture (pooled)"`` when a scenario already has that name).

    The one check of :meth:`Queries.mixture` and ``MarketProjection.mixture``; `fix` is
    how to give the scenarios probabilities, said when they have none.

    Raises
    ------
    ForecastTypeError
        When `name` is not a str.
    ScenarioError
        When `name` is empty, padded or holds control characters, or the scenarios carry
        no probabilities.
    """
    if name is None:
        name = "mixture" if "mixture" not in scenario_names else "mixture (pooled)"
    if not isinstance(name, str):
        raise ForecastTypeError(
            f"`name` must be a str (the pooled scenario's name); got {name!r} "
            f"({type(name).__name__}). Pass e.g. name=\"mixture\".", field="name")
    if not name.strip() or name != name.strip() or not name.isprintable():
        raise ScenarioError(
            f"`name` must be a non-empty name without surrounding spaces or control "
            f"characters; got {name!r}. Pass e.g. name=\"mixture\".", field="name")
    if probabilities is None:
        raise ScenarioError(
            f"a mixture needs scenario probabilities; got none. {fix} to weight the "
            "scenarios.")
    return name


def mixture_settings(settings: Mapping[str, Any], scenario_names: Sequence[str],
                     counts: Any) -> dict[str, Any]:
    """A mixture's settings: the projection's, with ``"mixture"`` (paths per scenario,
    what ``decompose`` reads to refuse it) and why it has no scenario definitions."""
    out = dict(settings)
    out["mixture"] = dict(zip(scenario_names, [int(c) for c in counts], strict=True))
    out["scenarios_unavailable"] = (
        "a mixture pools paths of several scenarios; decompose the scenarios of the "
        "projection it was made from")
    return out


@checked_methods
class Queries:
    """Scenario comparisons and probability queries of :class:`~forecast.Projection`."""

    # ------------------------------------------------------------------ scenarios
    def mixture(self, name: str | None = None) -> Self:
        """The probability-weighted pool of scenario paths, as a one-scenario Projection.

        Scenario ``s`` contributes ``round(p_s * n_paths)`` paths (largest remainders);
        the pool takes consecutive blocks of path numbers, so it uses every baseline draw
        once and the mixture keeps ``n_paths`` paths. No new random numbers are drawn. The
        blocks go to the scenarios in the order of their names, so listing the scenarios
        in another order gives the same mixture.

        Parameters
        ----------
        name : str, optional
            Name of the pooled scenario. Default ``"mixture"``, or ``"mixture (pooled)"``
            when a scenario of the projection is itself named ``"mixture"``, so that a
            table of the scenarios and their mixture never holds one name twice.

        Returns
        -------
        Projection
            One scenario named `name`; ``settings["mixture"]`` gives the paths per scenario.

        Examples
        --------
        >>> from forecast.projection.projection import _example
        >>> import dataclasses
        >>> weighted = dataclasses.replace(_example(), probabilities=(0.8, 0.2))
        >>> weighted.mixture().settings["mixture"]
        {'baseline': 40, 'down': 10}
        """
        name = mixture_name(name, self.scenario_names, self.probabilities,
                            "Project a ScenarioSet(scenarios, probabilities=[...])")
        pooled, counts = mixture_samples(self.samples, self.probabilities,
                                         self.scenario_names)
        settings = mixture_settings(self.settings, self.scenario_names, counts)
        hand_over(pooled)  # made here, held by the mixture only: kept, not copied
        return dataclasses.replace(self, scenario_names=(name,), samples=pooled,
                                   probabilities=None, scenarios=None, settings=settings)

    def difference(self, baseline: str = "baseline", levels: LevelsLike = (80, 95),
                   scenario: str | Sequence[str] | None = None, *,
                   scenarios: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Per-path differences to the baseline scenario, summarised (common random numbers).

        Path ``j`` of each scenario and of the baseline share their baseline draws, so
        the difference is computed path by path and its spread is the scenario's own.
        `scenario` limits the rows to these scenarios (default: every one but the
        baseline), in the order given.

        Parameters
        ----------
        baseline : str, default "baseline"
            The scenario subtracted.
        levels : float or sequence of float, default (80, 95)
            Interval levels in percent.
        scenario : str, sequence of str or None
            The scenario (a name) or scenarios (a list of names, each once) compared with
            the baseline (None: all the others), as every ``scenario=`` argument of the
            projection's summaries takes.
        scenarios : str, sequence of str or None
            The same as `scenario`, under its earlier name (kept for existing callers);
            give one of the two.

        Returns
        -------
        DataFrame
            Columns ``scenario, year, mean, median, lower_80, upper_80, lower_95,
            upper_95`` (level difference, in the projection's unit), the same with suffix
            ``_pct`` (percent difference ``100 * (level / baseline - 1)``), and
            ``prob_below`` (share of paths below the baseline). Baseline rows excluded.

        Examples
        --------
        >>> from forecast.projection.projection import _example
        >>> d = _example().difference("baseline", levels=80)
        >>> d[["scenario", "year", "median_pct", "prob_below"]].round(2)
          scenario  year  median_pct  prob_below
        0     down  2026      -13.88         1.0
        1     down  2027      -17.07         1.0
        2     down  2028      -20.86         1.0
        """
        arg, chosen = one_scenario_argument(scenario, scenarios)
        b = self._index(baseline, "baseline")
        if chosen is None:
            idx = [i for i in range(len(self.scenario_names)) if i != b]
        elif not isinstance(chosen, str | Sequence):
            raise ForecastTypeError(
                f"`{arg}` must be a scenario name or a list of names; got {chosen!r}. "
                f"Pass e.g. {arg}='escalation' or {arg}=['escalation', 'fragmentation'].",
                field=arg)
        else:
            names = [chosen] if isinstance(chosen, str) else list(chosen)
            if not names:
                raise ParameterError(
                    f"`{arg}` must name at least one scenario; got {chosen!r}. Pass "
                    f"e.g. {arg}='escalation', or leave it out (all but the baseline).",
                    field=arg)
            check_unique(names, f"the names in `{arg}`",
                         f"Pass each scenario once; got {arg}={chosen!r}.",
                         field=arg)
            idx = [self._index(n, arg) for n in names]
            if b in idx:
                raise ScenarioError(
                    f"`{arg}` must not contain the baseline {baseline!r}: its difference "
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
    @overload
    def prob_above(self, value: float, year: int,  # type: ignore[overload-overlap]
                   scenario: str) -> float: ...

    @overload
    def prob_above(self, value: float, year: int,
                   scenario: Sequence[str] | None = None) -> pd.Series: ...

    def prob_above(self, value: float, year: int,
                   scenario: str | Sequence[str] | None = None) -> float | pd.Series:
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
        >>> from forecast.projection.projection import _example
        >>> _example().prob_above(30, 2026)
        baseline    0.6
        down        0.2
        Name: prob_above, dtype: float64
        """
        return self._prob(value, year, scenario, below=False)

    @overload
    def prob_below(self, value: float, year: int,  # type: ignore[overload-overlap]
                   scenario: str) -> float: ...

    @overload
    def prob_below(self, value: float, year: int,
                   scenario: Sequence[str] | None = None) -> pd.Series: ...

    def prob_below(self, value: float, year: int,
                   scenario: str | Sequence[str] | None = None) -> float | pd.Series:
        """Probability that the level is below `value` in `year`.

        The complement of :meth:`prob_above`, up to paths exactly at `value`.

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
        >>> from forecast.projection.projection import _example
        >>> _example().prob_below(30, 2026, scenario="down")
        0.8
        """
        return self._prob(value, year, scenario, below=True)

    def _prob(self, value: float, year: int, scenario: ScenarioNames,
              below: bool) -> float | pd.Series:
        value = check_float("value", value, 0, None, lo_open=True)
        j = year_index(self, year)
        idx = self._selection(scenario)
        x = self._samples(idx)[:, :, j]
        probs = (x < value if below else x > value).mean(axis=1)
        if isinstance(scenario, str):
            return float(probs[0])
        return pd.Series(probs, index=[self.scenario_names[i] for i in idx],
                         name="prob_below" if below else "prob_above")

    def year_reaching(self, value: float, scenario: ScenarioNames = None) -> pd.DataFrame:
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
        >>> from forecast.projection.projection import _example
        >>> _example().year_reaching(35, "baseline")["cumulative"].tolist()
        [0.16, 0.36, 0.52, 1.0]
        """
        value = check_float("value", value, 0, None, lo_open=True)
        return first_year_frame(self, self._selection(scenario), value)

    def cagr(self, start: int, end: int, levels: LevelsLike = (80, 95),
             scenario: ScenarioNames = None) -> pd.DataFrame:
        """Compound annual growth rate between two years, per path, summarised (percent).

        `start` may be a projected year (each path's own level) or a year of
        ``self.history``, whose value there is then the start of every path: for a fit
        on a History, the reconstruction's median (the nowcast's median for a partial
        last year), not a published figure. That start is held fixed while the paths
        carry the uncertainty of the jump-off level (the fit pools the history's draws),
        so from a history year the band counts it as uncertainty about growth. `end`
        must be a projected year after `start`.

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
        >>> from forecast.projection.projection import _example
        >>> _example().cagr(2025, 2028, levels=80, scenario="baseline").columns.tolist()
        ['scenario', 'start', 'end', 'mean', 'median', 'lower_80', 'upper_80']
        """
        j_end = year_index(self, end, "end")
        hist = self.history
        if isinstance(start, float) and start.is_integer():
            start = int(start)  # 2024.0, as every year argument takes it
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
            fix = (f"Swap them: pass start={end}, end={start}." if start > end else
                   "A growth rate needs two years: pass an earlier `start`, e.g. "
                   f"start={hist.last_year}.")
            raise ParameterError(f"`start` must be before `end`; got start={start}, end={end}. "
                                 + fix)
        idx = self._selection(scenario)
        levels = check_levels("levels", levels)
        rows = []
        for i in idx:
            lo = first if first is not None else self.samples[i][:, j0]
            g = 100.0 * ((self.samples[i][:, j_end] / lo) ** (1.0 / (end - start)) - 1.0)
            row = {"scenario": self.scenario_names[i], "start": int(start), "end": int(end)}
            rows.append({**row, **summary_row(g, levels)})
        return pd.DataFrame(rows)
