"""Backtests: rolling origin, pseudo-real-time, compare, determinism across executors."""

from __future__ import annotations

import datetime
import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastTypeError, ParameterError
from forecast.evaluation import backtest, compare, metrics, published_truth, summarize
from forecast.evaluation._inputs import origin_label
from forecast.models import Naive
from forecast.records._filter import _as_of_end

YEARS = np.arange(2008, 2024)
VALUES = 10 * np.exp(0.1 * np.arange(16) + 0.03 * np.sin(np.arange(16) * 1.7))
SERIES = forecast.AnnualSeries(YEARS, VALUES, name="toy")


def test_naive_backtest_hand_checked():
    bt = backtest(Naive(), SERIES, origins=[2015, 2020], horizon=3, n_paths=400, seed=1)
    assert bt[["origin", "year", "horizon"]].values.tolist() == [
        [2015, 2016, 1], [2015, 2017, 2], [2015, 2018, 3],
        [2020, 2021, 1], [2020, 2022, 2], [2020, 2023, 3],
    ]
    assert (bt["model"] == "Naive").all()
    assert (bt["target"] == "series").all()
    row = bt.iloc[3]
    truth = VALUES[YEARS == 2021][0]
    last = VALUES[YEARS == 2020][0]
    assert row["truth"] == truth
    # a driftless random walk: the median is the last value, up to Monte Carlo error
    # (400 paths: the sample median's sd is about 1.25 sd / 20 of a one-year step)
    fit = Naive().fit(SERIES.window(end=2020))
    sd = float(np.diff(fit.forecast(1, levels=(80,))[["median", "upper_80"]], axis=1)[0, 0])
    assert row["median"] == pytest.approx(last, abs=4 * 1.25 * sd / 1.28 / 20)
    scale = np.mean(np.abs(np.diff(VALUES[YEARS <= 2020])))
    assert row["scaled_error"] == pytest.approx(abs(row["median"] - truth) / scale)
    assert row["ape"] == pytest.approx(100 * abs(row["median"] - truth) / truth)
    assert row["lower_80"] < row["median"] < row["upper_80"]
    assert row["lower_95"] < row["lower_80"]
    assert bool(row["covered_95"]) == (row["lower_95"] <= truth <= row["upper_95"])
    assert row["interval_score_80"] == pytest.approx(
        metrics.interval_score(truth, row["lower_80"], row["upper_80"], 80))
    assert 0 <= row["pit"] <= 1
    assert row["crps"] >= 0


def test_scores_of_a_forecast_without_spread_are_the_absolute_errors():
    """Drift on an exactly geometric history: every path is the line (to ~1e-9), so the
    CRPS is the absolute error of the median, in levels and in logs, the PIT is 0 or 1 by
    the side of the line the truth falls on, and an interval of zero width scores
    2 / alpha times the miss. The truths after the origin leave the line, above, below and
    above again."""
    years = np.arange(2008, 2024)
    line = 10 * 1.1 ** np.arange(16)
    values = line * np.where(years == 2019, 1.05, 1.0) * np.where(years == 2020, 0.9, 1.0) \
        * np.where(years == 2021, 1.2, 1.0)
    s = forecast.AnnualSeries(years, values, name="geometric")
    with pytest.warns(UserWarning, match="no variation"):
        bt = backtest(forecast.Drift(), s, origins=[2018], horizon=3, n_paths=50, seed=1)
    assert bt["year"].tolist() == [2019, 2020, 2021]
    truth, median = values[11:14], line[11:14]
    np.testing.assert_allclose(bt["truth"], truth, rtol=0)
    np.testing.assert_allclose(bt["median"], median, rtol=1e-9)
    miss = np.abs(median - truth)
    np.testing.assert_allclose(bt["crps"], miss, rtol=1e-7)
    np.testing.assert_allclose(bt["crps_log"], np.abs(np.log(median / truth)), rtol=1e-7)
    scale = np.mean(np.abs(np.diff(line[:11])))  # the training window's mean |change|
    np.testing.assert_allclose(bt["scaled_crps"], miss / scale, rtol=1e-7)
    np.testing.assert_allclose(bt["scaled_error"], miss / scale, rtol=1e-7)
    assert bt["pit"].tolist() == [1.0, 0.0, 1.0]  # truth above, below, above every path
    np.testing.assert_allclose(bt["interval_score_80"], miss * 2 / 0.2, rtol=1e-7)
    np.testing.assert_allclose(bt["interval_score_95"], miss * 2 / 0.05, rtol=1e-7)
    assert not bt["covered_95"].any()


