"""Evaluation of the joint market model: leave-one-out of the published market levels and
the pseudo-real-time backtest against the single-market model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.evaluation import backtest, backtest_markets, compare_markets, leave_one_out_markets


@pytest.mark.slow
def test_leave_one_out_of_published_market_levels():
    """Each published full-year level of the US, EU, Hong Kong and Japan, dropped in turn,
    is covered by the joint 80% band at least 4 times in 5 (95%: at least 9 in 10)."""
    t = leave_one_out_markets()
    assert list(t.columns) == ["market", "year", "published", "dropped", "median", "lower_80",
                               "upper_80", "lower_95", "upper_95", "covered_80", "covered_95",
                               "z"]
    assert set(t["market"]) == {"US", "EU", "HK", "JP"}
    assert len(t) == 15
    assert t["covered_80"].mean() >= 0.8
    assert t["covered_95"].mean() >= 0.9
    # the first US year, missed by the single-market model (docs/history.md), is covered:
    # China's total and the shares pin it
    us2009 = t[(t["market"] == "US") & (t["year"] == 2009)].iloc[0]
    assert us2009["covered_80"]


def _recording(monkeypatch) -> dict:
    """Record the samples each origin of backtest_markets hands to the scoring."""
    from forecast.evaluation import markets

    seen: dict = {}
    run = markets._run_origin

    def spy(o):
        res = run(o)
        seen[o.label] = res
        return res

    monkeypatch.setattr(markets, "_run_origin", spy)
    return seen


def _check_scores(joint: pd.DataFrame, seen: dict) -> None:
    """Every row's forecast columns recomputed from its origin's paths and its own truth."""
    from forecast.evaluation import metrics

    assert len(joint) > 0
    for _, row in joint.iterrows():
        res = seen[row["origin"]]
        x = res["samples"][:, row["year"] - res["last_year"] - 1]
        assert row["horizon"] == row["year"] - res["last_year"]
        assert row["median"] == pytest.approx(np.median(x), rel=1e-12)
        assert row["mean"] == pytest.approx(np.mean(x), rel=1e-12)
        lo, hi = metrics.interval_from_samples(x, 80)
        assert (row["lower_80"], row["upper_80"]) == pytest.approx((lo, hi), rel=1e-12)
        y = row["truth"]
        # CRPS by its definition E|X - y| - E|X - X'| / 2 (all pairs), not the library's
        crps = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
        assert row["crps"] == pytest.approx(crps, rel=1e-9)
        assert row["scaled_crps"] == pytest.approx(crps / res["scale"], rel=1e-9)
        lx = np.log(x)
        crps_log = np.mean(np.abs(lx - np.log(y))) - 0.5 * np.mean(
            np.abs(lx[:, None] - lx[None, :]))
        assert row["crps_log"] == pytest.approx(crps_log, rel=1e-9)
        assert row["pit"] == pytest.approx(np.mean(x < y) + 0.5 * np.mean(x == y))


@pytest.mark.parametrize("design", ["bottom-up", "split"])
def test_backtest_markets_matches_the_single_market_design(design, monkeypatch):
    kw = {"origins": ["2019-06", "2022-06"], "horizon": 2, "n_paths": 200, "seed": 3}
    seen = _recording(monkeypatch)
    joint = backtest_markets(spec=forecast.Drift(), markets=("US", "EU"), design=design, **kw)
    single = backtest(forecast.Drift(), forecast.load_releases(), **kw)
    assert list(joint.columns) == list(single.columns)
    assert set(joint["model"]) == {f"{design} Drift"}
    assert set(joint["target"]) == {"latest", "published"}
    key = ["origin", "target", "year"]
    merged = joint.merge(single, on=key, suffixes=("_j", "_s"))
    assert len(merged) == len(joint)
    np.testing.assert_allclose(merged["truth_j"], merged["truth_s"])
    _check_scores(joint, seen)
    # the same model on (nearly) the same history: medians within 20% of the single
    # market's (measured: up to about 10% apart; the joint history starts earlier)
    np.testing.assert_allclose(merged["median_j"], merged["median_s"], rtol=0.2)


def test_backtest_markets_forecasts_in_the_currency_it_scores():
    """currency="CNY" compared USD forecasts with CNY truths (APE 85% instead of 3%)."""
    kw = {"origins": ["2021-06"], "horizon": 2, "n_paths": 300, "seed": 1,
          "spec": forecast.Drift(), "markets": ("US", "EU")}
    usd, cny = backtest_markets(**kw), backtest_markets(currency="CNY", **kw)
    key = ["origin", "target", "year"]
    both = usd.merge(cny, on=key, suffixes=("_usd", "_cny"))
    assert len(both) == len(usd) > 0
    rate = both["truth_cny"] / both["truth_usd"]
    assert rate.between(6.0, 7.5).all()  # the CNY per USD of those years
    # the forecasts are in the truths' currency: their ratio is a CNY/USD rate too (the
    # forecasts' is the one known at the origin, carried forward: within 10%)
    np.testing.assert_allclose(both["median_cny"] / both["median_usd"], rate, rtol=0.1)
    assert (cny["ape"] < 20).all()


def test_backtest_markets_skips_origins_without_data():
    with pytest.warns(UserWarning, match=r"backtest_markets skipped origin 2011-06: .*"
                                         r"listed in frame.attrs\['skipped'\]"):
        bt = backtest_markets(spec=forecast.Drift(), origins=["2011-06", "2012-06"],
                              horizon=1, n_paths=50, seed=1)
    assert bt.empty
    assert len(bt.attrs["skipped"]) == 2


@pytest.mark.parametrize(("market", "words"), [
    ("KR", "Score one of those, or add 'KR' to `markets` (markets=('US', 'EU', 'KR'))"),
    ("us", "Did you mean 'US'? Pass one of those."),
    ("ROW", "Pass one of those."),
])
def test_a_market_outside_markets_is_refused_before_any_work(market, words, monkeypatch):
    """It gave an empty frame saying no record of it was published yet, which was false."""
    monkeypatch.setattr("forecast.evaluation.markets._run_origin", _no_work)
    monkeypatch.setattr("forecast.evaluation.markets.backtest", _no_work)
    for run in (backtest_markets, compare_markets):
        with pytest.raises(forecast.ParameterError,
                           match=r"`market` must be one of the jointly reconstructed `markets` "
                                 rf"\(US, EU\) or 'ALL' \(China's total\); got '{market}'\."
                           ) as err:
            run(markets=("US", "EU"), market=market, origins=["2023-06"], spec=forecast.Drift())
        assert words in str(err.value)
        assert err.value.field == "market"


def _no_work(*args, **kwargs):
    raise AssertionError("the backtest started before refusing its input")


def test_china_total_is_scored_as_the_single_market_backtest_scores_it(monkeypatch):
    """China's total ("ALL") is the joint model's own sum of the parts: it is scored on the
    single-market backtest's years and truths (it was refused as "not published yet")."""
    kw = {"origins": ["2019-06", "2023-06"], "horizon": 2, "n_paths": 200, "seed": 3}
    seen = _recording(monkeypatch)
    joint = backtest_markets(spec=forecast.Drift(), markets=("US", "EU"), market="ALL", **kw)
    single = backtest(forecast.Drift(), forecast.load_releases(), market="ALL", **kw)
    assert not joint.empty
    assert joint.attrs["skipped"] == []
    key = ["origin", "target", "year", "horizon"]
    assert joint[key].values.tolist() == single[key].values.tolist()
    np.testing.assert_allclose(joint["truth"], single["truth"])
    _check_scores(joint, seen)
    np.testing.assert_allclose(joint["median"], single["median"], rtol=0.2)


