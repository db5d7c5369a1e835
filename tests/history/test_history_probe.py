"""Findings of a user probe of the reconstruction from release records.

1. A level 10 times off (USD bn typed where the unit says 1e8) or a CNY figure tagged USD
   was accepted silently and bent the history (2024: 3.17 between 29.67 and 30.72).
2. ``reconstruct_markets`` on a user's file without China's total failed with a
   non-convergence ModelError that pointed at a history that did not exist.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import DataError, ModelError
from forecast.history import _outliers, market_model
from forecast.history._outliers import SPIKE, spike_factor
from forecast.records import Records

# the probe's small.csv: eight US records in the releases.csv schema
US_ROWS = [
    (2009, 12, "level", 28.1, "USD_1e8", "2010-01", "src A"),
    (2013, 12, "level", 117.5, "USD_1e8", "2014-01-20", "src B"),
    (2015, 12, "yoy_growth", 17.5, "pct", "2016-01-20", "src C"),
    (2020, 12, "level", 1550.6, "CNY_1e8", "2021-01-29", "src D"),
    (2022, 12, "level", 1878, "CNY_1e8", "2023-02-01", "src E"),
    (2023, 12, "level", 2132, "CNY_1e8", "2024-02-01", "src F"),
    (2024, 12, "level", 315.9, "USD_1e8", "2025-12", "src G"),
    (2025, 10, "level", 1591.1, "CNY_1e8", "2025-12", "src G"),
]


def _records(rows=US_ROWS, market="US", origin="mine.csv", **replace) -> Records:
    """Records of `rows`; ``replace={year: (value, unit)}`` changes a level's entry."""
    out = []
    for year, months, measure, value, unit, published, source in rows:
        value, unit = replace.get(f"y{year}", (value, unit))
        out.append({"market": market, "segment": "all", "flow": "offshore_execution",
                    "year": str(year), "months": str(months), "measure": measure,
                    "value": str(value), "unit": unit,
                    "basis": "USD" if measure != "level" else unit[:3],
                    "published": published, "source": source, "address": "",
                    "confidence": "read", "note": ""})
    return Records.from_frame(pd.DataFrame(out, dtype=str), origin=origin)


# ------------------------------------------------------------------ 1. the spike rule
def _spike(prev, value, nxt, a=1, b=1):
    return spike_factor(math.log(prev), math.log(value), math.log(nxt), a, b)


@pytest.mark.parametrize(("prev", "value", "nxt", "a", "b", "factor"), [
    (31.0, 3.159, 32.2, 1, 1, 0.1),       # bn typed for 1e8: 10 times too small
    (17.0, 117.0, 19.0, 1, 1, 6.5),       # CNY tagged USD: the rate, 6-8 times
    (200.0, 30.0, 210.0, 1, 1, 0.15),     # USD tagged CNY
    (100.0, 1000.0, 100.0, 2, 2, 10.0),   # a 10x slip two years from each neighbour
    (100.0, 600.0, 100.0, 1, 1, 6.0),     # just beyond 5 one year either side
])
def test_an_isolated_spike_is_found_with_its_factor(prev, value, nxt, a, b, factor):
    f = spike_factor(math.log(prev), math.log(value), math.log(nxt), a, b)
    assert f is not None
    assert f == pytest.approx(factor, rel=0.1)


@pytest.mark.parametrize(("prev", "value", "nxt", "a", "b", "why"), [
    (100.0, 196.0, 130.0, 1, 1, "EU 2015 (x1.96 in a year, then back): genuine"),
    (100.0, 490.0, 100.0, 1, 1, "below a factor of 5"),
    (100.0, 300.0, 900.0, 1, 1, "steady growth, not a spike"),
    (100.0, 10.0, 1.0, 1, 1, "steady fall, not a spike"),
    (100.0, 700.0, 300.0, 1, 1, "neighbours disagree (x3 in two years): either may be wrong"),
    (100.0, 700.0, 100.0, 2, 2, "x7 two years from each neighbour: a boom and bust"),
    (100.0, 1000.0, 100.0, 3, 3, "x10 three years away: growth can explain it"),
])
def test_what_is_not_a_spike(prev, value, nxt, a, b, why):
    assert _spike(prev, value, nxt, a, b) is None, why


def test_the_threshold_is_5_one_year_away_and_grows_with_the_gap():
    """One year away a factor of 5 (just above / below); each further year to a neighbour
    multiplies the threshold by exp(0.5) = 1.65; the neighbours may differ by 1.65 a year."""
    assert _spike(100, 100 * SPIKE * 1.01, 100) is not None
    assert _spike(100, 100 * SPIKE * 0.99, 100) is None
    two = SPIKE * math.exp(_outliers.GAP_GROWTH)
    assert _spike(100, 100 * two * 1.01, 100, 2, 1) is not None
    assert _spike(100, 100 * two * 0.99, 100, 2, 1) is None
    # neighbours one year either side may differ by exp(2 * 0.5) = 2.72
    assert _spike(100, 10, 100 * 2.7) is not None
    assert _spike(100, 10, 100 * 2.75) is None


