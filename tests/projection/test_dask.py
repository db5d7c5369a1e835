"""project() on a real dask.distributed LocalCluster gives bit-identical samples."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from _engine_fakes import FakeFit, history, scenarios
from _optional import need

from forecast.projection import project

distributed = need("distributed", module_level=True)


@pytest.fixture(scope="module")
def client():
    # two in-process workers: real scheduler, real task graph, no process start-up cost
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_executor_matches_serial_and_process_pool(client):
    fit, scen = FakeFit(history()), scenarios()
    kw = {"to": 2035, "n_paths": 500, "seed": 2024, "chunk_size": 64}
    serial = project(fit, scen, **kw)
    dask_run = project(fit, scen, executor=client.get_executor(), **kw)
    assert np.array_equal(dask_run.samples, serial.samples)
    assert np.array_equal(dask_run.base_log, serial.base_log)
    with ProcessPoolExecutor(2) as pool:
        assert np.array_equal(project(fit, scen, executor=pool, **kw).samples, serial.samples)


def test_dask_with_real_model_and_presets(client):
    from forecast import models, presets
    from forecast.series import AnnualSeries

    s = AnnualSeries(np.arange(2010, 2026), 5 * 1.1 ** np.arange(16) * (1 + 0.03 * np.cos(
        np.arange(16))))
    fit = models.Drift().fit(s)
    kw = {"to": 2035, "n_paths": 300, "seed": 8, "chunk_size": 100}
    serial = project(fit, presets.scenario_set(), **kw)
    par = project(fit, presets.scenario_set(), executor=client.get_executor(), **kw)
    assert np.array_equal(par.samples, serial.samples)
