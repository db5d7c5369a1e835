"""Distributions: moments, quantiles against scipy, validation, dict round-trip."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.errors import ForecastError, ForecastTypeError, ParameterError
from forecast.scenarios.distributions import (
    Bernoulli,
    Beta,
    DiscreteUniform,
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    as_distribution,
)

ALL = [
    Fixed(0.02),
    Uniform(-0.06, -0.01),
    Triangular(-0.03, -0.015, -0.005),
    Normal(0.01, 0.02),
    Normal(0.01, 0.02, low=0.0),
    Normal(0.0, 1.0, low=-1.0, high=2.0),
    LogNormal(2.0, 0.4),
    Beta(2.0, 3.0),
    Beta(0.7, 1.5, low=-0.1, high=0.3),
    Bernoulli(0.3),
    DiscreteUniform(2027, 2030),
]


@pytest.mark.parametrize("d", ALL, ids=repr)
def test_sample_moments_and_support(d: Distribution) -> None:
    x = d.sample(40_000, np.random.default_rng(3))
    assert x.shape == (40_000,)
    lo, hi = d.support
    assert x.min() >= lo
    assert x.max() <= hi
    sd = float(np.std(x)) or 1e-12
    assert abs(x.mean() - d.mean()) < 5 * sd / np.sqrt(x.size) + 1e-12
    qs = np.array([0.1, 0.5, 0.9])
    emp = np.quantile(x, qs)
    theo = np.asarray(d.quantile(qs), dtype=float)
    tol = 0.05 * (theo[-1] - theo[0] + sd) + 1e-9
    if isinstance(d, Bernoulli | DiscreteUniform):
        tol = 1.0
    assert np.all(np.abs(emp - theo) <= tol)


@pytest.mark.parametrize("d", ALL, ids=repr)
def test_quantile_monotone_scalar_and_dict_roundtrip(d: Distribution) -> None:
    q = np.linspace(0, 1, 21)
    v = np.asarray(d.quantile(q), dtype=float)
    assert np.all(np.diff(v) >= 0)
    assert isinstance(d.quantile(0.5), float | int)
    assert d.median() == pytest.approx(float(d.quantile(0.5)))
    assert Distribution.from_dict(d.to_dict()) == d


def test_quantiles_match_scipy() -> None:
    from scipy import stats

    q = np.array([0.01, 0.25, 0.5, 0.9, 0.99])
    np.testing.assert_allclose(Normal(1, 2).quantile(q), stats.norm(1, 2).ppf(q))
    tn = Normal(0.0, 1.0, low=-1.0, high=2.0)
    np.testing.assert_allclose(tn.quantile(q), stats.truncnorm(-1, 2).ppf(q), rtol=1e-10)
    assert tn.mean() == pytest.approx(stats.truncnorm(-1, 2).mean())
    np.testing.assert_allclose(LogNormal(2.0, 0.4).quantile(q),
                               stats.lognorm(0.4, scale=2.0).ppf(q))
    np.testing.assert_allclose(Beta(2, 3, -1, 1).quantile(q),
                               stats.beta(2, 3, loc=-1, scale=2).ppf(q))
    np.testing.assert_allclose(Triangular(0, 0.2, 1).quantile(q),
                               stats.triang(0.2, loc=0, scale=1).ppf(q))
    assert Triangular(0, 0.2, 1).mean() == pytest.approx(stats.triang(0.2).mean())


def test_replace_revalidates() -> None:
    from dataclasses import replace

    assert replace(Normal(0.0, 1.0), sd=2.0) == Normal(0.0, 2.0)
    assert replace(LogNormal(1.0, 0.5), sigma=0.2) == LogNormal(1.0, 0.2)
    with pytest.raises(ParameterError, match=r"`Uniform\.high` must be .*; got -1\.") as err:
        replace(Uniform(0, 1), high=-1)
    assert err.value.field == "high"
    with pytest.raises(ForecastTypeError, match=r"`Normal\.sd` must be a number .*; got None"):
        Normal(0.0)


def test_lognormal_from_mean_sd() -> None:
    d = LogNormal.from_mean_sd(0.05, 0.02)
    assert d.mean() == pytest.approx(0.05)
    x = d.sample(200_000, np.random.default_rng(1))
    assert x.std() == pytest.approx(0.02, rel=0.03)
    assert repr(d).startswith("LogNormal(median=")


def test_discrete_uniform_and_bernoulli_values() -> None:
    d = DiscreteUniform(2027, 2029)
    x = d.sample(3000, np.random.default_rng(0))
    assert x.dtype.kind == "i"
    assert set(x.tolist()) == {2027, 2028, 2029}
    assert d.quantile(0.0) == 2027
    assert d.quantile(1.0) == 2029
    assert DiscreteUniform(2030, 2030).is_fixed
    b = Bernoulli(0.25).sample(10_000, np.random.default_rng(0))
    assert set(np.unique(b).tolist()) <= {0.0, 1.0}
    assert Bernoulli(0.0).sample(100, np.random.default_rng(0)).sum() == 0
    assert Bernoulli(1.0).sample(100, np.random.default_rng(0)).sum() == 100


def test_as_distribution() -> None:
    assert as_distribution(3) == Fixed(3.0)
    u = Uniform(0, 1)
    assert as_distribution(u) is u
    with pytest.raises(ForecastTypeError, match="`size` must be a number or a Distribution"):
        as_distribution("0.1", "size")
    with pytest.raises(ForecastTypeError):
        as_distribution(True)


@pytest.mark.parametrize(
    ("make", "field", "text"),
    [
        (lambda: Uniform(0.2, 0.1), "high", "0.1"),
        (lambda: Uniform(float("nan"), 1.0), "low", "nan"),
        (lambda: Triangular(0, 2, 1), "high", "mode"),
        (lambda: Triangular(0, 0, 0), "high", "low"),
        (lambda: Normal(0, -1), "sd", "-1"),
        (lambda: Normal(0, 1, low=2, high=1), "high", "low"),
        (lambda: Normal(0, 0.01, low=5), "low", "mass"),
        (lambda: LogNormal(-1, 0.5), "median", "-1"),
        (lambda: Beta(0, 1), "a", "0"),
        (lambda: Beta(1, 1, low=1, high=0), "high", "0"),
        (lambda: Bernoulli(1.5), "p", "1.5"),
        (lambda: DiscreteUniform(2030, 2027), "high", "2027"),
        (lambda: DiscreteUniform(2027.5, 2030), "low", "2027.5"),
        (lambda: Fixed("a"), "value", "'a'"),
    ],
)
def test_invalid_parameters_name_field_value_and_fix(make, field: str, text: str) -> None:
    with pytest.raises(ForecastError) as info:
        make()
    assert info.value.field == field
    msg = str(info.value)
    assert text in msg
    assert ("Pass" in msg) or ("Widen" in msg) or ("Move" in msg)


@pytest.mark.parametrize(
    ("d", "field"),
    [
        ({"dist": "gamma", "k": 1}, "dist"),
        ({"low": 1}, "dist"),
        ({"dist": "uniform", "low": 0.0, "hi": 1.0}, "hi"),
        ({"dist": "uniform", "low": 0.0}, "high"),
        ({"dist": "normal", "mean": 0.0}, "sd"),
        ("uniform", "dist"),
    ],
)
def test_from_dict_rejects_bad_tables(d, field: str) -> None:
    with pytest.raises(ForecastError) as info:
        Distribution.from_dict(d)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("low", "high", "field", "value"),
    [
        (0, 10**30, "high", str(10**30)),
        (-(10**30), 0, "low", str(-(10**30))),
        (10**30, 10**30, "low", str(10**30)),
        (0, 10**12 + 1, "high", str(10**12 + 1)),
    ],
)
def test_discrete_uniform_bounds_beyond_int64_arithmetic_are_refused(low, high, field, value):
    with pytest.raises(ParameterError, match=rf"`DiscreteUniform\.{field}` must be an int within "
                       rf"\+-1e\+12; got {value}\. Pass bounds such as years") as info:
        DiscreteUniform(low, high)
    assert info.value.field == field


def test_discrete_uniform_at_the_bounds_samples_and_quantiles_exactly() -> None:
    d = DiscreteUniform(-(10**12), 10**12)
    x = d.sample(1000, np.random.default_rng(0))
    assert x.dtype == np.int64
    assert x.min() >= -(10**12)
    assert x.max() <= 10**12
    assert d.quantile([0.0, 0.5, 1.0]).tolist() == [-(10**12), 0, 10**12]


def test_sample_checks_arguments() -> None:
    with pytest.raises(ParameterError, match=r"`n` must be an int in \[0, inf\]; got -1\."):
        Uniform(0, 1).sample(-1, np.random.default_rng(0))
    with pytest.raises(ForecastTypeError, match="Generator"):
        Uniform(0, 1).sample(3, 42)
    assert Uniform(0, 1).sample(0, np.random.default_rng(0)).shape == (0,)
    with pytest.raises(ParameterError, match="probabilities"):
        Uniform(0, 1).quantile(1.5)
