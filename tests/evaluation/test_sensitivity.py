"""Sobol' indices against analytic values; tornado and scenario Sobol' under CRN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import forecast
from forecast._seeds import as_generator
from forecast.errors import ForecastTypeError, ParameterError, ScenarioError
from forecast.evaluation import sobol, sobol_indices, tornado
from forecast.scenarios import (
    DiscreteUniform,
    Escalation,
    Group,
    LevelShift,
    Normal,
    Scenario,
    Uniform,
)

PI = np.pi


class FakeFit:
    """A minimal Fit: log random walk with drift, so tests need no model estimation."""

    last_year = 2025
    name = "fake"
    unit = "USD_bn"

    def __init__(self, sd: float = 0.05) -> None:
        self.sd = sd

    def point_forecast(self, h):
        return 3.4 + 0.08 * np.arange(1, h + 1)

    def simulate(self, h, n_paths, seed=None, innovations=None):
        z = as_generator(seed).standard_normal((n_paths, h))
        return self.point_forecast(h) + self.sd * np.cumsum(z, axis=1)


def _ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_matches_analytic_indices():
    a, b = 7.0, 0.1
    v = a**2 / 8 + b * PI**4 / 5 + b**2 * PI**8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * PI**4 / 5) ** 2, a**2 / 8, 8 * b**2 * PI**8 / 225
    first = [v1 / v, v2 / v, 0.0]
    total = [(v1 + v13) / v, v2 / v, v13 / v]
    problem = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}
    df = sobol_indices(_ishigami, problem, n=2**14, seed=7, n_bootstrap=50)
    assert df["parameter"].tolist() == ["x1", "x2", "x3"]
    np.testing.assert_allclose(df["first_order"], first, atol=0.02)
    np.testing.assert_allclose(df["total"], total, atol=0.02)
    assert np.all(df["first_order_lower"] <= df["first_order_upper"])
    assert df["variance"].iloc[0] == pytest.approx(v, rel=0.02)


def test_linear_model_groups_and_several_outputs():
    # y1 = x1 + 2 x2 (uniform inputs): S = (1/5, 4/5); y2 = 3 x3 only
    def f(x):
        return np.column_stack([x[:, 0] + 2 * x[:, 1], 3 * x[:, 2]])

    df = sobol_indices(f, {"x1": (0, 1), "x2": (0, 1), "x3": Normal(0, 1)}, n=1024,
                       seed=1, groups={"g12": ["x1", "x2"]}, outputs=["a", "b"])
    a = df[df["output"] == "a"].set_index("parameter")
    np.testing.assert_allclose(a.loc[["x1", "x2", "x3"], "first_order"], [0.2, 0.8, 0.0],
                               atol=0.01)
    np.testing.assert_allclose(a.loc[["x1", "x2", "x3"], "total"], [0.2, 0.8, 0.0], atol=0.01)
    assert a.loc["g12", "kind"] == "group"
    assert a.loc["g12", "first_order"] == pytest.approx(1.0, abs=1e-3)
    bb = df[df["output"] == "b"].set_index("parameter")
    assert bb.loc["x3", "first_order"] == pytest.approx(1.0, abs=0.01)
    assert bb.loc["x3", "total"] == pytest.approx(1.0, abs=0.01)


def test_sobol_indices_is_deterministic_and_random_sampling_works():
    prob = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}
    one = sobol_indices(_ishigami, prob, n=256, seed=3, n_bootstrap=40)
    two = sobol_indices(_ishigami, prob, n=256, seed=3, n_bootstrap=40)
    assert one.equals(two)
    rnd = sobol_indices(_ishigami, prob, n=4096, seed=3, n_bootstrap=0, sampling="random")
    assert rnd["total"].iloc[1] == pytest.approx(0.442, abs=0.05)
    assert rnd["first_order_lower"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"problem": {}}, ForecastTypeError, "non-empty dict"),
        ({"problem": {"x": (1, 0)}}, ParameterError, "low < high"),
        ({"func": lambda x: x[:5, 0]}, ParameterError, "shape"),
        ({"func": lambda x: np.full(len(x), np.nan)}, ParameterError, "finite"),
        ({"func": 3}, ForecastTypeError, "callable"),
        ({"n": 4}, ParameterError, "`n`"),
        ({"groups": {"g": ["nope"]}}, ParameterError, "group"),
        ({"sampling": "lhs"}, ParameterError, "sampling"),
    ],
)
def test_sobol_indices_errors(kwargs, err, match):
    args = {"func": lambda x: x[:, 0], "problem": {"x": (0, 1), "y": (0, 1)}, "n": 64,
            "seed": 1}
    args.update(kwargs)
    with pytest.raises(err, match=match):
        sobol_indices(**args)


@pytest.mark.parametrize(("n_bootstrap", "level", "need"), [
    (1, 95, 40), (39, 95, 40), (19, 80, 20), (300, 99.5, 400)])
def test_too_few_bootstrap_replicates_are_refused(n_bootstrap, level, need):
    """One replicate gave a zero-width interval that excluded the point estimate."""
    sc = Scenario("s", [LevelShift(2026, Uniform(-0.2, 0.0), name="big")])
    calls = (lambda kw: sobol_indices(lambda x: x[:, 0], {"x": (0, 1)}, n=64, seed=1, **kw),
             lambda kw: sobol(FakeFit(), sc, [2028], n=64, seed=1, **kw))
    for call in calls:
        with pytest.raises(ParameterError, match=rf"`n_bootstrap` must be 0 \(no intervals\) "
                                                 rf"or at least {need} for {level:g}% "
                                                 rf"intervals; got {n_bootstrap}\.") as err:
            call({"n_bootstrap": n_bootstrap, "level": level})
        assert err.value.field == "n_bootstrap"
        assert "n_bootstrap=0 for no intervals" in str(err.value)


@pytest.mark.parametrize(("n_bootstrap", "level"), [(0, 95), (40, 95), (20, 80), (200, 99)])
def test_enough_bootstrap_replicates_give_intervals_around_the_estimate(n_bootstrap, level):
    df = sobol_indices(lambda x: x[:, 0] + 2 * x[:, 1], {"a": (0, 1), "b": (0, 1)}, n=256,
                       seed=1, n_bootstrap=n_bootstrap, level=level)
    if n_bootstrap == 0:
        assert df["first_order_lower"].isna().all()
    else:
        assert (df["first_order_upper"] > df["first_order_lower"]).all()


# --------------------------------------------------------------------------- scenarios
def _two_shifts():
    return Scenario("two", [
        LevelShift(2026, Uniform(-0.2, 0.0), name="big"),
        LevelShift(DiscreteUniform(2026, 2028), Uniform(-0.1, 0.0), name="small"),
    ])


def test_tornado_swings_are_exact_under_common_random_numbers():
    sc = _two_shifts()
    tor = tornado(FakeFit(), sc, [2027, 2030], n_paths=500, seed=4)
    assert list(tor.columns[:3]) == ["year", "parameter", "assumption"]
    t30 = tor[tor["year"] == 2030].set_index("parameter")
    # an additive log shift moves the median level by exactly exp(high - low)
    big = t30.loc["big.size"]
    assert big["low_value"] == pytest.approx(-0.18)
    assert big["high_value"] == pytest.approx(-0.02)
    assert big["level_high"] / big["level_low"] == pytest.approx(np.exp(0.16), rel=1e-12)
    # by 2030 every start year has passed: the start year does not matter
    assert t30.loc["small.start", "swing"] == 0.0
    # sorted by |swing| within each year
    assert tor[tor["year"] == 2030]["parameter"].iloc[0] == "big.size"
    again = tornado(FakeFit(), sc, [2027, 2030], n_paths=500, seed=4)
    assert again.equals(tor)


def test_swing_standard_errors_measure_the_swings_spread_over_seeds():
    """A level shift moves every path's level by the same factor, so a swing is
    (exp(high) - exp(low)) times the median of the baseline paths: its spread over seeds
    is that median's sampling noise, which swing_se must estimate from one run."""
    sc = Scenario("one", [LevelShift(2026, Uniform(-0.2, 0.0), name="big")])
    runs = [tornado(FakeFit(), sc, 2030, n_paths=400, seed=s) for s in range(40)]
    swings = np.array([t["swing"].iloc[0] for t in runs])
    ses = np.array([t["swing_se"].iloc[0] for t in runs])
    assert np.all(ses > 0)
    assert 0.7 < ses.mean() / swings.std(ddof=1) < 1.4  # 40 seeds: the ratio is +-0.2
    # a parameter that cannot move anything has no noise either
    late = tornado(FakeFit(), _two_shifts(), 2030, n_paths=400, seed=1).set_index("parameter")
    assert late.loc["small.start", "swing_se"] == 0.0


