"""Reusable hypothesis strategies, one section per stage.

Property tests live in ``tests/properties/``; they import their strategies from here so
that a strategy (a valid series, a scenario, a records table) is written once.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from forecast.series import AnnualSeries

# --------------------------------------------------------------------------- series


@st.composite
def annual_series(draw, min_len: int = 2, max_len: int = 30) -> AnnualSeries:
    """A valid AnnualSeries with positive values of moderate dynamic range."""
    n = draw(st.integers(min_len, max_len))
    start = draw(st.integers(1990, 2030))
    logs = draw(
        st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n)
    )
    return AnnualSeries(np.arange(start, start + n), np.exp(np.cumsum(logs) * 0.1 + 1.0))


# --------------------------------------------------------------------------- models


def model_specs() -> list:
    """The contract list: every built-in family (and its variants) and ``Auto``, as
    ``tests/models/test_models_contract.py`` checks them and the model properties use
    them. A function, so that importing the strategies does not import the models."""
    from forecast.models import (
        ARIMA,
        Auto,
        DampedTrend,
        Drift,
        LocalLinearTrend,
        LogLinearTrend,
        Naive,
        Theta,
    )

    return [Naive(), Drift(), LogLinearTrend(), LogLinearTrend(ar1=True), DampedTrend(),
            ARIMA(), ARIMA(order=(1, 0)), LocalLinearTrend(), Theta(), Auto(),
            Auto(method="select", weights="aicc")]


# --------------------------------------------------------------------------- records
# (records / history strategies go here)

RECORD_MARKETS = ("US", "ALL", "HK", "EU", "JP", "RCEP", "US+HK+EU", "IN")
# tricky but valid text cells: commas, quotes, CJK, semicolons, a leading '#'
_RECORD_TEXT = st.sampled_from((
    "MOFCOM: 2023 release", 'quoted "figure", with comma', "商务部 服务外包 2023年",
    "a;b|c", "#1 source", "nan", "NA", "Zheng Jinrong (CSORC), re-post",
))


@st.composite
def record_frames(draw, min_rows: int = 1, max_rows: int = 12):
    """A valid releases table (the CSV columns) as a DataFrame, conflict-free by construction.

    Rows sharing a key get the first such row's value (corroboration), so the table always
    validates; text cells include commas, quotes and non-ASCII characters.
    """
    import pandas as pd

    n = draw(st.integers(min_rows, max_rows))
    rows = []
    for _ in range(n):
        measure = draw(st.sampled_from(("level", "yoy_growth", "share")))
        basis = draw(st.sampled_from(("USD", "CNY")))
        year = draw(st.integers(2005, 2022))  # published by mid-2025, never in the future
        months = draw(st.integers(1, 12))
        lo, hi = {"level": (0.1, 1e5), "share": (0.1, 100.0), "yoy_growth": (-99.0, 500.0)}[
            measure]
        value = round(draw(st.floats(lo, hi)), 1)
        period_end = pd.Timestamp(year, months, 1) + pd.offsets.MonthEnd(0)
        pub = period_end + pd.Timedelta(days=draw(st.integers(0, 900)))
        published = draw(st.sampled_from((
            pub.strftime("%Y-%m-%d"), pub.strftime("%Y-%m"), pub.strftime("%Y"))))
        rows.append({
            "market": draw(st.sampled_from(RECORD_MARKETS)),
            "segment": draw(st.sampled_from(("all", "ITO", "BPO", "KPO"))),
            "flow": draw(st.sampled_from(("offshore_execution", "offshore_contract",
                                          "so_execution", "so_contract"))),
            "year": year, "months": months, "measure": measure, "value": value,
            "unit": f"{basis}_1e8" if measure == "level" else "pct", "basis": basis,
            "published": published,
            "source": draw(_RECORD_TEXT),
            "address": draw(st.sampled_from(("", "http://example.org/a?b=1,2"))),
            "confidence": draw(st.sampled_from(("read", "uncertain"))),
            "note": draw(st.one_of(st.just(""), _RECORD_TEXT)),
        })
    df = pd.DataFrame(rows)
    key = ["market", "segment", "flow", "year", "months", "measure", "basis"]
    df["value"] = df.groupby(key)["value"].transform("first")
    return df


@st.composite
def records(draw, min_rows: int = 1, max_rows: int = 12, origin: str = "generated"):
    """Valid :class:`forecast.records.Records` built from :func:`record_frames`."""
    from forecast.records import Records

    return Records.from_frame(draw(record_frames(min_rows, max_rows)), origin=origin)


# --------------------------------------------------------------------------- history


@st.composite
def history_frames(draw, market: str = "XX", min_years: int = 4, max_years: int = 10):
    """Releases of one synthetic market in USD: full-year and Jan-to-month levels, growth.

    Values have full float precision (published rounding is then negligible, so scaling
    properties hold exactly); every table has at least one full-year level, and pins the
    trend (levels in two years, or a growth rate linking two years). Columns are
    those of ``releases.csv``; at most one record per (year, months, measure).
    """
    import pandas as pd

    n = draw(st.integers(min_years, max_years))
    start = draw(st.integers(2000, 2015))
    logs = np.cumsum(draw(st.lists(st.floats(-0.3, 0.5), min_size=n, max_size=n)))
    level = np.exp(3.0 + logs + 1e-9 * np.pi)  # USD_1e8, full precision
    rows = []

    def add(year, months, measure, value, unit):
        rows.append({"market": market, "segment": "all", "flow": "offshore_execution",
                     "year": int(year), "months": int(months), "measure": measure,
                     "value": float(value), "unit": unit, "basis": "USD",
                     "published": f"{year + 1}-01", "source": "synthetic",
                     "address": "", "confidence": "read", "note": ""})

    full_idx = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    for i in sorted(full_idx):
        add(start + i, 12, "level", level[i], "USD_1e8")
    for i in range(n):
        if draw(st.booleans()):
            m = draw(st.integers(3, 11))
            add(start + i, m, "level", level[i] * (m / 12) ** 1.3 * 0.9, "USD_1e8")
        if i > 0 and draw(st.booleans()):
            add(start + i, 12, "yoy_growth", 100 * (level[i] / level[i - 1] - 1), "pct")
    # the trend must be pinned: levels in two years, or a growth rate reaching back to a
    # year with a record (else reconstruct refuses the years only the model would make up)
    first = min(r["year"] for r in rows)
    level_years = {r["year"] for r in rows if r["measure"] == "level"}
    linked = any(r["measure"] == "yoy_growth" and r["year"] > first for r in rows)
    if len(level_years) < 2 and not linked:
        i = (min(full_idx) + 1) % n
        add(start + i, 12, "level", level[i], "USD_1e8")
    return pd.DataFrame(rows)


@st.composite
def growth_observations(draw, min_years: int = 4, max_years: int = 12):
    """The usable observations of one series, as the slip check reads them.

    Returns ``(used, changes)``: ``used`` holds dicts ``year, slot, value, y`` (slot 0:
    log levels of some years, the first always; slot 1: growth rates in percent of some
    later years, with ``y = log1p(value / 100)``), all consistent with the log changes
    ``changes[year]`` (each in [-0.3, 0.5], about -26% to +65% a year).
    """
    n = draw(st.integers(min_years, max_years))
    start = draw(st.integers(2000, 2015))
    steps = draw(st.lists(st.floats(-0.3, 0.5), min_size=n - 1, max_size=n - 1))
    changes = {start + i + 1: c for i, c in enumerate(steps)}
    logs = np.concatenate([[3.0], 3.0 + np.cumsum(steps)])
    used = []
    for i in range(n):
        if i == 0 or draw(st.booleans()):
            used.append({"year": start + i, "slot": 0, "value": float(np.exp(logs[i])),
                         "y": float(logs[i])})
        if i > 0 and draw(st.booleans()):
            v = 100.0 * float(np.expm1(steps[i - 1]))
            used.append({"year": start + i, "slot": 1, "value": v, "y": float(np.log1p(v / 100))})
    return used, changes


# --------------------------------------------------------------------------- scenarios
# distributions, assumptions, scenarios and scenario sets (valid by construction)

from forecast import scenarios as _s  # noqa: E402
from forecast.scenarios import distributions as _d  # noqa: E402


@st.composite
def distributions(draw, lo: float = -0.5, hi: float = 0.5) -> _d.Distribution:
    """A distribution whose support lies in [lo, hi] (continuous kinds)."""
    x = st.floats(lo, hi, allow_nan=False, allow_subnormal=False)
    a, b = sorted((draw(x), draw(x)))
    if b - a < 1e-6:
        return _d.Fixed(a)
    kind = draw(st.sampled_from(["fixed", "uniform", "triangular", "normal", "beta"]))
    if kind == "fixed":
        return _d.Fixed(a)
    if kind == "uniform":
        return _d.Uniform(a, b)
    if kind == "triangular":
        return _d.Triangular(a, draw(st.floats(a, b)), b)
    if kind == "normal":
        return _d.Normal(0.5 * (a + b), (b - a) / 4, low=a, high=b)
    return _d.Beta(draw(st.floats(0.5, 5)), draw(st.floats(0.5, 5)), low=a, high=b)


def params(lo: float = -0.5, hi: float = 0.5):
    """A parameter value: a float in [lo, hi] or a distribution on [lo, hi]."""
    return st.one_of(st.floats(lo, hi, allow_nan=False, allow_subnormal=False),
                     distributions(lo, hi))


starts = st.one_of(st.integers(2026, 2032),
                   st.tuples(st.integers(2026, 2030), st.integers(0, 3)).map(
                       lambda t: _d.DiscreteUniform(t[0], t[0] + t[1])))
names = st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=8)


@st.composite
def assumptions(draw, name: str | None = None, group: bool = True) -> _s.Assumption:
    """Any primitive (or, when `group`, a Group of primitives) with a given or drawn name."""
    name = name if name is not None else draw(names)
    prob = draw(params(0.0, 1.0))
    kind = draw(st.sampled_from(["level", "growth", "adoption", "escalation", "volatility"]
                                + (["group"] if group else [])))
    if kind == "level":
        return _s.LevelShift(draw(starts), draw(params()), draw(params(1.0, 4.0)), name=name,
                             probability=prob)
    if kind == "growth":
        hl = draw(st.none() | params(0.5, 10.0))
        end = draw(st.none() | st.integers(2033, 2040))
        return _s.GrowthShift(draw(starts), draw(params(-0.05, 0.05)), end, hl, name=name,
                              probability=prob)
    if kind == "adoption":
        return _s.Adoption(draw(starts), draw(params()), draw(params(0.5, 6.0)),
                           draw(params(0.2, 3.0)), name=name, probability=prob)
    if kind == "escalation":
        return _s.Escalation(draw(starts), draw(params(0.0, 1.0)), draw(params(-0.1, 0.1)),
                             draw(st.none() | params(0.0, 1.0)), name=name, probability=prob)
    if kind == "volatility":
        return _s.Volatility(draw(starts), draw(params(0.0, 3.0)), name=name, probability=prob)
    parts = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    return _s.Group(name, tuple(draw(assumptions(p, group=False)) for p in parts), prob)


@st.composite
def scenarios(draw, name: str | None = None, max_assumptions: int = 3) -> _s.Scenario:
    """A scenario with uniquely named assumptions (possibly none)."""
    labels = draw(st.lists(names, max_size=max_assumptions, unique=True))
    return _s.Scenario(name if name is not None else draw(names),
                       tuple(draw(assumptions(x)) for x in labels),
                       draw(st.text(max_size=20)))


@st.composite
def scenario_sets(draw) -> _s.ScenarioSet:
    """A ScenarioSet of 1-3 scenarios, with or without probabilities."""
    labels = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    items = tuple(draw(scenarios(x)) for x in labels)
    if draw(st.booleans()):
        w = draw(st.lists(st.integers(0, 5), min_size=len(items), max_size=len(items)))
        if sum(w) > 0:
            return _s.ScenarioSet(items, tuple(x / sum(w) for x in w)
                                  if abs(sum(x / sum(w) for x in w) - 1) <= 1e-9 else None)
    return _s.ScenarioSet(items)

# --------------------------------------------------------------------------- evaluation


@st.composite
def forecast_pairs(draw, min_size: int = 1, max_size: int = 20):
    """(actual, predicted, samples (k, n)) positive arrays for metric properties."""
    n = draw(st.integers(min_size, max_size))
    k = draw(st.integers(1, 15))
    pos = st.floats(0.1, 1e3, allow_nan=False, allow_infinity=False)
    actual = np.array(draw(st.lists(pos, min_size=n, max_size=n)))
    predicted = np.array(draw(st.lists(pos, min_size=n, max_size=n)))
    samples = np.array(draw(st.lists(pos, min_size=n * k, max_size=n * k))).reshape(k, n)
    return actual, predicted, samples
