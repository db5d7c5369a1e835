"""Censored coordinates in joint projections: a part with no level is moved by no assumption.

As in :func:`forecast.project` (tests/projection/test_censoring.py), a baseline path
censored at its coordinate's floor has no level, so every scenario leaves it there; in the
joint engine it also diverts nothing and receives nothing, and the decomposition stays
exact with the same rule.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.markets.allocation import FLOOR_TOL, censored_parts, coordinate_floors
from forecast.markets.split import coordinates_of_parts


def _project(model, history, to=2045, n_paths=2000):
    fit = model.fit(history, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the censoring warning: tested in test_markets
        return forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=to,
                                        n_paths=n_paths, seed=2)


@pytest.fixture(scope="module", params=["split", "bottom-up"])
def censored(request, market_history):
    """A split design whose log ratios are on the level scale (they cross their boundary
    within a few years) and the default bottom-up design to 2045 (the US and Japan do)."""
    if request.param == "split":
        model = forecast.SplitModel(forecast.Drift(scale="log"), forecast.Drift(scale="level"))
    else:
        model = forecast.BottomUpModel()
    mp = _project(model, market_history)
    dead = censored_parts(mp.base_log, mp.settings["floor_logs"], mp.settings["coordinates"])
    return mp, dead


def test_ratio_coordinates_censor_their_market_and_the_total_every_part():
    logs = np.zeros((3, 2, 4))  # total, r_US, r_EU; 2 paths, 4 years
    floors = (-5.0, -7.0, None)
    logs[1, 0, 2:] = -7.0  # US/ROW at its floor from year 3 of path 0
    logs[2, 1, :] = -7.0  # EU's ratio at -7, but EU's coordinate has no floor
    dead = censored_parts(logs, floors, "ratios")
    expected = np.zeros((3, 2, 4), dtype=bool)
    expected[0, 0, 2:] = True
    np.testing.assert_array_equal(dead, expected)
    logs[0, 1, 3] = -5.0  # the total at its floor: no part has a level
    dead = censored_parts(logs, floors, "ratios")
    expected[:, 1, 3] = True
    np.testing.assert_array_equal(dead, expected)
    assert censored_parts(logs, (None, None, None), "ratios") is None
    assert censored_parts(np.zeros((3, 2, 4)), floors, "ratios") is None


def test_part_coordinates_are_rebuilt_from_the_stored_ratios():
    """BottomUp fits part log levels; the projection stores the total and the ratios, so
    the test rebuilds each part's log level from them, within rounding of its floor."""
    rng = np.random.default_rng(0)
    parts = rng.normal(3.0, 1.0, (3, 50, 6))  # US, EU, ROW log levels
    floors = (-12.0, -13.0, -11.0)
    parts[0, 7, 4:] = floors[0]  # censored US cells
    parts[2, 9, 1] = floors[2]  # a censored ROW cell
    parts[1, 3, 2] = floors[1] + 1e-6  # just above its floor: alive
    dead = censored_parts(coordinates_of_parts(parts.transpose(1, 0, 2)).transpose(1, 0, 2),
                          floors, "parts")
    expected = np.zeros(parts.shape, dtype=bool)
    expected[0, 7, 4:] = True
    expected[2, 9, 1] = True
    np.testing.assert_array_equal(dead, expected)
    assert FLOOR_TOL * abs(floors[1]) < 1e-6


def test_the_run_records_the_floors(censored):
    mp, dead = censored
    assert mp.settings["coordinates"] in ("ratios", "parts")
    assert len(mp.settings["floor_logs"]) == len(mp.parts)
    assert dead is not None
    assert dead.mean() > 0.001
    assert mp.settings["censored"]


def test_no_scenario_moves_a_part_with_no_level(censored):
    """Every scenario, with or without diversion, leaves a censored part at its baseline
    level (no effect, no inflow), while live cells of that part do move."""
    mp, dead = censored
    base = mp.samples[0]
    moved_live = False
    for s, name in enumerate(mp.scenario_names):
        np.testing.assert_array_equal(mp.samples[s][dead], base[dead], err_msg=name)
        moved_live |= bool(np.any(mp.samples[s][~dead] != base[~dead]))
    assert moved_live
    # a diversion's receivers: live cells of a receiver gain, dead ones do not
    k = mp.scenario_names.index("fragmentation_diversion")
    f = mp.scenario_names.index("fragmentation")
    gain = mp.samples[k] - mp.samples[f]
    assert np.all(gain[dead] == 0)
    assert gain[~dead].max() > 0


@pytest.mark.parametrize("scenario", ["fragmentation_diversion", "friction_diversion",
                                      "cooperation"])
def test_the_decomposition_stays_exact(censored, scenario):
    mp, dead = censored
    frame = mp.decompose(scenario)
    s = mp.scenario_names.index(scenario)
    level = frame.groupby(["market", "year"])["level"].sum()
    logs = frame.groupby(["market", "year"])["log_points"].sum()
    for q, market in enumerate(mp.parts):
        gap = (mp.samples[s, q] - mp.samples[0, q]).mean(axis=0)
        np.testing.assert_allclose(level.loc[market].to_numpy(), gap, rtol=1e-9, atol=1e-9)
        log_gap = 100 * (np.log(mp.samples[s, q]) - np.log(mp.samples[0, q])).mean(axis=0)
        np.testing.assert_allclose(logs.loc[market].to_numpy(), log_gap, rtol=1e-9,
                                   atol=1e-9)


def test_a_saved_run_decomposes_the_same(censored, tmp_path):
    mp, _ = censored
    mp.save(tmp_path / "run")
    loaded = forecast.MarketProjection.load(tmp_path / "run")
    assert loaded.settings["floor_logs"] == mp.settings["floor_logs"]
    a = mp.decompose("fragmentation_diversion")
    b = loaded.decompose("fragmentation_diversion")
    np.testing.assert_array_equal(a["level"].to_numpy(), b["level"].to_numpy())


def test_floors_of_a_log_scale_fit_are_none(market_history):
    fit = forecast.BottomUpModel(forecast.Drift(scale="log")).fit(market_history, seed=1)
    assert coordinate_floors(fit) == (None,) * 5
    mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2030,
                                  n_paths=100, seed=1)
    assert mp.settings["floor_logs"] == [None] * 5
    assert censored_parts(mp.base_log, mp.settings["floor_logs"], "parts") is None
