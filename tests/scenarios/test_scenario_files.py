"""TOML scenario files: round-trip, presets, and strict validation with key paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast import presets
from forecast.errors import ConfigError, ForecastError
from forecast.scenarios import (
    DiscreteUniform,
    GrowthShift,
    LevelShift,
    Scenario,
    ScenarioSet,
    Uniform,
)
from forecast.scenarios.files import (
    MAX_BYTES,
    dump_scenarios,
    dumps_scenarios,
    load_scenarios,
    loads_scenarios,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "04_custom_scenario.toml"

OK = """
[[scenario]]
name = "a"

[[scenario.assumption]]
type = "level_shift"
name = "step"
start = 2027
size = -0.05
"""


def test_round_trip_presets(tmp_path: Path) -> None:
    path = dump_scenarios(presets.scenario_set(), tmp_path / "p.toml")
    back = load_scenarios(path)
    assert back == presets.scenario_set()
    assert back.names[0] == "baseline"


def test_round_trip_probabilities_unicode_and_nested(tmp_path: Path) -> None:
    s1 = Scenario("中美 \"friction\"", (LevelShift(DiscreteUniform(2027, 2029),
                                                   Uniform(-0.1, -1e-05), 1.5, name="x"),),
                  "line1\nline2\t\\ \x7f")
    s2 = Scenario("b", (presets.trade_friction("severe"),
                        GrowthShift(2026, 0.1 + 0.2, end=2030, name="g")))
    ss = ScenarioSet((s1, s2), (1 / 3, 2 / 3))
    text = dumps_scenarios(ss)
    assert loads_scenarios(text) == ss
    assert dumps_scenarios(loads_scenarios(text)) == text


def test_example_file_loads() -> None:
    ss = load_scenarios(EXAMPLE)
    assert ss.names == ("baseline", "levy_and_opening", "slow_drift")
    assert ss.probabilities == (0.5, 0.3, 0.2)
    assert ss["levy_and_opening"]["data_flow_liberalization"].probability.value == 0.5


def test_presets_by_reference() -> None:
    ss = loads_scenarios("""
[[scenario]]
preset = "escalation"

[[scenario]]
name = "mine"
preset = "cooperation"
description = "renamed"

