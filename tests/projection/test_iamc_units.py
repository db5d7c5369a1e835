"""The IAMC unit column maps every unit code <CUR>_<scale> alike, never an internal code."""

from __future__ import annotations

import dataclasses

import pytest
from _engine_fakes import toy_projection

from forecast.errors import ParameterError


@pytest.fixture(scope="module")
def proj():
    return toy_projection(3, 20)


@pytest.mark.parametrize(("code", "iamc"), [
    ("USD_bn", "billion USD/yr"), ("CNY_bn", "billion CNY/yr"), ("EUR_bn", "billion EUR/yr"),
    ("USD_mn", "million USD/yr"), ("EUR_mn", "million EUR/yr"),
    ("USD_1e8", "100 million USD/yr"), ("CNY_1e8", "100 million CNY/yr"),
    ("JPY_tn", "trillion JPY/yr"), ("pct", "%"),
    ("billion USD/yr", "billion USD/yr"),  # already in words: kept
])
def test_every_unit_code_maps_to_iamc_style(proj, code, iamc):
    p = dataclasses.replace(proj, unit=code)
    assert p.to_iamc()["unit"].unique().tolist() == [iamc]


def test_a_code_with_an_unknown_scale_is_refused_with_the_fix(proj):
    p = dataclasses.replace(proj, unit="USD_xyz")
    with pytest.raises(ParameterError, match=r"`unit`: the unit code 'USD_xyz' has no IAMC "
                                             r"name .*unit='billion USD/yr'") as err:
        p.to_iamc()
    assert err.value.field == "unit"
    assert p.to_iamc(unit="USD xyz")["unit"].unique().tolist() == ["USD xyz"]


def test_market_units_map_the_same_way(market_projection):
    mp = dataclasses.replace(market_projection, unit="EUR_mn")
    units = set(mp.to_iamc(shares=True)["unit"])
    assert units == {"million EUR/yr", "%"}
    with pytest.raises(ParameterError, match="'USD_xyz' has no IAMC name"):
        dataclasses.replace(market_projection, unit="USD_xyz").to_iamc()
