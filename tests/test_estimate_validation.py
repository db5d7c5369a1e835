"""What a family's estimator returns, and what it raises, as ModelSpec.safe_estimates sees it.

A family outside the library (``docs/extending.md``) implements ``estimate(y) ->
Estimate``. A malformed Estimate, or an exception inside the estimator, must come out
as a ModelError naming the family, the field and the value received, never as a numpy
or pandas traceback from deep inside ``make_fit`` or ``Fit.forecast``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import ForecastError, ModelError, ParameterError, ScenarioKeyError
from forecast.models import Estimate, Linear, ModelSpec

SERIES = forecast.AnnualSeries(range(2010, 2025), [10 * 1.08**i + (i % 3) for i in range(15)])


def _rw(y: np.ndarray) -> Linear:
    d = np.diff(y)
    return Linear.random_walk(last=float(y[-1]), sigma=float(d.std(ddof=1)),
                              drift=float(d.mean()))


def _good(y: np.ndarray, **fields: Any) -> Estimate:
    d = np.diff(y)
    return Estimate(_rw(y), {"drift": float(d.mean())}, -3.0, d - d.mean(), len(d) - 1.0,
                    None)._replace(**fields)


@dataclass(frozen=True)
class Custom(ModelSpec):
    """An outside family whose estimate is whatever `make` returns for the series."""

    min_length: ClassVar[int] = 4
    make: Any = None

    def estimate(self, y):
        return self.make(y)


def _fails(make, **kw) -> ModelError:
    with pytest.raises(ModelError) as info:
        Custom(make=make, **kw).fit(SERIES)
    return info.value


# --------------------------------------------------------------------- malformed fields
@pytest.mark.parametrize(("fields", "field", "got", "fix"), [
    ({"rep": "x"}, "rep", "got 'x' (str)", "Linear.random_walk("),
    ({"rep": None}, "rep", "got None (NoneType)", "Linear(Z, T, Rf, cf, a, P)"),
    ({"params": [1.0]}, "params", "got [1.0] (list)", "{'drift': 0.05"),
    ({"params": {"drift": "0.1"}}, "params['drift']", "got '0.1' (str)", "float(sigma)"),
    ({"params": {1: 0.1}}, "params[1]", "got 0.1 (float)", "as a number"),
    ({"aicc": "x"}, "aicc", "got 'x' (str)", "leave the default"),
    ({"residuals": ["a", "b"]}, "residuals", "got ['a', 'b'] (list)", "np.diff(y) - drift"),
    ({"residuals": [1.0, None]}, "residuals", "got [1.0, None] (list)", "np.diff(y)"),
    ({"residuals": [[1.0], [1.0, 2.0]]}, "residuals", "(list)", "np.diff(y)"),
    ({"residuals": np.zeros((2, 3))}, "residuals", "got array([[0., 0., 0.], [0., 0., 0.]])",
     "np.diff(y)"),
    ({"residuals": np.zeros(16)}, "residuals", "at most 15 numbers", "np.diff(y)"),
    ({"residuals": np.zeros(3, complex)}, "residuals", "(ndarray)", "np.diff(y)"),
    ({"residuals": np.zeros(3, bool)}, "residuals", "(ndarray)", "np.diff(y)"),
    ({"residuals": "abc"}, "residuals", "got 'abc' (str)", "np.diff(y)"),
    ({"residuals": 0.5}, "residuals", "got 0.5 (float)", "np.diff(y)"),
    ({"dof": float("nan")}, "dof", "got nan (float)", "dof=len(y) - 2"),
    ({"dof": "10"}, "dof", "got '10' (str)", "dof=len(y) - 2"),
    ({"calib": (np.ones(3),)}, "calib", "got (array([1., 1., 1.]),) (tuple)", "or None"),
    ({"calib": (np.ones(3), np.ones(2))}, "calib", "(tuple)", "or None"),
    ({"calib": (np.ones(3), -np.ones(3))}, "calib", "(tuple)", "or None"),
    ({"calib": "ab"}, "calib", "got 'ab' (str)", "or None"),
    ({"calib": np.array(1.0)}, "calib", "got array(1.) (ndarray)", "or None"),
])
def test_a_malformed_field_names_the_family_the_field_the_value_and_the_fix(
        fields, field, got, fix):
    err = _fails(lambda y: _good(y, **fields))
    text = str(err)
    assert text.startswith(f"`{field}` of the Estimate from Custom.estimate must be "), text
    assert got in text
    assert fix in text
    assert err.field == field
    assert isinstance(err, ValueError)  # ModelError keeps `except ValueError` working


def test_a_rep_of_inconsistent_shapes_is_refused_before_forecasting():
    """It used to fit, then fail in Fit.forecast with numpy's matmul message."""
    rep = Linear(np.ones(3), np.eye(2), np.ones((2, 1)), np.zeros(1), np.ones(2), np.eye(2))
    text = str(_fails(lambda y: _good(y, rep=rep)))
    assert "got Z (3,), T (2, 2), Rf (2, 1), cf (1,), a (2,), P (2, 2)." in text
    assert "`rep` of the Estimate from Custom.estimate must be a Linear of matching" in text