[[scenario.assumption]]
preset = "trade_friction"
severity = "mild"
name = "friction"
""")
    assert ss["escalation"] == presets.escalation()
    mine = ss["mine"]
    assert mine.assumption_names == (*presets.cooperation().assumption_names, "friction")
    assert mine["friction"] == presets.trade_friction("mild", name="friction")


# Each case: TOML text, the key path the message must name, a piece of the value.
BAD = [
    ("[[scenario]]\nname = \"a\"\ncolour = \"red\"\n", "scenario[1].colour", "red"),
    ("title = 1\n[[scenario]]\nname = \"a\"\n", "<top>.title", "1"),
    ("x = 1\n", "<top>.x", "1"),
    ("", "scenario", "missing"),
    ("scenario = 3\n", "scenario", "3"),
    ("[[scenario]]\ndescription = \"no name\"\n", "scenario[1].name", "missing"),
    ("[[scenario]]\nname = \"\"\n", "scenario[1].name", "''"),
    ("[[scenario]]\nname = 5\n", "scenario[1].name", "5"),
    ("[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"a\"\n", "scenario[2].name", "'a'"),
    ("[[scenario]]\nname = \"a\"\nprobability = 1.5\n", "scenario[1].probability", "1.5"),
    ("[[scenario]]\nname = \"a\"\nprobability = -0.1\n", "scenario[1].probability", "-0.1"),
    ("[[scenario]]\nname = \"a\"\nprobability = \"half\"\n", "scenario[1].probability", "half"),
    ("[[scenario]]\nname = \"a\"\nprobability = 0.5\n[[scenario]]\nname = \"b\"\n",
     "scenario[2].probability", "missing"),
    ("[[scenario]]\nname = \"a\"\nprobability = 0.5\n[[scenario]]\nname = \"b\"\n"
     "probability = 0.2\n", "scenario[*].probability", "0.7"),
    ("[[scenario]]\nname = \"a\"\npreset = \"utopia\"\n", "scenario[1].preset", "utopia"),
    ("[[scenario]]\nname = \"a\"\nassumption = 1\n", "scenario[1].assumption", "1"),
    (OK.replace('type = "level_shift"', 'type = "tariff"'), "scenario[1].assumption[1].type",
     "tariff"),
    (OK.replace('type = "level_shift"\n', ""), "scenario[1].assumption[1].type", "missing"),
    (OK + "sise = 0.1\n", "scenario[1].assumption[1].sise", "0.1"),
    (OK.replace("size = -0.05\n", ""), "scenario[1].assumption[1].size", "missing"),
    (OK.replace("size = -0.05", "size = \"big\""), "scenario[1].assumption[1].size", "big"),
    (OK.replace("size = -0.05", "size = true"), "scenario[1].assumption[1].size", "True"),
    (OK.replace("start = 2027", "start = 2027.5"), "scenario[1].assumption[1].start", "2027.5"),
    (OK.replace("start = 2027", "start = 1700"), "scenario[1].assumption[1].start", "1700"),
    (OK.replace("start = 2027", 'start = {dist = "uniform", low = 2027, high = 2029}'),
     "scenario[1].assumption[1].start", "uniform"),
    (OK + "probability = 2\n", "scenario[1].assumption[1].probability", "2"),
    (OK + "phase_in = 0.5\n", "scenario[1].assumption[1].phase_in", "0.5"),
    (OK + "name = \"dup\"\n", None, "line 10"),  # TOML itself rejects a repeated key
    (OK.replace('name = "step"', 'name = ""'), "scenario[1].assumption[1].name", "''"),
    (OK + "\n[[scenario.assumption]]\ntype = \"level_shift\"\nname = \"step\"\nstart = 2028\n"
     "size = 0.1\n", "scenario[1].assumption", "'step'"),
    (OK.replace("size = -0.05", 'size = {dist = "gamma", k = 2.0}'),
     "scenario[1].assumption[1].size.dist", "gamma"),
    (OK.replace("size = -0.05", 'size = {dist = "uniform", low = 0.2, high = 0.1}'),
     "scenario[1].assumption[1].size.high", "0.1"),
    (OK.replace("size = -0.05", 'size = {dist = "uniform", low = 0.0, top = 0.1}'),
     "scenario[1].assumption[1].size.top", "0.1"),
    (OK.replace("level_shift", "growth_shift").replace("size", "delta") + "half_life = -3\n",
     "scenario[1].assumption[1].half_life", "-3"),
    (OK.replace("level_shift", "escalation").replace("size = -0.05", "size = -0.05\nrate = 1.2"),
     "scenario[1].assumption[1].rate", "1.2"),
    (OK.replace('type = "level_shift"', 'preset = "trade_war"'),
     "scenario[1].assumption[1].preset", "trade_war"),
    ("[[scenario]]\nname = \"a\"\n[[scenario.assumption]]\npreset = \"trade_friction\"\n"
     "severity = \"apocalyptic\"\n", "scenario[1].assumption[1].severity", "apocalyptic"),
    ("[[scenario]]\nname = \"a\"\n[[scenario.assumption]]\npreset = \"trade_friction\"\n"
     "tariff = 0.25\n", "scenario[1].assumption[1].tariff", "0.25"),
    ("[[scenario]]\nname = \"a\"\n[[scenario.assumption]]\ntype = \"group\"\nname = \"g\"\n",
     "scenario[1].assumption[1].part", "[]"),
    ("[[scenario]]\nname = \"a\"\n[[scenario.assumption]]\ntype = \"group\"\nname = \"g\"\n"
     "[[scenario.assumption.part]]\ntype = \"volatility\"\nstart = 2027\nscale = -1\n",
     "scenario[1].assumption[1].part[1].scale", "-1"),
    ("[[scenario]]\nname = \"a\"\nthis is not toml\n", None, "line 3"),
]


@pytest.mark.parametrize(("text", "path", "value"), BAD)
def test_malformed_files_name_key_path_value_and_fix(text: str, path: str | None,
                                                     value: str, tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenarios(f)
    msg = str(info.value)
    assert isinstance(info.value, ForecastError)
    assert msg.startswith(f"{f}: "), msg  # a file's errors name the file first
    if path is not None:
        key = msg.removeprefix(f"{f}: ")
        assert key.startswith(path + ":") or key.startswith(path + "."), msg
    assert value in msg, msg
    assert any(w in msg for w in ("Add", "Pass", "Use", "Write", "Remove", "Give", "Fix",
                                  "Divide", "Rename")), msg


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_scenarios(tmp_path / "missing.toml")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_BYTES + "\n" + OK, encoding="utf-8")
    with pytest.raises(ConfigError, match="at most"):
        load_scenarios(big)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(OK.replace("step", "st\xe9p").encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_scenarios(latin)
    assert load_scenarios(_write(tmp_path, OK)).names == ("a",)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ok.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_misspelled_preset_assumption_gets_a_suggestion():
    text = '[[scenario]]\nname = "x"\n[[scenario.assumption]]\npreset = "trade_fricton"\n'
    with pytest.raises(ConfigError, match=r"preset: unknown preset 'trade_fricton'\. Did you "
                                          r"mean 'trade_friction'\? Use one of"):
        loads_scenarios(text)
    with pytest.raises(ConfigError, match=r"unknown preset 'zzz'\. Use one of"):
        loads_scenarios(text.replace("trade_fricton", "zzz"))


@pytest.mark.parametrize("start", ["2027.0", "2027", "{dist = \"fixed\", value = 2027.0}"])
def test_a_whole_float_year_loads_as_the_python_api_takes_it(start: str) -> None:
    """`start = 2027.0` is the year 2027, as LevelShift(start=2027.0) is in Python (the
    file refused it while the API accepted it)."""
    loaded = loads_scenarios(OK.replace("start = 2027", f"start = {start}"))
    step = loaded.scenarios[0].assumptions[0]
    assert step == LevelShift(start=2027.0, size=-0.05, name="step")
    assert step.start == 2027
    assert type(step.start) is int
    assert loaded == loads_scenarios(OK)


def test_whole_float_years_in_ranges_and_ends_load() -> None:
    text = ("[[scenario]]\nname = \"a\"\n\n[[scenario.assumption]]\ntype = \"growth_shift\"\n"
            "start = {dist = \"discrete_uniform\", low = 2027.0, high = 2029.0}\n"
            "end = 2032.0\ndelta = -0.01\n")
    shift = loads_scenarios(text).scenarios[0].assumptions[0]
    assert shift == GrowthShift(start=DiscreteUniform(2027, 2029), end=2032, delta=-0.01)


@pytest.mark.parametrize(("value", "example"), [("2027.5", "2027"), ("2031.9", "2031"),
                                                ("nan", "2027"), ("inf", "2027")])
def test_a_fractional_year_is_refused_naming_key_value_and_fix(value: str, example: str) -> None:
    with pytest.raises(ConfigError) as info:
        loads_scenarios(OK.replace("start = 2027", f"start = {value}"))
    msg = str(info.value)
    assert "scenario[1].assumption[1].start: must be a whole year" in msg, msg
    assert f"got {value}" in msg, msg
    assert f"Write e.g. {example}." in msg, msg
