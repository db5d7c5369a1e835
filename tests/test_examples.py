"""Every example in examples/ runs, small, in a temporary folder, and writes its files.

Examples run in this process (``runpy``, as ``__main__``) so that the suite stays fast:
the default reconstruction of the embedded data, which every example starts from, is
taken from the session fixture instead of being recomputed eight times; everything else
runs as written. Paths and history draws are shrunk through the environment variables
the examples read.
"""

from __future__ import annotations

import pathlib
import runpy

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from _optional import need

import forecast

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
_DEFAULTS = {"market": "US", "flow": "offshore_execution", "segment": "all", "currency": "USD"}

# example -> files it must write
OUTPUTS = {
    "01_history.py": ["history.png", "history.csv"],
    "02_baseline.py": ["baseline_fan.png"],
    "03_scenarios.py": ["projection_long.csv", "projection_iamc.csv", "comparison.png",
                        "fan_escalation.png"],
    "04_custom_scenario.py": ["mine.toml", "mixture_fan.png"],
    "05_decompose.py": ["decomposition.png"],
    "06_backtest.py": ["pseudo_real_time.csv"],
    "07_sensitivity.py": ["tornado.png"],
    "08_dask.py": [],
    "09_markets.py": ["market_shares.png"],
    "10_many_series.py": ["many_series.csv"],
}


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("[0-9][0-9]_*.py")) == sorted(OUTPUTS)


@pytest.fixture
def small(monkeypatch, tmp_path, us_history, releases):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_EXAMPLE_PATHS", "300")
    monkeypatch.setenv("FORECAST_EXAMPLE_IMPUTATIONS", "2")
    real = forecast.reconstruct

    def reconstruct(records=None, *args, **kw):
        embedded = records is None or records == releases
        if embedded and not args and all(_DEFAULTS.get(k) == v for k, v in kw.items()):
            return us_history
        return real(records, *args, **kw)

    monkeypatch.setattr(forecast, "reconstruct", reconstruct)
    yield tmp_path
    plt.close("all")


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_example_runs(name, small, capsys):
    if name == "08_dask.py":
        need("dask.distributed")
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), "an example must print what it shows"
    for f in OUTPUTS[name]:
        assert (small / f).stat().st_size > 0, f
    if name == "08_dask.py":
        assert "identical to the serial run: True" in out
    if name == "05_decompose.py":
        assert float(out.split("largest difference between parts and gap:")[1].split()[0]) < 1e-6


def test_examples_have_a_docstring_header():
    for path in EXAMPLES.glob("[0-9][0-9]_*.py"):
        text = path.read_text()
        assert text.startswith('"""'), path.name
        assert "Run:" in text.split('"""')[1], path.name
