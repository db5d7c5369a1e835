"""Time and memory of the multi-market run against the single-market ``forecast run``.

Target (issue 14): the joint reconstruction plus a 4-market, 7-preset projection of
10,000 paths to 2035 within 3x the time of the single-market ``forecast run``, with
memory bounded as today. Both are measured in the same run, as whole processes (imports,
charts and report included), alternating so that a busy machine slows both alike:

- single: ``forecast run --seed 1`` (US, 7 presets, 10,000 paths, to 2035);
- markets: ``forecast run --markets US,EU,HK,JP --seed 1`` with the same 7 presets
  (``--scenario`` x 7), and with the 9 market presets (the 7 plus the two diversion
  scenarios) for reference.

Each process reports its own CPU time and peak resident memory (``ru_maxrss``). The
stages of the markets run are timed in-process as well.

Run from the repository root: ``python benchmarks/bench_markets.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import ROOT, STAGE_TIMER  # it also pins BLAS to one thread

ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                os.environ.get("PYTHONPATH")])),
           MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
PRESETS = ("baseline", "managed_friction", "escalation", "digital_opening",
           "green_partnership", "cooperation", "fragmentation")

# runs the command line in this process and prints wall, CPU and peak memory as JSON
PROBE = """
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from forecast.cli import main
code = main(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"code": code, "wall": time.perf_counter() - t0,
                  "cpu": time.process_time() - c0, "max_rss_mb": usage.ru_maxrss / 1024}))
"""

STAGES = STAGE_TIMER + """
import forecast
from forecast import presets
from forecast.report import market_figures, write_markets_report
records = forecast.load_releases(); mark("load_releases")
mh = forecast.reconstruct_markets(records); mark("reconstruct_markets (4 markets)")
from forecast.cli import DEFAULT_IMPUTATIONS as K
spec = forecast.Auto(imputations=K)
fit = forecast.BottomUpModel(spec).fit(mh, seed=1); mark("BottomUpModel fit (5 x Auto)")
mp = forecast.project_markets(fit, presets.scenario_set(), to=2035, n_paths=10_000, seed=1)
mark("project_markets (7 presets)")
figs = market_figures(mp); mark("2 charts")
write_markets_report(mp, "m.html", records=records, figures=figs); mark("report.html")
for name, t in marks:
    print(f"  {name:<34s} {t:6.2f} s")
print(f"  {'total':<34s} {sum(t for _, t in marks):6.2f} s")
"""


def probe(args: list[str], cwd: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=ENV, check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"forecast {' '.join(args)} failed with code {result['code']}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scen = [a for s in PRESETS for a in ("--scenario", s)]
    runs = {"single (US, 7 presets)": ["run", "--quiet", "--seed", "1", "--out", "single"],
            "markets (4 + ROW, 7 presets)": ["run", "--quiet", "--seed", "1", "--markets",
                                             "US,EU,HK,JP", *scen, "--out", "markets7"],
            "markets (4 + ROW, 9 presets)": ["run", "--quiet", "--seed", "1", "--markets",
                                             "US,EU,HK,JP", "--out", "markets9"]}
    results: dict[str, list[dict]] = {k: [] for k in runs}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):  # alternate, so that load affects all alike
            for name, cmd in runs.items():
                results[name].append(probe(cmd, tmp))
        print(f"{'run':<30s} {'wall s':>7s} {'cpu s':>7s} {'peak MB':>8s}  (median of "
              f"{args.repeat})")
        med = {}
        for name, rs in results.items():
            med[name] = {k: statistics.median(r[k] for r in rs) for k in
                         ("wall", "cpu", "max_rss_mb")}
            m = med[name]
            print(f"{name:<30s} {m['wall']:7.2f} {m['cpu']:7.2f} {m['max_rss_mb']:8.0f}")
        single, joint = med["single (US, 7 presets)"], med["markets (4 + ROW, 7 presets)"]
        print(f"ratio markets / single: wall {joint['wall'] / single['wall']:.2f}x, CPU "
              f"{joint['cpu'] / single['cpu']:.2f}x (target <= 3x), peak memory "
              f"{joint['max_rss_mb'] / single['max_rss_mb']:.2f}x")
        print("stages of the markets run, in-process:")
        subprocess.run([sys.executable, "-c", STAGES], cwd=tmp, env=ENV, check=True,
                       stderr=subprocess.DEVNULL)
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
