"""A misspelt keyword of any public function or class is a ForecastTypeError naming the fix.

Python's own ``TypeError: ... got an unexpected keyword argument 'descr'`` is not a
``forecast.ForecastError`` (docs/index.md promises every input error is one) and names
neither the arguments taken nor the one meant. Every public callable of the package's
namespaces below is called with a misspelling of one of its own keywords.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

import forecast
from forecast.errors import ForecastTypeError

NAMESPACES = ("forecast", "forecast.scenarios.presets", "forecast.scenarios", "forecast.models",
              "forecast.evaluation", "forecast.report", "forecast.plotting")


def _callables():
    seen = {}
    for ns in NAMESPACES:
        mod = importlib.import_module(ns)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if not callable(obj) or id(obj) in seen or isinstance(obj, type) and issubclass(
                    obj, BaseException):
                continue
            try:
                params = inspect.signature(obj).parameters.values()
            except (TypeError, ValueError):
                continue
            if any(p.kind is p.VAR_KEYWORD for p in params):
                continue  # checks its own **kwargs where it uses them (tested there)
            named = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD,
                                                          p.KEYWORD_ONLY)]
            if inspect.isclass(obj) and (inspect.isabstract(obj) or issubclass(obj, tuple)):
                continue  # a NamedTuple is made by the library, not by users
            if not named:
                continue
            seen[id(obj)] = (f"{ns}.{name}", obj, named[-1])
    return sorted(seen.values(), key=lambda t: t[0])


CALLABLES = _callables()


def test_the_namespaces_hold_the_callables_users_meet():
    names = {n for n, _, _ in CALLABLES}
    for expected in ("forecast.project", "forecast.Scenario", "forecast.LevelShift",
                     "forecast.Drift", "forecast.AnnualSeries", "forecast.Uniform",
                     "forecast.reconstruct", "forecast.scenarios.presets.trade_friction"):
        assert expected in names
    assert len(CALLABLES) > 60


@pytest.mark.parametrize(("qualname", "obj", "keyword"), CALLABLES,
                         ids=[q for q, _, _ in CALLABLES])
def test_a_misspelt_keyword_is_a_forecast_type_error_with_a_suggestion(qualname, obj, keyword):
    wrong = keyword + "x"  # one letter too many: the right name is proposed
    with pytest.raises(ForecastTypeError) as info:
        obj(**{wrong: 1})
    text = str(info.value)
    assert text.startswith(f"unexpected keyword argument `{wrong}` ({wrong}=1)")
    assert f"Did you mean '{keyword}'?" in text
    assert info.value.field == wrong
    assert isinstance(info.value, TypeError)  # `except TypeError` still catches it


def test_the_wrappers_keep_signatures_and_good_calls():
    assert "description" in inspect.signature(forecast.Scenario).parameters
    assert "n_paths" in inspect.signature(forecast.project).parameters
    s = forecast.Scenario("x", description="y")
    assert s.description == "y"
    import dataclasses

    assert dataclasses.replace(s, name="z").name == "z"


def test_warnings_point_at_the_users_line_through_the_wrappers():
    """Warnings used fixed stack levels, which the keyword wrappers shifted by one frame
    (into ``_keywords.py``); they now walk the stack to the first frame outside forecast."""
    import warnings

    import numpy as np

    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    fit = forecast.Drift().fit(s)
    late = forecast.Scenario("late", (forecast.LevelShift(2040, -0.1),))
    calls = {  # the words of the warning meant -> the call
        "is -5 log points, a factor of 0.00674": lambda: forecast.LevelShift(2027, -5),
        "start(s) after 2030, the last projected year": lambda: forecast.project(
            fit, late, to=2030, n_paths=10, seed=1),
        "no record has market 'USA'": lambda: forecast.load_releases().filter(market="USA"),
        # through @single_blas_thread(), a context manager used as a decorator
        "informs 2007, 2008; those years extrapolate": lambda: forecast.reconstruct(
            start=2007),
    }
    for what, call in calls.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert any(what in str(w.message) for w in caught), (what, [str(w.message)
                                                                    for w in caught])
        assert {w.filename for w in caught} == {__file__}, (what, [w.filename for w in caught])


def _positional(obj) -> int | None:
    params = list(inspect.signature(obj).parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


@pytest.mark.parametrize(("qualname", "obj", "keyword"), CALLABLES,
                         ids=[q for q, _, _ in CALLABLES])
def test_too_many_positional_arguments_is_a_forecast_type_error(qualname, obj, keyword):
    """`project(fit, scenarios, 2035)` raised Python's TypeError, naming no fix."""
    n = _positional(obj)
    if n is None:
        pytest.skip("takes *args")
    with pytest.raises(ForecastTypeError, match=r"positional argument\(s\) .* but "
                                                rf"{n + 1} were given") as info:
        obj(*([None] * (n + 1)))
    assert isinstance(info.value, TypeError)


