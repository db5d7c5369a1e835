"""The README's promises: its Python example runs and its set-up commands are the CI's."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no Python example"
    code = blocks[0].replace("n_paths=10_000", "n_paths=2_000")
    assert "seed=" in code.split(".fit(")[1].split("\n")[0], "the README's fit passes a seed"
    outs = []
    for _ in range(2):  # the same numbers every run: the example seeds the fit and the paths
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
        outs.append(capsys.readouterr().out)
    assert "fragmentation" in outs[0]
    assert "trade_friction" in outs[0]
    assert outs[0] == outs[1]


def test_readme_setup_commands_are_what_ci_runs():
    first_block = re.search(r"```bash\n(.*?)```", README, flags=re.S).group(1)
    assert 'pip install ".[all]" && forecast run' in first_block
    assert 'pip install -e ".[test]" && pytest' in first_block
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[test]"' in ci
    assert "\npytest" in ci
    assert "forecast run" in ci


def test_ci_tests_the_lowest_versions_pyproject_allows():
    """.ci/minimum-versions.txt pins each declared lower bound (or a patch release of it)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += [d for d in extra if not d.startswith("forecast[")]
    bounds = dict(re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", d).groups() for d in declared)
    bounds.pop("ruff")  # the linter runs in the newest environment only
    text = (ROOT / ".ci" / "minimum-versions.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([0-9.]+)$", text, flags=re.M))
    for name, low in bounds.items():
        assert name in pins, f"{name}>={low} is declared but not pinned"
        parts = low.split(".")
        assert pins[name].split(".")[: len(parts)] == parts, (name, low, pins[name])
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -c .ci/minimum-versions.txt -e ".[test]"' in ci
