"""Tests of forecast.history: the state-space reconstruction of the annual history."""

from __future__ import annotations

import dataclasses
import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import DataError, ForecastError, ForecastTypeError, ParameterError
from forecast.history import History, IntraYearProfile, Nowcast, reconstruct
from forecast.records import Records


def _history_loo():
    """The leave-one-out study of docs/scripts/history_loo.py (a script, not a module)."""
    path = Path(__file__).resolve().parents[2] / "docs" / "scripts" / "history_loo.py"
    spec = importlib.util.spec_from_file_location("history_loo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FULL_YEARS = (2009, 2013, 2020, 2022, 2023, 2024)
GAP_YEARS = (2010, 2011, 2018, 2019)


@pytest.fixture(scope="module")
def us(us_history) -> History:
    return us_history


@pytest.fixture(scope="module")
def frame(us) -> pd.DataFrame:
    return us.to_frame()


def _row(frame: pd.DataFrame, year: int) -> pd.Series:
    return frame.loc[frame["year"] == year].iloc[0]


def _synthetic(levels: dict, growth: dict | None = None, partial: dict | None = None,
               market: str = "XX") -> Records:
    rows = []

    def add(year, months, measure, value, unit):
        rows.append({"market": market, "segment": "all", "flow": "offshore_execution",
                     "year": year, "months": months, "measure": measure, "value": value,
                     "unit": unit, "basis": "USD", "published": f"{year + 1}-01",
                     "source": "synthetic", "confidence": "read"})

    for y, v in levels.items():
        add(y, 12, "level", v, "USD_1e8")
    for y, g in (growth or {}).items():
        add(y, 12, "yoy_growth", g, "pct")
    for (y, m), v in (partial or {}).items():
        add(y, m, "level", v, "USD_1e8")
    return Records.from_frame(pd.DataFrame(rows), origin="synthetic")


# ------------------------------------------------------------------ the US history


def test_span_and_units(us):
    assert us.series.first_year == 2009
    assert us.series.last_year == 2025
    assert us.unit == "USD_bn"
    assert us.currency == "USD"
    assert us.market == "US"
    assert len(us) == 17
    assert us.params["estimated"] is True
    lo, hi = 0.003, 0.3
    assert lo <= us.params["sigma_level"] <= hi
    assert lo <= us.params["sigma_slope"] <= hi


@pytest.mark.parametrize(("year", "published"), [(2009, 2.81), (2013, 11.75), (2024, 31.59)])
def test_medians_match_published_usd(frame, year, published):
    assert _row(frame, year)["median"] == pytest.approx(published, rel=0.02)


def test_cny_years_match_converted_figures(frame):
    # 2020, 2022, 2023 are published in CNY; MOFCOM's implied rates convert them
    for year, cny, rate in ((2020, 155.06, 7302 / 1057.8), (2022, 187.8, 8953 / 1368),
                            (2023, 213.2, 10398 / 1514)):
        assert _row(frame, year)["median"] == pytest.approx(cny / rate, rel=0.02)


def test_bands_narrower_with_full_year_figure(us):
    sd = dict(zip(us.years.tolist(), us.log_sd, strict=True))
    assert max(sd[y] for y in FULL_YEARS) < min(sd[y] for y in GAP_YEARS)
    # a year known only from January-October is wider than a year with its full figure
    assert sd[2025] > sd[2024]


def test_to_frame_columns_and_ordering(frame):
    assert list(frame.columns) == ["year", "median", "lower_80", "upper_80", "lower_95",
                                   "upper_95", "n_records", "evidence"]
    assert np.all(frame["lower_95"] < frame["lower_80"])
    assert np.all(frame["lower_80"] < frame["median"])
    assert np.all(frame["median"] < frame["upper_80"])
    assert np.all(frame["upper_80"] < frame["upper_95"])
    assert frame["year"].tolist() == list(range(2009, 2026))


def test_evidence_strings(frame):
    assert _row(frame, 2025)["evidence"] == "partial(Jan-Oct, CNY)"
    assert _row(frame, 2020)["evidence"] == "level(CNY); growth(CNY)"
    assert _row(frame, 2009)["evidence"] == "level(USD)"
    assert _row(frame, 2018)["evidence"] == ""
    assert _row(frame, 2018)["n_records"] == 0


def test_interval_matches_frame(us, frame):
    band = us.interval(80)
    assert list(band.columns) == ["year", "lower", "upper"]
    np.testing.assert_allclose(band["lower"], frame["lower_80"])
    np.testing.assert_allclose(band["upper"], frame["upper_80"])


def test_series_is_median(us, frame):
    np.testing.assert_allclose(us.series.values, frame["median"])
    np.testing.assert_allclose(us.series.values, np.exp(us.log_mean))


def test_draws_shape_reproducibility_and_spread(us):
    a = us.draws(4000, seed=7)
    assert a.shape == (4000, len(us))
    assert np.all(a > 0)
    np.testing.assert_array_equal(a, us.draws(4000, seed=7))
    assert not np.array_equal(a, us.draws(4000, seed=8))
    logs = np.log(a)
    np.testing.assert_allclose(logs.std(axis=0), us.log_sd, rtol=0.1)
    np.testing.assert_allclose(logs.mean(axis=0), us.log_mean, atol=3 * us.log_sd.max() / 60)
    # whole histories: adjacent gap years move together
    r = np.corrcoef(logs[:, 2010 - 2009], logs[:, 2011 - 2009])[0, 1]
    assert r > 0.3


def test_draws_accept_generator(us):
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(us.draws(5, seed=g1), us.draws(5, seed=g2))


def test_observations_cover_every_record(us, releases):
    obs = us.observations()
    n = len(releases.filter(market="US", segment="all", flow="offshore_execution"))
    assert len(obs) == n
    assert {"implied", "log_se", "used", "reason", "kind", "evidence"} <= set(obs.columns)
    unused = obs[~obs["used"]]
    assert (unused["reason"].str.len() > 0).all()
    used = obs[obs["used"]]
    assert np.all(np.isfinite(used["implied"]))
    assert np.all(used["log_se"] > 0)
    share13 = obs[(obs["year"] == 2013) & (obs["measure"] == "share") & (obs["months"] == 12)]
    assert not share13["used"].iloc[0]
    assert "published directly" in share13["reason"].iloc[0]
    # the share restates the level: 25.9% of China's 45.41 bn
    assert share13["implied"].iloc[0] == pytest.approx(11.75, rel=0.01)
    nov20 = obs[(obs["year"] == 2020) & (obs["months"] == 11) & (obs["measure"] == "level")]
    assert "superseded" in nov20["reason"].iloc[0]
    # a converted record reports its rate: MOFCOM's implied 2020 rate
    lev20 = obs[(obs["year"] == 2020) & (obs["months"] == 12) & (obs["measure"] == "level")]
    assert lev20["fx_method"].iloc[0] == "implied"
    assert lev20["fx_rate"].iloc[0] == pytest.approx(7302 / 1057.8, rel=1e-9)


def test_uncertain_records_get_larger_variance(us):
    obs = us.observations()
    part = obs[(obs["kind"] == "partial") & obs["used"]]
    unc = part[part["confidence"] == "uncertain"]["log_se"]
    read = part[(part["confidence"] == "read") & (part["months"] == 5)]["log_se"]
    assert len(unc)
    assert len(read)
    assert unc.min() > read.max()


# ------------------------------------------------------------------ nowcast


def test_nowcast_2025(us, frame):
    nc = us.nowcast()
    assert isinstance(nc, Nowcast)
    assert (nc.year, nc.months, nc.currency, nc.unit) == (2025, 10, "USD", "USD_bn")
    row = _row(frame, 2025)
    assert nc.median == pytest.approx(row["median"], rel=0.01)
    lo80, hi80 = nc.interval(80)
    lo95, hi95 = nc.interval(95)
    assert lo95 < lo80 < nc.median < hi80 < hi95
    assert lo95 == pytest.approx(row["lower_95"], rel=0.02)
    q = nc.quantiles([0.1, 0.5, 0.9])
    assert np.all(np.diff(q) > 0)
    cny = nc.in_currency("CNY")
    assert cny.unit == "CNY_bn"
    assert cny.median == pytest.approx(nc.median * nc.fx_rate, rel=1e-9)
    assert nc.in_currency("USD") is nc
    # Jan-Oct 2025 was CNY 159.11 bn; a full year lies well above it
    assert cny.median > 159.11 / 0.8
    with pytest.raises(dataclasses.FrozenInstanceError):
        nc.year = 2024  # type: ignore[misc]


def test_nowcast_reproducible(us):
    np.testing.assert_array_equal(us.nowcast().samples, us.nowcast().samples)


@pytest.mark.parametrize(("year", "match"), [(2024, "full-year level"),
                                             (2018, "partial-year"),
                                             (2030, "2025")])
def test_nowcast_bad_year(us, year, match):
    with pytest.raises(ParameterError, match=match) as info:
        us.nowcast(year)
    assert "`year`" in str(info.value)


def test_nowcast_refuses_a_year_with_a_full_year_growth_rate(us):
    """2015 has January-September figures and a full-year growth rate in use: the growth
    rate is a published full-year figure (it outweighs the partial one 80 to 1), so 2015
    is not "known only from partial-year figures" and nowcast(2015) said it was, labelled
    "from January-September"."""
    obs = us.observations()
    used = obs[obs["used"] & (obs["year"] == 2015)]
    assert set(zip(used["months"], used["measure"], strict=True)) == {
        (9, "level"), (12, "yoy_growth")}
    with pytest.raises(ParameterError, match=r"2015 has a full-year growth rate") as info:
        us.nowcast(2015)
    listed = str(info.value).split("this history's: ")[1]
    assert "2015" not in listed
    assert "2014, 2016" in listed
    for year in map(int, listed.rstrip(").").split(", ")):
        assert us.nowcast(year, n=10).year == year
    with pytest.raises(ParameterError, match="Years with one: ") as info:
        us.nowcast(2018)
    assert "2015" not in str(info.value)
    assert us._fx[2015 - 2009] == (pytest.approx(np.nan, nan_ok=True), "")  # no nowcast rate


def test_nowcast_of_synthetic_years_with_full_year_growth():
    recs = _synthetic({2018: 80.0}, growth={2019: 10.0, 2021: 5.0},
                      partial={(2019, 6): 45.0, (2020, 6): 46.0, (2021, 6): 48.0})
    h = reconstruct(recs, market="XX")
    assert h.nowcast(2020).months == 6
    with pytest.raises(ParameterError, match="2019 has a full-year growth rate"):
        h.nowcast(2019)
    with pytest.raises(ParameterError, match="its default, the history's last year 2021, has "
                       "a full-year growth rate"):
        h.nowcast()


def test_nowcast_without_a_partial_last_year_says_the_default_was_used():
    # Hong Kong's records end with the full year 2023: there is nothing to nowcast
    hk = forecast.reconstruct(forecast.load_releases(), market="HK", currency="CNY")
    assert int(hk.years[-1]) == 2023
    with pytest.raises(ParameterError, match="its default, the history's last year 2023, "
                       "has a full-year level") as info:
        hk.nowcast()
    assert "(HK offshore_execution) has no partial year to nowcast" in str(info.value)


# ------------------------------------------------------------------ profile


def test_profile_shape(us):
    p = us.profile
    assert isinstance(p, IntraYearProfile)
    c = p.share(np.arange(1, 13))
    assert np.all(np.diff(c) > 0)
    assert c[-1] == 1.0
    assert p.share(8)[0] == pytest.approx(0.5, abs=0.08)
    assert p.share(11)[0] == pytest.approx(0.8, abs=0.05)
    # 2020 US: Jan-Nov CNY 126.37 bn of 155.06 bn
    assert p.share(11)[0] == pytest.approx(1263.7 / 1550.6, abs=0.05)
    tab = p.to_frame()
    assert list(tab.columns) == ["months", "label", "share", "log_sd", "lower_95", "upper_95",
                                 "n_pairs"]
    assert np.all(np.diff(tab["log_sd"].to_numpy()[:11]) < 0)  # early months are noisier
    assert tab["n_pairs"].sum() == len(p.pairs) >= 10


def test_profile_validation():
    with pytest.raises(ParameterError, match="log_c11"):
        IntraYearProfile(0.1, 1.2, 0.05, np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="exponent"):
        IntraYearProfile(-0.2, -1.0, 0.05, np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="months"):
        IntraYearProfile(-0.2, 1.2, 0.05, np.zeros((2, 2))).share(13)
    for dof in (2, 1.5, "30", True, np.nan, None):
        with pytest.raises(ParameterError, match="`dof` must be a number > 2"):
            IntraYearProfile(-0.2, 1.2, 0.05, np.zeros((2, 2)), dof=dof)
    assert IntraYearProfile(-0.2, 1.2, 0.05, np.zeros((2, 2)), dof=np.int64(4)).t_factor == 2.0


# ------------------------------------------------------------------ leave-one-out


def test_leave_one_out_full_year_levels(releases):
    loo = _history_loo().loo_full_year(releases, FULL_YEARS)
    assert loo["year"].tolist() == list(FULL_YEARS)
    assert int(loo["covered_95"].sum()) >= len(FULL_YEARS) - 1
    # bands after dropping are wider than with the figure, yet still informative
    assert np.all(loo["upper_95"] / loo["lower_95"] < 3.0)


# ------------------------------------------------------------------ other series


def test_china_total(releases):
    h = reconstruct(releases, market="ALL")
    f = h.to_frame()
    assert h.series.first_year == 2006
    assert h.series.last_year == 2024
    for year, usd in ((2013, 45.41), (2020, 105.78), (2024, 164.3)):
        assert _row(f, year)["median"] == pytest.approx(usd, rel=0.02)
    # the USD figure is used and its CNY twin reported as the same evidence
    obs = h.observations()
    twin = obs[(obs["year"] == 2020) & (obs["months"] == 12) & (obs["measure"] == "level")
               & (obs["basis"] == "CNY")]
    assert not twin["used"].iloc[0]
    assert "conversion" in twin["reason"].iloc[0]


def test_cny_target(releases):
    h = reconstruct(releases, currency="CNY")
    assert h.unit == "CNY_bn"
    assert _row(h.to_frame(), 2020)["median"] == pytest.approx(155.06, rel=0.01)


def test_synthetic_market():
    recs = _synthetic({2015: 50.0, 2018: 80.0, 2020: 100.0}, growth={2016: 20.0, 2019: 10.0},
                      partial={(2021, 6): 45.0})
    h = reconstruct(recs, market="XX")
    f = h.to_frame()
    assert (h.series.first_year, h.series.last_year) == (2015, 2021)
    for year, v in ((2015, 5.0), (2018, 8.0), (2020, 10.0)):
        assert _row(f, year)["median"] == pytest.approx(v, rel=0.02)
    assert _row(f, 2016)["median"] == pytest.approx(6.0, rel=0.05)
    # no partial/full pairs in these records: the embedded profile is used, and says so
    assert "embedded" in h.profile.source
    assert h.nowcast().months == 6


def test_synthetic_growth_in_first_year_is_reported_unused():
    recs = _synthetic({2015: 50.0, 2016: 60.0}, growth={2015: 12.0})
    obs = reconstruct(recs, market="XX").observations()
    g = obs[obs["measure"] == "yoy_growth"].iloc[0]
    assert not g["used"]
    assert "start=2014" in g["reason"]


def test_fixed_params_and_profile(us, releases):
    params = {k: us.params[k] for k in ("sigma_level", "sigma_slope")}
    h = reconstruct(releases, params=params, profile=us.profile)
    np.testing.assert_allclose(h.log_mean, us.log_mean, atol=1e-9)
    assert h.params["estimated"] is False


# ------------------------------------------------------------------ errors


def _check_message(exc: BaseException, *words: str) -> None:
    text = str(exc)
    for w in words:
        assert w in text, text


@pytest.mark.parametrize(("kwargs", "err", "words"), [
    ({"market": "MARS"}, ParameterError, ("`market`", "'MARS'", "Markets present")),
    ({"flow": "onshore"}, ParameterError, ("`flow`", "'onshore'", "offshore_execution")),
    ({"currency": "EUR"}, ParameterError, ("`currency`", "'EUR'", "Pass 'USD' or 'CNY'")),
    ({"currency": "usd"}, ParameterError, ("Did you mean 'USD'",)),
    ({"currency": 1}, ForecastTypeError, ("`currency`", "str")),
    ({"start": 2020, "end": 2010}, ParameterError, ("`start`", "Swap")),
    ({"start": "2010"}, ForecastTypeError, ("`start`",)),
    ({"params": {"sigma_level": 0.01}}, ForecastTypeError, ("`params`", "sigma_slope")),
    ({"params": {"sigma_level": 5.0, "sigma_slope": 0.01}}, ParameterError,
     ("sigma_level", "bounds")),
    ({"profile": "flat"}, ForecastTypeError, ("`profile`",)),
    ({"market": "JP", "flow": "so_contract"}, DataError, ("no record", "'JP'", "Pass one of")),
])
def test_bad_arguments(releases, kwargs, err, words):
    with pytest.raises(err) as info:
        reconstruct(releases, **kwargs)
    assert isinstance(info.value, ForecastError)
    _check_message(info.value, *words)


def test_bad_records_type():
    with pytest.raises(ForecastTypeError, match="`records` must be Records"):
        reconstruct(pd.DataFrame())
    with pytest.raises(ForecastTypeError, match="`fx` must be ExchangeRates"):
        reconstruct(fx={"2020": 6.9})


def test_growth_alone_cannot_pin_level():
    recs = _synthetic({}, growth={2016: 20.0, 2017: 10.0})
    with pytest.raises(DataError, match="growth alone cannot pin the level"):
        reconstruct(recs, market="XX", start=2015)


def test_one_pinned_year_refuses_years_the_model_would_make_up():
    # one level (2016) and a growth rate that reaches back before the first record: the
    # smoother used to give 2015 half the 2016 log level with a 1.6% "band"
    recs = _synthetic({2016: 20.0}, growth={2015: 0.0})
    with pytest.raises(DataError) as info:
        reconstruct(recs, market="XX")
    _check_message(info.value, "pin the level of 2016 only", "2015 would be made up",
                   "start=2016, end=2016")
    with pytest.raises(DataError, match="2013, 2014, 2015 would be made up"), \
            pytest.warns(UserWarning, match="extrapolate"):
        reconstruct(_synthetic({2016: 20.0}), market="XX", start=2013)
    alone = reconstruct(recs, market="XX", start=2016, end=2016)
    assert alone.years.tolist() == [2016]
    np.testing.assert_allclose(alone.series.values, [2.0])
    # a growth rate linking the level to the year before pins that year too
    linked = reconstruct(_synthetic({2016: 20.0}, growth={2016: 25.0}), market="XX",
                         start=2015)
    np.testing.assert_allclose(linked.series.values, [1.6, 2.0], rtol=0.02)


def test_growth_typed_as_a_fraction_is_named_in_a_warning():
    # 17.5% typed as 0.175: the levels of 2015 and 2016 imply +17.5%
    levels = {2014: 90.0, 2015: 100.0, 2016: 117.5, 2017: 125.0}
    with pytest.warns(UserWarning, match="contradicts the levels") as rec:
        reconstruct(_synthetic(levels, growth={2016: 0.175}), market="XX")
    msg = str(rec[0].message)
    assert rec[0].filename == __file__
    for words in ("2016 full year, yoy_growth 0.175 pct", "imply +17.5%", "enter 17.5"):
        assert words in msg
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reconstruct(_synthetic(levels, growth={2016: 17.5}), market="XX")  # as published
        reconstruct(_synthetic(levels, growth={2016: 12.0}), market="XX")  # a discrepancy
        # a small growth where the levels hardly move is not a slip
        reconstruct(_synthetic({2015: 100.0, 2016: 100.4}, growth={2016: 0.4}), market="XX")


def _path(growth: dict, start: int = 2014, level: float = 100.0) -> dict:
    """Levels from `start` compounding ``{year: growth in percent}`` (the others flat)."""
    out = {start: level}
    for y in range(start + 1, max(growth) + 1):
        out[y] = out[y - 1] * (1 + growth.get(y, 0.0) / 100)
    return out


def test_growth_typed_as_a_fraction_in_a_year_without_a_level_is_named():
    """The probe's case: no 2017 level, and the 2017 growth typed 0.10 for 10%. The
    levels of 2016 and 2018 imply +21% over two years, +10% a year; as typed the history
    gave 2017 +0.1% (11.04 between 11.0 and 13.3) without a word."""
    levels = _path(dict.fromkeys(range(2015, 2021), 10.0))
    gap = {y: v for y, v in levels.items() if y != 2017}
    with pytest.warns(UserWarning, match="contradicts the levels") as rec:
        reconstruct(_synthetic(gap, growth={2017: 0.10}), market="XX")
    assert len(rec) == 1
    msg = str(rec[0].message)
    assert rec[0].filename == __file__
    for words in ("2017 full year, yoy_growth 0.1 pct", "the levels of 2016 and 2018 (no "
                  "level in between), which imply +10.0% a year", "read as 10% it would "
                  "agree", "enter 10 (the unit is percent"):
        assert words in msg, (words, msg)
    # no level for the year before: 2016 and 2018 stand in for 2017 and 2018
    with pytest.warns(UserWarning, match=r"2018 full year, yoy_growth 0\.1 pct\) contradicts "
                                         r"the levels of 2016 and 2018"):
        reconstruct(_synthetic(gap, growth={2018: 0.10}), market="XX")
    # two years without a level; the other growth rate of the span is taken out first
    # (+30% in 2016, then +8% a year: the plain average, +15%, would not match 0.08)
    levels = _path({2015: 10.0, 2016: 30.0, 2017: 8.0, 2018: 8.0, 2019: 10.0})
    gap = {y: v for y, v in levels.items() if y not in (2016, 2017)}
    with pytest.warns(UserWarning, match=r"2017 full year, yoy_growth 0\.08 pct\) contradicts "
                                         r"the levels of 2015 and 2018 \(no level in between\), "
                                         r"which imply \+8\.0% a year after the growth rate "
                                         r"of 2016; read as 8% it would agree"):
        reconstruct(_synthetic(gap, growth={2016: 30.0, 2017: 0.08}), market="XX")


def test_growth_rates_around_a_missing_level_that_are_no_slip_are_not_warned_about():
    levels = _path(dict.fromkeys(range(2015, 2021), 10.0))
    gap = {y: v for y, v in levels.items() if y != 2017}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reconstruct(_synthetic(gap, growth={2017: 10.0}), market="XX")  # as published
        reconstruct(_synthetic(gap, growth={2017: 4.0}), market="XX")  # a discrepancy
        # a small genuine growth where the levels around the gap hardly move
        flat = _path(dict.fromkeys(range(2015, 2021), 0.3))
        reconstruct(_synthetic({y: v for y, v in flat.items() if y != 2017},
                               growth={2017: 0.3}), market="XX")
        # +0.5% and then +110%: the plain average over 2016-2018 (+45% a year) would
        # match 0.5 read as 50%, but the 2018 growth rate accounts for the jump
        jump = _path({2015: 10.0, 2016: 10.0, 2017: 0.5, 2018: 110.0, 2019: 10.0})
        reconstruct(_synthetic({y: v for y, v in jump.items() if y != 2017},
                               growth={2017: 0.5, 2018: 110.0}), market="XX")


def test_no_usable_record():
    recs = _synthetic({2015: 50.0})
    with pytest.raises(DataError, match="falls in"):
        reconstruct(recs, market="XX", start=2018)


@pytest.mark.parametrize(("call", "err", "word"), [
    (lambda h: h.interval(0.8), ParameterError, "Did you mean 80"),
    (lambda h: h.interval(120), ParameterError, "`level`"),
    (lambda h: h.draws(0), ParameterError, "`n`"),
    (lambda h: h.draws(2.5), ForecastTypeError, "`n`"),
    (lambda h: h.draws(3, seed=-1), ParameterError, "`seed`"),
    (lambda h: h.nowcast().interval(0), ParameterError, "`level`"),
    (lambda h: h.nowcast().quantiles([0.5, 2]), ParameterError, "`q`"),
    (lambda h: h.nowcast().in_currency("EUR"), ParameterError, "`currency`"),
])
def test_bad_method_arguments(us, call, err, word):
    with pytest.raises(err, match=word):
        call(us)


def test_history_is_frozen_and_readonly(us):
    with pytest.raises(dataclasses.FrozenInstanceError):
        us.unit = "CNY_bn"  # type: ignore[misc]
    with pytest.raises(ValueError):
        us.log_mean[0] = 0.0
    # observations() is a copy: editing it does not change the history
    obs = us.observations()
    obs.loc[0, "value"] = -1.0
    assert us.observations().loc[0, "value"] > 0


def test_reexported_names():
    assert forecast.reconstruct is reconstruct
    assert forecast.History is History
    assert forecast.Nowcast is Nowcast
    assert forecast.IntraYearProfile is IntraYearProfile


def test_history_built_directly():
    h = History([2020, 2021, 2022], [3.0, 3.1, 3.2], [0.01, 0.05, 0.1])
    np.testing.assert_allclose(h.series.values, np.exp([3.0, 3.1, 3.2]))
    d = np.log(h.draws(4000, seed=1))
    np.testing.assert_allclose(d.std(axis=0), [0.01, 0.05, 0.1], rtol=0.1)
    obs = h.observations()
    assert obs.empty
    from forecast.history.history import OBS_COLUMNS

    assert list(obs.columns) == list(OBS_COLUMNS)
    with pytest.raises(ParameterError, match="no records"):
        h.nowcast()


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"years": [2020, 2022], "log_mean": [1.0, 1.1], "log_sd": [0.1, 0.1]},
     r"History `years` must be consecutive calendar years in \[1800, 2200\]; got \[2020, 2022\]"),
    ({"years": [2020, 2021], "log_mean": [1.0, 1.1], "log_sd": [0.1, -0.1]},
     r"History `log_sd` must be finite and >= 0; got -0\.1 in 2021"),
    ({"years": [2020, 2021], "log_mean": [1.0], "log_sd": [0.1, 0.1]},
     r"History `log_mean` must have one value per year \(2\); got 1\."),
    ({"years": [2020], "log_mean": [1.0], "log_sd": [0.1], "currency": "CNY"},
     r"`unit` must be '<currency>_bn' with currency USD or CNY; got unit='USD_bn', "
     r"currency='CNY'"),
])
def test_history_validation(kwargs, words):
    with pytest.raises(ParameterError, match=words):
        History(**kwargs)


