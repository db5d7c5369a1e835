"""Exports users expect: xarray, IAMC with history and meta, Excel in pyam's layout."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.projection import Projection
from forecast.series import AnnualSeries


def _need(module: str) -> None:
    """Skip without the optional package, except in CI, where the test extra installs it."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the test extra, which includes {module}")
        pytest.skip(f"{module} is not installed")


@pytest.fixture(scope="module")
def proj():
    rng = np.random.default_rng(4)
    base = np.log(31.6) + np.cumsum(rng.normal(0.03, 0.1, (300, 4)), axis=1)
    return Projection(
        years=np.arange(2026, 2030), scenario_names=("baseline", "down"),
        samples=np.exp(np.stack([base, base - 0.1])), base_log=base, center=base.mean(axis=0),
        history=AnnualSeries([2023, 2024, 2025], [30.0, 31.6, 32.0],
                             name="US offshore_execution"),
        seed=4, model="Drift", probabilities=(0.6, 0.4),
        settings={"n_paths": 300, "chunk_size": 300})


def test_to_xarray(proj):
    _need("xarray")
    ds = proj.to_xarray(base_log=True)
    assert ds["level"].dims == ("scenario", "path", "year")
    assert ds["level"].sel(scenario="down").values.tolist() == proj.samples[1].tolist()
    assert ds["base_log"].shape == (300, 4)
    assert ds["probability"].values.tolist() == [0.6, 0.4]
    assert ds.attrs["seed"] == 4
    assert ds.attrs["unit"] == "USD_bn"
    med = ds["level"].median("path").sel(scenario="baseline", year=2029).item()
    assert med == pytest.approx(np.median(proj.samples[0][:, -1]))


def test_iamc_with_history_and_meta(proj):
    data = proj.to_iamc(quantiles=(0.1,), history=True)
    assert list(data.columns) == ["model", "scenario", "region", "variable", "unit",
                                  2023, 2024, 2025, 2026, 2027, 2028, 2029]
    median = data[~data["variable"].str.contains(r"\|p")]
    assert median[2024].tolist() == [31.6, 31.6]
    assert data[data["variable"].str.endswith("|p10")][2024].isna().all()
    assert list(proj.to_iamc().columns)[5] == 2026  # no history unless asked
    assert data["region"].unique().tolist() == ["United States"]
    meta = proj.iamc_meta()
    assert meta.index.names == ["model", "scenario"]
    assert meta.loc[("Drift", "down"), "probability"] == 0.4
    assert meta["seed"].tolist() == [4, 4]


def test_to_excel_in_pyams_layout(proj, tmp_path):
    _need("openpyxl")
    path = proj.to_excel(tmp_path / "p.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert set(sheets) == {"data", "meta", "summary"}
    assert sheets["data"].shape[0] == 2 * 3  # median, p10, p90 per scenario
    assert sheets["meta"]["probability"].tolist() == [0.6, 0.4]
    assert sheets["summary"]["median"].iloc[0] == pytest.approx(
        np.median(proj.samples[0][:, 0]))


@pytest.mark.parametrize("none", [None, (), [], np.array([])])
def test_iamc_without_extra_quantiles(proj, none):
    """None or any empty sequence means the median rows only (not a raw TypeError)."""
    data = proj.to_iamc(quantiles=none)
    assert data.equals(proj.to_iamc())
    assert len(data) == len(proj.scenario_names)


def test_to_excel_is_written_like_every_other_output(proj, tmp_path):
    """Atomic, never through a link, a missing folder or a folder as an OutputError."""
    _need("openpyxl")
    from forecast.errors import OutputError

    target = tmp_path / "notes.txt"
    target.write_text("mine")
    (tmp_path / "link.xlsx").symlink_to(target)
    with pytest.raises(OutputError, match="symbolic link"):
        proj.to_excel(tmp_path / "link.xlsx")
    assert target.read_text() == "mine"
    with pytest.raises(OutputError, match="does not exist"):
        proj.to_excel(tmp_path / "missing" / "p.xlsx")
    with pytest.raises(OutputError, match="is a folder"):
        proj.to_excel(tmp_path)
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"old")
    with pytest.raises(OutputError, match="was not written by forecast.*force=True"):
        proj.to_excel(old)  # not forecast's: kept (test_single_file_owner.py)
    assert old.read_bytes() == b"old"
    assert proj.to_excel(old, force=True) == old  # replaced when told to
    assert pd.read_excel(old, sheet_name="meta").shape[0] == 2
    from forecast.errors import ParameterError

    for name in ("p.csv", "p"):  # a workbook under another name: refused, nothing written
        with pytest.raises(ParameterError, match=rf"`path` must end in \.xlsx .*'{tmp_path}/"
                                                 rf"{name}'.*to_frame\(\)\.to_csv"):
            proj.to_excel(tmp_path / name)
        assert not (tmp_path / name).exists()


def test_to_excel_names_itself_when_the_series_does_not_say_its_labels(tmp_path):
    _need("openpyxl")
    s = forecast.AnnualSeries(range(2015, 2025), np.geomspace(10, 30, 10), name="mine")
    p = forecast.project(forecast.Drift().fit(s), forecast.Scenario("baseline"), to=2027,
                         n_paths=50, seed=1)
    with pytest.raises(forecast.ParameterError, match="^to_excel needs `region` and "
                                                      "`variable` for a series named 'mine'"):
        p.to_excel(tmp_path / "p.xlsx")
    assert p.to_excel(tmp_path / "p.xlsx", region="World", variable="Mine").exists()


def test_to_excel_on_a_read_only_disk_changes_nothing(proj, tmp_path, monkeypatch):
    _need("openpyxl")
    import errno

    from forecast._io import atomic
    from forecast.errors import OutputError

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(atomic, "_os_write", fail)
    with pytest.raises(OutputError, match="read-only"):
        proj.to_excel(tmp_path / "p.xlsx")
    assert list(tmp_path.iterdir()) == []
