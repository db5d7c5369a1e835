"""One contract checker applied to every model spec (shapes, seeds, purity, errors)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from strategies import model_specs

from forecast.errors import ForecastTypeError, ModelError, ParameterError
from forecast.models import Drift, Fit, ModelSpec
from forecast.series import AnnualSeries

US_FIXTURE = [28.1, 40, 55, 75, 100, 117.5, 130, 152, 180, 200, 225, 245, 250, 272, 300, 316]

SPECS = model_specs()  # the contract list, shared with the model properties
IDS = [f"{s.name}{'-ar1' if getattr(s, 'ar1', False) else ''}" for s in SPECS]


@pytest.fixture(scope="module")
def series():
    return AnnualSeries(np.arange(2009, 2025), US_FIXTURE, name="fixture (not data)")


@pytest.fixture(scope="module")
def fits(series):
    return {i: s.fit(series) for i, s in enumerate(SPECS)}


@pytest.fixture(params=range(len(SPECS)), ids=IDS)
def case(request, fits, series):
    return SPECS[request.param], fits[request.param], series


def test_spec_is_frozen_protocol(case):
    spec, fit, _ = case
    assert isinstance(spec, ModelSpec)
    assert isinstance(spec.min_length, int)
    assert spec.min_length >= 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.param_uncertainty = False  # type: ignore[misc]
    assert 0.0 <= fit.lam <= 1.0
    assert fit.spec is spec
    assert fit.name == spec.name


def test_shapes_and_years(case):
    _, fit, series = case
    paths = fit.simulate(7, 64, seed=3)
    assert paths.shape == (64, 7)
    assert paths.dtype == np.float64
    assert np.all(np.isfinite(paths))
    assert fit.point_forecast(7).shape == (7,)
    frame = fit.forecast(4)
    assert list(frame.columns) == ["year", "mean", "median", "lower_80", "upper_80",
                                   "lower_95", "upper_95"]
    assert frame["year"].tolist() == list(range(series.last_year + 1, series.last_year + 5))
    assert fit.last_year == series.last_year
    assert fit.unit == series.unit
    assert fit.residuals.ndim == 1
    assert fit.residuals.size >= len(series) - 2
    assert "AICc" in fit.summary()
    assert fit.name in fit.summary()


def test_same_seed_same_paths(case):
    _, fit, _ = case
    a = fit.simulate(5, 200, seed=11)
    assert np.array_equal(a, fit.simulate(5, 200, seed=11))
    ss = np.random.SeedSequence(99)
    assert np.array_equal(fit.simulate(5, 200, seed=ss), fit.simulate(5, 200, seed=ss))
    assert not np.array_equal(a, fit.simulate(5, 200, seed=12))


def test_never_mutates_inputs(case):
    spec, fit, series = case
    before = series.values.copy()
    e = np.random.default_rng(0).standard_normal((30, 4))
    e_copy = e.copy()
    e.flags.writeable = False  # read-only innovations must be accepted, not written
    fit.simulate(4, 30, seed=1, innovations=e)
    assert np.array_equal(e, e_copy)
    assert np.array_equal(series.values, before)
    assert not fit.residuals.flags.writeable
    assert not series.values.flags.writeable


def test_quantiles_monotone(case):
    _, fit, _ = case
    f = fit.forecast(6)
    cols = ["lower_95", "lower_80", "median", "upper_80", "upper_95"]
    assert np.all(np.diff(f[cols].to_numpy(), axis=1) >= 0)
    assert np.all(f[cols].to_numpy() > 0)  # levels, not logs


def test_innovations_give_common_random_numbers(case):
    """Paths are a function of the shocks alone (common random numbers), monotone in
    each year's own shock."""
    _, fit, _ = case
    e = np.random.default_rng(5).standard_normal((2000, 3))
    a = fit.simulate(3, 2000, seed=1, innovations=e)
    assert np.array_equal(a, fit.simulate(3, 2000, seed=2, innovations=e))
    order = np.argsort(e[:, 0])
    assert np.all(np.diff(a[order, 0]) >= 0)


def test_short_series_error_is_clear(case):
    spec, _, series = case
    short = series.window(end=series.first_year + spec.min_length - 2)
    with pytest.raises(ModelError, match=f"at least {spec.min_length} years"):
        spec.fit(short)


def test_bad_arguments(case):
    _, fit, _ = case
    with pytest.raises(ParameterError, match="`h`"):
        fit.simulate(0, 10)
    with pytest.raises(ParameterError, match="`n_paths`"):
        fit.simulate(3, 0)
    with pytest.raises(ForecastTypeError, match="`h`"):
        fit.simulate("3", 10)
    with pytest.raises(ParameterError, match="shape"):
        fit.simulate(3, 10, innovations=np.zeros((10, 4)))
    with pytest.raises(ParameterError, match="percentage"):
        fit.forecast(3, levels=(0.8,))
    with pytest.raises(ForecastTypeError):
        case[0].fit([1.0, 2.0, 3.0])


def test_fit_is_frozen_and_only_made_by_specs(case):
    _, fit, series = case
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.aicc = 0.0  # type: ignore[misc]
    with pytest.raises(ForecastTypeError):
        fit.params["x"] = 1.0  # type: ignore[index]
    with pytest.raises(ForecastTypeError, match="made by a model spec"):
        Fit(Drift(), series, {}, 0.0, np.zeros(3))
    # only plain arrays inside: cheap to send to worker processes
    for comp in fit.components:
        for f in dataclasses.fields(comp):
            if not f.name.startswith("_"):
                assert isinstance(getattr(comp, f.name), np.ndarray)
