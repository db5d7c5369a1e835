"""Summaries of a projection's levels are computed once and never shared mutably."""

from __future__ import annotations

import numpy as np
import pandas as pd

import forecast
from forecast.projection import summaries


def _projection():
    s = forecast.AnnualSeries(range(2010, 2025), [10 * 1.07**i for i in range(15)])
    scen = [forecast.Scenario("baseline"),
            forecast.Scenario("shock", (forecast.scenarios.LevelShift(2027, -0.2),))]
    return forecast.project(forecast.Drift().fit(s), scen, to=2032, n_paths=3000, seed=4)


def test_repeated_summaries_sort_the_samples_once(monkeypatch):
    p = _projection()
    calls = []
    real = summaries.column_quantiles
    monkeypatch.setattr(summaries, "column_quantiles",
                        lambda *a: calls.append(1) or real(*a))
    first = [p.summary_frame(), p.interval(80), p.quantiles([0.1, 0.9]),
             p.difference(), p.difference(scenarios=["shock"])]
    n = len(calls)
    second = [p.summary_frame(), p.interval(80), p.quantiles([0.1, 0.9]),
              p.difference(), p.difference(scenarios=["shock"])]
    assert len(calls) == n  # nothing sorted again
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
    # the cached figures equal a fresh computation
    fresh = summaries.summary_stats(type("Bare", (), {"samples": p.samples, "scenario_names":
                                                      p.scenario_names, "years": p.years,
                                                      "horizon": p.horizon})(),
                                    [0, 1], (80, 95))
    pd.testing.assert_frame_equal(first[0], fresh)


def test_a_returned_frame_can_be_changed_without_touching_the_cache():
    p = _projection()
    a = p.summary_frame()
    a.loc[:, "median"] = -1.0
    d = p.difference()
    d.loc[:, "mean"] = np.nan
    assert (p.summary_frame()["median"] > 0).all()
    assert p.difference()["mean"].notna().all()
    # a copy of the projection starts with an empty cache and gives the same figures
    q = forecast.Projection(**{f: getattr(p, f) for f in p.__dataclass_fields__})
    pd.testing.assert_frame_equal(q.summary_frame(), p.summary_frame())


def test_a_decomposition_is_computed_once(monkeypatch):
    from forecast.projection import queries as projection_module

    p = _projection()
    calls = []
    real = projection_module._decompose
    monkeypatch.setattr(projection_module, "_decompose",
                        lambda *a: calls.append(a[1:]) or real(*a))
    a = p.decompose("shock")
    a.loc[:, "level"] = 0.0
    b = p.decompose("shock")
    assert calls == [("shock", "baseline")]
    assert b["level"].abs().sum() > 0
    pd.testing.assert_frame_equal(b, real(p, "shock", "baseline"))
