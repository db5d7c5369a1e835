"""forecast.fit_many: the same fits as spec.fit, one batch per length of series."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import (
    ARIMA,
    Auto,
    DampedTrend,
    Drift,
    ForecastTypeError,
    LocalLinearTrend,
    ModelError,
    ParameterError,
    Theta,
    fit_many,
)
from forecast.models import ModelSpec, filtered
from forecast.series import AnnualSeries


def _series(n_each=(5, 9, 9, 12, 12, 12, 20), seed=3):
    """Series of several lengths and shapes: growth, decline, a level, noise."""
    rng = np.random.default_rng(seed)
    out = []
    for k, n in enumerate(n_each):
        growth = rng.normal([0.08, -0.03, 0.0, 0.15][k % 4], 0.06, n)
        out.append(AnnualSeries(np.arange(2025 - n, 2025), 50 * np.exp(np.cumsum(growth)),
                                name=f"s{k}"))
    return out


def _same(a, b):
    fa, fb = a.forecast(6, levels=(80, 95)), b.forecast(6, levels=(80, 95))
    np.testing.assert_allclose(fa.to_numpy(), fb.to_numpy(), rtol=1e-9)
    assert a.params.keys() == b.params.keys()
    np.testing.assert_allclose(list(a.params.values()), list(b.params.values()), rtol=1e-8,
                               atol=1e-12)
    assert a.notes == b.notes
    assert (a.series.years == b.series.years).all()


@pytest.mark.parametrize("spec", [Auto(), Theta(), LocalLinearTrend(), Drift(),
                                  DampedTrend(), ARIMA(), ARIMA(order=(1, 0)),
                                  Auto(method="select", families=("Drift", "DampedTrend"))],
                         ids=lambda s: s.name)
def test_each_fit_is_the_fit_of_its_series(spec):
    series = [s for s in _series() if len(s) >= spec.min_length]
    fits = fit_many(spec, series)
    assert len(fits) == len(series)
    for s, f in zip(series, fits, strict=True):
        _same(spec.fit(s), f)


def test_too_short_series_raise_or_are_returned():
    series = _series()
    with pytest.raises(ModelError, match=r"series\[0\] \(s0\): DampedTrend needs .* 8 years"):
        fit_many(DampedTrend(), series)
    out = fit_many(DampedTrend(), series, errors="return")
    assert isinstance(out[0], ModelError)
    assert all(isinstance(f, forecast.Fit) for f in out[1:])
    # Auto skips the family that is too short and says so, as fit does
    auto = fit_many(Auto(families=("Drift", "DampedTrend")), series)
    assert any("skipped DampedTrend: needs 8 years, got 5" in n for n in auto[0].notes)


def test_a_batch_that_fails_falls_back_to_each_series(monkeypatch):
    real = filtered.fit_llt
    calls = []

    def fails_in_batches(Y, *a, **k):
        calls.append(Y.shape[0])
        if Y.shape[0] > 1:
            raise np.linalg.LinAlgError("singular in the batch")
        return real(Y, *a, **k)

    monkeypatch.setattr(filtered, "fit_llt", fails_in_batches)
    series = _series((12, 12, 12))
    fits = fit_many(LocalLinearTrend(), series)
    assert calls == [3, 1, 1, 1]  # one batch, then each series on its own
    calls.clear()
    pooled = fit_many(Auto(), series)  # the same inside Auto, member by member
    assert calls == [3, 1, 1, 1]
    monkeypatch.setattr(filtered, "fit_llt", real)
    for s, f, g in zip(series, fits, pooled, strict=True):
        _same(LocalLinearTrend().fit(s), f)
        _same(Auto().fit(s), g)


@dataclass(frozen=True)
class _Mean(ModelSpec):
    """An outside family (batch_rows False): fitted series by series."""

    min_length = 3

    def estimate_batch(self, Y):
        return Drift(scale=self.scale).estimate_batch(Y)


def test_outside_families_are_fitted_one_by_one():
    series = _series((9, 9))
    for s, f in zip(series, fit_many(_Mean(), series), strict=True):
        _same(_Mean().fit(s), f)
    assert not _Mean.batch_rows
    assert ARIMA(order=(1, 1)).batch_rows
    assert not ARIMA().batch_rows


@pytest.mark.parametrize(("args", "kwargs", "error", "needle"), [
    (("Auto", []), {}, ForecastTypeError, "`spec` must be a model spec"),
    ((Auto(), "s"), {}, ForecastTypeError, "`series` must be a list of AnnualSeries; got str"),
    ((Auto(), [[1, 2, 3]]), {}, ForecastTypeError, r"`series\[0\]` must be an AnnualSeries"),
    ((Auto(), []), {"errors": "ignore"}, ParameterError, "`errors`"),
])
def test_bad_arguments(args, kwargs, error, needle):
    with pytest.raises(error, match=needle):
        fit_many(*args, **kwargs)


def test_pandas_input_is_refused_with_the_conversion_that_works():
    wide = pd.DataFrame({"a": [1.0, 1.1, 1.3, 1.4, 1.6], "b": [2.0, 2.1, 2.4, 2.5, np.nan]},
                        index=range(2019, 2024))
    with pytest.raises(ForecastTypeError, match="got DataFrame") as info:
        fit_many(Auto(), wide)
    assert ("[AnnualSeries.from_pandas(df[c].dropna(), unit='USD_bn', name=c) for c in "
            "df.columns]") in str(info.value)
    df = wide  # the hint's code, as written there
    fits = fit_many(Drift(), [AnnualSeries.from_pandas(df[c].dropna(), unit='USD_bn', name=c)
                              for c in df.columns])
    assert [f.series.name for f in fits] == ["a", "b"]
    assert fits[1].last_year == 2022
    with pytest.raises(ForecastTypeError, match=r"got Series\. Convert it with "
                                                r"AnnualSeries\.from_pandas"):
        fit_many(Auto(), [wide["a"]])


def test_no_series_no_fits():
    assert fit_many(Auto(), []) == []


def test_arima_batch_with_exactly_linear_rows_keeps_each_rows_fit():
    """An exactly linear row (constant here) is fitted as ARIMA(0,1,0) with drift, the
    others by exact ML, and every row keeps its own estimate in a mixed batch."""
    rng = np.random.default_rng(4)
    noisy = [AnnualSeries(np.arange(2000, 2014),
                          10 * np.exp(np.cumsum(rng.normal(0.05, 0.1, 14)))) for _ in range(2)]
    flat = AnnualSeries(np.arange(2000, 2014), np.full(14, 7.0))
    spec = ARIMA(order=(1, 0), scale="log")
    with pytest.warns(UserWarning, match="no variation"):  # the flat row, only
        fits = fit_many(spec, [noisy[0], flat, noisy[1]])
    for s, f in zip([noisy[0], flat, noisy[1]], fits, strict=True):
        with warnings.catch_warnings():  # the flat row's, said above
            warnings.filterwarnings("ignore", ".*no variation", UserWarning)
            alone = spec.fit(s)
        assert f.params == pytest.approx(alone.params)
    assert fits[1].params["ar1"] == 0.0
    assert fits[1].params["drift"] == 0.0
    band = fits[1].forecast(5, levels=(95,))
    np.testing.assert_allclose(band[["lower_95", "upper_95"]], 7.0, rtol=1e-6)
    assert fits[0].params["ar1"] != 0.0
