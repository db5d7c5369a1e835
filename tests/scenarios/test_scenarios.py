"""Assumption primitives, Scenario, combine and ScenarioSet."""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

from forecast.errors import ForecastTypeError, ParameterError, ScenarioError
from forecast.scenarios import (
    Adoption,
    Beta,
    DiscreteUniform,
    Escalation,
    Fixed,
    Group,
    GrowthShift,
    LevelShift,
    Normal,
    PathContext,
    Scenario,
    ScenarioSet,
    Uniform,
    Volatility,
    combine,
)

YEARS = np.arange(2026, 2036)


def flat(n: int = 4) -> PathContext:
    return PathContext.flat(YEARS, n)


def rng(k: int = 0) -> np.random.Generator:
    return np.random.default_rng(k)


# ------------------------------------------------------------------ PathContext


def test_path_context_validates_and_freezes() -> None:
    base = np.zeros((3, 10))
    ctx = PathContext(YEARS, base, np.zeros(10), 2025)
    assert ctx.n_paths == 3
    assert ctx.horizon == 10
    assert not ctx.base.flags.writeable
    with pytest.raises(ParameterError, match="last_year"):
        PathContext(YEARS, base, np.zeros(10), 2024)
    with pytest.raises(ParameterError, match="shape"):
        PathContext(YEARS, np.zeros((3, 9)), np.zeros(10), 2025)
    with pytest.raises(ParameterError, match="center"):
        PathContext(YEARS, base, np.zeros(9), 2025)
    with pytest.raises(ParameterError, match="consecutive"):
        PathContext(np.array([2026, 2028]), np.zeros((1, 2)), np.zeros(2), 2025)
    # NaN or inf log paths made every effect NaN or -inf without a word
    with pytest.raises(ParameterError, match=r"`base` must hold finite log levels; got nan "
                                             r"in 30 cell\(s\)"):
        PathContext(YEARS, np.full((3, 10), np.nan), np.zeros(10), 2025)
    with pytest.raises(ParameterError, match=r"`center` must hold finite .* got inf"):
        PathContext(YEARS, base, np.r_[np.inf, np.zeros(9)], 2025)


# ------------------------------------------------------------------ primitives: equations


def test_level_shift_phase_in() -> None:
    e = LevelShift(2027, -0.12, phase_in=3).effect(flat(2), rng())
    want = np.array([0, -0.04, -0.08, -0.12] + [-0.12] * 6)
    np.testing.assert_allclose(e, np.tile(want, (2, 1)), atol=1e-15)


def test_growth_shift_end_and_half_life() -> None:
    e = GrowthShift(2027, 0.02, end=2029).effect(flat(1), rng())[0]
    np.testing.assert_allclose(e, [0, 0.02, 0.04, 0.06] + [0.06] * 6, atol=1e-15)
    e = GrowthShift(2026, 0.02, half_life=2.0).effect(flat(1), rng())[0]
    g = 0.02 * 0.5 ** (np.arange(10) / 2.0)
    np.testing.assert_allclose(e, np.cumsum(g), atol=1e-15)


def test_growth_shift_warns_when_a_random_end_can_precede_a_random_start() -> None:
    with pytest.warns(UserWarning, match=r"about 40% of paths .* at least 2030") as rec:
        g = GrowthShift(DiscreteUniform(2026, 2030), -0.01, end=DiscreteUniform(2027, 2029),
                        name="ban")
    assert rec[0].filename == __file__  # points at the caller's line
    e = g.effect(PathContext.flat(YEARS, n_paths=50_000), rng())
    assert abs(float(np.mean(e[:, -1] == 0)) - 0.40) < 0.01  # the share the warning names
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # end never before start: no warning
        GrowthShift(DiscreteUniform(2026, 2028), -0.01, end=DiscreteUniform(2028, 2030))
        GrowthShift(DiscreteUniform(2026, 2028), -0.01, end=2030)
        GrowthShift(2027, -0.01, end=2027)


def test_adoption_curve() -> None:
    e = Adoption(2027, 0.05, years_to_half=3, steepness=1.5).effect(flat(1), rng())[0]
    x = YEARS - 2027 + 1.0
    L = 1 / (1 + np.exp(-1.5 * (x - 3)))
    L0 = 1 / (1 + np.exp(1.5 * 3))
    want = np.where(x >= 1, 0.05 * (L - L0) / (1 - L0), 0.0)
    np.testing.assert_allclose(e, want, atol=1e-15)
    assert e[0] == 0
    assert np.all(np.diff(e) > 0)
    assert e[-1] < 0.05


