"""A single-file writer replaces only a file forecast wrote, unless told to (force=True).

The rule of ``save()`` for a folder, applied to one file: a hand-made workbook is never
silently lost; forecast's own workbook is replaced; ``force=True`` replaces anything but
a link, and nothing is ever written through a link.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from _engine_fakes import toy_projection
from _own_files import refusal

from forecast.errors import OutputError

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("openpyxl") is None and not os.environ.get("CI"),
    reason="openpyxl is not installed")



@pytest.fixture(scope="module")
def proj():
    return toy_projection(4, 50)


def _hand_made(path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "my own numbers"
    wb.save(path)
    return path.read_bytes()


def test_a_hand_made_workbook_is_refused_with_the_path_and_the_fix(proj, tmp_path):
    target = tmp_path / "report.xlsx"
    before = _hand_made(target)
    text = refusal(lambda: proj.to_excel(target), target, "was not written by forecast")
    assert "--force" not in text  # Python terms in the Python API
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary left


def test_any_other_file_under_the_name_is_refused_too(proj, tmp_path):
    target = tmp_path / "notes.xlsx"
    target.write_text("not even a workbook\n")
    with pytest.raises(OutputError, match="was not written by forecast"):
        proj.to_excel(target)
    assert target.read_text() == "not even a workbook\n"


def test_forecasts_own_workbook_is_replaced(proj, tmp_path):
    import pandas as pd

    target = tmp_path / "p.xlsx"
    proj.to_excel(target, levels=(80,))
    proj.to_excel(target, levels=(95,))  # ours: replaced without force
    assert "lower_95" in pd.read_excel(target, sheet_name="summary").columns


def test_force_replaces_a_hand_made_workbook(proj, tmp_path):
    import pandas as pd

    target = tmp_path / "report.xlsx"
    _hand_made(target)
    proj.to_excel(target, force=True)
    assert pd.ExcelFile(target).sheet_names == ["data", "meta", "summary"]


def test_a_link_is_refused_even_with_force(proj, tmp_path):
    real = tmp_path / "real.xlsx"
    proj.to_excel(real)
    before = real.read_bytes()
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    for force in (False, True):
        with pytest.raises(OutputError, match="symbolic link"):
            proj.to_excel(link, force=force)
    assert link.is_symlink()
    assert real.read_bytes() == before


def test_force_must_be_a_bool(proj, tmp_path):
    from forecast.errors import ForecastTypeError

    with pytest.raises(ForecastTypeError, match="`force`"):
        proj.to_excel(tmp_path / "p.xlsx", force="yes")


def test_a_market_workbook_follows_the_same_rule(market_projection, tmp_path):
    target = tmp_path / "markets.xlsx"
    before = _hand_made(target)
    with pytest.raises(OutputError, match="MarketProjection.to_excel writes"):
        market_projection.to_excel(target)
    assert target.read_bytes() == before
    market_projection.to_excel(target, force=True)
    market_projection.to_excel(target, shares=False)  # now ours: replaced


def test_a_fifo_under_the_name_is_refused_without_being_read(proj, tmp_path):
    target = tmp_path / "pipe.xlsx"
    os.mkfifo(target)
    with pytest.raises(OutputError, match="was not written by forecast"):
        proj.to_excel(target)  # would block forever if it were opened to be recognised


def _parts(path):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}, zf.comment


def test_an_untouched_workbook_carries_its_digest_and_is_replaced(proj, tmp_path):
    import pandas as pd

    target = tmp_path / "p.xlsx"
    proj.to_excel(target)
    parts, comment = _parts(target)
    assert comment.startswith(b"forecast-sha256=")
    proj.to_excel(target)  # untouched: replaced without force
    again, comment2 = _parts(target)
    assert (again, comment2) == (parts, comment)  # same input, same content and digest
    assert pd.ExcelFile(target).sheet_names == ["data", "meta", "summary"]  # readers see
    assert list(pd.read_excel(target, sheet_name="meta").columns)[-1] == "forecast_version"


def _edit(path, how):
    import openpyxl

    book = openpyxl.load_workbook(path)
    if how == "sheet":
        book.create_sheet("my notes")["A1"] = "keep me"
    elif how == "cell":
        book["summary"]["B2"] = 123.0
    else:  # saved again, nothing changed (as Excel saves a workbook it opened)
        pass
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("how", ["sheet", "cell", "saved again"])
def test_the_probes_reproducer_an_edited_workbook_is_kept(proj, tmp_path, how):
    import pandas as pd

    target = tmp_path / "p.xlsx"
    proj.to_excel(target)
    before = _edit(target, how)
    # a sheet or a cell edited with openpyxl keeps no ZIP comment either: a program that
    # saves the workbook writes a new archive, so the file has no digest any more
    refusal(lambda: proj.to_excel(target), target, "another path",
            "carries the 'meta' sheet", "no record")
    assert target.read_bytes() == before
    proj.to_excel(target, force=True)
    assert pd.ExcelFile(target).sheet_names == ["data", "meta", "summary"]
    proj.to_excel(target)  # forecast's again


def test_a_part_changed_under_the_comment_counts_as_changed(proj, tmp_path):
    """A tool that keeps the ZIP comment but changes a part: the digest tells."""
    import zipfile

    target = tmp_path / "p.xlsx"
    proj.to_excel(target)
    parts, comment = _parts(target)
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in parts.items():
            if name == "xl/workbook.xml":  # a sheet renamed
                data = data.replace(b'name="summary"', b'name="Summary"')
            zf.writestr(name, data)
        zf.comment = comment
    before = target.read_bytes()
    with pytest.raises(OutputError, match=r"changed since forecast wrote it.*force=True"):
        proj.to_excel(target)
    assert target.read_bytes() == before


def test_an_edited_market_workbook_is_kept(market_projection, tmp_path):
    target = tmp_path / "markets.xlsx"
    market_projection.to_excel(target)
    market_projection.to_excel(target)  # untouched: replaced
    before = _edit(target, "sheet")
    with pytest.raises(OutputError, match=r"MarketProjection.to_excel writes.*force=True"):
        market_projection.to_excel(target)
    assert target.read_bytes() == before
