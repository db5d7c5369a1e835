"""What a user sees after common mistakes with scenarios and scenario files.

Each test pins a message that names the field, the value received and the fix, where
the library used to give a confusing message, a raw TypeError or a silent misreading.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forecast import presets
from forecast.errors import (
    ConfigError,
    ForecastTypeError,
    ParameterError,
    ScenarioError,
    ScenarioKeyError,
)
from forecast.scenarios import (
    Distribution,
    Group,
    GrowthShift,
    LevelShift,
    Scenario,
    ScenarioSet,
    combine,
    dumps_scenarios,
    load_scenarios,
    loads_scenarios,
)

OK = """
[[scenario]]
name = "贸易摩擦"

[[scenario.assumption]]
type = "level_shift"
name = "关税"
start = 2027
size = {dist = "triangular", low = -0.15, mode = -0.06, high = -0.02}
phase_in = 2
"""


def test_a_group_without_its_name_says_the_name_comes_first():
    with pytest.raises(ForecastTypeError, match=r"`name` of a Group must be a string, its "
                       r"first argument; got tuple .*Pass Group\(\"my_group\"") as info:
        Group((LevelShift(2027, -0.1),))
    assert info.value.field == "name"


@pytest.mark.parametrize(("kwargs", "field"), [({"size": float("nan")}, "size"),
                                               ({"probability": float("inf")}, "probability")])
def test_a_nan_parameter_is_named_by_its_field_not_fixed_value(kwargs, field):
    args = {"size": -0.05, **kwargs}
    with pytest.raises(ParameterError, match=rf"^`{field}` of LevelShift 'level_shift' must be "
                                             r"a finite number; got (nan|inf)\. Pass") as info:
        LevelShift(2027, **args)
    assert info.value.field == field


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"phase_in": 1e300}, "phase_in", r"must lie in \[1, 1e\+12\]; got 1e\+300\. Pass "
     r"phase_in >= 1"),
    ({"size": 1e300}, "size", r"must lie within \+-1e\+12; got 1e\+300\. Pass a size in "
     r"log points, e\.g\. -0\.05\.$"),
    ({"size": -(10**400)}, "size", r"must lie within \+-1e\+12; got a negative integer of "
     r"401 digits\."),
    ({"probability": 1e300}, "probability", r"must lie in \[0, 1\]; got 1e\+300\."),
])
def test_a_finite_parameter_too_large_says_its_range_not_finite(kwargs, field, message):
    """1e300 is finite: the message gives the range it must lie in, not "finite number"."""
    args = {"size": -0.05, **kwargs}
    with pytest.raises(ParameterError, match=rf"^`{field}` of LevelShift 'level_shift' "
                                             + message) as info:
        LevelShift(2027, **args)
    assert "finite number" not in str(info.value)
    assert info.value.field == field


def test_a_too_large_half_life_says_its_open_range():
    with pytest.raises(ParameterError, match=r"`half_life` of GrowthShift 'growth_shift' must "
                       r"lie in \(0, 1e\+12\]; got 1e\+300\. Pass a positive half-life"):
        GrowthShift(2027, -0.01, half_life=1e300)


@pytest.mark.parametrize(("value", "got"), [("1e308", "1e+308"),
                                            ("99999999999999999999", "1e+20")])
def test_a_file_size_too_large_says_its_range_not_finite(value, got):
    text = OK.replace("size = {dist = \"triangular\", low = -0.15, mode = -0.06, high = -0.02}",
                      f"size = {value}")
    with pytest.raises(ConfigError, match=r"^scenario\[1\]\.assumption\[1\]\.size: `size` of "
                       rf"LevelShift '关税' must lie within \+-1e\+12; got {re.escape(got)}\. "
                       r"Pass a size in log points"):
        loads_scenarios(text)


@pytest.mark.parametrize(("key", "line", "fix"), [
    ("half_life", "half_life = inf", "Pass a positive half-life in years"),
    ("half_life", "half_life = nan", "Pass a positive half-life in years"),
    ("delta", "delta = -inf", "Pass a growth change in log points per year, e.g. -0.01."),
])
def test_a_non_finite_file_value_gets_its_own_fields_example(key, line, fix):
    """A half-life of inf was told "Write e.g. -0.05", itself an invalid half-life."""
    body = {"half_life": "delta = -0.01\n", "delta": ""}[key]
    text = ('[[scenario]]\nname = "a"\n[[scenario.assumption]]\ntype = "growth_shift"\n'
            f"start = 2027\n{body}{line}\n")
    with pytest.raises(ConfigError, match=rf"\.{key}: `{key}` of GrowthShift 'growth_shift' "
                       r"must be a finite number; got -?(inf|nan)\. ") as info:
        loads_scenarios(text)
    assert fix in str(info.value)
    assert "-0.05" not in str(info.value)


def test_validate_against_a_text_year_is_a_type_error_not_a_raw_comparison():
    with pytest.raises(ForecastTypeError, match=r"`last_year` must be .* an int; got '2025' "
                                                r"\(str\)\. Pass e\.g\. fit\.last_year"):
        presets.get("escalation").validate_against("2025")


def test_combine_a_scenario_set_says_unpack_it():
    with pytest.raises(ForecastTypeError, match=r"got a ScenarioSet .*Unpack it: "
                                                r"combine\(\*scenarios\)") as info:
        combine(presets.scenario_set())
    assert len(str(info.value)) < 300  # not the repr of seven scenarios


def test_combine_conflicting_assumptions_names_both_scenarios_briefly():
    with pytest.raises(ScenarioError, match=r"'trade_friction' means two different assumptions, in "
                       r"scenarios 'escalation' and 'managed_friction' \(their parts differ: "
                       r"drift, levy_step, control_shocks\)\. Rename one") as info:
        combine(presets.get("escalation"), presets.get("managed_friction"))
    assert len(str(info.value)) < 400
    a = Scenario("a", [LevelShift(2027, -0.1, name="x")])
    b = Scenario("b", [LevelShift(2028, -0.1, name="x")])
    with pytest.raises(ScenarioError, match=r"they differ in start \(2027 vs 2028\)"):
        combine(a, b)


def test_probabilities_given_as_percentages_get_that_hint():
    with pytest.raises(ParameterError, match=r"got 100\.0\. Did you give percentages\? Divide "
                                             "them by 100"):
        ScenarioSet([Scenario("a"), Scenario("b")], [70, 30])
    with pytest.raises(ParameterError, match=r"got 0\.9\. Divide each by their sum"):
        ScenarioSet([Scenario("a"), Scenario("b")], [0.5, 0.4])


def test_a_misspelled_scenario_in_a_set_gets_a_suggestion():
    with pytest.raises(KeyError, match=r"no scenario 'escalaton' in the set\. Did you mean "
                                       r"'escalation'\?"):
        presets.scenario_set()["escalaton"]


def test_an_unknown_name_is_a_scenario_error_and_still_a_key_error():
    sset = presets.scenario_set()
    with pytest.raises(ScenarioKeyError) as info:
        sset["nope"]
    err = info.value
    assert isinstance(err, ScenarioError)
    assert isinstance(err, KeyError)
    assert str(err).startswith("no scenario 'nope' in the set. It has: baseline, ")  # unquoted
    assert "nope" not in sset  # membership needs no exception
    with pytest.raises(KeyError, match="has no assumption 'nope'"):
        sset["escalation"]["nope"]
    with pytest.raises(ScenarioError, match=r"scenario 'escalation' has no assumption 'nope'; "
                       r"it has \["):
        sset["escalation"]["nope"]


def test_a_file_with_a_utf8_bom_and_windows_line_endings_loads(tmp_path: Path):
    f = tmp_path / "notepad.toml"
    f.write_bytes(b"\xef\xbb\xbf" + OK.replace("\n", "\r\n").encode("utf-8"))
    loaded = load_scenarios(f)
    assert loaded == loads_scenarios(OK)
    assert loaded.names == ("贸易摩擦",)
    assert loaded["贸易摩擦"].assumption_names == ("关税",)
    assert loads_scenarios(dumps_scenarios(loaded)) == loaded


@pytest.mark.parametrize(("old", "new", "path", "hint"), [
    ("phase_in", "phasein", "scenario[1].assumption[1].phasein", "Did you mean 'phase_in'?"),
    ("[[scenario]]", "[[scenarios]]", "<top>.scenarios", "Did you mean 'scenario'?"),
    ('"level_shift"', '"levelshift"', "scenario[1].assumption[1].type",
     "Did you mean 'level_shift'?"),
    ("mode =", "mod =", "scenario[1].assumption[1].size.mod", "Did you mean 'mode'?"),
    ('"triangular"', '"triangle"', "scenario[1].assumption[1].size.dist",
     "Did you mean 'triangular'?"),
])
def test_misspelled_keys_and_names_in_a_file_get_a_suggestion(old, new, path, hint):
    with pytest.raises(ConfigError) as info:
        loads_scenarios(OK.replace(old, new))
    msg = str(info.value)
    assert msg.startswith(path), msg
    assert hint in msg, msg


def test_a_preset_severity_or_name_that_is_not_text_is_reported_as_given():
    text = '[[scenario]]\nname = "x"\n[[scenario.assumption]]\npreset = "trade_friction"\n'
    with pytest.raises(ConfigError, match=r"assumption\[1\]\.severity: must be a string; got 3 "
                                          r"\(int\)\. Write severity = \"moderate\""):
        loads_scenarios(text + "severity = 3\n")
    with pytest.raises(ConfigError, match=r"assumption\[1\]\.name: must be a string; got 3 "
                                          r"\(int\)"):
        loads_scenarios(text + "name = 3\n")


def test_distribution_from_dict_suggests_the_near_name():
    with pytest.raises(ParameterError, match=r"got 'normall'\. Did you mean 'normal'\?"):
        Distribution.from_dict({"dist": "normall", "mean": 0, "sd": 1})


def test_a_scenario_may_start_from_the_baseline_preset_without_a_name():
    """``preset = "baseline"`` has no assumptions (an empty, falsy scenario): its name and
    description are still the preset's, as for every other preset."""
    s = loads_scenarios('[[scenario]]\npreset = "baseline"\n')
    assert s.names == ("baseline",)
    assert s["baseline"].description == presets.get("baseline").description
    tweaked = loads_scenarios('[[scenario]]\npreset = "baseline"\n[[scenario.assumption]]\n'
                              'type = "level_shift"\nstart = 2027\nsize = -0.02\n')
    assert tweaked.names == ("baseline",)
    assert len(tweaked["baseline"].assumptions) == 1


