"""What a user sees after common mistakes with backtests and sensitivity analysis.

Each test pins behaviour that used to be a raw TypeError/ValueError/AttributeError, a
silently ignored argument or an empty result without a word.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastTypeError, ParameterError
from forecast.evaluation import backtest, published_truth, sobol, sobol_indices, summarize, tornado
from forecast.scenarios import LevelShift, Scenario, Uniform

# some noise: an exact geometric series leaves Drift no variation (a UserWarning says so)
SERIES = forecast.AnnualSeries(range(2008, 2024),
                               10 * np.exp(0.1 * np.arange(16) + 0.02 * (-1) ** np.arange(16)))


@pytest.fixture(scope="module")
def records():
    return forecast.load_releases()


def test_an_empty_origin_list_is_refused():
    with pytest.raises(ParameterError, match=r"`origins` must hold at least one origin; got "
                                             r"\[\]\. Pass .*or leave it out \(None\)"):
        backtest(forecast.Drift(), SERIES, origins=[], seed=1)


def test_a_series_too_short_for_any_origin_says_how_many_years_it_needs():
    short = forecast.AnnualSeries(range(2020, 2026), [1.0, 1.1, 1.3, 1.4, 1.6, 1.7])
    with pytest.raises(ParameterError, match=r"\(2020-2025, 6 years\) is too short .* needs "
                                             r"at least 7 years .*Pass a series of 7 years"):
        backtest(forecast.Drift(), short, seed=1)
    longer = forecast.AnnualSeries(range(2019, 2026), [0.9, 1.0, 1.1, 1.3, 1.4, 1.6, 1.7])
    with warnings.catch_warnings():  # the 7 years it asked for are enough
        warnings.simplefilter("ignore")
        assert len(backtest(forecast.Drift(), longer, horizon=1, n_paths=50, seed=1)) > 0


def test_an_empty_origin_list_is_refused_for_records(records):
    with pytest.raises(ParameterError, match="at least one origin"):
        backtest(forecast.Drift(), records, origins=(), seed=1)


@pytest.mark.parametrize(("kw", "hint"), [
    ({"horizn": 3}, "Did you mean 'horizon'?"),
    ({"workers": 2}, "executor=concurrent.futures.ProcessPoolExecutor(2)"),
    ({"market": "EU"}, "apply only when `data` is Records, but `data` is AnnualSeries"),
])
def test_extra_keywords_on_a_series_are_refused_not_ignored(kw, hint):
    key = next(iter(kw))
    with pytest.raises(ForecastTypeError, match=rf"unexpected keyword argument `{key}`") as info:
        backtest(forecast.Drift(), SERIES, seed=1, **kw)
    assert hint in str(info.value)
    assert info.value.field == key


def test_an_unknown_keyword_with_records_names_both_argument_lists(records):
    with pytest.raises(ForecastTypeError, match=r"`segmnt` .*nor of forecast\.reconstruct "
                                                r"\(market, flow, segment.*Did you mean "
                                                r"'segment'\?"):
        backtest(forecast.Drift(), records, origins=["2022-06"], seed=1, segmnt="ITO")


def test_a_model_class_instead_of_an_instance_says_call_it():
    with pytest.raises(ForecastTypeError, match=r"got the class Drift\. Call it: pass Drift\(\)"):
        backtest(forecast.Drift, SERIES, seed=1)


def test_published_truth_refuses_a_misspelled_market_or_a_third_currency(records):
    with pytest.raises(ParameterError, match=r"`market` .*got 'USA'\. Did you mean 'US'\?"):
        published_truth(records, "USA", "all", "offshore_execution", "USD")
    # "EUR" used to be treated as CNY: rows converted with the CNY rate, silently
    with pytest.raises(ParameterError, match=r"`currency` must be one of USD, CNY; got 'EUR'"):
        published_truth(records, "US", "all", "offshore_execution", "EUR")
    with pytest.raises(ForecastTypeError, match=r"`records` must be Records; got AnnualSeries"):
        published_truth(SERIES, "US", "all", "offshore_execution", "USD")
    assert published_truth(records, "US", "all", "offshore_execution", "USD")[2024] == (
        pytest.approx(31.59))


def test_an_origin_after_the_last_truth_warns_instead_of_returning_nothing_silently(records):
    with pytest.warns(UserWarning, match=r"scored no forecast from origin\(s\) 2030-06: every "
                                         r"year they forecast lies after the last year with a "
                                         r"truth \(2025\)\. Pass earlier origins"):
        bt = backtest(forecast.Drift(), records, origins=["2030-06"], horizon=2, n_paths=50,
                      seed=1)
    assert bt.empty
    assert bt.attrs["unscored"] == ["2030-06"]


def test_summarize_by_one_column_name_and_unknown_columns():
    bt = backtest(forecast.Drift(), SERIES, horizon=2, n_paths=50, seed=1)
    by_str = summarize(bt, by="model")
    assert by_str["model"].tolist() == ["Drift"]
    assert by_str.equals(summarize(bt, by=("model",)))
    with pytest.raises(ParameterError, match=r"`by` must name columns .*got 'modell'\. Did you "
                                             r"mean 'model'\?"):
        summarize(bt, by=("modell",))


def _fit():
    return forecast.Drift().fit(forecast.AnnualSeries(range(2012, 2026),
                                                      SERIES.values[:14]), seed=1)


STEP = Scenario("s", [LevelShift(2027, Uniform(-0.2, 0.0), name="step")])


def test_tornado_percentiles_given_as_fractions_get_a_did_you_mean():
    with pytest.raises(ParameterError, match=r"percentiles in \(0, 100\); got low=0\.1, "
                                             r"high=0\.9\. Did you mean low=10, high=90\?"):
        tornado(_fit(), STEP, 2030, seed=1, low=0.1, high=0.9)


def test_sobol_warns_once_for_n_not_a_power_of_two_pointing_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sobol(_fit(), STEP, 2030, n=1000, seed=1, n_bootstrap=0)
    msgs = [w for w in caught if "power of two" in str(w.message)]
    assert len(msgs) == 1
    assert "got 1000" in str(msgs[0].message)
    assert "n=512 or n=1024" in str(msgs[0].message)
    assert msgs[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sobol(_fit(), STEP, 2030, n=1024, seed=1, n_bootstrap=0)
        sobol_indices(lambda x: x[:, 0], {"a": (0, 1)}, n=100, seed=1, sampling="random")


def test_sobol_names_years_whose_output_does_not_vary():
    with pytest.warns(UserWarning, match=r"effect in year 2026 does not vary .*indices are "
                                         "NaN"):
        df = sobol(_fit(), STEP, [2026, 2030], n=64, seed=1, output="effect", n_bootstrap=0)
    assert df.loc[df["year"] == 2026, "total"].isna().all()
    assert df.loc[df["year"] == 2030, "total"].notna().all()


def test_sobol_indices_group_members_must_be_a_list_not_one_string():
    with pytest.raises(ForecastTypeError, match=r"group 'g' must list input names; got 'ab'\. "
                                                r"Pass a list"):
        sobol_indices(lambda x: x[:, 0], {"a": (0, 1), "ab": (0, 1)}, n=64, seed=1,
                      groups={"g": "ab"})


class _Singular(forecast.Drift):
    """A user's model that breaks with a non-forecast error on one training window."""

    @property
    def name(self) -> str:
        return "Singular"

    def fit(self, data, seed=None, **kw):
        if len(data) == 10:
            raise np.linalg.LinAlgError("singular matrix")
        return super().fit(data, seed=seed, **kw)


