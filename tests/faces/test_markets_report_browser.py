"""The multi-market report in headless Chromium, at a phone's and a desktop's width.

With every ``<details>`` opened: no table is wider than the column it sits in (nothing
scrolls sideways, not even inside a table's wrapper), the key message is inside the first
screen and its first sentence names the focus market's share, the charts come before the
first table, every image loads, a phone gets the two-panels-a-row fan chart, and the
browser logged no error. Screenshots are written next to the report (paths printed).
Skipped outside CI when no Chromium/chromedriver is installed, as
``test_report_browser.py``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

import forecast
from forecast.report import write_markets_report

MEASURE = """
document.querySelectorAll('details').forEach(d => { d.open = true; });
const key = document.getElementById('key-message').getBoundingClientRect();
const first = (sel) => { const e = document.querySelector(sel);
                         return e ? e.getBoundingClientRect().top + window.scrollY : null; };
return {
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth, innerHeight: window.innerHeight,
  keyTop: key.top, keyBottom: key.bottom,
  lead: document.querySelector('#key-message .lead').textContent,
  firstImage: first('figure img'), firstTable: first('table'),
  tables: Array.from(document.querySelectorAll('table')).map(t => ({
    caption: (t.caption ? t.caption.textContent : t.rows[0].textContent).slice(0, 60),
    width: t.getBoundingClientRect().width, scroll: t.parentElement.scrollWidth,
    room: t.parentElement.clientWidth})),
  images: Array.from(document.images).map(
    i => ({alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight,
           shown: i.getBoundingClientRect().width})),
};
"""


#: A --data file deep in a project: one long word in the settings table.
LONG_PATH = ("/home/analyst/projects/china-service-outsourcing/releases/2025-11-30/"
             "mofcom_service_outsourcing_by_source_market_and_segment_revised.csv")


@pytest.fixture(scope="module")
def reports(tmp_path_factory, releases, market_history):
    """The report of four markets and every preset, one of two markets without the US, and
    one of four markets and three weighted scenarios (the mixture's sentence and section)."""
    folder = tmp_path_factory.mktemp("markets-browser")
    fit = fit_all = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history,
                                                                               seed=1)
    mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2035,
                                  n_paths=1000, seed=1)
    full = write_markets_report(mp, folder / "full.html", records=releases,
                                settings={"command": "forecast run --markets US,EU,HK,JP",
                                          "data": LONG_PATH})
    mh = forecast.reconstruct_markets(releases, markets=("EU", "HK"))
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
    mp = forecast.project_markets(fit, forecast.Scenario("baseline"), to=2030, n_paths=300,
                                  seed=1, target="ALL")
    small = write_markets_report(mp, folder / "small.html", records=releases)
    # the audit's scenario file (D1) and a diversion: probabilities, so the mixture's
    # sentence and section, and the diversion's sentence: the longest key message
    sset = forecast.market_presets.scenario_set()
    chosen = [s for s in sset.scenarios if s.name in ("baseline", "escalation",
                                                      "fragmentation",
                                                      "fragmentation_diversion")]
    mp = forecast.project_markets(fit_all, forecast.ScenarioSet(chosen, probabilities=(
        0.4, 0.3, 0.2, 0.1)), to=2035, n_paths=300, seed=1)
    weighted = write_markets_report(mp, folder / "weighted.html", records=releases)
    return {"full": (full, "US"), "small": (small, "EU"), "weighted": (weighted, "US")}


