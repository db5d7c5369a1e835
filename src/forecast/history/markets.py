"""MarketHistory: China's total and its named source markets, reconstructed together.

Made by :func:`forecast.history.reconstruct_markets` (see ``docs/markets.md``). The state
behind it is, per year, the log total ``x_t`` and each named market's additive log ratio
``r_k,t = log(s_k / s_ROW)`` against the rest of the world (ROW). A draw of the state
gives every market's level as ``exp(x_t) * softmax(r_t, 0)``, so the markets and ROW sum
to the total in every draw and every share lies in (0, 1).

The same state draws feed the joint models: :meth:`MarketHistory.components` returns the
total and the K ratios (the split model's coordinates), or every part's log level (the
bottom-up model's), as History-like values (``series`` and ``draws``) whose draws with one
seed are the matching slices of one joint draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from .._keywords import checked_init, checked_methods
from .._seeds import as_generator
from .._validation import FrozenDict, check_bool, check_int, check_level, readonly
from ..errors import ParameterError
from ..series import AnnualSeries

__all__ = ["BASES", "ROW", "MarketComponent", "MarketHistory"]

#: Name of the rest of the world: China's total minus the named markets.
ROW = "ROW"
TOTAL = "ALL"
#: What a part's year rests on, the ``basis`` column of :meth:`MarketHistory.to_frame`:
#: a release of that part; only a combined figure that includes it; no release at all
#: (the model's trend).
BASES = ("release", "combined", "trend")


def softmax_levels(x: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Levels of the K markets and ROW from log totals ``x`` (..., T), ratios (..., K, T).

    Returns (..., K + 1, T); the last slot is ROW. Computed with a shift so that ``exp``
    never overflows; the parts sum to ``exp(x)`` up to rounding.
    """
    top = np.maximum(r.max(axis=-2, keepdims=True), 0.0)
    e = np.exp(r - top)
    rest = np.exp(-top)
    den = e.sum(axis=-2, keepdims=True) + rest
    parts = np.concatenate([e, rest], axis=-2) / den
    return parts * np.exp(x)[..., None, :]


class _Params(FrozenDict):
    what = "MarketHistory.params"
    fix = "pass params= to forecast.reconstruct_markets() to fix the variances."


