"""A process pool's workers write their chunks into the parent's output arrays.

The arrays live in an anonymous shared-memory file (``forecast.projection._shared``);
results stay bit-identical to a serial run, nothing is left behind, and a worker never
writes into a file that is not the run's.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import forecast
from forecast.errors import ScenarioError
from forecast.projection import _shared, chunks, engine

pytestmark = pytest.mark.skipif(not hasattr(os, "memfd_create"),
                                reason="shared output needs Linux's memfd_create")


def _fit():
    s = forecast.AnnualSeries(range(2010, 2025), [10 * 1.06**i for i in range(15)])
    return forecast.Drift().fit(s)


SCEN = [forecast.Scenario("baseline"),
        forecast.Scenario("shock", (forecast.scenarios.LevelShift(2027, -0.2),))]
KW = {"to": 2031, "n_paths": 900, "seed": 3, "chunk_size": 200}


def _fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def _memfds() -> list[str]:
    """This process's open shared-memory files of runs (``memfd:forecast-output``)."""
    out = []
    for fd in _fds():
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if "forecast-output" in target:
            out.append(target)
    return out


def _mapped(pid: str = "self") -> list[str]:
    """The run files mapped in a process (``/proc/<pid>/maps``)."""
    with open(f"/proc/{pid}/maps") as fh:
        return [line for line in fh if "forecast-output" in line]


def _open_in(pid: int) -> list[str]:
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if "forecast-output" in os.readlink(f"/proc/{pid}/fd/{fd}"):
                out.append(fd)
        except OSError:
            continue
    return out


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])  # 3.14: forkserver
def test_a_process_pool_writes_in_place_and_leaves_nothing_behind(method):
    import multiprocessing as mp

    serial = forecast.project(_fit(), SCEN, **KW)
    gc.collect()
    assert _memfds() == []
    assert _mapped() == []
    # a new pool: its workers are started by the run itself, and must not inherit its file
    with ProcessPoolExecutor(2, mp_context=mp.get_context(method)) as pool:
        par = forecast.project(_fit(), SCEN, **KW, executor=pool)
        assert _memfds() == []  # the descriptor is closed when the run ends
        assert len(_mapped()) == 1  # the samples live in the run's file
        for pid in pool._processes:  # the workers (a private attribute), to look inside
            assert _open_in(pid) == []
            assert _mapped(str(pid)) == []
    np.testing.assert_array_equal(par.samples, serial.samples)
    np.testing.assert_array_equal(par.base_log, serial.base_log)
    assert not par.samples.flags.writeable
    copy = forecast.Projection(**{f: getattr(par, f) for f in par.__dataclass_fields__})
    del par
    gc.collect()
    assert len(_mapped()) == 1  # a Projection sharing the arrays keeps them
    np.testing.assert_array_equal(copy.samples, serial.samples)
    del copy
    gc.collect()
    assert _mapped() == []  # and the memory goes with the last array


def test_many_kept_projections_hold_no_descriptor():
    with ProcessPoolExecutor(2) as pool:
        kept = [forecast.project(_fit(), SCEN, **KW, executor=pool) for _ in range(5)]
        assert _memfds() == []
        assert len(_mapped()) == 5
    del kept
    gc.collect()
    assert _mapped() == []


def _job():
    captured = {}
    real = engine._run_chunks

    def spy(job, *args, **kwargs):
        captured["job"] = job
        return real(job, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "_run_chunks", spy)
        proj = forecast.project(_fit(), SCEN, **KW)
    return captured["job"], proj


def test_a_worker_that_cannot_open_the_file_returns_its_chunk(tmp_path):
    job, proj = _job()
    missing = _shared.SharedArrays(str(tmp_path / "gone"), (0, 0), ((2, 900, 6), (900, 6)))
    i, levels, base = _shared.run_in_shared(chunks.run_chunk, job, missing, 1)
    assert i == 1
    np.testing.assert_array_equal(levels, proj.samples[:, 200:400])
    np.testing.assert_array_equal(base, proj.base_log[200:400])