def test_bn_typed_for_1e8_is_refused_naming_the_record_factor_and_fix():
    """The probe's bug_bn.csv: 2024 as 31.59 USD_1e8 (the USD bn figure) for 315.9."""
    good = forecast.reconstruct(_records())
    assert float(good.series.values[good.years.tolist().index(2024)]) == pytest.approx(
        31.6, rel=0.01)
    with pytest.raises(DataError) as err:
        forecast.reconstruct(_records(y2024=(31.59, "USD_1e8")))
    text = str(err.value)
    for words in ("US offshore_execution (all)", "row 7 of mine.csv", "source 'src G'",
                  "2024 full year", "level 31.59 USD_1e8", "is 0.10",
                  "levels of 2023 (row 6 of mine.csv) and 2025 (row 8 of mine.csv)",
                  "an isolated spike", "typed where the unit says 1e8",
                  "enter 315.9 USD_1e8", "check the unit", "the currency"):
        assert words.lower() in text.lower(), words


def test_a_cny_figure_tagged_usd_is_refused():
    with pytest.raises(DataError, match=r"row 5 of mine\.csv .*2022 full year, level 1878 "
                                        r"USD_1e8\) is 6\.\d+ times.*a CNY figure tagged USD"
                                        r".*set unit CNY_1e8 and basis CNY"):
        forecast.reconstruct(_records(y2022=(1878, "USD_1e8")))


def test_a_usd_figure_tagged_cny_is_refused_in_either_target_currency():
    bad = _records(y2023=(310.4, "CNY_1e8"))  # the 2023 USD figure, tagged CNY
    for currency in ("USD", "CNY"):
        with pytest.raises(DataError, match="a USD figure tagged CNY.*set unit USD_1e8"):
            forecast.reconstruct(bad, currency=currency)


def test_a_partial_year_slip_is_caught_after_the_profile_correction():
    """A Jan-Oct 2023 figure in bn (148.0 for 1480, about 0.69 of 2132) in place of the
    full year: compared as a full-year equivalent (divided by c(10))."""
    rows = [r if r[0] != 2023 else (2023, 10, "level", 148.0, "CNY_1e8", "2023-11", "src F")
            for r in US_ROWS]
    with pytest.raises(DataError, match=r"2023 Jan-Oct, level 148 CNY_1e8\) is 0\.1"
                                        r"\d* times.*enter 1480 CNY_1e8"):
        forecast.reconstruct(_records(rows), currency="CNY")


def _with_total(releases, **replace) -> Records:
    """The probe's US records (a level replaced as in :func:`_records`) and China's total."""
    total = releases.filter(market="ALL", flow="offshore_execution", segment="all")
    return _records(**replace) + total


def test_the_joint_reconstruction_checks_each_market_too(releases):
    with pytest.raises(DataError, match=r"US offshore_execution \(all\): .*row 7 of "
                                        r"mine\.csv.*enter 315\.9 USD_1e8"):
        forecast.reconstruct_markets(_with_total(releases, y2024=(31.59, "USD_1e8")),
                                     markets=["US"])


# ------------------------------------------- 1b. a jump at either end: warned, not refused
def _end_warnings(records, **kwargs) -> tuple[list[str], forecast.History]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = forecast.reconstruct(records, **kwargs)
    return [str(w.message) for w in caught if "level of the series" in str(w.message)], history


def _steady(values, start=2015, unit="USD_1e8", market="XY") -> Records:
    """Full-year levels of consecutive years from `start` (None skips a year)."""
    rows = [(start + i, 12, "level", v, unit, str(start + i + 1), f"src {i}")
            for i, v in enumerate(values) if v is not None]
    return _records(rows, market=market)


def test_a_last_level_ten_times_too_small_is_warned_about_and_used_as_typed():
    """The probe's case: 146.4 typed as 14.64 in the newest year. One neighbour cannot
    tell a slip from a break, so the record stays (a fall of 89%) and the warning names
    it, the factor, the neighbour that agrees with the year before and the entry."""
    texts, history = _end_warnings(_steady([100.0, 110.0, 121.0, 133.1, 14.64]), market="XY")
    assert len(texts) == 1
    for words in ("XY offshore_execution (all): row 5 of mine.csv (source 'src 4', 2019 full "
                  "year, level 14.64 USD_1e8), the last level of the series, is 0.11 times "
                  "the level of 2018 (row 4 of mine.csv), which agrees with 2017",
                  "used as typed", "typed where the unit says 1e8", "enter 146.4 USD_1e8"):
        assert words in texts[0], (words, texts[0])
    assert float(history.series.values[-1]) == pytest.approx(1.464, rel=0.02)