def test_an_origin_after_the_last_release_is_warned_of():
    with pytest.warns(UserWarning, match=r"backtest_markets scored no forecast from origin\(s\) "
                                         r"2030-06: every year they forecast lies after the last "
                                         r"year with a truth \(\d{4}\)\. Pass earlier origins"):
        bt = backtest_markets(spec=forecast.Drift(), markets=("US", "EU"), origins=["2030-06"],
                              horizon=1, n_paths=50, seed=1)
    assert bt.empty
    assert bt.attrs["unscored"] == ["2030-06"]
    assert bt.attrs["skipped"] == []


@pytest.mark.parametrize("run", [backtest_markets, compare_markets])
def test_a_spec_class_is_refused_before_any_work(run, monkeypatch):
    """`spec=forecast.Drift` was a raw TypeError from inside the first origin's fit."""
    monkeypatch.setattr("forecast.evaluation.markets._run_origin", _no_work)
    monkeypatch.setattr("forecast.evaluation.markets.backtest", _no_work)
    with pytest.raises(forecast.ForecastTypeError,
                       match=r"`spec` must be a model spec instance; got the class Drift\. "
                             r"Call it: pass Drift\(\)") as err:
        run(origins=["2023-06"], spec=forecast.Drift, n_paths=100, seed=1)
    assert err.value.field == "spec"


