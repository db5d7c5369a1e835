"""A report replaces only a file forecast wrote: a page of the user's under the same name
is refused (the message names the path and ``force=True``), a report forecast wrote is
replaced, ``force=True`` replaces either, and the command line's ``report --force`` too."""

from __future__ import annotations

import pytest
from _engine_fakes import toy_projection

import forecast
from forecast import cli
from forecast.errors import OutputError
from forecast.report._html import GENERATOR

MINE = "<!DOCTYPE html><html><body><p>My own notes, typed by hand.</p></body></html>\n"


@pytest.fixture(scope="module")
def proj():
    return toy_projection(5, 40)


def test_a_report_over_the_users_page_is_refused(proj, tmp_path):
    page = tmp_path / "notes.html"
    page.write_text(MINE)
    with pytest.raises(OutputError, match=r"not written by forecast.*force=True") as err:
        forecast.report.write_report(proj, page, plots=False)
    assert str(page) in str(err.value)
    assert "--force" not in str(err.value)
    assert page.read_text() == MINE  # untouched


def test_a_report_forecast_wrote_is_replaced_and_force_replaces_any(proj, tmp_path):
    page = tmp_path / "report.html"
    forecast.report.write_report(proj, page, plots=False, title="first")
    assert GENERATOR in page.read_text("utf-8")[:4096]
    forecast.report.write_report(proj, page, plots=False, title="second")
    assert "second" in page.read_text("utf-8")
    page.write_text(MINE)
    forecast.report.write_report(proj, page, plots=False, force=True)
    assert GENERATOR in page.read_text("utf-8")


def test_a_markets_report_follows_the_same_rule(market_projection, tmp_path):
    from forecast.report.markets import write_markets_report

    page = tmp_path / "markets.html"
    page.write_text(MINE)
    with pytest.raises(OutputError, match=r"not written by forecast.*force=True"):
        write_markets_report(market_projection, page, plots=False)
    assert page.read_text() == MINE
    write_markets_report(market_projection, page, plots=False, force=True)
    write_markets_report(market_projection, page, plots=False)  # its own: replaced
    assert GENERATOR in page.read_text("utf-8")


def test_a_fifo_under_the_name_is_refused_without_being_read(proj, tmp_path):
    import os

    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not written by forecast"):
        forecast.report.write_report(proj, fifo, plots=False)


def test_the_command_line_replaces_the_users_page_with_force(tmp_path, capsys):
    page = tmp_path / "notes.html"
    page.write_text(MINE)
    fast = ["--paths", "100", "--imputations", "2", "--seed", "1", "--scenario", "baseline",
            "--to", "2027"]
    assert cli.main(["report", "--out", str(page), *fast]) == 2
    assert "--force" in capsys.readouterr().err
    assert page.read_text() == MINE
    assert cli.main(["report", "--out", str(page), *fast, "--force", "-q"]) == 0
    assert GENERATOR in page.read_text("utf-8")
