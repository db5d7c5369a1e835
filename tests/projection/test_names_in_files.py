"""A projection's scenario names come back exactly from every file it is written to.

pandas reads ``NA``, ``None``, ``null``, ``#N/A`` ... as missing values and ``2030`` as a
number, so a CSV save once could not be loaded back (and saving again did not help);
openpyxl stores text starting with ``=`` as a formula (Excel computes it, pandas reads
NaN) and ``#N/A`` as an error value. The names are those of ``tests/_names.py``: every
kind :class:`forecast.Scenario` accepts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os

import numpy as np
import pandas as pd
import pytest
from _names import AWKWARD, FORMULA_LIKE, MISSING_LIKE, awkward_projection

import forecast
from forecast import DataError, Projection
from forecast.projection import files


def _need(module: str) -> None:
    """Skip without the optional package, except in CI, where the test extra installs it."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the test extra, which includes {module}")
        pytest.skip(f"{module} is not installed")


@pytest.fixture(scope="module")
def proj() -> Projection:
    return awkward_projection()


def test_the_reported_case_loads(tmp_path):
    """The report: a scenario named NA, saved as CSV, could not be loaded."""
    s = forecast.AnnualSeries(range(2012, 2025), np.geomspace(10, 30, 13))
    p = forecast.project(forecast.Drift().fit(s), [
        forecast.Scenario("baseline"),
        forecast.Scenario("NA", [forecast.LevelShift(2027, -0.1)])], to=2030, n_paths=50,
        seed=1)
    back = Projection.load(p.save(tmp_path / "run", format="csv"))
    assert back.scenario_names == ("baseline", "NA")
    np.testing.assert_array_equal(back.samples, p.samples)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_name_survives_save_and_load(proj, tmp_path, fmt):
    if fmt == "parquet":
        _need("pyarrow")
    out = proj.save(tmp_path / "run", format=fmt)
    assert (out / f"samples.{fmt}").is_file()
    back = Projection.load(out)
    assert back.scenario_names == proj.scenario_names
    np.testing.assert_array_equal(back.samples, proj.samples)
    assert [s.name for s in back.scenarios] == list(proj.scenario_names)
    pd.testing.assert_frame_equal(back.summary_frame(), proj.summary_frame(),
                                  check_exact=True)
    # what was loaded saves and loads again, the same
    again = Projection.load(back.save(tmp_path / "again", format=fmt))
    assert again.scenario_names == proj.scenario_names
    np.testing.assert_array_equal(again.samples, proj.samples)


def test_the_csv_fallback_of_the_default_save_keeps_every_name(proj, tmp_path, monkeypatch):
    """Without pyarrow the default save writes CSV: users meet the CSV rules unasked."""
    monkeypatch.setattr(files, "_has_pyarrow", lambda: False)
    out = proj.save(tmp_path / "run")
    assert (out / "samples.csv").is_file()
    assert Projection.load(out).scenario_names == proj.scenario_names


def test_the_csv_holds_the_names_as_written(proj, tmp_path):
    """Names are cells as they are (quoted when CSV needs it); only text a spreadsheet
    would run gets the formula guard's apostrophe, which loading removes again."""
    text = (proj.save(tmp_path / "run", format="csv") / "samples.csv").read_text()
    for name in (*MISSING_LIKE[:8], "2030", "1e3", "情景"):
        assert f"\n{name},0," in text
    assert '\n"a,""b""",0,' in text
    assert "\n'=1+1,0," in text
    assert "\n'''=x,0," in text  # "''=x": the guard adds one apostrophe, loading drops it
    assert "\n'plain,0," in text  # not formula-like: written and read as it is


def test_parquet_names_are_not_unquoted(proj, tmp_path):
    """The formula guard is a CSV matter: a Parquet name starting with an apostrophe is
    the name (the load once stripped it and refused the file)."""
    _need("pyarrow")
    out = proj.save(tmp_path / "run", format="parquet")
    got = pd.read_parquet(out / "samples.parquet")["scenario"].unique().tolist()
    assert got == list(proj.scenario_names)
    assert "'=x" in Projection.load(out).scenario_names


@pytest.mark.parametrize(("cell", "words"), [
    (b"", "samples.csv must hold numbers in the year columns"),
    (b"NA", "samples.csv must hold numbers in the year columns"),
    (b"x", "samples.csv must hold numbers in the year columns"),
    (b"NaN", "`samples` must be finite positive levels"),  # a float, but not a level
])
def test_a_year_cell_that_is_not_a_number_is_still_refused(proj, tmp_path, cell, words):
    """Reading every cell as written must not let a missing value into the samples."""
    out = proj.save(tmp_path / "run", format="csv")
    lines = (out / "samples.csv").read_bytes().split(b"\n")
    fields = lines[1].split(b",")
    lines[1] = b",".join([*fields[:-1], cell])
    data = b"\n".join(lines)
    (out / "samples.csv").write_bytes(data)
    meta = json.loads((out / "metadata.json").read_text())
    meta["checksums"]["samples.csv"] = hashlib.sha256(data).hexdigest()
    (out / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match=words):
        Projection.load(out)


def test_parse_csv_reads_names_as_text():
    frame = files.parse_csv(b"scenario,market,path,2026\nNA,None,0,1.5\n2030,1e3,1,2.5\n"
                            b"'=x,'-y,2,0.1\n")
    assert frame["scenario"].tolist() == ["NA", "2030", "=x"]
    assert frame["market"].tolist() == ["None", "1e3", "-y"]
    assert frame["path"].tolist() == [0, 1, 2]
    assert frame["2026"].tolist() == [1.5, 2.5, 0.1]


# --------------------------------------------------------------------------- Excel
def test_to_excel_stores_every_name_as_text(proj, tmp_path):
    """No formula, no error value: every text cell has data type "s" and holds the name;
    formula-like text also carries Excel's quote prefix (so editing keeps it text)."""
    _need("openpyxl")
    import openpyxl

    path = proj.to_excel(tmp_path / "p.xlsx", region="World", variable="Mine")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["data", "meta", "summary"]
    for sheet in book.worksheets:
        texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert {c.data_type for c in texts} == {"s"}, sheet.title
        values = {c.value for c in texts}
        assert set(AWKWARD) <= values, sheet.title
        for c in texts:
            if c.value.startswith(("=", "+", "-", "@")):
                assert c.quotePrefix, (sheet.title, c.value)
    # pandas reads each name back, in each sheet (its own NA markers switched off)
    sheets = pd.read_excel(path, sheet_name=None, keep_default_na=False)
    names = list(proj.scenario_names)
    assert sheets["meta"]["scenario"].tolist() == names
    assert sheets["data"]["scenario"].unique().tolist() == names
    assert sheets["summary"]["scenario"].unique().tolist() == names
    # a formula-like name is read back exactly with pandas' defaults too
    meta = pd.read_excel(path, sheet_name="meta")
    for name in FORMULA_LIKE:
        assert name in meta["scenario"].tolist()


def test_to_excel_numbers_stay_numbers(proj, tmp_path):
    """Only text is retyped: a negative number is not text that starts with "-"."""
    _need("openpyxl")
    import openpyxl

    path = proj.to_excel(tmp_path / "p.xlsx", region="World", variable="Mine")
    summary = openpyxl.load_workbook(path)["summary"]
    header = [c.value for c in summary[1]]
    median = summary.cell(row=2, column=header.index("median") + 1)
    assert median.data_type == "n"
    assert not median.quotePrefix
    got = pd.read_excel(path, sheet_name="summary", keep_default_na=False)
    pd.testing.assert_frame_equal(got, proj.summary_frame(), check_dtype=False)
