"""Every bad input of the catalogue: a ForecastError naming the field and the value, and
nothing changed on disk (issue 11). The cases live in ``cases_*.py``, one file per stage.
"""

from __future__ import annotations

import collections
import pathlib
import re

import cases_cli  # noqa: F401 - each module registers its cases
import cases_engine  # noqa: F401
import cases_files  # noqa: F401
import cases_records  # noqa: F401
import cases_scenarios  # noqa: F401
import cases_series  # noqa: F401
import pytest
from cases import CASES, STAGED, snapshot
from world import world  # noqa: F401 - the session fixture

from forecast import cli
from forecast.errors import ForecastError


def test_the_catalogue_is_large_and_distinct():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    # docs/reliability.md states a floor ("over 300"): it holds (the page said 294 when
    # the catalogue had grown to 311)
    page = (pathlib.Path(__file__).parents[2] / "docs" / "reliability.md").read_text()
    stated = int(re.search(r"gathers over (\d+) bad inputs", page).group(1))
    assert len(ids) >= stated >= 300
    areas = collections.Counter(c.area for c in CASES)
    for area in ("records", "series", "history", "models", "scenarios", "engine", "files",
                 "cli"):
        assert areas[area] >= 5, areas


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input(c, world, monkeypatch, capsys):  # noqa: F811
    monkeypatch.chdir(world.root)
    prepared = None
    if c.setup is not None:
        prepared = c.setup(world, world.root / "prepared" / c.id)
    times = STAGED not in c.tags
    before = snapshot(world.root, folder_times=times)
    if c.argv:
        code = cli.main([a.format(root=world.root) for a in c.argv])
        out = capsys.readouterr()
        message = out.err.strip()
        assert code == c.code, (out.out, out.err)
        assert "\n" not in message, message
        assert "Traceback" not in message, message
        assert message.startswith(f"forecast {c.argv[0]}: error: "), message
    else:
        with pytest.raises(c.error) as info:
            c.call(world, prepared, monkeypatch)
        assert isinstance(info.value, ForecastError), type(info.value)
        message = str(info.value)
    for needle in c.needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    monkeypatch.undo()
    assert snapshot(world.root, folder_times=times) == before
