"""Shared pytest configuration: hypothesis profiles and common fixtures."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# "ci" is deterministic (derandomize) so a CI run can never fail by chance; "dev" explores.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

def _examples_depend_on_the_test_alone() -> None:
    """Stop Hypothesis from mixing literals of the loaded modules into its draws.

    Hypothesis (6.13x+) draws some values from the constants of every local module in
    ``sys.modules`` and caches that pool the first time a draw needs it, so the examples of
    a derandomised test depended on which of the package's lazily imported modules earlier
    tests had loaded: a property passed alone and failed in the full run. With the pool
    empty, a derandomised test draws the same examples alone, in the suite and in CI. The
    hook is private: on a Hypothesis without it nothing changes.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without constant mining
        return
    if hasattr(providers, "_get_local_constants") and hasattr(providers, "_local_constants"):
        empty = providers._local_constants
        providers._get_local_constants = lambda: empty


_examples_depend_on_the_test_alone()
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def releases():
    """The embedded release records."""
    import forecast

    return forecast.load_releases()


@pytest.fixture(scope="session")
def us_history(releases):
    """The reconstructed US offshore-execution history in USD bn (computed once)."""
    import forecast

    return forecast.reconstruct(releases)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def market_history(releases):
    """China's total with the US, EU, HK and JP reconstructed together (computed once)."""
    import forecast

    return forecast.reconstruct_markets(releases)


@pytest.fixture(scope="session")
def market_projection(market_history):
    """The market presets projected to 2032 from a SplitModel of drifts (300 paths, once)."""
    import forecast

    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    sset = forecast.market_presets.scenario_set()
    return forecast.project_markets(fit, sset, to=2032, n_paths=300, seed=2)