def _recorded_draws(a, n: int = 500):
    """A `draw` for ``a.compute_effect`` drawing each parameter of `a` once (n values, a
    stream per parameter), and the dict of what it drew, to recompute the effect."""
    drawn: dict[str, np.ndarray] = {}

    def draw(key: str, size: int = n) -> np.ndarray:
        if key not in drawn:
            drawn[key] = getattr(a, key).sample(size, np.random.default_rng(len(drawn)))
        return drawn[key]

    return draw, drawn


def test_adoption_with_an_uncertain_start_is_each_paths_own_curve() -> None:
    """The looked-up curve (fixed shape, one row per start year) is the formula on every
    path, whatever start the path drew."""
    a = Adoption(DiscreteUniform(2026, 2030), Uniform(0.01, 0.05), years_to_half=2.5,
                 name="a")
    draw, rows = _recorded_draws(a)
    e = a.compute_effect(flat(500), draw)
    x = YEARS[None, :] - rows["start"][:, None] + 1.0
    want = rows["ceiling"][:, None] * Adoption._curve(x, 1.0, 2.5)
    assert len(np.unique(rows["start"])) == 5  # every start year is drawn
    np.testing.assert_allclose(e, want, rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize("phase_in", [1.0, 2, 2.5])
def test_level_shift_with_an_uncertain_start_is_each_paths_own_step(phase_in) -> None:
    """The looked-up phase-in (fixed length, one row per start year) is the formula on
    every path, whatever start the path drew."""
    a = LevelShift(DiscreteUniform(2026, 2030), Uniform(-0.1, 0.0), phase_in=phase_in,
                   name="a")
    draw, drawn = _recorded_draws(a)
    e = a.compute_effect(flat(500), draw)
    k = YEARS[None, :] - drawn["start"][:, None] + 1.0
    want = drawn["size"][:, None] * np.clip(k / phase_in, 0.0, 1.0)
    assert len(np.unique(drawn["start"])) == 5  # every start year is drawn
    assert np.array_equal(e, want)


def test_escalation_jumps_and_decay() -> None:
    ctx = flat(2000)
    e = Escalation(2027, 0.3, -0.02).effect(ctx, rng(1))
    jumps = np.diff(np.concatenate([np.zeros((2000, 1)), e], axis=1), axis=1)
    assert np.all(jumps[:, 0] == 0)  # nothing before the start year
    assert set(np.unique(jumps.round(12)).tolist()) <= {0.0, -0.02}
    assert np.mean(jumps[:, 1:] != 0) == pytest.approx(0.3, abs=0.02)
    d = Escalation(2026, 1.0, -0.01, decay=0.5).effect(flat(1), rng())[0]
    want = np.zeros(10)
    acc = 0.0
    for j in range(10):
        acc = 0.5 * acc - 0.01
        want[j] = acc
    np.testing.assert_allclose(d, want, atol=1e-15)


def test_volatility_scales_deviation_from_center() -> None:
    r = np.random.default_rng(5)
    base = np.cumsum(r.normal(0.05, 0.1, (50, 10)), axis=1)
    center = np.cumsum(np.full(10, 0.05))
    ctx = PathContext(YEARS, base, center, 2025)
    e = Volatility(2028, 2.0).effect(ctx, rng())
    dev = base - center
    want = np.where(YEARS >= 2028, dev - dev[:, [1]], 0.0)
    np.testing.assert_allclose(e, want, atol=1e-15)
    # from the first projected year: deviations relative to 0 at the last observed year
    e = Volatility(2026, 1.5).effect(ctx, rng())
    np.testing.assert_allclose(base + e - center, 1.5 * dev, atol=1e-12)


def test_probability_gates_whole_paths() -> None:
    e = LevelShift(2026, -0.1, probability=0.3).effect(flat(5000), rng(2))
    hit = e[:, -1] != 0
    assert hit.mean() == pytest.approx(0.3, abs=0.03)
    assert np.all(e[~hit] == 0)
    assert np.all(e[hit, -1] == -0.1)
    assert np.all(LevelShift(2026, -0.1, probability=0).effect(flat(), rng()) == 0)
    e = LevelShift(2026, -0.1, probability=Beta(2, 2)).effect(flat(5000), rng(2))
    assert (e[:, -1] != 0).mean() == pytest.approx(0.5, abs=0.03)


def test_uncertain_start_and_parameters_drawn_per_path() -> None:
    e = LevelShift(DiscreteUniform(2027, 2029), Uniform(-0.1, -0.05)).effect(flat(3000), rng())
    first = np.argmax(e != 0, axis=1) + 2026
    assert set(first.tolist()) == {2027, 2028, 2029}
    assert np.all(e[:, -1] <= -0.05)
    assert np.all(e[:, -1] >= -0.1)
    assert np.unique(e[:, -1]).size > 100


def test_group_gate_and_parts() -> None:
    g = Group("g", (LevelShift(2026, -0.1, name="a"), GrowthShift(2026, 0.01, name="b")),
                probability=0.5)
    e = g.effect(flat(4000), rng(3))
    on = e[:, 0] != 0
    assert on.mean() == pytest.approx(0.5, abs=0.03)
    np.testing.assert_allclose(e[on, -1], -0.1 + 0.1, atol=1e-12)
    assert np.all(e[~on] == 0)
    assert g.first_start == 2026
    assert g.key == "group:g"
    assert set(Group("h", (LevelShift(2027, Uniform(-1, 0), name="x"),)).parameters()) == {"x.size"}


def test_draws_do_not_depend_on_order_or_company() -> None:
    a = LevelShift(DiscreteUniform(2026, 2030), Uniform(-0.1, 0), name="a", probability=0.5)
    b = Escalation(2026, 0.2, Normal(-0.02, 0.01), name="b")
    c = Adoption(2027, Uniform(0, 0.05), name="c")
    ctx = flat(200)
    s1 = Scenario("s", (a, b, c)).effects(ctx, np.random.SeedSequence(7))
    s2 = Scenario("t", (c, a)).effects(ctx, np.random.SeedSequence(7))
    np.testing.assert_array_equal(s1["a"], s2["a"])
    np.testing.assert_array_equal(s1["c"], s2["c"])
    # the contract's seeding rule, exactly
    ss = np.random.SeedSequence(7)
    own = np.random.default_rng(np.random.SeedSequence(
        entropy=ss.entropy, spawn_key=ss.spawn_key + (zlib.crc32(b.key.encode()),)))
    np.testing.assert_array_equal(s1["b"], b.effect(ctx, own))
    # spawned seeds (what the engine passes) work too and differ from the root
    child = ss.spawn(2)[1]
    assert not np.array_equal(Scenario("s", (a,)).effects(ctx, child)["a"], s1["a"])


def test_with_parameters_keeps_other_draws() -> None:
    a = LevelShift(DiscreteUniform(2026, 2030), Uniform(-0.1, 0), name="a")
    ctx = flat(300)
    e1 = a.effect(ctx, rng(9))
    e2 = a.with_parameters(size=-0.05).effect(ctx, rng(9))
    # same start year on every path: the start draws are untouched
    np.testing.assert_array_equal(np.argmax(e1 != 0, axis=1), np.argmax(e2 != 0, axis=1))
    assert a.parameters() == {"start": DiscreteUniform(2026, 2030), "size": Uniform(-0.1, 0)}
    with pytest.raises(ParameterError, match="no parameter 'sizes'"):
        a.with_parameters(sizes=1)
    s = Scenario("s", (Group("g", (a,)),))
    assert set(s.parameters()) == {"g.a.start", "g.a.size"}
    s2 = s.with_parameters(**{"g.a.size": -0.02, "g.probability": 0.5})
    assert s2["g"].parts[0].size == Fixed(-0.02)
    assert s2["g"].probability == Fixed(0.5)
    with pytest.raises(ParameterError, match="<assumption>.<parameter>"):
        s.with_parameters(size=1)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("make", "err", "text"),
    [
        (lambda: LevelShift(2027, -0.1, phase_in=0.5), ParameterError, "phase_in"),
        (lambda: LevelShift(2027.5, -0.1), ForecastTypeError, "start"),
        (lambda: LevelShift("2027", -0.1), ForecastTypeError, "start"),
        (lambda: LevelShift(1800, -0.1), ParameterError, "calendar year"),
        (lambda: LevelShift(2027, -0.1, probability=1.2), ParameterError, "probability"),
        (lambda: LevelShift(2027, -0.1, probability=Uniform(0.5, 1.5)), ParameterError,
         "support"),
        (lambda: LevelShift(2027, "big"), ForecastTypeError, "size"),
        (lambda: LevelShift(2027, -0.1, name="a.b"), ParameterError, "dots"),
        (lambda: GrowthShift(2027, 0.01, half_life=-3), ParameterError, "half_life"),
        (lambda: GrowthShift(2027, 0.01, half_life=0), ParameterError, "half_life"),
        (lambda: GrowthShift(2027, 0.01, half_life=Normal(3, 1)), ParameterError, "half_life"),
        (lambda: GrowthShift(2030, 0.01, end=2028), ParameterError, "end"),
        (lambda: Adoption(2027, 0.05, years_to_half=0), ParameterError, "years_to_half"),
        (lambda: Adoption(2027, 0.05, steepness=-1), ParameterError, "steepness"),
        (lambda: Escalation(2027, 1.5, -0.01), ParameterError, "rate"),
        (lambda: Escalation(2027, 0.1, -0.01, decay=2), ParameterError, "decay"),
        (lambda: Volatility(2027, -1), ParameterError, "scale"),
        (lambda: Group("g", ()), ParameterError, "at least one"),
        (lambda: Group("g", (1,)), ForecastTypeError, "Assumption"),
        (lambda: Group("g", (LevelShift(2027, 0), LevelShift(2028, 0))), ParameterError,
         "unique"),
        (lambda: Scenario(""), ScenarioError, "non-empty"),
        (lambda: Scenario("s", (LevelShift(2027, 0), LevelShift(2028, 0))), ScenarioError,
         "2 times"),
        (lambda: Scenario("s", ("x",)), ForecastTypeError, "Assumption"),
        (lambda: ScenarioSet([]), ScenarioError, "at least one"),
        (lambda: ScenarioSet([Scenario("a"), Scenario("a")]), ScenarioError, "unique"),
        (lambda: ScenarioSet([Scenario("a"), Scenario("b")], [0.5, 0.6]), ParameterError,
         "sum to 1"),
        (lambda: ScenarioSet([Scenario("a"), Scenario("b")], [1.5, -0.5]), ParameterError,
         ">= 0"),
        (lambda: ScenarioSet([Scenario("a")], [0.5, 0.5]), ParameterError, "one value"),
    ],
)
def test_invalid_arguments_raise_clear_errors(make, err, text: str) -> None:
    with pytest.raises(err) as info:
        make()
    msg = str(info.value)
    assert text in msg
    assert "got" in msg
    assert any(w in msg for w in ("Pass", "Add", "Rename", "Divide", "leave"))


