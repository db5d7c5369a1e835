"""The IAMC unit column maps every unit code <CUR>_<scale> alike, never an internal code."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from forecast.errors import ParameterError
from forecast.projection import Projection
from forecast.series import AnnualSeries


@pytest.fixture(scope="module")
def proj():
    rng = np.random.default_rng(3)
    base = np.log(31.6) + np.cumsum(rng.normal(0.03, 0.1, (20, 3)), axis=1)
    return Projection(
        years=np.arange(2026, 2029), scenario_names=("baseline",), samples=np.exp(base[None]),
        base_log=base, center=base.mean(axis=0),
        history=AnnualSeries([2024, 2025], [31.6, 32.0], name="US offshore_execution"),
        seed=3, model="Drift", settings={"n_paths": 20, "chunk_size": 20})


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
