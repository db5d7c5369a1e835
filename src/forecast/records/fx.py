"""CNY per USD exchange rates, and MOFCOM's own implied rates, with their uncertainty.

MOFCOM reported in USD up to 2015 and in CNY from 2016. Converting between the two
needs a rate, and which rate matters: MOFCOM's CNY and USD totals imply their own rate
(6.903 in 2020, 6.545 in 2022, 6.868 in 2023), which is not the annual average (about
6.90, 6.73 and 7.08). :meth:`ExchangeRates.for_period` therefore prefers the implied
rate and falls back on an annual average whose ``log_sd`` includes the typical gap
between the two, estimated from the data when the table is built.

Preference among annual averages (they differ by up to about 0.05 CNY): ``prc_official``
(the PRC's own average, what MOFCOM would use), then ``fed_g5a`` (Federal Reserve G.5A),
then ``wdi`` (World Bank, 2 decimals), then the mean of the available ``fed_g5`` monthly
averages (method ``"monthly"``, with a larger ``log_sd``). See ``docs/data.md``.

Examples
--------
>>> import forecast
>>> fx = forecast.load_exchange_rates()
>>> rec = forecast.load_releases()
>>> r = fx.for_period(rec, 2022)
>>> (r.method, round(r.rate, 3))
('implied', 6.545)
>>> a = fx.annual(2022)
>>> (a.method, a.rate, a.log_sd > r.log_sd)
('annual', 6.729, True)
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._io.cells import neutralise, unneutralise
from .._io.seals import SidecarSeal, check_own_file, write_own
from .._keywords import checked_init, checked_methods
from .._validation import check_bool, check_float, check_int
from ..errors import DataError, ForecastTypeError, ParameterError
from . import _fx_schema as F
from .csvfile import embedded_text, parse_csv, read_user_text
from .releases import Records, load_releases
from .schema import raise_problems

__all__ = ["ExchangeRates", "FxRate", "load_exchange_rates"]

METHODS = ("implied", "annual", "monthly", "carried")
UNCERTAIN_FACTOR = 3.0  # a rate marked "uncertain" has 3x the between-series spread
MONTHLY_FLOOR = 0.01  # a mean of a few monthly averages is never as good as an annual one
# A spread is estimated only from at least MIN_DIFFERENCES independent differences: the
# root mean square of n differences has a relative standard error of about 1/sqrt(2n)
# (71% for one, 50% for two) and one or two near-equal figures make it nearly 0, which
# would pass every conversion as exact. With fewer, the default below is used instead.
MIN_DIFFERENCES = 3
DEFAULT_GAP = 0.03  # implied-vs-average gap: fewer than 3 years with both rates
DEFAULT_SERIES = 0.005  # between-series spread: fewer than 3 same-year differences
DEFAULT_WITHIN = 0.01  # within-year spread: fewer than 3 degrees of freedom of months
DEFAULT_FLOW = 0.005  # between-flow spread: fewer than 3 same-year differences of flows
# Flows whose CNY and USD totals give an implied rate, in order of preference.
IMPLIED_FLOWS = ("offshore_execution", "so_execution", "offshore_contract", "so_contract")
#: how to_csv knows an exchange-rate file it wrote, unchanged (a record beside it)
_FX_SEAL = SidecarSeal((",".join(F.FX_COLUMNS),))


@checked_init
@dataclass(frozen=True)
class FxRate:
    """A CNY-per-USD rate for ``months`` months from January of ``year``.

    ``log_sd`` is the standard deviation of the log rate as a conversion factor for
    MOFCOM's figures; ``method`` is ``"implied"`` (MOFCOM's own CNY total / USD total),
    ``"annual"`` (an annual average), ``"monthly"`` (mean of monthly averages) or
    ``"carried"`` (a table cut by :meth:`ExchangeRates.known_by`: the last known average,
    for a year not yet averaged).
    """

    year: int
    months: int
    rate: float
    log_sd: float
    method: str
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "year", check_int("year", self.year, 1900, 2200))
        object.__setattr__(self, "months", check_int(
            "months", self.months, 1, 12, "months counts from January (12 = full year)."))
        object.__setattr__(self, "rate", check_float(
            "rate", self.rate, 0, None, lo_open=True, fix="Pass CNY per USD, e.g. 7.08."))
        object.__setattr__(self, "log_sd", check_float("log_sd", self.log_sd, 0, None))
        if self.method not in METHODS:
            raise ParameterError(f"`method` must be one of {', '.join(METHODS)}; got "
                                 f"{self.method!r}.")
        if not isinstance(self.source, str):
            raise ForecastTypeError(f"`source` must be text; got {type(self.source).__name__}.")

    @property
    def log_rate(self) -> float:
        """``log(rate)``."""
        return math.log(self.rate)


def _decimal_step(v: float) -> float:
    """The rounding step of a published figure (1 for 1368, 0.1 for 1057.8)."""
    text = repr(float(v))
    if "e" in text or text.endswith(".0"):
        return 1.0
    return 10.0 ** -len(text.split(".")[1])


def _implied_candidates(records, year: int, months: int) -> list[tuple]:
    """(flow, cny_row, usd_row) for ALL/all pairs of CNY and USD totals, preferred first."""
    index, frame = records._key_index, records._frame
    out = []
    for flow in IMPLIED_FLOWS:
        cny = index.get(("ALL", "all", flow, year, months, "level", "CNY"))
        usd = index.get(("ALL", "all", flow, year, months, "level", "USD"))
        if cny and usd:
            out.append((flow, frame.iloc[cny[0]], frame.iloc[usd[0]]))
    return out


@checked_methods
@checked_init
@dataclass(frozen=True, eq=False)
class ExchangeRates:
    """Annual and monthly CNY-per-USD averages with the spreads used for ``log_sd``.

    Build with :func:`load_exchange_rates` or :meth:`from_csv`. The spreads are
    estimated from the data when the table is built (see ``docs/data.md``):
    ``series_log_sd`` (disagreement between series in the same year),
    ``gap_log_sd`` (root mean square of log(implied / annual average) over ``gap_years``),
    ``within_year_log_sd`` (spread of monthly averages around their year's mean) and
    ``flow_log_sd`` (spread between implied rates of different flows in the same year).
    ``frame`` columns: ``year, month (Int64, <NA> = annual), series, cny_per_usd, source,
    address, confidence, note, row, origin``.
    """

    _frame: pd.DataFrame = field(repr=False)
    series_log_sd: float = 0.0
    gap_log_sd: float = DEFAULT_GAP
    within_year_log_sd: float = 0.0
    flow_log_sd: float = 0.0
    gap_years: tuple[int, ...] = ()
    #: set by :meth:`known_by`: the date the table is cut at (years after its last average
    #: are carried forward from it, see :meth:`annual`)
    as_of: pd.Timestamp | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self._frame, pd.DataFrame) or (
            tuple(self._frame.columns) != F.FX_FRAME_COLUMNS
        ):
            raise ForecastTypeError("ExchangeRates(...) takes a validated table; build it with "
                                    "load_exchange_rates() or ExchangeRates.from_csv(path).")
        object.__setattr__(self, "_frame", self._frame.reset_index(drop=True).copy())
        for name in ("series_log_sd", "gap_log_sd", "within_year_log_sd", "flow_log_sd"):
            object.__setattr__(self, name, check_float(name, getattr(self, name), 0, 1))
        object.__setattr__(self, "gap_years", tuple(int(y) for y in self.gap_years))
        if self.as_of is not None and not isinstance(self.as_of, pd.Timestamp):
            raise ForecastTypeError(f"`as_of` must be None or a pandas Timestamp; got "
                                    f"{self.as_of!r}. Cut a table with fx.known_by(date).",
                                    field="as_of")

    @classmethod
    def from_csv(cls, path: str | os.PathLike, releases=None) -> ExchangeRates:
        """Load a user's exchange-rate CSV (columns of ``fx.csv``; ``address``, ``note`` optional).

        Every bad cell is reported at once (``err.problems``). ``releases`` (default: the
        embedded records) supplies the implied rates used to estimate ``gap_log_sd``.
        """
        text, name = read_user_text(path, "exchange-rate")
        where = f"exchange-rate file {os.fspath(path)!r}"
        raw, rows = parse_csv(text, where, F.FX_COLUMNS, F.FX_REQUIRED)
        for col in ("source", "address", "note"):  # undo the formula guard of to_csv
            if col in raw.columns:
                raw[col] = [unneutralise(v) for v in raw[col].tolist()]
        return _build(raw, rows, name, where, releases)

    def known_by(self, as_of) -> ExchangeRates:
        """The table as a forecaster had it on `as_of`, for pseudo-real-time work.

        An average is known once its period is over: a year's annual average from its
        31 December, a month's from its last day. Rows of later periods are dropped, and
        a year with no average left (the partial year of the cut-off date, typically) is
        converted at the last known average, carried forward like a random walk: its
        ``log_sd`` grows by the root mean square yearly log change of the known annual
        averages for each year it is carried (``method`` "carried"). MOFCOM's own implied
        rates come from the records, which :meth:`Records.filter` cuts at the same date.
        The spreads (``series_log_sd`` and the others) are kept as estimated on the
        whole table.

        Parameters
        ----------
        as_of : str, date or Timestamp
            As for ``Records.filter(as_of=...)``: ``"2017-06"`` is known by 30 June 2017.

        Examples
        --------
        >>> fx = load_exchange_rates().known_by("2017-06")
        >>> r = fx.annual(2017)       # the 2017 average was not known in June 2017
        >>> (r.method, round(r.rate, 4), r.rate == fx.annual(2016).rate)
        ('carried', 6.6423, True)
        """
        from ._filter import _as_of_end  # the same reading of the date as Records.filter

        end = _as_of_end(as_of)
        f = self._frame
        year = f["year"].astype(int)
        month = f["month"].fillna(12).astype(int)
        period_end = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
        period_end = period_end + pd.offsets.MonthEnd(0)
        keep = (period_end <= end).to_numpy()
        if not keep.any():
            raise DataError(f"no exchange rate was known by {end.date()}: the table starts in "
                            f"{min(self.years)}. Pass a later `as_of`.", field="as_of")
        return ExchangeRates(f[keep], self.series_log_sd, self.gap_log_sd,
                             self.within_year_log_sd, self.flow_log_sd, self.gap_years,
                             as_of=end)

    def _carried(self, year: int) -> FxRate | None:
        """For a table cut by :meth:`known_by`: the last known average carried to `year`."""
        if self.as_of is None:
            return None
        known = [y for y in self.years if y < year]
        if not known:
            return None
        last = max(known)
        avg = self._average(last)
        if avg is None:
            return None
        extra = self._step_log_sd * math.sqrt(year - last)
        return FxRate(year, 12, avg.rate, math.hypot(avg.log_sd, extra), "carried",
                      f"the {last} average carried forward (known by {self.as_of.date()}): "
                      f"{avg.source}")

    @functools.cached_property
    def _step_log_sd(self) -> float:
        """Root mean square yearly log change of the annual averages (0.05 without two)."""
        annual = self._frame[self._frame["month"].isna()].groupby("year")["cny_per_usd"].mean()
        steps = np.diff(np.log(annual.sort_index().to_numpy()))
        return float(np.sqrt(np.mean(steps**2))) if steps.size else 0.05

    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the rate table."""
        return self._frame.copy()

    @property
    def years(self) -> tuple[int, ...]:
        """Years with an annual or at least one monthly average."""
        return tuple(sorted(int(y) for y in self._frame["year"].unique()))

    def __len__(self) -> int:
        return len(self._frame)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExchangeRates):
            return NotImplemented
        spreads = ("series_log_sd", "gap_log_sd", "within_year_log_sd", "flow_log_sd",
                   "gap_years")
        return self._frame.equals(other._frame) and all(
            getattr(self, a) == getattr(other, a) for a in spreads)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        f = self._frame
        return (f"ExchangeRates({len(f)} rows, years {min(self.years)}-{max(self.years)}, "
                f"series {', '.join(sorted(f['series'].unique()))}; log_sd: series "
                f"{self.series_log_sd:.4f}, implied-vs-average gap {self.gap_log_sd:.4f} "
                f"(from {', '.join(map(str, self.gap_years)) or 'default'}))")

    def to_csv(self, path: str | os.PathLike, *, force: bool = False) -> None:
        """Write the table in the ``fx.csv`` schema (readable by :meth:`from_csv`).

        Atomic, never through a link, formula-like text neutralised (see Records.to_csv).
        The SHA-256 of the file goes to ``.<name>.forecast.json`` beside it (the CSV
        itself stays plain, for pandas and spreadsheets). An existing file is replaced
        only when forecast wrote it and nobody changed it since (that record lists its
        SHA-256); an edited one (a row appended), one without a record and any other file
        only with ``force=True`` (else OutputError naming the file and the fix, before
        anything is written).
        """
        check_bool("force", force)
        check_own_file(path, force=force, what="exchange-rate file", seal=_FX_SEAL)
        frame = neutralise(self._frame.loc[:, list(F.FX_COLUMNS)])
        text = frame.to_csv(index=False, lineterminator="\n")
        write_own(path, text.encode("utf-8"), force=force, what="exchange-rate file",
                  seal=_FX_SEAL)

    # ------------------------------------------------------------------ rates
    def _average(self, year: int) -> FxRate | None:
        """The preferred average for `year` without the implied-gap term, or None."""
        f = self._frame[self._frame["year"] == year]
        for series in F.ANNUAL_SERIES:
            g = f[(f["series"] == series) & f["month"].isna()]
            if len(g):
                r = g.iloc[0]
                k = UNCERTAIN_FACTOR if r["confidence"] == "uncertain" else 1.0
                return FxRate(year, 12, float(r["cny_per_usd"]), k * self.series_log_sd,
                              "annual", f"{series}: {r['source']}")
        g = f[f["series"].isin(F.MONTHLY_SERIES) & f["month"].notna()]
        if len(g) == 0:
            return None
        months = sorted(int(m) for m in g["month"].unique())
        logs = np.log(g.groupby("month")["cny_per_usd"].mean().to_numpy())
        n = len(months)
        coverage = self.within_year_log_sd * math.sqrt(max(12 - n, 0) / (12 * n))
        sd = math.sqrt(self.series_log_sd ** 2 + coverage ** 2 + MONTHLY_FLOOR ** 2)
        return FxRate(year, 12, float(np.exp(logs.mean())), sd, "monthly",
                      f"mean of {n} monthly fed_g5 averages (months "
                      f"{', '.join(map(str, months))}): {g.iloc[0]['source']}")

    def annual(self, year: int) -> FxRate:
        """The annual average CNY per USD for `year`, by the documented preference.

        ``log_sd`` = sqrt(series spread² + implied-gap²) (series spread x3 for rows marked
        ``uncertain``); the monthly fallback adds the spread of the missing months and a
        floor of 0.01.

        Raises
        ------
        DataError
            When no annual or monthly average exists for `year`.

        Examples
        --------
        >>> r = load_exchange_rates().annual(2024)
        >>> (r.method, round(r.rate, 2))
        ('monthly', 7.22)
        """
        year = check_int("year", year, 1900, 2200, "Pass a calendar year, e.g. 2023.")
        avg = self._average(year)
        if avg is None:
            avg = self._carried(year)
        if avg is None:
            raise DataError(
                f"no exchange rate for {year}: the table has annual or monthly averages for "
                f"{', '.join(map(str, self.years))}. Add a row for {year} to an fx CSV and "
                "load it with ExchangeRates.from_csv(path)."
            )
        return replace(avg, log_sd=math.hypot(avg.log_sd, self.gap_log_sd))

    def implied(self, records, year: int, months: int = 12) -> FxRate | None:
        """MOFCOM's own rate: its CNY total / its USD total for the same period, or None.

        Uses China's total (market ALL, segment all), preferring the flow
        offshore_execution, then so_execution, offshore_contract, so_contract.
        ``log_sd`` = hypot(rounding of the two published totals, k * ``flow_log_sd``) with
        k = 1 for offshore_execution and sqrt(2) for a fallback flow: the rate behind a
        sub-total (the US, one flow) differs from the total's by about the spread between
        flows. The rounding term is tripled (and at least 3 x ``series_log_sd``) when
        either row is marked ``uncertain``. None when no such pair exists.

        Examples
        --------
        >>> import forecast
        >>> r = load_exchange_rates().implied(forecast.load_releases(), 2020, months=8)
        >>> (r.method, round(r.rate, 3))
        ('implied', 6.895)
        """
        records = _records(records)
        year = check_int("year", year, 1900, 2200, "Pass a calendar year, e.g. 2023.")
        months = check_int("months", months, 1, 12, "months counts from January (12 = full year).")
        cands = _implied_candidates(records, year, months)
        if not cands:
            return None
        flow, cny, usd = cands[0]
        c, u = float(cny["value"]), float(usd["value"])
        rounding = math.hypot(_decimal_step(c) / c, _decimal_step(u) / u) / math.sqrt(12)
        if "uncertain" in (cny["confidence"], usd["confidence"]):
            rounding = UNCERTAIN_FACTOR * max(rounding, self.series_log_sd)
        # The rate behind any sub-total (a market, a flow) differs from the total's by about
        # the spread between flows; a fallback flow carries that spread twice.
        k = 1.0 if flow == IMPLIED_FLOWS[0] else math.sqrt(2.0)
        sd = math.hypot(rounding, k * self.flow_log_sd)
        return FxRate(year, months, c / u, sd, "implied",
                      f"MOFCOM implied: ALL {flow} {c:g} CNY_1e8 / {u:g} USD_1e8 "
                      f"({cny['source']})")

    def for_period(self, records, year: int, months: int = 12) -> FxRate:
        """The rate to convert MOFCOM figures for `months` months of `year`.

        MOFCOM's implied rate when its CNY and USD totals for that period exist, else the
        annual average of `year` (for a partial period its ``log_sd`` also includes the
        within-year spread, scaled by sqrt(1 - months/12)); the result's ``months`` is
        the period asked for.
        """
        imp = self.implied(records, year, months)
        if imp is not None:
            return imp
        ann = self.annual(year)
        extra = self.within_year_log_sd * math.sqrt(1 - months / 12)
        return replace(ann, months=months, log_sd=math.hypot(ann.log_sd, extra))