def test_the_positional_message_names_the_keyword_to_use():
    with pytest.raises(ForecastTypeError, match=r"project\(\) takes 2 positional argument\(s\) "
                                                r"\(fit, scenarios\) but 3 were given; the "
                                                r"others are keywords: to, .* e\.g\. to=2035\."):
        forecast.project(None, None, 2035)


def _value_classes():
    from forecast.history.markets import MarketHistory
    from forecast.markets.projection import MarketProjection
    from forecast.models.base import ModelSpec
    from forecast.models.fit import Fit
    from forecast.projection.exports import Exports
    from forecast.projection.queries import Queries
    from forecast.records.fx import ExchangeRates
    from forecast.records.releases import Records
    from forecast.scenarios.assumption import Assumption

    return (forecast.Projection, Queries, Exports, ModelSpec, Fit, forecast.History,
            forecast.AnnualSeries, MarketProjection, MarketHistory, forecast.Scenario,
            forecast.ScenarioSet, ExchangeRates, Records, Assumption)


def test_the_methods_users_call_are_checked_too():
    """fit.forecast(levles=...) and projection.prob_above(40, 2030, "baseline", 3) raised
    Python's TypeError; every public method of the values users hold is wrapped."""
    unchecked = []
    for cls in _value_classes():
        for name, attr in vars(cls).items():
            func = attr.__func__ if isinstance(attr, staticmethod | classmethod) else attr
            if name.startswith("_") or not inspect.isfunction(func):
                continue
            params = inspect.signature(func).parameters.values()
            if any(p.kind is p.VAR_KEYWORD for p in params):
                continue
            if getattr(func, "__wrapped__", None) is None:
                unchecked.append(f"{cls.__name__}.{name}")
    assert not unchecked, unchecked
    import numpy as np

    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    fit = forecast.Drift().fit(s)
    with pytest.raises(ForecastTypeError, match=r"fit\(\) takes 1 positional argument\(s\) "
                                                r"\(data\) but 2 were given; .* e\.g\. seed=1"):
        forecast.Drift().fit(s, 1)
    with pytest.raises(ForecastTypeError, match=r"`levles` .*forecast\(\) takes h, levels, log\. "
                                                r"Did you mean 'levels'\?"):
        fit.forecast(5, levles=(80,))
    p = forecast.project(fit, forecast.Scenario("baseline"), to=2027, n_paths=20, seed=1)
    with pytest.raises(ForecastTypeError, match=r"prob_above\(\) takes 3 positional"):
        p.prob_above(40, 2027, "baseline", 3)
    assert p.prob_above(40, 2027, "baseline") == p.prob_above(value=40, year=2027,
                                                              scenario="baseline")


