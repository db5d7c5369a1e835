"""The package as a whole: light import, public names, error hierarchy, validation helpers."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import forecast
from forecast import _seeds as seeds
from forecast import _validation as v
from forecast import errors

ROOT = pathlib.Path(__file__).resolve().parents[1]


#: (code, modules it must not load): importing the package, or one stage, stays light;
#: statsmodels, scipy and matplotlib load only when a model is fitted, a history
#: estimated, an exact quantile computed or a chart drawn
LIGHT = {
    "package": ("import forecast; forecast.load_releases(); forecast.History",
                ("statsmodels", "scipy", "matplotlib", "threadpoolctl")),
    "cli": ("import forecast.cli",  # `forecast --help` starts without numpy
            ("numpy", "pandas", "statsmodels", "scipy", "matplotlib")),
    "history": ("import forecast.history; forecast.history.History",
                ("statsmodels", "scipy")),
    "models": ("import forecast.models; forecast.models.Drift()", ("statsmodels", "scipy")),
    "scenarios": ("from forecast import presets; from forecast.scenarios import PathContext; "
                  "presets.get('cooperation').effects(PathContext.flat([2026, 2027], 5), 1)",
                  ("scipy",)),
    "markets": ("import forecast.markets; forecast.markets.SplitModel(); "
                "forecast.market_presets.scenario_set()", ("statsmodels", "scipy")),
    "metrics": ("import forecast.evaluation.metrics", ("scipy",)),
    "faces": ("import forecast.plotting, forecast.report", ("matplotlib",)),
}


@pytest.mark.parametrize("case", list(LIGHT))
def test_import_is_light(case):
    code, heavy = LIGHT[case]
    probe = (f"import sys; {code}; heavy = {heavy!r}; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env)
    assert out.stdout.strip() == "[]", f"{code!r} loads {out.stdout.strip()}"


def test_every_public_name_resolves():
    for name in forecast.__all__:
        assert getattr(forecast, name) is not None, name


@pytest.mark.parametrize(("name", "module"), [
    ("records", "forecast.records"), ("fx", "forecast.records.fx"),
    ("history", "forecast.history"), ("models", "forecast.models"),
    ("scenarios", "forecast.scenarios"), ("distributions", "forecast.scenarios.distributions"),
    ("presets", "forecast.scenarios.presets"), ("config", "forecast.scenarios.files"),
    ("engine", "forecast.projection.engine"), ("result", "forecast.projection.projection"),
    ("evaluation", "forecast.evaluation"), ("metrics", "forecast.evaluation.metrics"),
    ("sensitivity", "forecast.evaluation.sensitivity"), ("plotting", "forecast.plotting"),
    ("report", "forecast.report"), ("cli", "forecast.cli"), ("errors", "forecast.errors"),
    ("series", "forecast.series"),
])
def test_stage_modules_are_attributes(name, module):
    """`forecast.presets` and friends name the module that now holds them."""
    assert getattr(forecast, name).__name__ == module
    assert name in dir(forecast)


def test_from_forecast_import_presets():
    from forecast import presets

    assert presets.scenario_set().names[0] == "baseline"


def _type_checking_names() -> dict[str, str]:
    """Name -> module it comes from, as ``forecast/__init__.py``'s ``if TYPE_CHECKING:``
    block binds it for type checkers (``from .scenarios import presets as presets``:
    ``{"presets": "scenarios.presets"}``; ``from .errors import DataError``:
    ``{"DataError": "errors"}``)."""
    import ast

    tree = ast.parse((ROOT / "src" / "forecast" / "__init__.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and ast.unparse(n.test) == "TYPE_CHECKING")
    names: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom), ast.unparse(node)
        assert node.level == 1, ast.unparse(node)
        for alias in node.names:
            if node.module is None:  # from . import models
                names[alias.asname or alias.name] = alias.name
            elif (sub := f"{node.module}.{alias.name}") in forecast._SUBMODULES.values():
                names[alias.asname or alias.name] = sub  # a module
            else:
                names[alias.asname or alias.name] = node.module
    return names


def test_type_checkers_see_every_lazy_name():
    """What `forecast.__getattr__` gives at run time, type checkers are told too: every
    public name from the module that exports it, and every module attribute
    (``from forecast import presets``) as that module, not ``Any``."""
    names = _type_checking_names()
    assert {n: names.get(n) for n in forecast._EXPORTS} == forecast._EXPORTS
    assert {n: names.get(n) for n in forecast._SUBMODULES} == forecast._SUBMODULES
    assert set(names) == set(forecast._EXPORTS) | set(forecast._SUBMODULES)


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
    assert issubclass(errors.ScenarioKeyError, errors.ScenarioError)
    assert issubclass(errors.ScenarioKeyError, KeyError)  # a look-up by name, as dict's


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
        (lambda: v.check_quantiles("q", "0.5"), errors.ForecastTypeError,
         r"`q` must be probabilities in \[0, 1\]; got '0\.5' \(str\)\. Pass numbers"),
        (lambda: v.check_quantiles("q", ["0.1", 0.9]), errors.ForecastTypeError,
         r"'0\.1' is a str"),
        (lambda: v.check_quantiles("q", [True, 0.5]), errors.ForecastTypeError, "True is a bool"),
        (lambda: seeds.as_seed_sequence(-1), errors.ParameterError, "seed"),
        (lambda: seeds.as_seed_sequence("abc"), errors.ForecastTypeError, "seed=2025"),
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
    a = np.random.default_rng(seeds.as_seed_sequence(3)).random()
    b = np.random.default_rng(seeds.as_seed_sequence(np.random.SeedSequence(3))).random()
    assert a == b
    g = np.random.default_rng(1)
    assert isinstance(seeds.as_generator(g), np.random.Generator)
    assert seeds.as_generator(g) is g
    assert seeds.repeatable(seeds.as_seed_sequence(5)) == 5
    assert seeds.repeatable(np.random.SeedSequence(9)) == 9
    fresh = seeds.as_seed_sequence(None)
    assert seeds.repeatable(fresh) == fresh.entropy  # fresh entropy is recorded


def test_readonly():
    a = v.readonly(np.arange(3.0))
    with pytest.raises(ValueError):
        a[0] = 1.0
