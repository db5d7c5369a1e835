"""A growth rate whose two end levels are both used restates them: one piece of evidence.

The probe's case (D3): the 2023 US growth rate, 13.6% in CNY, is the ratio of the 2022
and 2023 CNY levels (2132/1878 = +13.5%), both used, and it was counted again as an
independent observation (log se 0.0073): the 2022 and 2023 80% half-widths were 1.05%
and 1.04% with it, 1.32% and 1.31% without it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.records import Records

BANDS = ["median", "lower_80", "upper_80", "lower_95", "upper_95"]


def _without(records: Records, keep) -> Records:
    return Records.from_frame(records.frame[keep(records.frame)])


def _growth_row(obs: pd.DataFrame, year: int, months: int = 12) -> pd.Series:
    rows = obs[(obs["year"] == year) & (obs["months"] == months)
               & (obs["measure"] == "yoy_growth")]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("currency", ["USD", "CNY"])
def test_the_2023_us_growth_rate_restates_the_2022_and_2023_levels(releases, currency):
    history = forecast.reconstruct(releases, currency=currency)
    row = _growth_row(history.observations(), 2023)
    assert not row["used"]
    assert row["reason"] == (
        "restates the full-year levels of 2022 (row 7 of embedded) and 2023 (row 8 of "
        "embedded), both used, which imply +13.5% (this rate: +13.6%, within the "
        "figures' rounding and uncertainty); one piece of evidence, counted once")
    f = releases.frame
    gone = (f["market"] == "US") & (f["year"] == 2023) & (f["months"] == 12) & (
        f["measure"] == "yoy_growth")
    without = forecast.reconstruct(_without(releases, lambda _: ~gone), currency=currency)
    a, b = history.to_frame(), without.to_frame()
    pd.testing.assert_frame_equal(a[["year", *BANDS]], b[["year", *BANDS]], rtol=0, atol=0)
    assert history.params == without.params
    # the growth slot goes to the next figure, as if the restatement were not published
    assert a.set_index("year").loc[2023, "evidence"] == "level(CNY); growth(Jan-Jun, CNY)"
    if currency == "USD":  # the probe's numbers: 1.05% and 1.04% before
        half = 100 * (a["upper_80"] / a["median"] - 1)
        assert half[a["year"] == 2022].item() == pytest.approx(1.32, abs=0.005)
        assert half[a["year"] == 2023].item() == pytest.approx(1.31, abs=0.005)


def test_growth_rates_with_one_end_level_stay_in_use(releases):
    """2019 has no US level: the 2020 growth rate (17.0%) is the only link, and the
    2017 January-May rate's 2016 end level is `uncertain` (its year inferred)."""
    obs = forecast.reconstruct(releases).observations()
    assert _growth_row(obs, 2020)["used"]
    assert _growth_row(obs, 2017, months=5)["used"]


def _records(rows: list[tuple]) -> Records:
    """(year, months, measure, value[, basis[, confidence]]) of a market XX."""
    out = []
    for year, months, measure, value, *rest in rows:
        basis = rest[0] if rest else "USD"
        confidence = rest[1] if len(rest) > 1 else "read"
        unit = f"{basis}_1e8" if measure == "level" else "pct"
        out.append({"market": "XX", "segment": "all", "flow": "offshore_execution",
                    "year": year, "months": months, "measure": measure, "value": value,
                    "unit": unit, "basis": basis, "published": f"{year + 1}-01",
                    "source": "synthetic", "confidence": confidence})
    return Records.from_frame(pd.DataFrame(out), origin="synthetic")


def _same_history(a, b) -> None:
    np.testing.assert_array_equal(a.years, b.years)
    np.testing.assert_allclose(a.log_mean, b.log_mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.log_sd, b.log_sd, rtol=0, atol=1e-12)


LEVELS = [(2014, 12, "level", 100.0), (2015, 12, "level", 112.0), (2017, 12, "level", 140.0),
          (2018, 12, "level", 150.0)]


def test_only_one_end_level_keeps_the_growth_rate_and_two_make_it_a_restatement():
    rows = [*LEVELS, (2016, 12, "yoy_growth", 10.0), (2017, 12, "yoy_growth", 13.6),
            (2018, 12, "yoy_growth", 7.1)]
    history = forecast.reconstruct(_records(rows), market="XX")
    obs = history.observations()
    # 2016: no 2016 level; 2017: no 2016 level (the year before): both are used
    assert _growth_row(obs, 2016)["used"]
    assert _growth_row(obs, 2017)["used"]
    restated = _growth_row(obs, 2018)
    assert not restated["used"]
    assert restated["reason"].startswith(
        "restates the full-year levels of 2017 (row 3 of synthetic) and 2018 (row 4 of "
        "synthetic), both used, which imply +7.1% (this rate: +7.1%, within")
    _same_history(history, forecast.reconstruct(_records(rows[:-1]), market="XX"))


