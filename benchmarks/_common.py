"""What the benchmark scripts share: the repository root, the header line about the
machine and the software measured, writing a result file, and the stage timer of the
in-process stage breakdowns.

Import this module before numpy in a benchmark script: importing it pins the BLAS and
OpenMP thread pools to one thread (a 2-core machine; fair against single-threaded R).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from pathlib import Path

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMBA_NUM_THREADS")
for _var in THREAD_VARS:  # before numpy is first imported
    os.environ[_var] = "1"

ROOT = Path(__file__).resolve().parent.parent

#: Preamble of a script run with ``python -c``: ``mark(name)`` records the seconds since
#: the previous mark under `name` in ``marks``.
STAGE_TIMER = """
import time; t0 = time.perf_counter(); marks = []
def mark(name):
    global t0
    t = time.perf_counter(); marks.append((name, t - t0)); t0 = t
"""


def _git(*cmd: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), *cmd], capture_output=True,
                              text=True, check=True).stdout.strip() or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_note() -> str:
    """One line about the machine and the software measured (with the date and time)."""
    import numpy as np
    import pandas as pd

    import forecast

    commit = f"{_git('rev-parse', '--short', 'HEAD')}, src/ at " \
             f"{_git('log', '-1', '--format=%h', '--', 'src')}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return (f"{_dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; "
            f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores (load average "
            f"{load} at start), BLAS threads {blas}; Python {platform.python_version()}, numpy "
            f"{np.__version__}, pandas {pd.__version__}; forecast {forecast.__version__} "
            f"(git {commit})")


def write_result(out: Path | None, text: str, echo: bool = True) -> None:
    """Print ``text`` (if ``echo``) and, unless ``out`` is None, write it to ``out``."""
    if echo:
        print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")


def plain_cell(v: object) -> str | None:
    """A table cell that needs no column rule (text, an integer, NaN), else None.

    Standard library only, as this module is imported before numpy (numpy's integers
    are ``numbers.Integral``).
    """
    import math
    import numbers

    if isinstance(v, str):
        return v
    if isinstance(v, numbers.Integral):
        return str(int(v))
    x = float(v)  # type: ignore[arg-type]
    return "n/a" if math.isnan(x) else None


def markdown_table(rows: list[dict], cell, bold=None) -> str:
    """A Markdown table of `rows` (the first row's keys are the columns), each value
    written by ``cell(column, value)``; the second cell of a row is bold where
    ``bold(row)`` is true."""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        cells = [cell(c, r.get(c, "")) for c in cols]
        if bold is not None and bold(r):
            cells[1] = f"**{cells[1]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

