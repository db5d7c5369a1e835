"""Tests of forecast.records.provenance: official outlets joined to the embedded sources,
and the two corrections the official texts brought (Q1 2023, January 2015)."""

from __future__ import annotations

import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastTypeError
from forecast.records import Records, load_official_sources, provenance
from forecast.records.provenance import OFFICIAL_COLUMNS, PROVENANCE_COLUMNS


def test_official_sources_match_embedded_sources():
    off = load_official_sources()
    assert tuple(off.columns) == OFFICIAL_COLUMNS
    assert len(off) == 27
    sources = set(forecast.load_releases().frame["source"])
    assert len(sources) == 51
    assert set(off["source"]) <= sources  # every official row names an embedded source
    assert off["official_address"].str.startswith(("http://", "https://")).all()
    off.loc[0, "source"] = "changed"  # a copy: the cached table is unchanged
    assert load_official_sources().loc[0, "source"] != "changed"


def test_provenance_prefers_the_official_address():
    rec = forecast.load_releases()
    p = provenance(rec)
    assert list(p.columns) == list(PROVENANCE_COLUMNS)
    assert len(p) == 51
    assert int(p["official"].sum()) == 27
    assert p["figures"].sum() == len(rec)
    row = p[p["source"].str.startswith("MOFCOM: 2013 service outsourcing")].iloc[0]
    assert row["address"] == "http://www.ecns.cn/business/2014/01-27/98757.shtml"
    assert row["reposted_at"] == "http://www.gzoutsourcing.cn/Article/20140120/2385.html"
    assert row["official"]
    assert "China News Service" in row["publisher"]
    # no official outlet: the re-post is the address to cite
    other = p[~p["official"]]
    assert (other["address"] == other["reposted_at"]).all()
    assert (other["publisher"] == "").all()


def test_provenance_of_a_users_records(tmp_path):
    frame = forecast.load_releases().frame.head(2).copy()
    frame["source"] = "my own table"
    frame["address"] = "https://example.org/mine"
    mine = Records.from_frame(frame.drop(columns=["published_date", "row", "origin"]))
    p = provenance(mine)
    assert p[["source", "address", "official", "figures"]].values.tolist() == [
        ["my own table", "https://example.org/mine", False, 2]]
    with pytest.raises(ForecastTypeError, match="must be Records"):
        provenance(pd.DataFrame())


def test_q1_2023_us_figures_confirmed_and_added():
    f = forecast.load_releases().filter(market="US", year=2023, months=3).frame
    assert set(f["confidence"]) == {"read"}
    level = f[f["measure"] == "level"].iloc[0]
    assert (level["value"], level["unit"], level["published"]) == (425.0, "CNY_1e8",
                                                                   "2023-04-22")
    assert level["address"].startswith("https://japanese.cri.cn/")
    growth = f[f["measure"] == "yoy_growth"].iloc[0]
    assert growth["value"] == 21.7
    # nothing published after 2025 is embedded
    assert forecast.load_releases().frame["published_date"].max() <= pd.Timestamp("2025-12-31")


def test_january_2015_figures_dated_at_the_press_conference():
    f = forecast.load_releases().filter(year=2015, months=1).frame
    assert len(f) == 5
    assert set(f["published"]) == {"2015-02-16"}
