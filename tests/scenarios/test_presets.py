"""Presets: structure, signs and sizes of effects, documentation of every default."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from forecast import presets
from forecast.errors import ParameterError, ScenarioError
from forecast.scenarios import DiscreteUniform, Group, PathContext, Scenario, ScenarioSet

YEARS = np.arange(2026, 2036)


@pytest.fixture(scope="module")
def ctx() -> PathContext:
    r = np.random.default_rng(0)
    base = np.cumsum(r.normal(0.05, 0.06, (4000, YEARS.size)), axis=1)
    return PathContext(YEARS, base, np.cumsum(np.full(YEARS.size, 0.05)), 2025)


def total(s: Scenario, ctx: PathContext, seed: int = 1) -> np.ndarray:
    eff = s.effects(ctx, np.random.SeedSequence(seed))
    return sum(eff.values()) if eff else np.zeros((ctx.n_paths, ctx.horizon))


def test_all_has_seven_with_baseline_first() -> None:
    ss = presets.scenario_set()
    assert isinstance(ss, ScenarioSet)
    assert ss.names == presets.names()
    assert ss.names[0] == "baseline"
    assert len(ss) == 7
    assert ss.probabilities is None
    assert len(ss["baseline"]) == 0
    for name in ss.names:
        assert presets.get(name) == ss[name]
    with pytest.raises(ParameterError, match="names"):
        presets.get("utopia")


def test_domain_assumptions_are_groups() -> None:
    for fn in (presets.trade_friction, presets.data_flow_liberalization,
               presets.green_tech_cooperation, presets.data_flow_fragmentation):
        g = fn()
        assert isinstance(g, Group)
        assert g.first_start >= 2026
    assert [p.name for p in presets.trade_friction("mild").parts] == ["drift"]
    with pytest.raises(ParameterError, match="severity"):
        presets.trade_friction("apocalyptic")


def test_friction_never_lifts_and_grows_with_severity(ctx: PathContext) -> None:
    means = []
    for sev in ("mild", "moderate", "severe"):
        e = total(Scenario(sev, (presets.trade_friction(sev),)), ctx)
        assert np.all(e <= 0)
        means.append(e[:, -1].mean())
    assert means[0] > means[1] > means[2]


#: opening preset -> (share of paths the opening reaches: its probability, or 1 - 0.4 x 0.5
#: for cooperation's two; the highest ceiling; a floor under the mean effect by 2035, about
#: half the measured 0.009, 0.003, 0.021)
OPENINGS = {"digital_opening": (0.35, 0.05, 0.004), "green_partnership": (0.25, 0.03, 0.0015),
            "cooperation": (0.8, 0.08, 0.01)}


@pytest.mark.parametrize("name", sorted(OPENINGS))
def test_openings_never_lower(ctx: PathContext, name: str) -> None:
    """Never negative, and not nothing: the opening lifts about `probability` of the paths
    by the horizon, none in 2026 (every start is 2027 or later), and each by at most its
    ceiling; a probability of 0, a start after the horizon or a zero size would fail."""
    share, ceiling, floor = OPENINGS[name]
    e = total(presets.get(name), ctx)
    assert np.all(e >= 0)
    assert np.all(e[:, 0] == 0)
    assert (e[:, -1] > 0).mean() == pytest.approx(share, abs=0.03)  # 4000 paths: sd 0.008
    assert e[:, -1].mean() > floor
    assert e.max() <= ceiling
    assert np.all(np.diff(e, axis=1) >= -1e-12)  # an S-curve gain only builds up


def test_effects_are_modest(ctx: PathContext) -> None:
    # the evidence is mostly indirect: no preset moves the median level by a third by 2035
    for s in presets.scenario_set():
        e = total(s, ctx)
        med = np.median(e[:, -1])
        assert abs(med) < np.log(1.5)
        assert np.median(e[:, 0]) > -0.05
    e = total(presets.cooperation(), ctx)
    assert 0 < e[:, -1].mean() < 0.05


def test_common_random_numbers_across_scenarios(ctx: PathContext) -> None:
    # managed_friction and escalation share the group name: their drift draws align
    a = presets.managed_friction().effects(ctx, np.random.SeedSequence(3))["trade_friction"]
    b = presets.escalation().effects(ctx, np.random.SeedSequence(3))["trade_friction"]
    assert np.corrcoef(a[:, -1], b[:, -1])[0, 1] > 0.3


def test_start_years_are_validated() -> None:
    g = presets.data_flow_liberalization(start=DiscreteUniform(2024, 2027))
    with pytest.raises(ScenarioError, match="data_flow_liberalization"):
        Scenario("s", (g,)).validate_against(2025)
    assert presets.trade_friction(start=2030).first_start == 2030


@pytest.mark.parametrize("fn", [presets.trade_friction, presets.data_flow_liberalization,
                                presets.data_flow_fragmentation,
                                presets.green_tech_cooperation, presets.fragmentation,
                                presets.cooperation])
def test_every_default_is_sourced_or_a_judgement(fn) -> None:
    doc = inspect.getdoc(fn) or ""
    assert "judgement" in doc
    module_doc = inspect.getsource(presets)
    assert "SOURCES.md" in module_doc


def test_docs_cite_the_evidence() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()
    for needle in ("-1%/yr", "+9.8%/yr", "FRBNY", "DEPA", "+3.6%", "-1.7%", "ITIF",
                   "Borchert", "+61.3%", "+140%", "0.16%", "OBBBA", "judgement",
                   "img/preset_effects.png"):
        assert needle in text, needle
    png = Path(__file__).resolve().parents[2] / "docs" / "img" / "preset_effects.png"
    assert 0 < png.stat().st_size < 200_000


def test_log_point_values_are_not_written_as_percentages() -> None:
    """docs/scenarios.md and the presets' docstrings gave the severe levy step as
    Triangular(-25%, -10%, -3%), "up to the goods response (goods fell 25-31%)": the
    values are log points, and -0.25 is -22.1% on the level."""
    import math
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(
        encoding="utf-8")
    source = inspect.getsource(presets)
    as_percent = re.compile(r"(?:Triangular|Uniform)\([^)]*%")
    for name, text in (("docs/scenarios.md", docs), ("presets.py", source)):
        assert not as_percent.findall(text), (name, as_percent.findall(text))
    severe = next(p for p in presets.trade_friction("severe").parts if p.name == "levy_step")
    low, mode, high = severe.size.low, severe.size.mode, severe.size.high
    assert (low, mode, high) == (-0.25, -0.10, -0.03)  # the values the texts quote
    for text in (docs, inspect.getdoc(presets.trade_friction)):
        assert "Triangular(-0.25, -0.10, -0.03)" in text
        assert f"{100 * math.expm1(low):.1f}% to {100 * math.expm1(high):.1f}%" in text
        assert f"mode {100 * math.expm1(mode):.1f}%" in text
    assert "up to the goods response" not in docs


def test_no_preset_name_shadows_a_builtin() -> None:
    import builtins

    assert not hasattr(presets, "all")
    assert not set(presets.__all__) & set(dir(builtins))
    assert presets.scenario_set().names == presets.names()


def test_a_misspelled_preset_gets_a_suggestion():
    """As every other name error: the names, and the near miss."""
    with pytest.raises(ParameterError, match=r"got 'escalaton'\. Did you mean 'escalation'\? "
                       r"See forecast\.presets\.names\(\)\."):
        presets.get("escalaton")
    with pytest.raises(ParameterError, match=r"got 3\. See"):
        presets.get(3)
