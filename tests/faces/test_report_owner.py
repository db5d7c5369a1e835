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


def test_an_untouched_report_carries_its_digest_and_is_replaced(proj, tmp_path):
    import hashlib
    import re

    page = tmp_path / "report.html"
    forecast.report.write_report(proj, page, plots=False, title="first")
    data = page.read_bytes()
    m = re.search(rb'<meta name="forecast-sha256" content="([0-9a-f]{64})">\n', data)
    assert m
    assert data.index(GENERATOR.encode()) < m.start() < 4096
    assert hashlib.sha256(data[:m.start()] + data[m.end():]).hexdigest() == m.group(1).decode()
    forecast.report.write_report(proj, page, plots=False, title="second")  # no force
    assert "second" in page.read_text("utf-8")


def test_the_probes_reproducer_an_annotated_report_is_kept(proj, tmp_path):
    page = tmp_path / "report.html"
    forecast.report.write_report(proj, page, plots=False)
    annotated = page.read_text("utf-8").replace(
        "</body>", "<p>Reviewed: the 2030 band looks too narrow.</p></body>")
    page.write_text(annotated, "utf-8")
    with pytest.raises(OutputError) as err:
        forecast.report.write_report(proj, page, plots=False)
    text = str(err.value)
    assert str(page) in text
    assert "changed since forecast wrote it" in text
    assert "force=True" in text
    assert "another path" in text
    assert page.read_text("utf-8") == annotated
    forecast.report.write_report(proj, page, plots=False, force=True)
    assert "Reviewed" not in page.read_text("utf-8")


def test_a_report_an_older_version_wrote_is_refused_naming_why(proj, tmp_path):
    import re

    page = tmp_path / "report.html"
    forecast.report.write_report(proj, page, plots=False)
    old = re.sub(r'<meta name="forecast-sha256" content="[0-9a-f]{64}">\n', "",
                 page.read_text("utf-8"))
    page.write_text(old, "utf-8")
    with pytest.raises(OutputError, match=r"carries the line <meta name=\"generator\".* no "
                                          r"record.*force=True"):
        forecast.report.write_report(proj, page, plots=False)
    assert page.read_text("utf-8") == old


def test_an_edited_markets_report_is_kept(market_projection, tmp_path):
    from forecast.report.markets import write_markets_report

    page = tmp_path / "markets.html"
    write_markets_report(market_projection, page, plots=False)
    write_markets_report(market_projection, page, plots=False)  # untouched: replaced
    edited = page.read_text("utf-8") + "<!-- my note -->\n"
    page.write_text(edited, "utf-8")
    with pytest.raises(OutputError, match=r"changed since forecast wrote it.*force=True"):
        write_markets_report(market_projection, page, plots=False)
    assert page.read_text("utf-8") == edited


def test_the_command_line_replaces_an_edited_report_only_with_force(tmp_path, capsys):
    page = tmp_path / "r.html"
    fast = ["--paths", "100", "--imputations", "2", "--seed", "1", "--scenario", "baseline",
            "--to", "2027", "-q"]
    assert cli.main(["report", "--out", str(page), *fast]) == 0
    edited = page.read_text("utf-8") + "<!-- mine -->\n"
    page.write_text(edited, "utf-8")
    capsys.readouterr()
    assert cli.main(["report", "--out", str(page), *fast]) == 2
    assert "--force" in capsys.readouterr().err
    assert page.read_text("utf-8") == edited
    assert cli.main(["report", "--out", str(page), *fast, "--force"]) == 0
    assert "<!-- mine -->" not in page.read_text("utf-8")
