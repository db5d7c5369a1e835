"""The command line's key message prints names as given and claims nothing false.

Its text was wrapped by splitting on whitespace, so a scenario named ``levy, then
opening`` with two spaces printed with one; and a scenario whose only assumption starts
after the last projected year was said to be "outweighed by the other assumptions
(+0.0)" although it has no others and nothing acts by then.
"""

from __future__ import annotations

from forecast import cli
from forecast.cli._util import fill
from forecast.report.keymessage import _driver_text

NAME = "levy, then  opening"
SCENARIOS = f'''
[[scenario]]
name = "baseline"

[[scenario]]
name = "{NAME}"

[[scenario.assumption]]
type = "level_shift"
name = "levy"
start = 2040
size = -0.1
'''


def test_fill_keeps_runs_of_spaces_and_breaks_only_at_spaces():
    text = f"The largest gap is {NAME} (+0.0%); no assumption has an effect by then."
    assert fill(text, 100) == text
    lines = fill(text, 30).splitlines()
    assert lines == ["The largest gap is levy, then", "opening (+0.0%); no assumption",
                     "has an effect by then."]
    assert fill(f"a {NAME}", 40) == f"a {NAME}"
    assert fill("one\ntwo  three", 100) == "one\ntwo  three"  # each line wrapped alone
    assert fill("全角\u3000空白", 100) == "全角\u3000空白"  # other spaces are characters


def test_a_driver_that_does_nothing_by_then_is_not_outweighed():
    assert _driver_text("levy", 0.0, 0.0) == "; no assumption has an effect by then"
    assert "outweighed" not in _driver_text("levy", -0.0, 0.0)
    assert _driver_text("levy", 0.01, -0.02) == (
        "; no assumption moves it by 0.05 log points or more by then (the largest, "
        "levy: +0.01)")
    assert "outweighed by the other assumptions (-4.2)" in _driver_text("drift", 1.5, -2.7)


def test_the_run_key_message_names_the_scenario_as_given_and_says_nothing_acts(
        tmp_path, capsys):
    toml = tmp_path / "s.toml"
    toml.write_text(SCENARIOS, encoding="utf-8")
    code = cli.main(["run", str(toml), "--to", "2035", "--paths", "50", "--seed", "1",
                     "--model", "drift", "--no-plot", "--quiet", "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 0, out
    flat = " ".join(out.split("\n"))  # a line break may fall at any space
    assert f"The largest gap is {NAME} (+0.0%); no assumption has an effect by then." in flat
    assert "outweighed" not in out
    assert NAME in out  # the table and the message both keep the two spaces
