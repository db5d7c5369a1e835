"""Second probe of the scenario layer: names shown and used as written, files that load back.

Some causes lie outside the scenario layer: the key message
(``forecast.report.keymessage``) and the CLI's output-name check (``forecast.cli._util``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pytest

from forecast import cli
from forecast.errors import ConfigError
from forecast.projection.projection import _example
from forecast.scenarios import (
    Assumption,
    Group,
    LevelShift,
    Scenario,
    ScenarioSet,
    dump_scenarios,
    dumps_scenarios,
    loads_scenarios,
    register,
)


def _projection(names: tuple[str, str]):
    return dataclasses.replace(_example(), scenario_names=names)


def _key_message(names: tuple[str, str]) -> str:
    from forecast.report.keymessage import key_message

    return str(key_message(_projection(names), baseline=names[0], series="X"))


# ----------------------------------------------------------------- 1. articles


@pytest.mark.parametrize(("name", "wrong"), [("a", "an a "), ("uniform", "an uniform "),
                                         ("US base", "an US base "), ("8pct", "a 8pct "),
                                         ("hour", "a hour ")])
def test_key_message_puts_no_guessed_article_before_the_baseline_name(name, wrong):
    assert wrong not in _key_message((name, "other"))


# ----------------------------------------------------------------- 2. names as written

ODD_NAMES = ("Managed_Friction", "Digital Opening", "中国_开放", "my_levy", "a")


def test_scenario_layer_text_shows_names_as_written(tmp_path, capsys):
    text = "".join(f'[[scenario]]\nname = "{n}"\n\n' for n in ODD_NAMES)
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    assert cli.main(["scenarios", str(tmp_path / "s.toml")]) == 0
    out = capsys.readouterr().out
    ss = loads_scenarios(text)
    p = _projection(("Managed_Friction", "中国_开放"))
    for n in ODD_NAMES:
        assert re.search(rf"^{re.escape(n)}$", out, re.M), out
        assert n in repr(ss)
    assert "Managed_Friction, 中国_开放" in repr(p)
    assert list(p.summary_frame()["scenario"].unique()) == ["Managed_Friction", "中国_开放"]


# ----------------------------------------------------------------- 3. unregistered classes


@dataclass(frozen=True)
class Bump(Assumption):
    """A custom assumption never registered."""

    start: int
    size: float = 0.1
    name: str = field(default="", kw_only=True)
    probability: float = field(default=1.0, kw_only=True)

    kind: ClassVar[str] = "probe2_bump"

    def compute_effect(self, ctx, draw):
        return np.where(ctx.years[None, :] >= self.start, draw("size")[:, None], 0.0)


@dataclass(frozen=True)
class KindlessBump(Bump):
    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class MyShift(LevelShift):
    """Inherits kind "level_shift", which files read as LevelShift."""


def test_dumps_refuses_an_unregistered_assumption_class(tmp_path):
    s = Scenario("custom", [Bump(2027, name="bump")])
    with pytest.raises(ConfigError) as info:
        dumps_scenarios(s)
    msg = str(info.value)
    assert msg.startswith("scenario[1].assumption[1].type: ")
    assert info.value.field == "type"
    for part in ("'custom'", "'bump'", f"{__name__}.Bump", "'probe2_bump'",
                 "not registered", "forecast.scenarios.register"):
        assert part in msg, msg
    with pytest.raises(ConfigError):
        dump_scenarios(s, tmp_path / "s.toml")
    assert not (tmp_path / "s.toml").exists()


def test_dumps_refuses_an_unregistered_part_and_a_class_without_kind():
    group = Group("g", (LevelShift(2027, -0.02), Bump(2028, name="inner")))
    with pytest.raises(ConfigError, match=r"^scenario\[1\]\.assumption\[1\]\.part\[2\]\.type"
                       r": .*'inner'.*not registered"):
        dumps_scenarios(Scenario("s", [group]))
    with pytest.raises(ConfigError, match="has no `kind`.*a kind of its own"):
        dumps_scenarios(Scenario("s", [KindlessBump(2027, name="k")]))


def test_dumps_refuses_a_subclass_read_back_as_another_class():
    with pytest.raises(ConfigError) as info:
        dumps_scenarios(Scenario("s", [MyShift(2027, 0.1)]))
    msg = str(info.value)
    assert "forecast.scenarios.primitives.LevelShift" in msg
    assert "a kind of its own" in msg


def test_a_registered_custom_class_is_written_and_read_back():
    @register
    @dataclass(frozen=True)
    class Probe2Step(Bump):
        kind: ClassVar[str] = "probe2_step"

    ss = ScenarioSet([Scenario("s", [Probe2Step(2027, 0.2, name="step")])])
    assert loads_scenarios(dumps_scenarios(ss)) == ss


# ----------------------------------------------------------------- 4. --dump and --force


def test_scenarios_dump_on_an_existing_file_says_force(tmp_path, capsys):
    target = tmp_path / "s.toml"
    target.write_text("keep me\n")
    assert cli.main(["scenarios", "--dump", str(target)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err
    assert "--force" in err
    assert target.read_text() == "keep me\n"
    assert cli.main(["scenarios", "--dump", str(target), "--force"]) == 0
    assert "[[scenario]]" in target.read_text()


# ----------------------------------------------------------------- 5. names in file names


@pytest.mark.parametrize("name", ["v2:high", "a?b", "x*", 'say "hi"', "a|b", "<x>"])
def test_a_scenario_name_invalid_in_windows_file_names_is_refused(tmp_path, capsys, name):
    text = dumps_scenarios(Scenario(name))
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    assert cli.main(["scenarios", str(tmp_path / "s.toml")]) == 2
    err = capsys.readouterr().err
    assert name in err
    assert "a character Windows refuses in file names" in err
    assert "e.g. name = " in err