def test_default_origins_and_truncated_horizon():
    bt = backtest(forecast.Drift(), SERIES, horizon=2, n_paths=100, seed=0)
    # at least 6 training years: first origin 2013; the last origin forecasts 1 year
    assert bt["origin"].min() == 2013
    assert bt["origin"].max() == 2022
    assert bt["year"].max() == 2023
    assert len(bt) == 2 * 9 + 1


def test_a_horizon_past_the_data_end_scores_the_years_with_a_truth_and_says_so(us_history):
    """The probe's case: one origin four years before the end and the default horizon 5
    raised "`horizon` must be at most 4", while default origins ran with horizon 5 and the
    records design scored what it could. Now every design scores the years with a truth
    and warns which horizons it reached."""
    s = forecast.AnnualSeries(range(2005, 2020), [10 * 1.07**i for i in range(15)])
    with pytest.warns(UserWarning, match=r"backtest scored horizons 1-4 only, not up to "
                                         r"horizon=5: no truth \(the data end in 2019\) lies "
                                         r"further ahead of any origin\. Pass a smaller "
                                         r"horizon or earlier origins\."):
        bt = backtest(forecast.Drift(), s, origins=[2015], n_paths=200, seed=1)
    assert bt[["origin", "year", "horizon"]].values.tolist() == [
        [2015, 2016, 1], [2015, 2017, 2], [2015, 2018, 3], [2015, 2019, 4]]
    assert bt.attrs == {"skipped": [], "unscored": []}
    with pytest.warns(UserWarning, match=r"scored horizons 1-3 only, not up to horizon=5"):
        t = compare([Naive()], us_history, origins=[2022], n_paths=50, seed=1)
    assert sorted(set(t["horizon"])) == [1, 2, 3]
    # an origin that reaches the horizon: the later one's shorter reach needs no word
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bt = backtest(Naive(), SERIES, origins=[2015, 2021], horizon=5, n_paths=50, seed=1)
    assert bt.groupby("origin")["horizon"].max().to_dict() == {2015: 5, 2021: 2}


def test_horizons_cut_by_the_shared_default_origins_name_the_model_that_cut_them():
    """compare(DampedTrend, Theta) on 2008-2023 stops at horizon 8 where Theta alone
    reaches 10: DampedTrend needs 8 training years and the models share the origins. The
    warning said only "no truth lies further ahead"; it now says which model moved the
    first origin and how far the others would reach without it."""
    with pytest.warns(UserWarning, match="scored horizons") as rec:
        t = compare([forecast.DampedTrend(), forecast.Theta()], SERIES, horizon=12,
                    n_paths=20, seed=1)
    assert t["horizon"].max() == 8
    said = [str(w.message) for w in rec if "scored horizons" in str(w.message)]
    assert said == [
        "backtest scored horizons 1-8 only, not up to horizon=12: no truth (the data end in "
        "2023) lies further ahead of any origin. The models share the origins, which start "
        "in 2015 to give DampedTrend the 8 training years it needs; without it they would "
        "start in 2013 and reach horizon 10. Pass a smaller horizon or earlier origins, or "
        "leave DampedTrend out."]
    # one model: no other could start earlier, so the reason stays the data's end
    with pytest.warns(UserWarning, match="scored horizons") as rec:
        backtest(forecast.DampedTrend(), SERIES, horizon=12, n_paths=20, seed=1)
    said = [str(w.message) for w in rec if "scored horizons" in str(w.message)]
    assert len(said) == 1
    assert said[0].endswith("lies further ahead of any origin. Pass a smaller horizon or "
                            "earlier origins."), said


