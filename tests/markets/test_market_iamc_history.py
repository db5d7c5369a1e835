"""MarketProjection.to_iamc takes history= as Projection.to_iamc and to_excel do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _optional import need

from forecast.errors import ForecastTypeError
from forecast.markets.projection import REGIONS


def test_to_iamc_with_history_puts_each_markets_reconstruction_first(market_projection):
    mp = market_projection
    plain = mp.to_iamc(quantiles=(0.1,), shares=True)
    frame = mp.to_iamc(quantiles=(0.1,), shares=True, history=True)
    years = [c for c in frame.columns if isinstance(c, int | np.integer)]
    hist_years = mp.history.years.tolist()
    assert years == hist_years + mp.years.tolist()
    variable = plain["variable"].iloc[0]
    for m in mp.markets:
        rows = frame[(frame["region"] == REGIONS.get(m, m)) & (frame["variable"] == variable)]
        assert len(rows) == len(mp.scenario_names)
        for _, row in rows.iterrows():
            np.testing.assert_array_equal(row[hist_years].to_numpy(dtype=float),
                                          np.asarray(mp.history.series(m).values, float))
    others = frame["variable"] != variable  # quantile and share rows: no history
    assert frame.loc[others, hist_years].isna().all().all()
    # the projected years are unchanged
    pd.testing.assert_frame_equal(frame.drop(columns=hist_years), plain)
    assert mp.to_iamc(history=False).equals(mp.to_iamc())


def test_history_must_be_a_bool(market_projection):
    with pytest.raises(ForecastTypeError, match="`history` must be True or False"):
        market_projection.to_iamc(history="yes")


def test_the_excel_data_sheet_is_to_iamc_with_history(market_projection, tmp_path):
    need("openpyxl")
    mp = market_projection
    data = pd.read_excel(mp.to_excel(tmp_path / "m.xlsx"), sheet_name="data")
    expected = mp.to_iamc(quantiles=(0.1, 0.9), shares=True, history=True)
    assert data.shape == expected.shape
    np.testing.assert_allclose(data.iloc[:, 5:].to_numpy(dtype=float),
                               expected.iloc[:, 5:].to_numpy(dtype=float))
