"""MarketProjection.mixture: the probability-weighted pool of whole scenario paths.

The multi-market counterpart of ``Projection.mixture`` (tests/projection): the same
counts (largest remainders), blocks of path numbers handed out in the order of the names,
the same name rules and errors. A path is pooled whole, so the markets of every pooled
path are one scenario's and add up to China's total. A multi-market run kept the
probabilities but had no mixture anywhere (audit D1).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os

import numpy as np
import pytest

from forecast import ForecastTypeError, MarketProjection, ScenarioError

#: uneven weights of the nine market presets; times 300 paths, each a whole number
UNEVEN = (0.22, 0.13, 0.11, 0.1, 0.1, 0.1, 0.09, 0.08, 0.07)


def _need(module: str) -> None:
    """Skip without the optional package, except in CI, where the test extra installs it."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the test extra, which includes {module}")
        pytest.skip(f"{module} is not installed")


def _weighted(mp, probabilities):
    return dataclasses.replace(mp, probabilities=tuple(probabilities))


@pytest.fixture(scope="module")
def mp(market_projection):
    """tests/conftest.py's nine presets (300 paths), every scenario weighted 1/9: 33.3
    paths each, so three scenarios take a 34th path (the largest-remainder rule)."""
    n = len(market_projection.scenario_names)
    return _weighted(market_projection, [1 / n] * n)


def test_mixture_pools_whole_paths_by_probability(mp):
    mix = mp.mixture()
    assert mix.scenario_names == ("mixture",)
    assert (mix.parts, mix.n_paths, mix.probabilities, mix.scenarios) == (
        mp.parts, mp.n_paths, None, None)
    counts = mix.settings["mixture"]
    order = sorted(mp.scenario_names)  # remainders tie: the first names take the extra path
    assert list(counts) == list(mp.scenario_names)
    assert counts == {n: 34 if n in order[:3] else 33 for n in mp.scenario_names}
    lo = 0
    for name in order:  # consecutive blocks in the order of the names, every part at once
        k, s = counts[name], mp.scenario_names.index(name)
        np.testing.assert_array_equal(mix.samples[0, :, lo:lo + k], mp.samples[s, :, lo:lo + k])
        lo += k
    assert lo == mp.n_paths
    np.testing.assert_array_equal(mix.base_log, mp.base_log)  # path j keeps its draws


def test_the_counts_and_blocks_are_the_single_market_mixtures(market_projection):
    """One rule for both: each market of the mixture is that market's own mixture."""
    mp = _weighted(market_projection, UNEVEN)
    mix = mp.mixture()
    assert mix.settings["mixture"] == dict(zip(mp.scenario_names,
                                               [66, 39, 33, 30, 30, 30, 27, 24, 21], strict=True))
    for m in mp.markets:
        one = mp.market(m).mixture()
        np.testing.assert_array_equal(mix.market(m).samples, one.samples)
        assert one.settings["mixture"] == mix.settings["mixture"]


def test_markets_add_up_to_the_total_in_every_pooled_path(mp):
    mix = mp.mixture()
    # every pooled path is one scenario's path, whole: its parts come from one scenario
    source = np.repeat([mp.scenario_names.index(n) for n in sorted(mp.scenario_names)],
                       [mix.settings["mixture"][n] for n in sorted(mp.scenario_names)])
    np.testing.assert_array_equal(mix.samples[0], mp.samples[source, :, np.arange(mp.n_paths)]
                                  .transpose(1, 0, 2))
    total = mix.levels("ALL")
    np.testing.assert_allclose(sum(mix.levels(m) for m in mix.parts), total, rtol=1e-14)
    shares = np.stack([mix.shares(m) for m in mix.parts])
    np.testing.assert_allclose(shares.sum(axis=0), 100.0, rtol=1e-12)
    f = mix.summary_frame((80,), share=True)
    np.testing.assert_allclose(f.groupby("year")["mean"].sum(), 100.0, rtol=1e-12)


