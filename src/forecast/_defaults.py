"""Default sample counts shared by the Python API and the command line (standard library only).

The functions take their defaults from here (``project(n_paths=PROJECTION_PATHS)``,
``tornado(n_paths=TORNADO_PATHS)``, ...) and so do the commands' options (``forecast run
--paths``, ``forecast sensitivity --paths``/``--n``, ``forecast backtest --paths``), so a
command repeated in Python with the same seed and the defaults gives the same numbers.
This module imports nothing, so that ``forecast --help`` can read it without loading
numpy.
"""

__all__ = ["BACKTEST_PATHS", "PROJECTION_PATHS", "SOBOL_N", "TORNADO_PATHS"]

#: Monte Carlo paths per scenario of ``project`` / ``project_markets`` and ``forecast run``.
PROJECTION_PATHS = 10_000
#: Paths of the one-at-a-time sensitivity (``tornado``, ``forecast sensitivity`` and the
#: tornado of ``forecast run``, which uses at most this many).
TORNADO_PATHS = 2000
#: Base sample of the Sobol' indices (``sobol``, ``sobol_indices``, ``forecast
#: sensitivity --method sobol --n``): a power of two, as Sobol' points want.
SOBOL_N = 1024
#: Simulated paths per forecast of a backtest (``backtest``, ``compare``,
#: ``backtest_markets``, ``compare_markets``, ``forecast backtest``).
BACKTEST_PATHS = 2000
