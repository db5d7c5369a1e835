"""Benchmark of forecast.project against a pure-numpy lower bound measured in the same run.

Run: ``python benchmarks/bench_engine.py [--rounds 5] [--large] [--dask]`` (writes
``benchmarks/results/bench_engine.md``); quick check: ``python benchmarks/bench_engine.py
--limit 3 --rounds 1`` (every path count capped at 3,000; prints only).

Every case is timed once per round, rounds interleaved, and the table gives the min and
the median over rounds; ratios are min/min and median/median of cases timed in this run.
BLAS is single-threaded. The "floor" is the minimum numpy work that produces samples of
the same shape: standard normals + cumsum + exp, in place in a preallocated float64 array
(allocated once, outside the timing).

1. Speed (Drift fitted on the reconstructed US history, as before): the 7 preset
   scenarios x 100,000 paths to 2035 plus 5 quantiles per year, against the lower bound on
   the same total size (n_scenarios * n_paths x years): random normals + cumsum + exp + the
   same 5 quantiles (the fastest of ``np.quantile(axis=1)``, one column at a time, and a
   transposed copy per scenario partitioned in place). Target ratio <= 2.
2. Memory: tracemalloc peak of the same run over the stored path array
   (``samples.nbytes``). Target <= 3.
3. Bounded memory: 1,000,000 paths of one scenario; the peak above the stored arrays
   (samples + baseline log paths) is the chunk workspace, independent of n_paths.

With the default fit, ``Auto().fit(reconstruct(), seed=1)`` (3 families x 20 history draws =
60 members):

a. 7 presets x 100,000 paths to 2035, + quantiles, vs the floor of the same shape;
b. cost per path-step (ns) for one scenario (``escalation``) at 1e4, 1e5, 1e6 paths to 2035
   (and 1e7 with ``--large``: several GB) and at horizons 5, 10, 26, 50, 75 (1e5 paths),
   with the user and kernel (system) CPU time per path-step: faulting in fresh pages for
   the output grows with its size and with the state of the machine's memory (transparent
   huge pages; on a VM, memory given back to the host), and a floor that writes fresh
   arrays of the output's size pays the same kernel time, so it is shown beside;
c. fixed cost of a ``project`` call at 1,000 and 10 paths (ms), one scenario and the 7 presets;
d. the 60-member mixture vs a single-member fit (``DampedTrend().fit(history.series)``) and
   the 3-member ``Auto().fit(history.series)``, 7 presets x 100,000 paths;
e. executors: 7 presets x 1,000,000 paths serial vs ``ProcessPoolExecutor(2)`` vs
   ``ThreadPoolExecutor(2)``: pools are started and used once before timing; speed-up =
   serial / executor.
f. with ``--dask``: what a ``LocalCluster`` of 2 workers costs to start and to use first,
   and the 7 x 1,000,000 run on it at chunk sizes 10,000 and 100,000 against serial.

Not run by pytest.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine_note, write_result  # first: it pins the BLAS threads

# isort: split

import numpy as np

import forecast
from forecast import presets

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MB = 1e6
OUT = ROOT / "benchmarks" / "results" / "bench_engine.md"
TO = 2035
ONE = "escalation"


def baseline_fit():
    """Drift fitted on the reconstructed US history (synthetic series if unavailable)."""
    try:
        series = forecast.reconstruct().series
    except Exception as exc:  # the benchmark must run even if the history stage breaks
        print(f"(history unavailable: {exc!r}; using a synthetic series)")
        rng = np.random.default_rng(0)
        series = forecast.AnnualSeries(
            np.arange(2009, 2026), 2.81 * np.exp(np.cumsum(rng.normal(0.15, 0.08, 17))))
    return forecast.Drift().fit(series)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


#: Kernel (system) and user CPU seconds of each timed call, by case: filled by
#: :func:`interleaved`. Section b shows both, because the rise in cost per path-step at
#: 1e7 paths is the kernel faulting in and zeroing fresh pages for the gigabytes of
#: output, not the engine: the user time per path-step is the engine's own.
SYSTEM: dict[str, list[float]] = {}
USER: dict[str, list[float]] = {}


def interleaved(cases: dict, rounds: int) -> dict[str, list[float]]:
    """Time every case once per round, rounds interleaved; all timings per case."""
    out: dict[str, list[float]] = {k: [] for k in cases}
    SYSTEM.clear()
    USER.clear()
    for _ in range(rounds):
        for k, fn in cases.items():
            gc.collect()
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t = time.perf_counter()
            fn()
            out[k].append(time.perf_counter() - t)
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            SYSTEM.setdefault(k, []).append(r1.ru_stime - r0.ru_stime)
            USER.setdefault(k, []).append(r1.ru_utime - r0.ru_utime)
    return out


def mm(times: list[float]) -> tuple[float, float]:
    """(min, median) of a list of timings."""
    return min(times), statistics.median(times)


def quantiles_axis(x: np.ndarray) -> np.ndarray:
    return np.quantile(x, QUANTILES, axis=1)


def quantiles_columns(x: np.ndarray) -> np.ndarray:
    return np.array([[np.quantile(x[s, :, j], QUANTILES) for j in range(x.shape[2])]
                     for s in range(x.shape[0])])


def quantiles_transposed(x: np.ndarray) -> np.ndarray:
    out = []
    for s in range(x.shape[0]):
        t = np.ascontiguousarray(x[s].T)
        out.append(np.quantile(t, QUANTILES, axis=1, overwrite_input=True))
    return np.stack(out, axis=1)


def lower_bound(n_rows: int, h: int, n_scen: int, quantiles) -> None:
    rng = np.random.default_rng(1)
    z = rng.standard_normal((n_rows, h))
    np.cumsum(z, axis=1, out=z)
    np.exp(z, out=z)
    quantiles(z.reshape(n_scen, n_rows // n_scen, h))


def make_floor(n_rows: int, h: int):
    """The floor: normals + cumsum + exp in place in a float64 array allocated here, once."""
    buf = np.empty((n_rows, h), dtype=np.float64)
    rng = np.random.default_rng(1)

    def run() -> np.ndarray:
        rng.standard_normal(out=buf)
        np.cumsum(buf, axis=1, out=buf)
        np.exp(buf, out=buf)
        return buf
    return run


def make_fresh_floor(n_rows: int, h: int, n_arrays: int = 2):
    """The floor's work written into `n_arrays` arrays of its shape allocated in the call,
    as ``project`` must return fresh memory (one scenario: samples and ``base_log``): what
    the kernel charges for the output's pages, whoever writes them."""
    rng = np.random.default_rng(1)

    def run() -> list[np.ndarray]:
        out = [np.empty((n_rows, h), dtype=np.float64) for _ in range(n_arrays)]
        for buf in out:
            rng.standard_normal(out=buf)
            np.cumsum(buf, axis=1, out=buf)
            np.exp(buf, out=buf)
        return out
    return run


