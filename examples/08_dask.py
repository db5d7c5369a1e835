"""Run a projection on a dask.distributed cluster; the result is bit-identical to serial.

Paths are split into fixed-size chunks, each seeded from ``SeedSequence(seed).spawn``;
any object with ``.map`` runs them: a ``concurrent.futures`` executor, or dask's
``client.get_executor()``. So the executor changes the speed, never the numbers.

Run: ``python examples/08_dask.py`` (needs the ``dask`` extra); the test suite shrinks
it with ``FORECAST_EXAMPLE_PATHS``. For a real cluster, pass its address to ``Client``
(or use ``forecast run --scheduler tcp://host:8786``).
"""

import os

import numpy as np

import forecast
from forecast import presets

try:
    from dask.distributed import Client, LocalCluster
except ImportError:
    raise SystemExit("08_dask.py needs dask.distributed, which is not installed: "
                     "pip install 'forecast[dask]'") from None

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "40000"))

fit = forecast.Drift().fit(forecast.reconstruct(), seed=1)
chunk = max(100, n_paths // 8)

serial = forecast.project(fit, presets.scenario_set(), to=2035, n_paths=n_paths, seed=5,
                          chunk_size=chunk)

# processes=False keeps the example light; use worker processes for real speed-ups
with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster, \
        Client(cluster) as client:
    distributed = forecast.project(fit, presets.scenario_set(), to=2035, n_paths=n_paths, seed=5,
                                   chunk_size=chunk, executor=client.get_executor())

print(distributed)                             # one line: model, scenarios, paths, years
print("identical to the serial run:", np.array_equal(serial.samples, distributed.samples))