def test_the_bootstrap_medians_are_numpys_medians_of_the_resamples():
    from forecast._seeds import child
    from forecast.evaluation import sensitivity as S

    for n, replicates, block in ((11, 7, S._BLOCK), (12, 9, S._BLOCK), (301, 40, 1000)):
        levels = np.exp(np.random.default_rng(n).standard_normal((n, 3)))
        seed = np.random.SeedSequence(3)
        boot = S.PathBootstrap(n, seed, replicates)
        boot.step = max(1, block // n)  # several blocks of resamples
        want = [np.median(levels[np.random.default_rng(child(seed, b)).integers(
            0, n, size=(min(boot.step, replicates - r), n))], axis=1)
            for b, r in enumerate(range(0, replicates, boot.step))]
        np.testing.assert_array_equal(boot.medians(levels), np.vstack(want))
        np.testing.assert_array_equal(boot.medians(levels * 2), 2 * np.vstack(want))


def test_scenario_sobol_effect_indices_are_analytic():
    # effect = big + small (independent uniforms, widths 0.2 and 0.1): S = 0.8, 0.2
    sc = Scenario("two", [LevelShift(2026, Uniform(-0.2, 0.0), name="big"),
                          LevelShift(2026, Uniform(-0.1, 0.0), name="small")])
    df = sobol(FakeFit(), sc, [2028], n=512, seed=2, output="effect", n_bootstrap=50)
    ix = df.set_index("parameter")
    assert ix.loc["big.size", "first_order"] == pytest.approx(0.8, abs=0.02)
    assert ix.loc["small.size", "total"] == pytest.approx(0.2, abs=0.02)
    assert ix.loc["big", "kind"] == "assumption"
    # common random numbers: baseline and chance draws have no effect on the effect
    assert abs(ix.loc["baseline", "total"]) < 1e-12
    assert abs(ix.loc["chance", "total"]) < 1e-12


def test_scenario_sobol_log_level_shares_with_baseline():
    sc = Scenario("one", [LevelShift(2026, Uniform(-0.2, 0.0), name="shift")])
    fit = FakeFit(sd=0.05)
    df = sobol(fit, sc, [2026, 2029], n=1024, seed=5, n_bootstrap=50)
    v_shift = 0.2**2 / 12
    for year, k in ((2026, 1), (2029, 4)):
        sub = df[df["year"] == year].set_index("parameter")
        share = v_shift / (v_shift + k * 0.05**2)
        assert sub.loc["shift.size", "total"] == pytest.approx(share, abs=0.03)
        assert sub.loc["baseline", "total"] == pytest.approx(1 - share, abs=0.06)
        assert sub.loc["shift.size", "total_lower"] <= sub.loc["shift.size", "total_upper"]


def test_scenario_sobol_group_and_probability():
    g = Group("friction", (LevelShift(2026, Uniform(-0.2, -0.1), name="step"),),
              probability=Uniform(0.2, 0.8))
    df = sobol(FakeFit(), Scenario("g", [g]), 2030, n=256, seed=1, output="effect",
               n_bootstrap=0)
    ix = df.set_index("parameter")
    assert set(ix.index) >= {"friction.probability", "friction.step.size", "friction",
                             "baseline", "chance"}
    # whether the group happens is a chance draw: it explains a large share
    assert ix.loc["chance", "total"] > 0.3
    assert ix.loc["friction", "total"] > ix.loc["friction.step.size", "total"]


def test_scenario_sobol_pins_per_year_draws():
    # Escalation draws its jump size per path and year: a pinned size is used every year
    esc = Escalation(2026, 1.0, Uniform(-0.05, -0.01), name="jumps")
    df = sobol(FakeFit(), Scenario("e", [esc]), [2027, 2030], n=256, seed=3,
               output="effect", n_bootstrap=0)
    ix = df[df["year"] == 2030].set_index("parameter")
    assert ix.loc["jumps.size", "first_order"] == pytest.approx(1.0, abs=0.01)
    assert abs(ix.loc["chance", "total"]) < 1e-12


def test_scenario_errors():
    fit = FakeFit()
    with pytest.raises(ScenarioError, match="no uncertain parameter; got only fixed"):
        sobol(fit, Scenario("fixed", [LevelShift(2027, -0.1)]), 2030, n=32)
    # no assumption at all: was a raw ValueError (max() of no start years) from both
    for run in (lambda sc: tornado(fit, sc, 2030, n_paths=50),
                lambda sc: sobol(fit, sc, 2030, n=32)):
        with pytest.raises(ScenarioError, match=r"scenario 'baseline' has no uncertain "
                                                r"parameter; got no assumption at all") as err:
            run(Scenario("baseline"))
        assert err.value.field == "scenario"
    with pytest.raises(ParameterError, match="after the history"):
        tornado(fit, _two_shifts(), [2020], n_paths=50)
    with pytest.raises(ForecastTypeError, match="Scenario"):
        tornado(fit, "escalation", [2030])
    with pytest.raises(ForecastTypeError, match="Fit"):
        sobol(object(), _two_shifts(), 2030)
    with pytest.raises(ParameterError, match="output"):
        sobol(fit, _two_shifts(), 2030, output="level")
    with pytest.raises(ParameterError, match="below"):
        tornado(fit, _two_shifts(), 2030, low=90, high=10)


def test_tornado_with_a_real_fit():
    s = forecast.AnnualSeries(range(2012, 2026), [10 * 1.1**i for i in range(14)])
    fit = forecast.Drift().fit(s)
    tor = tornado(fit, _two_shifts(), 2030, n_paths=200, seed=1)
    assert len(tor) == 3
    assert np.isfinite(tor["swing"]).all()
    # what the levels are, for the chart's axis and the report
    assert tor.attrs == {"unit": "USD_bn", "scenario": _two_shifts().name}


def test_sobol_names_its_scenario_as_tornado_does():
    """sobol's table said what it analysed only in the caller's variables (attrs held
    censored_share alone); it names the scenario as tornado does. No unit: the indices
    are shares of a variance."""
    s = forecast.AnnualSeries(range(2012, 2026), [10 * 1.1**i for i in range(14)])
    table = sobol(forecast.Drift().fit(s), _two_shifts(), 2030, n=32, seed=1, n_bootstrap=0)
    assert table.attrs["scenario"] == _two_shifts().name
    assert "unit" not in table.attrs
    assert set(table.attrs) == {"censored_share", "scenario"}


# --------------------------------------------------------------------------- late starts
@pytest.mark.parametrize("tool", ["tornado", "sobol"])
def test_an_assumption_starting_after_the_years_asked_warns_as_project_does(tool):
    late = Scenario("late", [LevelShift(2034, Uniform(-0.1, 0.0), name="step"),
                             LevelShift(2027, Uniform(-0.2, 0.0), name="early")])
    run = {"tornado": lambda y: tornado(FakeFit(), late, y, n_paths=50, seed=1),
           "sobol": lambda y: sobol(FakeFit(), late, y, n=32, seed=1, n_bootstrap=0)}[tool]
    with pytest.warns(UserWarning, match=rf"^{tool}: 'step' of 'late' \(2034\) start\(s\) "
                      r"after 2030, the last projected year.*years=\[\.\.\., 2034\]") as rec:
        run(2030)
    assert len([w for w in rec if "start(s) after" in str(w.message)]) == 1
    assert rec[0].filename == __file__  # pointed at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run([2030, 2034])  # reaches the start year: nothing to say


# --------------------------------------------------------------------------- horizon
def test_a_years_rows_depend_on_the_largest_year_asked_as_documented():
    sc = Scenario("s", [LevelShift(2027, Uniform(-0.2, 0.0), name="step")])
    fit = forecast.Drift().fit(forecast.reconstruct(), seed=1)
    alone = tornado(fit, sc, 2030, n_paths=200, seed=1)
    with_later = tornado(fit, sc, [2030, 2035], n_paths=200, seed=1)
    # the baseline is simulated to 2035 in the second call: other draws for 2030
    assert alone["level_median"].iloc[0] != with_later.query("year == 2030")[
        "level_median"].iloc[0]
    for tool in (tornado, sobol):
        assert "largest year in `years`" in tool.__doc__
        assert "SeedSequence passed in is not advanced" in tool.__doc__
    assert "can change size, and sign" in tornado.__doc__
