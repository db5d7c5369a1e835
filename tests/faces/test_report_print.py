"""The reports printed, as a reader prints them: chromium's print to PDF on A4 and Letter.

A printed page cannot scroll: a table wider than the paper lost its right-hand columns
and the digits after a number's decimal point ("31.4" printed as "31"), and a table's
header could end a page alone, and the folded sources did not print at all (probe 36c,
defects 1, 2 and 13). Each report is laid out as
chromium prints it (print media, a viewport as wide as the paper's printable width:
``Browser.printed``) and measured: no table, cell or code block is wider than its box,
and the folded blocks' contents are laid out. Then it is printed to PDF; where
Ghostscript is installed, the PDF's text is read back and every number of the tables is
found in it. The pages are rasterised next to the report to look at (paths printed).

Skipped outside CI when no Chromium/chromedriver is installed, as
``test_report_browser.py``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import shutil
import subprocess

import pytest
from _browser import PAPER
from test_report import _DriftFit

import forecast
from forecast import presets, report
from forecast.report import write_markets_report
from forecast.series import AnnualSeries

#: What overflows its box in the page as laid out: tables (and their wrappers), cells
#: and code blocks wider than their box, and the page itself.
OVERFLOW = """
const over = (e) => e.scrollWidth > e.clientWidth + 1;
const name = (e) => e.tagName + ': ' + ((e.closest('table') || e).querySelector('caption, th')
                    || e).textContent.slice(0, 50) + ' / ' + e.textContent.slice(0, 30);
const page = document.documentElement;
return {
  page: page.scrollWidth > page.clientWidth ? [page.scrollWidth, page.clientWidth] : null,
  wraps: Array.from(document.querySelectorAll('.table-wrap, table, pre')).filter(over).map(name),
  cells: Array.from(document.querySelectorAll('th, td')).filter(over).map(name),
  outside: Array.from(document.querySelectorAll('table')).filter(t =>
      t.getBoundingClientRect().right > page.clientWidth + 1).map(name),
  tables: document.querySelectorAll('table').length,
  // the folded blocks' tables: shown (visible, with a size) or not
  folded: Array.from(document.querySelectorAll('details table')).map(
      t => t.checkVisibility() && t.getBoundingClientRect().height > 0),
  open: Array.from(document.querySelectorAll('details')).filter(d => d.open).length,
  head: Array.from(document.querySelectorAll('thead')).map(
      h => getComputedStyle(h).breakAfter + ' ' + getComputedStyle(h).display),
  // every word of a numeric cell as rendered ("42.4", "20.1-66.9", "(+0.3", "44%")
  numbers: Array.from(document.querySelectorAll('td.num')).flatMap(
      td => td.innerText.split(/\\s+/)).filter(t => /[0-9]/.test(t)),
};
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory, us_history, releases, market_history):
    """The single-market report (every preset with probabilities, a tornado table, the
    records) and the markets report (four markets, every market preset, the records)."""
    folder = tmp_path_factory.mktemp("print")
    series = us_history.series
    fit = _DriftFit(AnnualSeries(series.years, series.values, name=series.name))
    sset = forecast.ScenarioSet(tuple(presets.scenario_set()),
                                probabilities=(0.3, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05))
    proj = forecast.project(fit, sset, to=2035, n_paths=400, seed=5)
    tornado = forecast.tornado(fit, presets.escalation(), [2030, 2035], n_paths=100, seed=5)
    tornado.attrs["scenario"] = "escalation"
    one = report.write_report(proj, folder / "one.html", history=us_history, records=releases,
                              sensitivity=tornado,
                              settings={"command": "forecast run --out /tmp/probe36c_out "
                                                  "--seed 1"})
    mfit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    mp = forecast.project_markets(mfit, forecast.market_presets.scenario_set(), to=2035,
                                  n_paths=300, seed=1)
    markets = write_markets_report(mp, folder / "markets.html", records=releases,
                                   settings={"command": "forecast run --markets US,EU,HK,JP"})
    return {"one": one, "markets": markets}