def test_non_finite_estimates_are_blamed_on_the_data_with_the_usual_advice():
    bad_rep = _fails(lambda y: _good(y, rep=Linear.random_walk(np.nan, 1.0)))
    assert str(bad_rep) == ("Custom produced non-finite estimates on this series. Try a "
                            "simpler model such as Drift().")
    assert bad_rep.field == "rep"
    bad_res = _fails(lambda y: _good(y, residuals=[0.1, np.inf]))
    assert str(bad_res).startswith("Custom produced non-finite estimates on this series "
                                   "(`residuals`: array([0.1, inf]) (ndarray)). Try a ")
    assert bad_res.field == "residuals"


@pytest.mark.parametrize("convert", [tuple, list, pd.Series, lambda d: list(np.round(d * 1e6)
                                                                            .astype(int))],
                         ids=["tuple", "list", "Series", "ints"])
def test_residuals_as_any_sequence_of_numbers_are_accepted(convert):
    """A tuple or list of numbers is what the field documents in spirit: take it."""
    fit = Custom(make=lambda y: _good(y, residuals=convert(np.diff(y)))).fit(SERIES)
    assert fit.residuals.dtype == np.float64
    assert fit.residuals.shape == (14,)
    reference = Custom(make=lambda y: _good(y, residuals=np.asarray(convert(np.diff(y)),
                                                                    dtype=float))).fit(SERIES)
    np.testing.assert_array_equal(fit.residuals, reference.residuals)
    assert np.isfinite(fit.forecast(3).drop(columns="year").to_numpy()).all()


def test_numpy_scalars_lists_and_defaults_are_normalised():
    fit = Custom(make=lambda y: Estimate(_rw(y), {"drift": np.float32(0.5), "n": np.int64(3)},
                                         np.float64(-2.0), (), np.int64(10),
                                         np.array([[1.0, 2.0], [3, 2]]))).fit(SERIES)
    assert fit.params["drift"] == 0.5
    assert fit.params["n"] == 3.0
    assert fit.aicc == -2.0
    assert fit.residuals.shape == (0,)
    assert Custom(make=lambda y: Estimate(_rw(y), {})).fit(SERIES).residuals.shape == (0,)


# ------------------------------------------------------------ what the estimator returns
@pytest.mark.parametrize(("value", "got"), [
    (None, "got None (NoneType)"),
    ((1.0, 2.0), "got (1.0, 2.0) (tuple)"),
    ({"rep": 1}, "got {'rep': 1} (dict)"),
])
def test_estimate_must_return_an_estimate(value, got):
    text = str(_fails(lambda y: value))
    assert text.startswith("Custom.estimate must return a forecast.models.Estimate; " + got)
    assert "Return Estimate(rep, params, aicc, residuals, dof, calib)" in text


@dataclass(frozen=True)
class Batch(ModelSpec):
    """An outside family that overrides estimate_batch with `make(Y)`."""

    make: Any = None

    def estimate_batch(self, Y):
        return self.make(Y)


@pytest.mark.parametrize(("make", "got"), [
    (lambda Y: [], "got 0 for 1 series"),
    (lambda Y: None, "got None (NoneType)"),
    (lambda Y: _good(Y[0]), "(Estimate)"),  # a lone Estimate, not a list of one
])
def test_estimate_batch_must_return_one_estimate_per_series(make, got):
    with pytest.raises(ModelError, match=r"^Batch\.estimate_batch must return a list of one "
                       r"Estimate per series \(row of Y\); got ") as info:
        Batch(make=make).fit(SERIES)
    assert got in str(info.value)


def test_a_generator_of_estimates_is_accepted_and_fields_name_estimate_batch():
    assert Batch(make=lambda Y: (_good(y) for y in Y)).fit(SERIES).name == "Batch"
    with pytest.raises(ModelError, match=r"^`aicc` of the Estimate from Batch\.estimate_batch"):
        Batch(make=lambda Y: [_good(y, aicc=None) for y in Y]).fit(SERIES)


def test_a_malformed_estimate_of_one_history_draw_is_caught():
    history = forecast.History(SERIES.years, np.log(SERIES.values), [0.05] * len(SERIES))
    calls = []

    def make(y):
        calls.append(1)
        return _good(y, residuals="bad" if len(calls) == 3 else np.diff(y))

    with pytest.raises(ModelError, match=r"`residuals` of the Estimate from Custom\.estimate"):
        Custom(make=make, imputations=5).fit(history, seed=1)


