"""The command line with stdout or stderr closed (``>&-``, ``2>&-``), as cron, a daemon or
a careless script starts it.

Python leaves ``sys.stdout`` (``sys.stderr``) None then: every print failed with an
AttributeError (exit 1, a traceback) after the outputs were written, or, with stderr
closed, before the run started; a warning went to stdout. Text nobody can read is
dropped, as after a reader that stopped early (``| head``), and the exit code says what
happened.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
SMALL = ["--model", "drift", "--paths", "100", "--seed", "1", "--to", "2030"]


def _env() -> dict:
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("PYTHONWARNINGS", None)  # the command line's own warning lines are tested
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def _closed(tmp: pathlib.Path, redirect: str, *args: str) -> tuple[int, str, str]:
    """Run ``forecast ARGS`` with `redirect` (``>&-``, ``2>&-``) applied by the shell."""
    proc = subprocess.run(["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m",
                           "forecast", *args], env=_env(), cwd=tmp, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def _complete(folder: pathlib.Path) -> bool:
    marker = json.loads((folder / ".forecast-output.json").read_text())
    listed = set(marker["files"])
    return listed == {p.name for p in folder.iterdir()} - {".forecast-output.json"} and \
        (folder / "report.html").stat().st_size > 0


def test_a_closed_stdout_drops_the_text_and_keeps_the_files(tmp_path):
    cases = {
        "history": ["history", "--out", "h.csv"],
        "data": ["data"],
        "run": ["run", *SMALL, "--scenario", "baseline", "--out", "o3", "--quiet"],
        "both": ["run", *SMALL, "--scenario", "baseline", "--out", "o4"],
    }
    redirects = {"both": ">&- 2>&-"}
    with ThreadPoolExecutor(max_workers=2) as ex:
        got = dict(zip(cases, ex.map(lambda k: _closed(tmp_path, redirects.get(k, ">&-"),
                                                       *cases[k]), cases), strict=True))
    for name, (code, out, err) in got.items():
        assert (code, out, err) == (0, "", ""), (name, err)
    assert (tmp_path / "h.csv").read_text().startswith("year,")
    assert _complete(tmp_path / "o3")
    assert _complete(tmp_path / "o4")


def test_a_closed_stderr_skips_progress_and_warnings(tmp_path):
    """Without --quiet the progress check asked a closed stderr whether it was a terminal
    and the run stopped before it started; a warning was printed to stdout instead."""
    toml = str(ROOT / "examples" / "04_custom_scenario.toml")
    cases = {
        "run": ["run", *SMALL, "--scenario", "baseline", "--out", "o8"],
        # a subset of weighted scenarios: the run warns that it has no mixture
        "warns": ["run", toml, *SMALL, "--scenario", "baseline", "--out", "o9", "-q"],
    }
    with ThreadPoolExecutor(max_workers=2) as ex:
        got = dict(zip(cases, ex.map(lambda k: _closed(tmp_path, "2>&-", *cases[k]), cases),
                       strict=True))
    for name, (code, out, err) in got.items():
        assert code == 0, (name, out)
        assert err == ""
        assert "Wrote" in out, (name, out)
        assert "warning" not in out, (name, out)
        assert "Traceback" not in out, (name, out)
    assert _complete(tmp_path / "o8")
    assert _complete(tmp_path / "o9")