def test_a_users_model_failing_at_one_origin_keeps_its_error_and_names_the_origin():
    with pytest.raises(np.linalg.LinAlgError) as info:
        backtest(_Singular(), SERIES, horizon=2, n_paths=50, seed=1)
    assert any("backtest of Singular at origin 2017" in n for n in info.value.__notes__)


# --------------------------------------------------------------------------- summarize(by=...)
@pytest.fixture(scope="module")
def small_backtest():
    return backtest([forecast.Drift(), forecast.Naive()], SERIES, origins=[2018, 2019],
                    horizon=2, n_paths=50, seed=1)


def test_summarize_by_none_is_the_default_grouping(small_backtest):
    # by=None used to raise a raw TypeError ('NoneType' object is not iterable)
    pd.testing.assert_frame_equal(summarize(small_backtest, by=None),
                                  summarize(small_backtest))
    assert list(summarize(small_backtest, by=None).columns[:3]) == ["model", "target",
                                                                    "horizon"]
    assert len(summarize(small_backtest, by=())) == 1


@pytest.mark.parametrize("by", [5, {"model": 1}, {"model"}, ["model", 3], b"model"])
def test_summarize_by_of_a_wrong_type_names_by(small_backtest, by):
    with pytest.raises(ForecastTypeError, match=r"`by` must be a column name, a sequence of "
                                                r"them or None; got .*by=\(\) for one overall "
                                                r"row") as info:
        summarize(small_backtest, by=by)
    assert info.value.field == "by"


