"""SPEC 7: a SeedSequence passed as `seed` is not advanced, so the same call twice with it
gives the same result. One loop over every public function that takes `seed`."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import presets
from forecast.scenarios import PathContext


@pytest.fixture(scope="module")
def fit():
    return forecast.Drift().fit(forecast.reconstruct(), seed=1)


def _context(fit, h=5):
    last = int(fit.last_year)
    years = np.arange(last + 1, last + h + 1)
    return PathContext(years=years, base=np.asarray(fit.simulate(h, 50, seed=3)),
                       center=np.asarray(fit.point_forecast(h)), last_year=last)


@pytest.fixture(scope="module")
def split_fit():
    mh = forecast.reconstruct_markets(markets=("US", "EU"))
    return forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)


def _calls(fit, split_fit=None):
    frag = presets.get("fragmentation")
    last = int(fit.last_year)
    small = {"markets": ("US", "EU"), "origins": [2019], "horizon": 1, "n_paths": 50,
             "spec": forecast.Drift()}
    return {
        "tornado": lambda s: forecast.tornado(fit, frag, last + 4, n_paths=100, seed=s),
        "sobol": lambda s: forecast.sobol(fit, frag, last + 4, n=32, seed=s, n_bootstrap=40),
        "sobol_indices": lambda s: forecast.sobol_indices(
            lambda x: x[:, 0] + x[:, 1], {"a": (0, 1), "b": (0, 1)}, n=32, seed=s,
            n_bootstrap=40),
        "project": lambda s: forecast.project(fit, [frag], to=last + 4, n_paths=100,
                                              chunk_size=40, seed=s).samples,
        "backtest": lambda s: forecast.backtest(forecast.Drift(), forecast.reconstruct(),
                                                origins=[2018], horizon=2, n_paths=100,
                                                seed=s),
        "compare": lambda s: forecast.compare([forecast.Drift(), forecast.Naive()],
                                              forecast.reconstruct(), origins=[2018],
                                              horizon=2, n_paths=100, seed=s),
        "ModelSpec.fit": lambda s: forecast.Drift().fit(forecast.reconstruct(),
                                                        seed=s).simulate(3, 20, seed=1),
        "Fit.simulate": lambda s: fit.simulate(3, 20, seed=s),
        "Scenario.effects": lambda s: frag.effects(_context(fit), s),
        "History.draws": lambda s: forecast.reconstruct().draws(5, seed=s),
        "project_markets": lambda s: forecast.project_markets(
            split_fit, forecast.market_presets.scenario_set(), to=last + 3, n_paths=50,
            chunk_size=20, seed=s).samples,
        "backtest_markets": lambda s: forecast.backtest_markets(seed=s, **small),
        "compare_markets": lambda s: forecast.compare_markets(seed=s, **small),
    }


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("name", [
    "tornado", "sobol", "sobol_indices", "project", "backtest", "compare", "ModelSpec.fit",
    "Fit.simulate", "Scenario.effects", "History.draws", "project_markets",
    "backtest_markets", "compare_markets"])
def test_a_seed_sequence_passed_in_is_not_advanced(fit, split_fit, name):
    call = _calls(fit, split_fit)[name]
    ss = np.random.SeedSequence(5)
    first = call(ss)
    assert ss.n_children_spawned == 0, f"{name} advanced the caller's SeedSequence"
    assert _same(first, call(ss)), f"{name}: the same SeedSequence gave other draws"


def test_the_loop_covers_every_public_function_taking_seed(fit):
    taking = {n for n in forecast.__all__
              if inspect.isfunction(getattr(forecast, n))
              and "seed" in inspect.signature(getattr(forecast, n)).parameters}
    assert taking <= set(_calls(fit)), taking - set(_calls(fit))


def test_int_seed_children_equal_numpy_spawn():
    # the int-seed numbers of tornado and sobol are those of ss.spawn(n) on a fresh root
    from forecast._seeds import children

    fresh = np.random.SeedSequence(1)
    assert [c.generate_state(4).tolist() for c in children(np.random.SeedSequence(1), 6)] == [
        c.generate_state(4).tolist() for c in fresh.spawn(6)]
