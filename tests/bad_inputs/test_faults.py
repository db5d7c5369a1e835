"""Faults a careless or hostile world inflicts: Ctrl-C, kill -9, a full disk, a second
writer, a fake scheduler. Kill and full-disk cases run in subprocesses (``fault_driver``).

Every test checks the promise of ``docs/reliability.md``: an output folder is always
either the previous complete set or the new complete set (its marker lists exactly the
files present, with matching SHA-256), never a mix, and every failure is one line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest
from _optional import need

import forecast
from forecast import Projection, cli
from forecast._io import atomic, folders, lock
from forecast.errors import OutputError

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"


def _env() -> dict:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore",
               OPENBLAS_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def _driver(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HERE / "fault_driver.py"), *map(str, args)],
                          env=_env(), capture_output=True, text=True, timeout=timeout)


def _projection(seed: int) -> Projection:
    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.09 ** np.arange(13))
    return forecast.project(forecast.Drift().fit(s, seed=1), forecast.Scenario("baseline"),
                            to=2030, n_paths=40, seed=seed)


# ----------------------------------------------------------------------------- Ctrl-C
@pytest.mark.slow
def test_ctrl_c_at_every_stage_and_a_full_disk_leave_a_complete_folder(tmp_path):
    """SIGINT at eight points of `forecast run`, then ENOSPC: exit 130 (2), one line each,
    and the folder is the old complete set until the commit, the new one after it."""
    out = tmp_path / "out"
    res = _driver("interrupts", out)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["stage"] for r in rows] == ["clean", "history", "fit", "project", "charts",
                                          "report", "marker", "swap", "after-commit",
                                          "disk-full"]
    clean = rows[0]
    assert clean["code"] == 0
    assert clean["complete"]
    assert clean["seed"] == 1
    for r in rows[1:-1]:
        assert r["code"] == 130, r
        lines = r["stderr"].strip().splitlines()
        assert len(lines) == 1, r
        assert lines[0] == ("forecast run: interrupted; outputs are complete or unchanged "
                            "(never partial).")
        assert r["complete"], r
        assert r["debris"] == [], r  # no temporary folder or lock file left behind
    before_commit = [r for r in rows[1:-1] if r["stage"] not in ("swap", "after-commit")]
    assert all(r["seed"] == 1 for r in before_commit)  # the old run, untouched
    assert [r["seed"] for r in rows[-3:-1]] == [8, 9]  # committed, then interrupted
    full = rows[-1]
    assert full["code"] == 2
    assert "disk is full (ENOSPC)" in full["stderr"]
    assert f"cannot write {out}/" in full["stderr"]  # the user's path, not a temporary one
    assert full["stderr"].strip().endswith(f"{out} is unchanged.")
    assert len(full["stderr"].strip().splitlines()) == 1
    assert full["complete"]
    assert full["seed"] == 9
    assert full["debris"] == []


@pytest.mark.slow
def test_ctrl_c_after_the_outcome_is_decided_changes_nothing(tmp_path):
    """A SIGINT between main() returning and the interpreter exiting: exit 0, no traceback."""
    code = ("import os, signal, sys, time\n"
            "from forecast.cli import entry as P\n"
            "real = P._main\n"
            "def late(*a, **k):\n"
            "    rc = real(*a, **k)\n"
            "    os.kill(os.getpid(), signal.SIGINT); time.sleep(0.2)\n"
            "    return rc\n"
            "P._main = late\n"
            "sys.argv = ['forecast', 'scenarios']\n"
            "P.run()\n")
    res = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""


@pytest.mark.slow
def test_ctrl_c_while_the_interpreter_shuts_down_keeps_the_exit_code(tmp_path):
    """Ctrl-C to the process group 0-0.8 s after `run` (`backtest`) printed its last line:
    exit 0 and nothing on stderr (130 and its line if it beat the command's return). The
    interpreter's shutdown puts back the default action of the signals it handled, and
    such a Ctrl-C killed 8 runs in 8 without a word (exit -2, as if by the signal)."""
    small = ["--model", "drift", "--paths", "100", "--seed", "3", "--force", "-q"]
    commands = {"run": ["run", *small, "--to", "2030", "--scenario", "baseline",
                        "--out", "o7"],
                "backtest": ["backtest", *small, "--horizon", "2", "--out", "bt.csv"]}

    def tries(name: str) -> list[tuple[float, int, str]]:
        (tmp_path / name).mkdir()
        seen = []
        for delay in (0.0, 0.2, 0.4, 0.6, 0.8):
            proc = subprocess.Popen([sys.executable, "-m", "forecast", *commands[name]],
                                    env=_env(), cwd=tmp_path / name, start_new_session=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for line in proc.stdout:
                if line.startswith(b"100 paths"):  # the last line: the outcome is decided
                    break
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):  # already gone: nothing to test
                os.killpg(proc.pid, signal.SIGINT)
            err = proc.communicate(timeout=120)[1].decode()
            seen.append((delay, proc.returncode, err))
        return seen

    with ThreadPoolExecutor(max_workers=2) as ex:
        for name, seen in zip(commands, ex.map(tries, commands), strict=True):
            for _, code, err in seen:
                # a signal before the command returned is still an interruption, said so
                assert (code, err) in ((0, ""), (130, f"forecast {name}: interrupted; outputs"
                                       " are complete or unchanged (never partial).\n")), \
                    (name, seen)
            assert sum(code == 0 for _, code, _ in seen) >= 3, (name, seen)


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux's /proc/PID/task/*/children)."""
    try:
        return [int(c) for t in os.listdir(f"/proc/{pid}/task")
                for c in pathlib.Path(f"/proc/{pid}/task/{t}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not pathlib.Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
                    .exists(), reason="needs /proc/PID/task/TID/children (Linux)")
def test_ctrl_c_on_backtest_workers_is_one_line_and_leaves_no_worker(tmp_path):
    """SIGINT (SIGTERM) to the process group of `backtest --workers 2` once its workers
    run: exit 130 (143) with one line. The forked workers inherited the command line's
    handler, and in 3 tries of 8 each printed its traceback (42 lines: "Process
    ForkProcess-1: Traceback ... Interrupted: 2"); a worker killed by SIGTERM could also
    leave the parent waiting forever for the rest of its result. The workers now leave
    both signals to the parent, finish their task and end; the results do not change."""
    argv = [sys.executable, "-m", "forecast", "backtest", "--model", "drift", "--horizon",
            "2", "--paths", "100000", "--workers", "2", "--seed", "2", "--out", "bt.csv",
            "--force", "-q"]
    lines = {signal.SIGINT: "forecast backtest: interrupted; outputs are complete or "
                            "unchanged (never partial).\n",
             signal.SIGTERM: "forecast backtest: terminated (SIGTERM); outputs are "
                             "complete or unchanged (never partial).\n"}
    seen = []
    for sig, delay in ((signal.SIGINT, 0.0), (signal.SIGINT, 0.1), (signal.SIGINT, 0.2),
                       (signal.SIGTERM, 0.0), (signal.SIGTERM, 0.1)):
        proc = subprocess.Popen(argv, env=_env(), cwd=tmp_path, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(_children(proc.pid)) < 2 and proc.poll() is None and \
                time.monotonic() < deadline:
            time.sleep(0.005)
        workers = _children(proc.pid)
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            err = proc.communicate(timeout=60)[1].decode()
        except subprocess.TimeoutExpired:  # the parent waits for half a result: end it
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"backtest --workers 2 hung after {sig.name} ({seen})")
        seen.append((sig, delay, proc.returncode, err))
        assert (proc.returncode, err) in ((0, ""), (128 + sig, lines[sig])), seen
        assert len(workers) == 2, seen
        assert not any(map(_alive, workers)), (workers, seen)
    assert sum(code != 0 for *_, code, _ in seen) >= 3, seen  # most were interrupted
    # the same table with workers as serially
    serial = [*argv[:argv.index("--workers")], *argv[argv.index("--seed"):]]
    serial[serial.index("bt.csv")] = "serial.csv"
    subprocess.run(serial, env=_env(), cwd=tmp_path, check=True, timeout=300,
                   capture_output=True)
    subprocess.run(argv, env=_env(), cwd=tmp_path, check=True, timeout=300,
                   capture_output=True)
    assert (tmp_path / "bt.csv").read_bytes() == (tmp_path / "serial.csv").read_bytes()


# ----------------------------------------------------------------------------- kill -9
KILLS = {  # stage -> which set the folder holds afterwards
    "staging": "old", "marker": "old", "after-exchange": "new", "between-renames": "missing",
}


@pytest.mark.slow
def test_kill_9_during_a_save_leaves_a_complete_loadable_projection(tmp_path):
    targets = {}
    for stage in KILLS:
        targets[stage] = tmp_path / stage / "proj"
        _projection(1).save(targets[stage])
    with ThreadPoolExecutor(len(KILLS)) as ex:
        runs = dict(zip(KILLS, ex.map(lambda s: _driver("kill", s, targets[s], 2), KILLS),
                        strict=True))
    for stage, expect in KILLS.items():
        res, target = runs[stage], targets[stage]
        assert res.returncode == -signal.SIGKILL, (stage, res.stdout, res.stderr)
        if expect == "missing":  # killed between two renames: the old set waits beside
            olds = list(target.parent.glob(".proj.old-*"))
            assert len(olds) == 1
            assert Projection.load(olds[0]).seed == 1
            with pytest.raises(RuntimeError), folders.atomic_folder(target, kind="projection"):
                raise RuntimeError("only the repair runs")  # the next writer repairs it
        assert Projection.load(target).seed == (2 if expect == "new" else 1), stage
        _projection(3).save(target)  # the next save succeeds and tidies up
        assert Projection.load(target).seed == 3
        assert sorted(p.name for p in target.parent.iterdir()) == ["proj"], stage


@pytest.mark.slow
def test_kill_9_during_forecast_run_keeps_the_old_output(tmp_path):
    """An external SIGKILL at an arbitrary moment of `forecast run`."""
    out = tmp_path / "out"
    assert cli.main(["run", "--model", "drift", "--imputations", "1", "--paths", "50",
                     "--seed", "1", "--scenario", "baseline", "--no-plot", "--quiet",
                     "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "forecast", "run", "--model", "drift", "--imputations", "1",
         "--paths", "50", "--seed", "2", "--scenario", "baseline", "--quiet", "--out",
         str(out)], env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)
    proc.kill()
    proc.wait(timeout=60)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    marker = json.loads(after[folders.MARKER])
    assert sorted(after) == sorted([*marker["files"], folders.MARKER])
    if proc.returncode == -signal.SIGKILL:
        seed = json.loads(after["settings.json"])["seed"]
        assert after == before or seed == 2


# ------------------------------------------------------- two files of one command
#: commands that write two single files, fast settings: --out CSV and --plot PNG
TWO_FILES = {"history": ["history", "-q"],
             "sensitivity": ["sensitivity", "--paths", "50", "--imputations", "2", "--seed", "2",
                             "-q"]}


def _two_outputs(tmp_path, command: str, capsys, fault) -> tuple[int, str, dict]:
    """Run `command` with --out and --plot over two old files (--force), with `fault`
    applied; return its exit code, stderr and the files of the folder afterwards."""
    table, chart = tmp_path / "t.csv", tmp_path / "t.png"
    table.write_bytes(b"old table\n")
    chart.write_bytes(b"old chart")
    with pytest.MonkeyPatch.context() as mp:
        fault(mp)
        code = cli.main([*TWO_FILES[command], "--out", str(table), "--plot", str(chart),
                         "--force"])
    err = capsys.readouterr().err
    return code, err, {p.name: p.read_bytes() for p in tmp_path.iterdir()}


def _on_call(n: int, module, name: str, act):
    """A fault: `act()` before the `n`-th call of `module.name`, which then runs."""
    real, calls = getattr(module, name), [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            act()
        return real(*args, **kwargs)

    return lambda mp: mp.setattr(module, name, wrapper)


def _disk_full():
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.parametrize("command", list(TWO_FILES))
def test_a_full_disk_at_the_second_file_keeps_both_old_files(tmp_path, capsys, command):
    """The disk filled up after the table: the new table was renamed over the old one
    and the chart stayed old, a mix that no run produced. Now both files are staged
    before either is renamed: exit 2, both old files, nothing left beside them."""
    code, err, files = _two_outputs(tmp_path, command, capsys,
                                    _on_call(2, atomic, "_os_write", _disk_full))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"cannot write {tmp_path / 't.png'}: the disk is full (ENOSPC)" in err
    assert err.strip().endswith(f"Nothing was written: {tmp_path / 't.csv'} and "
                                f"{tmp_path / 't.png'} are unchanged.")
    assert files == {"t.csv": b"old table\n", "t.png": b"old chart"}


@pytest.mark.parametrize(("when", "expect"), [("staging", "old"), ("commit", "new")])
def test_ctrl_c_between_the_two_files_leaves_both_old_or_both_new(tmp_path, capsys, when,
                                                                  expect):
    """Ctrl-C while the chart is written keeps both old files; Ctrl-C at the first rename
    is held back until the second is done: both new. Exit 130 either way."""
    fault = (_on_call(2, atomic, "_os_write", _ctrl_c) if when == "staging" else
             _on_call(1, atomic, "_rename", _ctrl_c))
    code, err, files = _two_outputs(tmp_path, "history", capsys, fault)
    assert code == 130
    assert err == ("forecast history: interrupted; outputs are complete or unchanged "
                   "(never partial).\n")
    assert sorted(files) == ["t.csv", "t.png"]  # nothing staged left beside them
    if expect == "old":
        assert files == {"t.csv": b"old table\n", "t.png": b"old chart"}
    else:
        assert files["t.csv"].startswith(b"year,")
        assert files["t.png"].startswith(b"\x89PNG")


# ----------------------------------------------------------------------------- locks
def test_a_second_writer_fails_clearly_and_a_dead_holder_does_not_block(tmp_path):
    target = tmp_path / "proj"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, pathlib; from forecast._io import lock\n"
         "with lock.hold(pathlib.Path(sys.argv[1])):\n"
         "    print('held', flush=True); time.sleep(60)\n", str(target)],
        env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputError, match=rf"being written by another forecast process "
                                              rf"\(pid {holder.pid}"):
            _projection(1).save(target)
        assert not target.exists()
    finally:
        holder.kill()
        holder.wait()
    assert lock.lock_path(target).exists()  # a stale lock file, left by kill -9
    _projection(1).save(target)  # ... does not block the next writer
    assert Projection.load(target).seed == 1
    assert not lock.lock_path(target).exists()


def test_a_second_forecast_run_into_the_same_folder_fails_at_once(tmp_path, capsys,
                                                                   monkeypatch):
    """The first run holds the folder's lock for its whole run, not only while writing."""
    out = tmp_path / "out"

    def slow(*args, **kwargs):
        raise AssertionError("the run reconstructed the history before checking the lock")

    monkeypatch.setattr("forecast.cli._util.reconstruct", slow)  # before any slow work
    with lock.hold(out):  # as a first `forecast run` does while it computes
        code = cli.main(["run", "--model", "drift", "--paths", "20", "--no-plot", "--quiet",
                         "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith(f"forecast run: error: the --out folder {out} is being written by "
                          f"another thread of this process (pid {os.getpid()}")
    assert not out.exists()


# ----------------------------------------------------------------------------- scheduler
class _Silent(BaseHTTPRequestHandler):
    def do_GET(self):  # pragma: no cover - a dask client never sends a GET
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _banner_server(sock: socket.socket) -> None:
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        with conn:
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")


@pytest.mark.parametrize("kind", ["http", "banner"])
def test_a_scheduler_address_that_is_not_dask_fails_within_the_deadline(kind, tmp_path,
                                                                        capsys, monkeypatch):
    """--scheduler-timeout 2 is the deadline of the probe and of its connect call (no
    wall-clock bound here: the silent server's deadline is that of the recv, below 2 s)."""
    need("distributed")
    from forecast.cli import _scheduler

    seen = {}
    probe, create = _scheduler._probe, socket.create_connection

    def spy_probe(address, host, port, deadline, timeout):
        seen["left"] = deadline - time.monotonic()  # the deadline computed from the option
        seen["timeout"] = timeout
        return probe(address, host, port, deadline, timeout)

    def spy_create(endpoint, timeout=None, *args, **kwargs):
        seen.setdefault("connect_timeout", timeout)
        return create(endpoint, timeout, *args, **kwargs)

    monkeypatch.setattr(_scheduler, "_probe", spy_probe)
    monkeypatch.setattr(_scheduler.socket, "create_connection", spy_create)
    if kind == "http":
        server = HTTPServer(("127.0.0.1", 0), _Silent)
        port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        close = server.shutdown
    else:
        sock = socket.create_server(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        thread = threading.Thread(target=_banner_server, args=(sock,), daemon=True)
        close = sock.close
    thread.start()
    try:
        code = cli.main(["run", "--model", "drift", "--paths", "20", "--no-plot", "--quiet",
                         "--scheduler", f"tcp://127.0.0.1:{port}", "--scheduler-timeout", "2",
                         "--out", str(tmp_path / "out")])
    finally:
        close()
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert seen["timeout"] == 2
    assert 0 < seen["left"] <= 2
    assert 0 < seen["connect_timeout"] <= 2
    assert len(err.splitlines()) == 1
    assert f"'tcp://127.0.0.1:{port}'" in err
    assert "dask scheduler" in err
    assert ("no dask handshake within 2 s" if kind == "http" else "not a dask handshake") in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_ctrl_c_swallowed_by_a_finalizer_still_stops_the_run(tmp_path):
    """Python runs a signal handler wherever the main thread is, also inside a weakref
    callback, where the exception it raises is printed as "Exception ignored" and dropped;
    `forecast run` then went on, swapped in its new folder and exited 0. Now the command
    checks before publishing: exit 130, one line, and the old folder is untouched."""
    out = tmp_path / "out"
    code = ("import os, signal, sys, weakref\n"
            "from forecast.cli import run_report as R, entry as P\n"
            "real = R._write_run\n"
            "def write(*a, **k):\n"
            "    n = real(*a, **k)\n"
            "    class Thing: pass\n"
            "    t = Thing()\n"
            "    r = weakref.ref(t, lambda _: os.kill(os.getpid(), signal.SIGINT))\n"
            "    del t\n"
            "    sum(range(10000))  # bytecodes: the handler runs (inside the callback)\n"
            "    return n\n"
            "R._write_run = write\n"
            "sys.argv = ['forecast', 'run', '--out', sys.argv[1], '--no-plot', '-q',\n"
            "            '--paths', '200', '--seed', sys.argv[2], '--force']\n"
            "P.run()\n")

    def run(seed, patched):
        argv = [sys.executable, "-c", code if patched else
                "import sys; from forecast.cli import entry as P; "
                "sys.argv = ['forecast'] + sys.argv[1:]; P.run()"]
        args = ([str(out), str(seed)] if patched else
                ["run", "--out", str(out), "--no-plot", "-q", "--paths", "200", "--seed",
                 str(seed), "--force"])
        return subprocess.run(argv + args, env=_env(), capture_output=True, text=True,
                              timeout=240)

    first = run(1, patched=False)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    res = run(2, patched=True)
    assert res.returncode == 130, res.stderr
    assert res.stderr == (  # one line: no "Exception ignored" traceback either
        "forecast run: interrupted; outputs are complete or unchanged (never partial).\n")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the seed-1 run
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left


# ------------------------------------------------------------- full stdout, file limits
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_behind_stdout_is_named_as_stdout(tmp_path):
    """It said "cannot access a file", as if the outputs had failed; they were written."""
    out = tmp_path / "o"
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "forecast", "run", "--model", "drift",
                              "--imputations", "1", "--paths", "20", "--no-plot", "-q",
                              "--scenario", "baseline", "--out", str(out)],
                             env=_env(), stdout=full, stderr=subprocess.PIPE, text=True,
                             timeout=120)
    assert res.returncode == 2
    assert res.stderr == ("forecast run: error: cannot write to standard output: the disk "
                          "is full (ENOSPC). Free some space or write to another disk. Files "
                          "the command wrote before are complete.\n")
    assert (out / "summary.csv").exists()


def test_a_file_size_limit_gets_its_own_hint(tmp_path):
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    target = tmp_path / "h.csv"
    target.write_text("old\n")
    res = subprocess.run([sys.executable, "-m", "forecast", "history", "-q", "--force",
                          "--out", str(target)], env=_env(), capture_output=True, text=True,
                         timeout=120, preexec_fn=limit)
    assert res.returncode == 2, res.stderr
    assert "largest size allowed (`ulimit -f`" in res.stderr
    assert "(EFBIG). Raise the limit or write to another file system" in res.stderr
    assert target.read_text() == "old\n"
