"""The world the bad inputs act on: small real objects and a workspace of files.

The ``world`` fixture (imported by ``test_bad_inputs.py``; not a conftest, whose name
would clash with ``tests/conftest.py`` under ``--doctest-modules``) is built once per
session and never changed by a case (``test_bad_inputs.py`` checks it).
The fit is a Drift on a short hand-made series, so no history needs estimating; the
records are the embedded ones.
"""

from __future__ import annotations

import os
import pathlib
from types import SimpleNamespace

import numpy as np
import pytest

import forecast
from forecast._io import folders


def write_variant(frame, path: pathlib.Path, row: int, column: str, text: str) -> pathlib.Path:
    """Write the records `frame` as CSV with one cell replaced by `text`."""
    from forecast.records.schema import CSV_COLUMNS

    g = frame.loc[:, list(CSV_COLUMNS)].astype(object)
    g.loc[row, column] = text
    path.parent.mkdir(parents=True, exist_ok=True)
    g.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("bad_inputs")
    series = forecast.AnnualSeries(range(2012, 2025), 10 * 1.09 ** np.arange(13), name="toy")
    fit = forecast.Drift().fit(series, seed=1)
    proj = forecast.project(fit, [forecast.Scenario("baseline"),
                                  forecast.Scenario("cut", (forecast.LevelShift(2027, -0.1),))],
                            to=2030, n_paths=50, seed=1)
    w = SimpleNamespace(root=root, series=series, fit=fit, proj=proj,
                        records=forecast.load_releases(),
                        history=forecast.History([2020, 2021, 2022], [3.0, 3.1, 3.2],
                                                 [0.01, 0.02, 0.03]))
    w.frame = w.records.frame
    proj.save(root / "proj")
    with folders.atomic_folder(root / "run", kind="run") as out:
        out.write_text("summary.csv", "scenario,value\nbaseline,1.0\n")
        out.write_text("settings.json", "{}\n")
    (root / "user").mkdir()
    (root / "user" / "precious.txt").write_text("the user's own file\n")
    (root / "precious.csv").write_text("a,b\n1,2\n")
    os.symlink(root / "precious.csv", root / "link.csv")
    os.symlink(root / "precious.csv", root / "link.toml")
    os.symlink(root / "user", root / "linkdir")
    for name in ("existing.csv", "existing.toml", "existing.html", "existing.png"):
        (root / name).write_text("an existing file\n")
    forecast.dump_scenarios(forecast.presets.scenario_set(), root / "good.toml")
    flat = forecast.Scenario("flat", [forecast.LevelShift(2027, -0.05)])  # nothing uncertain
    forecast.dump_scenarios(forecast.ScenarioSet([forecast.Scenario("baseline"), flat]),
                            root / "fixed.toml")
    w.records.to_csv(root / "records.csv")
    (root / "prepared").mkdir()
    (root / ".lockdir.lock").mkdir()  # a folder under the lock name of the folder lockdir
    return w