def test_a_keyword_to_a_method_without_arguments_is_told_to_go():
    """History.to_frame(levels=...) said "to_frame() takes . Remove it or fix its spelling"."""
    h = forecast.History([2020, 2021, 2022], [3.0, 3.1, 3.2], [0.01, 0.02, 0.03])
    with pytest.raises(ForecastTypeError) as info:
        h.to_frame(levels=(50,))
    assert str(info.value) == ("unexpected keyword argument `levels` (levels=(50,)): "
                               "to_frame() takes no arguments. Remove it.")
    assert info.value.field == "levels"


def test_a_missing_argument_names_the_method_as_the_user_calls_it():
    """proj.prob_above(30) said "Queries.prob_above() missing 1 required positional
    argument: 'year'": a raw TypeError naming an internal mixin."""
    import numpy as np

    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    fit = forecast.Drift().fit(s)
    p = forecast.project(fit, forecast.Scenario("baseline"), to=2027, n_paths=20, seed=1)
    with pytest.raises(ForecastTypeError) as info:
        p.prob_above(30)
    assert str(info.value) == (
        "Projection.prob_above() is missing its required argument `year` (it takes value, "
        "year, scenario). Pass it, e.g. proj.prob_above(30, year=2030).")
    assert info.value.field == "year"
    with pytest.raises(ForecastTypeError, match=r"^Fit\.forecast\(\) is missing its required "
                                                r"argument `h` .*e\.g\. fit\.forecast\(h=5\)"):
        fit.forecast()
    with pytest.raises(ForecastTypeError, match=r"^LevelShift\(\) is missing its required "
                                                r"arguments `start`, `size`"):
        forecast.LevelShift()
    # a TypeError from inside a call that was complete is not reworded
    with pytest.raises(TypeError) as info:
        forecast.project(fit, forecast.Scenario("baseline"), to=2027, n_paths=20,
                         seed=1).prob_above(object(), 2027)
    assert "is missing" not in str(info.value)


@pytest.mark.parametrize(("call", "text"), [
    (lambda s: forecast.Drift.fit(s),
     "fit() of a model spec was called on the class, not on an instance: its first argument "
     "(AnnualSeries) took the instance's place, so `data` is missing. Call the class first "
     "(with its settings in the parentheses), e.g. Drift().fit(series)."),
    (lambda s: forecast.Auto.fit(s),
     "Auto.fit() was called on the class Auto, not on an instance: its first argument "
     "(AnnualSeries) took the instance's place, so `data` is missing. Call it: "
     "Auto().fit(series) (with its settings in the parentheses)."),
    (lambda s: forecast.Projection.prob_above(30, 2030),
     "Projection.prob_above() was called on the class Projection, not on an instance: its "
     "first argument (int) took the instance's place, so `year` is missing. Call it on a "
     "Projection instance, e.g. proj.prob_above(30, 2030)."),
])
def test_a_method_called_on_its_class_says_to_call_the_class(call, text):
    """Drift.fit(series) said "ModelSpec.fit() missing 1 required positional argument:
    'data'"; the wording is backtest's for a class passed as `spec`."""
    import numpy as np

    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.08 ** np.arange(13))
    with pytest.raises(ForecastTypeError) as info:
        call(s)
    assert str(info.value) == text


def test_as_of_is_pointed_at_the_records_filter():
    """reconstruct(as_of=...) and backtest(..., as_of=...) named no fix but a spelling one:
    the vintage belongs to the records (records.filter(as_of=...))."""
    with pytest.raises(ForecastTypeError, match=r"To use the releases known by a date, pass "
                       r"records\.filter\(as_of=\.\.\.\), e\.g\. forecast\.load_releases\(\)"
                       r"\.filter\(as_of='2020-06'\)\. Remove it"):
        forecast.reconstruct(as_of="2020")
    with pytest.raises(ForecastTypeError, match=r"or real-time origins such as "
                       r"origins=\['2020-06'\]\. Remove it"):
        forecast.backtest(forecast.Drift(), forecast.load_releases(), as_of="2020")