def test_auto_skips_a_malformed_member_and_says_why():
    fit = forecast.Auto(families=("Drift", Custom(make=lambda y: _good(y, rep="x")))).fit(SERIES)
    skipped = [n for n in fit.notes if n.startswith("skipped Custom: ")]
    assert len(skipped) == 1
    assert "`rep` of the Estimate from Custom.estimate" in skipped[0]


# ------------------------------------------------------- exceptions inside the estimator
def _raise(exc: BaseException):
    def make(y):
        raise exc
    return make


@pytest.mark.parametrize("exc", [
    TypeError("unsupported operand"), KeyError("sigma"), AttributeError("no attribute 'foo'"),
    IndexError("index 20 is out of bounds"), ZeroDivisionError("division by zero"),
    ValueError("singular"), np.linalg.LinAlgError("Singular matrix"),
    RuntimeError("did not converge"), StopIteration(), NotImplementedError("todo"),
], ids=lambda e: type(e).__name__)
def test_any_failure_in_the_estimator_is_a_model_error_chained_to_it(exc):
    err = _fails(_raise(exc))
    assert str(err) == (f"Custom could not be estimated on this series ({type(exc).__name__}: "
                        f"{exc}). Try a simpler model such as Drift().")
    assert err.__cause__ is exc


def test_the_advice_is_the_existing_one():
    """Working values too large for float64 (a series spanning 300 orders of magnitude on
    the level scale) are blamed on the range, before the family runs (it would overflow
    whatever it does: the advice came after any exception it raised)."""
    wide = forecast.AnnualSeries(range(2010, 2020), np.logspace(-150, 150, 10))
    with pytest.raises(ModelError, match=r"^Custom cannot be estimated on this series\. The "
                       r"series spans too wide a range for floating-point arithmetic .*"
                       r'pass scale="log"'):
        Custom(make=_raise(AssertionError("the family ran")), scale="level").fit(wide)


@pytest.mark.parametrize("exc", [
    ParameterError("`damp` must be in (0, 1]; got 2. Pass damp=0.9.", field="damp"),
    ScenarioKeyError("no assumption 'x'"),  # also a KeyError: not wrapped for that
    ModelError("Custom needs a positive series."),
], ids=lambda e: type(e).__name__)
def test_a_forecast_error_raised_on_purpose_passes_unchanged(exc):
    with pytest.raises(ForecastError) as info:
        Custom(make=_raise(exc)).fit(SERIES)
    assert info.value is exc


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(3), MemoryError("out")],
                         ids=lambda e: type(e).__name__)
def test_interrupts_exits_and_memory_errors_are_never_wrapped(exc):
    with pytest.raises(type(exc)) as info:
        Custom(make=_raise(exc)).fit(SERIES)
    assert info.value is exc


def test_a_warning_turned_into_an_error_is_not_wrapped():
    """Wrapped, Auto would skip the family and the filter would never see its warning."""
    def make(y):
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        return _good(y)

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning, match="old API"):
            forecast.Auto(families=("Drift", Custom(make=make))).fit(SERIES)
    with pytest.warns(DeprecationWarning, match="old API"):
        assert Custom(make=make).fit(SERIES).name == "Custom"


# --------------------------------------------------------------------- built-in families
@pytest.mark.parametrize("spec", [forecast.Naive(), forecast.Drift(), forecast.Theta(),
                                  forecast.DampedTrend(), forecast.LocalLinearTrend(),
                                  forecast.LogLinearTrend(), forecast.ARIMA(order=(1, 1))],
                         ids=lambda s: s.name)
def test_the_checks_leave_the_built_in_families_estimates_bit_for_bit(spec):
    Y = np.log(np.stack([SERIES.values, SERIES.values[::-1] * 1.1]))
    raw = spec.estimate_batch(Y)
    checked = spec.safe_estimates(Y)
    assert len(raw) == len(checked) == 2
    for a, b in zip(raw, checked, strict=True):
        for k in ("Z", "T", "Rf", "cf", "a", "P"):
            assert getattr(b.rep, k).tobytes() == getattr(a.rep, k).tobytes()
        assert b.params == a.params
        assert np.array_equal(b.aicc, a.aicc, equal_nan=True)
        assert b.residuals.dtype == a.residuals.dtype
        assert b.residuals.tobytes() == a.residuals.tobytes()
        assert b.dof == a.dof
        assert (b.calib is None) == (a.calib is None)
        if a.calib is not None:
            for u, v in zip(a.calib, b.calib, strict=True):
                assert u.tobytes() == v.tobytes()