@pytest.mark.parametrize("origin", [2023, 2030, np.int64(2024), 2023.0])
def test_a_rolling_origin_with_no_year_to_score_is_refused_naming_it_and_the_data_end(origin):
    with pytest.raises(ParameterError, match=rf"`origins` must be last training years in "
                                             rf"\[2008, 2022\]; got {int(origin)}: the data "
                                             rf"end in 2023, so no year forecast from "
                                             rf"{int(origin)} has a truth to score it\. Pass "
                                             rf"origins up to 2022\.") as info:
        backtest(Naive(), SERIES, origins=[2016, origin], horizon=1, n_paths=50)
    assert info.value.field == "origins"


def test_drift_beats_naive_on_a_trending_series_and_is_calibrated():
    bt = backtest([forecast.Drift(), Naive()], SERIES, origins=range(2014, 2022), horizon=2,
                  n_paths=1000, seed=3)
    summ = summarize(bt, by=("model", "horizon")).set_index(["model", "horizon"])
    for h in (1, 2):
        assert summ.loc[("Drift", h), "mase"] < 0.5 * summ.loc[("Naive", h), "mase"]
        assert summ.loc[("Drift", h), "crps"] < summ.loc[("Naive", h), "crps"]
    assert summ.loc["Drift", "coverage_95"].min() >= 0.75


def test_summarize_matches_metrics_module():
    bt = backtest(Naive(), SERIES, origins=[2014, 2016, 2018], horizon=2, n_paths=300, seed=2)
    s = summarize(bt, by=("model", "horizon"))
    h1 = bt[bt["horizon"] == 1]
    row = s[s["horizon"] == 1].iloc[0]
    assert row["n"] == 3
    assert row["mae"] == pytest.approx(metrics.mae(h1["truth"], h1["median"]))
    assert row["mape"] == pytest.approx(metrics.mape(h1["truth"], h1["median"]))
    assert row["smape"] == pytest.approx(metrics.smape(h1["truth"], h1["median"]))
    assert row["coverage_80"] == pytest.approx(
        metrics.coverage(h1["truth"], h1["lower_80"], h1["upper_80"]))
    # the probabilistic columns are the per-group means of the frame's rows
    for col, src in [("mase", "scaled_error"), ("crps", "crps"), ("scaled_crps", "scaled_crps"),
                     ("crps_log", "crps_log"), ("mean_pit", "pit"),
                     ("interval_score_95", "interval_score_95"), ("coverage_95", "covered_95")]:
        for h in (1, 2):
            rows = bt[bt["horizon"] == h]
            got = s.loc[s["horizon"] == h, col].item()
            assert got == pytest.approx(rows[src].astype(float).mean(), rel=1e-12), (col, h)


def test_executors_give_bit_identical_results():
    specs = [Naive(), forecast.Drift()]
    kw = {"origins": [2016, 2018, 2020], "horizon": 3, "n_paths": 200, "seed": 11}
    serial = backtest(specs, SERIES, **kw)
    with ThreadPoolExecutor(2) as ex:
        threads = backtest(specs, SERIES, executor=ex, **kw)
    with ProcessPoolExecutor(2) as ex:
        procs = backtest(specs, SERIES, executor=ex, **kw)
    # forkserver: Linux's default start method from Python 3.14 (nothing inherited)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as ex:
        served = backtest(specs, SERIES, executor=ex, **kw)
    pd.testing.assert_frame_equal(serial, threads, check_exact=True)
    pd.testing.assert_frame_equal(serial, procs, check_exact=True)
    pd.testing.assert_frame_equal(serial, served, check_exact=True)
    # a model's backtest alone equals its rows in a joint run (seeds per origin)
    alone = backtest(forecast.Drift(), SERIES, **kw)
    joint = serial[serial["model"] == "Drift"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, joint, check_exact=True)
    other = backtest(specs, SERIES, **{**kw, "seed": 12})
    assert not np.array_equal(other["median"], serial["median"])


