"""The library logs through ``logging.getLogger("forecast")`` and is silent by default."""

from __future__ import annotations

import logging
import subprocess
import sys

import forecast


def test_the_forecast_logger_has_a_null_handler():
    handlers = logging.getLogger("forecast").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_silent_by_default_and_informative_when_asked(tmp_path, caplog):
    code = (
        "import logging, forecast\n"
        "v = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(12)]\n"
        "s = forecast.AnnualSeries(range(2010, 2022), v)\n"
        "forecast.compare([], s, origins=[2018, 2019], horizon=1, n_paths=100, seed=0)\n"
        "logging.getLogger('forecast').warning('a warning reaches no handler by default')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert run.stderr == ""  # no print, and no lastResort output: the NullHandler is there
    values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(12)]
    s = forecast.AnnualSeries(range(2010, 2022), values)
    with caplog.at_level(logging.INFO, logger="forecast"):
        forecast.compare([], s, origins=[2018, 2019], horizon=1, n_paths=100, seed=0)
    assert any("backtest:" in r.getMessage() for r in caplog.records)
