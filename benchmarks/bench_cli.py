"""Time the command line as whole processes: ``forecast --help`` and the default ``run``.

Targets: ``forecast --help`` at most 0.5 s wall; the default ``forecast run`` (the
README's main job: 7 presets x 10,000 paths to 2035, 20 history draws, a tornado, the
charts as PNG files and the HTML report with its SVG charts) at most 15 s wall on a
2-core machine, and at most 1.3 times the CPU time of its unavoidable imports,
``python -c "import statsmodels.api, matplotlib.pyplot, pandas"`` (issue 10's floor).

``forecast run --no-plot`` (the same without matplotlib: tables and a report without
charts) shows what the charts cost. Every command is run once per round, rounds
interleaved, so that the floor and the run see the same machine; the table gives the min
and the median over rounds of the wall time and of the CPU time (user + system of the
child, from ``os.wait4``), and the ratios of the run to the floor (min/min and
median/median). The stages of ``run`` are then timed in-process, to show where the time
goes.

Run from the repository root: ``python benchmarks/bench_cli.py [--rounds 3]`` (writes
``benchmarks/results/bench_cli.md``); ``--skip-run`` times ``--help`` only and prints.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, STAGE_TIMER, machine_note, write_result  # first: it pins the BLAS threads

OUT = ROOT / "benchmarks" / "results" / "bench_cli.md"
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                os.environ.get("PYTHONPATH")])),
           MPLBACKEND="Agg")
FLOOR = "import statsmodels.api, matplotlib.pyplot, pandas"


def timed(cmd: list[str], cwd: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run of `cmd`."""
    import time

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


STAGES = STAGE_TIMER + """
import numpy, pandas; mark("import numpy, pandas")
import forecast
from forecast import presets, report, tornado
records = forecast.load_releases(); mark("load_releases")
history = forecast.reconstruct(records); mark("reconstruct (imports statsmodels)")
fit = forecast.Auto().fit(history, seed=1); mark("Auto().fit (20 history draws)")
scen = presets.scenario_set()
proj = forecast.project(fit, scen, to=2035, n_paths=10_000, seed=1); mark("project")
frames = (proj.summary_frame((50, 80, 95)), proj.to_frame()); mark("tables")
dec = {n: proj.decompose(n) for n in proj.scenario_names[1:]}; mark("decompose x6")
s = max(proj.scenarios, key=lambda s: len(s.parameters()))
sens = tornado(fit, s, [2030, 2035], n_paths=2000, seed=1); mark("tornado")
import matplotlib.figure; mark("import matplotlib")
sets = report.render_figure_sets(proj, history=history, decompositions=dec,
                                 sensitivity=sens, narrow=True)
mark(f"{len(sets['png'])} charts: SVG + PNG, and phone SVG")
report.write_report(proj, "r.html", history=history, fit=fit, records=records,
                    decompose=dec, sensitivity=sens, figures=sets["svg"])
mark("report.html")
for name, t in marks:
    print(f"| {name} | {t:.2f} |")
print(f"| total | {sum(t for _, t in marks):.2f} |")
"""


def _mm(xs: list[float]) -> tuple[float, float]:
    return min(xs), statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", "--repeat", dest="rounds", type=int, default=3)
    ap.add_argument("--skip-run", action="store_true", help="time --help only; prints only")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"Markdown output (default {OUT.relative_to(ROOT)})")
    args = ap.parse_args()
    py = sys.executable
    cases = {"python -c pass": [py, "-c", "pass"],
             "forecast --help": [py, "-m", "forecast", "--help"]}
    if not args.skip_run:
        cases[f'floor: python -c "{FLOOR}"'] = [py, "-c", FLOOR]
        cases["forecast run --quiet --seed 1"] = [py, "-m", "forecast", "run", "--quiet",
                                                   "--seed", "1", "--force"]
        cases["forecast run --quiet --seed 1 --no-plot"] = [
            py, "-m", "forecast", "run", "--quiet", "--seed", "1", "--force", "--no-plot",
            "--out", "no-plot"]
    command = " ".join(["python benchmarks/bench_cli.py", *sys.argv[1:]])
    header = f"{machine_note()}; command: `{command}`"
    print(header)
    wall: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    with tempfile.TemporaryDirectory() as tmp:
        for cmd in cases.values():  # warm-up: file caches, .pyc files
            timed(cmd, tmp)
        for _ in range(args.rounds):
            for k, cmd in cases.items():
                w, c = timed(cmd, tmp)
                wall[k].append(w)
                cpu[k].append(c)
        rows = ["| command | wall s (min / median) | cpu s (min / median) |", "|---|---|---|"]
        for k in cases:
            (wl, wm), (cl, cm) = _mm(wall[k]), _mm(cpu[k])
            rows.append(f"| `{k}` | {wl:.2f} / {wm:.2f} | {cl:.2f} / {cm:.2f} |")
        out = ["# Command-line timings: whole processes", "", header, "",
               f"{args.rounds} rounds, interleaved, after one warm-up run of each; cpu = "
               "user + system time of the process (os.wait4).", "", *rows, ""]
        hl, bl = min(wall["forecast --help"]), min(wall["python -c pass"])
        out.append(f"- `forecast --help`: {hl:.2f} s wall (target <= 0.5 s), "
                   f"{hl / bl:.1f}x the bare interpreter")
        if not args.skip_run:
            run, floor = "forecast run --quiet --seed 1", f'floor: python -c "{FLOOR}"'
            (rl, rm), (fl, fm) = _mm(cpu[run]), _mm(cpu[floor])
            out.append(f"- `forecast run`: {min(wall[run]):.2f} s wall (target <= 15 s); cpu "
                       f"**{rl / fl:.2f}x / {rm / fm:.2f}x** the import floor (min / median; "
                       "target <= 1.3)")
            (nl, nm) = _mm(cpu[run + " --no-plot"])
            out.append(f"- `forecast run --no-plot` (tables, report without charts): cpu "
                       f"{nl / fl:.2f}x / {nm / fm:.2f}x the import floor")
            stages = subprocess.run([py, "-c", STAGES], cwd=tmp, env=ENV, check=True,
                                    capture_output=True, text=True).stdout
            out += ["", "Stages of the default run, in-process (one run, seconds):", "",
                    "| stage | s |", "|---|---|", stages.rstrip(), ""]
    text = "\n".join(out) + "\n"
    if args.skip_run and args.out is None:
        print(text)
        return
    write_result(args.out or OUT, text)


if __name__ == "__main__":
    main()
