"""A MarketProjection exports as a Projection does: xarray and Excel in pyam's layout."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pandas as pd
import pytest
from _names import AWKWARD, awkward_markets

from forecast.errors import ForecastTypeError, OutputError, ParameterError
from forecast.markets.projection import REGIONS


def _need(module: str) -> None:
    """Skip without the optional package, except in CI, where the test extra installs it."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the test extra, which includes {module}")
        pytest.skip(f"{module} is not installed")


@pytest.fixture(scope="module")
def mp(market_projection):
    return market_projection  # tests/conftest.py: SplitModel of drifts, to 2032


def test_to_xarray_holds_every_part_and_the_history(mp):
    _need("xarray")
    ds = mp.to_xarray(base_log=True)
    assert ds["level"].dims == ("scenario", "market", "path", "year")
    assert ds["market"].values.tolist() == list(mp.parts)
    k = mp.scenario_names.index("fragmentation")
    np.testing.assert_array_equal(ds["level"].sel(scenario="fragmentation", market="EU").values,
                                  mp.samples[k, 1])
    # ALL is the sum of the parts, as MarketProjection.levels("ALL")
    np.testing.assert_allclose(ds["level"].sum("market").values, mp.levels("ALL"))
    np.testing.assert_array_equal(ds["history"].sel(market="US").values,
                                  mp.history.series("US").values)
    assert ds["history_year"].values.tolist() == mp.history.years.tolist()
    assert ds["base_log"].dims == ("coordinate", "path", "year")
    assert ds["coordinate"].values.tolist() == ["total", *[f"{m}/ROW" for m in mp.parts[:-1]]]
    np.testing.assert_array_equal(ds["base_log"].values, mp.base_log)
    assert ds.attrs["seed"] == 2
    assert ds.attrs["target"] == "US"
    assert "base_log" not in mp.to_xarray()
    assert "probability" not in ds.coords  # the presets carry none
    with pytest.raises(ForecastTypeError, match="`base_log` must be True or False"):
        mp.to_xarray(base_log="yes")


def test_to_excel_in_pyams_layout(mp, tmp_path):
    _need("openpyxl")
    path = mp.to_excel(tmp_path / "m.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["data", "meta", "summary", "shares"]
    data = sheets["data"]
    regions = [REGIONS.get(m, m) for m in mp.markets]
    assert data["region"].unique().tolist() == regions
    n_s = len(mp.scenario_names)
    # median + p10 + p90 per scenario and market, then the shares of the parts
    assert len(data) == 3 * n_s * len(mp.markets) + 3 * n_s * len(mp.parts)
    years = [c for c in data.columns if isinstance(c, int)]
    assert years == [*mp.history.years.tolist(), *mp.years.tolist()]
    first = int(mp.history.years[0])
    level_var = data["variable"].iloc[0]
    for m, region in zip(mp.markets, regions, strict=True):
        median = data[(data["region"] == region) & (data["variable"] == level_var)]
        assert len(median) == n_s
        np.testing.assert_allclose(median[first].to_numpy(), mp.history.series(m).values[0])
        quantile_rows = data[(data["region"] == region) & data["variable"].str.contains(r"\|p")]
        assert quantile_rows[first].isna().all()  # history only in the median rows
    share_rows = data[data["variable"].str.endswith("|Share")]
    assert share_rows["unit"].unique().tolist() == ["%"]
    assert share_rows[first].isna().all()
    assert sheets["meta"]["scenario"].tolist() == list(mp.scenario_names)
    pd.testing.assert_frame_equal(sheets["summary"], mp.summary_frame(), check_dtype=False)
    pd.testing.assert_frame_equal(sheets["shares"], mp.summary_frame(share=True),
                                  check_dtype=False)


def test_to_excel_stores_every_scenario_and_market_name_as_text(market_history, tmp_path):
    """Every text cell of every sheet has data type "s" (openpyxl would store "=x" as a
    formula and "#N/A" as an error value) and reads back as the name it holds."""
    _need("openpyxl")
    import openpyxl

    mp = awkward_markets(market_history)
    path = mp.to_excel(tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["data", "meta", "summary", "shares"]
    for sheet in book.worksheets:
        texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert {c.data_type for c in texts} == {"s"}, sheet.title
        assert set(AWKWARD) <= {c.value for c in texts}, sheet.title
    sheets = pd.read_excel(path, sheet_name=None, keep_default_na=False)
    names = list(mp.scenario_names)
    assert sheets["meta"]["scenario"].tolist() == names
    for key in ("data", "summary", "shares"):
        assert sheets[key]["scenario"].unique().tolist() == names, key
    assert sheets["data"]["region"].unique().tolist() == [REGIONS.get(m, m)
                                                          for m in mp.markets]
    assert sheets["summary"]["market"].unique().tolist() == list(mp.markets)
    assert sheets["shares"]["market"].unique().tolist() == list(mp.parts)


def test_to_excel_options(mp, tmp_path):
    _need("openpyxl")
    path = mp.to_excel(tmp_path / "m.xlsx", history=False, shares=False, quantiles=(),
                       levels=(50,))
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["data", "meta", "summary"]
    assert len(sheets["data"]) == len(mp.scenario_names) * len(mp.markets)
    assert [c for c in sheets["data"].columns if isinstance(c, int)] == mp.years.tolist()
    assert {"lower_50", "upper_50"} <= set(sheets["summary"].columns)


def test_to_excel_is_written_like_every_other_output(mp, tmp_path):
    """Refused before any work, never through a link; a bad option writes nothing."""
    _need("openpyxl")
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    (tmp_path / "link.xlsx").symlink_to(target)
    with pytest.raises(OutputError, match="symbolic link"):
        mp.to_excel(tmp_path / "link.xlsx")
    assert target.read_text() == "mine"
    with pytest.raises(OutputError, match="does not exist"):
        mp.to_excel(tmp_path / "missing" / "m.xlsx")
    with pytest.raises(ParameterError, match=r"`path` must end in \.xlsx .*'markets\.xlsx'"):
        mp.to_excel(tmp_path / "m.csv")
    with pytest.raises(ForecastTypeError, match="`path` must be a file path; got int"):
        mp.to_excel(3)
    with pytest.raises(ForecastTypeError, match="`shares` must be True or False"):
        mp.to_excel(tmp_path / "m.xlsx", shares="no")
    with pytest.raises(ParameterError, match="levels"):
        mp.to_excel(tmp_path / "m.xlsx", levels=(120,))
    assert not (tmp_path / "m.xlsx").exists()
    assert not (tmp_path / "m.csv").exists()