def test_validate_against_names_assumption_value_and_fix() -> None:
    s = Scenario("s", (LevelShift(DiscreteUniform(2025, 2027), -0.1, name="levy"),))
    with pytest.raises(ScenarioError) as info:
        s.validate_against(2025)
    msg = str(info.value)
    assert "'levy'" in msg
    assert "2025" in msg
    assert "start=2026" in msg
    with pytest.raises(ScenarioError):
        s.effects(flat(), 1)
    assert Scenario("ok", (LevelShift(2026, 0),)).validate_against(2025).name == "ok"
    assert ScenarioSet([s]).names == ("s",)
    with pytest.raises(ScenarioError):
        ScenarioSet([s]).validate_against(2025)


def test_effects_checks_context_and_seed() -> None:
    s = Scenario("s", (LevelShift(2026, -0.1),))
    with pytest.raises(ForecastTypeError, match="PathContext"):
        s.effects(np.zeros((2, 3)), 1)
    with pytest.raises(ForecastTypeError, match=r"`seed` must be an int >= 0, .*; got 'seed'"):
        s.effects(flat(), "seed")
    assert Scenario("baseline").effects(flat(), 1) == {}


# ------------------------------------------------------------------ combine and sets


def test_combine_names_order_and_conflicts() -> None:
    a = Scenario("a", (LevelShift(2027, -0.1, name="x"),))
    b = Scenario("b", (GrowthShift(2027, 0.01, name="w"),))
    empty = Scenario("baseline")
    ab = combine(b, a)
    assert ab.name == "a+b"
    assert ab.assumption_names == ("w", "x")
    assert combine(a, empty) == Scenario("a", a.assumptions)
    assert combine(combine(a, b), a).name == "a+b"
    assert combine(a, b, name="both").name == "both"
    assert combine().name == "baseline"
    assert len(combine()) == 0
    clash = Scenario("c", (LevelShift(2027, -0.2, name="x"),))
    with pytest.raises(ScenarioError, match="Rename"):
        combine(a, clash)
    with pytest.raises(ForecastTypeError):
        combine(a, "b")