def test_a_misspelt_preset_in_a_file_gets_a_suggestion():
    with pytest.raises(ConfigError, match=r"scenario\[1\]\.preset: unknown named scenario "
                                          r"'baselin'\. Did you mean 'baseline'\? Use one of"):
        loads_scenarios('[[scenario]]\npreset = "baselin"\n')


def test_a_log_normal_is_accepted_where_a_parameter_must_be_positive():
    """Its support (0, inf) never reaches 0, so the open bound (0, inf) of half_life or
    years_to_half holds; a uniform from 0, which can draw 0, is still refused, and so is a
    log-normal whose draws underflow to 0."""
    from forecast.scenarios import Adoption, LogNormal, Uniform

    g = GrowthShift(start=2027, delta=-0.01, half_life=LogNormal(5, 0.3))
    assert isinstance(g.half_life, LogNormal)
    assert isinstance(Adoption(start=2027, ceiling=0.03, years_to_half=LogNormal(3, 0.5))
                      .years_to_half, LogNormal)
    text = dumps_scenarios(ScenarioSet([Scenario("x", (g,))]))
    assert loads_scenarios(text)["x"].assumptions[0].half_life == LogNormal(5, 0.3)
    for bad in (Uniform(0, 5), LogNormal(1e-300, 20.0)):
        with pytest.raises(ParameterError, match=r"`half_life` .* must lie in \(0, inf\)"):
            GrowthShift(start=2027, delta=-0.01, half_life=bad)


@pytest.mark.parametrize(("size", "warns"), [(-5, True), (3.0, True), (2, True), (-0.05, False),
                                             (-1.0, False), (-2.5, False), (0.69, False)])
def test_a_whole_number_of_log_points_that_reads_like_a_percentage_warns(size, warns):
    """``size = -5`` meant as -5% divides the level by 148: allowed, but said."""
    import warnings

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        LevelShift(start=2027, size=size)
    texts = [str(w.message) for w in said if issubclass(w.category, UserWarning)]
    if warns:
        assert len(texts) == 1, texts
        assert f"is {size:g} log points" in texts[0]
        assert f"if you meant {size:g}%, pass size={size / 100:g}" in texts[0]
    else:
        assert texts == []
