"""Hypothesis properties of distributions, assumptions, combine and scenario files."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import assumptions, distributions, names, params, scenario_sets, scenarios, starts

from forecast.scenarios import (
    Adoption,
    Distribution,
    Escalation,
    Group,
    GrowthShift,
    LevelShift,
    PathContext,
    Scenario,
    combine,
    dumps_scenarios,
    loads_scenarios,
)

YEARS = np.arange(2026, 2034)


def _ctx(seed: int = 0, n: int = 40) -> PathContext:
    r = np.random.default_rng(seed)
    base = np.cumsum(r.normal(0.05, 0.1, (n, YEARS.size)), axis=1)
    return PathContext(YEARS, base, np.cumsum(np.full(YEARS.size, 0.05)), 2025)


def _same(e1: dict, e2: dict) -> bool:
    return e1.keys() == e2.keys() and all(np.array_equal(e1[k], e2[k]) for k in e1)


@st.composite
def _disjoint(draw, k: int = 3) -> list[Scenario]:
    """k scenarios whose assumption names do not clash."""
    labels = draw(st.lists(names, min_size=0, max_size=5, unique=True))
    cut = sorted(draw(st.lists(st.integers(0, len(labels)), min_size=k - 1, max_size=k - 1)))
    bounds = [0, *cut, len(labels)]
    out = []
    for i in range(k):
        parts = labels[bounds[i]:bounds[i + 1]]
        out.append(Scenario(f"s{i}", tuple(draw(assumptions(p)) for p in parts)))
    return out


@given(_disjoint(), st.integers(0, 2**32 - 1))
def test_combine_associative_commutative_identity(sc: list[Scenario], seed: int) -> None:
    a, b, c = sc
    ctx, ss = _ctx(), np.random.SeedSequence(seed)
    left = combine(combine(a, b), c)
    right = combine(a, combine(b, c))
    assert left == right
    assert _same(left.effects(ctx, ss), right.effects(ctx, ss))
    assert _same(combine(a, b).effects(ctx, ss), combine(b, a).effects(ctx, ss))
    assert combine(a, b) == combine(b, a)
    assert _same(combine(a, Scenario("empty")).effects(ctx, ss), a.effects(ctx, ss))


_ZERO = {
    "size": lambda start, x: LevelShift(start, 0.0, 1.0 + 3.0 * x),
    "delta": lambda start, x: GrowthShift(start, 0.0, half_life=0.5 + x),
    "ceiling": lambda start, x: Adoption(start, 0.0, 0.5 + x),
    "esc": lambda start, x: Escalation(start, x, 0.0),
    "prob": lambda start, x: Group("g", (LevelShift(start, -0.3), GrowthShift(start, 0.05)),
                                   probability=0),
}


@given(st.sampled_from(sorted(_ZERO)), starts, st.floats(0, 1), st.integers(0, 1000))
def test_zero_effect_is_exactly_zero(kind: str, start, x: float, seed: int) -> None:
    ctx = _ctx(seed)
    eff = Scenario("z", (_ZERO[kind](start, x),)).effects(ctx, np.random.SeedSequence(seed))
    total = ctx.base + sum(eff.values())
    assert np.array_equal(total, ctx.base)


@given(assumptions(), st.integers(0, 1000))
def test_probability_zero_gives_zero(a, seed: int) -> None:
    from dataclasses import replace

    z = replace(a, probability=0.0)
    assert np.all(z.effect(_ctx(seed), np.random.default_rng(seed)) == 0)


@given(starts, params(-0.5, 0.0), params(1.0, 4.0), params(-0.05, 0.0),
       st.none() | params(0.5, 10), params(0, 1), st.integers(0, 1000))
def test_non_positive_shifts_never_lift(start, size, phase, delta, hl, p, seed: int) -> None:
    ctx = _ctx(seed)
    s = Scenario("down", (LevelShift(start, size, phase, name="l", probability=p),
                          GrowthShift(start, delta, half_life=hl, name="g")))
    for eff in s.effects(ctx, np.random.SeedSequence(seed)).values():
        assert np.all(eff <= 0)


@given(assumptions(), st.integers(0, 1000))
def test_effect_shape_finite_and_deterministic(a, seed: int) -> None:
    ctx = _ctx(seed, n=17)
    e1 = a.effect(ctx, np.random.default_rng(seed))
    e2 = a.effect(ctx, np.random.default_rng(seed))
    assert e1.shape == (17, YEARS.size)
    assert np.all(np.isfinite(e1))
    assert np.array_equal(e1, e2)
    before = ctx.years < a.first_start
    assert np.all(e1[:, before] == 0)


@given(scenario_sets())
def test_toml_round_trip(ss) -> None:
    text = dumps_scenarios(ss)
    back = loads_scenarios(text)
    assert back == ss
    assert dumps_scenarios(back) == text


@given(scenarios())
def test_parameters_are_uncertain_distributions(s: Scenario) -> None:
    for name, d in s.parameters().items():
        assert isinstance(d, Distribution)
        assert not d.is_fixed
        head = name.split(".")[0]
        assert head in s.assumption_names
    # fixing every uncertain parameter at its median leaves nothing uncertain
    fixed = s.with_parameters(**{k: d.median() for k, d in s.parameters().items()})
    assert fixed.parameters() == {}


@given(distributions(), st.integers(0, 2**32 - 1))
def test_samples_in_support_and_quantiles_monotone(d: Distribution, seed: int) -> None:
    x = d.sample(200, np.random.default_rng(seed))
    lo, hi = d.support
    assert np.all(x >= lo)
    assert np.all(x <= hi)
    q = np.asarray(d.quantile(np.linspace(0, 1, 11)), dtype=float)
    assert np.all(np.diff(q) >= -1e-12 * max(1.0, abs(q).max()))
    assert lo <= d.median() <= hi
