"""Mistakes a user makes with the multi-market API, each answered by a ForecastError that
names the value and the fix (found by a new-user audit of docs/markets.md)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import forecast
from forecast import ForecastTypeError, ModelError, OutputError, ParameterError, ScenarioError
from forecast.markets import BottomUpModel, SplitModel, project_markets
from forecast.report import markets_section, write_markets_report
from forecast.scenarios import Diversion, LevelShift, Scenario, market_presets

LOSS = LevelShift(2027, -0.2, name="loss")


@pytest.fixture(scope="module")
def mp(market_history):
    fit = SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=2)
    return project_markets(fit, market_presets.scenario_set(), to=2031, n_paths=200, seed=3)


# --------------------------------------------------------------------------- markets
@pytest.mark.parametrize(("markets", "words"), [
    (["us", "eu"], "Did you mean 'US'?"),
    ("US,EUR", "Did you mean 'EU'?"),
    (["US", "ALL"], "ALL (the total) is always part of the model: drop it"),
    (["US", "ROW"], "ROW (the rest of the world) is always part"),
])
def test_misspelt_markets_get_a_hint(releases, markets, words):
    with pytest.raises(ParameterError, match="`markets`") as err:
        forecast.reconstruct_markets(releases, markets=markets)
    assert words in str(err.value)


def test_a_trailing_comma_is_read_as_on_the_command_line(market_history, releases):
    mh = forecast.reconstruct_markets(releases, markets="US, EU,")
    assert mh.markets == ("US", "EU")


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"start": 1990}, "`start` must be >= "), ({"end": 2040}, "`end` must be <= ")])
def test_years_far_from_the_records_are_refused(releases, kwargs, words):
    with pytest.raises(ParameterError, match=words):
        forecast.reconstruct_markets(releases, markets=("US",), **kwargs)


def test_a_market_with_too_few_releases_is_named(releases):
    with pytest.raises(ModelError, match=r"Too few releases pin KR \(2 year\(s\)") as err:
        forecast.reconstruct_markets(releases, markets=("US", "KR"))
    # the fix before the calls to inspect, which start with the thin market
    text = str(err.value)
    assert text.index("leave it out of `markets`") < text.index("No MarketHistory was built")
    assert "records.filter(market=['KR', 'US', 'ALL']," in text
    assert "forecast.reconstruct(records, market='KR'," in text


# --------------------------------------------------------------------------- queries
def test_a_share_given_as_a_fraction_is_refused(mp):
    with pytest.raises(ParameterError, match="Did you mean 15?"):
        mp.prob_below(0.15, 2030, "US", share=True)
    with pytest.raises(ParameterError) as err:
        mp.prob_above(150, 2030, "US", share=True)
    assert "Did you mean" not in str(err.value)


@pytest.mark.parametrize("call", [
    lambda mp: mp.summary_frame(market=[]),
    lambda mp: mp.decompose("friction_diversion", market=[]),
    lambda mp: mp.summary_frame(scenario=[]),
    lambda mp: mp.summary_frame(scenario=3),
    lambda mp: mp.prob_below(15, 2030, "US", share=True, scenario=[]),
])
def test_empty_or_wrong_selections_are_refused(mp, call):
    with pytest.raises((ParameterError, ScenarioError), match="non-empty list"):
        call(mp)


def test_market_not_projected_says_how_to_project_it(mp):
    with pytest.raises(ParameterError, match="reconstruct_markets"):
        mp.prob_below(5, 2030, "KR", share=True)
    with pytest.raises(ParameterError, match="Did you mean 'US'"):
        mp.levels("us")


def test_iamc_without_extra_quantiles(mp):
    """quantiles=None is no extra quantile: the same rows and values as quantiles=()."""
    none = mp.to_iamc(quantiles=None)
    pd.testing.assert_frame_equal(none, mp.to_iamc(quantiles=()))
    assert not none["variable"].str.contains(r"\|p\d+$").any()  # a quantile is "...|p10"
    assert len(mp.to_iamc(quantiles=(0.1,))) > len(none)  # a quantile does add rows


# --------------------------------------------------------------------------- diversion
def test_diversion_to_the_total_is_refused():
    with pytest.raises(ParameterError, match="not 'ALL'"):
        Diversion(LOSS, rate=0.5, to="EU,ALL")
    with pytest.raises(ParameterError, match="Did you mean 'EU'"):
        Diversion(LOSS, rate=0.5, to="eu")


def test_receivers_folded_into_row_are_warned(mp):
    fit = SplitModel(forecast.Drift(), forecast.Drift()).fit(mp.history, seed=2)
    with pytest.warns(UserWarning, match="receivers EUR are not named markets"):
        project_markets(fit, Scenario("s", (Diversion(LOSS, rate=0.5, to="EUR"),)),
                        to=2028, n_paths=20, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the presets name only projected markets
        project_markets(fit, market_presets.scenario_set(), to=2028, n_paths=20, seed=1)


def test_market_presets_suggest_a_name():
    with pytest.raises(ParameterError, match="Did you mean 'friction_diversion'"):
        market_presets.get("friction_diverson")


# --------------------------------------------------------------------------- report
def test_a_diversion_scenario_alone_is_reported_without_decomposition(mp):
    html = markets_section(_only(mp, "friction_diversion"), plots=False)
    assert "is not decomposed" in html


def _only(mp, name):
    fit = SplitModel(forecast.Drift(), forecast.Drift()).fit(mp.history, seed=2)
    return project_markets(fit, market_presets.get(name), to=2028, n_paths=20, seed=1)


def test_report_path_is_checked_first(mp, tmp_path):
    with pytest.raises(OutputError, match="must be a path"):
        write_markets_report(mp, 3, plots=False)
    with pytest.raises(OutputError, match="is a folder"):
        write_markets_report(mp, tmp_path, plots=False)


# --------------------------------------------------------------------------- model specs
@pytest.mark.parametrize(("make", "field"), [
    (lambda: BottomUpModel(forecast.Drift), "spec"),
    (lambda: SplitModel(forecast.Drift, forecast.Drift()), "total"),
    (lambda: SplitModel(forecast.Drift(), forecast.Theta), "shares"),
])
def test_a_spec_class_is_refused_when_the_model_is_made(make, field):
    """`forecast.Drift` for `forecast.Drift()` was a raw TypeError at the first fit."""
    with pytest.raises(ForecastTypeError, match=rf"`{field}` must be a model spec instance; "
                                                r"got the class \w+\. Call it: pass \w+\(\)"
                       ) as err:
        make()
    assert err.value.field == field


@pytest.mark.parametrize("bad", [3, "Drift", int])
def test_other_non_specs_are_refused_without_calling_them(bad):
    with pytest.raises(ForecastTypeError, match="`spec` must be a model spec such as") as err:
        BottomUpModel(bad)
    assert "Call it" not in str(err.value)  # int() is no model: the advice would be wrong


@pytest.mark.parametrize(("model", "design", "words"), [
    (SplitModel(forecast.Drift(), forecast.Theta()), "split",
     "SplitFit(split Split(Drift; Theta), US, EU, HK, JP + ROW, 20"),
    (BottomUpModel(forecast.Auto(imputations=2)), "bottom-up",
     "SplitFit(bottom-up BottomUp(Auto(combine)), US, EU, HK, JP + ROW, 20"),
])
def test_a_joint_fit_has_a_one_line_repr(market_history, model, design, words):
    fit = model.fit(market_history, seed=4)
    text = repr(fit)
    assert fit.design == design
    assert text.startswith(words)
    assert "\n" not in text
    assert len(text) < 200
    assert "correlation" not in text
    assert "array" not in text
    families = "Drift/Theta" if design == "split" else "Drift/LocalLinearTrend/Theta"
    assert fit.families == tuple(families.split("/"))
    assert text.endswith(f"USD_bn, families {families}, seed=4)")


# --------------------------------------------------------------------------- selections
@pytest.mark.parametrize(("call", "field", "name"), [
    (lambda mp: mp.summary_frame(market=["US", "US"]), "market", "US"),
    (lambda mp: mp.summary_frame(market=("EU", "US", "EU"), share=True), "market", "EU"),
    (lambda mp: mp.summary_frame(scenario=["baseline", "baseline"]), "scenario", "baseline"),
    (lambda mp: mp.decompose("friction_diversion", market=["ALL", "ALL"]), "market", "ALL"),
    (lambda mp: mp.prob_below(15, 2030, "US", share=True, scenario=["baseline"] * 2),
     "scenario", "baseline"),
])
def test_a_repeated_market_or_scenario_is_refused(mp, call, field, name):
    """A repeated name repeated its rows silently; one check names it for every method."""
    with pytest.raises(ParameterError, match=rf"the names in `{field}` must be unique; got "
                                             rf"'{name}' 2 times\. Pass each {field} once"
                       ) as err:
        call(mp)
    assert err.value.field == field


def test_distinct_lists_still_select(mp):
    frame = mp.summary_frame(market=["US", "ALL"], scenario=["baseline", "escalation"])
    assert list(dict.fromkeys(frame["market"])) == ["US", "ALL"]
    assert set(frame["scenario"]) == {"baseline", "escalation"}


@pytest.mark.parametrize("scenario", [None, ["baseline", "escalation"]])
def test_share_frame_takes_one_scenario_not_the_first_of_several(mp, scenario):
    with pytest.raises(ScenarioError, match="must name one scenario for share_frame"):
        mp.share_frame(scenario=scenario)
    assert mp.share_frame(scenario=["escalation"]).equals(mp.share_frame("escalation"))


@pytest.mark.parametrize(("call", "field"), [
    (lambda mp, v: mp.prob_below(15, 2030, "US", share=v), "share"),
    (lambda mp, v: mp.prob_above(15, 2030, "US", share=v), "share"),
    (lambda mp, v: mp.summary_frame(share=v), "share"),
    (lambda mp, v: mp.to_frame(share=v), "share"),
    (lambda mp, v: mp.to_iamc(shares=v), "shares"),
])
@pytest.mark.parametrize("value", ["yes", "False", 1, None])
def test_share_must_be_true_or_false(mp, call, field, value):
    """`share="yes"` (and "False"!) were read as truthy."""
    with pytest.raises(ForecastTypeError, match=rf"`{field}` must be True or False; got "
                                                rf"{value!r:s}") as err:
        call(mp, value)
    assert err.value.field == field
    assert f"Pass {field}=True" in str(err.value)


def test_misspelt_scenarios_get_did_you_mean(market_projection):
    """As Projection's methods do: the name the user meant, for each argument."""
    with pytest.raises(ScenarioError, match=r"`scenario` must name a projected scenario; got "
                                            r"'escalaton'\. Did you mean 'escalation'\?"):
        market_projection.summary_frame(scenario="escalaton")
    with pytest.raises(ScenarioError, match=r"`scenario` .*got 'friction_diversio'\. Did you "
                                            r"mean 'friction_diversion'\?"):
        market_projection.decompose("friction_diversio", "escalation")
    with pytest.raises(ScenarioError, match=r"`baseline` .*got 'baseilne'\. Did you mean "
                                            r"'baseline'\?"):
        market_projection.decompose("escalation", "baseilne")


def test_one_markets_projection_points_decompose_back_to_the_market_projection(mp):
    """It used to end by suggesting a re-run of forecast.project, which cannot do markets."""
    with pytest.raises(ScenarioError) as err:
        mp.market("EU").decompose("escalation")
    msg = str(err.value)
    assert "MarketProjection.decompose(scenario, market='EU')" in msg
    assert "forecast.project" not in msg


@pytest.mark.parametrize(("kwargs", "field"), [({"model": 5}, "model"),
                                               ({"variable": ["x"]}, "variable")])
def test_to_iamc_labels_are_type_checked(mp, kwargs, field):
    with pytest.raises(ForecastTypeError, match=rf"`{field}` must be a str or None"):
        mp.to_iamc(**kwargs)
