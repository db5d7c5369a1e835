"""The report as a person sees it: headless Chromium at a phone's and a desktop's width.

At 390 px and 1280 px: nothing scrolls sideways (``scrollWidth <= innerWidth``), not
even a table inside its scrolling wrapper, the
key-message block is inside the first screen, every image has loaded with a non-zero
size, and the browser logged no error. A screenshot of each width is written to the
test's temporary folder (the path is printed) to look at.

Skipped only outside CI when no Chromium/chromedriver is installed; in CI (``CI`` set,
as ``.ci/run`` exports it) a missing browser fails the test: ``.ci/run`` installs
Debian's ``chromium`` and its driver.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from test_report import _DriftFit

import forecast
from forecast import presets, report
from forecast.series import AnnualSeries

MEASURE = """
const key = document.getElementById('key-message').getBoundingClientRect();
return {
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth, innerHeight: window.innerHeight,
  keyTop: key.top, keyBottom: key.bottom,
  images: Array.from(document.images).map(
    i => ({alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight,
           shown: i.getBoundingClientRect().width})),
  wider: Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest('.table-wrap'))
    .slice(0, 5).map(e => e.tagName + '.' + e.className),
  scrolled: Array.from(document.querySelectorAll('.table-wrap'))
    .filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => (w.querySelector('caption') || w.querySelector('th') || w).textContent.slice(0, 60)),
};
"""


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, us_history):
    """A full report: the real history, every preset, a tornado table and probabilities."""
    series = us_history.series
    fit = _DriftFit(AnnualSeries(series.years, series.values, name=series.name))
    sset = forecast.ScenarioSet(tuple(presets.scenario_set()),
                                probabilities=(0.3, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05))
    proj = forecast.project(fit, sset, to=2035, n_paths=1000, seed=5)
    tornado = forecast.tornado(fit, presets.escalation(), [2030, 2035], n_paths=200, seed=5)
    tornado.attrs["scenario"] = "escalation"
    path = tmp_path_factory.mktemp("browser") / "report.html"
    return report.write_report(proj, path, history=us_history, records=forecast.load_releases(),
                               sensitivity=tornado, settings={"command": "forecast run"})


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_report_layout_in_a_real_browser(browser, report_file, width):
    shot = report_file.with_name(f"report-{width}.png")
    m = browser.measure(report_file, width, MEASURE, shot)
    assert m["innerWidth"] <= width
    assert m["scrollWidth"] <= m["innerWidth"], f"sideways scrolling; too wide: {m['wider']}"
    # every table fits: numeric headers wrap, the sensitivity table stacks on a phone
    assert m["scrolled"] == [], f"tables that scroll sideways: {m['scrolled']}"
    assert 0 <= m["keyTop"] < m["keyBottom"] <= m["innerHeight"], "key message below the fold"
    assert len(m["images"]) >= 15
    bad = [i for i in m["images"] if not (i["complete"] and i["w"] > 0 and i["h"] > 0
                                          and i["shown"] > 0)]
    assert bad == []
    shown = np.array([i["shown"] for i in m["images"]])
    assert shown.max() <= m["innerWidth"]
    errors = [e for e in browser.console() if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == []
    assert shot.stat().st_size > 10_000


#: Names of about 100 characters (a probe's), in a scenario list as long as the presets'.
LONG_NAMES = ("Escalation with a possible services levy, persistent export-control shocks "
              "and a faster structural drift",
              "Fragmentation_severe_friction_data_flow_blocs_and_more_volatile_outcomes_"
              "written_as_one_identifier")

TABLES = """
return {
  scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  tables: Array.from(document.querySelectorAll('.table-wrap')).map(w => {
    const heads = Array.from(w.querySelectorAll('thead th'));
    const box = w.getBoundingClientRect();
    const outer = w.parentElement.matches(".settings-cells, .provenance") ? w.parentElement : w;
    const before = outer.previousElementSibling;  // the table's heading
    return {
      title: before ? before.textContent.slice(0, 40) : '',
      glance: w.querySelector('table.glance') !== null,
      scrolls: w.scrollWidth > w.clientWidth + 1,
      hidden: heads.filter(h => h.getBoundingClientRect().right > box.right + 1)
                   .map(h => h.textContent)};
  }),
};
"""


@pytest.fixture(scope="module")
def long_names_report(tmp_path_factory, us_history):
    """The presets with two of them renamed to names of about 100 characters."""
    import dataclasses

    series = us_history.series
    fit = _DriftFit(AnnualSeries(series.years, series.values, name=series.name))
    sset = list(presets.scenario_set())
    sset[2] = dataclasses.replace(sset[2], name=LONG_NAMES[0])
    sset[6] = dataclasses.replace(sset[6], name=LONG_NAMES[1])
    proj = forecast.project(fit, sset, to=2035, n_paths=300, seed=5)
    path = tmp_path_factory.mktemp("browser-long") / "report.html"
    return report.write_report(proj, path, history=us_history,
                               settings={"command": "forecast run long.toml"})


@pytest.mark.slow
def test_long_scenario_names_wrap_in_the_glance_table_on_a_desktop(browser,
                                                                   long_names_report):
    """A 100-character name (its row header did not wrap) pushed the 2030 and 2035
    columns of the glance table out of view at 1280 px."""
    shot = long_names_report.with_name("long-names-1280.png")
    m = browser.measure(long_names_report, 1280, TABLES, shot)
    assert m["scrollWidth"] <= m["innerWidth"]
    glance = next(t for t in m["tables"] if t["glance"])
    assert not glance["scrolls"], glance
    assert glance["hidden"] == [], glance


@pytest.mark.slow
def test_long_scenario_names_keep_the_phone_page_from_scrolling_sideways(browser,
                                                                         long_names_report):
    """At 390 px a table too wide scrolls inside its own box, never the page; the
    Settings table, whose scenario list is one long value, fits (it was 878 px wide)."""
    shot = long_names_report.with_name("long-names-390.png")
    m = browser.measure(long_names_report, 390, TABLES, shot)
    assert m["scrollWidth"] <= m["innerWidth"]
    settings = [t for t in m["tables"] if t["title"] == "Settings"]
    assert len(settings) == 1
    assert not settings[0]["scrolls"], settings


#: Every word of the provenance tables (and the settings) broken across two lines, by
#: column: a Range over each word of each text node in a cell, with more than one line
#: box. An address may break anywhere (it is one long word); no other cell may.
BROKEN_WORDS = """
document.querySelectorAll('details').forEach(d => { d.open = true; });
const broken = [];
const cells = document.querySelectorAll(arguments[0]);
cells.forEach(td => {
  const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walk.nextNode())) {
    for (const m of node.textContent.matchAll(/\\S+/g)) {
      const r = document.createRange();
      r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const lines = new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top)));
      if (lines.size > 1) broken.push([td.dataset.label, m[0]]);
    }
  }
});
return {cells: cells.length, broken: broken,
        wrap: Array.from(cells).map(td => [td.dataset.label, getComputedStyle(td).overflowWrap])};
"""


@pytest.mark.slow
def test_provenance_and_settings_words_break_only_in_addresses_on_a_desktop(browser,
                                                                           report_file):
    """The provenance tables' cells all had ``overflow-wrap: anywhere`` (for the
    addresses), which let the browser squeeze their other columns: at 1280 px a range
    of years read "2009-" / "2025" and a date "2024-02-" / "04)". Only the address
    column breaks anywhere now; a word of any other cell stays on one line."""
    m = browser.measure(report_file, 1280, "return 0;",
                        report_file.with_name("provenance-1280.png"))
    m = browser.run(BROKEN_WORDS, "details .provenance td, details .break-cells td, "
                                  "#reproduce .settings-cells td, #reproduce .break-cells td")
    assert m["cells"] > 100
    wraps = {}
    for column, wrap in m["wrap"]:
        wraps.setdefault(column, set()).add(wrap)
    assert wraps["Address"] == {"anywhere"}
    assert all("anywhere" not in w for c, w in wraps.items() if c not in ("Address", "Value"))
    assert [w for w in m["broken"] if w[0] != "Address"] == [], "words broken mid-word"