@pytest.mark.slow
@pytest.mark.parametrize("paper", list(PAPER))
@pytest.mark.parametrize("which", ["one", "markets"])
def test_every_table_keeps_its_columns_and_digits_in_print(browser, reports, which, paper):
    browser.open(reports[which])
    with browser.printed(paper):
        m = browser.run(OVERFLOW)
    assert m["tables"] >= 8
    assert m["page"] is None, f"the printed page is wider than the paper: {m['page']}"
    assert m["wraps"] == [], f"tables or code cut at the paper's edge: {m['wraps']}"
    assert m["outside"] == [], f"tables past the paper's edge: {m['outside']}"
    assert m["cells"] == [], f"cells whose text is cut: {m['cells']}"
    # a table's header repeats on each page and is kept with its first row
    assert set(m["head"]) == {"avoid table-header-group"}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["one", "markets"])
def test_folded_sources_and_tables_print_open(browser, reports, which):
    """On screen the provenance (and the markets report's "All figures") are folded; in
    print their tables are laid out, with nobody opening them."""
    browser.open(reports[which])
    screen = browser.run(OVERFLOW)
    with browser.printed("A4"):
        printed = browser.run(OVERFLOW)
    assert screen["open"] == printed["open"] == 0  # nobody opened them
    assert screen["folded"]
    assert not any(screen["folded"])  # on screen: folded
    assert all(printed["folded"])  # printed: every one shown


@pytest.mark.slow
@pytest.mark.parametrize("which", ["one", "markets"])
def test_the_pdf_holds_every_number_of_the_tables(browser, reports, which):
    """Printed to PDF (Letter): every number of a table (each word of a numeric cell,
    e.g. "31.4", "0.079", "20.1-66.9", "44%") is in the PDF's text, and so is a source's
    address (folded on screen). The text is read
    with Ghostscript where it is installed; the pages are rasterised to PNG for a person
    to look at."""
    path = reports[which]
    browser.open(path)
    with browser.printed("Letter"):
        numbers = browser.run(OVERFLOW)["numbers"]
    pdf = path.with_suffix(".letter.pdf")
    pdf.write_bytes(browser.print_pdf("Letter"))
    assert pdf.read_bytes().startswith(b"%PDF")
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("no Ghostscript to read the PDF's text (the layout test above ran)")
    text_file = pdf.with_suffix(".txt")
    subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=txtwrite",
                    f"-sOutputFile={text_file}", str(pdf)], check=True)
    text = text_file.read_text(encoding="utf-8", errors="replace")
    words = set(text.split())
    missing = sorted({n for n in numbers if n not in words})
    assert len(numbers) > 50
    assert missing == [], f"numbers of the tables not in the printed PDF: {missing[:20]}"
    assert "feitiangm.cn" in text  # an address of the folded provenance table
    shots = pdf.with_suffix("")
    shots.mkdir(exist_ok=True)
    subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=png16m", "-r60",
                    f"-sOutputFile={shots}/page-%02d.png", str(pdf)], check=True)
    print(f"pages: {shots}")


PRE_WORDS = """
return Array.from(document.querySelectorAll('pre .word')).map(
    w => [w.textContent, w.getClientRects().length]);
"""


@pytest.mark.slow
def test_a_phone_wraps_the_command_between_words(browser, reports):
    """At 390 px the command wrapped "--seed" into "--" / "seed 1": each word with a
    hyphen now stays on one line (the block wraps at spaces), and the page does not
    scroll sideways for it."""
    browser.window(390, 900)
    browser.open(reports["one"])
    words = browser.run(PRE_WORDS)
    assert ["--seed", 1] in words
    assert ["--out", 1] in words
    assert all(lines == 1 for _, lines in words), words
    width = browser.run("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