def test_a_first_level_and_a_currency_slip_at_the_end_are_warned_about():
    texts, _ = _end_warnings(_steady([10.0, 110.0, 121.0, 133.1, 146.4]), market="XY")
    assert len(texts) == 1
    assert "the first level of the series, is 0.0909 times" in texts[0]
    assert "enter 100 USD_1e8" in texts[0]
    # 2025's CNY figure tagged USD: about 7 times the 2024 level
    texts, _ = _end_warnings(_records(y2025=(1591.1, "USD_1e8")))
    assert len(texts) == 1, texts
    assert "2025 Jan-Oct, level 1591.1 USD_1e8), the last level" in texts[0]
    assert "a CNY figure tagged USD" in texts[0]
    assert "set unit CNY_1e8" in texts[0]


@pytest.mark.parametrize(("values", "why"), [
    ([100.0, 110.0, 121.0, 133.1, 30.0], "a fall to 0.23 times: within the threshold of 5"),
    ([100.0, 110.0, 121.0, 40.0, 8.0], "the neighbour itself broke from the year before"),
    ([100.0, 14.64], "two levels: either may be the wrong one"),
    ([100.0, 110.0, 121.0, 133.1, None, 20.0], "two years on: x6.7 is within 5 x 1.65 = 8.2"),
    ([100.0, 200.0, 400.0, 800.0, 1600.0], "steady doubling"),
])
def test_what_is_not_an_end_jump(values, why):
    texts, _ = _end_warnings(_steady(values), market="XY")
    assert not texts, why


def test_the_end_threshold_is_the_spike_threshold_for_its_distance():
    two = SPIKE * math.exp(_outliers.GAP_GROWTH)
    for factor, gap, warned in ((SPIKE * 1.01, 1, True), (SPIKE * 0.99, 1, False),
                                (two * 1.01, 2, True), (two * 0.99, 2, False)):
        rows = [{"year": t, "y": math.log(100.0)} for t in (2015, 2016, 2017)]
        rows.append({"year": 2017 + gap, "y": math.log(100.0 / factor)})
        assert bool(_outliers.end_jumps(rows)) is warned, (factor, gap)


def test_the_joint_reconstruction_warns_about_an_end_jump_too(releases):
    with pytest.warns(UserWarning, match=r"US offshore_execution \(all\): row 8 of mine\.csv"
                                         r".*the last level of the series.*enter 1591\.1"):
        forecast.reconstruct_markets(_with_total(releases, y2025=(159.11, "CNY_1e8")),
                                     markets=["US"])


def _departure(years, logs) -> float:
    """Largest factor by which a level departs from both nearest neighbours, same way."""
    order = np.argsort(years)
    y = np.asarray(logs, dtype=float)[order]
    worst = 1.0
    for p, r, n in zip(y, y[1:], y[2:], strict=False):
        if (r - p) * (r - n) > 0:
            worst = max(worst, math.exp(min(abs(r - p), abs(r - n))))
    return worst


