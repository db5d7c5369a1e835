"""MarketProjection: sample paths of every market under every scenario, and their summaries.

Samples are the truth (levels of the named markets and ROW per scenario and path); the
total is their sum and a share is a part over the total, path by path, so summaries of
markets, shares and the total are always coherent. :meth:`MarketProjection.market`
returns a single-market :class:`~forecast.projection.Projection` (the same summaries, fan
charts and differences as a one-market run).

Examples
--------
>>> import forecast
>>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
>>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
>>> sset = forecast.presets.scenario_set()
>>> mp = forecast.project_markets(fit, sset, to=2030, n_paths=500, seed=2)
>>> mp.to_frame().columns.tolist()
['model', 'scenario', 'market', 'year', 'quantile', 'value']
>>> p = mp.prob_below(15, 2030, market="US", share=True, scenario="fragmentation")
>>> 0 <= p <= 1
True
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from .._keywords import checked_init, checked_methods
from .._seeds import run_seed_source
from .._validation import (
    band_probs,
    check_bool,
    check_float,
    check_levels,
    check_quantile_list,
    check_unique,
    frozen_array,
    level_label,
    rebuild_frozen,
)
from ..errors import DataError, ForecastError, ParameterError, ScenarioError
from ..history import MarketHistory
from ..history.markets import TOTAL
from ..projection import Projection
from ..projection.checks import check_unit
from ..projection.exports import seed_sequence
from ..projection.projection import DEFAULT_QUANTILES
from ..projection.queries import mixture_name, mixture_settings, one_scenario_argument
from ..projection.summaries import (
    IAMC_VARIABLES,
    check_label,
    column_quantiles,
    iamc_quantiles,
    iamc_unit,
    mixture_samples,
    quantile_labels,
    year_index,
)
from ..records.schema import suggest
from .decompose import decompose
from .exports import REGIONS, to_excel, to_xarray, with_history
from .split import base_of

__all__ = ["REGIONS", "MarketProjection"]


def _market_hint(market: Any, markets: tuple[str, ...]) -> str:
    """A did-you-mean for a market code: another case, or a code not projected."""
    if isinstance(market, str) and market.upper() in markets:
        return f" Did you mean {market.upper()!r}?"
    if isinstance(market, str) and market.upper() not in ("", *markets):
        return (f" {market!r} is not a market of this projection: reconstruct it with "
                "forecast.reconstruct_markets(markets=...) and project again, or count it "
                "in ROW.")
    return ""


def _looks_like_levels(value: Any) -> bool:
    """Whether `value` reads as interval levels: a number or a non-empty list of them."""
    items = value if isinstance(value, list | tuple) and value else [value]
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in items)


def _slot_hint(value: Any, method: str | None, scenario_names: tuple[str, ...]) -> str:
    """A hint for a `market` that is a later argument given by position, or ''.

    ``mp.difference("baseline", (80,))`` puts levels in the `market` slot (it comes before
    `levels` there, not in :meth:`forecast.Projection.difference`), and
    ``mp.prob_above(30, 2030, "escalation")`` a scenario: say which argument it looks like
    and the method's order of arguments.
    """
    if method is None:
        return ""
    params = inspect.signature(getattr(MarketProjection, method)).parameters.values()
    order = [p.name for p in params if p.name != "self"
             and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    after = order[order.index("market") + 1:]  # what a value given too early was meant for
    items = value if isinstance(value, list | tuple) and value else [value]
    if "levels" in after and _looks_like_levels(value):
        meant = "levels"
    elif "scenario" in after and all(isinstance(v, str) and v in scenario_names
                                     for v in items):
        meant = "scenario"
    else:
        return ""
    return (f" Did you mean {meant}={value!r}? `market` comes before `{meant}` here "
            f"({method}({', '.join(order)})): pass {meant}= by name.")


def _check_once(names: list[Any], name: str) -> None:
    """Refuse a name repeated in a ``market=`` or ``scenario=`` list (its rows would repeat).

    The one check of every method's lists, as :class:`~forecast.projection.Projection`
    checks its ``scenario=``.
    """
    check_unique(names, f"the names in `{name}`",
                 f"Pass each {name} once; got {name}={names!r}.", field=name)


def _check_share(share: object, name: str = "share",
                 fix: str = "Pass share=True for shares of China's total in percent, "
                            "share=False for levels.") -> bool:
    """The one check of every method's ``share=`` (and ``to_iamc``'s ``shares=``)."""
    return check_bool(name, share, fix)


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False, repr=False)
class MarketProjection:
    """Levels of every part (named markets, ROW) per scenario and path; made by project_markets.

    Attributes
    ----------
    years : ndarray of int64, shape (h,)
    parts : tuple of str
        Named markets, then ``"ROW"``; ``"ALL"`` (their sum) is derived.
    scenario_names : tuple of str
    samples : ndarray, shape (n_scenarios, n_parts, n_paths, h)
        Levels (read-only); path ``j`` shares its baseline draws across scenarios.
    base_log : ndarray, shape (1 + K, n_paths, h)
        The joint model's paths of the log total and log ratios before any scenario;
        with the seed and the scenarios they let :meth:`decompose` recompute the effects.
    centers : ndarray, shape (n_parts, h)
        Point forecast of every part's level.
    history : MarketHistory
    seed, model, unit, probabilities, scenarios, settings
        As in :class:`~forecast.projection.Projection`; :attr:`seed_sequence` rebuilds
        the run's root seed (``project_markets(..., seed=mp.seed_sequence)`` reproduces
        the run, also when it was seeded with a spawned SeedSequence).
    """

    years: np.ndarray
    parts: tuple[str, ...]
    scenario_names: tuple[str, ...]
    samples: np.ndarray
    base_log: np.ndarray
    centers: np.ndarray
    history: MarketHistory
    seed: Any
    model: str
    unit: str = "USD_bn"
    probabilities: tuple[float, ...] | None = None
    scenarios: tuple[Any, ...] | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        samples = np.asarray(self.samples, dtype=float)
        s, p, h = len(self.scenario_names), len(self.parts), np.asarray(self.years).size
        if samples.ndim != 4 or samples.shape[:2] != (s, p) or samples.shape[3] != h:
            raise ParameterError(f"`samples` must have shape (scenarios, parts, paths, years) "
                                 f"= ({s}, {p}, n, {h}); got {samples.shape}. Build it with "
                                 "forecast.project_markets().")
        for name, value in (("years", np.asarray(self.years, dtype=np.int64)),
                            ("samples", samples), ("base_log", self.base_log),
                            ("centers", self.centers)):
            # C order: a loaded projection summarises to the same bits as the one saved
            object.__setattr__(self, name, frozen_array(np.ascontiguousarray(value), value))
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "scenario_names", tuple(self.scenario_names))
        check_unit(self.unit)  # as Projection's: its markets are Projections
        object.__setattr__(self, "settings", dict(self.settings))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # as Projection's: unpickled and deep-copied arrays come back read-only and
        # validated, kept rather than copied (pickle restored them writable, unchecked)
        return rebuild_frozen, (type(self), {f.name: getattr(self, f.name) for f in fields(self)})

    @property
    def seed_sequence(self) -> np.random.SeedSequence:
        """The run's root SeedSequence (a fresh one each time): ``seed=`` it reproduces
        the run with the same fit, scenarios, `n_paths` and `chunk_size`."""
        return seed_sequence(self)

    def __repr__(self) -> str:
        # the scenarios as Projection's repr lists them: the first names and the count
        names = ", ".join(self.scenario_names[:4]) + (", ..." if len(self.scenario_names) > 4
                                                     else "")
        return (f"MarketProjection(model={self.model!r}, markets={list(self.parts)}, "
                f"scenarios=[{names}] ({len(self.scenario_names)}), n_paths={self.n_paths}, "
                f"years={self.years[0]}-{self.years[-1]}, unit={self.unit!r}, "
                f"seed={run_seed_source(self)})")

    @property
    def n_paths(self) -> int:
        return int(self.samples.shape[2])

    @property
    def horizon(self) -> int:
        return int(self.years.size)

    @property
    def markets(self) -> tuple[str, ...]:
        """Every market a method accepts: the parts, then ``"ALL"``."""
        return (*self.parts, TOTAL)

    # ----------------------------------------------------------------- selection
    def _scenarios(self, scenario: Any, arg: str = "scenario") -> list[int]:
        if scenario is None:
            return list(range(len(self.scenario_names)))
        if isinstance(scenario, str):
            names = [scenario]
        elif isinstance(scenario, list | tuple) and scenario:
            names = list(scenario)
        else:
            raise ScenarioError(f"`{arg}` must be a scenario name, a non-empty list of "
                                f"names or None (all); got {scenario!r}. This projection has "
                                f"{list(self.scenario_names)}.")
        for n in names:
            if n not in self.scenario_names:
                hint = suggest(n, self.scenario_names) if isinstance(n, str) else ""
                raise ScenarioError(f"`{arg}` must name a projected scenario; got {n!r}."
                                    f"{hint} This projection has "
                                    f"{list(self.scenario_names)}.", field=arg)
        _check_once(names, arg)
        return [self.scenario_names.index(n) for n in names]

    def _market(self, market: Any, method: str | None = None) -> str:
        """`market` checked: one of :attr:`markets` (`method`: the public method it was
        given to, for a hint when it is another argument given by position)."""
        if not isinstance(market, str) or market not in self.markets:
            hint = (_slot_hint(market, method, self.scenario_names)
                    or _market_hint(market, self.markets))
            raise ParameterError(f"`market` must be one of {', '.join(self.markets)}; got "
                                 f"{market!r}.{hint}", field="market")
        return market

    def levels(self, market: str = TOTAL) -> np.ndarray:
        """Levels of one market (or ``"ALL"``, the sum): (n_scenarios, n_paths, h).

        Parameters
        ----------
        market : str, default "ALL"
            A market of the projection (:attr:`markets`: the parts, then ``"ALL"``,
            China's total).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_scenarios, n_paths, h)``, in ``unit``; ``"ALL"`` is the parts'
            sum path by path.
        """
        market = self._market(market)
        if market == TOTAL:
            return self.samples.sum(axis=1)
        return self.samples[:, self.parts.index(market)]

    def shares(self, market: str) -> np.ndarray:
        """Share of China's total in percent, path by path: (n_scenarios, n_paths, h).

        Parameters
        ----------
        market : str
            A part of the projection (``"ALL"`` is 100% by definition: a ParameterError).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_scenarios, n_paths, h)``, in percent of the total on each path.
        """
        if self._market(market) == TOTAL:
            raise ParameterError("`market` must be a part for a share; 'ALL' is 100% by "
                                 f"definition. Pass one of {', '.join(self.parts)}.")
        return 100.0 * self.levels(market) / self.levels(TOTAL)

    def _values(self, market: str, share: bool) -> np.ndarray:
        return self.shares(market) if share else self.levels(market)

    def market(self, market: str = TOTAL) -> Projection:
        """One market (or ``"ALL"``) as a single-market Projection (summaries, fans).

        Parameters
        ----------
        market : str, default "ALL"
            A market of the projection (:attr:`markets`: the parts, then ``"ALL"``,
            China's total).

        Returns
        -------
        Projection
            The market's paths under every scenario, with its reconstructed history; its
            scenario definitions are not kept (decompose on the MarketProjection).
        """
        market = self._market(market)
        base = self._base_levels(market)
        center = self.centers.sum(axis=0) if market == TOTAL else \
            self.centers[self.parts.index(market)]
        settings = {**self.settings, "market": market, "scenarios_unavailable":
                    "one market of a multi-market projection", "decompose_with":
                    f"MarketProjection.decompose(scenario, market={market!r}) on the "
                    "multi-market projection it came from"}
        settings.pop("diversion_notes", None)
        return Projection(
            years=self.years, scenario_names=self.scenario_names,
            samples=self.levels(market), base_log=np.log(base), center=np.log(center),
            history=self.history.series(market), seed=self.seed, model=self.model,
            unit=self.unit, probabilities=self.probabilities, scenarios=None,
            settings=settings)

    def mixture(self, name: str | None = None) -> MarketProjection:
        """The probability-weighted pool of scenario paths, as a one-scenario MarketProjection.

        The multi-market :meth:`Projection.mixture <forecast.Projection.mixture>`: scenario
        ``s`` contributes ``round(p_s * n_paths)`` paths (largest remainders) as
        consecutive blocks of path numbers, given to the scenarios in the order of their
        names, so listing them in another order gives the same mixture, which keeps
        ``n_paths`` paths and draws no new random numbers. A path is pooled whole: every
        market of it comes from the one scenario it was drawn from, so the markets still
        add up to China's total in every path and its shares are coherent. One market of
        the mixture, ``mp.mixture().market("US")``, is the mixture of
        ``mp.market("US")``.

        Parameters
        ----------
        name : str, optional
            Name of the pooled scenario. Default ``"mixture"``, or ``"mixture (pooled)"``
            when a scenario of the projection is itself named ``"mixture"``.

        Returns
        -------
        MarketProjection
            One scenario named `name`, every summary and export of a MarketProjection;
            ``settings["mixture"]`` gives the paths per scenario. It has no scenario
            definitions: :meth:`decompose` the projection it was made from.

        Raises
        ------
        ScenarioError
            When the scenarios carry no probabilities, or `name` is empty or padded.

        Examples
        --------
        >>> import forecast
        >>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
        >>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
        >>> sset = forecast.ScenarioSet(forecast.market_presets.scenario_set().scenarios[:2],
        ...                             probabilities=(0.7, 0.3))
        >>> mp = forecast.project_markets(fit, sset, to=2030, n_paths=200, seed=2)
        >>> mix = mp.mixture()
        >>> mix.scenario_names, mix.settings["mixture"]
        (('mixture',), {'baseline': 140, 'managed_friction': 60})
        >>> shares = mix.summary_frame((80,), share=True)  # US, EU and ROW: 100% together
        >>> bool(shares.groupby("year")["mean"].sum().round(9).eq(100).all())
        True
        >>> 0 <= mix.prob_below(15, 2030, "US", share=True, scenario="mixture") <= 1
        True
        """
        name = mixture_name(name, self.scenario_names, self.probabilities,
                            "Project a ScenarioSet(scenarios, probabilities=[...]) with "
                            "forecast.project_markets")
        # (S, parts, paths, years) seen as (S, paths, parts, years): whole paths are pooled
        pooled, counts = mixture_samples(np.moveaxis(self.samples, 2, 1), self.probabilities,
                                         self.scenario_names)
        return replace(self, scenario_names=(name,), samples=np.moveaxis(pooled, 1, 2),
                       probabilities=None, scenarios=None,
                       settings=mixture_settings(self.settings, self.scenario_names, counts))

    def plot(self, scenario: str | None = None, market: str | None = None,
             **kwargs: Any) -> Any:
        """Fan charts of one scenario: every market as small multiples, or one market.

        A convenience for interactive use, as :meth:`Projection.plot
        <forecast.projection.Projection.plot>`; for the HTML report use
        ``forecast.report.write_markets_report(projection, path)``.

        Parameters
        ----------
        scenario : str, optional
            The scenario drawn, by name (default: the first).
        market : str, optional
            One market (or ``"ALL"``): its fan chart, as
            ``forecast.plotting.fan_chart(mp.market(market), scenario)``, titled with the
            market. Default: every
            market and China's total, by :func:`forecast.plotting.market_fans`.
        **kwargs
            Passed to that function (e.g. ``levels``; ``markets``, ``ncols`` and ``fig``
            for the small multiples; ``ax`` and ``history`` for one market).

        Returns
        -------
        matplotlib.axes.Axes or list of Axes
            One axes for one market, else one per panel. Needs the ``plot`` extra;
            ``plt.show`` is never called.
        """
        if market is None:
            from ..plotting import market_fans  # lazy: a face, and matplotlib

            return market_fans(self, scenario, **kwargs)
        ax = self.market(market).plot(scenario, **kwargs)
        ax.set_title(f"{self._market(market)}: {ax.get_title()}")  # which market it is
        return ax

    def _base_levels(self, market: str) -> np.ndarray:
        base = base_of(self.base_log)
        return base.sum(axis=0) if market == TOTAL else base[self.parts.index(market)]

    # ----------------------------------------------------------------- summaries
    def summary_frame(self, levels: Any = (80, 95), market: Any = None,
                      scenario: Any = None, share: bool = False) -> pd.DataFrame:
        """Mean, median and central intervals per scenario, market and year.

        Parameters
        ----------
        levels : float or sequence of float, default (80, 95)
            Central interval levels in percent (80 gives ``lower_80, upper_80``).
        market : str, sequence of str or None, default None
            A market, several, or None for every market (the parts, then ``ALL``; the
            parts only with ``share=True``).
        scenario : str, sequence of str or None, default None
            A scenario, several, or None for all.
        share : bool, default False
            Shares of China's total in percent instead of levels.

        Returns
        -------
        DataFrame
            Columns ``scenario, market, year, mean, median, lower_80, upper_80, lower_95,
            upper_95`` (levels in ``unit``, or shares in percent with ``share=True``).
        """
        levels = check_levels("levels", levels)
        share = _check_share(share)
        probs = [0.5] + [q for lv in levels for q in band_probs(lv)]
        idx = self._scenarios(scenario)
        frames = []
        for m in self._market_list(market, share, "summary_frame"):
            x = self._values(m, share)[idx]
            qs = column_quantiles(x, probs)  # (nq, S, h)
            out = {"scenario": np.repeat([self.scenario_names[i] for i in idx], self.horizon),
                   "market": m, "year": np.tile(self.years, len(idx)),
                   "mean": x.mean(axis=1).reshape(-1), "median": qs[0].reshape(-1)}
            for k, lv in enumerate(levels):
                out[f"lower_{level_label(lv)}"] = qs[1 + 2 * k].reshape(-1)
                out[f"upper_{level_label(lv)}"] = qs[2 + 2 * k].reshape(-1)
            frames.append(pd.DataFrame(out))
        return pd.concat(frames, ignore_index=True)

    def _market_list(self, market: Any, share: bool, method: str | None = None) -> list[str]:
        if market is None:
            return list(self.parts) if share else list(self.markets)
        if isinstance(market, str):
            return [self._market(market, method)]
        example = f"Pass e.g. 'US' or {list(self.markets[:2])!r}."
        hint = _slot_hint(market, method, self.scenario_names)
        if not isinstance(market, list | tuple) or not market:
            raise ParameterError(f"`market` must be a market, a non-empty list of markets or "
                                 f"None (all); got {market!r}.{hint or ' ' + example}",
                                 field="market")
        bad = [m for m in market if not (isinstance(m, str) and m in self.markets)]
        if bad:  # the value received, not only the item that is not a market
            which = (f"{bad[0]!r} is not one of {', '.join(self.markets)}"
                     if len(bad) == 1 else f"{', '.join(map(repr, bad))} are not among "
                     f"{', '.join(self.markets)}")
            raise ParameterError(
                f"`market` must be a market, a non-empty list of markets or None (all); got "
                f"{market!r}: {which}."
                f"{hint or _market_hint(bad[0], self.markets) or ' ' + example}",
                field="market")
        out = list(market)
        _check_once(out, "market")
        return out

    def to_frame(self, quantiles: Any = DEFAULT_QUANTILES, share: bool = False) -> pd.DataFrame:
        """Long frame of quantiles: one row per model, scenario, market, year and quantile.

        Parameters
        ----------
        quantiles : sequence of float, default (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            Probabilities in [0, 1].
        share : bool, default False
            Shares of China's total in percent (the parts only) instead of levels.

        Returns
        -------
        DataFrame
            Columns ``model, scenario, market, year, quantile, value`` (markets: the
            parts, then ``ALL``; shares in percent with ``share=True``, parts only).
        """
        q = check_quantile_list("quantiles", quantiles)
        quantile_labels("quantiles", q)  # as to_wide: two quantiles may not share a name
        share = _check_share(share)
        frames = []
        for m in self._market_list(None, share):
            vals = column_quantiles(self._values(m, share), q)  # (nq, S, h)
            s, h = len(self.scenario_names), self.horizon
            frames.append(pd.DataFrame({
                "model": self.model,
                "scenario": np.repeat(np.array(self.scenario_names, dtype=object), h * q.size),
                "market": m, "year": np.tile(np.repeat(self.years, q.size), s),
                "quantile": np.tile(q, s * h), "value": np.moveaxis(vals, 0, -1).reshape(-1)}))
        return pd.concat(frames, ignore_index=True)

    def to_wide(self, quantiles: Any = DEFAULT_QUANTILES, share: bool = False) -> pd.DataFrame:
        """One row per scenario, market and year with the mean and one column per quantile.

        Parameters
        ----------
        quantiles : sequence of float, default (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            Probabilities in [0, 1] (a repeat counts once; two that share a column name
            are a ParameterError).
        share : bool, default False
            Shares of China's total in percent (the parts only) instead of levels.

        Returns
        -------
        DataFrame
            Columns ``scenario, market, year, mean, p5, p10, ...`` (quantile ``q`` is
            named ``f"p{100 * q:g}"``), as :meth:`forecast.Projection.to_wide` with a
            ``market`` column (the parts, then ``ALL``).
        """
        q = check_quantile_list("quantiles", quantiles)
        labels = quantile_labels("quantiles", q)  # a repeated quantile would hide a column
        share = _check_share(share)
        s, h = len(self.scenario_names), self.horizon
        frames = []
        for m in self._market_list(None, share):
            x = self._values(m, share)
            vals = column_quantiles(x, q)  # (nq, S, h)
            data = {"scenario": np.repeat(np.array(self.scenario_names, dtype=object), h),
                    "market": m, "year": np.tile(self.years, s),
                    "mean": x.mean(axis=1).reshape(-1)}
            data.update({lab: vals[k].reshape(-1) for k, lab in enumerate(labels)})
            frames.append(pd.DataFrame(data))
        return pd.concat(frames, ignore_index=True)

    def to_iamc(self, model: str | None = None, variable: str | None = None,
                quantiles: Any = (), shares: bool = False,
                history: bool = False) -> pd.DataFrame:
        """IAMC wide table (pyam), the median per scenario with one region per market.

        Regions follow :data:`REGIONS` (``ALL`` is "World", ``ROW`` "Rest of the World");
        the variable defaults to the flow's (``IAMC_VARIABLES``).
        With ``shares=True`` rows of ``f"{variable}|Share"`` (unit "%") are added.
        With ``history=True`` the joint reconstruction's years come first, in every
        market's median level row (quantile and share rows stay empty there), as
        :meth:`forecast.Projection.to_iamc` gives them for one market.

        Parameters
        ----------
        model : str, optional
            The ``model`` column (default the projection's model name).
        variable : str, optional
            IAMC variable of the median rows (default the flow's, with the segment).
        quantiles : float or sequence of float, default ()
            Extra rows per quantile ``q``, variable ``f"{variable}|p{100 * q:g}"`` (0.5
            adds none: the median row is `variable` itself).
        shares : bool, default False
            Also rows of each part's share of China's total, in percent.
        history : bool, default False
            Put the joint reconstruction's years first, in the median level rows.

        Returns
        -------
        DataFrame
            Columns ``model, scenario, region, variable, unit`` and one int column per year
            (the history's years first with ``history=True``).
        """
        history = check_bool("history", history)
        frame = self._iamc(model, variable, quantiles, shares)
        return with_history(frame, self, str(frame["variable"].iloc[0])) if history else frame

    def _iamc(self, model: Any, variable: Any, quantiles: Any, shares: Any) -> pd.DataFrame:
        extra = iamc_quantiles("quantiles", quantiles)
        for arg, value in (("model", model), ("variable", variable)):
            check_label(arg, value)
        shares = _check_share(shares, "shares", "Pass shares=True to add rows of shares in "
                              "percent, shares=False for levels only.")
        probs = np.concatenate([[0.5], extra])
        if variable is None:  # the flow's variable, as Projection.to_iamc names it
            seg = self.history.segment
            variable = IAMC_VARIABLES[self.history.flow] + ("" if seg == "all" else f"|{seg}")
        unit = iamc_unit(self.unit, "Project a history in a unit code such as 'USD_bn'.")
        rows = []
        jobs = [(m, False, variable, unit) for m in self.markets]
        if shares:
            jobs += [(m, True, f"{variable}|Share", "%") for m in self.parts]
        for m, share, var, u in jobs:
            vals = column_quantiles(self._values(m, share), probs)
            for k, q in enumerate(probs):
                for s, name in enumerate(self.scenario_names):
                    rows.append({"model": model or self.model, "scenario": name,
                                 "region": REGIONS.get(m, m),
                                 "variable": var if k == 0 else f"{var}|p{100 * q:g}",
                                 "unit": u, **dict(zip(self.years.tolist(), vals[k, s],
                                                       strict=True))})
        return pd.DataFrame(rows)

    def share_frame(self, scenario: str = "baseline") -> pd.DataFrame:
        """Mean share of every part per year (they sum to 100): ``year`` and one column each.

        Parameters
        ----------
        scenario : str, default "baseline"
            One projected scenario.

        Returns
        -------
        DataFrame
            Column ``year``, then one column per part: its mean share over the paths, in
            percent of China's total.
        """
        idx = self._scenarios(scenario)
        if not isinstance(scenario, str) and len(idx) != 1:  # not the first of several
            raise ScenarioError(f"`scenario` must name one scenario for share_frame; got "
                                f"{scenario!r}. Pass e.g. scenario="
                                f"{self.scenario_names[0]!r}, and call it once per scenario.",
                                field="scenario")
        i = idx[0]
        tot = self.samples[i].sum(axis=0)
        data = {"year": self.years}
        data.update({p: 100.0 * (self.samples[i, k] / tot).mean(axis=0)
                     for k, p in enumerate(self.parts)})
        return pd.DataFrame(data)

    # ----------------------------------------------------------------- events
    def _prob(self, value: float, year: int, market: str, scenario: Any, share: bool,
              below: bool) -> Any:
        value = check_float("value", value, 0, None, lo_open=True)
        share = _check_share(share)
        if share and not 1 <= value <= 100:
            # a threshold below 1% is far more often a fraction (0.15 for 15%) than meant
            hint = (f" Did you mean {100 * value:g}? (For a share below 1%, ask about the "
                    "level with share=False.)" if value < 1 else "")
            raise ParameterError(f"`value` must be a share in percent, in [1, 100]; got "
                                 f"{value:g}.{hint}")
        self._market(market, "prob_below" if below else "prob_above")
        j = year_index(self, year)
        idx = self._scenarios(scenario)
        x = self._values(market, share)[idx][:, :, j]
        probs = (x < value if below else x > value).mean(axis=1)
        if isinstance(scenario, str):
            return float(probs[0])
        return pd.Series(probs, index=[self.scenario_names[i] for i in idx],
                         name="prob_below" if below else "prob_above")

    def prob_below(self, value: float, year: int, market: str = TOTAL,
                   scenario: Any = None, share: bool = False) -> Any:
        """P(level < value) in `year`, or P(share < value %) with ``share=True``.

        E.g. ``prob_below(15, 2030, "US", share=True)``: P(US share < 15% in 2030).

        Parameters
        ----------
        value : float
            A level in ``unit`` (> 0), or with ``share=True`` a share in percent, in
            [1, 100].
        year : int
            A projected year.
        market : str, default "ALL"
            A market of the projection (a part with ``share=True``).
        scenario : str, sequence of str or None, default None
            One scenario (a float is returned) or several (None: all).
        share : bool, default False
            Ask about the share of China's total instead of the level.

        Returns
        -------
        float or Series
            A float for one scenario; otherwise a Series indexed by scenario.
        """
        return self._prob(value, year, market, scenario, share, True)

    def prob_above(self, value: float, year: int, market: str = TOTAL,
                   scenario: Any = None, share: bool = False) -> Any:
        """P(level > value) in `year`, or P(share > value %) with ``share=True``.

        Parameters
        ----------
        value : float
            A level in ``unit`` (> 0), or with ``share=True`` a share in percent, in
            [1, 100].
        year : int
            A projected year.
        market : str, default "ALL"
            A market of the projection (a part with ``share=True``).
        scenario : str, sequence of str or None, default None
            One scenario (a float is returned) or several (None: all).
        share : bool, default False
            Ask about the share of China's total instead of the level.

        Returns
        -------
        float or Series
            A float for one scenario; otherwise a Series indexed by scenario.
        """
        return self._prob(value, year, market, scenario, share, False)

    def difference(self, baseline: str = "baseline", market: Any = TOTAL,
                   levels: Any = (80, 95), scenario: Any = None, *,
                   scenarios: Any = None) -> pd.DataFrame:
        """Per-path differences to `baseline`, market by market (see Projection.difference).

        Parameters
        ----------
        baseline : str, default "baseline"
            The scenario the others are compared with, path by path.
        market : str, sequence of str or None, default "ALL"
            A market, several, or None for every market (the parts, then ``ALL``).
        levels : float or sequence of float, default (80, 95)
            Central interval levels of the differences, in percent.
        scenario : str, sequence of str or None
            The scenario or scenarios compared with the baseline (default: all the
            others), as the other summaries' ``scenario=``.
        scenarios : str, sequence of str or None
            The same as `scenario`, under its earlier name (kept for existing callers);
            give one of the two.

        Returns
        -------
        DataFrame
            Columns ``scenario, market, year`` then those of
            :meth:`forecast.Projection.difference`.
        """
        arg, chosen = one_scenario_argument(scenario, scenarios)
        frames = []
        for m in self._market_list(market, False, "difference"):
            frame = self.market(m).difference(baseline, levels, **{arg: chosen})
            frame.insert(1, "market", m)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def decompose(self, scenario: str, baseline: str = "baseline",
                  market: Any = None) -> pd.DataFrame:
        """Per-year, per-assumption contributions to each market's gap to the baseline.

        Parameters
        ----------
        scenario : str
            The scenario whose gap is decomposed.
        baseline : str, default "baseline"
            The scenario it is compared with.
        market : str, sequence of str or None, default None
            The markets to keep (None: every market, the parts then ``ALL``).

        Returns
        -------
        DataFrame
            Columns ``market, year, assumption, log_points, level``; for each market (the
            parts and ``ALL``, or `market`) the contributions sum to the mean log gap
            (x 100) and to the mean level gap (see :mod:`forecast.markets.decompose`).
        """
        frame = decompose(self, scenario, baseline)
        if market is not None:
            frame = frame[frame["market"].isin(self._market_list(market, False, "decompose"))]
        return frame.reset_index(drop=True)

    # ----------------------------------------------------------------- exports
    def to_xarray(self, *, base_log: bool = False) -> Any:
        """The samples as an ``xarray.Dataset`` (needs the ``xarray`` extra).

        Parameters
        ----------
        base_log : bool, default False
            Also the joint model's baseline log paths (variable ``base_log``).

        Returns
        -------
        xarray.Dataset
            ``level`` with dims ``(scenario, market, path, year)`` (the parts: ``ALL`` is
            their sum), ``history`` ``(market, history_year)`` (the reconstruction's
            median), ``base_log`` ``(coordinate, path, year)`` when asked; coordinate
            ``probability`` along ``scenario`` when the scenarios carry probabilities;
            attributes model, unit, seed, n_paths, target and forecast_version.
        """
        return to_xarray(self, base_log=base_log)

    def to_excel(self, path: Any, *, history: bool = True, quantiles: Any = (0.1, 0.9),
                 levels: Any = (80, 95), shares: bool = True,
                 variable: str | None = None, force: bool = False) -> Any:
        """Write an Excel workbook in pyam's layout (needs openpyxl, the ``excel`` extra).

        Sheets: ``data`` (:meth:`to_iamc`: one region per market, with the history in the
        median rows, the `quantiles` rows and, with `shares`, the shares in percent),
        ``meta`` (seed, probability, paths per scenario), ``summary``
        (:meth:`summary_frame` at `levels`) and, with `shares`, ``shares`` (the same in
        percent of China's total). Written atomically and never through a symbolic link,
        as :meth:`forecast.Projection.to_excel`; an existing file is replaced only when it
        is a workbook forecast wrote and nobody changed since, or with ``force=True``.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.xlsx`` file; its folder must exist.
        history : bool, default True
        quantiles : sequence of float, default (0.1, 0.9)
        levels : sequence of float, default (80, 95)
        shares : bool, default True
        variable : str, optional
            As in :meth:`to_iamc`.
        force : bool, default False
            Replace an existing file that forecast did not write, or that changed since.

        Returns
        -------
        pathlib.Path
        """
        return to_excel(self, path, history=history, quantiles=quantiles, levels=levels,
                        shares=shares, variable=variable, force=force)

    # ----------------------------------------------------------------- files
    def save(self, directory: Any, format: str = "parquet", *, force: bool = False) -> Any:
        """Write the projection to the folder `directory` atomically; returns its Path.

        As :meth:`forecast.Projection.save` (the same safety rules; no pickle): samples of
        every part, the joint model's baseline log paths, metadata with the joint
        reconstruction and the checksums, and the scenarios (layout in
        :mod:`forecast.markets.files`).

        Parameters
        ----------
        directory : str or os.PathLike
        format : {"parquet", "csv"}, default "parquet"
        force : bool, default False
            Replace a folder forecast did not write.

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import pathlib, tempfile
        >>> import forecast
        >>> mh = forecast.reconstruct_markets(markets=("US",))
        >>> fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
        >>> mp = forecast.project_markets(fit, forecast.presets.scenario_set(), to=2028,
        ...                               n_paths=50, seed=2)
        >>> folder = mp.save(pathlib.Path(tempfile.mkdtemp()) / "markets", format="csv")
        >>> back = MarketProjection.load(folder)
        >>> bool((back.samples == mp.samples).all()), back.parts
        (True, ('US', 'ROW'))
        """
        from . import files  # lazy: the file formats are not needed to project

        return files.save(self, directory, format, force)

    @classmethod
    def load(cls, directory: Any) -> MarketProjection:
        """Read a projection written by :meth:`save`, verifying every file (else DataError).

        The samples are bit-identical; the history gives the same bands and draws (its
        per-record diagnostics need the records: :func:`forecast.reconstruct_markets`),
        and ``decompose`` works as before the save when the scenarios could be written.

        Parameters
        ----------
        directory : str or os.PathLike
            A folder written by :meth:`save`.

        Returns
        -------
        MarketProjection
        """
        from . import files

        fields = files.load(directory)
        try:
            return cls(**fields)
        except ForecastError as exc:
            raise DataError(f"{directory} does not hold a valid market projection: {exc} "
                            "Save the projection again.") from None
