"""What typed users see: mypy on their code, and the run-time side of the typing-only parts.

The package ships ``py.typed``, so editors (Pylance) and checkers read its annotations.
mypy checks, as a user's code, the scripts in ``examples/`` and ``tests/typing/user_api.py``
(the documented public API, with ``typing.assert_type`` on its key results). The package
is followed silently: its own internals are not the subject, only what users meet. The
session of ``user_api.py`` also runs, small, so that what type-checks works as well.

mypy comes with the ``test`` extra; without it the mypy checks skip. Its cache goes to a
temporary folder, never into the repository.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import pathlib
import sys
import typing

import pytest

import forecast
from forecast.scenarios import Assumption, Distribution, register

ROOT = pathlib.Path(__file__).resolve().parents[1]
USER_API = ROOT / "tests" / "typing" / "user_api.py"
EXAMPLES = sorted((ROOT / "examples").glob("[0-9][0-9]_*.py"))

#: mypy's settings for user code: the package from this repository (not an installed
#: copy), followed silently; an optional dependency missing here is not the users' error
MYPY_CONFIG = """\
[mypy]
mypy_path = {src}
follow_imports = silent
cache_dir = {cache}
strict_equality = True
warn_unused_ignores = True

[mypy-matplotlib.*,pandas.*]
ignore_missing_imports = True
"""


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _release(version: str) -> tuple[int, int]:
    major, minor = (version.split(".") + ["0"])[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory) -> dict[pathlib.Path, list[str]]:
    """mypy's error lines on the user files, by file (one run for all of them)."""
    api = pytest.importorskip("mypy.api")
    # the annotations are checked against the current libraries' own types: matplotlib
    # has type hints from 3.8, and numpy's stubs changed at 2.0 (the minimum-versions job
    # of .ci/run installs matplotlib 3.7 and numpy 1.26; their runtime is tested there)
    import numpy

    old = [f"{name} {version}" for name, version, first in (
        ("numpy", numpy.__version__, (2, 0)),
        ("matplotlib", _version("matplotlib"), (3, 8))) if version and _release(version) < first]
    if old:
        pytest.skip(f"type-checked against numpy >= 2 and matplotlib >= 3.8; here {old}")
    tmp = tmp_path_factory.mktemp("mypy")
    config = tmp / "mypy.ini"
    config.write_text(MYPY_CONFIG.format(src=ROOT / "src", cache=tmp / "cache"))
    files = [*EXAMPLES, USER_API]
    out, err, status = api.run(["--config-file", str(config), "--no-error-summary",
                                "--show-absolute-path", *map(str, files)])
    assert status in (0, 1), f"mypy did not run: {err}{out}"  # 2: a crash or bad usage
    report: dict[pathlib.Path, list[str]] = {f: [] for f in files}
    for line in out.splitlines():
        path = pathlib.Path(line.split(":", 1)[0])
        report.setdefault(path, []).append(line)
    return report


@pytest.mark.slow
def test_the_typed_user_session_type_checks(mypy_report):
    errors = mypy_report[USER_API] + [line for path, lines in mypy_report.items()
                                      if path not in (USER_API, *EXAMPLES) for line in lines]
    assert not errors, "mypy on tests/typing/user_api.py:\n" + "\n".join(errors)


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_type_checks(mypy_report, example):
    assert not mypy_report[example], f"mypy on examples/{example.name}:\n" + "\n".join(
        mypy_report[example])


def _user_api(monkeypatch):
    """tests/typing/user_api.py as a module (by path: its folder is no package)."""
    spec = importlib.util.spec_from_file_location("_typing_user_api", USER_API)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_typed_user_session_runs(monkeypatch):
    """Every call of user_api.py works: its types describe what the package does."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        made = _user_api(monkeypatch).session(n_paths=50)
    finally:
        plt.close("all")
    assert isinstance(made["projection"], forecast.Projection)
    assert isinstance(made["chance"], float)
    assert made["names"] == ["US", "EU"]
    assert [type(e).__name__ for e in made["failed"]] == ["ModelError"]
    assert made["titles"][0] == "Levy"  # the scenario, as charts name it


def test_register_returns_the_type_it_is_given():
    """register() is typed with a TypeVar bound to type[Assumption], so checkers keep
    LevelShift as LevelShift (pyright reads a class decorator's return type; mypy does
    not, so it cannot see a regression: this checks the annotation itself)."""
    hints = typing.get_type_hints(register)
    assert isinstance(hints["cls"], typing.TypeVar)
    assert hints["return"] is hints["cls"]
    assert hints["cls"].__bound__ == type[Assumption]


def test_what_is_declared_for_checkers_only_changes_nothing_at_run_time():
    """The declarations under TYPE_CHECKING (Assumption's name and probability, the
    distributions' mean and quantile, the constructors' accepted types) leave the
    classes, their fields and the dataclass __init__ signatures as they were."""
    fields = {cls: [f.name for f in dataclasses.fields(cls)] for cls in (
        forecast.LevelShift, forecast.GrowthShift, forecast.Group, forecast.Diversion,
        forecast.Scenario, forecast.ScenarioSet, forecast.AnnualSeries)}
    assert fields == {
        forecast.LevelShift: ["start", "size", "phase_in", "name", "probability"],
        forecast.GrowthShift: ["start", "delta", "end", "half_life", "name", "probability"],
        forecast.Group: ["name", "parts", "probability"],
        forecast.Diversion: ["source", "rate", "market", "to", "name"],
        forecast.Scenario: ["name", "assumptions", "description"],
        forecast.ScenarioSet: ["scenarios", "probabilities"],
        forecast.AnnualSeries: ["years", "values", "unit", "name"],
    }
    assert Assumption.__bases__ == (object,)
    assert dataclasses.fields(Assumption) == ()
    for name in ("mean", "quantile"):
        assert not hasattr(Distribution, name), name
    params = inspect.signature(forecast.Scenario).parameters
    assert str(params["assumptions"].annotation) == "tuple[Assumption, ...]"  # the field's
