"""The package as a whole: light import, public names, error hierarchy, validation helpers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import forecast
from forecast import _validation as v
from forecast import errors


def test_import_is_light():
    code = (
        "import sys, forecast; forecast.load_releases(); "
        "heavy = [m for m in ('statsmodels', 'matplotlib', 'scipy.optimize') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_public_name_resolves():
    for name in forecast.__all__:
        assert getattr(forecast, name) is not None, name


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        forecast.nope  # noqa: B018


def test_error_hierarchy():
    for cls in (
        errors.DataError,
        errors.SeriesError,
        errors.ParameterError,
        errors.ModelError,
        errors.ScenarioError,
        errors.ConfigError,
    ):
        assert issubclass(cls, errors.ForecastError)
        assert issubclass(cls, ValueError)
    assert issubclass(errors.ForecastTypeError, TypeError)
    assert issubclass(errors.SimulationError, ArithmeticError)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (
            lambda: v.check_int("h", 0, 1, 50),
            errors.ParameterError,
            r"`h` must be an int in \[1, 50\]; got 0",
        ),
        (lambda: v.check_int("h", "3", 1, 50), errors.ForecastTypeError, "got '3'"),
        (lambda: v.check_int("h", True, 1, 50), errors.ForecastTypeError, "got True"),
        (lambda: v.check_float("p", 1.5, 0, 1), errors.ParameterError, "got 1.5"),
        (lambda: v.check_float("p", float("nan"), 0, 1), errors.ParameterError, "finite"),
        (lambda: v.check_level("level", 0.8), errors.ParameterError, "Did you mean 80"),
        (lambda: v.check_level("level", 100), errors.ParameterError, r"\(0, 100\)"),
        (lambda: v.check_levels("levels", []), errors.ForecastTypeError, "non-empty"),
        (lambda: v.check_quantiles("q", [0.5, 50]), errors.ParameterError, "Did you mean"),
        (lambda: v.as_seed_sequence(-1), errors.ParameterError, "seed"),
        (lambda: v.as_seed_sequence("abc"), errors.ForecastTypeError, "seed=2025"),
    ],
)
def test_validation_messages(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_validation_normalises():
    assert v.check_int("n", 3.0, 1) == 3
    assert v.check_levels("levels", (95, 80, 80)) == (80.0, 95.0)
    assert v.check_quantiles("q", 0.5).tolist() == [0.5]


def test_seeds_follow_spec7():
    a = np.random.default_rng(v.as_seed_sequence(3)).random()
    b = np.random.default_rng(v.as_seed_sequence(np.random.SeedSequence(3))).random()
    assert a == b
    g = np.random.default_rng(1)
    assert isinstance(v.as_generator(g), np.random.Generator)
    assert v.as_generator(g) is g
    assert v.seed_record(5) == 5
    assert v.seed_record(np.random.SeedSequence(9)) == 9
    assert v.seed_record(None) is None


def test_readonly():
    a = v.readonly(np.arange(3.0))
    with pytest.raises(ValueError):
        a[0] = 1.0