def test_an_origins_draws_do_not_depend_on_the_other_origins():
    """A joint run of models with different minimum lengths starts at the later origin
    (documented); the origins both runs share keep their draws (they used to be seeded by
    position, so every later origin's draws changed)."""
    kw = {"horizon": 2, "n_paths": 200, "seed": 5}
    alone = backtest(forecast.Drift(), SERIES, **kw)
    joint = backtest([forecast.Drift(), forecast.DampedTrend()], SERIES, **kw)
    joint = joint[joint["model"] == "Drift"].reset_index(drop=True)
    assert joint["origin"].min() > alone["origin"].min()  # DampedTrend needs 8 years
    shared = alone[alone["origin"] >= joint["origin"].min()].reset_index(drop=True)
    pd.testing.assert_frame_equal(shared, joint, check_exact=True)
    # and an origin's rows are those of a run at that origin alone (pseudo-real time too)
    o = int(joint["origin"].iloc[0])
    one = backtest(forecast.Drift(), SERIES, origins=[o], **kw)
    last = joint[joint["origin"] == o].reset_index(drop=True)
    pd.testing.assert_frame_equal(one, last, check_exact=True)
    records = forecast.load_releases()
    two = backtest(forecast.Drift(), records, origins=["2019-06", "2021-06"], **kw)
    late = backtest(forecast.Drift(), records, origins=["2021-06"], **kw)
    pd.testing.assert_frame_equal(
        two[two["origin"] == "2021-06"].reset_index(drop=True), late, check_exact=True)


def test_compare_always_includes_benchmarks():
    t = compare([forecast.LogLinearTrend()], SERIES, origins=[2018, 2019], horizon=2,
                n_paths=100, seed=0)
    assert set(t["model"]) == {"Drift", "Naive", "LogLinearTrend"}
    assert sorted(t["horizon"].unique().tolist()) == [1, 2]
    with pytest.raises(ParameterError, match="unique"):
        compare([Naive(), Naive()], SERIES, origins=[2018], horizon=1, n_paths=50)


def test_models_that_share_a_name_are_labelled_by_their_calls():
    """Drift() and Drift(scale="level") sit side by side under their calls; each row set
    is that model's own backtest. compare() adds the default Drift() beside a Drift with
    other settings, so the benchmark is always there."""
    specs = [forecast.Drift(), forecast.Drift(scale="level"), Naive()]
    kw = {"origins": [2016, 2019], "horizon": 2, "n_paths": 200, "seed": 5}
    bt = backtest(specs, SERIES, **kw)
    assert list(dict.fromkeys(bt["model"])) == ["Drift()", "Drift(scale='level')", "Naive"]
    alone = backtest(forecast.Drift(scale="level"), SERIES, **kw)
    joint = bt[bt["model"] == "Drift(scale='level')"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.drop(columns="model"), joint.drop(columns="model"))
    assert not np.array_equal(joint["median"], bt[bt["model"] == "Drift()"]["median"])
    t = compare([forecast.Drift(scale="level")], SERIES, **kw)
    assert set(t["model"]) == {"Drift(scale='level')", "Naive", "Drift()"}
    with pytest.raises(ParameterError, match=r"Drift\(scale='level'\).*Drop the duplicate"):
        backtest([forecast.Drift(scale="level"), forecast.Drift(scale="level")], SERIES, **kw)


class Picky(Naive):
    """A spec needing 8 years, like DampedTrend (which fits more slowly)."""

    name = "Picky"
    min_length = 8


def test_too_short_training_is_skipped_with_a_warning():
    with pytest.warns(UserWarning, match="Picky at origin 2012"):
        bt = backtest([Picky(), Naive()], SERIES, origins=[2012, 2016], horizon=1,
                      n_paths=50, seed=0)
    assert bt.attrs["skipped"] == ["Picky at origin 2012: 5 years known, the model needs 8"]
    assert set(bt.loc[bt["origin"] == 2012, "model"]) == {"Naive"}
    assert set(bt.loc[bt["origin"] == 2016, "model"]) == {"Naive", "Picky"}


class _Refuses(Naive):
    """A model that cannot be fitted to one window (a ModelError, as ARIMA's can be)."""

    name = "Refuses"

    def fit(self, data, *, seed=None):
        if data.last_year == 2016:
            raise forecast.ModelError("Refuses cannot fit 2016's window.")
        return super().fit(data, seed=seed)