def test_a_partial_year_growth_rate_restates_the_same_months_levels():
    """January-June 2015 and 2016 levels are the years' levels used (no full-year figure):
    the January-June 2016 rate is their ratio. The January-June 2015 rate's year before
    has a full-year level used, not its January-June one, so it stays in use."""
    rows = [(2014, 12, "level", 100.0), (2015, 6, "level", 40.0), (2016, 6, "level", 46.0),
            (2017, 12, "level", 140.0), (2015, 6, "yoy_growth", 9.0),
            (2016, 6, "yoy_growth", 15.0)]
    history = forecast.reconstruct(_records(rows), market="XX")
    obs = history.observations()
    assert _growth_row(obs, 2015, months=6)["used"]
    restated = _growth_row(obs, 2016, months=6)
    assert not restated["used"]
    assert restated["reason"].startswith(
        "restates the Jan-Jun levels of 2015 (row 2 of synthetic) and 2016 (row 3 of "
        "synthetic), both used, which imply +15.0% (this rate: +15%, within")
    _same_history(history, forecast.reconstruct(_records(rows[:-1]), market="XX"))
    frame = history.to_frame().set_index("year")
    assert frame.loc[2016, "evidence"] == "partial(Jan-Jun, USD)"
    # full-year levels of both years: a January-June rate is no restatement of them
    full = [*LEVELS, (2015, 6, "yoy_growth", 11.0)]
    assert _growth_row(forecast.reconstruct(_records(full), market="XX").observations(),
                       2015, months=6)["used"]


def test_a_rate_in_the_other_currency_restates_the_levels_too():
    """A CNY rate over two USD levels: one currency's figures are conversions of the
    other's, so the CNY ratio (the USD one times the change of the rate) is no news."""
    fx = forecast.load_exchange_rates()
    rate = {y: fx.for_period(_records(LEVELS), y, 12).rate for y in (2014, 2015)}
    cny = 100 * (112.0 * rate[2015] / (100.0 * rate[2014]) - 1)
    rows = [*LEVELS, (2015, 12, "yoy_growth", round(cny, 1), "CNY")]
    for currency in ("USD", "CNY"):
        history = forecast.reconstruct(_records(rows), market="XX", currency=currency)
        row = _growth_row(history.observations(), 2015)
        assert not row["used"]
        assert f"which imply {cny:+.1f}% in CNY (this rate: {round(cny, 1):+g}%" in \
            row["reason"]
        _same_history(history, forecast.reconstruct(_records(LEVELS), market="XX",
                                                     currency=currency))


@pytest.mark.parametrize("value", [30.0, 0.12])
def test_a_rate_that_contradicts_its_levels_is_used_as_before(value):
    """+12% between levels of 100 and 112 restates them; +30% (13 standard deviations
    off) or 0.12 typed for 12% says something they do not (a revised base, a slip): not
    refused, since rates and levels of different releases do disagree, and used as
    before, where the slip warning can name the second."""
    rows = [*LEVELS, (2015, 12, "yoy_growth", value)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = forecast.reconstruct(_records(rows), market="XX")
    assert _growth_row(history.observations(), 2015)["used"]
    slips = [w for w in caught if "contradicts the levels" in str(w.message)]
    assert len(slips) == (value < 1)


def test_an_uncertain_end_level_keeps_the_growth_rate():
    """An `uncertain` level (year inferred, garbled copy) may not be the figure the rate
    was computed from: the rate is used, as with the US 2016 January-May level."""
    rows = [(2014, 12, "level", 100.0, "USD", "uncertain"), *LEVELS[1:],
            (2015, 12, "yoy_growth", 12.0)]
    obs = forecast.reconstruct(_records(rows), market="XX").observations()
    assert _growth_row(obs, 2015)["used"]


def _market_growth(obs: pd.DataFrame, market: str, year: int) -> pd.Series:
    rows = obs[(obs["market"] == market) & (obs["year"] == year) & (obs["months"] == 12)
               & (obs["measure"] == "yoy_growth")]
    assert len(rows) == 1
    return rows.iloc[0]


def test_the_joint_market_model_drops_restatements_too(releases):
    """The joint model follows the same rule, per market set: the 2023 US, HK and EU
    rates restate their own markets' 2022 and 2023 levels, and dropping them changes
    nothing in the joint history; a rate of one market is never matched with another's
    levels."""
    joint = forecast.reconstruct_markets(releases)
    obs = joint.observations()
    for market, implied, rate in [("US", "+13.5%", "+13.6%"), ("HK", "+13.0%", "+13%"),
                                  ("EU", "+16.2%", "+16.2%")]:
        row = _market_growth(obs, market, 2023)
        assert not row["used"]
        assert row["reason"].startswith("restates the full-year levels of 2022 (row ")
        assert f"which imply {implied} (this rate: {rate}, within" in row["reason"]
    f = releases.frame
    gone = f["market"].isin(["US", "HK", "EU"]) & (f["year"] == 2023) & (
        f["months"] == 12) & (f["measure"] == "yoy_growth")
    without = forecast.reconstruct_markets(_without(releases, lambda _: ~gone))
    for part in joint.parts:
        pd.testing.assert_frame_equal(joint.interval(80, part), without.interval(80, part),
                                      rtol=0, atol=0)
    # 2020 has no US level of 2019 to restate: the US 2020 rate stays in use
    assert _market_growth(obs, "US", 2020)["used"]
