"""The key message is computed from the projection, then written: numbers first."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from forecast.projection import Projection
from forecast.report import KeyMessage, key_message
from forecast.series import AnnualSeries


def _proj(probabilities=None):
    rng = np.random.default_rng(1)
    base = np.log(30.0) + np.cumsum(rng.normal(0.03, 0.1, (4000, 10)), axis=1)
    samples = np.exp(np.stack([base, base + np.log(0.8), base + np.log(1.05)]))
    return Projection(
        years=np.arange(2026, 2036), scenario_names=("baseline", "down", "up"),
        samples=samples, base_log=base, center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2020, 2026), [20, 22, 25, 28, 31.6, 32.0],
                             name="US offshore_execution"),
        seed=1, model="Drift", probabilities=probabilities,
        settings={"n_paths": 4000, "chunk_size": 4000})


def test_effects_band_and_probabilities_come_from_the_samples():
    p = _proj()
    msg = key_message(p)
    assert isinstance(msg, KeyMessage)
    assert msg.year == 2035
    assert msg.effects["down"] == pytest.approx(-20.0)  # a paired, exact -20% on every path
    assert msg.effects["up"] == pytest.approx(5.0)
    lo, hi = np.quantile(p.samples[0][:, -1], [0.1, 0.9])
    assert msg.band == pytest.approx((lo, hi))
    assert msg.prob_year == 2030
    assert msg.base_year == 2025
    assert msg.prob_above["down"] == pytest.approx((p.samples[1][:, 4] > 32.0).mean())
    text = str(msg)
    assert text.startswith("In 2035 the scenarios move US offshore execution by -20% to +5% "
                           "on average against baseline, whose 80% band is ")
    assert f"{lo:,.1f}-{hi:,.1f} USD bn" in text
    # the band also in percent of its median: the effects are percentages
    med = float(np.median(p.samples[0][:, -1]))
    assert (f"; {100 * (lo / med - 1):+.0f}% to {100 * (hi / med - 1):+.0f}% of it)."
            in text)
    assert "The largest gap is Down (-20%)" in text
    assert "Chance that 2030 is above 2025's reconstructed level (32.0 USD bn)" in text
    assert msg.driver is None  # no scenario definitions: no decomposition, no claim


def test_an_assumption_on_fewer_than_half_the_paths_still_moves_the_level():
    """A levy on 40% of the paths: the median paired effect is 0 ("+0.0%" beside "-3.0 of
    -3.0 log points"); the key message gives the mean log effect the decomposition splits."""
    from forecast import LevelShift, Scenario, project
    from forecast.models import Drift

    rng = np.random.default_rng(2)
    fit = Drift().fit(AnnualSeries(range(2010, 2025), 10 * np.exp(np.cumsum(
        rng.normal(0.05, 0.05, 15)))))
    levy = Scenario("levy", [LevelShift(2026, -0.075, name="levy", probability=0.4)])
    p = project(fit, [Scenario("baseline"), levy], to=2035, n_paths=2000, seed=1)
    msg = key_message(p)
    total = float(p.decompose("levy").query("year == 2035")["log_points"].sum())
    assert total == pytest.approx(-3.0, abs=0.3)
    assert msg.effects["levy"] == pytest.approx(100 * np.expm1(total / 100))
    assert "The largest gap is Levy (-3%); most of it comes from levy" in str(msg)
    assert "0.0%" not in str(msg)
    # the message names its measure: a reader setting -3% against the table's medians
    # (probe 36c: -29% beside medians 30.8 and 42.4, -27%) is told why they differ
    assert ("The change is the geometric mean of each path's ratio to baseline, not the "
            "ratio of the medians.") in str(msg)


def test_options_and_mixture():
    p = _proj(probabilities=(0.5, 0.3, 0.2))
    msg = key_message(p, year=2030, base_year=2024, level=95)
    assert msg.year == 2030
    assert msg.base_value == 31.6
    assert msg.mixture is not None
    assert "Weighting the scenarios by their probabilities" in str(msg)
    only = dataclasses.replace(p, scenario_names=("baseline",), samples=p.samples[:1],
                               probabilities=None)
    assert key_message(only).effects == {}
    assert key_message(only).headline().startswith(
        "In 2035 the 80% band of US offshore execution under baseline is ")


def test_bad_year():
    from forecast.errors import ParameterError

    with pytest.raises(ParameterError, match="projected year"):
        key_message(_proj(), year=2050)


def test_the_driver_sentence_says_most_only_when_it_is():
    base = dict(year=2035, baseline="baseline", series="US", unit="USD_bn", level=80.0,
                baseline_median=40.0, band=(20.0, 60.0), effects={"frag": -30.0})
    most = KeyMessage(**base, driver=("frag", "trade_friction", -25.0, -31.0))
    assert "most of it comes from trade friction (-25.0 of -31.0 log points)" in str(most)
    part = KeyMessage(**base, driver=("frag", "trade_friction", -12.0, -31.0))
    assert "the largest part comes from trade friction" in str(part)
    # a part larger than the whole (examples/04_custom_scenario.toml said "most of it
    # comes from drift (-2.9 of -2.7 log points)"): the others offset it
    over = KeyMessage(**base, driver=("frag", "drift", -2.9, -2.7))
    assert ("it comes from drift (-2.9 log points), partly offset by the other "
            "assumptions (+0.2)") in str(over)
    against = KeyMessage(**base, driver=("frag", "drift", 1.5, -2.7))
    assert "drift (+1.5 log points) is outweighed by the other assumptions (-4.2)" in str(
        against)
    assert "most of it" not in str(over) + str(against)


def test_a_market_projection_is_pointed_to_the_markets_report(market_history, tmp_path):
    """key_message and write_report take one market; a MarketProjection gets a
    ForecastTypeError naming the markets report and mp.market(...), not an
    AttributeError from deep inside, and nothing is written."""
    import forecast
    from forecast.errors import ForecastTypeError
    from forecast.report import write_report

    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2030,
                                  n_paths=100, seed=2)
    for call, name in ((lambda: key_message(mp), "key_message"),
                       (lambda: write_report(mp, tmp_path / "r.html"), "write_report")):
        with pytest.raises(ForecastTypeError, match=rf"single-market Projection for {name}; "
                                                    r"got a MarketProjection\. .*"
                                                    r"write_markets_report.*mp\.market"):
            call()
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(ForecastTypeError, match="must be a Projection; got int"):
        key_message(42)
    assert key_message(mp.market("US")).year == 2030  # one market: a message