def _records(records):
    if records is None:
        records = load_releases()
    if not isinstance(records, Records):
        raise ForecastTypeError(f"`records` must be Records (or None for the embedded "
                                f"releases); got {type(records).__name__}. Load them with "
                                "forecast.load_releases() or Records.from_csv(path).")
    return records


def _spreads(frame: pd.DataFrame) -> tuple[float, float]:
    """(between-series log spread, within-year log spread of monthly averages).

    Each falls back on its default (DEFAULT_SERIES, DEFAULT_WITHIN) when fewer than
    MIN_DIFFERENCES independent differences inform it: a year with k series gives k - 1,
    a year with k monthly averages k - 1 degrees of freedom.
    """
    ann = frame[frame["month"].isna()]
    diffs, n_series = [], 0
    for _, g in ann.groupby("year"):
        logs = np.log(g["cny_per_usd"].to_numpy())
        diffs.extend((logs[:, None] - logs[None, :])[np.triu_indices(len(logs), 1)])
        n_series += len(logs) - 1
    series_sd = (float(np.sqrt(np.mean(np.square(diffs)) / 2))
                 if n_series >= MIN_DIFFERENCES else DEFAULT_SERIES)
    mon = frame[frame["month"].notna()]
    devs, n_within = [], 0
    for _, g in mon.groupby("year"):
        if len(g) >= 2:
            logs = np.log(g["cny_per_usd"].to_numpy())
            devs.extend(logs - logs.mean())
            n_within += len(logs) - 1
    # pooled over years: each year's mean costs one degree of freedom
    within = (float(np.sqrt(np.sum(np.square(devs)) / n_within))
              if n_within >= MIN_DIFFERENCES else DEFAULT_WITHIN)
    return series_sd, within


