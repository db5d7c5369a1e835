"""A run of several markets is recorded as a run of one market is (probe 36c, defect 5).

``forecast run --markets`` wrote no library versions to settings.json, and its report's
"Reproduce" section was a settings table alone: no versions, no command, no Python. Now
settings.json has the versions, and the report has the single-market report's blocks;
its Python code, run in a fresh interpreter, gives the run's summary.csv again.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
from test_cli import _env

from forecast import cli
from forecast.report.reproduce import versions

#: What the report's code is followed by in the subprocess: the run's summary, as written.
SUMMARY = """
proj.summary_frame((50, 80, 95)).to_csv(OUT, index=False)
"""


def _code(page: str) -> str:
    """The report's Python block, as a reader copies it."""
    block = page.split('id="reproduce"')[1].split("<h3>Python</h3><pre>")[1].split("</pre>")[0]
    return html.unescape(re.sub(r"<[^>]+>", "", block))


def test_a_markets_run_records_versions_and_its_report_reproduces_it(tmp_path, capsys):
    out = tmp_path / "m"
    code = cli.main(["run", "--markets", "US,EU", "--paths", "200", "--seed", "3", "--to",
                     "2029", "--scenario", "baseline", "--scenario", "friction_diversion",
                     "--no-plot", "--quiet", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    settings = json.loads((out / "settings.json").read_text())
    assert settings["versions"] == versions()
    assert (settings["flow"], settings["segment"]) == ("offshore_execution", "all")
    page = (out / "report.html").read_text()
    reproduce = page.split('id="reproduce"')[1]
    for block in ("Library versions", "Command", "Python", "Settings"):
        assert f"<h3>{block}</h3>" in reproduce
    assert f'<td data-label="version">{versions()["numpy"]}</td>' in reproduce
    assert "<span class=\"word\">--markets</span>" in reproduce  # the command, kept whole
    python = _code(page)
    assert "forecast.reconstruct_markets(records, markets=('US', 'EU')" in python
    assert "forecast.BottomUpModel(forecast.Auto(imputations=20)).fit(history, seed=3)" \
        in python
    assert "forecast.market_presets.scenario_set()" in python
    # run as a reader would: a fresh interpreter, the code as shown, then the summary
    again = tmp_path / "again.csv"
    script = python + SUMMARY.replace("OUT", repr(str(again)))
    done = subprocess.run([sys.executable, "-c", script], env=_env(), cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    run, rerun = pd.read_csv(out / "summary.csv"), pd.read_csv(again)
    assert list(run.columns) == list(rerun.columns)
    assert run[["market", "scenario", "year"]].equals(rerun[["market", "scenario", "year"]])
    np.testing.assert_allclose(rerun.select_dtypes("number").to_numpy(),
                               run.select_dtypes("number").to_numpy(), rtol=1e-12)
