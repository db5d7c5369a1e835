"""Warnings and executors' worker threads (forecast._threads: quiet_warnings, attributed).

``warnings.catch_warnings`` swaps the process's filter list: entered and left by two
worker threads out of order, it left ``simplefilter("ignore")`` in place for good, so a
pseudo-real-time backtest with a ThreadPoolExecutor silenced every later warning of the
process. And a warning forecast raised in a worker thread pointed at
``concurrent/futures/thread.py`` (no frame of the user's is on a worker's stack), not at
the user's call as in a serial run.
"""

from __future__ import annotations

import functools
import inspect
import pickle
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import Records
from forecast._threads import attributed, quiet_warnings
from forecast.projection import engine


def _records(slip: bool = True) -> Records:
    """A synthetic market XX growing 10% a year, 2005-2019, each level published the next
    January; with `slip`, the 2016 growth typed as a fraction (0.1 for 10%), which
    reconstruct warns about at every origin that sees it."""
    rows = [{"market": "XX", "segment": "all", "flow": "offshore_execution", "year": y,
             "months": 12, "measure": "level", "value": 100 * 1.1 ** (y - 2005),
             "unit": "USD_1e8", "basis": "USD", "published": f"{y + 1}-01",
             "source": "synthetic", "confidence": "read"} for y in range(2005, 2020)]
    if slip:
        rows.append({**rows[11], "measure": "yoy_growth", "value": 0.1, "unit": "pct"})
    return Records.from_frame(pd.DataFrame(rows), origin="synthetic")


def _backtest(executor) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast.backtest(forecast.Drift(), _records(), market="XX", horizon=2, n_paths=20,
                          seed=1, executor=executor)
    return caught


def test_quiet_warnings_left_out_of_order_by_two_threads_keeps_the_filters():
    """The order that left 'ignore' in place: A enters, B enters, A leaves, B leaves."""
    before = list(warnings.filters)
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with quiet_warnings():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b():
        a_in.wait(5)
        with quiet_warnings():
            b_in.set()
            a_out.wait(5)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert warnings.filters == before
    with pytest.warns(UserWarning, match="still heard"):
        warnings.warn("still heard", UserWarning, stacklevel=1)


def test_quiet_warnings_silences_numpy_in_threads_and_everything_in_the_main_thread():
    def in_worker():
        with warnings.catch_warnings(record=True) as caught, quiet_warnings():
            np.log(np.zeros(2))
        return caught

    with ThreadPoolExecutor(1) as ex:
        assert ex.submit(in_worker).result() == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with quiet_warnings():
            np.log(np.zeros(2))
            warnings.warn("an optimiser's trial step", UserWarning, stacklevel=1)


@pytest.mark.parametrize("workers", [2, 4])
def test_a_threaded_backtest_keeps_the_warning_filters_and_every_warning(workers):
    before = list(warnings.filters)
    serial = _backtest(None)
    for _ in range(3):  # the leak depended on the threads' timing: it came every time
        with ThreadPoolExecutor(workers) as ex:
            threaded = _backtest(ex)
        assert warnings.filters == before
        assert sorted(str(w.message) for w in threaded) == sorted(str(w.message)
                                                                  for w in serial)
    assert any("contradicts the levels" in str(w.message) for w in serial)
    with pytest.warns(UserWarning, match="after the backtest"):
        warnings.warn("after the backtest", UserWarning, stacklevel=1)


# --------------------------------------------------------------------------- attributed


def test_a_threaded_backtests_warnings_point_at_the_users_call():
    """reconstruct warns in the worker threads of a pseudo-real-time backtest."""
    for caught in (_backtest(None), _backtest(ThreadPoolExecutor(2))):
        slips = [w for w in caught if "contradicts the levels" in str(w.message)]
        assert len(slips) == 5
        assert {w.filename for w in caught} == {__file__}, {w.filename for w in caught}


def _forecast_code(source: str) -> dict:
    """`source` compiled as if it were a file of forecast's (user_stacklevel skips it)."""
    namespace: dict = {}
    exec(compile(source, engine.__file__, "exec"), namespace)
    return namespace


#: stands for a library warning raised inside a projection chunk (none is, today)
_CHUNK = _forecast_code(
    "import warnings\n"
    "from forecast._validation import user_stacklevel\n"
    "def run_chunk(run, *args, **kwargs):\n"
    "    warnings.warn('inside a chunk', UserWarning, stacklevel=user_stacklevel())\n"
    "    return run(*args, **kwargs)\n")["run_chunk"]


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_a_warning_in_a_projection_chunk_points_at_the_project_call(workers, monkeypatch):
    original = engine.run_chunk
    monkeypatch.setattr(engine, "run_chunk", functools.partial(_CHUNK, original))
    fit = forecast.Drift().fit(forecast.AnnualSeries(range(2010, 2020),
                                                     [10 * 1.05 ** i for i in range(10)]))
    ex = None if workers is None else ThreadPoolExecutor(workers)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        forecast.project(fit, forecast.Scenario("baseline"), to=2022, n_paths=40, seed=1,
                         chunk_size=10, executor=ex)
    if ex is not None:
        ex.shutdown()
    chunks = [w for w in caught if str(w.message) == "inside a chunk"]
    assert len(chunks) == 4
    assert {(w.filename, w.lineno) for w in chunks} == {(__file__, line)}


def test_attributed_pickles_as_the_plain_task():
    """A process pool (or dask) gets the task itself: nothing of the user's frame."""
    task = attributed(abs)
    assert pickle.loads(pickle.dumps(task)) is abs
    assert task(-2) == 2
