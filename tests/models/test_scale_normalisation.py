"""The models work on the series over its geometric mean: forecasts scale with the series,
estimates are reported in its units, and what float64 cannot hold is refused by name.

The scale property over every family is in tests/properties/test_models_properties.py;
these are the new-user probe's example and the refusals, one by one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.errors import ModelError
from forecast.models import Auto, Drift, LocalLinearTrend, LogLinearTrend, scale
from forecast.series import AnnualSeries

#: the probe's series: 5% growth with a 3% zigzag
VALUES = np.array([10 * 1.05**i * (1 + 0.03 * (-1) ** i) for i in range(10)])
COLS = ["mean", "median", "lower_80", "upper_80", "lower_95", "upper_95"]


def _series(c: float) -> AnnualSeries:
    return AnnualSeries(range(2010, 2020), VALUES * c)


@pytest.mark.parametrize("c", [1e-20, 1e-200, 1e200])
@pytest.mark.parametrize("spec", [Drift(), Auto()], ids=lambda s: s.name)
def test_the_probe_series_forecasts_the_same_at_any_scale(spec, c):
    """At 1e-20 Drift's median was 10.6 (15.6 at scale 1) and upper_95/median 1.5e7, with a
    'no variation' warning; Auto at 1e-200 warned of a zero-width band and returned a
    band 1e69 wide; 1e200 was refused as too large. Now: c times the fit at 1, silently
    (rtol 1e-9: Drift's and the pool's arithmetic cancels no digits)."""
    base = spec.fit(_series(1.0)).forecast(6)[COLS].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = spec.fit(_series(c))
        got = fit.forecast(6)[COLS].to_numpy()
    np.testing.assert_allclose(got / c, base, rtol=1e-9)
    assert got[0, 1] / c == pytest.approx(15.63033078, rel=1e-9)
    assert not any("no variation" in n for n in fit.notes)
    assert fit.ref == pytest.approx(scale.reference(VALUES) * c, rel=1e-12)


def test_simulated_paths_and_history_fits_shift_by_log_c():
    c = 1e-200
    a = Auto().fit(_series(1.0)).simulate(5, 50, seed=3)
    b = Auto().fit(_series(c)).simulate(5, 50, seed=3)
    np.testing.assert_allclose(b - np.log(c), a, rtol=0, atol=1e-9)
    h1 = forecast.History(range(2010, 2020), np.log(VALUES), [0.05] * 10)
    hc = forecast.History(range(2010, 2020), np.log(VALUES * c), [0.05] * 10)
    for spec in (Drift(imputations=4), forecast.ARIMA(imputations=4), Auto(imputations=4)):
        f1 = spec.fit(h1, seed=2).forecast(4)[COLS].to_numpy()
        fc = spec.fit(hc, seed=2).forecast(4)[COLS].to_numpy()
        np.testing.assert_allclose(fc / c, f1, rtol=1e-8, err_msg=spec.name)


def test_fit_many_normalises_each_series_on_its_own():
    """One batch holds a series near 1e-200 and one near 1e200: each on its own reference."""
    fits = forecast.fit_many(Auto(), [_series(1e-200), _series(1e200), _series(1.0)])
    base = fits[2].forecast(3)[COLS].to_numpy()
    for f, c in zip(fits[:2], (1e-200, 1e200), strict=True):
        np.testing.assert_allclose(f.forecast(3)[COLS].to_numpy() / c, base, rtol=1e-9)


def test_estimates_are_reported_in_the_series_units():
    """On the level scale a change scales with c, a variance with c^2, a level ``z = y - 1``
    as ``c (z + 1) - 1``, the residuals with c, and the AICc of N changes moves by
    ``2 N log c`` (the Jacobian), as a fit on the raw values gives them (R's reference
    values are on that scale)."""
    c = 1e3
    s, sc = _series(1.0), _series(c)
    a, b = Drift(scale="level").fit(s), Drift(scale="level").fit(sc)
    assert b.params["drift"] == pytest.approx(c * a.params["drift"], rel=1e-12)
    assert b.params["sigma"] == pytest.approx(c * a.params["sigma"], rel=1e-12)
    np.testing.assert_allclose(b.residuals, c * a.residuals, rtol=1e-10, atol=1e-12 * c)
    assert b.aicc == pytest.approx(a.aicc + 2 * 9 * np.log(c), rel=1e-12)
    a, b = LocalLinearTrend(scale="level").fit(s), LocalLinearTrend(scale="level").fit(sc)
    assert b.params["sigma2_level"] == pytest.approx(c * c * a.params["sigma2_level"],
                                                     rel=1e-6)
    a, b = LogLinearTrend(scale="level").fit(s), LogLinearTrend(scale="level").fit(sc)
    assert b.params["intercept"] == pytest.approx(c * (a.params["intercept"] + 1) - 1,
                                                  rel=1e-10)
    assert b.params["slope"] == pytest.approx(c * a.params["slope"], rel=1e-10)
    # the log scale: a change is unit-free, a level moves by log c
    a, b = LogLinearTrend(scale="log").fit(s), LogLinearTrend(scale="log").fit(sc)
    assert b.params["intercept"] == pytest.approx(a.params["intercept"] + np.log(c),
                                                  rel=1e-12)
    assert b.params["slope"] == pytest.approx(a.params["slope"], rel=1e-9)
    assert b.params["scale.reference"] == pytest.approx(c * a.params["scale.reference"])


def test_auto_compares_the_families_on_the_unit_free_scale():
    """Selection and Akaike weights do not depend on the unit: in the series' own unit the
    AICc of Drift (9 changes) and Theta (10 values) moved apart by 2 lambda log c."""
    for method in ("select", "combine"):
        spec = Auto(method=method, weights="aicc")
        a, b = spec.fit(_series(1.0)), spec.fit(_series(1e6))
        for k in a.params:
            if k.startswith(("weight.", "aicc.")):
                assert b.params[k] == pytest.approx(a.params[k], rel=1e-8, abs=1e-12), k


def test_a_subnormal_value_is_refused_by_name():
    values = VALUES * 1e-300
    values[3] = 5e-320
    with pytest.raises(ModelError) as err:
        Drift().fit(AnnualSeries(range(2010, 2020), values))
    assert str(err.value) == (
        "the series' value 5e-320 (2013) is below the smallest normal float64 (2.23e-308), "
        "where it keeps fewer than 15 digits: express the series in a smaller unit "
        "(multiply it by a power of ten, e.g. 1e+300).")
    assert err.value.field == "values"


def test_a_series_beyond_the_float_range_around_its_mean_is_refused_by_name():
    """1e-300 nine times and 1e300 once: the geometric mean is 1e-240, and 1e300 is 1e540
    times it; no unit brings both ends within float64."""
    s = AnnualSeries(range(2010, 2020), [1e-300] * 9 + [1e300])
    for spec in (Drift(), Auto()):
        with pytest.raises(ModelError, match=r"^the series spans 1e-300 \(2010\) to 1e\+300 "
                           r"\(2019\), more than float64 can hold around its geometric mean "
                           r"\(1e-240; .*Check the values for a unit or exponent error"):
            spec.fit(s)
    assert forecast.fit_many(Auto(), [s], errors="return")[0].field == "values"


def test_a_forecast_beyond_the_float_maximum_says_which_unit_fits():
    """Values at the float maximum: the next year overflows; the forecast scales with the
    series, so a larger unit is the fix, and it works."""
    values = np.array([1e308, 1.2e308, 1.5e308, 1.7e308, 1.75e308, 1.79e308])
    fit = Drift(scale="log").fit(AnnualSeries(range(2010, 2016), values))
    with pytest.raises(ModelError, match=r"^Drift's forecast is not a finite number from "
                       r"2016 \(h = 1\) on: .*Express the series in a larger unit \(divide "
                       r"it by 1e2; the forecast scales with it\)"):
        fit.forecast(3)
    smaller = Drift(scale="log").fit(AnnualSeries(range(2010, 2016), values / 1e2))
    assert np.isfinite(smaller.forecast(1)[COLS].to_numpy()).all()


def test_the_overflow_advice_names_a_level_like_scale_only_to_a_log_fit():
    """A fit already on a level-like scale is not told to fit on one."""
    values = np.array([1e308, 1.2e308, 1.5e308, 1.7e308, 1.75e308, 1.79e308])
    s = AnnualSeries(range(2010, 2016), values)
    with pytest.raises(ModelError) as level:
        Drift(scale="level").fit(s).forecast(3)
    assert "scale=" not in str(level.value)
    assert str(level.value).endswith("(divide it by 1e2; the forecast scales with it).")
    with pytest.raises(ModelError, match=r"scales with it\), or fit on a level-like working "
                                         r"scale \(scale='auto' or 'level'\)"):
        Drift(scale="log").fit(s).forecast(3)