@pytest.mark.filterwarnings("ignore:reconstruct. .* cannot be used:UserWarning")
def test_no_embedded_record_comes_near_the_rule(releases, market_history):
    """Every embedded series (market, flow, segment) reconstructs in USD and CNY, alone and
    jointly, and the largest same-direction departure of a record from both neighbours is
    x1.52 (EU 2015), far below the factor of 5 (the margin is checked at 2). No growth
    rate is warned about as a fraction typed for a percent, and no first or last level
    as a jump from its neighbour."""
    import warnings

    worst = {}
    frame = releases.frame
    for (market, flow, segment), _ in frame.groupby(["market", "flow", "segment"]):
        for currency in ("USD", "CNY"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                obs = forecast.reconstruct(releases, market=market, flow=flow,
                                           segment=segment, currency=currency).observations()
            slips = [str(w.message) for w in caught if "contradicts the levels" in str(w.message)
                     or "level of the series" in str(w.message)]
            assert not slips, slips
            lev = obs[obs["used"] & obs["kind"].isin(["level", "partial", "share"])]
            worst[f"{market} {flow} {segment} {currency}"] = _departure(
                lev["year"], np.log(lev["implied"]))
    obs = market_history.observations()
    lev = obs[obs["used"] & (obs["slot"] == "level")]
    for members, grp in lev.groupby(lev["market"].map(lambda m: "+".join(sorted(m.split("+"))))):
        worst[f"joint {members}"] = _departure(grp["year"], grp["log_value"])
        rows = [{"year": t, "y": y} for t, y in zip(grp["year"], grp["log_value"], strict=True)]
        assert not _outliers.end_jumps(rows), members
    assert len(worst) > 25
    assert max(worst.values()) < 2.0, max(worst.items(), key=lambda kv: kv[1])
    assert worst["EU offshore_execution all USD"] == pytest.approx(1.52, abs=0.01)


# ------------------------------------------------------- 2. joint model without a total
def test_markets_without_chinas_total_get_a_data_error_with_both_fixes(releases):
    records = _records()
    with pytest.raises(DataError) as err:
        forecast.reconstruct_markets(records, markets=["US"])
    text = str(err.value)
    for words in ("needs China's total", "no record of market ALL for offshore_execution "
                  "(all)", "Add rows with market ALL for offshore_execution (China's total)",
                  "measure level", "forecast.load_releases().filter(market='ALL'",
                  "forecast.reconstruct(records, market='US')"):
        assert words in text, words
    assert "converge" not in text
    # both fixes work
    assert forecast.reconstruct(records, market="US").years[-1] == 2025
    total = releases.filter(market="ALL", flow="offshore_execution", segment="all")
    mh = forecast.reconstruct_markets(records + total, markets=["US"])
    us = mh.series("US")
    assert float(us.values[us.years.tolist().index(2024)]) == pytest.approx(31.6, rel=0.02)


def test_growth_rates_of_the_total_alone_are_not_enough(releases):
    growth = releases.filter(market="ALL", flow="offshore_execution", segment="all",
                             measure="yoy_growth")
    with pytest.raises(DataError, match=r"record\(s\) of market ALL .*yoy_growth\) but no "
                                        r"usable level of it in 2009-2025 \(growth rates "
                                        r"alone cannot pin it\)"):
        forecast.reconstruct_markets(_records() + growth, markets=["US"])


def test_non_convergence_names_what_can_be_inspected(releases, monkeypatch):
    """There is no history when the model fails: the advice names calls that work."""
    records = releases.filter(market=["US", "ALL"])
    monkeypatch.setattr(market_model, "MAX_ITER", 1)
    with pytest.raises(ModelError, match="did not converge in 1 relinearisations") as err:
        forecast.reconstruct_markets(records, markets=["US"],
                                     params=dict(zip(market_model.PARAM_NAMES,
                                                     market_model.PRIOR_CENTRE,
                                                     strict=True)))
    text = str(err.value)
    assert "history.observations()" not in text
    assert "No MarketHistory was built" in text
    call = ("records.filter(market=['US', 'ALL'], flow='offshore_execution', "
            "segment='all').frame")
    assert call in text
    assert "forecast.reconstruct(records, market='US', flow='offshore_execution', " \
           "segment='all').observations()" in text
    assert not eval(call, {"records": records}).empty  # the advice can be followed


def test_joint_reconstruction_ends_where_its_usable_records_end(tmp_path):
    """As reconstruct: without a 2025 exchange rate the 2025 CNY releases cannot be used,
    so reconstruct_markets ends in 2024 and says why, instead of extrapolating a 2025
    that no record informs (it did, silently, with n_records 0)."""
    full = tmp_path / "fx.csv"
    forecast.load_exchange_rates().to_csv(full)
    short = tmp_path / "fx_no2025.csv"
    short.write_text("".join(r for r in full.read_text().splitlines(keepends=True)
                             if not r.startswith("2025,")))
    fx = forecast.ExchangeRates.from_csv(short)
    with pytest.warns(UserWarning, match=r"reconstruct_markets: .* for 2025 cannot be used .*"
                                         r"the history ends in 2024.*--fx path"):
        mh = forecast.reconstruct_markets(markets=("US", "EU"), fx=fx)
    assert int(mh.years[-1]) == 2024
    with pytest.warns(UserWarning, match="ends in 2024"):
        single = forecast.reconstruct(market="US", fx=fx)
    assert single.series.last_year == 2024
    kept = forecast.reconstruct_markets(markets=("US", "EU"), fx=fx, end=2025)  # asked for
    assert int(kept.years[-1]) == 2025


def test_the_nowcast_error_lists_only_years_it_would_accept(us_history):
    """The list used to include years with a partial growth rate beside a full-year level
    (2022, 2024), which nowcast then refused."""
    import re

    with pytest.raises(forecast.ParameterError, match="Years with one:") as info:
        us_history.nowcast(2018)
    years = [int(y) for y in re.findall(r"\d{4}", str(info.value).split("Years with one:")[1])]
    assert years
    assert 2022 not in years
    assert 2024 not in years
    for y in years:
        assert us_history.nowcast(y).year == y
