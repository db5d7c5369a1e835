"""Bad inputs of the series, history and models stages (models: public API only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from cases import case

import forecast
from forecast import AnnualSeries, History
from forecast.errors import (
    DataError,
    ForecastTypeError,
    ModelError,
    OutputError,
    ParameterError,
    SeriesError,
)


def _s(years, values, **kw):
    return lambda w, p, mp: AnnualSeries(years, values, **kw)


SERIES = {
    "years-huge": (([10**15, 10**15 + 1], [1.0, 2.0]), SeriesError,
                   ("`years`", "1000000000000000")),
    "years-negative": (([-5, -4], [1.0, 2.0]), SeriesError, ("`years`", "-5")),
    "years-index": (([0, 1, 2], [1.0, 2.0, 3.0]), SeriesError, ("`years`", "got 0")),
    "years-gap": (([2015, 2017], [1.0, 2.0]), SeriesError, ("gap", "2016")),
    "years-duplicate": (([2015, 2015], [1.0, 2.0]), SeriesError, ("`years`", "2015")),
    "years-fraction": (([2015.5, 2016.5], [1.0, 2.0]), SeriesError, ("`years`", "2015.5")),
    "value-zero": (([2015, 2016], [1.0, 0.0]), SeriesError, ("0.0", "2016")),
    "value-negative": (([2015, 2016], [-1.0, 2.0]), SeriesError, ("-1.0", "2015")),
    "value-nan": (([2015, 2016], [1.0, np.nan]), SeriesError, ("nan", "2016")),
    "value-inf": (([2015, 2016], [np.inf, 1.0]), SeriesError, ("inf", "2015")),
    "value-text": (([2015, 2016], ["a", "b"]), SeriesError, ("values", "'a'")),
    # float() reads full-width digits; a CSV file's are refused, and so are these
    "value-fullwidth-text": (([2015, 2016], ["１", "2"]), SeriesError,
                             ("values", "'１'", "full-width", "plain ASCII digits")),
    "value-decimal-comma": (([2015, 2016], ["1,5", "2"]), SeriesError,
                            ("values", "'1,5'", "decimal point: 1.5")),
    "lengths": (([2015, 2016, 2017], [1.0, 2.0]), SeriesError, ("same length", "3 years")),
    "two-dimensional": (([[2015, 2016]], [[1.0, 2.0]]), SeriesError, ("one-dimensional",
                                                                      "(1, 2)")),
    "empty": (([], []), SeriesError, ("at least one year", "none")),
}
for _id, ((_y, _v), _err, _needles) in SERIES.items():
    case("series", _id, _err, *_needles)(_s(_y, _v))


@case("series", "unit-empty", ForecastTypeError, "`unit`", "''")
def _(w, p, mp):
    AnnualSeries([2015, 2016], [1.0, 2.0], unit="")


@case("series", "name-not-text", ForecastTypeError, "`name`", "5")
def _(w, p, mp):
    AnnualSeries([2015, 2016], [1.0, 2.0], name=5)


@case("series", "from-pandas-int", ForecastTypeError, "from_pandas", "int")
def _(w, p, mp):
    AnnualSeries.from_pandas(42)


@case("series", "from-pandas-monthly", SeriesError, "annual", "freq='M")
def _(w, p, mp):
    AnnualSeries.from_pandas(pd.Series([1.0, 2.0], index=pd.period_range("2020-01", periods=2,
                                                                          freq="M")),
                             unit="USD_bn")


@case("series", "from-pandas-missing-value", SeriesError, "missing value", "2021")
def _(w, p, mp):
    AnnualSeries.from_pandas(pd.Series([1.0, np.nan], index=[2020, 2021]), unit="USD_bn")


@case("series", "from-pandas-no-unit", ParameterError, "unit", "never guessed")
def _(w, p, mp):
    AnnualSeries.from_pandas(pd.Series([1.0, 2.0], index=[2020, 2021]))


def _csv(text: str):
    def setup(w, folder):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "s.csv").write_text(text, encoding="utf-8")
        return folder / "s.csv"

    return setup


@case("series", "csv-no-column", DataError, "no column 'value'", "'level'",
      setup=_csv("year,level\n2015,1\n"))
def _(w, p, mp):
    AnnualSeries.from_csv(p)


@case("series", "csv-underscore-value", DataError, "'value'", "'1_000'", "not a number",
      setup=_csv("year,value\n2015,1_000\n2016,2\n"))
def _(w, p, mp):
    AnnualSeries.from_csv(p)


@case("series", "csv-fullwidth-year", DataError, "'year'", "'２０１５'", "not a number",
      setup=_csv("year,value\n２０１５,1\n2016,2\n"))
def _(w, p, mp):
    AnnualSeries.from_csv(p)


@case("series", "csv-empty", DataError, "s.csv", "cannot read", setup=_csv(""))
def _(w, p, mp):
    AnnualSeries.from_csv(p)


@case("series", "to-csv-through-link", OutputError, "link.csv", "symbolic link")
def _(w, p, mp):
    w.series.to_csv(w.root / "link.csv")


@case("series", "to-csv-over-user-file", OutputError, "series file", "precious.csv",
      "was not written by forecast (it lacks the header line year,value,unit)", "force=True")
def _(w, p, mp):
    w.series.to_csv(w.root / "precious.csv")


@case("series", "to-csv-force-not-a-flag", ForecastTypeError, "`force`", "'yes'")
def _(w, p, mp):
    w.series.to_csv(w.root / "new.csv", force="yes")


@case("series", "window-outside", SeriesError, "window [1990, 1995]", "2012-2024")
def _(w, p, mp):
    w.series.window(1990, 1995)


# ----------------------------------------------------------------------------- history
@case("history", "start-before-records", ParameterError, "`start`", "1990", ">= 2006")
def _(w, p, mp):
    forecast.reconstruct(start=1990)


@case("history", "end-after-records", ParameterError, "`end`", "2060", "<= 2028")
def _(w, p, mp):
    forecast.reconstruct(end=2060)


@case("history", "start-after-end", ParameterError, "`start`", "start=2020", "end=2015")
def _(w, p, mp):
    forecast.reconstruct(start=2020, end=2015)


@case("history", "unknown-market", ParameterError, "`market`", "'XX'")
def _(w, p, mp):
    forecast.reconstruct(market="XX")


@case("history", "market-not-text", ForecastTypeError, "`market`", "5")
def _(w, p, mp):
    forecast.reconstruct(market=5)


@case("history", "currency", ParameterError, "`currency`", "'EUR'")
def _(w, p, mp):
    forecast.reconstruct(currency="EUR")


@case("history", "flow", ParameterError, "`flow`", "'exports'")
def _(w, p, mp):
    forecast.reconstruct(flow="exports")


@case("history", "records-not-records", ForecastTypeError, "`records`", "int")
def _(w, p, mp):
    forecast.reconstruct(42)


@case("history", "params-keys", ForecastTypeError, "`params`", "{'a': 1}")
def _(w, p, mp):
    forecast.reconstruct(params={"a": 1})


@case("history", "years-not-calendar", ParameterError, "History `years`", "[1, 2]")
def _(w, p, mp):
    History([1, 2], [1.0, 1.1], [0.1, 0.1])


@case("history", "years-gap", ParameterError, "History `years`", "[2020, 2022]")
def _(w, p, mp):
    History([2020, 2022], [1.0, 1.1], [0.1, 0.1])


@case("history", "sd-negative", ParameterError, "`log_sd`", "-0.1", "2021")
def _(w, p, mp):
    History([2020, 2021], [1.0, 1.1], [0.1, -0.1])


@case("history", "mean-length", ParameterError, "`log_mean`", "one value per year (2)", "got 1")
def _(w, p, mp):
    History([2020, 2021], [1.0], [0.1, 0.1])


@case("history", "mean-huge", ParameterError, "`log_mean`", "1000000000.0", "2020")
def _(w, p, mp):
    History([2020, 2021], [1e9, 1.0], [0.1, 0.1])


@case("history", "mean-text", ForecastTypeError, "`log_mean`", "str")
def _(w, p, mp):
    History([2020, 2021], "abc", [0.1, 0.1])


@case("history", "evidence-length", ParameterError, "`evidence`", "got 1")
def _(w, p, mp):
    History([2020, 2021], [1.0, 1.1], [0.1, 0.1], evidence=("x",))


@case("history", "currency-unit", ParameterError, "`unit`", "currency='CNY'")
def _(w, p, mp):
    History([2020], [1.0], [0.1], currency="CNY")


@case("history", "interval-fraction", ParameterError, "`level`", "0.8", "Did you mean 80")
def _(w, p, mp):
    w.history.interval(0.8)


@case("history", "draws-zero", ParameterError, "`n`", "got 0")
def _(w, p, mp):
    w.history.draws(0)


# ----------------------------------------------------------------------------- models
@case("models", "fit-not-series", ForecastTypeError, "Drift.fit", "int")
def _(w, p, mp):
    forecast.Drift().fit(42)


@case("models", "fit-too-short", ModelError, "Drift", "2020-2021")
def _(w, p, mp):
    forecast.Drift().fit(AnnualSeries([2020, 2021], [1.0, 2.0]))


@case("models", "arima-three-orders", ForecastTypeError, "`order`", "(1, 2, 3)")
def _(w, p, mp):
    forecast.ARIMA(order=(1, 2, 3))


@case("models", "arima-order-too-high", ParameterError, "`order[0]`", "9", "Pass")
def _(w, p, mp):
    forecast.ARIMA(order=(9, 1))


@case("models", "imputations-zero", ParameterError, "`imputations`", "0")
def _(w, p, mp):
    forecast.Drift(imputations=0)


@case("models", "param-uncertainty-text", ForecastTypeError, "`param_uncertainty`", "'yes'")
def _(w, p, mp):
    forecast.Drift(param_uncertainty="yes")


@case("models", "auto-unknown-family", ParameterError, "`families`", "'Nope'")
def _(w, p, mp):
    forecast.Auto(families=("Nope",))


@case("models", "simulate-h-zero", ParameterError, "`h`", "0")
def _(w, p, mp):
    w.fit.simulate(0, 10)


@case("models", "simulate-paths-zero", ParameterError, "`n_paths`", "0")
def _(w, p, mp):
    w.fit.simulate(5, 0)


@case("models", "simulate-seed-negative", ParameterError, "`seed`", "-1")
def _(w, p, mp):
    w.fit.simulate(5, 10, seed=-1)


@case("models", "simulate-seed-text", ForecastTypeError, "`seed`", "'abc'")
def _(w, p, mp):
    w.fit.simulate(5, 10, seed="abc")


@case("models", "simulate-innovations-shape", ParameterError, "`innovations`", "(3, 3)")
def _(w, p, mp):
    w.fit.simulate(5, 10, innovations=np.zeros((3, 3)))


@case("models", "simulate-innovations-nan", ParameterError, "`innovations`", "NaN")
def _(w, p, mp):
    w.fit.simulate(5, 2, innovations=np.full((2, 5), np.nan))


@case("models", "forecast-level-fraction", ParameterError, "`levels`", "0.8",
      "Did you mean 80")
def _(w, p, mp):
    w.fit.forecast(5, levels=(0.8,))


@case("models", "point-forecast-zero", ParameterError, "`h`", "0")
def _(w, p, mp):
    w.fit.point_forecast(0)
