"""Fault driver run in a subprocess by ``test_faults.py`` (importing it does nothing).

``python fault_driver.py interrupts OUT`` runs ``forecast run`` in this process once
cleanly (the "old" output), then again with a Ctrl-C (SIGINT sent to this very process)
at each stage, then with a full disk, and prints one JSON line per attempt: the stage,
the exit code, stderr, and the state of the output folder afterwards.

``python fault_driver.py kill STAGE OUT SEED`` saves a projection into OUT and sends
SIGKILL to itself at STAGE of the write (so nothing of the library can clean up).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import pathlib
import signal
import sys

MARKER = ".forecast-output.json"
ARGS = ["run", "--model", "drift", "--imputations", "1", "--paths", "60", "--scenario",
        "baseline", "--scenario", "escalation", "--no-plot", "--quiet"]


def folder_state(out: pathlib.Path) -> dict:
    """Whether `out` is one complete output set (marker lists every file, hashes match)."""
    if not out.exists():
        return {"exists": False}
    marker = json.loads((out / MARKER).read_text())
    names = sorted(p.name for p in out.iterdir() if p.name != MARKER)
    complete = names == sorted(marker["files"]) and all(
        hashlib.sha256((out / n).read_bytes()).hexdigest() == marker["files"][n]["sha256"]
        for n in names)
    seed = json.loads((out / "settings.json").read_text())["seed"] if complete else None
    debris = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))
    return {"exists": True, "complete": complete, "seed": seed, "debris": debris}


def _interrupt_before(module, name: str):
    """Make `module.name` send SIGINT to this process, then run as before."""
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    setattr(module, name, wrapper)
    return lambda: setattr(module, name, real)


def interrupts(out: pathlib.Path) -> None:
    from forecast import cli, report
    from forecast._io import atomic, folders
    from forecast.cli import _util, run_report

    def attempt(stage: str, seed: int, plot: bool = False) -> None:
        err = io.StringIO()
        argv = ARGS[:-2] + ([] if plot else ["--no-plot"]) + ["--quiet", "--seed", str(seed),
                                                             "--out", str(out)]
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(argv)
        print(json.dumps({"stage": stage, "code": code, "stderr": err.getvalue(),
                          **folder_state(out)}), flush=True)

    attempt("clean", 1)
    points = [("history", _util, "reconstruct"), ("fit", run_report, "make_spec"),
              ("project", run_report, "project"), ("charts", report, "render_figure_sets"),
              ("report", report, "write_report"), ("marker", folders.OutputFolder, "_finish"),
              ("swap", folders, "_exchange"), ("after-commit", report, "compact_table")]
    seed = 2
    for stage, module, name in points:
        undo = _interrupt_before(module, name)
        try:
            attempt(stage, seed, plot=stage == "charts")
        finally:
            undo()
        seed += 1
    real = atomic._os_write
    written = [0]

    def full_disk(fd, data):
        written[0] += len(data)
        if written[0] > 20_000:  # a few files fit, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    atomic._os_write = full_disk
    try:
        attempt("disk-full", 99)
    finally:
        atomic._os_write = real


def kill(stage: str, out: pathlib.Path, seed: int) -> None:
    import numpy as np

    import forecast
    from forecast._io import folders

    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.09 ** np.arange(13))
    proj = forecast.project(forecast.Drift().fit(s, seed=1), forecast.Scenario("baseline"),
                            to=2030, n_paths=40, seed=seed)
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # noqa: E731
    if stage == "staging":  # after the first data file
        real_open = folders.OutputFolder.open

        @contextlib.contextmanager
        def open_(self, name, **kw):
            if self.files:
                die()
            with real_open(self, name, **kw) as fh:
                yield fh

        folders.OutputFolder.open = open_
    elif stage == "marker":
        folders.OutputFolder._finish = die
    elif stage == "after-exchange":  # the new set is in place, the old not yet removed
        real = folders._exchange
        folders._exchange = lambda a, b: (real(a, b), die())[0]
    elif stage == "between-renames":  # no renameat2: killed between the two renames
        folders._exchange = lambda a, b: False
        real_rename = os.rename

        def rename(a, b):
            real_rename(a, b)
            if ".old-" in os.fspath(b):
                die()

        os.rename = rename
    proj.save(out)
    print("not killed", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "interrupts":
        interrupts(pathlib.Path(sys.argv[2]))
    else:
        kill(sys.argv[2], pathlib.Path(sys.argv[3]), int(sys.argv[4]))