@dataclass(frozen=True, eq=False)
class MarketComponent:
    """One coordinate of the joint history, History-like (``series``, ``draws``).

    ``name`` is ``"ALL"`` (the log total) or ``"<market>/ROW"`` (a log ratio, whose
    "level" ``exp(r)`` is the ratio of the market's share to ROW's). Draws with one seed
    use the same standard normals for every component of a :class:`MarketHistory`, so
    they are slices of one joint draw. Model specs fit it as they fit a History
    (``spec.fit(component, seed=...)``: multiple imputation over its draws).
    """

    name: str
    years: np.ndarray
    log_mean: np.ndarray
    log_sd: np.ndarray
    unit: str
    _map: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        for f in ("years", "log_mean", "log_sd", "_map"):
            object.__setattr__(self, f, readonly(np.array(getattr(self, f))))

    def __len__(self) -> int:
        return int(self.years.size)

    @property
    def series(self) -> AnnualSeries:
        """The median path as an AnnualSeries (``exp`` of the smoothed mean)."""
        return AnnualSeries(self.years, np.exp(self.log_mean), unit=self.unit, name=self.name)

    def draws(self, n: int, seed=None) -> np.ndarray:
        """Whole-history draws of ``exp(component)``, shape (n, len(years))."""
        n = check_int("n", n, 1, 10_000_000, fix="Pass the number of histories, e.g. 1000.")
        eps = as_generator(seed).standard_normal((n, self._map.shape[1]))
        return np.exp(self.log_mean + eps @ self._map.T)


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False)
class MarketHistory:
    """China's total and its named markets reconstructed together, with uncertainty.

    Attributes
    ----------
    years : ndarray of int64
    markets : tuple of str
        The named markets, in the order given; :attr:`parts` adds ``"ROW"``.
    mean : ndarray, shape (len(years), 1 + K)
        Smoothed log total and log ratios ``r_k = log(s_k / s_ROW)`` (the posterior mode).
    unit, currency, flow, segment : str
    params : mapping
        ``sigma_level``, ``sigma_slope``, ``sigma_ratio``, ``sigma_ratio_slope``,
        ``loglike``, ``estimated``, ``iterations`` (relinearisations of the last pass).
    profiles : mapping of str to IntraYearProfile
        The intra-year profile used for each named market and ``"ALL"``.

    Examples
    --------
    >>> import forecast
    >>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
    >>> mh.parts, (int(mh.years[0]), int(mh.years[-1]))
    (('US', 'EU', 'ROW'), (2009, 2025))
    >>> d = mh.draws(100, seed=1)                     # (draws, parts, years)
    >>> bool(np.allclose(d.sum(axis=1), mh.total_draws(100, seed=1)))
    True
    """

    years: np.ndarray
    markets: tuple[str, ...]
    mean: np.ndarray
    unit: str = "USD_bn"
    currency: str = "USD"
    flow: str = "offshore_execution"
    segment: str = "all"
    params: Mapping = field(default_factory=dict)
    profiles: Mapping = field(default_factory=dict, repr=False)
    _map: np.ndarray = field(default=None, repr=False)
    _obs: pd.DataFrame = field(default=None, repr=False)
    #: a history loaded from a file keeps no records, but what its summaries say of them:
    #: ``{"basis" | "n_records" | "evidence": {part or ALL: one value per year}}``
    _summary: Mapping | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        years = np.asarray(self.years, dtype=np.int64)
        k = len(self.markets)
        mean = np.asarray(self.mean, dtype=float)
        if mean.shape != (years.size, 1 + k) or not np.all(np.isfinite(mean)):
            raise ParameterError(f"`mean` must be finite with shape (years, 1 + markets) = "
                                 f"({years.size}, {1 + k}); got {mean.shape}. Build a "
                                 "MarketHistory with forecast.reconstruct_markets().")
        # C order whatever the source (the smoother's output, a saved file): numpy's
        # results can differ in the last bit with the layout, and a loaded history must
        # give the bands of the one that was saved
        mean = np.ascontiguousarray(mean)
        dmap = np.ascontiguousarray(self._map, dtype=float)
        object.__setattr__(self, "years", readonly(years))
        object.__setattr__(self, "markets", tuple(self.markets))
        object.__setattr__(self, "mean", readonly(mean))
        object.__setattr__(self, "_map", readonly(dmap))
        object.__setattr__(self, "params", _Params(dict(self.params)))
        if self._summary is not None:
            object.__setattr__(self, "_summary", FrozenDict(
                {key: FrozenDict({part: tuple(v) for part, v in per.items()})
                 for key, per in self._summary.items()}))

    def __repr__(self) -> str:
        return (f"MarketHistory({', '.join(self.markets)} + ROW, {self.years[0]}-"
                f"{self.years[-1]}, {self.unit})")

    def __len__(self) -> int:
        return int(self.years.size)

    @property
    def parts(self) -> tuple[str, ...]:
        """The named markets and ``"ROW"``: they sum to China's total."""
        return (*self.markets, ROW)

    # ----------------------------------------------------------------- draws
    def _states(self, n: int, seed) -> tuple[np.ndarray, np.ndarray]:
        n = check_int("n", n, 1, 10_000_000, fix="Pass the number of histories, e.g. 1000.")
        eps = as_generator(seed).standard_normal((n, self._map.shape[1]))
        t, k1 = self.mean.shape
        # map rows are year-major: (t, component)
        dev = (eps @ self._map.T).reshape(n, t, k1).transpose(0, 2, 1)
        states = self.mean.T[None] + dev
        return states[:, 0], states[:, 1:]

    def draws(self, n: int, seed=None) -> np.ndarray:
        """Whole joint histories: levels of every part, shape (n, len(parts), len(years)).

        The parts (named markets, then ROW) sum to the total of the same draw.
        """
        x, r = self._states(n, seed)
        return softmax_levels(x, r)

    def total_draws(self, n: int, seed=None) -> np.ndarray:
        """China's total in each draw, (n, len(years)): the sum of :meth:`draws`' parts."""
        return self.draws(n, seed).sum(axis=1)

    def share_draws(self, n: int, seed=None) -> np.ndarray:
        """Shares of every part in each draw (fractions summing to 1), (n, parts, years)."""
        _, r = self._states(n, seed)
        return softmax_levels(np.zeros(r.shape[::2]), r)

    # ----------------------------------------------------------------- summaries
    def _log_rows(self, part: str, share: bool) -> tuple[np.ndarray, np.ndarray]:
        """A part's log level (or log share) linearised at the mode: mean (t,) and its map
        from the draws' standard normals, (t, n_normals)."""
        from .market_model import _lse, log_share  # lazy: statsmodels loads with market_model

        if part != TOTAL and part not in self.parts:
            raise ParameterError(f"`market` must be one of {', '.join((*self.parts, TOTAL))}; "
                                 f"got {part!r}.")
        t, k1 = self.mean.shape
        rows = self._map.reshape(t, k1, -1)
        mu, out = np.empty(t), np.empty((t, rows.shape[2]))
        members = () if part == TOTAL else (self.markets.index(part),) if part != ROW else None
        for i in range(t):
            x, r = self.mean[i, 0], self.mean[i, 1:]
            if members is None:  # ROW: f = -log(1 + sum exp r), gradient -softmax
                f, w = _lse(np.r_[r, 0.0])
                f, g = -f, -w[:-1]
            else:
                f, g = log_share(r, members)
            jac = np.r_[0.0 if share else 1.0, g]
            mu[i] = (0.0 if share else x) + f
            out[i] = jac @ rows[i]
        return mu, out

    def _log_moments(self, part: str, share: bool) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd of a part's log level (or log share), linearised at the mode."""
        mu, rows = self._log_rows(part, share)
        return mu, np.linalg.norm(rows, axis=1)

    def to_frame(self, share: bool = False) -> pd.DataFrame:
        """Median and 80%/95% bands of every part and of the total, per year.

        Parameters
        ----------
        share : bool, default False
            Shares of China's total in percent instead of levels (no ``ALL`` rows).

        Returns
        -------
        DataFrame
            Columns ``market`` (the named markets, ``ROW``, then ``ALL`` for the total),
            ``year, median, lower_80, upper_80, lower_95, upper_95`` (in ``unit``, or
            percent), ``n_records`` (records of that market and year used: its own and
            those of sets that include it), ``evidence`` and ``basis``, what the year of
            that part rests on (:data:`BASES`): ``"release"`` (a release of that market,
            or of China's total for ``ALL``: a level, share or growth rate, full or part
            year; for ROW, releases of the total and of every named market),
            ``"combined"`` (only a combined figure that includes it, e.g. the US+HK+EU
            share, or for ROW China's total: the split within it follows the model's
            trends) or ``"trend"`` (no release that includes it: the model's trend,
            tied to the other parts' releases). A history loaded with a saved market
            projection keeps these three columns (its records are not saved; files
            written before they were kept leave them blank and 0). Bands are those of
            the log level linearised at the posterior mode (exact for ``ALL``).
        """
        share = check_bool("share", share)
        scale = 100.0 if share else 1.0
        bases = self._bases()
        frames = []
        for part in self.parts + (() if share else (TOTAL,)):
            mu, sd = self._log_moments(part, share)
            out = {"market": part, "year": self.years, "median": scale * np.exp(mu)}
            for lv in (80, 95):
                z = NormalDist().inv_cdf(0.5 + lv / 200)
                out[f"lower_{lv}"] = scale * np.exp(mu - z * sd)
                out[f"upper_{lv}"] = scale * np.exp(mu + z * sd)
            out["n_records"], out["evidence"] = self._evidence(part)
            out["basis"] = bases[part]
            frames.append(pd.DataFrame(out))
        return pd.concat(frames, ignore_index=True)

    def _bases(self) -> dict[str, list[str]]:
        """What each part's year rests on (see :meth:`to_frame`), for every part and ALL."""
        names = (*self.parts, TOTAL)
        if self._obs is None:
            if self._summary is not None:
                return {p: list(self._summary["basis"][p]) for p in names}
            return {p: [""] * len(self.years) for p in names}
        used = self._obs[self._obs["used"]]
        own: dict[str, set[int]] = {p: set() for p in names}
        inset: dict[str, set[int]] = {p: set() for p in names}
        for year, members in zip(used["year"], used["members"], strict=True):
            # a record of a market this history does not name (its markets renamed with
            # dataclasses.replace) says nothing about its parts
            if not members:
                own[TOTAL].add(int(year))
            elif len(members) == 1:
                own.get(members[0], set()).add(int(year))
            else:
                for m in members:
                    inset.get(m, set()).add(int(year))
        out = {}
        for p in (*self.markets, TOTAL):
            out[p] = [BASES[0] if int(y) in own[p] else BASES[1] if int(y) in inset[p]
                      else BASES[2] for y in self.years]
        out[ROW] = [BASES[2] if out[TOTAL][i] != BASES[0] else
                    BASES[0] if all(out[m][i] == BASES[0] for m in self.markets) else
                    BASES[1] for i in range(len(self.years))]
        return out

    def record_summary(self) -> dict[str, dict[str, list]]:
        """What :meth:`to_frame` says of the records, per part and ALL, for saving.

        ``{"basis": ..., "n_records": ..., "evidence": ...}``, each mapping every part and
        ``"ALL"`` to one value per year; a history loaded from a file gives it back (its
        records are not saved), so its ``basis`` column and the markets report's caution
        on extrapolated years survive a save and load.
        """
        bases = self._bases()
        counts, evidence = {}, {}
        for part in (*self.parts, TOTAL):
            counts[part], evidence[part] = self._evidence(part)
        return {"basis": bases, "n_records": {p: [int(v) for v in c] for p, c in counts.items()},
                "evidence": evidence}

    def _evidence(self, part: str) -> tuple[list[int], list[str]]:
        """Records used per year that speak about `part` (its own and its sets')."""
        if self._obs is None:
            if self._summary is not None:
                return (list(self._summary["n_records"][part]),
                        list(self._summary["evidence"][part]))
            return [0] * len(self.years), [""] * len(self.years)
        used = self._obs[self._obs["used"]]
        mine = used[[(m == () if part == TOTAL else part in m) for m in used["members"]]]
        by_year = {int(y): g for y, g in mine.groupby("year")}
        empty = mine.iloc[:0]
        return ([len(by_year.get(int(y), empty)) for y in self.years],
                ["; ".join(by_year.get(int(y), empty)["evidence"]) for y in self.years])

    def interval(self, level: float = 80, market: str = TOTAL) -> pd.DataFrame:
        """Central interval of one part's (or the total's) level: ``year, lower, upper``."""
        z = NormalDist().inv_cdf(0.5 + check_level("level", level) / 200)
        mu, sd = self._log_moments(market, False)
        return pd.DataFrame({"year": self.years, "lower": np.exp(mu - z * sd),
                             "upper": np.exp(mu + z * sd)})

    def series(self, market: str = TOTAL) -> AnnualSeries:
        """The median history of one part (or ``"ALL"``) as an AnnualSeries."""
        mu, _ = self._log_moments(market, False)
        return AnnualSeries(self.years, np.exp(mu), unit=self.unit, name=f"{market} {self.flow}")

    # ----------------------------------------------------------------- components
    def components(self, coordinates: str = "ratios") -> tuple[MarketComponent, ...]:
        """The coordinates of the joint history, History-like.

        Parameters
        ----------
        coordinates : {"ratios", "parts"}, default "ratios"
            ``"ratios"``: the total (``"ALL"``) and each market's log ratio to ROW (the
            state of the reconstruction, exact). ``"parts"``: the log level of every
            part (named markets, then ROW), linearised at the mode as :meth:`interval`
            is.

        Their draws with one seed are slices of one joint draw, so fitting each with the
        same seed keeps the imputations jointly consistent.
        """
        if coordinates == "parts":
            out = []
            for part in self.parts:
                mu, m = self._log_rows(part, False)
                out.append(MarketComponent(part, self.years, mu, np.linalg.norm(m, axis=1),
                                           self.unit, m))
            return tuple(out)
        if coordinates != "ratios":
            raise ParameterError(f'`coordinates` must be "ratios" or "parts"; got '
                                 f"{coordinates!r}.", field="coordinates")
        t, k1 = self.mean.shape
        rows = self._map.reshape(t, k1, -1)
        out = []
        for c in range(k1):
            m = rows[:, c, :]
            name = TOTAL if c == 0 else f"{self.markets[c - 1]}/{ROW}"
            out.append(MarketComponent(name, self.years, self.mean[:, c],
                                       np.linalg.norm(m, axis=1),
                                       self.unit if c == 0 else "ratio", m))
        return tuple(out)

    def observations(self) -> pd.DataFrame:
        """Every record considered and what the joint model made of it.

        Returns
        -------
        DataFrame
            Columns ``row, origin, market`` (as published, e.g. ``US+HK+EU``), ``year,
            months, measure, basis, value, unit, confidence, kind, evidence``, ``slot``
            (level, growth or share), ``log_value`` (the observation on the log scale,
            converted and profile-corrected), ``log_se``, ``fx_rate, fx_method, used,
            reason``.
        """
        cols = ["row", "origin", "market", "year", "months", "measure", "basis", "value",
                "unit", "confidence", "kind", "evidence", "slot", "log_value", "log_se",
                "fx_rate", "fx_method", "used", "reason"]
        if self._obs is None:
            return pd.DataFrame(columns=cols)
        obs = self._obs.rename(columns={"y": "log_value"}).copy()
        obs["log_se"] = np.sqrt(obs["var"])
        return obs[cols].reset_index(drop=True)
