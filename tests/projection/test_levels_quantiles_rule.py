"""One rule for every method taking levels or quantiles.

Any 1-D sequence or numpy array (or one number) is accepted; a level or quantile given
twice counts once (levels sorted, quantiles in the order given): never refused by one
method and repeated as rows by another. to_iamc gives the median once (0.5 among the
extra quantiles adds no ``|p50`` row).
"""

from __future__ import annotations

import numpy as np
import pytest
from _engine_fakes import toy_projection

from forecast.errors import ForecastTypeError, ParameterError


@pytest.fixture(scope="module")
def proj():
    return toy_projection(1, 200, shifts=(0.0, -0.1), names=("baseline", "down"))


LEVEL_CALLS = {
    "summary_frame": lambda p, lv: p.summary_frame(levels=lv),
    "difference": lambda p, lv: p.difference("baseline", levels=lv),
    "cagr": lambda p, lv: p.cagr(2026, 2028, levels=lv),
}
QUANTILE_CALLS = {
    "quantiles": lambda p, q: p.quantiles(q),
    "to_frame": lambda p, q: p.to_frame(quantiles=q),
    "to_wide": lambda p, q: p.to_wide(quantiles=q),
    "to_iamc": lambda p, q: p.to_iamc(quantiles=q),
}
MARKET_LEVEL_CALLS = {
    "summary_frame": lambda p, lv: p.summary_frame(levels=lv),
    "summary_frame(share)": lambda p, lv: p.summary_frame(levels=lv, share=True),
}
MARKET_QUANTILE_CALLS = {
    "to_frame": lambda p, q: p.to_frame(quantiles=q),
    "to_wide": lambda p, q: p.to_wide(quantiles=q),
    "to_iamc": lambda p, q: p.to_iamc(quantiles=q),
}


@pytest.mark.parametrize("call", LEVEL_CALLS.values(), ids=LEVEL_CALLS)
def test_levels_twice_count_once_and_an_array_is_taken(proj, call):
    assert call(proj, (80, 95, 80)).equals(call(proj, (80, 95)))
    assert call(proj, np.array([80, 95])).equals(call(proj, (80, 95)))
    assert call(proj, np.array(80)).equals(call(proj, 80))


@pytest.mark.parametrize("call", QUANTILE_CALLS.values(), ids=QUANTILE_CALLS)
def test_quantiles_twice_count_once_and_an_array_is_taken(proj, call):
    assert call(proj, (0.9, 0.1, 0.9)).equals(call(proj, (0.9, 0.1)))
    assert call(proj, np.array([0.1, 0.9])).equals(call(proj, (0.1, 0.9)))


def test_a_bad_value_among_them_is_still_named(proj):
    with pytest.raises(ParameterError, match=r"`levels` must be a percentage in \(0, 100\); "
                                             r"got 0\.8\. Did you mean 80\?"):
        proj.summary_frame(levels=np.array([0.8, 95]))
    with pytest.raises(ForecastTypeError, match=r"`levels` must be a percentage or a non-empty "
                                                r"1-D sequence or array"):
        proj.summary_frame(levels=np.array([[80, 95]]))


def test_to_iamc_gives_the_median_once(proj):
    frame = proj.to_iamc(quantiles=(0.1, 0.5, 0.9))
    variables = frame["variable"].unique().tolist()
    assert not any(v.endswith("|p50") for v in variables)
    assert len(frame) == 3 * len(proj.scenario_names)
    assert proj.to_iamc(quantiles=(0.5,)).equals(proj.to_iamc())


@pytest.mark.parametrize("call", MARKET_LEVEL_CALLS.values(), ids=MARKET_LEVEL_CALLS)
def test_market_levels_follow_the_rule(market_projection, call):
    assert call(market_projection, (95, 95)).equals(call(market_projection, 95))
    assert call(market_projection, np.array([80, 95])).equals(call(market_projection, (80, 95)))


@pytest.mark.parametrize("call", MARKET_QUANTILE_CALLS.values(), ids=MARKET_QUANTILE_CALLS)
def test_market_quantiles_follow_the_rule(market_projection, call):
    assert call(market_projection, [0.9, 0.9]).equals(call(market_projection, [0.9]))
    assert call(market_projection, np.array([0.1, 0.9])).equals(
        call(market_projection, [0.1, 0.9]))


def test_market_to_iamc_gives_the_median_once(market_projection):
    mp = market_projection
    assert mp.to_iamc(quantiles=(0.5,)).equals(mp.to_iamc())
    assert not mp.to_iamc(quantiles=(0.1, 0.5))["variable"].str.endswith("|p50").any()


@pytest.mark.parametrize(("level", "q_lo", "q_hi"), [(80, 0.1, 0.9), (95, 0.025, 0.975),
                                                     (50, 0.25, 0.75), (99, 0.005, 0.995)])
def test_a_bands_bounds_are_its_quantiles_to_the_bit(proj, level, q_lo, q_hi):
    """lower_80 is the p10 quantile of the same samples, bit for bit, in every output
    (the probability was 0.5 - 80/200 = 0.09999999999999998: 1e-14 apart, so summary.csv
    and projection_long.csv disagreed in the last digit)."""
    frame = proj.summary_frame(levels=level)
    qs = proj.quantiles([q_lo, q_hi])
    for name, q in ((f"lower_{level}", q_lo), (f"upper_{level}", q_hi)):
        expected = qs[qs["quantile"] == q].set_index(["scenario", "year"])["value"]
        got = frame.set_index(["scenario", "year"])[name]
        assert np.array_equal(got.loc[expected.index].to_numpy(), expected.to_numpy()), name
    band = proj.interval(level)
    direct = np.quantile(proj.samples, [q_lo, q_hi], axis=1)  # (2, scenarios, years)
    assert np.array_equal(band["lower"].to_numpy(), direct[0].ravel())
    assert np.array_equal(band["upper"].to_numpy(), direct[1].ravel())


def test_the_interval_scores_alpha_is_exact():
    from forecast.evaluation import metrics

    # width 6 plus (2 / 0.05) x 1 below the lower bound: 46 exactly, not 45.999999999999964
    assert metrics.interval_score(3.0, 4.0, 10.0, 95) == 46.0
    lo, hi = metrics.interval_from_samples(np.arange(101.0), 80)
    assert (lo, hi) == (np.quantile(np.arange(101.0), 0.1), np.quantile(np.arange(101.0), 0.9))
