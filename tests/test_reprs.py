"""Reprs for notebooks: one short line each, rounded, names plus a count.

A new user's probe found four objects whose repr was a raw dataclass dump or said less
than its neighbours': ``KeyMessage`` (~760 characters of 16-digit floats),
``IntraYearProfile`` (a two-line numpy ``cov`` array), a ``Group`` assumption (550
characters, every part in full) and ``MarketProjection`` (a count of scenarios where
``Projection`` lists their names).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import presets
from forecast.history.profile import IntraYearProfile
from forecast.report import KeyMessage


def _one_short_line(text: str, limit: int) -> None:
    assert "\n" not in text, text
    assert len(text) <= limit, (len(text), text)


def test_key_message_repr_is_a_short_summary():
    msg = KeyMessage(
        year=2035, baseline="baseline", series="US offshore execution", unit="USD_bn",
        level=80.0, baseline_median=53.18876859322959,
        band=(44.73265886514022, 60.79942793717087),
        effects={"managed_friction": -4.3828170495483425, "escalation": -10.50070723643588,
                 "cooperation": 2.076801052485339, "fragmentation": -26.884343945517823},
        driver=("fragmentation", "trade_friction", -29.968436336089216, -31.312766905221427),
        prob_year=2030, base_year=2024, base_value=31.613835397484888,
        prob_above={"baseline": 0.994, "fragmentation": 0.732})
    text = repr(msg)
    _one_short_line(text, 160)
    assert text == ("KeyMessage(2035, US offshore execution: baseline median 53.2 USD bn, 80% "
                    "band 44.7-60.8; 4 scenario effects -27% to +2%; str() for the text)")
    assert "53.18876" not in text
    assert str(msg).startswith("In 2035 the scenarios move US offshore execution")


def test_intra_year_profile_repr_has_no_array_dump():
    pairs = pd.DataFrame({"market": ["US"] * 3, "year": [2019, 2020, 2021],
                          "months": [10, 11, 6], "ratio": [0.8, 0.79, 0.5]})
    profile = IntraYearProfile(-0.2501017604104473, 1.166895238614043, 0.050034312798612625,
                               np.array([[0.00023838, 0.00041158], [0.00041158, 0.00148467]]),
                               pairs=pairs, source="pairs from ALL, US", dof=18.0)
    text = repr(profile)
    _one_short_line(text, 150)
    assert text == ("IntraYearProfile(log_c11=-0.2501 (se 0.015), exponent=1.167 (se 0.039), "
                    "scale=0.05003, dof=18, 3 pairs, source 'pairs from ALL, US')")
    assert "array" not in text


def test_group_repr_is_compact_like_a_scenarios():
    group = presets.get("fragmentation").assumptions[0]
    text = repr(group)
    _one_short_line(text, 160)
    assert text == ("Group('trade_friction': drift [GrowthShift], levy_step [LevelShift, "
                    "probability 0.6], control_shocks [Escalation]; 4 uncertain parameters)")
    nested = forecast.Group("outer", (group, forecast.LevelShift(2027, -0.1, name="step")),
                            probability=forecast.Uniform(0.2, 0.4))
    assert repr(nested) == (
        "Group('outer': trade_friction [Group: drift, levy_step, control_shocks], step "
        "[LevelShift]; probability Uniform(low=0.2, high=0.4); 5 uncertain parameters)")


@pytest.fixture(scope="module")
def mp():
    mh = forecast.reconstruct_markets(markets=("US", "EU"))
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
    return forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2028,
                                    n_paths=20, seed=2)


def test_market_projection_repr_lists_scenario_names_and_count_as_projection_does(mp):
    text = repr(mp)
    _one_short_line(text, 240)
    names = mp.scenario_names
    assert f"scenarios=[{', '.join(names[:4])}, ...] ({len(names)})" in text, text
    assert text.startswith("MarketProjection(model='Split(Drift; Drift)', markets=['US', "
                           "'EU', 'ROW'], scenarios=[baseline, ")
    assert text.endswith("n_paths=20, years=2026-2028, unit='USD_bn', seed=2)")
    one = repr(mp.market("US"))  # the single-market Projection: the same layout
    assert one.split("scenarios=")[1].split(" n_paths")[0] == \
        text.split("scenarios=")[1].split(" n_paths")[0]
