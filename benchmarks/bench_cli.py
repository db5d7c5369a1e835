"""Time the command line as whole processes: ``forecast --help`` and the default ``run``.

Targets (issue 6): ``forecast --help`` at most 0.5 s, the default ``forecast run`` (the
README's main job: 7 presets x 10,000 paths to 2035, charts and report) at most 15 s on
a 2-core machine. As a baseline measured in the same run, ``python -c pass`` and
``python -c "import numpy, pandas, statsmodels.api, matplotlib.figure"`` (the
unavoidable start-up cost) are timed too, and the ratios printed.

Run from the repository root: ``python benchmarks/bench_cli.py [--repeat 3] [--skip-run]``.
The stages of ``run`` are timed in-process as well, to show where the time goes.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                os.environ.get("PYTHONPATH")])),
           MPLBACKEND="Agg")


def wall(cmd: list[str], cwd: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


STAGES = """
import time; t0 = time.perf_counter(); marks = []
def mark(name):
    global t0
    t = time.perf_counter(); marks.append((name, t - t0)); t0 = t
import numpy, pandas; mark("import numpy, pandas")
import forecast
from forecast import presets, report
records = forecast.load_releases(); mark("load_releases")
history = forecast.reconstruct(records); mark("reconstruct")
from forecast.cli import DEFAULT_IMPUTATIONS as K
fit = forecast.Auto(imputations=K).fit(history, seed=1); mark(f"Auto(imputations={K}).fit")
scen = presets.scenario_set()
proj = forecast.project(fit, scen, to=2035, n_paths=10_000, seed=1); mark("project")
dec = {n: proj.decompose(n) for n in proj.scenario_names[1:]}; mark("decompose x6")
import matplotlib.figure; mark("import matplotlib")
figs = report.render_figures(proj, history=history, decompositions=dec); mark("4 charts")
report.write_report(proj, "r.html", history=history, fit=fit, records=records, figures=figs)
mark("report.html")
for name, t in marks:
    print(f"  {name:<28s} {t:6.2f} s")
print(f"  {'total':<28s} {sum(t for _, t in marks):6.2f} s")
t0 = time.perf_counter()
forecast.Auto().fit(history, seed=1)
print(f"  (for comparison: Auto().fit(history), the library's 20 imputations: "
      f"{time.perf_counter() - t0:.2f} s)")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-run", action="store_true", help="time --help only")
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare = wall([py, "-c", "pass"], tmp, args.repeat)
        helpt = wall([py, "-m", "forecast", "--help"], tmp, args.repeat)
        print(f"python -c pass            {bare:6.2f} s")
        print(f"forecast --help           {helpt:6.2f} s  (target <= 0.5 s; "
              f"{helpt / bare:.1f}x bare interpreter)")
        if args.skip_run:
            return
        imports = wall([py, "-c", "import numpy, pandas, statsmodels.api, matplotlib.figure"],
                       tmp, 1)
        run = wall([py, "-m", "forecast", "run", "--quiet", "--seed", "1"], tmp,
                   max(1, args.repeat // 2))
        print(f"import numpy..matplotlib  {imports:6.2f} s")
        print(f"forecast run (default)    {run:6.2f} s  (target <= 15 s; "
              f"{run / imports:.1f}x the imports alone)")
        print("stages of the default run, in-process:")
        subprocess.run([py, "-c", STAGES], cwd=tmp, env=ENV, check=True,
                       stderr=subprocess.DEVNULL)
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
