"""What a user sees after common mistakes with scenarios and scenario files.

Each test pins a message that names the field, the value received and the fix, where
the library used to give a confusing message, a raw TypeError or a silent misreading.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast import presets
from forecast.errors import ConfigError, ForecastTypeError, ParameterError, ScenarioError
from forecast.scenarios import (
    Distribution,
    Group,
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
