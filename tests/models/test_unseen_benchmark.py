"""benchmarks/unseen.py, whose table docs/models.md quotes ("Series unlike M1: known
processes"), runs: a tiny version in a subprocess writes the tables it should, with the
oracle's own scores where they must be and no failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "unseen.py"
PROCESSES = ("rw_sd10", "drop40", "rw_sd10_n3")
METHODS = ("Drift()", "LocalLinearTrend()", "**Auto()**", "Auto(scale='log')")


def _rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row (header and separator rows included)."""
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("unseen") / "unseen.md"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                      env.get("PYTHONPATH")]))
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--series", "3", "--paths", "200", "--processes",
         *PROCESSES, "--families", "Drift", "LocalLinearTrend", "Auto", "Auto-log",
         "--out", str(out)], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_benchmark_writes_a_row_per_process_and_method(table):
    assert table.startswith("# Series unlike M1: known processes (h = 6)")
    assert "command: `python benchmarks/unseen.py --series 3" in table
    rows = _rows(table)
    full = [r for r in rows if len(r) > 12 and r[0] in PROCESSES]
    assert [(r[0], r[1]) for r in full] == [(p, m) for p in PROCESSES
                                            for m in ("oracle", *METHODS)]
    summary = [r for r in rows if 6 < len(r) <= 12 and r[0] in PROCESSES]
    assert [r[0] for r in summary] == list(PROCESSES)
    definitions = [r for r in rows if len(r) == 3 and r[0] in PROCESSES]
    assert [(r[0], r[1]) for r in definitions] == [("rw_sd10", "20"), ("drop40", "20"),
                                                    ("rw_sd10_n3", "3")]


@pytest.mark.slow
def test_the_oracle_scores_itself_and_nothing_fails(table):
    cols = _rows(table)[[len(r) > 12 for r in _rows(table)].index(True)]
    rows = [dict(zip(cols, r, strict=True)) for r in _rows(table)
            if len(r) == len(cols) and r[0] in PROCESSES]
    for r in rows:
        assert (r["errors"], r["non-finite"]) == ("0", "0"), r
        if r["method"] == "oracle":
            assert (r["scored"], r["MSIS/oracle"]) == ("3/3", "1.00")
        if r["scored"] != "0/3":
            assert 0.0 <= float(r["cov80"]) <= float(r["cov95"]) <= 1.0
    llt_short = next(r for r in rows if r["process"] == "rw_sd10_n3"
                     and r["method"] == "LocalLinearTrend()")
    assert (llt_short["scored"], llt_short["no fit"]) == ("0/3", "3")  # needs 6 years
    assert "BUG" not in table