def engine(fit, scenarios, n_paths: int, chunk_size: int):
    proj = forecast.project(fit, scenarios, to=TO, n_paths=n_paths, seed=1,
                            chunk_size=chunk_size)
    proj.quantiles(QUANTILES)
    return proj


def project_only(fit, scenarios, n_paths: int, *, horizon: int | None = None,
                 executor=None):
    """``forecast.project`` to 2035 (or over `horizon` years) with default chunks, seed 1."""
    return forecast.project(fit, scenarios, to=None if horizon else TO, horizon=horizon,
                            n_paths=n_paths, seed=1, executor=executor)


def peak(fn):
    gc.collect()
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def md_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def s_(t: tuple[float, float], unit: str = "s") -> str:
    """'min / median' in seconds (3 decimals) or milliseconds (2 decimals)."""
    if unit == "ms":
        return f"{t[0] * 1e3:.2f} / {t[1] * 1e3:.2f}"
    return f"{t[0]:.3f} / {t[1]:.3f}"


def r_(a: tuple[float, float], b: tuple[float, float]) -> str:
    """Ratios min/min and median/median."""
    return f"{a[0] / b[0]:.2f} / {a[1] / b[1]:.2f}"


# ------------------------------------------------------------------ sections 1-3 (as before)
def legacy(args, cap, out: list[str]) -> None:
    fit = baseline_fit()
    scen = presets.scenario_set()
    h = TO - fit.last_year
    s = len(scen.scenarios)
    paths = cap(args.paths)
    print(f"model {fit.name}, last year {fit.last_year}, {s} scenarios, {paths:,} paths, "
          f"{h} years, chunk {args.chunk:,}")

    # Every candidate is timed once per round, rounds interleaved, and the best round of
    # each is kept: on a shared machine this compares runs made seconds apart.
    empty = [forecast.Scenario(f"empty_{k}") for k in range(s)]  # the engine's own cost
    cases = {
        **{f"bound_{f.__name__}": (lambda f=f: lower_bound(s * paths, h, s, f))
           for f in (quantiles_axis, quantiles_columns, quantiles_transposed)},
        "engine": lambda: engine(fit, scen, paths, args.chunk),
        "engine_no_effects": lambda: engine(fit, empty, paths, args.chunk),
        **{f"engine_chunk_{cs}": (lambda cs=cs: engine(fit, scen, paths, cs))
           for cs in (25_000, 100_000)},
    }
    times = interleaved(cases, args.rounds)
    best = {k: min(v) for k, v in times.items()}
    t_low = min(v for k, v in best.items() if k.startswith("bound_"))
    t_eng, t_own = best["engine"], best["engine_no_effects"]
    out += [f"## 1-3. Drift fit ({fit.name} on the reconstructed US history, last year "
            f"{fit.last_year}), {s} presets x {paths:,} paths x {h} years, chunk "
            f"{args.chunk:,} (best of {args.rounds} rounds)", ""]
    lines = [f"speed: engine {t_eng:.3f} s, numpy lower bound {t_low:.3f} s, "
             f"ratio {t_eng / t_low:.2f} (target <= 2)",
             f"  of which engine without assumption effects {t_own:.3f} s "
             f"(ratio {t_own / t_low:.2f}); assumption effects ~{t_eng - t_own:.3f} s"]
    for cs in (25_000, 100_000):
        t_cs = best[f"engine_chunk_{cs}"]
        lines.append(f"  chunk_size {cs:,}: engine {t_cs:.3f} s, ratio {t_cs / t_low:.2f}")

    proj, pk = peak(lambda: engine(fit, scen, paths, args.chunk))
    stored = proj.samples.nbytes
    lines.append(f"memory: peak {pk / MB:.1f} MB, stored samples {stored / MB:.1f} MB "
                 f"(+ base_log {proj.base_log.nbytes / MB:.1f} MB), ratio {pk / stored:.2f} "
                 "(target <= 3)")
    del proj

    one = scen[ONE] if ONE in scen else scen.scenarios[-1]
    big = cap(args.big)
    for n in (big // 10, big) if big >= 10 else ():
        t = time.perf_counter()
        proj, pk = peak(lambda n=n: engine(fit, one, n, args.chunk))
        dt = time.perf_counter() - t
        arrays = proj.samples.nbytes + proj.base_log.nbytes
        lines.append(f"one scenario, {n:>9,} paths: peak {pk / MB:7.1f} MB = stored samples "
                     f"{proj.samples.nbytes / MB:.1f} MB x {pk / proj.samples.nbytes:.2f}; "
                     f"peak - (samples + base_log) = {(pk - arrays) / MB:.1f} MB; {dt:.2f} s "
                     "(traced)")
        del proj
    for ln in lines:
        print(ln)
    out += ["```", *lines, "```", ""]


# ------------------------------------------------------------------ sections a-e
def section_a(fit, args, cap, out: list[str]) -> None:
    scen = presets.scenario_set()
    s, n, h = len(scen.scenarios), cap(100_000), TO - fit.last_year
    floor = make_floor(s * n, h)

    def floor_q(qf):
        def run():
            qf(floor().reshape(s, n, h))
        return run

    cases = {
        "floor": floor,
        **{f"floor_q_{f.__name__}": floor_q(f)
           for f in (quantiles_axis, quantiles_columns, quantiles_transposed)},
        "project": lambda: project_only(fit, scen, n),
        "project_quantiles": lambda: project_only(fit, scen, n).quantiles(QUANTILES),
        "project_summary": lambda: project_only(fit, scen, n).summary_frame(levels=(80, 95)),
    }
    t = {k: mm(v) for k, v in interleaved(cases, args.rounds).items()}
    fq = min((k for k in t if k.startswith("floor_q_")), key=lambda k: t[k][0])
    rows = [
        ["floor: normals + cumsum + exp, preallocated", s_(t["floor"]), "1"],
        [f"floor + 5 quantiles ({fq.removeprefix('floor_q_')}, fastest)", s_(t[fq]),
         r_(t[fq], t["floor"])],
        ["project", s_(t["project"]), r_(t["project"], t["floor"])],
        ["project + quantiles(5)", s_(t["project_quantiles"]),
         r_(t["project_quantiles"], t["floor"])],
        ["project + summary_frame((80, 95))", s_(t["project_summary"]),
         r_(t["project_summary"], t["floor"])],
    ]
    extra = (f"project + quantiles(5) vs floor + 5 quantiles: "
             f"{r_(t['project_quantiles'], t[fq])} (min / median)")
    title = (f"## a. {s} presets x {n:,} paths to {TO} ({h} years), default fit "
             f"({fit.name}, {len(fit.components)} members), {args.rounds} rounds")
    table = md_table(["case", "s (min / median)", "ratio to floor (min / median)"], rows)
    print(title, table, extra, sep="\n")
    out += [title, "", table, "", extra, ""]


def _per_step(t: dict, ps: int) -> list[str]:
    """Section b's cells for `ps` path-steps: project and floor ns per path-step (min /
    median), their ratio, project seconds, project's user and kernel CPU time per
    path-step (medians), and the kernel time of the floor writing fresh arrays of the
    same bytes as project's output (samples + base_log)."""
    def med(d: dict, k: str) -> str:
        return f"{statistics.median(d[k]) / ps * 1e9:.1f}"
    return [f"{t['project'][0] / ps * 1e9:.1f} / {t['project'][1] / ps * 1e9:.1f}",
            f"{t['floor'][0] / ps * 1e9:.1f} / {t['floor'][1] / ps * 1e9:.1f}",
            r_(t["project"], t["floor"]), s_(t["project"]),
            med(USER, "project"), med(SYSTEM, "project"), med(SYSTEM, "fresh_floor")]


def section_b(fit, args, cap, out: list[str]) -> None:
    scen = presets.get(ONE)
    h0 = TO - fit.last_year
    sizes = [10_000, 100_000, 1_000_000] + ([10_000_000] if args.large else [])
    rows = []
    for n0 in sizes:
        n = cap(n0)
        floor = make_floor(n, h0)
        rounds = args.rounds if n0 < 10_000_000 else min(args.rounds, 3)
        t = {k: mm(v) for k, v in interleaved(
            {"floor": floor, "project": lambda n=n: project_only(fit, scen, n),
             "fresh_floor": make_fresh_floor(n, h0)}, rounds).items()}
        del floor
        gc.collect()
        ps = n * h0
        capped = "" if n == n0 else f" (capped from {n0:,})"
        rows.append([f"{n:,} paths x {h0} years{capped}", *_per_step(t, ps)])
    n = cap(100_000)
    for h in (5, 10, 26, 50, 75):
        floor = make_floor(n, h)
        t = {k: mm(v) for k, v in interleaved(
            {"floor": floor,
             "project": lambda h=h: project_only(fit, scen, n, horizon=h),
             "fresh_floor": make_fresh_floor(n, h)}, args.rounds).items()}
        rows.append([f"{n:,} paths x {h} years", *_per_step(t, n * h)])
    title = (f"## b. Cost per path-step, one scenario ({ONE}), project only, "
             f"{args.rounds} rounds" + ("" if args.large else " (1e7 paths: pass --large)"))
    table = md_table(["size", "project ns/path-step (min / median)",
                      "floor ns/path-step (min / median)", "ratio (min / median)",
                      "project s (min / median)", "project user ns/path-step (median)",
                      "project system ns/path-step (median)",
                      "fresh-output floor system ns/path-step (median)"], rows)
    note = ("user + system is about the wall time (one thread). The user time is the "
            "engine's own work; the system time is the kernel giving the output fresh "
            "pages, which the floor, written into an array allocated before the timing, "
            "never pays. The last column is the floor's work written into two arrays of "
            "the samples' shape allocated in the call (the bytes of project's samples + "
            "base_log for one scenario): what the kernel charges plain numpy for an output "
            "of that size, in the same run.")
    print(title, table, note, sep="\n")
    out += [title, "", table, "", note, ""]


def section_c(fit, args, cap, out: list[str]) -> None:
    rows = []
    reps = max(5, 10 * args.rounds)
    for label, scen in ((f"one scenario ({ONE})", presets.get(ONE)),
                        ("7 presets", presets.scenario_set())):
        for n0 in (1_000, 10):
            n = cap(n0)
            h = TO - fit.last_year
            floor = make_floor(n * (7 if label == "7 presets" else 1), h)
            t = {k: mm(v) for k, v in interleaved(
                {"floor": floor, "project": lambda n=n, scen=scen: project_only(fit, scen, n)},
                reps).items()}
            rows.append([label, f"{n:,}", s_(t["project"], "ms"), s_(t["floor"], "ms")])
    title = f"## c. Fixed cost per project call to {TO} ({reps} repeats)"
    table = md_table(["scenarios", "paths", "project ms (min / median)",
                      "floor ms (min / median)"], rows)
    print(title, table, sep="\n")
    out += [title, "", table, ""]


def section_d(fits: dict, args, cap, out: list[str]) -> None:
    scen = presets.scenario_set()
    n = cap(100_000)
    first = next(iter(fits.values()))
    h = TO - first.last_year
    floor = make_floor(len(scen.scenarios) * n, h)
    cases = {"floor": floor, **{k: (lambda f=f: project_only(f, scen, n))
                                for k, f in fits.items()}}
    t = {k: mm(v) for k, v in interleaved(cases, args.rounds).items()}
    single = next(k for k, f in fits.items() if len(f.components) == 1)
    rows = [[k, len(f.components), s_(t[k]), r_(t[k], t["floor"]), r_(t[k], t[single])]
            for k, f in fits.items()]
    rows.append(["floor", "", s_(t["floor"]), "1", ""])
    title = (f"## d. Mixture vs single member: {len(scen.scenarios)} presets x {n:,} paths to "
             f"{TO}, project only, {args.rounds} rounds")
    table = md_table(["fit", "members", "s (min / median)", "ratio to floor (min / median)",
                      "ratio to single member (min / median)"], rows)
    print(title, table, sep="\n")
    out += [title, "", table, ""]


def section_e(fit, args, cap, out: list[str]) -> None:
    """Serial against process and thread pools of 2 (dask is timed apart, in section f:
    a running LocalCluster's scheduler and workers take CPU from whatever runs beside it)."""
    scen = presets.scenario_set()
    n = cap(1_000_000)
    execs: dict[str, object] = {"serial": None,
                                "ProcessPoolExecutor(2)": ProcessPoolExecutor(2),
                                "ThreadPoolExecutor(2)": ThreadPoolExecutor(2)}
    try:
        for ex in execs.values():  # warm-up: start workers, import, first pickle
            project_only(fit, scen, min(n, 20_000), executor=ex)
        times = interleaved({k: (lambda ex=ex: project_only(fit, scen, n, executor=ex))
                             for k, ex in execs.items()}, args.rounds)
    finally:
        for ex in execs.values():
            if hasattr(ex, "shutdown"):
                ex.shutdown()
    t = {k: mm(v) for k, v in times.items()}
    rows = [[k, s_(v), r_(t["serial"], v)] for k, v in t.items()]
    title = (f"## e. Executors: {len(scen.scenarios)} presets x {n:,} paths to {TO}, "
             f"default chunk_size 10,000, project only, {args.rounds} rounds (pools started "
             "and used once before timing)")
    table = md_table(["executor", "s (min / median)", "speed-up over serial (min / median)"],
                     rows)
    note = "dask: section f (with --dask), timed apart"
    print(title, table, note, sep="\n")
    out += [title, "", table, "", note, ""]


def section_f(fit, args, cap, out: list[str]) -> None:
    """Dask: what a LocalCluster costs to start, and its run time by chunk size."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        out += ["## f. Dask", "", "`distributed` not installed; skipped", ""]
        return
    scen = presets.scenario_set()
    n = cap(1_000_000)
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    ex = client.get_executor()
    started = time.perf_counter() - t0
    t0 = time.perf_counter()
    project_only(fit, scen, min(n, 20_000), executor=ex)  # first use: imports, pickling
    first = time.perf_counter() - t0

    def run(chunk, executor):
        return lambda: forecast.project(fit, scen, to=TO, n_paths=n, seed=1,
                                        chunk_size=chunk, executor=executor)

    try:
        cases = {}
        for chunk in (10_000, 100_000):
            cases[f"serial, chunk_size {chunk:,}"] = run(chunk, None)
            cases[f"dask, chunk_size {chunk:,}"] = run(chunk, ex)
        times = interleaved(cases, args.rounds)
    finally:
        client.close()
        cluster.close()
    t = {k: mm(v) for k, v in times.items()}
    mb = 8 * len(scen.scenarios) * n * 10 / MB
    rows = [[k, s_(v), r_(t[k.replace("dask", "serial")], v)] for k, v in t.items()]
    title = (f"## f. Dask: LocalCluster(2 workers) start-up and transfer, "
             f"{len(scen.scenarios)} presets x {n:,} paths to {TO} ({mb:,.0f} MB of samples "
             f"returned), {args.rounds} rounds")
    table = md_table(["case", "s (min / median)", "speed-up over serial (min / median)"],
                     rows)
    note = (f"start-up: LocalCluster + Client {started:.2f} s; first project call "
            f"(20,000 paths: imports and the first pickle in the workers) {first:.2f} s")
    print(title, table, note, sep="\n")
    out += [title, "", table, "", note, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--rounds", "--repeat", dest="rounds", type=int, default=5,
                    help="timed rounds, interleaved (min and median reported)")
    ap.add_argument("--large", action="store_true", help="also 1e7 paths in (b): several GB")
    ap.add_argument("--dask", action="store_true", help="also a dask LocalCluster (f)")
    ap.add_argument("--limit", type=int, default=None,
                    help="quick check: cap every path count at LIMIT x 1,000")
    ap.add_argument("--sections", default="123abcdef",
                    help="sections to run, e.g. 'ae' (default all: 123abcdef; f needs "
                         "--dask)")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"Markdown output (default {OUT.relative_to(ROOT)} for a full run; "
                         "a --limit run only prints unless --out is given)")
    args = ap.parse_args()
    out_path = args.out if args.out is not None else (OUT if args.limit is None else None)

    def cap(n: int) -> int:
        return n if args.limit is None else min(n, args.limit * 1_000)

    command = "python benchmarks/bench_engine.py " + " ".join(sys.argv[1:])
    header = f"{machine_note()}; command: `{command.strip()}`"
    print(header)
    out = ["# Engine benchmark: forecast.project vs a numpy floor", "", header, "",
           "Floor = standard normals + cumsum + exp, in place in a preallocated float64 array "
           "of the samples' shape (allocated outside the timing). Every case is timed once per "
           "round, rounds interleaved; 'min / median' over rounds; ratios are min/min and "
           "median/median of cases timed in this run.", ""]
    if any(c in args.sections for c in "123"):
        legacy(args, cap, out)
    if any(c in args.sections for c in "abcdef"):
        t0 = time.perf_counter()
        history = forecast.reconstruct()
        fit = forecast.Auto().fit(history, seed=1)
        print(f"default fit: {fit.name} on the History, {len(fit.components)} members, "
              f"{time.perf_counter() - t0:.2f} s (reconstruct + fit)")
        if "a" in args.sections:
            section_a(fit, args, cap, out)
        if "b" in args.sections:
            section_b(fit, args, cap, out)
        if "c" in args.sections:
            section_c(fit, args, cap, out)
        if "d" in args.sections:
            fits = {"Auto().fit(history, seed=1)": fit,
                    "Auto().fit(history.series)": forecast.Auto().fit(history.series),
                    "DampedTrend().fit(history.series)":
                        forecast.DampedTrend().fit(history.series)}
            section_d(fits, args, cap, out)
        if "e" in args.sections:
            section_e(fit, args, cap, out)
        if "f" in args.sections and args.dask:
            section_f(fit, args, cap, out)
    if out_path is not None:
        write_result(out_path, "\n".join(out), echo=False)


if __name__ == "__main__":
    main()
