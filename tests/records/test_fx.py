"""Tests of forecast.records.fx: implied rates, annual preference, uncertainty, validation."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from _own_files import refusal

from forecast.errors import DataError, ForecastTypeError, ParameterError
from forecast.records import ExchangeRates, FxRate, load_exchange_rates

FX_CSV = resources.files("forecast").joinpath("data", "fx.csv")


@pytest.fixture(scope="module")
def fx():
    return load_exchange_rates()


def raw_fx() -> pd.DataFrame:
    with resources.as_file(FX_CSV) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


def test_every_fx_row_loads(fx):
    assert len(fx) == len(raw_fx()) == 33
    f = fx.frame
    assert list(f.columns) == ["year", "month", "series", "cny_per_usd", "source", "address",
                               "confidence", "note", "row", "origin"]
    assert f["month"].isna().sum() == 24
    np.testing.assert_array_equal(f["cny_per_usd"], raw_fx()["cny_per_usd"].astype(float))
    assert load_exchange_rates() is fx
    assert "33 rows" in repr(fx)
    assert "2020, 2021, 2022, 2023" in repr(fx)


@pytest.mark.parametrize(("year", "rate"), [(2020, 6.903), (2022, 6.545), (2023, 6.868)])
def test_implied_rates_reproduce_mofcom(fx, releases, year, rate):
    r = fx.implied(releases, year)
    assert r.method == "implied"
    assert round(r.rate, 3) == rate
    assert (r.year, r.months) == (year, 12)
    assert "offshore_execution" in r.source
    assert 0 < r.log_sd < 0.01
    assert fx.for_period(releases, year) == r


def test_implied_partial_period(fx, releases):
    r = fx.implied(releases, 2020, months=8)
    assert r.rate == pytest.approx(3561.5 / 516.5)
    assert r.months == 8
    assert fx.implied(releases, 2019) is None
    assert fx.implied(None, 2020).rate == fx.implied(releases, 2020).rate


def test_implied_fallback_flow_has_larger_sd(fx, releases):
    r = fx.implied(releases, 2021)  # no ALL offshore_execution pair for 2021
    assert "so_execution" in r.source
    assert r.rate == pytest.approx(14972 / 2265)
    assert r.log_sd > fx.implied(releases, 2022).log_sd


def test_implied_respects_the_records_given(fx, releases):
    assert fx.implied(releases.filter(as_of="2023-12"), 2023) is None
    r = fx.implied(releases.filter(as_of="2024-12"), 2023)
    assert r.rate == pytest.approx(10398 / 1514)  # ALL offshore execution, CNY / USD
    assert r.method == "implied"


def test_annual_preference(fx):
    r2020 = fx.annual(2020)  # prc_official 6.8974 preferred over fed_g5a 6.9042
    assert (r2020.rate, r2020.method) == (6.8974, "annual")
    assert r2020.source.startswith("prc_official")
    assert fx.annual(2022).rate == 6.729
    assert fx.annual(2022).source.startswith("fed_g5a")
    assert fx.annual(2011).rate == 6.4588  # prc_official over wdi 6.46
    r2009 = fx.annual(2009)
    assert r2009.rate == 6.83
    assert r2009.source.startswith("wdi")
    assert r2009.log_sd > r2020.log_sd  # wdi row marked uncertain
    r2024 = fx.annual(2024)  # monthly values only
    assert r2024.method == "monthly"
    months = [7.2374, 7.2327, 7.2547, 7.0881, 7.2063, 7.2807]
    assert r2024.rate == pytest.approx(math.exp(np.mean(np.log(months))))
    assert r2024.log_sd > r2020.log_sd
    assert "months 4, 5, 6, 10, 11, 12" in r2024.source


def test_gap_estimated_from_data(fx, releases):
    gaps = []
    for y in fx.gap_years:
        gaps.append(fx.implied(releases, y).log_rate - math.log(fx._average(y).rate))
    assert fx.gap_years == (2020, 2021, 2022, 2023)
    assert fx.gap_log_sd == pytest.approx(math.sqrt(np.mean(np.square(gaps))))
    assert 0.01 < fx.gap_log_sd < 0.05
    a = fx.annual(2022)
    assert a.log_sd == pytest.approx(math.hypot(fx.series_log_sd, fx.gap_log_sd))
    # a wider assumed gap widens every non-implied conversion
    wide = replace(fx, gap_log_sd=0.1)
    assert wide.annual(2022).log_sd > a.log_sd


def test_for_period_partial_year_falls_back_to_annual(fx, releases):
    r = fx.for_period(releases, 2016, months=5)
    assert r.method == "annual"
    assert r.months == 5
    assert r.rate == 6.6423
    assert r.log_sd > fx.annual(2016).log_sd
    assert fx.for_period(releases, 2016, months=12).log_sd == pytest.approx(
        fx.annual(2016).log_sd)


def test_no_rate_names_the_year(fx, releases):
    with pytest.raises(DataError) as info:
        fx.annual(2006)
    msg = str(info.value)
    assert "2006" in msg
    assert "2009, 2010" in msg
    assert "ExchangeRates.from_csv" in msg
    with pytest.raises(DataError, match="2007"):
        fx.for_period(releases, 2007)


@pytest.mark.parametrize(
    ("call", "exc", "fragments"),
    [
        (lambda fx, rec: fx.annual("2020"), ForecastTypeError, ["`year`", "'2020'", "e.g. 2023"]),
        (lambda fx, rec: fx.annual(1800), ParameterError, ["`year`", "1800", "e.g. 2023"]),
        (lambda fx, rec: fx.implied(rec, 2020, months=13), ParameterError,
         ["`months`", "13", "12 = full year"]),
        (lambda fx, rec: fx.for_period("releases.csv", 2020), ForecastTypeError,
         ["`records`", "str", "load_releases()"]),
    ],
)
def test_bad_arguments(fx, releases, call, exc, fragments):
    with pytest.raises(exc) as info:
        call(fx, releases)
    for frag in fragments:
        assert frag in str(info.value)


def test_fxrate_validation():
    ok = FxRate(2020, 12, 6.9, 0.01, "annual", "x")
    assert ok.log_rate == pytest.approx(math.log(6.9))
    with pytest.raises(ParameterError, match="`rate`.*-1"):
        FxRate(2020, 12, -1.0, 0.01, "annual", "x")
    with pytest.raises(ParameterError, match="`method`.*'guess'"):
        FxRate(2020, 12, 6.9, 0.01, "guess", "x")
    with pytest.raises(ParameterError, match="`months`"):
        replace(ok, months=0)


# ---------------------------------------------------------------- user fx files


def write(df, tmp_path, name="fx.csv"):
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_fx_round_trip(fx, tmp_path):
    path = tmp_path / "out.csv"
    fx.to_csv(path)
    back = ExchangeRates.from_csv(path)
    assert back == ExchangeRates.from_csv(path)
    assert back != fx  # origin differs
    assert fx == load_exchange_rates()
    pd.testing.assert_frame_equal(back.frame.drop(columns="origin"),
                                  fx.frame.drop(columns="origin"))
    assert back.gap_log_sd == pytest.approx(fx.gap_log_sd)


def test_user_fx_file_all_problems_at_once(tmp_path):
    df = raw_fx()
    df.loc[0, "cny_per_usd"] = "0.1464"  # USD per CNY by mistake
    df.loc[3, "month"] = "6"  # month on an annual series
    df.loc[5, "series"] = "fed"
    df.loc[7, "year"] = "20x3"
    df.loc[24, "month"] = ""  # monthly series without month
    df.loc[9, "confidence"] = "sure"
    df.loc[10, "source"] = ""
    df.loc[11, "cny_per_usd"] = "abc"
    with pytest.raises(DataError) as info:
        ExchangeRates.from_csv(write(df, tmp_path))
    probs = {(p.row, p.column) for p in info.value.problems}
    assert probs == {(1, "cny_per_usd"), (4, "month"), (6, "series"), (8, "year"),
                     (25, "month"), (10, "confidence"), (11, "source"), (12, "cny_per_usd")}
    msg = str(info.value)
    for frag in ["Did you enter USD per CNY? Use 6.8306", "leave month blank",
                 "'fed' is not one of", "'20x3'", "'sure'", "source is missing",
                 "'abc' is not a number", "8 problems"]:
        assert frag in msg, frag


def test_user_fx_conflicting_rates(tmp_path):
    df = raw_fx()
    extra = df.iloc[[4]].assign(cny_per_usd="6.40")
    with pytest.raises(DataError) as info:
        ExchangeRates.from_csv(write(pd.concat([df, extra], ignore_index=True), tmp_path))
    msg = str(info.value)
    assert "row 5 = 6.3125" in msg
    assert "row 34 = 6.4" in msg
    assert "one row per series" in msg


def test_user_fx_repeated_row_is_refused(tmp_path):
    """A copied row counted the same rate twice: the 2025 band narrowed, silently."""
    df = raw_fx()
    with pytest.raises(DataError, match=r"the same rate twice for .*\(row 5 = 6\.3125, row 34 "
                                        r"= 6\.3125\); keep one row per series and period"):
        ExchangeRates.from_csv(write(pd.concat([df, df.iloc[[4]]], ignore_index=True),
                                     tmp_path))


def test_user_fx_file_structure(tmp_path):
    df = raw_fx().drop(columns=["series"]).assign(rate_type="avg")
    with pytest.raises(DataError, match="missing required column.*'series'.*unknown.*'rate_type'"):
        ExchangeRates.from_csv(write(df, tmp_path))
    with pytest.raises(DataError, match="does not exist"):
        ExchangeRates.from_csv(tmp_path / "none.csv")


def test_user_fx_without_overlap_uses_default_gap(tmp_path):
    df = raw_fx()
    df = df[df["year"].astype(int) < 2016]
    rates = ExchangeRates.from_csv(write(df, tmp_path))
    assert rates.gap_years == ()
    assert rates.gap_log_sd == 0.03
    assert rates.annual(2013).log_sd > 0.03


_FX_HEADER = "year,month,series,cny_per_usd,source,address,confidence,note\n"


def test_user_fx_with_one_or_two_overlapping_years_uses_the_default_gap(tmp_path):
    """One overlapping year (2020 at 6.90, MOFCOM's implied 6.903) gave a gap of 0.0004:
    every conversion passed as exact. Fewer than three gaps are not an estimate."""
    path = tmp_path / "fx1.csv"
    path.write_text(_FX_HEADER + "2020,,fed_g5a,6.9,x,,read,\n", encoding="utf-8")
    rates = ExchangeRates.from_csv(path)
    assert (rates.gap_log_sd, rates.gap_years) == (0.03, ())
    assert "gap 0.0300 (from default)" in repr(rates)
    two = ExchangeRates.from_csv(write(raw_fx()[raw_fx()["year"].isin(["2020", "2021"])],
                                       tmp_path))
    assert (two.gap_log_sd, two.gap_years) == (0.03, ())
    three = ExchangeRates.from_csv(write(raw_fx()[raw_fx()["year"].isin(
        ["2020", "2021", "2022"])], tmp_path))
    assert three.gap_years == (2020, 2021, 2022)
    assert three.gap_log_sd != 0.03


def test_flow_spread_from_fewer_than_three_differences_is_the_default(tmp_path, releases):
    """Releases whose totals give one or two same-year differences between flows' implied
    rates (a user's extract with 2024 only: so_execution and so_contract) made the flow
    spread their RMS, and with none 0.0: a US rate was then as exact as the total's."""
    path = write(raw_fx(), tmp_path)
    embedded = ExchangeRates.from_csv(path, releases)
    assert embedded.flow_log_sd == pytest.approx(0.0037230, abs=1e-7)  # 12 differences
    one = ExchangeRates.from_csv(path, releases.filter(year=2024))
    assert one.flow_log_sd == 0.005
    none = ExchangeRates.from_csv(path, releases.filter(year=[2016, 2017]))
    assert none.flow_log_sd == 0.005
    # 2020 alone has four flows: three differences are an estimate
    three = ExchangeRates.from_csv(path, releases.filter(year=2020))
    assert three.flow_log_sd not in (0.0, 0.005)
    assert three.implied(releases, 2020).log_sd < one.implied(releases, 2020).log_sd


def test_user_fx_spreads_from_one_or_two_differences_use_their_defaults(tmp_path):
    """Two series a hair apart in one year gave a series spread of 0.00007."""
    path = tmp_path / "fx2.csv"
    path.write_text(_FX_HEADER + "2020,,fed_g5a,6.9,x,,read,\n2020,,wdi,6.9007,x,,read,\n"
                    "2021,,fed_g5a,6.45,x,,read,\n2021,,wdi,6.4507,x,,read,\n"
                    "2024,1,fed_g5,7.1,x,,read,\n2024,2,fed_g5,7.11,x,,read,\n",
                    encoding="utf-8")
    rates = ExchangeRates.from_csv(path)
    assert rates.series_log_sd == 0.005
    assert rates.within_year_log_sd == 0.01
    # three differences are: the estimate
    path.write_text(path.read_text(encoding="utf-8")
                    + "2022,,fed_g5a,6.73,x,,read,\n2022,,wdi,6.7307,x,,read,\n"
                    "2024,3,fed_g5,7.12,x,,read,\n2024,4,fed_g5,7.1,x,,read,\n",
                    encoding="utf-8")
    rates = ExchangeRates.from_csv(path)
    assert rates.series_log_sd < 0.001
    assert rates.within_year_log_sd < 0.01


def test_embedded_spreads_are_estimates(fx):
    """The embedded table is above the three-difference floor of every spread, so the
    rule leaves its figures as they were."""
    assert fx.series_log_sd == pytest.approx(0.0029861, abs=1e-7)
    assert fx.gap_log_sd == pytest.approx(0.0239853, abs=1e-7)
    assert fx.within_year_log_sd == pytest.approx(0.0086477, abs=1e-7)


@pytest.mark.parametrize("cell", ["６.７", "7.0_8"])
def test_user_fx_digits_python_reads_but_the_records_refuse_are_refused(tmp_path, cell):
    # the records' own values refuse full-width digits and underscores; the fx file took
    # them silently as 6.7 and 7.08
    df = raw_fx()
    df.loc[2, "cny_per_usd"] = cell
    with pytest.raises(DataError, match=rf"row 3, column 'cny_per_usd': '{re.escape(cell)}' "
                                        r"is not a number"):
        ExchangeRates.from_csv(write(df, tmp_path))


# ----------------------------------------------------------------------- known_by
def test_known_by_keeps_the_averages_whose_period_is_over(fx):
    cut = fx.known_by("2017-06")  # known by 30 June 2017
    frame = cut.frame
    assert frame["year"].max() == 2016
    assert frame["month"].isna().all()  # the embedded monthly rows are all later
    assert cut.as_of == pd.Timestamp(2017, 6, 30)
    assert (cut.series_log_sd, cut.gap_log_sd) == (fx.series_log_sd, fx.gap_log_sd)
    assert fx.known_by(2016).frame.equals(frame)  # a year: known by its 31 December
    june = fx.known_by("2024-06").frame  # 2024: monthly averages of April, May, June
    assert sorted(june.loc[june["year"] == 2024, "month"].astype(int)) == [4, 5, 6]
    with pytest.raises(DataError, match="no exchange rate was known by 2001-12-31"):
        fx.known_by(2001)


def test_a_year_not_yet_averaged_is_carried_forward_with_a_growing_sd(fx):
    cut = fx.known_by("2017-06")
    last = cut.annual(2016)
    one, two = cut.annual(2017), cut.annual(2018)
    assert (one.method, two.method) == ("carried", "carried")
    assert one.rate == two.rate == last.rate
    assert last.log_sd < one.log_sd < two.log_sd
    assert "the 2016 average carried forward (known by 2017-06-30)" in one.source
    assert fx.annual(2017).method == "annual"  # the full table is not carried
    with pytest.raises(DataError, match="no exchange rate for 2017"):
        replace(cut, as_of=None).annual(2017)


def test_to_csv_replaces_its_own_untouched_file_and_keeps_an_edited_one(tmp_path):
    """cli.md's recipe: export fx.csv, append a row, export again: the row is kept."""

    fx = load_exchange_rates()
    path = tmp_path / "fx.csv"
    fx.to_csv(path)
    first = path.read_bytes()
    assert first.decode().startswith("year,month,series,")  # plain CSV: pandas reads it
    assert len(pd.read_csv(path)) == len(fx)
    fx.to_csv(path)  # untouched: replaced without force
    assert path.read_bytes() == first
    with open(path, "a") as fh:
        fh.write("2031,,wdi,7.1,my own source,,read,\n")
    edited = path.read_bytes()
    assert 2031 in ExchangeRates.from_csv(path).years
    refusal(lambda: fx.to_csv(path), path, "exchange-rate file",
            "changed since forecast wrote it", "another path")
    assert path.read_bytes() == edited
    fx.to_csv(path, force=True)
    assert path.read_bytes() == first


def test_to_csv_refuses_a_file_forecast_did_not_write(tmp_path):
    from forecast.errors import OutputError

    path = tmp_path / "notes.csv"
    path.write_text("my,own\n1,2\n")
    with pytest.raises(OutputError, match=r"was not written by forecast.*force=True"):
        load_exchange_rates().to_csv(path)
    assert path.read_text() == "my,own\n1,2\n"
