"""Tests of forecast.scenarios.diversion (Diversion, on_market) and market_presets."""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast import ForecastTypeError, ParameterError
from forecast._seeds import keyed
from forecast.scenarios import (
    Beta,
    Diversion,
    GrowthShift,
    LevelShift,
    PathContext,
    Scenario,
    Uniform,
    market_presets,
    on_market,
    presets,
)
from forecast.scenarios.diversion import RATE_KEY

CTX = PathContext.flat(np.arange(2026, 2031), n_paths=200)


def test_defaults_and_key():
    src = presets.trade_friction("severe")
    d = Diversion(src, rate=Beta(2, 3))
    assert (d.name, d.market, d.to, d.kind) == ("trade_friction", "US", (), "diversion")
    assert d.key == src.key  # the source's seed: CRN with the undiverted scenario
    assert d.first_start == src.first_start
    assert Diversion(src, rate=0.5, to="EU, ROW").to == ("EU", "ROW")
    assert Diversion(src, 0.5, name="other").name == "other"


def test_effect_is_the_source_effect_bit_for_bit():
    src = presets.trade_friction("moderate")
    d = Diversion(src, rate=Uniform(0.2, 0.8))
    seed = np.random.SeedSequence(5)
    a = src.effect(CTX, np.random.default_rng(seed))
    b = d.effect(CTX, np.random.default_rng(seed))
    np.testing.assert_array_equal(a, b)
    effect, rate = d.split(CTX, seed)
    np.testing.assert_array_equal(effect, a)
    assert rate.shape == (200,)
    assert np.all((rate >= 0.2) & (rate <= 0.8))
    expected = Uniform(0.2, 0.8).sample(200, np.random.default_rng(keyed(seed, RATE_KEY)))
    np.testing.assert_array_equal(rate, expected)
    fixed = Diversion(src, rate=0.3).split(CTX, seed)[1]
    assert np.all(fixed == 0.3)


def test_single_market_projection_ignores_where_the_loss_goes():
    """In one market, fragmentation and fragmentation_diversion are the same paths."""
    s = forecast.AnnualSeries(range(2012, 2026), [10 * 1.08**i for i in range(14)])
    fit = forecast.Drift().fit(s)
    scen = [presets.get("fragmentation"), market_presets.get("fragmentation_diversion")]
    proj = forecast.project(fit, scen, to=2032, n_paths=300, seed=4)
    np.testing.assert_array_equal(proj.samples[0], proj.samples[1])
    dec = proj.decompose("fragmentation_diversion", baseline="fragmentation")
    assert np.all(dec["log_points"] == 0.0)


def test_parameters_and_with_parameters():
    d = Diversion(presets.trade_friction("mild"), rate=Beta(2, 2))
    params = d.parameters()
    assert "rate" in params
    assert "source.drift.delta" in params
    e = d.with_parameters(rate=0.25, **{"source.drift.delta": -0.01})
    assert e.rate == forecast.Fixed(0.25)
    assert e.source.parts[0].delta == forecast.Fixed(-0.01)
    assert "rate" not in e.parameters()
    with pytest.raises(ParameterError, match="has no parameter 'size'"):
        d.with_parameters(size=1.0)
    s = Scenario("x", (d,))
    assert "trade_friction.rate" in s.parameters()


def test_to_dict_nests_the_source():
    d = Diversion(LevelShift(2027, -0.1, name="levy"), rate=Beta(2, 2), to=("EU",))
    out = d.to_dict()
    assert out["type"] == "diversion"
    assert out["to"] == "EU"
    assert out["rate"] == {"dist": "beta", "a": 2.0, "b": 2.0, "low": 0.0, "high": 1.0}
    assert out["part"][0]["type"] == "level_shift"
    text = forecast.dumps_scenarios(Scenario("d", (d,)))
    assert "[[scenario.assumption.part]]" in text


def test_toml_round_trip():
    sset = market_presets.scenario_set()
    assert forecast.loads_scenarios(forecast.dumps_scenarios(sset)) == sset
    bad = forecast.dumps_scenarios(market_presets.get("friction_diversion")).replace(
        'to = "EU,ROW"', 'to = "US"')
    with pytest.raises(forecast.ConfigError, match=r"scenario\[1\]\.assumption\[1\].*other than"):
        forecast.loads_scenarios(bad)


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"rate": 1.5}, ParameterError, r"must lie in \[0, 1\]"),
    # a percentage: the fraction it stands for is offered, as levels offer 80 for 0.8
    ({"rate": 50}, ParameterError, r"must lie in \[0, 1\]; got 50\.0\. If 50 is a "
                                   r"percentage, pass 0\.5\. Pass a fraction"),
    ({"rate": Uniform(-0.1, 0.5)}, ParameterError, r"must lie in \[0, 1\]"),
    ({"market": "us"}, ParameterError, "market code"),
    ({"to": ("US",)}, ParameterError, "other than 'US'"),
    ({"to": ("EU", "EU")}, ParameterError, "distinct"),
    ({"market": "ALL", "rate": 0.5}, ParameterError, "must be 0 for market 'ALL'"),
])
def test_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Diversion(GrowthShift(2026, -0.01), **{"rate": 0.5, **kwargs})


def test_the_rate_is_required():
    """It defaulted to 0: a forgotten rate made a diversion that diverted nothing."""
    with pytest.raises(ParameterError, match=r"`rate` is required.*rate=0\.5") as err:
        Diversion(GrowthShift(2026, -0.01))
    assert err.value.field == "rate"
    text = forecast.dumps_scenarios(market_presets.get("friction_diversion"))
    line = 'rate = {dist = "triangular", low = 0.2, mode = 0.5, high = 0.8}\n'
    assert line in text  # written files carry it, so they load again
    with pytest.raises(forecast.ConfigError,
                       match=r"scenario\[1\]\.assumption\[1\]\.rate: a diversion needs `rate`"):
        forecast.loads_scenarios(text.replace(line, "", 1))


def test_source_must_be_a_plain_assumption():
    with pytest.raises(ForecastTypeError, match="must be an Assumption"):
        Diversion("friction")
    inner = Diversion(GrowthShift(2026, -0.01), rate=0.5)
    with pytest.raises(ParameterError, match="other than a Diversion"):
        Diversion(inner)


def test_on_market():
    a = on_market(GrowthShift(2026, 0.01, name="boom"), "EU")
    assert (a.market, a.rate, a.name) == ("EU", forecast.Fixed(0.0), "boom")
    assert on_market(GrowthShift(2026, 0.01), "ALL").market == "ALL"


def test_market_presets():
    assert market_presets.names()[:7] == presets.names()
    sset = market_presets.scenario_set()
    assert [s.name for s in sset] == list(market_presets.names())
    frag = market_presets.get("fragmentation_diversion")
    assert frag.assumption_names == presets.get("fragmentation").assumption_names
    assert isinstance(frag["trade_friction"], Diversion)
    assert frag["trade_friction"].rate == market_presets.FRAGMENTATION_RATE
    assert market_presets.get("escalation") == presets.get("escalation")
    with pytest.raises(ParameterError, match="must be one of"):
        market_presets.get("nope")
    assert forecast.market_presets is market_presets