@pytest.mark.parametrize(("run", "joint", "fix"), [
    (backtest_markets, forecast.SplitModel(forecast.Auto(center="mean"), forecast.Drift()),
     r"spec=forecast\.Auto\(center='mean'\) \(its own spec\), with design=\"split\""),
    (compare_markets, forecast.BottomUpModel(forecast.Drift()),
     r"spec=forecast\.Drift\(\) \(its own spec\), with designs=\(\"bottom-up\",\)"),
])
def test_a_joint_model_as_spec_is_refused_before_any_work(run, joint, fix, monkeypatch):
    """`spec=SplitModel(...)` was an AttributeError (no min_length) from the first origin."""
    monkeypatch.setattr("forecast.evaluation.markets._run_origin", _no_work)
    monkeypatch.setattr("forecast.evaluation.markets.backtest", _no_work)
    with pytest.raises(forecast.ForecastTypeError,
                       match=r"`spec` must be the model of one series, such as "
                             r"forecast\.Drift\(\); got the joint model .*\. Pass " + fix) as err:
        run(origins=["2023-06"], spec=joint, n_paths=100, seed=1)
    assert err.value.field == "spec"


@pytest.mark.parametrize(("make", "field"), [
    (lambda j: forecast.BottomUpModel(j), "spec"),
    (lambda j: forecast.SplitModel(total=j), "total"),
    (lambda j: forecast.SplitModel(shares=j), "shares"),
])
def test_a_joint_model_inside_a_joint_model_is_refused(make, field):
    joint = forecast.BottomUpModel(forecast.Theta())
    with pytest.raises(forecast.ForecastTypeError,
                       match=rf"`{field}` must be the model of one series.*got the joint model "
                             rf"BottomUp\(Theta\)\. Pass {field}=forecast\.Theta\(\)") as err:
        make(joint)
    assert err.value.field == field


def test_the_default_design_is_bottom_up_and_a_bad_one_is_named():
    kw = {"spec": forecast.Drift(), "origins": ["2022-06"], "horizon": 1, "n_paths": 50,
          "seed": 2}
    a = backtest_markets(**kw)
    b = backtest_markets(design="bottom-up", **kw)
    assert set(a["model"]) == {"bottom-up Drift"}
    np.testing.assert_array_equal(a["crps"], b["crps"])
    with pytest.raises(forecast.ParameterError, match="`design`.*'joint'") as info:
        backtest_markets(design="joint", **kw)
    assert info.value.field == "design"
    for bad in ("split", (), 3):
        with pytest.raises(forecast.ParameterError, match=f"`designs`.*got {bad!r}"):
            compare_markets(designs=bad, **kw)
    with pytest.raises(forecast.ParameterError, match="`design`.*'joint'"):
        compare_markets(designs=(d for d in ("split", "joint")), **kw)  # read once, checked


@pytest.mark.slow
def test_compare_markets_returns_every_model():
    t = compare_markets(spec=forecast.Drift(), origins=["2020-06", "2023-06"], horizon=2,
                        n_paths=200, seed=1)
    assert set(t["model"]) == {"bottom-up Drift", "split Drift", "single Drift"}
    assert {"crps", "coverage_80"} <= set(t.columns)
    assert t.groupby(["target", "horizon"])["n"].nunique().eq(1).all()  # same origins


def test_horizons_beyond_the_last_release_are_warned_of():
    with pytest.warns(UserWarning, match=r"backtest_markets scored horizons 1-2 only, not up "
                                         r"to horizon=3: no published truth lies further"):
        bt = backtest_markets(spec=forecast.Drift(), markets=("US", "EU"), origins=["2023-06"],
                              horizon=3, n_paths=50, seed=1)
    assert set(bt["horizon"]) == {1, 2}  # US 2023 and 2024 are published, 2025 not yet


@pytest.mark.parametrize("run", [backtest_markets, compare_markets])
def test_a_misspelt_keyword_is_named_with_the_one_meant(run, monkeypatch):
    """`horizn=2` was Python's raw TypeError, where forecast.backtest says what was meant."""
    monkeypatch.setattr("forecast.evaluation.markets._run_origin", _no_work)
    monkeypatch.setattr("forecast.evaluation.markets.backtest", _no_work)
    with pytest.raises(forecast.ForecastTypeError,
                       match=rf"unexpected keyword argument `horizn` \(horizn=2\): "
                             rf"{run.__name__}\(\) takes records, markets, market, origins, "
                             r"horizon, .*Did you mean 'horizon'\?") as err:
        run(spec=forecast.Drift(), horizn=2)
    assert err.value.field == "horizn"


def test_joint_backtest_origins_are_labelled_as_the_single_market_ones():
    kw = {"spec": forecast.Drift(), "markets": ("US", "EU"), "horizon": 1, "n_paths": 50,
          "seed": 2}
    text = backtest_markets(origins=["2022-6"], **kw)
    stamp = backtest_markets(origins=[pd.Timestamp("2022-06-30")], **kw)
    pd.testing.assert_frame_equal(stamp, text, check_exact=True)
    assert set(text["origin"]) == {"2022-06"}