def test_a_model_error_at_one_origin_skips_that_pair_only():
    with pytest.warns(UserWarning, match="Refuses at origin 2016: Refuses cannot fit"):
        bt = backtest([_Refuses(), Naive()], SERIES, origins=[2015, 2016, 2017], horizon=1,
                      n_paths=50, seed=0)
    assert bt.attrs["skipped"] == ["Refuses at origin 2016: Refuses cannot fit 2016's "
                                   "window."]
    assert set(bt.loc[bt["origin"] == 2016, "model"]) == {"Naive"}
    assert set(bt.loc[bt["origin"] != 2016, "model"]) == {"Naive", "Refuses"}
    # the same seeds whether or not a pair was skipped: Naive's rows are unchanged
    alone = backtest(Naive(), SERIES, origins=[2015, 2016, 2017], horizon=1, n_paths=50,
                     seed=0)
    assert bt[bt["model"] == "Naive"].reset_index(drop=True)["median"].tolist() == \
        alone["median"].tolist()


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"data": [1.0, 2.0]}, ForecastTypeError, "AnnualSeries"),
        ({"spec": "Drift"}, ForecastTypeError, "model spec"),
        ({"spec": []}, ParameterError, "non-empty"),
        ({"horizon": 0}, ParameterError, "horizon"),
        ({"origins": [2030]}, ParameterError, "origins"),
        ({"executor": object()}, ForecastTypeError, "executor"),
        ({"levels": (0.8,)}, ParameterError, "Did you mean 80"),
    ],
)
def test_bad_arguments(kwargs, err, match):
    args = {"spec": Naive(), "data": SERIES, "origins": [2018], "horizon": 1, "n_paths": 50}
    args.update(kwargs)
    with pytest.raises(err, match=match):
        backtest(**args)


def test_published_truth_converts_cny(releases):
    pub = published_truth(releases, "US", "all", "offshore_execution", "USD")
    assert pub[2024] == pytest.approx(31.59)
    assert pub[2009] == pytest.approx(2.81)
    fx = forecast.load_exchange_rates().for_period(releases, 2020)
    assert pub[2020] == pytest.approx(155.06 / fx.rate)


def test_pseudo_real_time_backtest(releases):
    bt = backtest(Naive(), releases, origins=["2021-06"], horizon=2, n_paths=200, seed=1)
    # the History is rebuilt inside the worker: process pools work and agree bit for bit
    with ProcessPoolExecutor(1) as ex:
        par = backtest(Naive(), releases, origins=["2021-06"], horizon=2, n_paths=200, seed=1,
                       executor=ex)
    pd.testing.assert_frame_equal(bt, par, check_exact=True)
    assert set(bt["target"]) == {"latest", "published"}
    latest = bt[bt["target"] == "latest"]
    # records published by June 2021 run to the partial year 2021: forecasts 2022-2023
    assert latest["year"].tolist() == [2022, 2023]
    assert latest["horizon"].tolist() == [1, 2]
    pub = bt[bt["target"] == "published"]
    assert set(pub["year"]) <= {2022, 2023}
    assert (pub["truth"] != latest["truth"].iloc[: len(pub)].to_numpy()).all()


def test_everything_after_the_data_is_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        backtest(Naive(), SERIES, [2015])  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional"):
        compare([Naive()], SERIES, [2015])  # type: ignore[misc]


# --------------------------------------------------------------------------- origin labels
@pytest.mark.parametrize(("origin", "label"), [
    ("2019-06", "2019-06"),
    ("2019-6", "2019-06"),
    (" 2019-06-30 ", "2019-06"),
    ("2019-06-15", "2019-06-15"),
    ("2019", "2019-12"),
    (2019, "2019-12"),
    (np.int64(2019), "2019-12"),
    ("2019-12", "2019-12"),
    (datetime.date(2019, 6, 30), "2019-06"),
    (datetime.date(2019, 6, 15), "2019-06-15"),
    (datetime.datetime(2019, 6, 30, 18, 5), "2019-06"),
    (pd.Timestamp("2019-06-30"), "2019-06"),
    (pd.Timestamp("2019-06-30 23:00", tz="Asia/Shanghai"), "2019-06"),
    (np.datetime64("2019-06-30"), "2019-06"),
    (pd.Period("2019-06", "M"), "2019-06"),
    (pd.Period("2019Q2"), "2019-06"),
    (pd.Period("2019", "Y"), "2019-12"),
    (pd.Period("2019-06-15", "D"), "2019-06-15"),
])
def test_a_pseudo_real_time_origin_has_one_label_however_it_is_written(origin, label):
    assert origin_label(origin) == label
    # the label names the origin's cut-off: Records.filter(as_of=...) reads both the same
    as_of = origin.end_time if isinstance(origin, pd.Period) else origin
    assert _as_of_end(label) == _as_of_end(as_of)


