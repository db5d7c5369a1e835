"""The library's BLAS limit (forecast._threads): held inside fits, restored after, re-entrant,
thread-safe, reset in forked children, and off when the user chose the thread count."""

from __future__ import annotations

import multiprocessing
import sys
import threading

import numpy as np
import pytest
from _optional import need

import forecast
from forecast import _threads

threadpoolctl = need("threadpoolctl", module_level=True)  # the `threads` extra (in `test`)


@pytest.fixture(autouse=True)
def _no_user_choice(monkeypatch):
    for var in _threads.THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)


def _blas_threads() -> list[int]:
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


@pytest.fixture
def two_threads():
    """BLAS pools at 2 threads for the test (whatever the machine), restored after."""
    import scipy.linalg  # noqa: F401  (scipy's own BLAS too: reconstruct() would load it)

    if not _blas_threads():
        pytest.skip("no BLAS library that threadpoolctl can control")
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        if set(_blas_threads()) != {2}:  # e.g. a one-core machine caps the count
            pytest.skip(f"BLAS will not run 2 threads here ({_blas_threads()})")
        yield


@pytest.mark.usefixtures("two_threads")
def test_limit_holds_one_thread_and_restores():
    assert set(_blas_threads()) == {2}
    with _threads.single_blas_thread():
        assert _threads.blas_limit_active()
        assert set(_blas_threads()) == {1}
        with _threads.single_blas_thread():  # re-entrant: the inner exit keeps the limit
            pass
        assert set(_blas_threads()) == {1}
    assert not _threads.blas_limit_active()
    assert set(_blas_threads()) == {2}


@pytest.mark.usefixtures("two_threads")
def test_limit_restores_after_an_error():
    with pytest.raises(ZeroDivisionError), _threads.single_blas_thread():
        1 / 0  # noqa: B018
    assert set(_blas_threads()) == {2}
    assert not _threads.blas_limit_active()


@pytest.mark.usefixtures("two_threads")
@pytest.mark.parametrize("var", _threads.THREAD_VARIABLES)
def test_user_choice_is_kept(monkeypatch, var):
    monkeypatch.setenv(var, "2")
    with _threads.single_blas_thread():
        assert not _threads.blas_limit_active()
        assert set(_blas_threads()) == {2}


@pytest.mark.usefixtures("two_threads")
def test_fits_and_reconstructions_hold_the_limit(monkeypatch):
    seen = []

    class Probe(forecast.Drift):
        def estimate_batch(self, Y):
            seen.append((_threads.blas_limit_active(), set(_blas_threads())))
            return super().estimate_batch(Y)

    s = forecast.AnnualSeries(range(2010, 2022), [10 * 1.07**i for i in range(12)])
    Probe().fit(s)
    forecast.fit_many(Probe(), [s, s])
    assert seen == [(True, {1})] * 2
    assert set(_blas_threads()) == {2}

    from forecast.history import statespace

    real = statespace.smooth
    monkeypatch.setattr(statespace, "smooth", lambda *a, **k: (
        seen.append((_threads.blas_limit_active(), set(_blas_threads()))), real(*a, **k))[1])
    forecast.reconstruct()
    assert seen[-1] == (True, {1})
    assert set(_blas_threads()) == {2}


def test_results_do_not_depend_on_the_limit(monkeypatch):
    s = forecast.AnnualSeries(range(2000, 2024), 50 * np.exp(np.cumsum(
        np.random.default_rng(3).normal(0.04, 0.06, 24))))
    with_limit = forecast.Auto().fit(s).forecast(6, levels=(80, 95))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    without = forecast.Auto().fit(s).forecast(6, levels=(80, 95))
    np.testing.assert_array_equal(with_limit.to_numpy(), without.to_numpy())


@pytest.mark.usefixtures("two_threads")
def test_concurrent_threads_restore_the_original_count():
    """Overlapping holders from several threads: the last one out restores, never the first.

    (What OpenBLAS reports in other threads depends on its build, so the holders check the
    library's own bookkeeping; the count is read where it was set, in this thread.)
    """
    inside = threading.Barrier(4)
    first_out = threading.Event()
    held = []

    def hold(i):
        with _threads.single_blas_thread():
            inside.wait(timeout=10)
            if i == 0:
                return first_out.set()
            first_out.wait(timeout=10)  # thread 0 has left; the others still hold
            held.append(_threads.blas_limit_active())

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert held == [True] * 3
    assert not _threads.blas_limit_active()
    assert set(_blas_threads()) == {2}


def _child_state(_):
    before = _threads.blas_limit_active()
    with _threads.single_blas_thread():
        during = _threads.blas_limit_active()
    return before, during, _threads.blas_limit_active()


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_forked_child_starts_without_a_held_limit():
    ctx = multiprocessing.get_context("fork")
    with _threads.single_blas_thread(), ctx.Pool(1) as pool:
        assert pool.map(_child_state, [0]) == [(False, True, False)]


def test_without_threadpoolctl_it_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails
    monkeypatch.setattr(_threads, "_controller", None)
    with _threads.single_blas_thread():
        assert not _threads.blas_limit_active()
    s = forecast.AnnualSeries(range(2010, 2022), [10 * 1.07**i for i in range(12)])
    assert forecast.Drift().fit(s).name == "Drift"
