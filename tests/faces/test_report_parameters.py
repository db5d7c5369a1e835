"""The scenarios' parameters in the report's assumption tables, as precise as they are.

Every number a preset's assumptions hold is written to three significant digits with
trailing zeros dropped (a phase-in of 2.5 years read "2.500", a steepness of 0.8 "0.800",
a ceiling of 0.0016 "0.002"); years as years.
"""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from forecast import market_presets, presets
from forecast.report._sections import _distribution, all_parameters, assumptions_table
from forecast.report.formats import format_parameter

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _scenarios():
    return ([presets.get(n) for n in presets.names()]
            + [market_presets.get(n) for n in market_presets.names()])


def _numbers(dist) -> list[float]:
    """The numbers a parameter holds: a fixed value, or its distribution's fields."""
    if dataclasses.is_dataclass(dist):
        return [float(getattr(dist, f.name)) for f in dataclasses.fields(dist)
                if isinstance(getattr(dist, f.name), int | float)]
    return [float(dist)] if isinstance(dist, int | float) else []


def _assumptions(assumption):
    """An assumption and those it wraps (a Diversion's source)."""
    yield assumption
    for f in dataclasses.fields(assumption):
        inner = getattr(assumption, f.name)
        if dataclasses.is_dataclass(inner) and hasattr(inner, "name") and \
                hasattr(inner, "probability"):
            yield from _assumptions(inner)


@pytest.mark.parametrize("scenario", _scenarios(), ids=lambda s: s.name)
def test_every_parameter_of_every_preset_is_written_with_its_own_precision(scenario):
    checked = 0
    for top in scenario.assumptions:
        for a in _assumptions(top):
            params = dict(all_parameters(a))
            params[f"{a.name}.probability"] = a.probability
            for name, dist in params.items():
                if isinstance(dist, str | tuple) or hasattr(dist, "probability"):
                    continue  # a Diversion's market and source: not numbers
                text = _distribution(name, dist)
                tokens = NUMBER.findall(text)
                values = _numbers(dist)
                assert len(tokens) == len(values), (name, text)
                for token, value in zip(tokens, values, strict=True):
                    assert "e" not in token, (name, text)  # never 1e-05
                    assert not re.search(r"\.\d*0$", token), f"{name}: trailing zero {text!r}"
                    if value == 0:
                        assert token == "0", (name, text)
                        continue
                    # three significant digits (the value itself when it has no more),
                    # and a year or any number of 100 or more as a whole number
                    want = round(value) if abs(value) >= 100 else float(f"{value:.3g}")
                    assert float(token) == pytest.approx(want, rel=1e-9), (name, text, value)
                    checked += 1
    assert checked or not scenario.assumptions


def test_the_assumption_tables_show_the_values_as_written(tmp_path):
    """The fragmentation preset's table, as the report shows it."""
    table = html.unescape(re.sub(r"<[^>]+>", " ", assumptions_table(presets.fragmentation())))
    for shown in ("years to half: 2.5", "steepness: 1 ", "phase-in years: 2;",
                  "yearly rate: 0.2;", "probability: 0.6;", "Uniform(low 1, high 1.5)",
                  "mode -0.0176", "DiscreteUniform(low 2026, high 2028)", "mode -0.015,"):
        assert shown in table, shown
    # a parameter's value has no trailing zero; the change in the level beside a size or
    # ceiling is a percentage to one decimal (-3.0%), as every percentage of the report
    assert not re.search(r"\d\.\d*0\b(?!%)", table), "a trailing zero in the table"
    green = html.unescape(re.sub(r"<[^>]+>", " ", assumptions_table(presets.cooperation())))
    assert "Triangular(low 0.0016, mode 0.01, high 0.03)" in green
    assert "steepness: 0.8" in green


def test_a_diversion_lists_its_source_and_says_what_acts_on_one_market():
    """A Diversion's cell was its source's Python repr (Group(name trade_friction, parts
    (GrowthShift(...)...)) and its rate was labelled "yearly rate"."""
    table = html.unescape(re.sub(r"<[^>]+>", " ", assumptions_table(
        market_presets.get("friction_diversion"))))
    assert "Group(" not in table
    assert "Fixed(" not in table
    assert "yearly rate: Triangular" not in table
    assert "Source, drift, growth change per year: Triangular(" in table
    assert "Diverted share of the loss: Triangular(low 0.2, mode 0.5, high 0.8)" in table
    assert ("Diverted to: EU, ROW (only in a projection of several markets; on one market "
            "the source acts alone)") in table


@pytest.mark.parametrize(("value", "text"), [
    (2.5, "2.5"), (2.0, "2"), (0.1, "0.1"), (0.035, "0.035"), (-0.0176, "-0.0176"),
    (0.0016, "0.0016"), (-0.0, "0"), (0.1 + 0.2, "0.3"), (1 / 3, "0.333"),
    (123.456, "123"), (2027.4, "2027"), (1e-5, "0.00001"), (-0.25, "-0.25")])
def test_significant_digits(value, text):
    assert format_parameter("x.size", value) == text


def test_years_stay_years_and_blanks_blank():
    assert format_parameter("trade_friction.levy_step.start", 2027.0) == "2027"
    assert format_parameter("x.end", 2040) == "2040"
    assert format_parameter("x.size", float("nan")) == ""
    assert format_parameter("x.probability", 0.6) == "0.6"