def test_mixture_does_not_depend_on_the_order_of_the_scenarios(market_projection):
    mp = _weighted(market_projection, UNEVEN)
    order = [4, 8, 0, 2, 7, 1, 6, 3, 5]
    shuffled = dataclasses.replace(
        mp, scenario_names=tuple(mp.scenario_names[k] for k in order),
        samples=mp.samples[order], probabilities=tuple(mp.probabilities[k] for k in order),
        scenarios=None)
    np.testing.assert_array_equal(shuffled.mixture().samples, mp.mixture().samples)
    assert shuffled.mixture().settings["mixture"] == mp.mixture().settings["mixture"]


def test_errors_name_the_fix(mp, market_projection):
    with pytest.raises(ScenarioError, match=r"a mixture needs scenario probabilities; got "
                                            r"none\..*ScenarioSet.*project_markets"):
        market_projection.mixture()
    for name, error, text in (("", ScenarioError, "non-empty"),
                              (" pooled", ScenarioError, "surrounding spaces"),
                              (5, ForecastTypeError, r"must be a str .*got 5 \(int\)")):
        with pytest.raises(error, match=text + r'.*Pass e\.g\. name="mixture"'):
            mp.mixture(name=name)
    assert mp.mixture(name="weighted").scenario_names == ("weighted",)
    named = dataclasses.replace(mp, scenario_names=("mixture", *mp.scenario_names[1:]),
                                scenarios=None)
    assert named.mixture().scenario_names == ("mixture (pooled)",)
    mix = mp.mixture()
    with pytest.raises(ScenarioError, match=r"cannot split a mixture.*mp\.decompose\("
                                            r"'managed_friction'\)"):
        mix.decompose("mixture")  # not "`baseline` must name a projected scenario"
    with pytest.raises(ScenarioError, match=r"cannot split a mixture.*mp\.decompose\("
                                            r"'managed_friction', market='US'\)"):
        mix.market("US").decompose("mixture")
    with pytest.raises(ScenarioError, match="probabilities"):
        mix.mixture()  # a mixture has one scenario and no probabilities


def test_summaries_and_queries_work_on_the_mixture(mp):
    mix = mp.mixture()
    for share in (False, True):
        f = mix.summary_frame((80,), share=share)
        assert set(f["scenario"]) == {"mixture"}
        assert f["market"].unique().tolist() == list(mix.parts if share else mix.markets)
        last = f[(f["market"] == "US") & (f["year"] == 2032)].iloc[0]
        x = (mix.shares if share else mix.levels)("US")[0, :, -1]
        assert last["median"] == pytest.approx(np.median(x), rel=1e-12)
    p = mix.prob_below(15, 2030, "US", share=True, scenario="mixture")
    assert p == pytest.approx((mix.shares("US")[0, :, 4] < 15).mean())
    assert mix.prob_above(100, 2030).index.tolist() == ["mixture"]
    assert mix.share_frame("mixture").drop(columns="year").sum(axis=1).round(9).eq(100).all()
    assert mix.to_frame()["scenario"].unique().tolist() == ["mixture"]
    assert mix.to_wide(share=True)["market"].unique().tolist() == list(mix.parts)
    iamc = mix.to_iamc(shares=True, history=True)
    assert set(iamc["scenario"]) == {"mixture"}
    assert 2009 in iamc.columns
    assert "scenarios=[mixture] (1), n_paths=300" in repr(mix)


def test_the_mixture_exports_and_saves(mp, tmp_path):
    mix = mp.mixture()
    back = MarketProjection.load(mix.save(tmp_path / "mixture", format="csv"))
    np.testing.assert_array_equal(back.samples, mix.samples)
    assert back.settings["mixture"] == mix.settings["mixture"]
    with pytest.raises(ScenarioError, match="cannot split a mixture"):
        back.decompose("mixture")  # the loaded mixture is still refused in its words
    _need("xarray")
    ds = mix.to_xarray()
    assert ds["scenario"].values.tolist() == ["mixture"]
    assert "probability" not in ds.coords
    _need("openpyxl")
    import pandas as pd

    path = mix.to_excel(tmp_path / "mixture.xlsx")
    meta = pd.read_excel(path, sheet_name="meta")
    assert meta["scenario"].tolist() == ["mixture"]
    assert set(pd.read_excel(path, sheet_name="shares")["scenario"]) == {"mixture"}
