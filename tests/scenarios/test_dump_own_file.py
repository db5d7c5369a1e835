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


def test_an_untouched_dump_is_replaced_and_carries_its_digest(tmp_path):
    target = tmp_path / "s.toml"
    forecast.dump_scenarios(presets.scenario_set(), target)
    first = target.read_bytes()
    lines = first.decode().splitlines()
    assert lines[0] == forecast.scenarios.files.HEADER
    assert lines[1].startswith("# forecast-sha256: ")
    forecast.dump_scenarios(presets.scenario_set(), target)  # untouched: no force needed
    assert target.read_bytes() == first  # the same input gives the same bytes
    assert forecast.load_scenarios(target) == presets.scenario_set()


def test_the_probes_reproducer_an_appended_scenario_is_kept(tmp_path, monkeypatch):
    """dump, append a scenario of one's own, dump again: refused, the scenario kept."""
    monkeypatch.chdir(tmp_path)
    forecast.dump_scenarios(presets.scenario_set(), "my.toml")
    with open("my.toml", "a") as fh:
        fh.write('\n[[scenario]]\nname = "my_own"\n')
    edited = (tmp_path / "my.toml").read_text()
    with pytest.raises(OutputError) as err:
        forecast.dump_scenarios(presets.scenario_set(), "my.toml")
    text = str(err.value)
    assert str(tmp_path / "my.toml") in text
    assert "changed since forecast wrote it" in text
    assert "force=True" in text
    assert "another path" in text
    assert "--force" not in text
    assert (tmp_path / "my.toml").read_text() == edited
    assert "my_own" in forecast.load_scenarios("my.toml").names
    forecast.dump_scenarios(presets.scenario_set(), "my.toml", force=True)
    assert forecast.load_scenarios("my.toml") == presets.scenario_set()


@pytest.mark.parametrize("edit", [
    lambda t: t + "# a note\n",
    lambda t: t.replace('name = "baseline"', 'name = "base"'),
    lambda t: t.replace("\n", "\r\n"),  # saved with Windows line ends
])
def test_any_edit_counts_as_a_change(tmp_path, edit):
    target = tmp_path / "s.toml"
    forecast.dump_scenarios(presets.scenario_set(), target)
    target.write_text(edit(target.read_text()), newline="")
    before = target.read_bytes()
    with pytest.raises(OutputError, match="changed since forecast wrote it"):
        forecast.dump_scenarios(presets.baseline(), target)
    assert target.read_bytes() == before


def test_a_file_an_older_version_wrote_is_refused_naming_why(tmp_path):
    """The header without a digest line: forecast cannot tell whether it was edited."""
    target = tmp_path / "old.toml"
    old = forecast.dumps_scenarios(presets.baseline())  # what dump_scenarios used to write
    target.write_text(old)
    with pytest.raises(OutputError, match=r"carries forecast's header line .* no record "
                                          r".*older version.*force=True"):
        forecast.dump_scenarios(presets.scenario_set(), target)
    assert target.read_text() == old
    forecast.dump_scenarios(presets.scenario_set(), target, force=True)
    forecast.dump_scenarios(presets.scenario_set(), target)  # now recorded: replaced
