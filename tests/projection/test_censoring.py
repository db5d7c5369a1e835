"""Paths beyond the working scale's boundary: how many, the warning, and the effect check.

On a Box-Cox scale with lambda > 0 a working value below -1/lambda has no positive
level; such baseline paths are censored at the fit's floor. ``Fit.censored_share`` gives
their probability analytically; ``project`` warns when it exceeds 1%; and the check
that a scenario moves the level by at most exp(MAX_EFFECT) ignores censored cells,
whose distance from the point forecast is an artefact of the censoring.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast.errors import SimulationError
from forecast.projection import chunks
from forecast.scenarios import Volatility


@pytest.fixture(scope="module")
def level_fit():
    """A level-scale random walk with drift on a declining series: it crosses zero."""
    rng = np.random.default_rng(4)
    values = 40 - 1.0 * np.arange(15) + rng.normal(0, 1.5, 15)
    s = forecast.AnnualSeries(range(2011, 2026), values, unit="USD_bn")
    return forecast.Drift(scale="level", param_uncertainty=False, calibrate=False).fit(s)


def test_censored_share_is_the_share_of_censored_paths(level_fit):
    h = 20
    share = level_fit.censored_share(h)
    assert share.shape == (h,)
    assert np.all(np.diff(share) >= -1e-12)
    assert share[-1] > 0.2
    assert share[0] < 1e-6
    logs = level_fit.simulate(h, 200_000, seed=1)
    sim = (logs <= level_fit.floor_log).mean(0)
    np.testing.assert_allclose(sim, share, atol=0.004)
    # the log scale has no boundary
    log_fit = forecast.Drift(scale="log").fit(level_fit.series)
    assert log_fit.floor_log == -np.inf
    np.testing.assert_array_equal(log_fit.censored_share(h), 0.0)


def test_the_warning_names_a_year_once_when_the_first_is_the_last(level_fit):
    """Over 1% only in the last year projected: not "1.2% in 2035 and 1.2% in 2035"."""
    share = level_fit.censored_share(20)
    first = int(np.flatnonzero(share > 0.01)[0])
    year = level_fit.last_year + 1 + first
    with pytest.warns(UserWarning, match="censored") as record:
        forecast.project(level_fit, forecast.Scenario("baseline"), horizon=first + 1,
                         n_paths=50, seed=1)
    text = " ".join(str(w.message) for w in record if "censored" in str(w.message))
    assert f"{100 * share[first]:.1f}% of the baseline paths in {year} fall below " in text
    assert text.count(str(year)) == 1, text
    with pytest.warns(UserWarning, match=rf"paths in {year} and {100 * share[first + 1]:.1f}% "
                      rf"in {year + 1} fall below"):
        forecast.project(level_fit, forecast.Scenario("baseline"), horizon=first + 2,
                         n_paths=50, seed=1)


def test_project_warns_once_the_share_passes_one_percent(level_fit):
    share = level_fit.censored_share(20)
    first = int(np.flatnonzero(share > 0.01)[0])
    year = level_fit.last_year + 1 + first
    with pytest.warns(UserWarning, match=rf"baseline paths in {year} .* censored at .* log scale"):
        forecast.project(level_fit, forecast.Scenario("baseline"), horizon=20, n_paths=50,
                         seed=1)
    with warnings.catch_warnings():  # short horizon: nothing to say
        warnings.simplefilter("error")
        forecast.project(level_fit, forecast.Scenario("baseline"), horizon=first, n_paths=50,
                         seed=1)


def test_censored_paths_stay_at_the_floor_in_every_scenario(level_fit):
    """A censored path has no level: no assumption moves it (a spread 1.8 times as wide on
    a path at the floor would have moved it by more than the effect check allows, an
    artefact of the censoring). Every scenario's level there is the floor, so a lower
    quantile at the floor means "no positive level" in scenarios too, and the
    decomposition gives each assumption 0 of the zero gap there."""
    scen = forecast.Scenario("volatile", (Volatility(2026, 1.8, name="spread"),))
    shift = forecast.Scenario("down", (forecast.LevelShift(2027, -0.3, name="cut"),))
    with pytest.warns(UserWarning, match="censored"):
        p = forecast.project(level_fit, [forecast.Scenario("baseline"), scen, shift],
                             horizon=20, n_paths=4000, seed=3)
    base = p.base_log
    dead = base <= level_fit.floor_log
    assert dead.mean() > 0.05
    assert p.settings["floor_log"] == level_fit.floor_log
    for k in range(3):
        np.testing.assert_array_equal(p.samples[k][dead], np.exp(level_fit.floor_log))
    moved = np.abs(np.log(p.samples[1]) - base)
    assert 0 < moved[~dead].max() <= chunks.MAX_EFFECT
    parts = p.decompose("down")  # recomputed with the same censoring: exact
    gap = (p.samples[2] - p.samples[0]).mean(axis=0)
    np.testing.assert_allclose(parts.groupby("year")["level"].sum().to_numpy(), gap,
                               rtol=1e-9, atol=1e-12)


def test_effect_check_still_catches_live_paths():
    years = np.arange(2026, 2029)
    total = np.zeros((4, 3))
    total[1, 2] = -12.0
    live = np.ones((4, 3), dtype=bool)
    scen = forecast.Scenario("s")
    with pytest.raises(SimulationError, match="in 2028 it reached -12 "):
        chunks.check_effect(total, scen, {"a": total}, years, live)
    live[1, 2] = False  # the same cell, censored in the baseline: not checked
    chunks.check_effect(total, scen, {"a": total}, years, live)
    with pytest.raises(SimulationError, match="in 2028 it reached -12 on 1 of 4 paths"):
        chunks.check_effect(total, scen, {"a": total}, years)  # no mask: every cell


def _volatile_and_down():
    return forecast.Scenario("volatile and down", (
        Volatility(2026, forecast.Uniform(1.2, 2.0), name="spread"),
        forecast.LevelShift(2027, forecast.Uniform(-0.3, 0.0), name="cut")))


def test_the_sensitivity_tools_leave_censored_paths_at_the_floor_as_project_does(level_fit):
    """tornado and sobol evaluate the scenario's assumptions as project applies them: no
    effect on a censored baseline cell (a Volatility spread there would scale the
    artefact distance between the floor and the point forecast)."""
    from forecast.evaluation.crn import by_assumption
    from forecast.evaluation.sensitivity import _setup

    ev, params, _, _, h = _setup(level_fit, _volatile_and_down(), [2045], "test")
    base = level_fit.simulate(h, 3000, seed=5)
    dead = base <= level_fit.floor_log
    assert dead.mean() > 0.05
    values = by_assumption(params, [p.dist.quantile(0.9) for p in params])
    effects = ev.effects(values, ev.context(base), np.random.SeedSequence(2))
    for name, e in effects.items():
        np.testing.assert_array_equal(e[dead], 0.0, err_msg=name)
        assert np.abs(e[~dead]).max() > 0.01, name


def test_sobol_of_the_log_level_leaves_out_censored_paths_and_says_so(level_fit):
    """A censored path's log level is the floor, far below every other: 5-20% of them
    would make most of the log level's variance and push indices past 1. The log-level
    indices are of the paths that keep a level (the share left out is in the attrs), the
    warning is project's; output='effect' keeps every path, with effect 0 there."""
    scen = _volatile_and_down()
    with pytest.warns(UserWarning, match=r"sobol: .*% of the baseline paths in \d{4} and "
                                         r".*% in 2045 are censored .* paths that keep a level"):
        df = forecast.sobol(level_fit, scen, [2030, 2045], n=1024, seed=1, n_bootstrap=0)
    share = df.attrs["censored_share"]
    p = level_fit.censored_share(20)[[4, 19]]  # both of a row's baselines must keep a level
    np.testing.assert_allclose([share[2030], share[2045]], 1 - (1 - p) ** 2, atol=0.03)
    assert share[2045] > 0.1
    for year, grp in df.groupby("year"):  # shares of variance, to estimator noise (~0.1)
        assert grp["total"].between(-0.05, 1.15).all(), (year, grp)
        assert grp["first_order"].between(-0.1, 1.15).all(), (year, grp)
        assert grp.loc[grp["parameter"] == "baseline", "total"].item() > 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left out: no warning
        eff = forecast.sobol(level_fit, scen, [2030, 2045], n=512, seed=1, n_bootstrap=0,
                             output="effect")
    assert eff.attrs["censored_share"] == {2030: 0.0, 2045: 0.0}
    assert eff["total"].between(-0.05, 1.15).all()


