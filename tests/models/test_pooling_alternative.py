"""The quantile-averaging pool of benchmarks/pooling.py, whose figures docs/models.md
quotes ("Which pool"): it must be what it says, or the comparison means nothing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from forecast.models import gaussian

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
#: the scripts importing benchmarks/pooling.py loads (benchmarks/ and docs/scripts/)
SCRIPTS = {"pooling", "_common", "accuracy", "calibration", "tails", "evaluation_figures",
           "_markdown"}


@pytest.fixture(scope="module")
def pooling():
    """The script as a module; what importing it changes (the path, the environment's
    BLAS thread settings, the modules it loads) is undone afterwards."""
    path, environ, modules = list(sys.path), dict(os.environ), set(sys.modules)
    sys.path.insert(0, str(BENCH))
    try:
        import pooling
        yield pooling
    finally:
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(environ)
        for name in SCRIPTS - modules:  # library modules stay: one copy per process
            sys.modules.pop(name, None)


def _members(rng, m: int, h: int):
    means = rng.normal(size=(m, h)).cumsum(axis=1)
    a = rng.normal(size=(m, h, h))
    covs = a @ a.transpose(0, 2, 1) + 0.1 * np.eye(h)
    return means, covs


def test_each_quantile_is_the_average_of_the_families(pooling):
    """Three families of four history draws each: per year, the pool's sd is the
    weighted mean of the families' own sds (each its draws' mixture), about the default
    centre."""
    rng = np.random.default_rng(3)
    means, covs = _members(rng, 12, 5)
    groups = np.repeat(np.arange(3), 4)
    weights = np.full(12, 1 / 12)
    centre, cov = pooling.quantile_average(means, covs, weights, groups, "median")
    default_centre, default_cov = gaussian.pool(means, covs, weights, groups, "median")
    np.testing.assert_array_equal(centre, default_centre)
    family_sd = [np.sqrt(np.diag(gaussian.pool(means[groups == k], covs[groups == k],
                                               np.full(4, 0.25))[1])) for k in range(3)]
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), np.mean(family_sd, axis=0))
    # never wider than the default, which adds the families' disagreement
    assert np.all(np.diag(cov) <= np.diag(default_cov) + 1e-12)
    # the same correlation across years as the default, and a valid covariance
    d, d0 = np.sqrt(np.diag(cov)), np.sqrt(np.diag(default_cov))
    np.testing.assert_allclose(cov / np.outer(d, d), default_cov / np.outer(d0, d0))
    assert np.linalg.eigvalsh(cov).min() > 0


def test_history_draws_of_one_family_keep_their_mixture(pooling):
    rng = np.random.default_rng(4)
    means, covs = _members(rng, 6, 4)
    w = np.full(6, 1 / 6)
    for got, want in zip(pooling.quantile_average(means, covs, w), gaussian.pool(means, covs, w),
                         strict=True):
        np.testing.assert_array_equal(got, want)


def test_the_swap_is_undone(pooling):
    with pooling.pooled_by(pooling.quantile_average):
        assert gaussian.pool is pooling.quantile_average
    assert gaussian.pool is pooling._DEFAULT_POOL
