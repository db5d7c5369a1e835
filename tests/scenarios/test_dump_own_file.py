"""dump_scenarios replaces only a scenario file forecast wrote, unless force=True."""

from __future__ import annotations

import pytest

import forecast
from forecast import presets
from forecast.errors import OutputError


def test_a_hand_written_toml_is_refused_with_the_path_and_the_fix(tmp_path):
    target = tmp_path / "mine.toml"
    mine = '# my notes: keep them\n[[scenario]]\nname = "mine"\n'
    target.write_text(mine)
    with pytest.raises(OutputError) as err:
        forecast.dump_scenarios(presets.scenario_set(), target)
    text = str(err.value)
    assert str(target) in text
    assert "was not written by forecast" in text
    assert "force=True" in text
    assert "--force" not in text
    assert target.read_text() == mine
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]


def test_forecasts_own_file_is_replaced_and_force_replaces_any(tmp_path):
    target = tmp_path / "s.toml"
    forecast.dump_scenarios(presets.baseline(), target)
    forecast.dump_scenarios(presets.scenario_set(), target)  # ours: replaced
    assert forecast.load_scenarios(target) == presets.scenario_set()
    target.write_text("# mine\n")
    forecast.dump_scenarios(presets.baseline(), target, force=True)
    assert "[[scenario]]" in target.read_text()


def test_a_link_is_refused_even_with_force(tmp_path):
    real = tmp_path / "real.toml"
    forecast.dump_scenarios(presets.baseline(), real)
    before = real.read_text()
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    for force in (False, True):
        with pytest.raises(OutputError, match="symbolic link"):
            forecast.dump_scenarios(presets.scenario_set(), link, force=force)
    assert real.read_text() == before