def test_a_tail_path_past_the_cap_is_called_a_tail():
    # one path in 200 past the cap (a Volatility tail at scale="log"): the message said
    # "Reduce the sizes, rates or durations of the assumptions", as for a typical path;
    # `forecast run --scale log --to 2050 --paths 1000000` failed so while 100,000 passed
    years = np.arange(2026, 2029)
    total = np.full((200, 3), -0.5)
    total[7, 2] = -10.3
    scen = forecast.Scenario("fragmentation")
    with pytest.raises(SimulationError) as info:
        chunks.check_effect(total, scen, {"policy_uncertainty": total}, years,
                            paths=(400, 1_000))
    msg = str(info.value)
    for words in ("scenario 'fragmentation'", "in 2028 it reached -10.3 on 1 of 200 paths",
                  "paths 400-599 of the run's 1,000", "This is a tail",
                  "median effect that year is -0.5", "can pass with fewer paths",
                  "End the projection before 2028", "assumption 'policy_uncertainty'"):
        assert words in msg
    assert "Reduce the sizes" not in msg
    total[:, 2] = -10.3  # every path: the assumptions themselves are too large
    with pytest.raises(SimulationError, match="on 200 of 200 paths.*Reduce the sizes"):
        chunks.check_effect(total, scen, {"a": total}, years)