def test_a_worker_never_writes_into_a_file_that_is_not_the_runs(tmp_path):
    job, _ = _job()
    shapes = ((2, 900, 6), (900, 6))
    size = 8 * (2 * 900 * 6 + 900 * 6)
    other = tmp_path / "someone_elses"
    other.write_bytes(b"\x07" * size)  # right size, wrong file (a reused descriptor number)
    st = other.stat()
    target = _shared.SharedArrays(str(other), (st.st_dev, st.st_ino + 1), shapes)
    i, levels, _ = _shared.run_in_shared(chunks.run_chunk, job, target, 0)
    assert levels is not None  # returned, not written
    assert other.read_bytes() == b"\x07" * size


def test_without_shared_memory_a_pool_returns_the_chunks(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no memfd here")

    monkeypatch.setattr(os, "memfd_create", refuse)
    serial = forecast.project(_fit(), SCEN, **KW)
    with ProcessPoolExecutor(2) as pool:
        par = forecast.project(_fit(), SCEN, **KW, executor=pool)
    np.testing.assert_array_equal(par.samples, serial.samples)
    assert _mapped() == []  # returned and copied, as before


def test_memory_that_cannot_be_reserved_falls_back_to_the_usual_arrays(monkeypatch):
    def full(fd, offset, length):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)
    gc.collect()
    assert _shared._shared(((2, 10, 3),)) is None
    assert _memfds() == []  # the descriptor made before the failure is closed


class _Failing(forecast.scenarios.LevelShift):
    """An assumption whose effect fails (module level: pickled to the workers)."""

    def compute_effect(self, ctx, draw):
        raise RuntimeError("boom in a worker")


def test_a_failing_chunk_in_a_worker_is_reported_and_the_file_closed():
    scen = [forecast.Scenario("baseline"), forecast.Scenario("bad", (_Failing(2027, -0.1),))]
    with ProcessPoolExecutor(2) as pool:
        # the assumption's own error, naming it, crosses the process boundary as it is
        with pytest.raises(ScenarioError, match=r"'level_shift' \(_Failing\): "
                                                r"compute_effect failed \(RuntimeError: boom"):
            forecast.project(_fit(), scen, **KW, executor=pool)
        gc.collect()
        assert _memfds() == []


def test_a_worker_keeps_one_job_per_run(monkeypatch):
    import multiprocessing

    class J:
        def __init__(self, token):
            self.token = token

    a, a_copy, b = J("run-a"), J("run-a"), J("run-b")
    assert _shared.resident(a_copy) is a_copy  # the user's own process keeps nothing
    assert _shared.resident(a) is a
    assert _shared._RESIDENT == {}
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())  # a worker
    assert _shared.resident(a) is a
    assert _shared.resident(a_copy) is a  # a later chunk's unpickled copy: the first one
    assert _shared.resident(b) is b  # a new run replaces it
    assert _shared.resident(J("run-a")) is not a
    assert len(_shared._RESIDENT) == 1
    plain = object()
    assert _shared.resident(plain) is plain
    _shared._RESIDENT.clear()


class _CountingPool(ProcessPoolExecutor):
    """A process pool that counts the tasks it is given (each one pickles the job)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitted = 0

    def submit(self, *args, **kwargs):
        self.submitted += 1
        return super().submit(*args, **kwargs)


def test_a_process_pool_gets_the_chunks_in_batches_of_about_four_per_worker():
    kw = {**KW, "n_paths": 4000, "chunk_size": 100}  # 40 chunks
    serial = forecast.project(_fit(), SCEN, **kw)
    with _CountingPool(2) as pool:
        pooled = forecast.project(_fit(), SCEN, executor=pool, **kw)
        # one trivial task starts the workers, then 40 chunks in batches of 5
        assert pool.submitted == 1 + 8
    np.testing.assert_array_equal(pooled.samples, serial.samples)
    assert engine._batch(pool, 40) == 5
    assert engine._batch(pool, 3) == 1  # fewer chunks than workers: one a task
    pool._max_workers = "?"  # an executor without the attribute: the CPUs are counted
    assert engine._batch(pool, 40) == -(-40 // (4 * (os.cpu_count() or 1)))