@pytest.mark.parametrize(("field", "values", "shown"), [
    ("log_sd", [0.1, -0.1, 0.1], "got -0.1 in 2021"),
    ("log_mean", [1.0, float("inf"), 1.2], "got inf in 2021"),
])
def test_history_values_are_shown_as_numbers(field, values, shown):
    """Not as numpy scalars' repr (``np.float64(-0.1)``)."""
    kwargs = {"years": [2020, 2021, 2022], "log_mean": [1.0, 1.1, 1.2],
              "log_sd": [0.1, 0.1, 0.1], field: values}
    with pytest.raises(ParameterError, match=rf"`{field}` .*; {shown}\.") as info:
        History(**kwargs)
    assert "np." not in str(info.value)


def test_pseudo_real_time(releases):
    # as of mid-2021 the latest US figure was January-February 2021
    h = reconstruct(releases.filter(as_of="2021-06"))
    assert h.series.last_year == 2021
    nc = h.nowcast()
    assert (nc.year, nc.months) == (2021, 2)
    assert h.nowcast().interval(95)[1] / h.nowcast().interval(95)[0] > 1.2  # a wide band


def _last_year_in_worker(history):
    return history.series.last_year, float(history.params["sigma_slope"])


def test_history_crosses_process_boundaries(us_history):
    """A History can be sent to a process pool (evaluation and dask workers need it)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as pool:
        year, sigma = pool.submit(_last_year_in_worker, us_history).result()
    assert year == us_history.series.last_year
    assert sigma == us_history.params["sigma_slope"]
    with pytest.raises(forecast.ForecastTypeError, match="History.params is read-only"):
        us_history.params["sigma_slope"] = 1.0  # type: ignore[index]