def test_summarize_by_takes_any_sequence_of_names(small_backtest):
    want = summarize(small_backtest, by=["model"])
    pd.testing.assert_frame_equal(summarize(small_backtest, by=pd.Index(["model"])), want)
    pd.testing.assert_frame_equal(summarize(small_backtest, by="model"), want)


# --------------------------------------------------------------------------- misspelt keywords
def _call(name):
    """A call of each public evaluation function with one misspelt keyword; the keyword is
    refused before any argument is read, so the other arguments can be None."""
    fit = forecast.Drift().fit(SERIES)
    sc = Scenario("s", [LevelShift(2026, Uniform(-0.2, 0.0), name="step")])
    ev = forecast.evaluation
    return {
        "backtest_markets": (lambda: ev.backtest_markets(horizn=2), "horizon"),
        "compare_markets": (lambda: ev.compare_markets(designs=("split",), spec=None,
                                                       n_path=10), "n_paths"),
        "leave_one_out_markets": (lambda: ev.leave_one_out_markets(currancy="USD"),
                                  "currency"),
        "tornado": (lambda: tornado(fit, sc, 2030, n_path=100), "n_paths"),
        "sobol": (lambda: sobol(fit, sc, 2030, n_bootstrp=0), "n_bootstrap"),
        "sobol_indices": (lambda: sobol_indices(lambda x: x[:, 0], {"a": (0, 1)}, sed=1),
                          "seed"),
        "summarize": (lambda: summarize(None, bye="model"), "by"),
        "published_truth": (lambda: published_truth(None, "US", "all", "offshore_execution",
                                                    currency="USD", FX=None), "fx"),
        "compare": (lambda: ev.compare([], SERIES, horizn=2), "horizon"),
        "backtest": (lambda: backtest(forecast.Drift(), SERIES, horizn=2), "horizon"),
    }[name]


@pytest.mark.parametrize("name", ["backtest_markets", "compare_markets",
                                  "leave_one_out_markets", "tornado", "sobol", "sobol_indices",
                                  "summarize", "published_truth", "compare", "backtest"])
def test_every_entry_point_names_a_misspelt_keyword_and_the_one_meant(name):
    call, meant = _call(name)
    with pytest.raises(ForecastTypeError, match=r"unexpected keyword argument `\w+` \(\w+=.*"
                                                rf"Did you mean '{meant}'\? Remove it or fix "
                                                r"its spelling\.") as info:
        call()
    key = re.search(r"`(\w+)`", str(info.value)).group(1)
    assert info.value.field == key
    assert key != meant
    assert isinstance(info.value, TypeError)


def test_checked_functions_keep_their_signature_and_docstring():
    import inspect

    from forecast.evaluation import backtest_markets, metrics

    assert "horizon" in inspect.signature(backtest_markets).parameters
    assert list(inspect.signature(metrics.mase).parameters) == ["actual", "predicted",
                                                                "insample", "m", "axis"]
    assert tornado.__doc__.startswith("One-at-a-time sensitivity")
    assert tornado.__name__ == "tornado"


def test_summarize_refuses_a_frame_without_a_metric_column(small_backtest):
    # used to be pandas' raw KeyError ("Label(s) ['crps'] do not exist")
    with pytest.raises(ForecastTypeError, match=r"`frame` must have every metric column of a "
                                                r"backtest\(\) frame; it lacks crps, pit\."):
        summarize(small_backtest.drop(columns=["crps", "pit"]))


def test_summarize_refuses_a_missing_metric_rather_than_averaging_fewer_rows(small_backtest):
    """pandas' mean skips NaN while `n` counts the row: a row silently dropped."""
    bt = small_backtest.copy()
    bt.loc[bt.index[2], "crps"] = np.nan
    with pytest.raises(ParameterError, match=r"`frame` column 'crps' must hold finite numbers; "
                                             r"got nan in row 2 \(index labels\)\. .*"
                                             r"frame\.dropna\(subset=\['crps'\]\)"):
        summarize(bt)
    # two backtests with different levels: the covered_ columns of one are blank in the other
    other = backtest(forecast.Drift(), SERIES, origins=[2018], horizon=1, n_paths=50, seed=1,
                     levels=(50,))
    with pytest.raises(ParameterError, match="summarize frames with the same levels separately"):
        summarize(pd.concat([small_backtest, other], ignore_index=True))
    assert summarize(bt.dropna(subset=["crps"]))["n"].sum() == len(bt) - 1
