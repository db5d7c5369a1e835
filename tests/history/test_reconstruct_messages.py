"""Messages of the reconstruction read naturally (new-user audit)."""

from __future__ import annotations

import pytest

import forecast
from forecast.errors import DataError


@pytest.mark.parametrize(("kwargs", "words"), [({"start": 2030}, "falls in 2030 or later;"),
                                              ({"end": 2000}, "falls in 2000 or earlier;")])
def test_empty_span_message_has_no_none(releases, kwargs, words):
    with pytest.raises(DataError, match=words) as e:
        forecast.reconstruct(releases, **kwargs)
    assert "None" not in str(e.value)


def test_a_misspelled_market_gets_a_suggestion():
    with pytest.raises(forecast.ForecastError, match=r"got 'us'\. Did you mean 'US'\?"):
        forecast.reconstruct(market="us")


def test_markets_points_to_the_joint_reconstruction():
    """issue 14 named `reconstruct(records, markets=...)`: the argument says where it lives."""
    with pytest.raises(forecast.ForecastError,
                       match=r"reconstruct_markets\(records, markets=\('US', 'EU'\)\)"):
        forecast.reconstruct(markets=("US", "EU"))


def _with_row(releases, row: str):
    import io

    import pandas as pd

    header = ("market,segment,flow,year,months,measure,value,unit,basis,published,source,"
              "address,confidence,note\n")
    frame = pd.read_csv(io.StringIO(header + row + "\n"), dtype=str, keep_default_na=False)
    return releases + forecast.Records.from_frame(frame, origin="added.csv")


def test_a_new_year_that_cannot_be_used_ends_the_history_with_a_warning(releases):
    """A January-March 2026 figure in CNY with no 2026 exchange rate: it was dropped
    silently and the history still ran to 2026 on no data. Now the history ends in 2025
    and a warning names the record, why and both fixes; in CNY the record is used."""
    added = _with_row(releases, "US,all,offshore_execution,2026,3,level,400,CNY_1e8,CNY,"
                                "2026-04-20,My source,,read,")
    with pytest.warns(UserWarning, match="cannot be used") as caught:
        history = forecast.reconstruct(added)
    text = " ".join(str(w.message) for w in caught)
    assert int(history.years[-1]) == 2025
    assert "1 record(s) of US offshore_execution (all) for 2026 cannot be used" in text
    assert "no exchange rate" in text
    assert "currency='CNY'; on the command line --currency CNY" in text
    before = forecast.reconstruct(releases)
    assert history.years.tolist() == before.years.tolist()
    cny = forecast.reconstruct(added, currency="CNY")
    assert int(cny.years[-1]) == 2026
    assert int(cny.n_records[-1]) == 1


def test_records_without_an_exchange_rate_get_one_reason_and_the_two_fixes():
    """CNY records of years the fx table lacks: each record's fx message was joined and
    cut at 400 characters (the second listed only '2009, 2010', after a stray '.;'), and
    the advice was to add level records; the easy fix, the records' own currency, unsaid."""
    import pandas as pd

    row = dict(market="XY", segment="all", flow="offshore_execution", months=12,
               measure="level", unit="CNY_1e8", basis="CNY", source="me", confidence="read")
    records = forecast.Records.from_frame(pd.DataFrame(
        [dict(row, year=2000, value=700.0, published="2001"),
         dict(row, year=2001, value=770.0, published="2002")]))
    with pytest.raises(DataError) as e:
        forecast.reconstruct(records, market="XY")
    text = str(e.value)
    assert text == (
        "no usable record of 'XY' 'offshore_execution' (all): no exchange rate to convert "
        "the CNY records of 2000, 2001 (load_exchange_rates() lists the years it has). Pass "
        "currency='CNY' to reconstruct in the records' own currency, or add those years' "
        "rates to an fx CSV and pass fx=ExchangeRates.from_csv(path); or add level records "
        "or pass other start/end.")
    in_cny = forecast.reconstruct(records, market="XY", currency="CNY").series
    assert in_cny.values.tolist() == pytest.approx([70.0, 77.0], rel=1e-12)


@pytest.mark.parametrize("currency", ["USD", "CNY"])
@pytest.mark.parametrize("value", [900.0, 7275.0])  # 24% off the USD figure; ten times it
def test_a_cny_and_a_usd_level_that_contradict_each_other_are_refused(currency, value):
    """A 2013 US level of 900 CNY_1e8 beside the published 117.5 USD_1e8 (7.66 CNY per USD
    against 6.19) was dropped in a USD history as 'a conversion of the USD one' and used
    in a CNY one: one set of records gave 2013 as 14.5 or 11.7 USD bn, and neither run said
    so. Both currencies now refuse it, naming the two rows."""
    import pandas as pd

    row = dict(market="US", segment="all", flow="offshore_execution", months=12, year=2013,
               measure="level", unit="CNY_1e8", basis="CNY", source="me", confidence="read",
               published="2014-02", value=value)
    records = forecast.load_releases() + forecast.Records.from_frame(pd.DataFrame([row]))
    with pytest.raises(DataError, match=r"the 2013 levels in CNY \(row 1 of frame: "
                       rf"{value:g} CNY_1e8\) and in USD \(row \d+ of embedded: 117\.5 "
                       r"USD_1e8\) imply .* CNY per USD, \d+% from the rate used \(6\.193\), "
                       r"more than the figures and the rate allow \(about 11%\): one of them "
                       r"is misread or in other units\. Correct that row"):
        forecast.reconstruct(records, currency=currency)
    with pytest.raises(DataError, match=r"the 2013 levels in CNY"):  # the joint model too
        forecast.reconstruct_markets(records, markets=("US", "EU"), currency=currency)


def test_a_cny_level_that_restates_the_usd_one_is_kept_out_quietly():
    """728 CNY_1e8 is 117.5 USD_1e8 at 6.2 CNY per USD: a restatement, as before."""
    import pandas as pd

    row = dict(market="US", segment="all", flow="offshore_execution", months=12, year=2013,
               measure="level", unit="CNY_1e8", basis="CNY", source="me", confidence="read",
               published="2014-02", value=728.0)
    records = forecast.load_releases() + forecast.Records.from_frame(pd.DataFrame([row]))
    obs = forecast.reconstruct(records).observations()
    added = obs[obs["origin"] == "frame"].iloc[0]
    assert not added["used"]
    assert "one currency's figure is a conversion of the other's" in added["reason"]


def test_a_reversed_span_is_answered_with_the_call_that_works(releases):
    """"start must be <= end" names the swapped call (the joint reconstruction's said
    "Widen them", and gave 2020-2015 for start=2020, end=2015)."""
    fix = r"got start=2020, end=2015\. Swap them: pass start=2015, end=2020\."
    with pytest.raises(forecast.ForecastError, match=fix):
        forecast.reconstruct(releases, start=2020, end=2015)
    with pytest.raises(forecast.ForecastError, match=fix):
        forecast.reconstruct_markets(releases, start=2020, end=2015)
    with pytest.raises(forecast.ForecastError, match=r"`end` defaults to 2025, the last year "
                       r"the records inform: pass a `start` of at most 2025, or an `end`\."):
        forecast.reconstruct_markets(releases, start=2030)
