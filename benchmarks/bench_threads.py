"""Does the library's own BLAS limit pay? Fits and projections with and without it.

``forecast`` holds BLAS to one thread inside fits, reconstructions and chunks of paths
(``forecast._threads``, with the optional threadpoolctl) unless the user has set
``OPENBLAS_NUM_THREADS`` (or ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``). This script runs,
in one Python process with numpy's default BLAS threads, each workload with the limit
(the library's default) and without it (``OPENBLAS_NUM_THREADS`` set to the core count,
the documented opt-out), rounds interleaved, first on a quiet machine, then with
``--busy`` processes spinning on the cores (another job, a notebook kernel, a browser):

- ``reconstruct()``: the US history (statsmodels' Kalman filter and smoother);
- ``Auto().fit(history)``: 20 history draws x 3 members;
- ``fit_many(Auto(), M1)``: the 181 M1 yearly training series.

Ratios are "without / with" the limit, of the minima and of the medians over rounds. The
projection engine is not limited: with the limit around each chunk of paths, 7 presets x
100,000 paths took the same time with and without it (0.99x quiet, 1.02x busy, minima).

Run from the repository root: ``python benchmarks/bench_threads.py [--rounds 5] [--busy 2]``
(writes ``benchmarks/results/bench_threads.md``; needs threadpoolctl: ``pip install
'.[threads]'``). Not run by pytest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # it pins BLAS threads to 1: undone below, before numpy loads

for _var in _common.THREAD_VARS:
    os.environ.pop(_var, None)

# isort: split

from accuracy import load_cases  # noqa: E402

import forecast  # noqa: E402

OUT = _common.ROOT / "benchmarks" / "results" / "bench_threads.md"
SPIN = "while True: pass"


def _blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        raise SystemExit("bench_threads needs threadpoolctl: pip install '.[threads]'") from None
    return ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info()
                     if i["user_api"] == "blas")


def _workloads():
    records = forecast.load_releases()
    history = forecast.reconstruct(records)
    spec = forecast.Auto()
    series = [forecast.AnnualSeries(c.years, c.train) for c in load_cases()]
    return {
        "reconstruct()": lambda: forecast.reconstruct(records),
        "Auto().fit(history)": lambda: spec.fit(history, seed=1),
        f"fit_many(Auto(), {len(series)} M1)": lambda: forecast.fit_many(spec, series),
    }


def _run(cases, rounds: int) -> dict[tuple[str, bool], list[float]]:
    times: dict[tuple[str, bool], list[float]] = {}
    for _ in range(rounds):
        for name, work in cases.items():
            for limited in (True, False):
                if limited:
                    os.environ.pop("OPENBLAS_NUM_THREADS", None)
                else:
                    os.environ["OPENBLAS_NUM_THREADS"] = str(os.cpu_count())
                t0 = time.perf_counter()
                work()
                times.setdefault((name, limited), []).append(time.perf_counter() - t0)
    os.environ.pop("OPENBLAS_NUM_THREADS", None)
    return times


def _table(times, cases) -> list[str]:
    rows = ["| workload | with the limit, s (min / median) | without, s (min / median) | "
            "without / with (min / median) |", "|---|---|---|---|"]
    for name in cases:
        w, wo = times[(name, True)], times[(name, False)]
        rows.append(f"| {name} | {min(w):.3f} / {statistics.median(w):.3f} | "
                    f"{min(wo):.3f} / {statistics.median(wo):.3f} | "
                    f"**{min(wo) / min(w):.2f}x** / "
                    f"{statistics.median(wo) / statistics.median(w):.2f}x |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--busy", type=int, default=2,
                    help="processes spinning during the second part (default 2)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    threads = _blas_threads()
    header = (f"{_common.machine_note()}; numpy's BLAS threads by default: {threads}; "
              f"command: `python benchmarks/bench_threads.py {' '.join(sys.argv[1:])}`")
    print(header)
    cases = _workloads()
    for work in cases.values():  # warm-up: imports, caches
        work()
    out = ["# BLAS threads inside the library: with and without the limit", "", header, "",
           f"{args.rounds} rounds, workloads and the two settings interleaved; 'without' "
           "sets OPENBLAS_NUM_THREADS (the opt-out), so numpy's BLAS keeps its default "
           "threads.", ""]
    out += ["## Quiet machine", "", *_table(_run(cases, args.rounds), cases), ""]
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.busy)]
    try:
        time.sleep(0.5)
        busy = _run(cases, args.rounds)
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    out += [f"## Busy machine: {args.busy} processes spinning", "", *_table(busy, cases), ""]
    _common.write_result(args.out, "\n".join(out) + "\n")


if __name__ == "__main__":
    main()