def _gap_and_flow(rates: ExchangeRates, records) -> tuple[float, float, tuple[int, ...]]:
    """RMS log gap implied-vs-annual, RMS log gap between flows, and the gap years.

    The gap is DEFAULT_GAP, and the gap years none, with fewer than MIN_DIFFERENCES years
    that have both an implied and an annual rate; the flow spread is DEFAULT_FLOW with
    fewer than MIN_DIFFERENCES differences (a year with k flows' implied rates gives k - 1).
    """
    records = _records(records)
    gaps, flows, years = [], [], []
    for year in sorted({k[3] for k in records._key_index if k[0] == "ALL" and k[4] == 12}):
        cands = _implied_candidates(records, year, 12)
        if not cands:
            continue
        logs = [math.log(float(c["value"]) / float(u["value"])) for _, c, u in cands]
        flows.extend(x - logs[0] for x in logs[1:])
        avg = rates._average(year)
        if avg is not None and avg.method == "annual":
            gaps.append(logs[0] - avg.log_rate)
            years.append(year)
    # one or two differences are not an estimate: the defaults
    flow = _rms(flows) if len(flows) >= MIN_DIFFERENCES else DEFAULT_FLOW
    if len(gaps) < MIN_DIFFERENCES:
        return DEFAULT_GAP, flow, ()
    return _rms(gaps), flow, tuple(years)


def _rms(values: list[float]) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def _build(raw: pd.DataFrame, rows: list[int], origin: str, where: str,
           releases=None) -> ExchangeRates:
    frame, problems = F.validate_fx_rows(raw, rows)
    raise_problems(where, problems)
    frame["origin"] = pd.Series([origin] * len(frame), dtype=str)
    series_sd, within = _spreads(frame)
    rates = ExchangeRates(frame, series_log_sd=series_sd, within_year_log_sd=within)
    gap, flow, years = _gap_and_flow(rates, releases)
    return replace(rates, gap_log_sd=gap, flow_log_sd=flow, gap_years=years)


@functools.cache
def _embedded() -> ExchangeRates:
    raw, rows = parse_csv(embedded_text("fx.csv"), "embedded fx.csv", F.FX_COLUMNS,
                          F.FX_REQUIRED)
    return _build(raw, rows, "embedded", "embedded fx.csv")


def load_exchange_rates() -> ExchangeRates:
    """Load the embedded exchange-rate table (cached; immutable).

    Examples
    --------
    >>> fx = load_exchange_rates()
    >>> fx.gap_years
    (2020, 2021, 2022, 2023)
    """
    return _embedded()
