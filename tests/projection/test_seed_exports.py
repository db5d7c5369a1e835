"""Every place a run's seed is shown or exported shows the seed that reproduces the run.

A run seeded with a spawned SeedSequence has its parent's entropy: ``seed=proj.seed``
alone draws other numbers. repr, iamc_meta (the Excel meta sheet) and to_xarray show the
SeedSequence's source, ``seed_sequence`` rebuilds it, and the meta gives the chunk size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _optional import need

import forecast
from forecast import presets


@pytest.fixture(scope="module")
def fit():
    return forecast.Drift().fit(forecast.reconstruct(), seed=1)


def _run(fit, seed, **kw):
    return forecast.project(fit, [presets.baseline()], to=2030, n_paths=100, seed=seed, **kw)


def test_a_spawned_seed_is_shown_and_exported_so_that_it_reproduces_the_run(fit):
    child = np.random.SeedSequence(5).spawn(3)[2]
    p = _run(fit, child, chunk_size=40)
    source = "numpy.random.SeedSequence(5, spawn_key=(2,))"
    assert f"seed={source})" in repr(p)
    meta = p.iamc_meta()
    assert meta["seed"].tolist() == [source]
    assert meta["chunk_size"].tolist() == [40]
    # the shown source and seed_sequence both reproduce the run; the entropy alone does not
    again = _run(fit, eval(source, {"numpy": np}), chunk_size=40)
    assert np.array_equal(again.samples, p.samples)
    assert np.array_equal(_run(fit, p.seed_sequence, chunk_size=40).samples, p.samples)
    assert not np.array_equal(_run(fit, p.seed, chunk_size=40).samples, p.samples)
    assert p.seed_sequence.spawn_key == (2,)
    assert p.seed_sequence.entropy == 5
    need("xarray", "the seed in to_xarray()'s attributes is unchecked")
    ds = p.to_xarray()
    assert ds.attrs["seed"] == source
    assert ds.attrs["chunk_size"] == 40


def test_an_int_seed_stays_a_number(fit):
    p = _run(fit, 7)
    assert repr(p).endswith("seed=7)")
    meta = p.iamc_meta()
    assert meta["seed"].tolist() == [7]
    assert isinstance(meta["seed"].iloc[0], int | np.integer)
    assert np.array_equal(_run(fit, p.seed_sequence).samples, p.samples)


def test_an_other_pool_size_is_shown(fit):
    p = _run(fit, np.random.SeedSequence(3, pool_size=8))
    assert p.iamc_meta()["seed"].iloc[0] == "numpy.random.SeedSequence(3, pool_size=8)"
    assert np.array_equal(_run(fit, p.seed_sequence).samples, p.samples)


def test_fresh_entropy_is_kept_exact_as_text(fit):
    p = _run(fit, None)
    seed = p.iamc_meta()["seed"].iloc[0]
    assert isinstance(seed, str)
    assert int(seed) == p.seed
    assert np.array_equal(_run(fit, int(seed)).samples, p.samples)


def test_a_market_projection_shows_the_seed_that_reproduces_it(market_history, tmp_path):
    mfit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    child = np.random.SeedSequence(9).spawn(2)[1]
    mp = forecast.project_markets(mfit, [presets.baseline()], to=2028, n_paths=50, seed=child)
    source = "numpy.random.SeedSequence(9, spawn_key=(1,))"
    assert f"seed={source})" in repr(mp)
    again = forecast.project_markets(mfit, [presets.baseline()], to=2028, n_paths=50,
                                     seed=mp.seed_sequence)
    assert np.array_equal(again.samples, mp.samples)
    assert f"seed={source})" in repr(mp.market("US"))
    need("xarray", "the seed in to_xarray()'s attributes is unchecked")
    assert mp.to_xarray().attrs["seed"] == source
    need("openpyxl", "the seed in to_excel()'s meta sheet is unchecked")
    meta = pd.read_excel(mp.to_excel(tmp_path / "m.xlsx"), sheet_name="meta")
    assert meta["seed"].tolist() == [source]
    assert meta["chunk_size"].tolist() == [10_000]


def test_the_excel_meta_sheet_keeps_an_int_seed_a_number(fit, tmp_path):
    need("openpyxl")
    meta = pd.read_excel(_run(fit, 7).to_excel(tmp_path / "p.xlsx"), sheet_name="meta")
    assert meta["seed"].tolist() == [7]
    assert meta["seed"].dtype.kind == "i"