@pytest.mark.parametrize(("origin", "error", "match"), [
    (2019.0, ForecastTypeError, r"must be dates or years; got 2019\.0 \(float\)"),
    (None, ForecastTypeError, r"must be dates or years; got None"),
    (True, ForecastTypeError, r"must be dates or years; got True"),
    ("2019-13", ParameterError, r"'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' text .*got '2019-13'"),
    ("June 2019", ParameterError, r"got 'June 2019'"),
    (1800, ParameterError, r"`origins` must be years in \[1900, 2200\] or dates; got 1800"),
    (pd.NaT, ParameterError, r"`origins` must be dates; got NaT"),
])
def test_a_bad_pseudo_real_time_origin_names_origins(releases, origin, error, match):
    with pytest.raises(error, match=match) as info:
        backtest(Naive(), releases, origins=[origin], horizon=1, n_paths=50, seed=1)
    assert info.value.field == "origins"
    assert "pd.Timestamp or pd.Period" in str(info.value)


def test_dates_timestamps_and_periods_are_pseudo_real_time_origins(releases):
    # they used to be refused, although Records.filter(as_of=...) takes dates and Timestamps
    kw = {"horizon": 1, "n_paths": 50, "seed": 4}
    text = backtest(Naive(), releases, origins=["2019-06", "2021-06-15", "2020"], **kw)
    typed = backtest(Naive(), releases, origins=[pd.Timestamp("2019-06-30"),
                                                 datetime.date(2021, 6, 15),
                                                 pd.Period("2020", "Y")], **kw)
    pd.testing.assert_frame_equal(typed, text, check_exact=True)
    assert list(dict.fromkeys(text["origin"])) == ["2019-06", "2021-06-15", "2020-12"]
    # a single date is one origin, as a single string is
    one = backtest(Naive(), releases, origins=pd.Period("2019-06", "M"), **kw)
    pd.testing.assert_frame_equal(one, text[text["origin"] == "2019-06"], check_exact=True)


def test_spellings_of_one_cut_off_are_one_origin(releases):
    kw = {"horizon": 1, "n_paths": 50, "seed": 4}
    mixed = backtest(Naive(), releases, origins=["2019-6", "2019-06", "2019", 2019,
                                                 "2019-12-31"], **kw)
    assert list(dict.fromkeys(mixed["origin"])) == ["2019-06", "2019-12"]
    plain = backtest(Naive(), releases, origins=["2019-06", "2019-12"], **kw)
    pd.testing.assert_frame_equal(mixed, plain, check_exact=True)


def test_pseudo_real_time_converts_with_the_rates_known_at_the_origin():
    """The 2017 annual average (published in 2018) converted the January-May 2017 CNY
    figures at origin 2017-06; now rates published after an origin cannot move it."""
    import dataclasses

    fx = forecast.load_exchange_rates()
    frame = fx.frame
    later = frame["year"] >= 2017
    frame.loc[later, "cny_per_usd"] = frame.loc[later, "cny_per_usd"] * 1.5
    edited = dataclasses.replace(fx, _frame=frame[list(fx.frame.columns)])
    records = forecast.load_releases()
    kw = {"origins": ["2017-06"], "horizon": 2, "n_paths": 200, "seed": 3}
    a = backtest(forecast.Drift(), records, fx=fx, **kw)
    b = backtest(forecast.Drift(), records, fx=edited, **kw)
    cols = ["origin", "horizon", "median", "lower_80", "upper_80"]
    pd.testing.assert_frame_equal(a.loc[a["target"] == "latest", cols].reset_index(drop=True),
                                  b.loc[b["target"] == "latest", cols].reset_index(drop=True),
                                  check_exact=True)