def test_scenario_set_access() -> None:
    ss = ScenarioSet([Scenario("a"), Scenario("b")], probabilities=(0.25, 0.75))
    assert ss.names == ("a", "b")
    assert len(ss) == 2
    assert "b" in ss
    assert [s.name for s in ss] == ["a", "b"]
    assert ss[1].name == "b"
    assert ss.probabilities == (0.25, 0.75)
    with pytest.raises(KeyError):
        ss["c"]
    assert ScenarioSet.coerce(ss) is ss
    assert ScenarioSet.coerce(Scenario("z")).names == ("z",)


def test_to_dict_is_canonical() -> None:
    a = GrowthShift(2027, Uniform(-0.02, 0), half_life=4, name="drift")
    assert a.to_dict() == {"type": "growth_shift", "name": "drift", "start": 2027,
                           "delta": {"dist": "uniform", "low": -0.02, "high": 0.0},
                           "half_life": 4.0, "probability": 1.0}
    assert LevelShift(2027, 0).name == "level_shift"


@pytest.mark.parametrize("shape", [(1, 1), (7, 1), (1000, 5), (300, 75)])
def test_cumsum_years_is_numpys_accumulate_bit_for_bit(shape):
    """The effects' cumulative sum over years (a column loop, for speed) adds in numpy's
    order, so every projection is unchanged to the last bit."""
    from forecast.scenarios.primitives import cumsum_years

    x = np.random.default_rng(shape[1]).normal(0.0, 0.05, shape) * 10.0 ** np.arange(
        -3, 3, 6 / shape[1])[: shape[1]]
    assert np.array_equal(cumsum_years(x), np.add.accumulate(x, axis=1))


