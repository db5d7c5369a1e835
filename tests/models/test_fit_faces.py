"""What a notebook user sees of a Fit: its repr, and the checks on its arguments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.errors import ForecastTypeError, ModelError
from forecast.models.linear import Linear
from forecast.series import AnnualSeries

SPECS = [forecast.Naive(), forecast.Drift(), forecast.DampedTrend(), forecast.Theta(),
         forecast.ARIMA(), forecast.LocalLinearTrend(), forecast.LogLinearTrend(),
         forecast.Auto()]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_fit_repr_is_one_short_line(spec, series):
    """No series arrays, residuals or members dumped: one line naming model and data."""
    fit = spec.fit(series)
    text = repr(fit)
    assert "\n" not in text
    assert "array(" not in text
    assert len(text) < 200, text
    assert text.startswith(f"Fit({fit.name}, 'fixture (not data)' 2009-2024 USD_bn, ")


def test_fit_repr_on_history_counts_members(series, fake_history):
    fit = forecast.Drift(imputations=5).fit(fake_history, seed=1)
    assert ", 5 members, drift=" in repr(fit)


def test_forecast_log_must_be_a_bool(series):
    fit = forecast.Drift().fit(series)
    with pytest.raises(ForecastTypeError, match=r"`log` must be True or False; got 'yes'"):
        fit.forecast(3, log="yes")
    assert fit.forecast(2, log=np.True_)["median"].lt(10).all()  # log levels


@pytest.mark.parametrize(("spec", "years", "hint"), [
    (forecast.Naive(), 1, "no model can be fitted to fewer than 2 years"),
    (forecast.Drift(), 1, "even the simplest model, Naive, needs 2 years"),
    (forecast.Drift(), 2, "Naive() (2 years; --model naive)"),
    (forecast.Auto(), 2, "Naive() (2 years; --model naive)"),
    (forecast.DampedTrend(), 2, "Naive() (2 years; --model naive)"),
    (forecast.DampedTrend(), 3, "Drift() (3 years; --model drift on the command line)"),
])
def test_too_short_series_suggests_a_model_that_fits(spec, years, hint):
    """Drift must not suggest Drift, nor Naive for one year: each spec points at one that
    needs fewer years and that the series given is long enough for (followed, the advice
    fits)."""
    short = AnnualSeries(range(2025 - years, 2025), [1.0 + k for k in range(years)])
    with pytest.raises(ModelError) as err:
        spec.fit(short)
    assert hint in str(err.value)
    if spec.min_length <= 3:
        assert "Drift() (3 years" not in str(err.value)
    suggested = {"Naive()": forecast.Naive(), "Drift()": forecast.Drift()}
    for text, other in suggested.items():
        if text in str(err.value):
            other.fit(short, seed=1)  # the advice works


#: a series spanning 300 orders of magnitude: on the level scale its working values (over
#: its geometric mean, 1) reach 1e150, whose variances overflow float64 in any family
WIDE = AnnualSeries(range(2010, 2020), np.logspace(-150, 150, 10))


@pytest.mark.parametrize("spec", [forecast.Drift(), forecast.Naive(), forecast.Theta()],
                         ids=lambda s: s.name)
def test_a_series_too_wide_for_its_scale_is_blamed_on_its_range_not_the_family(spec):
    """Working values near 1e150 overflow the variances: the advice is the log scale (a
    smaller unit changes nothing: the models work on the series over its geometric
    mean), not another family."""
    with pytest.raises(ModelError) as err:
        type(spec)(scale="level").fit(WIDE)
    text = str(err.value)
    assert text.startswith(f"{spec.name} cannot be estimated on this series. ")
    assert "spans too wide a range for floating-point arithmetic on its working scale " \
        "(up to 1e+150 relative to its geometric mean" in text
    assert 'pass scale="log"' in text
    assert "Drift()" not in text
    assert "Naive()" not in text
    # the advice holds: on the log scale the same series fits
    assert type(spec)(scale="log").fit(WIDE).name == spec.name


@pytest.mark.parametrize("spec", [forecast.Drift(), forecast.Naive(), forecast.Theta()],
                         ids=lambda s: s.name)
def test_a_constant_series_near_1e300_fits_as_one_near_1(spec):
    """1e300 (once refused as too large for float64) is 1 times 1e300: the same fit."""
    with pytest.warns(UserWarning, match="no variation"):  # constant: no width
        big = spec.fit(AnnualSeries(range(2010, 2020), [1e300] * 10)).forecast(3)
    np.testing.assert_allclose(big.drop(columns="year").to_numpy(), 1e300, rtol=1e-6)


def test_levels_near_1e300_fit_without_numpy_warnings():
    """Growing levels near 1e300: lambda is chosen without overflow (the profile's
    variances of changes near 1e300 had raised numpy's "overflow encountered in
    square"), and the forecast is 1e300 times that of the same values near 1 (they were
    refused with the advice to rescale)."""
    values = np.array([1.0, 1.1, 1.2, 1.35, 1.4, 1.6])
    huge = AnnualSeries(range(2010, 2016), values * 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lam = forecast.models.scale.choose(huge.values)
        assert lam == pytest.approx(forecast.models.scale.choose(values), abs=1e-9)
        f = forecast.Auto().fit(huge).forecast(5)
        g = forecast.Auto().fit(AnnualSeries(range(2010, 2016), values)).forecast(5)
    cols = ["mean", "median", "lower_80", "upper_80", "lower_95", "upper_95"]
    np.testing.assert_allclose(f[cols].to_numpy(), g[cols].to_numpy() * 1e300, rtol=1e-7)


class _Broken(forecast.Drift):
    """A family whose estimates are never finite (on ordinary data)."""

    def estimate_batch(self, Y):
        return [e._replace(rep=Linear.random_walk(np.nan, 1.0))
                for e in super().estimate_batch(Y)]


class _Raising(forecast.Theta):
    """A family whose estimator fails (on ordinary data)."""

    def estimate_batch(self, Y):
        raise ValueError("singular")


def test_failed_estimation_never_suggests_the_failing_family(series):
    """Drift suggests Naive(), Naive the data, any other family Drift()."""
    cases = [(forecast.Drift(), "Try the simpler Naive()."),
             (forecast.Naive(), "Naive is the simplest model: check the series"),
             (forecast.Theta(), "Try a simpler model such as Drift().")]
    for spec, hint in cases:
        advice = spec._failure_advice(np.log(series.values)[None, :])
        assert advice.startswith(hint), advice
        assert f"{spec.name}()" not in advice
    with pytest.raises(ModelError, match=r"non-finite estimates on this series\. Try a "
                       r"simpler model such as Drift\(\)\.$"):
        _Broken().fit(series)  # named _Broken: Drift is another family
    with pytest.raises(ModelError, match=r"\(ValueError: singular\)\. Try a simpler model "
                       r"such as Drift\(\)\.$"):
        _Raising().fit(series)
    short = AnnualSeries([2020, 2021], [1.0, 2.0])
    assert forecast.Theta()._failure_advice(np.log(short.values)[None, :]) == (
        "Try the simpler Naive().")  # Drift needs 3 years


def test_combination_repr_shows_weights_not_a_nan_aicc(series):
    text = repr(forecast.Auto().fit(series))
    assert "weight.Drift=0.333" in text
    assert "nan" not in text


def test_a_combinations_summary_says_why_it_has_no_aicc_and_aligns_the_estimates():
    import re

    s = forecast.AnnualSeries(range(2010, 2025), [10 * 1.07**i for i in range(15)])
    text = forecast.Auto().fit(s).summary()
    assert "AICc: none for a combination" in text
    assert "nan" not in text
    rows = [re.fullmatch(r"  (\S+)(\s+)(-?\S+)", line)
            for line in text.splitlines() if line.startswith("  ")]
    assert len(rows) >= 6
    # the sign column of every value is the same (" .6g" pads a positive value)
    assert len({m.end(2) - (m.group(3).startswith("-") is False) for m in rows}) == 1


def test_a_forecast_whose_quantiles_reach_the_floor_says_so():
    """A local linear trend on a near-level scale (lambda 0.47) after a 40% fall had its
    median at the censoring floor, a millionth of the smallest observation, and
    Fit.forecast said nothing (only project warned): it reads like a forecast of 1e-4."""
    rng = np.random.default_rng(1)
    y = 100 * np.exp(np.cumsum(0.03 + 0.02 * rng.standard_normal(20)))
    y[-1] *= 0.6
    fit = forecast.LocalLinearTrend().fit(AnnualSeries(range(2005, 2025), y))
    assert 0 < fit.lam < 1
    with pytest.warns(UserWarning, match="are the floor") as caught:
        frame = fit.forecast(6)
    floor = np.exp(fit.floor_log)
    first_lower = int(frame.loc[np.isclose(frame["lower_95"], floor), "year"].min())
    first_median = int(frame.loc[np.isclose(frame["median"], floor), "year"].min())
    assert first_lower < first_median  # the lower bound goes first, then the median
    message = " ".join(str(w.message) for w in caught)
    assert (f"LocalLinearTrend.forecast: the lower_95 from {first_lower} "
            f"(h = {first_lower - 2024}) and the median from {first_median} "
            f"(h = {first_median - 2024}) are the floor") in message
    share = fit.censored_share(first_lower - 2024)[-1]
    assert f"{100 * share:.1f}% of the forecast distribution has no positive level in " \
           f"{first_lower}" in message
    # on the log scale nothing is censored, and no band reaching the floor: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast.LocalLinearTrend(scale="log").fit(AnnualSeries(range(2005, 2025), y)
                                                  ).forecast(6)
        forecast.Drift().fit(AnnualSeries(range(2005, 2024), y[:-1])).forecast(6)
