"""The History value: a reconstructed annual series with its uncertainty.

Made by :func:`forecast.reconstruct` (:mod:`forecast.history.reconstruction`), or directly
from ``years``, ``log_mean`` and ``log_sd``. See ``docs/history.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from .._keywords import checked_init, checked_methods
from .._seeds import SeedLike, as_generator
from .._validation import FrozenDict, check_int, check_level, readonly
from ..errors import ParameterError
from ..series import AnnualSeries
from ._checks import check_fields
from .nowcast import Nowcast
from .observations import finish
from .profile import IntraYearProfile

__all__ = ["History", "parse_series_name", "series_name"]

FLOWS = ("offshore_execution", "offshore_contract", "so_execution", "so_contract")
CURRENCIES = ("USD", "CNY")
OBS_COLUMNS = ("row", "origin", "year", "months", "measure", "basis", "value", "unit",
               "confidence", "kind", "evidence", "implied", "log_se", "fx_rate", "fx_method",
               "used", "reason")


def series_name(market: str, flow: str, segment: str = "all") -> str:
    """The name a reconstructed series carries, e.g. ``"US offshore_execution"``.

    :func:`parse_series_name` reads it back, so later stages (the IAMC table of a
    Projection) can tell which market and flow a fitted series measures.

    >>> series_name("HK", "offshore_execution", "ITO")
    'HK offshore_execution (ITO)'
    """
    return f"{market} {flow}" + ("" if segment == "all" else f" ({segment})")


def parse_series_name(name: str) -> tuple[str, str, str] | None:
    """``(market, flow, segment)`` of a name made by :func:`series_name`, else None.

    >>> parse_series_name("US offshore_execution")
    ('US', 'offshore_execution', 'all')
    >>> parse_series_name("my series") is None
    True
    """
    head, _, rest = name.partition(" (")
    segment = rest[:-1] if rest.endswith(")") and rest[:-1] else "all"
    if rest and segment == "all":
        return None
    market, _, flow = head.partition(" ")
    if not market or flow not in FLOWS:
        return None
    return market, flow, segment


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 200.0)


class _Params(FrozenDict):
    what = "History.params"
    fix = "pass params= to forecast.reconstruct() to fix the trend variances."


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False)
class History:
    """A reconstructed annual history: smoothed log level with its uncertainty.

    Made by :func:`reconstruct`. Values are in billions of the target currency
    (``unit`` "USD_bn" or "CNY_bn"); ``log_mean`` and ``log_sd`` are the smoothed mean
    and sd of the log level, so ``exp(log_mean)`` is the median. ``params`` holds the
    estimated ``sigma_level``, ``sigma_slope``, ``loglike`` and ``estimated``;
    ``n_records`` and ``evidence`` the records used in each year.

    A History can also be built directly from ``years``, ``log_mean`` and ``log_sd``
    (e.g. in tests of later stages); its draws are then independent across years and
    it has no observations.

    Parameters
    ----------
    years : array-like of int
        Consecutive calendar years.
    log_mean, log_sd : array-like of float
        Mean and standard deviation of the log level in each year (sd >= 0).
    unit : {"USD_bn", "CNY_bn"}, default "USD_bn"
        Must match `currency`.
    name, market, flow, segment, currency : str
        What the series measures (set by :func:`reconstruct`).

    The remaining fields (``profile``, ``params``, ``n_records``, ``evidence`` and the
    private ones) are filled by :func:`reconstruct`.

    Examples
    --------
    >>> h = History([2020, 2021], [3.0, 3.1], [0.01, 0.05])
    >>> h
    History('', 2020-2021, USD_bn)
    >>> [round(float(v), 2) for v in h.series.values]
    [20.09, 22.2]
    """

    years: np.ndarray
    log_mean: np.ndarray
    log_sd: np.ndarray
    unit: str = "USD_bn"
    name: str = ""
    market: str = ""
    flow: str = "offshore_execution"
    segment: str = "all"
    currency: str = "USD"
    profile: IntraYearProfile | None = field(default=None, repr=False)
    params: Mapping = field(default_factory=dict)
    n_records: np.ndarray = field(default=None, repr=False)
    evidence: tuple = field(default=(), repr=False)
    _map: np.ndarray = field(default=None, repr=False)
    _obs: pd.DataFrame = field(default=None, repr=False)
    _fx: tuple = field(default=(), repr=False)
    _conv: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        years, mean, sd = check_fields(self.years, self.log_mean, self.log_sd,
                                       self.n_records, self.evidence, self._map)
        n = years.size
        if self.currency not in CURRENCIES or self.unit != f"{self.currency}_bn":
            raise ParameterError(f"`unit` must be '<currency>_bn' with currency USD or CNY; "
                                 f"got unit={self.unit!r}, currency={self.currency!r}. Pass "
                                 "e.g. unit='USD_bn', currency='USD'.")
        counts = np.zeros(n, dtype=np.int64) if self.n_records is None else self.n_records
        object.__setattr__(self, "years", readonly(years.copy()))
        object.__setattr__(self, "log_mean", readonly(mean.copy()))
        object.__setattr__(self, "log_sd", readonly(sd.copy()))
        object.__setattr__(self, "n_records", readonly(np.asarray(counts, dtype=np.int64)))
        object.__setattr__(self, "evidence", tuple(self.evidence) or ("",) * n)
        # without the simulation smoother's map, draws are independent across years
        dmap = np.diag(sd) if self._map is None else np.asarray(self._map, dtype=float)
        object.__setattr__(self, "_map", readonly(dmap.copy()))
        object.__setattr__(self, "params", _Params(dict(self.params)))

    def __repr__(self) -> str:
        return (f"History({self.name!r}, {self.years[0]}-{self.years[-1]}, {self.unit})")

    def __len__(self) -> int:
        return int(self.years.size)

    @property
    def series(self) -> AnnualSeries:
        """The median history as an :class:`~forecast.series.AnnualSeries` (in bn)."""
        return AnnualSeries(self.years, np.exp(self.log_mean), unit=self.unit, name=self.name)

    def interval(self, level: float = 80) -> pd.DataFrame:
        """Central interval of each year's level.

        Parameters
        ----------
        level : float
            Percentage in (0, 100), e.g. 80.

        Returns
        -------
        DataFrame
            Columns ``year``, ``lower``, ``upper`` (in ``unit``).

        Examples
        --------
        >>> h = History([2020, 2021], [3.0, 3.1], [0.0, 0.05])
        >>> h.interval(80).round(2).values.tolist()
        [[2020.0, 20.09, 20.09], [2021.0, 20.82, 23.67]]
        """
        z = _z(check_level("level", level))
        return pd.DataFrame({"year": self.years,
                             "lower": np.exp(self.log_mean - z * self.log_sd),
                             "upper": np.exp(self.log_mean + z * self.log_sd)})

    def to_frame(self) -> pd.DataFrame:
        """One row per year: median, 80% and 95% bands, and the evidence behind it.

        Returns
        -------
        DataFrame
            Columns ``year``, ``median``, ``lower_80``, ``upper_80``, ``lower_95``,
            ``upper_95`` (in ``unit``), ``n_records`` (records dated that year that were
            used) and ``evidence`` (their kinds, e.g. "level(CNY); growth(CNY)"; empty in
            a year known only from its neighbours).

        Examples
        --------
        >>> History([2020, 2021], [3.0, 3.1], [0.0, 0.05]).to_frame().columns.tolist()
        ['year', 'median', 'lower_80', 'upper_80', 'lower_95', 'upper_95', 'n_records', \
'evidence']
        """
        out = {"year": self.years, "median": np.exp(self.log_mean)}
        for lv in (80, 95):
            band = self.interval(lv)
            out[f"lower_{lv}"], out[f"upper_{lv}"] = band["lower"], band["upper"]
        out["n_records"] = self.n_records
        out["evidence"] = list(self.evidence)
        return pd.DataFrame(out)

    def draws(self, n: int, seed: SeedLike = None) -> np.ndarray:
        """Whole plausible histories from the simulation smoother.

        Parameters
        ----------
        n : int
            Number of draws, in [1, 10_000_000].
        seed : int, Generator, SeedSequence or None
            Same int seed, same draws.

        Returns
        -------
        ndarray, shape (n, len(years))
            Levels in ``unit``; each row is one history consistent with all records.

        Examples
        --------
        >>> History([2020, 2021], [3.0, 3.1], [0.0, 0.05]).draws(1000, seed=1).shape
        (1000, 2)
        """
        n = check_int("n", n, 1, 10_000_000, fix="Pass the number of histories, e.g. 1000.")
        rng = as_generator(seed)
        eps = rng.standard_normal((n, self._map.shape[1]))
        return np.exp(self.log_mean + eps @ self._map.T)

    def observations(self) -> pd.DataFrame:
        """Every record of the series and what it says about the annual level.

        Returns
        -------
        DataFrame
            Columns ``row``, ``origin`` (where the record is), ``year``, ``months``,
            ``measure``, ``basis``, ``value`` (as published), ``unit``, ``confidence``,
            ``kind`` (level, partial, growth, partial_growth, share), ``evidence``,
            ``implied`` (the annual level of ``year`` in ``unit`` it implies: a growth
            rate is applied to the median of the year before), ``log_se`` (its standard
            error on the log scale), ``fx_rate`` and ``fx_method`` (conversion used, if
            any), ``used`` and ``reason`` (why a record is not used).

        Examples
        --------
        >>> History([2020, 2021], [3.0, 3.1], [0.0, 0.05]).observations().empty
        True
        """
        if self._obs is None:
            return pd.DataFrame(columns=list(OBS_COLUMNS))
        if self._conv is not None and self._obs["pending"].any():
            # records not used by the model are converted only when asked for
            object.__setattr__(self, "_obs", finish(self._obs, self._conv))
        obs = self._obs.copy()
        prev = dict(zip(self.years + 1, self.log_mean, strict=True))
        base = np.array([0.0 if s == 0 else prev.get(y, np.nan)
                         for y, s in zip(obs["year"], obs["slot"], strict=True)])
        obs["implied"] = np.exp(obs["y"] + base)
        obs["log_se"] = np.sqrt(obs["var"])
        return obs[list(OBS_COLUMNS)].reset_index(drop=True)

    def nowcast(self, year: int | None = None, *, n: int = 10_000,
                seed: SeedLike = 0) -> Nowcast:
        """Full-year distribution of a year known only from partial-year figures.

        Parameters
        ----------
        year : int, optional
            Defaults to the last year of the history.
        n : int
            Number of samples (default 10 000).
        seed : int, Generator, SeedSequence or None
            Seed of the samples (default 0: the same nowcast every call).

        Returns
        -------
        Nowcast
            Samples of the full-year level in ``unit`` (a ParameterError when `year` has
            a full-year record in use, a level or a growth rate on the year before, or
            no partial-year record). They are draws of the history (:meth:`draws`), so
            the nowcast's median and bands are Monte Carlo estimates, within about 0.2%
            of the exact ones in :meth:`to_frame` for the default `n` (2025: median 31.93
            against 31.93, 80% band 30.34-33.62 against 30.31-33.63); raise `n` to
            narrow the gap.

        Notes
        -----
        A full-year growth rate is a published full-year figure: it ties the year to the
        one before as closely as a level would pin it, and outweighs the year's partial
        figures, so such a year is not nowcast (its distribution is in
        :meth:`to_frame`).

        Examples
        --------
        >>> import forecast
        >>> forecast.reconstruct(forecast.load_releases()).nowcast(2025)
        Nowcast(2025 from January-October: median 31.93 USD_bn, 80% [30.34, 33.62], \
10000 samples)
        """
        last = int(self.years[-1])
        default = year is None
        year = last if default else check_int(
            "year", year, int(self.years[0]), last,
            fix="Pass a year of the history with partial-year figures.")
        if self._obs is None:
            raise ParameterError("`year` must have a partial-year record in use, and this "
                                 "History has no records. Build it with reconstruct().")
        o = self._obs[self._obs["used"]]
        # a full-year record in use (a level, or a growth rate on the year before) is a
        # published full-year figure: the year is then not known from partial ones only
        full: dict[int, str] = {}
        for y, measure in zip(o["year"], o["measure"].where(o["months"] == 12), strict=True):
            if isinstance(measure, str) and full.get(int(y)) != "level":
                full[int(y)] = "growth rate" if measure == "yoy_growth" else "level"
        # the years nowcast accepts: a partial record in use and no full-year record
        have = sorted({int(y) for y in o.loc[o["months"] < 12, "year"]} - set(full))
        if year in full:
            kind = full[year] + (" (on the year before)" if full[year] == "growth rate"
                                 else "")
            if default:  # nothing to nowcast: the records end with a full year
                raise ParameterError(
                    f"`year` must be a year known only from partial-year figures; its default, "
                    f"the history's last year {year}, has a full-year {kind}, so this history "
                    f"({self.market} {self.flow}) has no partial year to nowcast. Read "
                    "history.to_frame() for its figures, or add a later January-to-month "
                    "record.")
            years = ", ".join(map(str, have)) or "none"
            raise ParameterError(
                f"`year` must be a year known only from partial-year figures; {year} has a "
                f"full-year {kind}. Read history.to_frame() for its figures, or pass a year "
                f"known only from partial-year figures (this history's: {years}).")
        part = o[(o["year"] == year) & (o["months"] < 12)]
        if part.empty:
            raise ParameterError(
                f"`year` must have a partial-year (January-to-month) record in use; {year} "
                f"has none. Years with one: {have or 'none'}.")
        idx = int(year - self.years[0])
        samples = self.draws(n, seed)[:, idx]
        rate, method = self._fx[idx] if self._fx else (np.nan, "")
        return Nowcast(year=year, months=int(part["months"].max()), samples=samples,
                       currency=self.currency, market=self.market, flow=self.flow,
                       fx_rate=float(rate), fx_method=str(method))
