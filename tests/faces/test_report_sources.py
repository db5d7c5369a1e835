"""The report says where its latest figures come from, and its sources can be followed.

Probe 36c: the projection starts from the 2025 nowcast and the key message compares with
2024, and every figure behind both years comes from a re-post or a secondary report (an
Indonesian-language report quoting CSORC, a China News re-post), which only the folded
provenance table said (defect 6). Its addresses were plain text, a source of 2009, 2024
and 2025 read "2009-2025", and an empty address showed as an empty cell (defect 10).
"""

from __future__ import annotations

import html
import re

import pytest

import forecast
from forecast.records import provenance
from forecast.report import write_report
from forecast.report._sections import source_caution, unofficial_latest

INDONESIAN = "Indonesian-language report on China-US service outsourcing quoting Zheng Jinrong"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_latest_years_resting_on_unofficial_sources_are_named(releases, us_history):
    years, sources = unofficial_latest(releases, us_history)
    assert years == [2024, 2025]  # the last full year, then the nowcast year
    assert dict(sources)[f"{INDONESIAN} (CSORC)"] == [2024, 2025]
    assert dict(sources)["China News 2024-03-22 re-post: January-February 2024 service "
                         "outsourcing"] == [2024]
    # derived from the data: each of them is marked not official
    official = provenance(releases).set_index("source")["official"]
    assert not official[[s for s, _ in sources]].any()
    text = _text(source_caution(releases, us_history))
    assert text.startswith("Caution, sources: every figure behind 2024, the last full year, "
                           "and 2025, the nowcast year the projection starts from,")
    assert f"{INDONESIAN} (CSORC) (2024, 2025)" in text


def test_no_caution_where_an_official_source_informs_the_latest_years(releases):
    """Published up to March 2024: 2024 is a nowcast from the China News re-post, but
    2023 rests on MOFCOM's figure, found at People's Daily: no caution. Nor without the
    records, which alone say where a figure comes from."""
    early = releases.filter(as_of="2024-03")
    history = forecast.reconstruct(early)
    assert unofficial_latest(early, history) == ([], [])
    assert source_caution(early, history) == ""
    assert source_caution(None, forecast.reconstruct(releases)) == ""


@pytest.fixture(scope="module")
def page(tmp_path_factory, releases, us_history):
    fit = forecast.Drift().fit(us_history, seed=1)
    proj = forecast.project(fit, [forecast.presets.baseline(), forecast.presets.escalation()],
                            to=2030, n_paths=200, seed=1)
    path = tmp_path_factory.mktemp("sources") / "r.html"
    return write_report(proj, path, history=us_history, records=releases, plots=False,
                        decompose=False).read_text()


def test_the_report_shows_the_caution_under_the_key_message(page):
    key_end = page.index("</section>", page.index('id="key-message"'))
    caution = page.index("Caution, sources:")
    assert key_end < caution < page.index("<nav")  # under the key message, before all else
    assert '<a href="#data-provenance">Data provenance</a>' in page


def test_source_addresses_are_links_that_load_nothing_until_clicked(page):
    table = page[page.index('id="data-provenance"'):page.index('id="reproduce"')]
    links = re.findall(r'<a href="([^"]+)" rel="noreferrer">([^<]+)</a>', table)
    assert len(links) >= 25
    assert ("http://www.feitiangm.cn/id/news/787019719400882230.html",
            "www.feitiangm.cn/id/news/787019719400882230.html") in links  # no scheme given
    assert all(href.startswith(("http://", "https://")) for href, _ in links)
    # an address nobody recorded says so, rather than an empty cell
    row = table[table.index("MOFCOM regular press conference"):]
    row = row[:row.index("</tr>")]
    assert 'data-label="Address"><span class="muted">none recorded</span>' in row
    assert "loads nothing" in _text(table)
    # the years a source covers, runs compressed: not "2009-2025"
    indonesian = table[table.index("quoting Zheng Jinrong"):]
    assert _text(indonesian[:indonesian.index("</tr>")]).endswith("2009, 2024-2025")