@pytest.mark.slow
@pytest.mark.parametrize("which", ["full", "small", "weighted"])
@pytest.mark.parametrize("width", [390, 1280])
def test_markets_report_layout_in_a_real_browser(browser, reports, which, width):
    path, focus = reports[which]
    m = browser.measure(path, width, MEASURE, path.with_name(f"{which}-{width}.png"))
    assert m["innerWidth"] <= width
    assert m["scrollWidth"] <= m["innerWidth"], "the page scrolls sideways"
    wide = [t for t in m["tables"] if t["scroll"] > t["room"] + 1 or t["width"] > t["room"] + 1]
    assert wide == [], f"tables wider than the page at {width} px"
    assert len(m["tables"]) >= 4
    mixture = [t for t in m["tables"] if t["caption"].startswith("Mixture: median")]
    assert len(mixture) == (which == "weighted")  # its table, laid out as the baseline's
    assert 0 <= m["keyTop"] < m["keyBottom"] <= m["innerHeight"], "key message below the fold"
    assert m["lead"].startswith(f"Under the baseline the {focus} share of China's total")
    assert m["firstImage"] < m["firstTable"], "the charts come after a table"
    # the baseline's fans and shares, and the mixture's fans where there is one
    assert len(m["images"]) == 2 + (which == "weighted")
    bad = [i for i in m["images"] if not (i["complete"] and i["w"] > 0 and i["h"] > 0
                                          and 0 < i["shown"] <= m["innerWidth"])]
    assert bad == []
    for fans in (i for i in m["images"] if i["alt"].startswith("Fan chart of every market")):
        ratio = fans["w"] / fans["h"]  # three panels a row on a desktop, two on a phone
        assert (ratio < 1.3) if width == 390 else (ratio > 1.3), fans["alt"]
    errors = [e for e in browser.console() if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == []


#: What a reader of the page's structure meets: heading levels in order, the settings
#: shown (tables and preformatted blocks) and every word of the settings table that is
#: broken across two lines (a Range over the word with more than one line box).
STRUCTURE = """
document.querySelectorAll('details').forEach(d => { d.open = true; });
const broken = [];
document.querySelectorAll('#reproduce td').forEach(td => {
  const node = td.firstChild;
  if (!node || node.nodeType !== Node.TEXT_NODE) return;
  for (const m of node.textContent.matchAll(/\\S+/g)) {
    const r = document.createRange();
    r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
    const lines = new Set(Array.from(r.getClientRects()).map(b => Math.round(b.top)));
    if (lines.size > 1) broken.push(m[0]);
  }
});
return {
  levels: Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .map(h => Number(h.tagName[1])),
  reproduce: Array.from(document.querySelectorAll('#reproduce table, #reproduce pre'))
    .map(e => e.tagName),
  broken: broken,
};
"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_markets_report_structure_and_settings(browser, reports, width):
    """The settings were shown twice (a table and its JSON), their names broken
    mid-word ("model_spe / c": overflow-wrap anywhere squeezed the column), and the
    decompositions' headings jumped from h2 to h4."""
    path, _ = reports["full"]
    m = browser.measure(path, width, STRUCTURE, path.with_name(f"structure-{width}.png"))
    jumps = [(a, b) for a, b in zip(m["levels"], m["levels"][1:], strict=False) if b > a + 1]
    assert jumps == [], f"heading levels skip: {m['levels']}"
    # the library versions, the command, the Python code and the settings, once each
    assert m["reproduce"] == ["TABLE", "PRE", "PRE", "TABLE"], "the settings are shown twice"
    # only the one word longer than the column may break: a path, not a name
    assert set(m["broken"]) <= {LONG_PATH}, f"settings broken mid-word at {width} px"


#: Every chart's text at the size it is shown: an SVG's font size (in its own units)
#: times the image's shown width over the SVG's width; the text "Source: ..." reported.
CHART_TEXT = """
const out = [];
document.querySelectorAll('figure img').forEach(img => {
  const src = img.currentSrc || img.src;
  const svg = new DOMParser().parseFromString(atob(src.split(',')[1]), 'image/svg+xml')
    .documentElement;
  const scale = img.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = Array.from(svg.querySelectorAll('text')).map(t => ({
    text: t.textContent, px: parseFloat(t.style.fontSize) * scale}));
  out.push({alt: img.alt, narrow: src !== img.src, texts: texts});
});
return out;
"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_markets_charts_are_legible_at_the_width_they_are_shown(browser, reports, width):
    """At 390 px the fans were shrunk to 6-7 px text and the shares chart (no phone
    version) to 5.6 px; neither had a source line. Every text of every chart is now at
    least 9 CSS px, a phone gets a phone version of both charts, each with its source."""
    path, _ = reports["full"]
    browser.measure(path, width, "return 0;", path.with_name(f"charts-{width}.png"))
    charts = browser.run(CHART_TEXT)
    assert [c["alt"] for c in charts] == ["Fan chart of every market",
                                          "Stacked shares of China's total"]
    for chart in charts:
        assert chart["narrow"] == (width == 390), chart["alt"]
        small = [(t["text"], round(t["px"], 1)) for t in chart["texts"] if t["px"] < 9]
        assert small == [], f"{chart['alt']}: text under 9 px at {width} px"
        assert any(t["text"].startswith("Source: MOFCOM") for t in chart["texts"]), chart["alt"]



@pytest.mark.slow
def test_markets_provenance_breaks_only_its_addresses_on_a_desktop(browser, reports):
    """As the single-market report's: the provenance's sources, years and evidence
    ("2009-" / "2025", "January-" / "April") no longer break inside a word at 1280 px;
    the addresses still break anywhere, so no table is wider than the page."""
    from test_report_browser import BROKEN_WORDS

    path, _ = reports["full"]
    browser.measure(path, 1280, "return 0;", path.with_name("provenance-1280.png"))
    m = browser.run(BROKEN_WORDS, "details .provenance td, details .break-cells td")
    assert m["cells"] > 100
    assert {w for c, w in m["wrap"] if c == "Address"} == {"anywhere"}
    assert {w for c, w in m["wrap"] if c != "Address"} == {"break-word"}
    assert [w for w in m["broken"] if w[0] != "Address"] == [], "words broken mid-word"