def test_range_messages_do_not_contradict_themselves() -> None:
    """`(0, inf]` included an infinite end, and a non-negative scale was said to lie
    within +-10."""
    with pytest.raises(ParameterError, match=r"in \(0\.0, inf\); got inf"):
        Uniform(0, np.inf)
    # both ends name the same range (a negative scale was said to lie in [0, inf))
    for bad in (1000.0, -1.0):
        with pytest.raises(ParameterError,
                           match=r"`scale` of Volatility .* must lie in \[0, 10\]; got"):
            Volatility(2026, bad)


def test_a_name_that_is_not_a_str_is_a_type_error() -> None:
    """Scenario(3) raised a ScenarioError and LevelShift(name=3) a ParameterError (both
    ValueErrors): a wrong type is a ForecastTypeError, as everywhere else."""
    with pytest.raises(ForecastTypeError, match=r"scenario name must be a str; got 3 \(int\)"):
        Scenario(3)
    with pytest.raises(ForecastTypeError, match=r"`name` must be a str; got 3 \(int\)") as info:
        LevelShift(2027, -0.1, name=3)
    assert info.value.field == "name"


def test_combine_with_the_empty_scenario_is_the_identity_description_included() -> None:
    from forecast import presets

    frag, base = presets.get("fragmentation"), presets.baseline()
    assert frag.description
    assert base.description
    assert combine(frag, base) == frag
    assert combine(base, frag) == frag
    assert combine(base, base) == base
    assert combine(frag, frag) == frag
    # two different descriptions are not merged; the caller says what the union means
    both = combine(frag, presets.get("digital_opening"))
    assert both.description == ""
    assert combine(frag, presets.get("digital_opening"), description="t").description == "t"
    a = Scenario("a", (LevelShift(2027, -0.1, name="x"),), "shared")
    b = Scenario("b", (GrowthShift(2027, 0.01, name="w"),), "shared")
    c = Scenario("c", (GrowthShift(2028, 0.01, name="v"),), "other")
    assert combine(a, b).description == "shared"
    for x, y, z in [(a, b, c), (c, a, b), (a, c, b)]:
        assert combine(combine(x, y), z) == combine(x, combine(y, z)) == combine(z, y, x)
    with pytest.raises(ForecastTypeError, match="`description` must be a string"):
        combine(a, description=3)
